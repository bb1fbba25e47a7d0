"""``explain`` names the holidays a metric's running time went past, by the calendar's names,
consecutive days of one holiday as one range."""

from __future__ import annotations

from datetime import datetime

import pytest

from servicepolicy import load_policy, load_policy_set, parse_policy

POLICY = """\
servicepolicy: "1"
name: holidays in words
calendars:
  office:
    timezone: Europe/Berlin
    hours: {mon-fri: ["09:00-17:00"]}
    holidays:
      - {date: 2026-12-24, name: Christmas Eve}
      - {date: 2026-12-25, name: Christmas}
      - {date: 2026-12-26, name: Christmas}
      - {date: 2026-12-31, name: New Year's Eve}
      - {date: 2027-01-04}
sla:
  - name: all
    calendar: office
    targets: {first_response: 4h, resolution: 40h}
"""


def _explain(ticket, as_of, **kwargs):
    policy = parse_policy(POLICY)
    evaluation = policy.evaluate(ticket, as_of=datetime.fromisoformat(as_of))
    return evaluation.explain(policy=policy, **kwargs), evaluation


def test_holidays_are_named_and_consecutive_days_are_one_range():
    ticket = {"id": "H-1", "created_at": "2026-12-23T16:00:00+01:00", "events": []}
    text, _ = _explain(ticket, "2027-01-05T10:00:00+01:00")
    # the stretch runs 23 Dec 16:00 to 5 Jan 10:00: 24, 25-26, 31 Dec and an unnamed 4 Jan
    expected = (
        "  holidays on the way: Christmas Eve 2026-12-24, Christmas 2026-12-25 to 2026-12-26, "
        "New Year's Eve 2026-12-31, (no name) 2027-01-04"
    )
    assert expected in text.splitlines()


def test_a_stretch_that_ends_before_a_holiday_names_none():
    ticket = {
        "id": "H-2",
        "created_at": "2026-12-22T09:00:00+01:00",
        "events": [{"at": "2026-12-23T10:00:00+01:00", "type": "agent_reply"}],
    }
    text, _ = _explain(ticket, "2026-12-23T23:59:00+01:00")
    # first response ran 22 Dec 09:00 to 23 Dec 10:00; resolution still runs at as_of,
    # 23 Dec 23:59: Christmas Eve is not reached yet
    assert "holidays on the way" not in text


def test_a_stretch_ending_at_midnight_does_not_reach_that_date():
    ticket = {
        "id": "H-3",
        "created_at": "2026-12-23T09:00:00+01:00",
        "events": [{"at": "2026-12-24T00:00:00+01:00", "type": "agent_reply"}],
    }
    text, _ = _explain(ticket, "2026-12-24T00:00:00+01:00")
    assert "holidays on the way" not in text


def test_without_the_policy_no_holiday_line():
    policy = parse_policy(POLICY)
    ticket = {"id": "H-1", "created_at": "2026-12-23T16:00:00+01:00", "events": []}
    evaluation = policy.evaluate(ticket, as_of=datetime.fromisoformat("2027-01-05T10:00:00+01:00"))
    assert "holidays on the way" not in evaluation.explain()


def test_dated_versions_name_the_holidays_of_the_version_in_force(tmp_path):
    for name, start, holiday in (
        ("h1", "2026-01-01T00:00:00+01:00", "Old name"),
        ("h2", "2026-12-01T00:00:00+01:00", "New name"),
    ):
        text = POLICY.replace("name: holidays in words", f"name: {name}\neffective_from: {start}")
        text = text.replace(
            "{date: 2026-12-24, name: Christmas Eve}", f"{{date: 2026-12-24, name: {holiday}}}"
        )
        (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    policies = load_policy_set(tmp_path)
    for created, named in (
        ("2026-12-23T16:00:00+01:00", "New name"),
        ("2026-11-30T16:00:00+01:00", "Old name"),
    ):
        ticket = {"id": "V-1", "created_at": created, "events": []}
        evaluation = policies.evaluate(
            ticket, as_of=datetime.fromisoformat("2027-01-05T10:00:00+01:00")
        )
        assert f"holidays on the way: {named} 2026-12-24, " in evaluation.explain(policy=policies)


def test_the_riyadh_eid_in_arabic_and_both_calendars():
    pytest.importorskip("babel")
    pytest.importorskip("hijridate")
    policy = load_policy("policies/examples/riyadh-service-centre.yaml")
    ticket = {
        "id": "R-1",
        "created_at": "2026-03-18T15:00:00+03:00",
        "fields": {"segment": "vip", "priority": "high"},
        "events": [{"at": "2026-03-24T09:30:00+03:00", "type": "agent_reply"}],
    }
    evaluation = policy.evaluate(ticket, as_of=datetime.fromisoformat("2026-03-24T10:00:00+03:00"))
    english = evaluation.explain(policy=policy)
    assert "  holidays on the way: Eid al-Fitr 2026-03-20 to 2026-03-23" in english.splitlines()
    arabic = evaluation.explain("ar", hijri=True, policy=policy)
    assert (
        "  العطلات خلال المدة: Eid al-Fitr من 2026-03-20 / 1 شوال 1447 إلى 2026-03-23 / 4 شوال 1447"
        in arabic.splitlines()
    )


SANTIAGO = """\
servicepolicy: "1"
name: midnight that does not exist
calendars:
  desk:
    timezone: America/Santiago
    hours: {daily: ["00:00-24:00"]}
    holidays:
      - {date: 2026-09-06, name: After the gap}
sla:
  - name: all
    calendar: desk
    targets: {first_response: 8h}
"""


def test_a_stretch_ending_where_dst_skips_midnight_does_not_reach_that_day():
    # Santiago springs forward on 2026-09-06 at 00:00, to 01:00: a reply at that day's first
    # instant ends the stretch before the day begins
    policy = parse_policy(SANTIAGO)
    ticket = {
        "id": "S-1",
        "created_at": "2026-09-05T20:00:00-04:00",
        "events": [{"at": "2026-09-06T01:00:00-03:00", "type": "agent_reply"}],
    }
    evaluation = policy.evaluate(ticket, as_of=datetime.fromisoformat("2026-09-06T02:00:00-03:00"))
    first = evaluation.explain(policy=policy).split("first_response:")[1].split("\nresolution")[0]
    assert "holidays on the way" not in first


def test_a_measurement_longer_than_ten_years_says_where_it_stopped_looking(monkeypatch):
    from servicepolicy._evaluation import explain

    monkeypatch.setattr(explain, "MAX_HOLIDAY_DAYS", 10)
    ticket = {"id": "L-1", "created_at": "2026-12-20T09:00:00+01:00", "events": []}
    text, _ = _explain(ticket, "2027-01-05T10:00:00+01:00")
    # ten dates from 20 Dec: the 24th, 25-26 are named, then the search stops at the 30th
    assert (
        "  holidays on the way: Christmas Eve 2026-12-24, Christmas 2026-12-25 to 2026-12-26, "
        "dates from 2026-12-30 not looked at"
    ) in text.splitlines()
