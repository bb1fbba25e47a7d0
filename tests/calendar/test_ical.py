"""Holidays from an iCalendar file (``ics: holidays.ics``): the all-day events of the file,
with their RRULE, EXDATE and multi-day spans, read by the loader relative to the policy file,
and carried in the policy so that pickles and dumps need no file.

The feed ``tests/data/ical/holidays.ics`` holds, by hand:

* New Year's Day, every 1 January from 2025 (``RRULE:FREQ=YEARLY``), except 2027-01-01
  (``EXDATE``);
* Christmas break, 24-26 December every year from 2025 (``DURATION:P3D``, yearly);
* Company retreat, 2026-04-13 to 2026-04-15 (Mon-Wed; ``DTEND`` 2026-04-16 is exclusive);
* Founders' Day, 2026-06-05 (Fri), a one-off all-day event without DTEND;
* Summer party, 2026-06-10, cancelled (``STATUS:CANCELLED``);
* Winter shutdown, 2028-12-30 to 2029-01-02 (``DTEND`` 2029-01-03), across a new year.
"""

from __future__ import annotations

import pickle
import shutil
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from servicepolicy import (
    Calendar,
    Policy,
    check_policy_file,
    check_policy_text,
    load_policy,
    parse_policy,
    policy_schema,
)
from servicepolicy._calendar import clock_of
from tests.paths import DATA

FEEDS = DATA / "ical"
BERLIN = ZoneInfo("Europe/Berlin")
WEEK = {"mon-fri": ["09:00-17:00"]}


def _policy_text(*holidays: str) -> str:
    entries = "".join(f"      - {entry}\n" for entry in holidays)
    return (
        'servicepolicy: "1"\n'
        "name: feed\n"
        "calendars:\n"
        "  office:\n"
        "    timezone: Europe/Berlin\n"
        "    hours:\n"
        '      mon-fri: ["09:00-17:00"]\n'
        "    holidays:\n"
        f"{entries}"
        "sla:\n"
        "  - name: all\n"
        "    calendar: office\n"
        "    targets: {first_response: 10h}\n"
    )


