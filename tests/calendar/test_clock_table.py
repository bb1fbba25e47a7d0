"""Table tests for the business-hours clock, with answers computed by hand.

The cases are data, ``tests/data/clock/*.json``, run both by the library and by
``oracles/reference_clock.py`` (written from the same rules), so a wrong hand answer and a wrong
reference cannot agree with each other by accident:

- ``calendars.json``: the calendars, by name;
- ``day_totals.json``: open time of one whole (often DST) local date;
- ``points.json``: ``is_open``, ``next_open``, ``next_close``, ``add`` and ``elapsed``;
- ``business_days.json``: ``add_business_days`` (an expected list: either answer is right).

Inputs and answers are ISO strings with their UTC offset, so a repeated wall time (a fold) is
unambiguous: in Europe/Berlin on 2026-10-25, 02:30+02:00 is the first 02:30 and 02:30+01:00 the
second.  Durations are written ``1d2h30m15.5s`` (days of 24 hours).

Dates used: 2026-03-29 and 2026-10-25 (Sun) are Berlin's spring-forward and fall-back days
(02:00->03:00 CET->CEST; 03:00->02:00 CEST->CET); 2026-03-08 and 2026-11-01 (Sun) are New
York's (02:00->03:00 EST->EDT; 02:00->01:00 EDT->EST); 2026-04-05 and 2026-10-04 (Sun) are Lord
Howe's (02:00->01:30, +11:00->+10:30; 02:00->02:30).  2026-06-15 is a Monday, 2026-06-18 a
Thursday, 2026-12-24 a Thursday, 2026-12-31 a Thursday, 2028-02-29 a Tuesday.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from servicepolicy import Calendar, CalendarError, NaiveDatetimeError
from tests.oracles.reference_clock import ReferenceCalendar, utc
from tests.paths import DATA

H = timedelta(hours=1)
US = timedelta(microseconds=1)
CLOCK = DATA / "clock"
_DURATION = re.compile(r"(-)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d{1,6})?)s)?")


def cases(name: str) -> Any:
    return json.loads((CLOCK / name).read_text(encoding="utf-8"))


def duration(text: str) -> timedelta:
    """``1d2h30m15.5s`` as a timedelta (read here, not by the library under test)."""
    match = _DURATION.fullmatch(text)
    assert match and text, f"not a duration: {text!r}"
    sign, days, hours, minutes, seconds = match.groups()
    value = timedelta(
        days=int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        microseconds=round(float(seconds or 0) * 1_000_000),
    )
    return -value if sign else value


CALENDARS: dict[str, dict] = cases("calendars.json")
_BUILT: dict[str, tuple[Calendar, ReferenceCalendar]] = {}


def calendar(name: str) -> tuple[Calendar, ReferenceCalendar]:
    if name not in _BUILT:
        spec = CALENDARS[name]
        _BUILT[name] = (Calendar.model_validate(spec), ReferenceCalendar(spec))
    return _BUILT[name]


def at(name: str, text: str) -> datetime:
    """An ISO string with an offset, as an aware datetime in the calendar's zone."""
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None
    return moment.astimezone(ZoneInfo(CALENDARS[name]["timezone"]))


def shown(name: str, moment: datetime) -> str:
    """The ISO text of a result, after checking it is a real wall time in the calendar's zone."""
    zone = ZoneInfo(CALENDARS[name]["timezone"])
    assert getattr(moment.tzinfo, "key", None) == zone.key, moment.tzinfo
    canonical = utc(moment).astimezone(zone)
    assert moment.replace(tzinfo=None) == canonical.replace(tzinfo=None), "not a real wall time"
    assert moment.utcoffset() == canonical.utcoffset(), "wrong fold"
    return moment.isoformat()


def local_day(name: str, day: str) -> tuple[datetime, datetime]:
    """The local midnights that bound ``day`` (none of these zones skips a midnight)."""
    zone = ZoneInfo(CALENDARS[name]["timezone"])
    first = datetime.fromisoformat(day).replace(tzinfo=zone)
    return first, (first + timedelta(days=1)).replace(tzinfo=zone)


# -- open time of one whole DST day --------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, id=f"{c['calendar']} {c['date']}: {c['why']}")
        for c in cases("day_totals.json")
    ],
)
def test_open_time_of_a_dst_day(case):
    name, day, expected = case["calendar"], case["date"], duration(case["open"])
    cal, ref = calendar(name)
    first, last = local_day(name, day)
    assert ref.elapsed(first, last) == expected
    assert cal.elapsed(first, last) == expected
    assert cal.elapsed(last, first) == -expected


