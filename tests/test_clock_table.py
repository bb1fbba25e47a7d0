"""Table tests for the business-hours clock, with answers computed by hand.

Inputs and answers are ISO strings with their UTC offset, so a repeated wall time (a fold) is
unambiguous: in Europe/Berlin on 2026-10-25, 02:30+02:00 is the first 02:30 and 02:30+01:00 the
second.  Each row also runs ``reference_clock`` (written from the same rules), so a wrong hand
answer and a wrong reference cannot agree with each other by accident.

Dates used: 2026-03-29 and 2026-10-25 (Sun) are Berlin's spring-forward and fall-back days
(02:00->03:00 CET->CEST; 03:00->02:00 CEST->CET); 2026-03-08 and 2026-11-01 (Sun) are New
York's (02:00->03:00 EST->EDT; 02:00->01:00 EDT->EST); 2026-04-05 and 2026-10-04 (Sun) are Lord
Howe's (02:00->01:30, +11:00->+10:30; 02:00->02:30).  2026-06-15 is a Monday, 2026-06-18 a
Thursday, 2026-12-24 a Thursday, 2026-12-31 a Thursday, 2028-02-29 a Tuesday.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from reference_clock import ReferenceCalendar, utc
from servicepolicy import Calendar, CalendarError, NaiveDatetimeError

H = timedelta(hours=1)
M = timedelta(minutes=1)
S = timedelta(seconds=1)
US = timedelta(microseconds=1)


def daily(zone: str, *windows: str, **extra) -> dict:
    return {"timezone": zone, "hours": {"daily": list(windows)}, **extra}


CALENDARS: dict[str, dict] = {
    # the example calendar of the docs: split shifts, Saturday mornings, Christmas Eve half day,
    # Christmas, the last Monday of May (2026-05-25, 2027-05-31), Ramadan hours
    "example": {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": ["09:00-12:30", "13:30-17:00"], "sat": ["10:00-14:00"]},
        "holidays": [
            {"date": "2026-12-25", "name": "Christmas"},
            {"date": "2026-12-24", "hours": ["09:00-13:00"]},
            {"rrule": "FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO"},
        ],
        "seasons": [
            {
                "from": "2026-02-18",
                "to": "2026-03-19",
                "hours": {"mon-fri": ["10:00-15:00"]},
                "name": "Ramadan",
            }
        ],
    },
    "office": {"timezone": "Europe/Berlin", "hours": {"mon-fri": ["09:00-17:00"]}},
    "adjacent": {"timezone": "Europe/Berlin", "hours": {"mon-fri": ["09:00-12:00", "12:00-13:00"]}},
    "berlin 24h": daily("Europe/Berlin", "00:00-24:00"),
    "berlin 01-04": daily("Europe/Berlin", "01:00-04:00"),
    "berlin 0230-05": daily("Europe/Berlin", "02:30-05:00"),
    "berlin 00-0230": daily("Europe/Berlin", "00:00-02:30"),
    "berlin 0215-0245": daily("Europe/Berlin", "02:15-02:45"),
    "berlin 02-03": daily("Europe/Berlin", "02:00-03:00"),
    "berlin no 3am": daily("Europe/Berlin", "00:00-03:00", "04:00-24:00"),
    "ny 24h": daily("America/New_York", "00:00-24:00"),
    "ny 00-0130": daily("America/New_York", "00:00-01:30"),
    "ny 0130-0230": daily("America/New_York", "01:30-02:30"),
    "ny 0130-03": daily("America/New_York", "01:30-03:00"),
    "howe 24h": daily("Australia/Lord_Howe", "00:00-24:00"),
    "howe 0130-02": daily("Australia/Lord_Howe", "01:30-02:00"),
    "howe 02-03": daily("Australia/Lord_Howe", "02:00-03:00"),
    "kathmandu": daily("Asia/Kathmandu", "09:00-17:00"),
    "night into christmas": daily(
        "Europe/Berlin", "22:00-06:00", holidays=[{"date": "2026-12-25"}]
    ),
    "night into special hours": daily(
        "Europe/Berlin", "22:00-06:00", holidays=[{"date": "2026-12-25", "hours": ["10:00-12:00"]}]
    ),
    "night": daily("Europe/Berlin", "22:00-06:00"),
    "monday 24h overnight": {"timezone": "Europe/Berlin", "hours": {"mon": ["09:00-09:00"]}},
    "monday 00-00": {"timezone": "Europe/Berlin", "hours": {"mon": ["00:00-00:00"]}},
    "across midnight": {
        "timezone": "Europe/Berlin",
        "hours": {"mon": ["22:00-24:00"], "tue": ["00:00-02:00"]},
    },
    "night new year": daily(
        "Europe/Berlin", "22:00-06:00", holidays=[{"rrule": "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1"}]
    ),
    "office new year": {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": ["09:00-17:00"]},
        "holidays": [{"rrule": "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1", "name": "New Year"}],
    },
    "office leap holiday": {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": ["09:00-17:00"]},
        "holidays": [{"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"}],
    },
    # the night desk: Sun-Thu nights; Friday has open time only from Thursday's spill
    "night desk": {"timezone": "Asia/Riyadh", "hours": {"sun-thu": ["22:00-06:00"]}},
}
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

DAY_TOTALS = [
    # (calendar, local date, open time that date, why)
    ("berlin 24h", "2026-03-29", 23 * H, "spring-forward day is 23 h"),
    ("berlin 24h", "2026-10-25", 25 * H, "fall-back day is 25 h"),
    ("berlin 24h", "2026-06-15", 24 * H, "ordinary day"),
    ("berlin 01-04", "2026-03-29", 2 * H, "covers the gap: 01-02 CET + 03-04 CEST"),
    ("berlin 0230-05", "2026-03-29", 2 * H, "starts in the gap: opens 03:00 CEST"),
    ("berlin 00-0230", "2026-03-29", 2 * H, "ends in the gap: closes 03:00 CEST = 02:00 CET"),
    ("berlin 0215-0245", "2026-03-29", 0 * H, "lies wholly in the gap: no open time"),
    ("berlin 01-04", "2026-10-25", 4 * H, "covers the fold: 01:00 CEST-04:00 CET"),
    ("berlin 0230-05", "2026-10-25", 3 * H, "starts in the fold: 02:30-03 CEST + 02:30-05 CET"),
    ("berlin 00-0230", "2026-10-25", 3 * H, "ends in the fold: 00-02:30 CEST + 02-02:30 CET"),
    ("berlin 02-03", "2026-10-25", 2 * H, "is the fold hour: counted twice"),
    ("ny 24h", "2026-03-08", 23 * H, "spring-forward day is 23 h"),
    ("ny 24h", "2026-11-01", 25 * H, "fall-back day is 25 h"),
    ("ny 00-0130", "2026-11-01", 2 * H, "rule 4: 00-01:30 EDT + 01-01:30 EST"),
    ("ny 0130-0230", "2026-03-08", 30 * M, "ends in the gap: 01:30-02:00 EST"),
    ("ny 0130-03", "2026-11-01", 2 * H, "starts in the fold: 01:30-02 EDT + 01:30-03 EST"),
    ("howe 24h", "2026-04-05", 24 * H + 30 * M, "30-min fall-back day is 24.5 h"),
    ("howe 24h", "2026-10-04", 23 * H + 30 * M, "30-min spring-forward day is 23.5 h"),
    ("howe 0130-02", "2026-04-05", 1 * H, "is the 30-min fold: counted twice"),
    ("howe 02-03", "2026-10-04", 30 * M, "starts in the 30-min gap: 02:30-03:00"),
]


@pytest.mark.parametrize(
    ("name", "day", "expected"),
    [pytest.param(n, d, e, id=f"{n} {d}: {why}") for n, d, e, why in DAY_TOTALS],
)
def test_open_time_of_a_dst_day(name, day, expected):
    cal, ref = calendar(name)
    first, last = local_day(name, day)
    assert ref.elapsed(first, last) == expected
    assert cal.elapsed(first, last) == expected
    assert cal.elapsed(last, first) == -expected


# -- point questions: is_open / next_open / next_close / add -------------------------------------

ROWS = [
    # -- Berlin fall-back, window 02:30-05:00 (starts inside the repeated hour)
    ("berlin 0230-05", "is_open", "2026-10-25T02:15+02:00", False, "in a fold, 1st pass, early"),
    ("berlin 0230-05", "is_open", "2026-10-25T02:45+02:00", True, "in a fold, 1st pass"),
    ("berlin 0230-05", "is_open", "2026-10-25T02:15+01:00", False, "in a fold, 2nd pass, early"),
    ("berlin 0230-05", "is_open", "2026-10-25T02:45+01:00", True, "in a fold, 2nd pass"),
    (
        "berlin 0230-05",
        "next_close",
        "2026-10-25T02:45+02:00",
        "2026-10-25T02:00:00+01:00",
        "in a fold: the clock falls back out of the window",
    ),
    (
        "berlin 0230-05",
        "next_open",
        "2026-10-25T02:00+01:00",
        "2026-10-25T02:30:00+01:00",
        "in a fold, 2nd pass: reopens at the second 02:30",
    ),
    (
        "berlin 0230-05",
        "add",
        ("2026-10-25T02:30+02:00", H),
        "2026-10-25T03:00:00+01:00",
        "across a fold: 30 min CEST + 30 min CET",
    ),
    # -- Berlin fall-back, window 00:00-02:30 (ends inside the repeated hour)
    (
        "berlin 00-0230",
        "next_close",
        "2026-10-25T01:00+02:00",
        "2026-10-25T02:30:00+02:00",
        "before a fold: closes at the first 02:30",
    ),
    (
        "berlin 00-0230",
        "next_open",
        "2026-10-25T02:30+02:00",
        "2026-10-25T02:00:00+01:00",
        "in a fold: the clock falls back into the window",
    ),
    (
        "berlin 00-0230",
        "next_close",
        "2026-10-25T02:10+01:00",
        "2026-10-25T02:30:00+01:00",
        "in a fold, 2nd pass: closes at the second 02:30",
    ),
    ("berlin 00-0230", "is_open", "2026-10-25T02:30+01:00", False, "after a fold"),
    (
        "berlin 00-0230",
        "next_open",
        "2026-10-25T02:30+01:00",
        "2026-10-26T00:00:00+01:00",
        "after a fold: next day",
    ),
    (
        "berlin 00-0230",
        "add",
        ("2026-10-25T00:00+02:00", 150 * M),
        "2026-10-25T02:30:00+02:00",
        "before a fold: uses up the first pass, ends at its end",
    ),
    (
        "berlin 00-0230",
        "add",
        ("2026-10-25T00:00+02:00", 150 * M + US),
        "2026-10-25T02:00:00.000001+01:00",
        "in a fold: one microsecond into the second pass",
    ),
    (
        "berlin 00-0230",
        "add",
        ("2026-10-25T00:00+02:00", 3 * H),
        "2026-10-25T02:30:00+01:00",
        "after a fold: both passes used",
    ),
    # -- Berlin spring-forward
    ("berlin 0230-05", "is_open", "2026-03-29T01:59+01:00", False, "before the gap"),
    (
        "berlin 0230-05",
        "next_open",
        "2026-03-29T01:00+01:00",
        "2026-03-29T03:00:00+02:00",
        "start in the gap: opens where the clock resumes",
    ),
    (
        "berlin 0230-05",
        "add",
        ("2026-03-29T01:00+01:00", H),
        "2026-03-29T04:00:00+02:00",
        "start in the gap: one hour after 03:00 CEST",
    ),
    (
        "berlin 00-0230",
        "next_close",
        "2026-03-29T01:00+01:00",
        "2026-03-29T03:00:00+02:00",
        "end in the gap: closes where the clock resumes",
    ),
    (
        "berlin 00-0230",
        "add",
        ("2026-03-29T01:30+01:00", 30 * M),
        "2026-03-29T03:00:00+02:00",
        "end in the gap: a deadline on the last minute is the window's end",
    ),
    ("berlin 00-0230", "is_open", "2026-03-29T03:00+02:00", False, "after the gap"),
    (
        "berlin 01-04",
        "add",
        ("2026-03-29T01:30+01:00", H),
        "2026-03-29T03:30:00+02:00",
        "across the gap: 30 min CET + 30 min CEST",
    ),
    (
        "berlin 01-04",
        "elapsed",
        ("2026-03-29T01:30+01:00", "2026-03-29T03:30+02:00"),
        H,
        "across the gap: real time, not wall time",
    ),
    (
        "berlin 0215-0245",
        "next_open",
        "2026-03-28T03:00+01:00",
        "2026-03-30T02:15:00+02:00",
        "a window wholly in the gap is skipped",
    ),
    (
        "berlin 24h",
        "add",
        ("2026-03-28T12:00+01:00", 24 * H),
        "2026-03-29T13:00:00+02:00",
        "24 h across spring-forward",
    ),
    (
        "berlin 24h",
        "add",
        ("2026-10-24T12:00+02:00", 24 * H),
        "2026-10-25T11:00:00+01:00",
        "24 h across fall-back",
    ),
    # -- New York
    (
        "ny 00-0130",
        "next_close",
        "2026-11-01T01:00-04:00",
        "2026-11-01T01:30:00-04:00",
        "before a fold: the first 01:30",
    ),
    (
        "ny 00-0130",
        "next_open",
        "2026-11-01T01:30-04:00",
        "2026-11-01T01:00:00-05:00",
        "in a fold: reopens at the second 01:00",
    ),
    (
        "ny 00-0130",
        "next_close",
        "2026-11-01T01:00-05:00",
        "2026-11-01T01:30:00-05:00",
        "in a fold, 2nd pass: the second 01:30",
    ),
    (
        "ny 00-0130",
        "add",
        ("2026-11-01T00:00-04:00", 90 * M),
        "2026-11-01T01:30:00-04:00",
        "before a fold: the first pass only",
    ),
    (
        "ny 00-0130",
        "add",
        ("2026-11-01T00:00-04:00", 2 * H),
        "2026-11-01T01:30:00-05:00",
        "after a fold: both passes (rule 4, 2 h)",
    ),
    (
        "ny 0130-0230",
        "next_close",
        "2026-03-08T01:45-05:00",
        "2026-03-08T03:00:00-04:00",
        "end in the gap: closes where the clock resumes",
    ),
    (
        "ny 0130-0230",
        "add",
        ("2026-03-08T01:45-05:00", 15 * M),
        "2026-03-08T03:00:00-04:00",
        "end in the gap: the last minute used",
    ),
    (
        "ny 0130-0230",
        "add",
        ("2026-03-08T01:45-05:00", 16 * M),
        "2026-03-09T01:31:00-04:00",
        "end in the gap: one minute more is the next day",
    ),
    # -- Lord Howe (30-min DST), Kathmandu (+05:45)
    (
        "howe 24h",
        "add",
        ("2026-04-04T12:00+11:00", 24 * H),
        "2026-04-05T11:30:00+10:30",
        "24 h across a 30-min fall-back",
    ),
    (
        "howe 0130-02",
        "next_open",
        "2026-04-05T02:00+11:00",
        "2026-04-05T01:30:00+10:30",
        "in a 30-min fold: reopens at the second 01:30",
    ),
    (
        "kathmandu",
        "next_open",
        "2026-06-15T03:00+00:00",
        "2026-06-15T09:00:00+05:45",
        "03:00 UTC is 08:45 local",
    ),
    # -- holidays, special hours, rrule, season (the example calendar)
    ("example", "is_open", "2026-12-24T12:59+01:00", True, "Christmas Eve half day"),
    ("example", "is_open", "2026-12-24T13:00+01:00", False, "Christmas Eve ends 13:00"),
    ("example", "is_open", "2026-12-24T15:00+01:00", False, "Eve: afternoon shift replaced"),
    ("example", "is_open", "2026-12-25T10:00+01:00", False, "Christmas"),
    (
        "example",
        "next_close",
        "2026-12-24T10:00+01:00",
        "2026-12-24T13:00:00+01:00",
        "Eve closes at 13:00",
    ),
    (
        "example",
        "next_open",
        "2026-12-24T13:00+01:00",
        "2026-12-26T10:00:00+01:00",
        "after the Eve: Christmas closed, Saturday 10:00",
    ),
    (
        "example",
        "add",
        ("2026-12-24T12:00+01:00", 2 * H),
        "2026-12-26T11:00:00+01:00",
        "1 h on the Eve, Christmas closed, 1 h on Saturday",
    ),
    (
        "example",
        "elapsed",
        ("2026-12-23T00:00+01:00", "2026-12-28T00:00+01:00"),
        15 * H,
        "Wed 7 h + Eve 4 h + Christmas 0 + Sat 4 h + Sun 0",
    ),
    ("example", "is_open", "2026-05-25T10:00+02:00", False, "rrule: last Monday of May 2026"),
    ("example", "is_open", "2026-05-18T10:00+02:00", True, "rrule: not the last Monday"),
    (
        "example",
        "is_open",
        "2027-05-31T10:00+02:00",
        False,
        "rrule: last Monday of May 2027 (31st)",
    ),
    ("example", "is_open", "2027-05-24T10:00+02:00", True, "rrule: 2027-05-24 is not the last"),
    (
        "example",
        "next_open",
        "2027-05-31T08:00+02:00",
        "2027-06-01T09:00:00+02:00",
        "rrule holiday on the 31st: Tuesday June 1st",
    ),
    ("example", "is_open", "2026-02-17T09:30+01:00", True, "day before Ramadan: usual hours"),
    ("example", "is_open", "2026-02-18T09:30+01:00", False, "Ramadan first day: opens 10:00"),
    ("example", "is_open", "2026-02-18T13:00+01:00", True, "Ramadan: no lunch break"),
    ("example", "is_open", "2026-02-18T15:00+01:00", False, "Ramadan: closes 15:00"),
    ("example", "is_open", "2026-02-21T11:00+01:00", False, "Ramadan: season has no Saturday"),
    ("example", "is_open", "2026-03-19T09:30+01:00", False, "Ramadan last day (inclusive)"),
    ("example", "is_open", "2026-03-20T09:30+01:00", True, "day after Ramadan: usual hours"),
    (
        "example",
        "elapsed",
        ("2026-02-16T00:00+01:00", "2026-02-23T00:00+01:00"),
        29 * H,
        "Ramadan week: Mon 7 + Tue 7 + Wed-Fri 3x5 + weekend 0",
    ),
    (
        "example",
        "add",
        ("2026-02-17T16:00+01:00", 2 * H),
        "2026-02-18T11:00:00+01:00",
        "into Ramadan: 1 h Tue, then from 10:00 Wed",
    ),
    # -- an overnight window spilling into a holiday is cut at midnight
    ("night into christmas", "is_open", "2026-12-24T23:59+01:00", True, "Eve night"),
    ("night into christmas", "is_open", "2026-12-25T00:00+01:00", False, "spill cut at midnight"),
    ("night into christmas", "is_open", "2026-12-25T03:00+01:00", False, "spill cut"),
    ("night into christmas", "is_open", "2026-12-25T22:30+01:00", False, "holiday's own night"),
    ("night into christmas", "is_open", "2026-12-26T03:00+01:00", False, "no spill from holiday"),
    ("night into christmas", "is_open", "2026-12-26T22:00+01:00", True, "back to normal"),
    (
        "night into christmas",
        "next_close",
        "2026-12-24T23:00+01:00",
        "2026-12-25T00:00:00+01:00",
        "the Eve's night ends at midnight",
    ),
    (
        "night into christmas",
        "add",
        ("2026-12-24T23:00+01:00", 2 * H),
        "2026-12-26T23:00:00+01:00",
        "1 h on the Eve, then from 22:00 on the 26th",
    ),
    (
        "night into christmas",
        "elapsed",
        ("2026-12-24T20:00+01:00", "2026-12-27T00:00+01:00"),
        4 * H,
        "24th 22-24 + 26th 22-24",
    ),
    ("night into special hours", "is_open", "2026-12-25T03:00+01:00", False, "spill cut"),
    ("night into special hours", "is_open", "2026-12-25T11:00+01:00", True, "special hours"),
    ("night into special hours", "is_open", "2026-12-26T03:00+01:00", False, "no spill"),
    (
        "night into special hours",
        "next_open",
        "2026-12-25T00:00+01:00",
        "2026-12-25T10:00:00+01:00",
        "special hours open at 10:00",
    ),
    # -- overnight windows: across DST, 24 h long, adjacent across midnight
    (
        "night",
        "elapsed",
        ("2026-03-28T12:00+01:00", "2026-03-29T12:00+02:00"),
        7 * H,
        "overnight across spring-forward: 22:00 CET-06:00 CEST is 7 h",
    ),
    (
        "night",
        "elapsed",
        ("2026-10-24T12:00+02:00", "2026-10-25T12:00+01:00"),
        9 * H,
        "overnight across fall-back: 22:00 CEST-06:00 CET is 9 h",
    ),
    (
        "night",
        "add",
        ("2026-10-24T22:00+02:00", 8 * H),
        "2026-10-25T05:00:00+01:00",
        "8 h into a fall-back night is 05:00 CET",
    ),
    (
        "monday 24h overnight",
        "next_close",
        "2026-06-15T10:00+02:00",
        "2026-06-16T09:00:00+02:00",
        "09:00-09:00 is 24 h, into Tuesday",
    ),
    ("monday 24h overnight", "is_open", "2026-06-16T08:59+02:00", True, "Tuesday's spill"),
    (
        "monday 24h overnight",
        "elapsed",
        ("2026-06-14T00:00+02:00", "2026-06-21T00:00+02:00"),
        24 * H,
        "one 24 h window a week",
    ),
    (
        "monday 00-00",
        "next_close",
        "2026-06-15T10:00+02:00",
        "2026-06-16T00:00:00+02:00",
        "00:00-00:00 is overnight with an empty spill: all of Monday",
    ),
    ("monday 00-00", "is_open", "2026-06-16T00:00+02:00", False, "no spill into Tuesday"),
    (
        "across midnight",
        "next_close",
        "2026-06-15T23:00+02:00",
        "2026-06-16T02:00:00+02:00",
        "22:00-24:00 then 00:00-02:00 is one stretch",
    ),
    # -- year end
    (
        "night",
        "next_close",
        "2026-12-31T23:00+01:00",
        "2027-01-01T06:00:00+01:00",
        "New Year's night is one stretch",
    ),
    (
        "night",
        "add",
        ("2026-12-31T23:30+01:00", H),
        "2027-01-01T00:30:00+01:00",
        "add across New Year",
    ),
    (
        "night",
        "elapsed",
        ("2026-12-31T21:00+01:00", "2027-01-01T12:00+01:00"),
        8 * H,
        "22:00-06:00 across New Year",
    ),
    (
        "night new year",
        "next_close",
        "2026-12-31T23:00+01:00",
        "2027-01-01T00:00:00+01:00",
        "New Year holiday cuts the spill",
    ),
    (
        "office new year",
        "add",
        ("2026-12-31T16:00+01:00", 2 * H),
        "2027-01-04T10:00:00+01:00",
        "1 h Thu Dec 31, Fri Jan 1 holiday, weekend, 1 h Mon",
    ),
    # -- leap day
    (
        "office",
        "add",
        ("2028-02-28T16:00+01:00", 2 * H),
        "2028-02-29T10:00:00+01:00",
        "Mon 28 Feb to Tue 29 Feb 2028",
    ),
    ("office leap holiday", "is_open", "2028-02-29T10:00+01:00", False, "leap-day holiday"),
    ("office leap holiday", "is_open", "2027-03-01T10:00+01:00", True, "no 29 Feb in 2027"),
    # -- the window end rule, add(s, 0), exactness
    (
        "office",
        "add",
        ("2026-06-15T16:00+02:00", H),
        "2026-06-15T17:00:00+02:00",
        "Mon 16:00 + 1 h is Mon 17:00, not Tue 09:00",
    ),
    (
        "office",
        "add",
        ("2026-06-15T16:00+02:00", H + US),
        "2026-06-16T09:00:00.000001+02:00",
        "one microsecond more is Tuesday",
    ),
    (
        "office",
        "add",
        ("2026-06-15T17:00+02:00", 0 * H),
        "2026-06-16T09:00:00+02:00",
        "add 0 at a window's end: next opening",
    ),
    (
        "office",
        "add",
        ("2026-06-13T12:00+02:00", 0 * H),
        "2026-06-15T09:00:00+02:00",
        "add 0 on a Saturday: Monday's opening",
    ),
    (
        "office",
        "add",
        ("2026-06-15T12:00+02:00", 0 * H),
        "2026-06-15T12:00:00+02:00",
        "add 0 in open time: itself",
    ),
    (
        "office",
        "add",
        ("2026-06-19T16:00+02:00", 2 * H),
        "2026-06-22T10:00:00+02:00",
        "Fri 1 h, weekend, Mon 1 h",
    ),
    (
        "office",
        "add",
        ("2026-06-15T10:15:30.123456+02:00", 2 * H),
        "2026-06-15T12:15:30.123456+02:00",
        "seconds and microseconds kept",
    ),
    (
        "office",
        "add",
        ("2026-06-15T16:59:59.999999+02:00", US),
        "2026-06-15T17:00:00+02:00",
        "the last microsecond",
    ),
    (
        "office",
        "add",
        ("2026-06-15T16:59:59.500000+02:00", S),
        "2026-06-16T09:00:00.500000+02:00",
        "half a second each side of the night",
    ),
    (
        "office",
        "elapsed",
        ("2026-06-15T16:59:30.250000+02:00", "2026-06-16T09:00:10.500000+02:00"),
        40 * S + 250_000 * US,
        "29.75 s + 10.5 s",
    ),
    (
        "office",
        "elapsed",
        ("2026-06-16T09:00:10.500000+02:00", "2026-06-15T16:59:30.250000+02:00"),
        -(40 * S + 250_000 * US),
        "reversed: negative",
    ),
    (
        "adjacent",
        "next_close",
        "2026-06-15T10:00+02:00",
        "2026-06-15T13:00:00+02:00",
        "adjacent windows are one stretch",
    ),
    (
        "adjacent",
        "add",
        ("2026-06-15T11:00+02:00", H),
        "2026-06-15T12:00:00+02:00",
        "deadline at a seam between windows",
    ),
    # -- the night desk: Asia/Riyadh (+03:00), sun-thu 22:00-06:00
    ("night desk", "is_open", "2026-06-19T05:59+03:00", True, "Friday: Thursday's spill"),
    ("night desk", "is_open", "2026-06-19T06:00+03:00", False, "Friday: spill ends"),
    ("night desk", "is_open", "2026-06-19T22:30+03:00", False, "Friday night closed"),
    ("night desk", "is_open", "2026-06-20T03:00+03:00", False, "Saturday: no spill"),
    ("night desk", "is_open", "2026-06-21T22:00+03:00", True, "Sunday night opens"),
    (
        "night desk",
        "next_close",
        "2026-06-18T23:00+03:00",
        "2026-06-19T06:00:00+03:00",
        "Thursday night runs into Friday",
    ),
    (
        "night desk",
        "add",
        ("2026-06-18T23:00+03:00", 8 * H),
        "2026-06-21T23:00:00+03:00",
        "Thu 1 h + Fri 6 h, then Sun 22:00 + 1 h",
    ),
    (
        "night desk",
        "elapsed",
        ("2026-06-14T00:00+03:00", "2026-06-21T00:00+03:00"),
        40 * H,
        "Sun 2 + Mon-Thu 4x8 + Fri 6",
    ),
]


def call(cal, name: str, method: str, args):
    if method == "elapsed":
        a, b = args
        return cal.elapsed(at(name, a), at(name, b))
    if method == "add":
        start, duration = args
        return cal.add(at(name, start), duration)
    return getattr(cal, method)(at(name, args))


@pytest.mark.parametrize(
    ("name", "method", "args", "expected"),
    [
        pytest.param(n, m, a, e, id=f"{n} {m} {a if isinstance(a, str) else a[0]}: {why}")
        for n, m, a, e, why in ROWS
    ],
)
def test_table(name, method, args, expected):
    cal, ref = calendar(name)
    got, reference = call(cal, name, method, args), call(ref, name, method, args)
    if isinstance(expected, str):
        assert utc(reference) == datetime.fromisoformat(expected), "hand answer vs reference"
        assert shown(name, got) == expected
    else:
        assert reference == expected, "hand answer vs reference"
        assert got == expected


# -- add_business_days ---------------------------------------------------------------------------

BUSINESS_DAYS = [
    # (calendar, start, n, expected (a tuple when the landing wall time is repeated), why)
    ("office", "2026-06-19T10:30+02:00", 1, "2026-06-22T10:30:00+02:00", "Fri + 1: over a weekend"),
    ("office", "2026-06-18T10:30+02:00", 2, "2026-06-22T10:30:00+02:00", "Thu + 2: over a weekend"),
    (
        "office",
        "2026-06-19T10:30:15.250001+02:00",
        1,
        "2026-06-22T10:30:15.250001+02:00",
        "seconds and microseconds kept",
    ),
    (
        "office",
        "2026-06-15T17:00+02:00",
        1,
        "2026-06-17T09:00:00+02:00",
        "start at a window's end (closed): Tue 09:00, then + 1",
    ),
    ("office", "2026-06-15T10:00+02:00", 0, "2026-06-15T10:00:00+02:00", "n=0 when open: itself"),
    ("office", "2026-06-20T20:00+02:00", 0, "2026-06-22T09:00:00+02:00", "n=0, closed: opening"),
    (
        "office",
        "2026-06-20T20:00+02:00",
        1,
        "2026-06-23T09:00:00+02:00",
        "closed Sat start moves to Mon 09:00, then + 1",
    ),
    ("example", "2026-12-23T10:00+01:00", 1, "2026-12-24T10:00:00+01:00", "into the half day"),
    (
        "example",
        "2026-12-23T15:00+01:00",
        1,
        "2026-12-26T10:00:00+01:00",
        "lands in the Eve's closed afternoon; Christmas closed; Sat 10:00",
    ),
    (
        "example",
        "2026-12-23T10:00+01:00",
        2,
        "2026-12-26T10:00:00+01:00",
        "Eve counts, Christmas does not: Saturday",
    ),
    (
        "example",
        "2026-06-19T16:00+02:00",
        1,
        "2026-06-22T09:00:00+02:00",
        "lands Sat 16:00 (closed): Monday's opening",
    ),
    (
        "example",
        "2026-06-15T13:00+02:00",
        1,
        "2026-06-16T13:30:00+02:00",
        "lunch-break start moves to 13:30 first",
    ),
    (
        "example",
        "2027-05-28T10:00+02:00",
        2,
        "2027-06-01T10:00:00+02:00",
        "Sat counts, Sun none, Mon 31 May holiday",
    ),
    (
        "office new year",
        "2026-12-31T10:00+01:00",
        1,
        "2027-01-04T10:00:00+01:00",
        "over New Year's Day and a weekend",
    ),
    ("office", "2028-02-28T10:00+01:00", 1, "2028-02-29T10:00:00+01:00", "onto the leap day"),
    (
        "office leap holiday",
        "2028-02-28T10:00+01:00",
        1,
        "2028-03-01T10:00:00+01:00",
        "over a leap-day holiday",
    ),
    (
        "berlin 24h",
        "2026-03-28T02:30+01:00",
        1,
        "2026-03-29T03:30:00+02:00",
        "lands in the gap: read at +01:00, i.e. 1 h later",
    ),
    (
        "berlin no 3am",
        "2026-03-28T02:30+01:00",
        1,
        "2026-03-29T04:00:00+02:00",
        "lands in the gap, moved to 03:30 CEST (closed): opens 04:00",
    ),
    (
        "berlin 0215-0245",
        "2026-03-28T02:20+01:00",
        1,
        "2026-03-30T02:20:00+02:00",
        "the spring-forward day has no open time and does not count",
    ),
    (
        "berlin 24h",
        "2026-10-24T02:30+02:00",
        1,
        ("2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"),
        "lands in a fold: either 02:30 (the contract does not say)",
    ),
    (
        "night desk",
        "2026-06-18T23:00+03:00",
        1,
        "2026-06-21T22:00:00+03:00",
        "Thu 23:00 + 1: Fri 23:00 closed, Sun 22:00",
    ),
    ("night desk", "2026-06-18T02:00+03:00", 1, "2026-06-19T02:00:00+03:00", "Friday's spill"),
    (
        "night desk",
        "2026-06-19T02:00+03:00",
        1,
        "2026-06-21T22:00:00+03:00",
        "Fri + 1: Sat has no open time; Sun 02:00 closed; Sun 22:00",
    ),
    (
        "night desk",
        "2026-06-20T12:00+03:00",
        1,
        "2026-06-22T22:00:00+03:00",
        "closed Sat start moves to Sun 22:00; Mon 22:00",
    ),
    (
        "night desk",
        "2026-06-17T03:00+03:00",
        2,
        "2026-06-19T03:00:00+03:00",
        "Wed + 2: Thu, Fri (open only from the spill)",
    ),
]


@pytest.mark.parametrize(
    ("name", "start", "days", "expected"),
    [pytest.param(n, s, d, e, id=f"{n} {s} + {d}: {why}") for n, s, d, e, why in BUSINESS_DAYS],
)
def test_add_business_days(name, start, days, expected):
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