def _write_policy(folder: Path, *holidays: str, feeds: tuple[str, ...] = ("holidays.ics",)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for feed in feeds:
        shutil.copy(FEEDS / feed, folder / feed)
    policy = folder / "policy.yaml"
    policy.write_text(_policy_text(*holidays), encoding="utf-8")
    return policy


def _where(text: str, needle: str) -> tuple[int, int]:
    """Line and column (1-based) of the first ``needle`` in ``text``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} is not in the text")


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Calendar:
    folder = tmp_path_factory.mktemp("feed")
    return load_policy(_write_policy(folder, "ics: holidays.ics")).calendars["office"]


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN)


# -- dates, names and deadlines ----------------------------------------------------------------

# Every date the feed closes from 2025 to 2029, listed by hand from the module docstring.
FEED_DATES = {
    date(2025, 1, 1): "New Year's Day",
    date(2025, 12, 24): "Christmas break",
    date(2025, 12, 25): "Christmas break",
    date(2025, 12, 26): "Christmas break",
    date(2026, 1, 1): "New Year's Day",
    date(2026, 4, 13): "Company retreat",
    date(2026, 4, 14): "Company retreat",
    date(2026, 4, 15): "Company retreat",
    date(2026, 6, 5): "Founders' Day",
    date(2026, 12, 24): "Christmas break",
    date(2026, 12, 25): "Christmas break",
    date(2026, 12, 26): "Christmas break",
    # 2027-01-01 is the EXDATE
    date(2027, 12, 24): "Christmas break",
    date(2027, 12, 25): "Christmas break",
    date(2027, 12, 26): "Christmas break",
    date(2028, 1, 1): "New Year's Day",
    date(2028, 12, 24): "Christmas break",
    date(2028, 12, 25): "Christmas break",
    date(2028, 12, 26): "Christmas break",
    date(2028, 12, 30): "Winter shutdown",
    date(2028, 12, 31): "Winter shutdown",
    # two events on one date: both names, the one that starts first first
    date(2029, 1, 1): "Winter shutdown; New Year's Day",
    date(2029, 1, 2): "Winter shutdown",
    date(2029, 12, 24): "Christmas break",
    date(2029, 12, 25): "Christmas break",
    date(2029, 12, 26): "Christmas break",
}


def test_the_feed_closes_exactly_the_dates_its_events_cover(office):
    found = {}
    day = date(2025, 1, 1)
    while day <= date(2029, 12, 31):
        name = office.holiday_at(_at(day))
        if name is not None:
            found[day] = name
        day += timedelta(days=1)
    assert found == FEED_DATES


def test_a_yearly_rule_has_no_last_year(office):
    assert office.holiday_at(_at(date(2150, 1, 1))) == "New Year's Day"
    assert office.holiday_at(_at(date(2150, 12, 26))) == "Christmas break"
    assert office.holiday_at(_at(date(2150, 12, 27))) is None


def test_a_cancelled_event_closes_nothing(office):
    assert office.holiday_at(_at(date(2026, 6, 10))) is None
    assert office.is_open(_at(date(2026, 6, 10)))


# 10 hours in a Mon-Fri 09:00-17:00 calendar, each worked out by hand.
DEADLINES = [
    pytest.param(
        # Thu 7 h (10:00-17:00); Fri 5 June Founders' Day; weekend; Mon 09:00 + 3 h
        datetime(2026, 6, 4, 10, tzinfo=BERLIN),
        datetime(2026, 6, 8, 12, tzinfo=BERLIN),
        id="one-off day before a weekend",
    ),
    pytest.param(
        # Fri 2 h (15:00-17:00); weekend; Mon-Wed retreat; Thu 09:00 + 8 h: the window's end
        datetime(2026, 4, 10, 15, tzinfo=BERLIN),
        datetime(2026, 4, 16, 17, tzinfo=BERLIN),
        id="multi-day event",
    ),
    pytest.param(
        # Wed 31 Dec 7 h; Thu 1 Jan New Year's Day; Fri 2 Jan 09:00 + 3 h
        datetime(2025, 12, 31, 10, tzinfo=BERLIN),
        datetime(2026, 1, 2, 12, tzinfo=BERLIN),
        id="yearly rule",
    ),
    pytest.param(
        # Thu 31 Dec 7 h; Fri 1 Jan 2027 is the EXDATE, open: 09:00 + 3 h
        datetime(2026, 12, 31, 10, tzinfo=BERLIN),
        datetime(2027, 1, 1, 12, tzinfo=BERLIN),
        id="exception date",
    ),
    pytest.param(
        # Wed 23 Dec 7 h; Thu 24 and Fri 25 Christmas break; weekend; Mon 28 09:00 + 3 h
        datetime(2026, 12, 23, 10, tzinfo=BERLIN),
        datetime(2026, 12, 28, 12, tzinfo=BERLIN),
        id="yearly multi-day event",
    ),
    pytest.param(
        # Fri 29 Dec 7 h; weekend; Mon 1 and Tue 2 Jan shutdown; Wed 3 Jan 09:00 + 3 h
        datetime(2028, 12, 29, 10, tzinfo=BERLIN),
        datetime(2029, 1, 3, 12, tzinfo=BERLIN),
        id="event across a new year",
    ),
]


@pytest.mark.parametrize(("start", "due"), DEADLINES)
def test_deadlines_across_the_feed(office, start, due):
    assert office.add(start, timedelta(hours=10)) == due
    assert office.elapsed(start, due) == timedelta(hours=10)


def test_a_dated_entry_overrides_the_feed_on_its_date(tmp_path):
    policy = load_policy(
        _write_policy(
            tmp_path,
            "ics: holidays.ics",
            "{date: 2026-06-05, hours: ['09:00-12:00'], name: Founders' half day}",
        )
    )
    office = policy.calendars["office"]
    assert office.holiday_at(_at(date(2026, 6, 5))) == "Founders' half day"
    # Thu 7 h; Fri 5 June open 09:00-12:00 only: 3 h, so the deadline is Fri 12:00
    start = datetime(2026, 6, 4, 10, tzinfo=BERLIN)
    assert office.add(start, timedelta(hours=10)) == datetime(2026, 6, 5, 12, tzinfo=BERLIN)


def test_an_entry_name_and_hours_apply_to_every_date_of_the_feed(tmp_path):
    policy = load_policy(
        _write_policy(tmp_path, "{ics: holidays.ics, name: Closed, hours: ['10:00-11:00']}")
    )
    office = policy.calendars["office"]
    assert office.holiday_at(_at(date(2026, 4, 14))) == "Closed"
    assert office.is_open(_at(date(2026, 4, 14), 10))
    assert not office.is_open(_at(date(2026, 4, 14), 12))


def test_the_dates_are_worked_out_a_year_at_a_time():
    # a file name of its own: the feed's dates are not shared with the other tests
    feed = (FEEDS / "holidays.ics").read_text(encoding="utf-8")
    office = Calendar.model_validate(
        {"timezone": "UTC", "hours": WEEK, "holidays": [{"ics": "lazy.ics", "ics_text": feed}]}
    )
    (recurring,) = clock_of(office).rules.recurring
    assert not recurring.rule._years
    assert office.holiday_at(datetime(2187, 1, 1, 12, tzinfo=ZoneInfo("UTC"))) == "New Year's Day"
    years = set(recurring.rule._years)
    assert 2187 in years
    assert years <= set(range(2180, 2195))  # the years around the question, not 2025 to 2187


@given(
    month=st.integers(1, 12),
    day=st.integers(1, 28),
    length=st.integers(1, 5),
    year=st.integers(2001, 2060),
)
def test_a_yearly_multi_day_event_covers_its_days_in_every_year(month, day, length, year):
    feed = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:x\r\nDTSTAMP:20000101T000000Z\r\nSUMMARY:Break\r\n"
        f"DTSTART;VALUE=DATE:2000{month:02d}{day:02d}\r\n"
        f"DURATION:P{length}D\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    calendar = Calendar.model_validate(
        {"timezone": "UTC", "hours": WEEK, "holidays": [{"ics": "b.ics", "ics_text": feed}]}
    )
    expected = {
        date(y, month, day) + timedelta(days=k) for y in (year - 1, year) for k in range(length)
    }
    expected = {d for d in expected if d.year == year}
    (recurring,) = clock_of(calendar).rules.recurring
    assert set(recurring.rule.between(date(year, 1, 1), date(year + 1, 1, 1))) == expected


# -- where the file is read from -----------------------------------------------------------------


def test_the_path_is_relative_to_the_policy_file(tmp_path, monkeypatch):
    policy_file = _write_policy(tmp_path / "policies" / "eu", "ics: feeds/holidays.ics", feeds=())
    (policy_file.parent / "feeds").mkdir()
    shutil.copy(FEEDS / "holidays.ics", policy_file.parent / "feeds" / "holidays.ics")
    monkeypatch.chdir(tmp_path)  # not the policy's folder
    office = load_policy(policy_file).calendars["office"]
    assert office.holiday_at(_at(date(2026, 6, 5))) == "Founders' Day"
    policy, findings = check_policy_file(Path("policies/eu/policy.yaml"))
    assert policy is not None, findings


def test_an_absolute_path_is_read_as_it_is(tmp_path):
    text = _policy_text(f"ics: {(FEEDS / 'holidays.ics').resolve()}")
    office = parse_policy(text).calendars["office"]
    assert office.holiday_at(_at(date(2026, 6, 5))) == "Founders' Day"


def test_text_without_a_file_reads_from_the_current_directory_or_base(tmp_path, monkeypatch):
    shutil.copy(FEEDS / "holidays.ics", tmp_path / "holidays.ics")
    text = _policy_text("ics: holidays.ics")
    monkeypatch.chdir(tmp_path)
    assert parse_policy(text).calendars["office"].holiday_at(_at(date(2026, 6, 5))) is not None
    monkeypatch.chdir(FEEDS.parent)  # tests/data has no holidays.ics
    policy, findings = check_policy_text(text, "<stdin>")
    assert policy is None
    assert [f.code for f in findings] == ["unreadable"]
    assert "'holidays.ics'" in findings[0].message
    office = parse_policy(text, base=tmp_path).calendars["office"]
    assert office.holiday_at(_at(date(2026, 6, 5))) == "Founders' Day"


# -- errors ----------------------------------------------------------------------------------------


def _findings(tmp_path: Path, *holidays: str, feeds: tuple[str, ...] = ()) -> list:
    policy_file = _write_policy(tmp_path, *holidays, feeds=feeds)
    policy, findings = check_policy_file(policy_file)
    assert policy is None
    return findings


def test_a_missing_file_is_located_at_its_key(tmp_path):
    (finding,) = _findings(tmp_path, "ics: nowhere.ics")
    text = (tmp_path / "policy.yaml").read_text(encoding="utf-8")
    assert (finding.line, finding.column) == _where(text, "ics: nowhere.ics")
    assert finding.file == str(tmp_path / "policy.yaml")
    assert finding.path == "calendars.office.holidays[0].ics"
    assert finding.code == "unreadable"
    assert finding.message == (
        f"cannot read the iCalendar file {str(tmp_path / 'nowhere.ics')!r}: "
        "No such file or directory"
    )


def test_a_directory_is_not_a_feed(tmp_path):
    (tmp_path / "feeds").mkdir()
    (finding,) = _findings(tmp_path, "ics: feeds")
    assert finding.code == "unreadable"
    assert "is a directory" in finding.message


@pytest.mark.parametrize(
    ("feed", "says"),
    [
        ("not-ical.ics", "ics 'not-ical.ics': not an iCalendar file: "),
        (
            "no-events.ics",
            "ics 'no-events.ics': the file has no VEVENT: a holiday feed lists its holidays "
            "as events",
        ),
        (
            "timed.ics",
            "ics 'timed.ics': event 'Team offsite' (DTSTART 2026-06-10 13:00:00+00:00): it has "
            "a time of day; a holiday feed takes all-day events (DTSTART;VALUE=DATE)",
        ),
    ],
)
def test_a_file_that_is_not_a_holiday_feed_is_located_at_its_key(tmp_path, feed, says):
    (finding,) = _findings(tmp_path, f"ics: {feed}", feeds=(feed,))
    text = (tmp_path / "policy.yaml").read_text(encoding="utf-8")
    assert (finding.line, finding.column) == _where(text, f"ics: {feed}")
    assert finding.path == "calendars.office.holidays[0].ics"
    assert finding.code == "invalid-value"
    assert finding.message.startswith(says)


def test_a_file_that_is_not_utf8_or_too_large_is_refused(tmp_path):
    (tmp_path / "latin1.ics").write_bytes("SUMMARY:Fête\r\n".encode("latin-1"))
    (finding,) = _findings(tmp_path, "ics: latin1.ics")
    assert finding.code == "not-text"
    (tmp_path / "big.ics").write_bytes(b"X" * (2 * 1024 * 1024 + 1))
    (finding,) = _findings(tmp_path, "ics: big.ics")
    assert finding.code == "too-large"


def test_every_error_is_listed(tmp_path):
    text_holidays = ("ics: nowhere.ics", "ics: no-events.ics", "{ics: timed.ics, nmae: x}")
    findings = _findings(tmp_path, *text_holidays, feeds=("no-events.ics", "timed.ics"))
    text = (tmp_path / "policy.yaml").read_text(encoding="utf-8")
    assert [(f.line, f.path, f.code) for f in findings] == [
        (_where(text, "nowhere.ics")[0], "calendars.office.holidays[0].ics", "unreadable"),
        (_where(text, "no-events.ics")[0], "calendars.office.holidays[1].ics", "invalid-value"),
        (_where(text, "nmae")[0], "calendars.office.holidays[2].nmae", "unknown-key"),
    ]


def test_the_text_field_is_not_a_key_of_policy_files(tmp_path):
    findings = _findings(
        tmp_path, "{ics: holidays.ics, ics_text: 'BEGIN:VCALENDAR'}", feeds=("holidays.ics",)
    )
    assert [(f.path, f.code) for f in findings] == [
        ("calendars.office.holidays[0].ics_text", "unknown-key")
    ]
    assert "ics_text" not in str(policy_schema())
    holiday = policy_schema()["$defs"]["Holiday"]["properties"]
    assert "ics" in holiday
    assert "ics_text" not in holiday


@pytest.mark.parametrize("module", ["icalendar", "recurring_ical_events"])
def test_without_the_ical_extra_an_entry_is_a_located_finding(tmp_path, monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)  # importing it raises ImportError
    (finding,) = _findings(tmp_path, "ics: holidays.ics", feeds=("holidays.ics",))
    text = (tmp_path / "policy.yaml").read_text(encoding="utf-8")
    assert finding.line == _where(text, "ics: holidays.ics")[0]
    assert finding.path == "calendars.office.holidays[0].ics"
    assert "pip install 'servicepolicy[ical]'" in finding.message


def test_a_holiday_has_one_source(tmp_path):
    (finding,) = _findings(
        tmp_path, "{ics: holidays.ics, date: 2026-01-01}", feeds=("holidays.ics",)
    )
    assert finding.path == "calendars.office.holidays[0]"
    assert "exactly one of 'date', 'rrule', 'country', 'hijri' or 'ics'" in finding.message


def _feed(*lines: str) -> str:
    body = "\r\n".join(["BEGIN:VEVENT", "UID:e", "DTSTAMP:20250101T000000Z", *lines, "END:VEVENT"])
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{body}\r\nEND:VCALENDAR\r\n"


def _calendar(feed: str) -> Calendar:
    return Calendar.model_validate(
        {"timezone": "UTC", "hours": WEEK, "holidays": [{"ics": "f.ics", "ics_text": feed}]}
    )


@pytest.mark.parametrize(
    ("lines", "says"),
    [
        (["SUMMARY:Gone", "DTSTART;VALUE=DATE:20260105", "DTEND;VALUE=DATE:20260101"], "ends"),
        (["SUMMARY:Short", "DTSTART;VALUE=DATE:20260105", "DURATION:PT1H"], "whole number"),
        (["SUMMARY:Lost"], "no DTSTART"),
        (["DTSTART;VALUE=DATE:20260105", "RDATE:20260301T100000Z"], "RDATE"),
        (["DTSTART;VALUE=DATE:20260105", "RRULE:FREQ=YEARLY;BYMONTH=13"], "13 is outside 1..12"),
        # a rule that never gives a date: refused, not searched to the year 9999
        (["DTSTART;VALUE=DATE:20260105", "RRULE:FREQ=DAILY;BYSETPOS=2"], "no date up to 2200"),
        (["DTSTART;VALUE=DATE:2026", "SUMMARY:Broken"], "DTSTART"),
    ],
)
def test_events_that_cannot_be_holidays_are_refused(lines, says):
    with pytest.raises(ValidationError) as caught:
        _calendar(_feed(*lines))
    (error,) = caught.value.errors()
    assert error["loc"] == ("holidays", 0)
    assert error["ctx"]["subpath"] == ["ics"]
    assert says in error["msg"]


def test_an_until_with_a_time_of_day_ends_an_all_day_rule():
    calendar = _calendar(
        _feed("DTSTART;VALUE=DATE:20260105", "RRULE:FREQ=DAILY;UNTIL=20260107T000000Z")
    )
    (recurring,) = clock_of(calendar).rules.recurring
    days = recurring.rule.between(date(2026, 1, 1), date(2026, 2, 1))
    assert days == [date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 7)]


def test_a_calendar_made_in_python_without_the_text_says_how_to_load_it():
    with pytest.raises(ValidationError, match="has not been read"):
        Calendar.model_validate({"timezone": "UTC", "hours": WEEK, "holidays": [{"ics": "h.ics"}]})
    with pytest.raises(ValidationError, match="'ics_text' goes with 'ics'"):
        Calendar.model_validate(
            {"timezone": "UTC", "hours": WEEK, "holidays": [{"date": "2026-01-01", "ics_text": ""}]}
        )


# -- pickles and dumps carry the feed --------------------------------------------------------------


def test_pickles_and_dumps_need_no_file(tmp_path):
    policy_file = _write_policy(tmp_path, "ics: holidays.ics")
    policy = load_policy(policy_file)
    (tmp_path / "holidays.ics").unlink()
    start, due = datetime(2026, 4, 10, 15, tzinfo=BERLIN), datetime(2026, 4, 16, 17, tzinfo=BERLIN)
    copies = [
        pickle.loads(pickle.dumps(policy)),
        Policy.model_validate(policy.model_dump()),
        Policy.model_validate_json(policy.model_dump_json()),
    ]
    for copy in copies:
        assert copy == policy
        office = copy.calendars["office"]
        assert office.add(start, timedelta(hours=10)) == due
        assert office.holiday_at(_at(date(2029, 1, 1))) == "Winter shutdown; New Year's Day"
    calendar = pickle.loads(pickle.dumps(policy.calendars["office"]))
    assert calendar == policy.calendars["office"]
    assert calendar.add(start, timedelta(hours=10)) == due


def test_a_message_lists_five_problems_and_counts_the_rest():
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:{k}\r\nDTSTAMP:20250101T000000Z\r\nSUMMARY:Meeting {k}\r\n"
        f"DTSTART:2026010{k}T100000Z\r\nEND:VEVENT\r\n"
        for k in range(1, 8)
    )
    feed = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{events}END:VCALENDAR\r\n"
    with pytest.raises(ValidationError) as caught:
        _calendar(feed)
    message = caught.value.errors()[0]["msg"]
    assert [f"'Meeting {k}'" in message for k in range(1, 8)] == [True] * 5 + [False] * 2
    assert message.endswith("; and 2 more")