# -- point questions: is_open / next_open / next_close / add / elapsed ---------------------------


def call(cal, case: dict) -> Any:
    name, method = case["calendar"], case["method"]
    if method == "elapsed":
        return cal.elapsed(at(name, case["start"]), at(name, case["end"]))
    if method == "add":
        return cal.add(at(name, case["start"]), duration(case["duration"]))
    return getattr(cal, method)(at(name, case["at"]))


def _point_id(case: dict) -> str:
    where = case.get("at") or case["start"]
    return f"{case['calendar']} {case['method']} {where}: {case['why']}"


@pytest.mark.parametrize("case", [pytest.param(c, id=_point_id(c)) for c in cases("points.json")])
def test_table(case):
    name, expected = case["calendar"], case["expected"]
    cal, ref = calendar(name)
    got, reference = call(cal, case), call(ref, case)
    if case["method"] == "elapsed":
        assert reference == duration(expected), "hand answer vs reference"
        assert got == duration(expected)
    elif isinstance(expected, str):
        assert utc(reference) == datetime.fromisoformat(expected), "hand answer vs reference"
        assert shown(name, got) == expected
    else:
        assert reference == expected, "hand answer vs reference"
        assert got == expected


# -- add_business_days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, id=f"{c['calendar']} {c['start']} + {c['days']}: {c['why']}")
        for c in cases("business_days.json")
    ],
)
def test_add_business_days(case):
    name, start, days, expected = case["calendar"], case["start"], case["days"], case["expected"]
    cal, ref = calendar(name)
    allowed = (expected,) if isinstance(expected, str) else expected
    assert {x.isoformat() for x in ref.add_business_days(at(name, start), days)} == {
        datetime.fromisoformat(x).astimezone(UTC).isoformat() for x in allowed
    }, "hand answer vs reference"
    assert shown(name, cal.add_business_days(at(name, start), days)) in allowed


# -- inputs in other zones, naive inputs, negative durations -----------------------------------


def test_inputs_in_another_zone_give_results_in_the_calendars_zone():
    cal, _ = calendar("office")
    start = datetime(2026, 6, 15, 14, 0, tzinfo=UTC)  # 16:00 in Berlin
    assert shown("office", cal.add(start, H)) == "2026-06-15T17:00:00+02:00"
    assert shown("office", cal.next_open(start)) == "2026-06-15T16:00:00+02:00"
    assert shown("office", cal.next_close(start)) == "2026-06-15T17:00:00+02:00"
    assert cal.is_open(start)
    assert cal.elapsed(start, datetime(2026, 6, 15, 17, 0, tzinfo=ZoneInfo("Europe/Berlin"))) == H
    assert shown("office", cal.add_business_days(start, 1)) == "2026-06-16T16:00:00+02:00"


NAIVE = datetime(2026, 6, 15, 10, 0)
AWARE = datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.mark.parametrize(
    "use",
    [
        pytest.param(lambda c: c.is_open(NAIVE), id="is_open"),
        pytest.param(lambda c: c.next_open(NAIVE), id="next_open"),
        pytest.param(lambda c: c.next_close(NAIVE), id="next_close"),
        pytest.param(lambda c: c.add(NAIVE, H), id="add"),
        pytest.param(lambda c: c.elapsed(NAIVE, AWARE), id="elapsed start"),
        pytest.param(lambda c: c.elapsed(AWARE, NAIVE), id="elapsed end"),
        pytest.param(lambda c: c.add_business_days(NAIVE, 1), id="add_business_days"),
    ],
)
def test_naive_datetimes_are_refused(use):
    cal, _ = calendar("office")
    with pytest.raises(NaiveDatetimeError) as caught:
        use(cal)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("duration", [-US, -H], ids=["-1us", "-1h"])
def test_negative_durations_are_refused(duration):
    cal, _ = calendar("office")
    with pytest.raises(CalendarError):
        cal.add(AWARE, duration)


# -- invalid calendars ---------------------------------------------------------------------------

