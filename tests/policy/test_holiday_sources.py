"""Holiday sources in policy files: country and Hijri entries load, and a missing extra or an
unknown country is a located finding."""

from __future__ import annotations

import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from servicepolicy import check_policy_text, parse_policy

pytest.importorskip("holidays")
pytest.importorskip("hijridate")

POLICY = """\
servicepolicy: "1"
name: sources
calendars:
  office:
    timezone: Asia/Riyadh
    hours:
      sun-thu: ["08:00-17:00"]
    holidays:
      - {date: 2026-09-23, name: Our National Day}
      - {country: SA}
      - {hijri: "10-01", days: 4, name: Eid}
    seasons:
      - {hijri_month: 9, hours: {sun-thu: ["10:00-16:00"]}, name: Ramadan}
sla:
  - name: all
    calendar: office
    targets:
      first_response: 4h
"""
RIYADH = ZoneInfo("Asia/Riyadh")


def test_a_policy_with_country_and_hijri_entries_loads():
    calendar = parse_policy(POLICY).calendars["office"]
    assert calendar.holiday_at(datetime(2026, 9, 23, 12, tzinfo=RIYADH)) == "Our National Day"
    assert calendar.holiday_at(datetime(2026, 2, 22, 12, tzinfo=RIYADH)) == "Founding Day Holiday"
    # 1 Shawwal 1447 is in both lists: the country entry comes first.
    assert calendar.holiday_at(datetime(2026, 3, 20, 12, tzinfo=RIYADH)) == "Eid al-Fitr Holiday"


def _only(text: str) -> tuple[int, int, str, str, str]:
    policy, findings = check_policy_text(text, "p.yaml")
    assert policy is None
    assert len(findings) == 1, findings
    f = findings[0]
    return f.line, f.column, f.path, f.code, f.message


def test_without_the_holidays_extra_a_country_entry_is_a_located_finding(monkeypatch):
    monkeypatch.setitem(sys.modules, "holidays", None)  # import holidays raises ImportError
    line, column, path, code, message = _only(POLICY)
    assert (line, path, code) == (10, "calendars.office.holidays[1].country", "invalid-value")
    assert column > 1
    assert "pip install 'servicepolicy[holidays]'" in message


def test_without_the_hijri_extra_hijri_entries_are_located_findings(monkeypatch):
    monkeypatch.setitem(sys.modules, "hijridate", None)
    policy, findings = check_policy_text(POLICY, "p.yaml")
    assert policy is None
    assert [(f.line, f.path) for f in findings] == [
        (11, "calendars.office.holidays[2].hijri"),
        (13, "calendars.office.seasons[0].hijri_month"),
    ]
    assert all("pip install 'servicepolicy[hijri]'" in f.message for f in findings)


def test_an_unknown_country_or_subdivision_is_located():
    text = POLICY.replace("{country: SA}", "{country: XX}")
    line, _, path, _, message = _only(text)
    assert (line, path) == (10, "calendars.office.holidays[1].country")
    assert "no country 'XX'" in message
    text = POLICY.replace("{country: SA}", "{country: DE, subdivision: ZZ}")
    line, _, path, _, message = _only(text)
    assert (line, path) == (10, "calendars.office.holidays[1].subdivision")
    assert "BY" in message
    text = POLICY.replace("{country: SA}", "{country: DE, categories: [lunar]}")
    _, _, path, _, message = _only(text)
    assert path == "calendars.office.holidays[1].categories"


def test_a_holiday_has_one_source():
    text = POLICY.replace("{country: SA}", "{country: SA, date: 2026-01-01}")
    _, _, path, _, message = _only(text)
    assert path == "calendars.office.holidays[1]"
    assert "exactly one of 'date', 'rrule', 'country' or 'hijri'" in message
    text = POLICY.replace('{hijri: "10-01", days: 4, name: Eid}', '{hijri: "13-01"}')
    _, _, path, _, message = _only(text)
    assert path == "calendars.office.holidays[2].hijri"