OFFICE_HOURS = {"mon-fri": ["09:00-17:00"]}
INVALID = [
    # (calendar dict, text the message must contain, why)
    (
        {"timezone": "Europe/Berln", "hours": OFFICE_HOURS},
        "'Europe/Berln'; did you mean 'Europe/Berlin'",
        "unknown zone, with a suggestion",
    ),
    ({"timezone": "Mars/Olympus", "hours": OFFICE_HOURS}, "Mars/Olympus", "unknown zone"),
    ({"timezone": "Europe/Berlin", "hours": {"mon-fri": ["9-5"]}}, "'9-5'", "not HH:MM-HH:MM"),
    (
        {"timezone": "Europe/Berlin", "hours": {"mon": ["25:00-26:00"]}},
        "'25:00-26:00'",
        "hour 25",
    ),
    (
        {"timezone": "Europe/Berlin", "hours": {"mon": ["24:00-02:00"]}},
        "'24:00-02:00'",
        "24:00 only as an end",
    ),
    (
        {"timezone": "Europe/Berlin", "hours": {"mon-fri": ["09:00-12:00", "11:00-13:00"]}},
        "09:00-12:00 and 11:00-13:00",
        "overlapping windows on one date",
    ),
    (
        {"timezone": "Europe/Berlin", "hours": {"mon": ["22:00-06:00"], "tue": ["05:00-09:00"]}},
        "05:00-09:00",
        "Monday's overnight spill overlaps Tuesday's window",
    ),
    (
        {"timezone": "Europe/Berlin", "hours": {"sun": ["22:00-06:00"], "mon": ["05:00-09:00"]}},
        "05:00-09:00",
        "Sunday's spill overlaps Monday (the week wraps)",
    ),
    (
        {
            "timezone": "Europe/Berlin",
            "hours": OFFICE_HOURS,
            "seasons": [
                {
                    "from": "2026-03-01",
                    "to": "2026-03-31",
                    "hours": {"mon": ["22:00-06:00"], "tue": ["05:00-09:00"]},
                }
            ],
        },
        "05:00-09:00",
        "spill overlap inside a season",
    ),
    (
        {
            "timezone": "Europe/Berlin",
            "hours": {"mon": ["22:00-06:00"]},  # Mon 2026-03-02 spills 00:00-06:00 into Tue
            "seasons": [
                {"from": "2026-03-03", "to": "2026-03-10", "hours": {"tue": ["05:00-07:00"]}}
            ],
        },
        "05:00-07:00",
        "regular spill overlaps a season's first date",
    ),
    (
        {
            "timezone": "Europe/Berlin",
            "hours": {"tue": ["05:00-07:00"]},
            "seasons": [  # Mon 2026-03-09 (in season) spills into Tue 2026-03-10 (not)
                {"from": "2026-03-01", "to": "2026-03-09", "hours": {"mon": ["22:00-06:00"]}}
            ],
        },
        "05:00-07:00",
        "a season's last spill overlaps the next date",
    ),
    ({"timezone": "Europe/Berlin", "hours": {}}, "never open", "no hours at all"),
    ({"timezone": "Europe/Berlin", "hours": {"mon": []}}, "never open", "only empty days"),
    (
        {"timezone": "Europe/Berlin", "hours": OFFICE_HOURS, "holidays": [{"rrule": "FREQ=BOGUS"}]},
        "'FREQ=BOGUS'",
        "unparsable rrule",
    ),
    (
        {
            "timezone": "Europe/Berlin",
            "hours": {"mon-fri": ["09:00-17:00"], "fri": ["18:00-19:00"]},
        },
        "'mon-fri' and 'fri'",
        "Friday given by two keys",
    ),
    (
        {"timezone": "Europe/Berlin", "hours": {"daily": ["09:00-17:00"], "sat": ["18:00-19:00"]}},
        "'daily' and 'sat'",
        "Saturday given by 'daily' and 'sat'",
    ),
    (
        {
            "timezone": "Europe/Berlin",
            "hours": OFFICE_HOURS,
            "holidays": [{"date": "2026-12-24", "hours": ["22:00-02:00"]}],
        },
        "'22:00-02:00'",
        "holiday special hours past midnight",
    ),
    (
        {"timezone": "Europe/Berlin", "hours": {"fooday": ["09:00-17:00"]}},
        "'fooday'",
        "unknown weekday key",
    ),
]


@pytest.mark.parametrize(("spec", "named"), [pytest.param(s, n, id=why) for s, n, why in INVALID])
def test_invalid_calendars_are_refused(spec, named):
    with pytest.raises(ValidationError, match=re.escape(named)) as caught:
        Calendar.model_validate(spec)
    assert isinstance(caught.value, ValueError)
