"""Backward and day-end clock operations: ``subtract``, ``previous_open``, ``previous_close``,
``holiday_at``, ``is_break``, ``end_of_business_day``, ``intersect``, windows with seconds,
and ``due --before`` (docs/business-time.md, rules 9-14).

Property tests compare the clock with ``reference_clock`` (which walks minute by minute, or
second by second) and check the relations the contract promises; table tests pin DST days in
both directions.  Comparisons are made in UTC.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from servicepolicy import Calendar, CalendarError
from servicepolicy._calendar.clock import CalendarIntersection
from servicepolicy.cli import main
from tests.calendar.test_clock_properties import (
    DURATIONS,
    LONG_DURATIONS,
    ZONES,
    assert_in_zone,
    instants,
    reference,
    scenarios,
    weeks,
)
from tests.oracles.reference_clock import ReferenceCalendar, ReferenceIntersection, utc
from tests.paths import ROOT

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MICRO = timedelta(microseconds=1)
EXAMPLE = ROOT / "policies" / "examples" / "saas-support.yaml"


def cal(zone: str, hours: dict, **more) -> tuple[Calendar, ReferenceCalendar]:
    spec = {"timezone": zone, "hours": hours, **more}
    return Calendar.model_validate(spec), ReferenceCalendar(spec)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# -- the clock equals the reference --------------------------------------------------------------


@given(scenarios(), st.data(), DURATIONS, st.integers(0, 2))
def test_subtract_matches_reference(sc, data, duration, aim):
    end = data.draw(instants(sc))
    if aim == 1:  # aim at the start of a stretch: the open time runs out at an opening
        opening = reference(sc.ref.previous_close, end)
        duration = sc.ref.elapsed(sc.cal.next_open(opening), end) if opening else duration
    elif aim == 2:  # aim at any instant, often a window edge
        duration = abs(sc.ref.elapsed(data.draw(instants(sc)), end))
    expected = reference(sc.ref.subtract, end, duration)
    got = sc.cal.subtract(end, duration)
    assert_in_zone(got, sc)
    assert utc(got) == utc(expected)


@given(scenarios(), st.data())
def test_previous_open_and_close_match_reference(sc, data):
    t = data.draw(instants(sc))
    got_open, got_close = sc.cal.previous_open(t), sc.cal.previous_close(t)
    assert_in_zone(got_open, sc)
    assert_in_zone(got_close, sc)
    assert utc(got_open) == utc(reference(sc.ref.previous_open, t))
    assert utc(got_close) == utc(reference(sc.ref.previous_close, t))


@given(scenarios(), st.data())
def test_day_questions_match_reference(sc, data):
    for _ in range(10):
        t = data.draw(instants(sc))
        assert sc.cal.holiday_at(t) == sc.ref.holiday_at(t), t
        assert sc.cal.is_break(t) == sc.ref.is_break(t), t


@given(scenarios(), st.data())
def test_end_of_business_day_matches_reference(sc, data):
    t = data.draw(instants(sc))
    expected = reference(sc.ref.end_of_business_day, t)
    got = sc.cal.end_of_business_day(t)
    assert_in_zone(got, sc)
    assert utc(got) == utc(expected)


@given(scenarios(dst=True), st.data(), DURATIONS)
def test_dst_nights_match_reference(sc, data, duration):
    t = data.draw(instants(sc, reach=timedelta(hours=14)))
    assert utc(sc.cal.subtract(t, duration)) == utc(reference(sc.ref.subtract, t, duration))
    assert utc(sc.cal.previous_open(t)) == utc(reference(sc.ref.previous_open, t))
    assert utc(sc.cal.previous_close(t)) == utc(reference(sc.ref.previous_close, t))
    assert utc(sc.cal.end_of_business_day(t)) == utc(reference(sc.ref.end_of_business_day, t))
    assert sc.cal.is_break(t) == sc.ref.is_break(t)


# -- relations -----------------------------------------------------------------------------------


@given(scenarios(), st.data(), LONG_DURATIONS)
def test_subtract_undoes_add(sc, data, duration):
    t = data.draw(instants(sc))
    back = sc.cal.subtract(sc.cal.add(t, duration), duration)
    # t when open; the start of t's next open stretch otherwise
    assert utc(back) == utc(t if sc.cal.is_open(t) else sc.cal.next_open(t))


@given(scenarios(), st.data(), LONG_DURATIONS)
def test_subtract_is_the_last_instant_with_that_much_open_time(sc, data, duration):
    end = data.draw(instants(sc))
    u = sc.cal.subtract(end, duration)
    assert utc(u) <= utc(end)
    assert sc.cal.elapsed(u, end) == duration
    if duration:
        assert sc.cal.is_open(u)  # open time lies just after u, so a later u has less
        assert sc.cal.elapsed(utc(u) + MICRO, end) < duration
        assert utc(sc.cal.add(u, duration)) <= utc(end)  # add(u, 0) is next_open(u)


@given(scenarios(), st.data())
def test_previous_open_of_next_open(sc, data):
    t = data.draw(instants(sc))
    opening = sc.cal.next_open(t)
    assert utc(sc.cal.previous_open(opening)) == utc(opening)  # an open instant is its own
    back = sc.cal.previous_open(t)
    assert utc(back) <= utc(t)
    assert utc(sc.cal.next_open(back)) == utc(opening)
    assert sc.cal.elapsed(back, t) == (utc(t) - utc(back) if sc.cal.is_open(t) else timedelta(0))
    if not sc.cal.is_open(t):
        assert not sc.cal.is_open(back)
        assert sc.cal.is_open(utc(back) - MICRO)  # the last open time before t ends there


@given(scenarios(), st.data())
def test_previous_close_and_next_close_are_consecutive_closes(sc, data):
    t = data.draw(instants(sc))
    before, after = sc.cal.previous_close(t), sc.cal.next_close(t)
    assert utc(before) <= utc(t) < utc(after)
    for close in (before, after):  # a close: closed, with open time just before it
        assert not sc.cal.is_open(close)
        assert sc.cal.is_open(utc(close) - MICRO)
    assert utc(sc.cal.next_close(before)) == utc(after)  # no close in between
    assert utc(sc.cal.previous_close(after)) == utc(after)
    assert utc(sc.cal.previous_close(utc(after) - MICRO)) == utc(before)
    # the stretch holding an open t runs from next_open(previous_close(t)) to next_close(t)
    if sc.cal.is_open(t):
        start = sc.cal.next_open(before)
        assert sc.cal.elapsed(start, after) == utc(after) - utc(start)


@given(scenarios(), st.data())
def test_end_of_business_day_is_a_close_of_the_next_opening_date(sc, data):
    t = data.draw(instants(sc))
    end = sc.cal.end_of_business_day(t)
    opening = sc.cal.next_open(t)
    assert utc(opening) < utc(end)
    assert utc(end) == utc(sc.cal.next_close(utc(end) - MICRO))
    assert utc(sc.cal.end_of_business_day(opening)) == utc(end)


# -- intersect -----------------------------------------------------------------------------------


@st.composite
def pairs(draw):
    sc = draw(scenarios())
    name = draw(st.sampled_from(ZONES))
    spec = {"timezone": name, "hours": draw(weeks())}
    assume(any(spec["hours"].values()))
    other = ReferenceCalendar(spec)
    both = ReferenceIntersection(sc.ref, other)
    t = sc.focus
    assume(both.elapsed(t - timedelta(days=3), t + timedelta(days=3)) >= timedelta(hours=1))
    return sc, Calendar.model_validate(spec), both


@given(pairs(), st.data(), DURATIONS)
def test_intersect_is_the_and_of_the_two_calendars(pair, data, duration):
    sc, other, both = pair
    joint = sc.cal.intersect(other)
    assert isinstance(joint, CalendarIntersection)
    a, b = data.draw(instants(sc)), data.draw(instants(sc))
    for t in (a, b):
        assert joint.is_open(t) == (sc.cal.is_open(t) and other.is_open(t)) == both.is_open(t)
    assert joint.elapsed(a, b) == both.elapsed(a, b)
    checks = [
        (joint.add(a, duration), both.add, a, duration),
        (joint.subtract(a, duration), both.subtract, a, duration),
        (joint.next_open(a), both.next_open, a),
        (joint.next_close(a), both.next_close, a),
        (joint.previous_open(a), both.previous_open, a),
        (joint.previous_close(a), both.previous_close, a),
    ]
    for got, call, *args in checks:
        assert_in_zone(got, sc)  # the first calendar's zone
        assert utc(got) == utc(reference(call, *args))


def test_intersect_of_two_zones_and_chained():
    eu, _ = cal("Europe/Berlin", {"mon-fri": ["09:00-17:00"]})
    us, _ = cal("America/New_York", {"mon-fri": ["09:00-17:00"]})
    lunch, _ = cal("UTC", {"daily": ["00:00-13:00", "14:00-24:00"]})
    joint = eu.intersect(us)  # 15:00-17:00 Berlin on weekdays (09:00-11:00 New York)
    monday = berlin(2026, 3, 2, 8, 0)
    assert joint.next_open(monday) == berlin(2026, 3, 2, 15, 0)
    assert joint.next_close(monday) == berlin(2026, 3, 2, 17, 0)
    assert joint.elapsed(monday, monday + timedelta(days=7)) == timedelta(hours=10)
    assert joint.subtract(berlin(2026, 3, 3, 16, 0), timedelta(hours=2)) == berlin(2026, 3, 2, 16)
    assert joint.zone == BERLIN
    # 2026-03-09 to 03-27: New York is on summer time, Berlin not yet: 14:00-17:00 Berlin
    assert joint.elapsed(berlin(2026, 3, 9), berlin(2026, 3, 10)) == timedelta(hours=3)
    three = joint.intersect(lunch)  # 13:00-14:00 UTC is 14:00-15:00 Berlin
    assert three.elapsed(berlin(2026, 3, 9), berlin(2026, 3, 10)) == timedelta(hours=2)
    assert three.next_open(berlin(2026, 3, 9, 14, 0)) == berlin(2026, 3, 9, 15, 0)
    with pytest.raises(TypeError, match="can only intersect"):
        eu.intersect("24/7")  # type: ignore[arg-type]
    with pytest.raises(CalendarError, match="no open time"):
        eu.intersect(cal("UTC", {"sat-sun": ["00:00-24:00"]})[0]).next_open(monday)


# -- tables: DST in both directions --------------------------------------------------------------

GAP_BERLIN = ("Europe/Berlin", {"sun": ["01:00-03:30"]})  # 29 March: 02:00 -> 03:00
INSIDE_BERLIN = ("Europe/Berlin", {"sun": ["02:30-05:00"]})  # 25 October: repeated 02:00-03:00
NIGHT_BERLIN = ("Europe/Berlin", {"sat": ["22:00-06:00"]})
GAP_NY = ("America/New_York", {"sun": ["01:00-03:00"]})  # 8 March: 02:00 -> 03:00
EARLY_NY = ("America/New_York", {"daily": ["00:00-01:30"]})  # 1 November: repeated 01:00-02:00
NIGHT_NY = ("America/New_York", {"sat": ["22:00-06:00"]})

SUBTRACT_TABLE = [
    # spring forward
    (GAP_BERLIN, "2026-03-29T03:30:00+02:00", "1h", "2026-03-29T01:30:00+01:00"),
    (GAP_BERLIN, "2026-03-29T03:30:00+02:00", "90m", "2026-03-29T01:00:00+01:00"),
    (GAP_BERLIN, "2026-03-29T03:30:00+02:00", "91m", "2026-03-22T03:29:00+01:00"),
    (GAP_NY, "2026-03-08T03:00:00-04:00", "30m", "2026-03-08T01:30:00-05:00"),
    (GAP_NY, "2026-03-08T12:00:00-04:00", "1h", "2026-03-08T01:00:00-05:00"),
    (NIGHT_BERLIN, "2026-03-29T06:00:00+02:00", "7h", "2026-03-28T22:00:00+01:00"),
    (NIGHT_BERLIN, "2026-03-29T04:00:00+02:00", "2h", "2026-03-29T01:00:00+01:00"),
    (NIGHT_NY, "2026-03-08T06:00:00-04:00", "4h", "2026-03-08T01:00:00-05:00"),
    (NIGHT_NY, "2026-03-08T06:00:00-04:00", "7h", "2026-03-07T22:00:00-05:00"),
    # fall back
    (INSIDE_BERLIN, "2026-10-25T03:00:00+01:00", "1h", "2026-10-25T02:30:00+02:00"),
    (INSIDE_BERLIN, "2026-10-25T02:15:00+01:00", "10m", "2026-10-25T02:50:00+02:00"),
    (EARLY_NY, "2026-11-01T01:30:00-05:00", "1h", "2026-11-01T01:00:00-04:00"),
    (EARLY_NY, "2026-11-01T01:30:00-05:00", "30m", "2026-11-01T01:00:00-05:00"),
    (NIGHT_BERLIN, "2026-10-25T06:00:00+01:00", "9h", "2026-10-24T22:00:00+02:00"),
    (NIGHT_BERLIN, "2026-10-25T06:00:00+01:00", "4h", "2026-10-25T02:00:00+01:00"),
    (NIGHT_BERLIN, "2026-10-25T06:00:00+01:00", "5h", "2026-10-25T02:00:00+02:00"),
    (NIGHT_NY, "2026-11-01T06:00:00-05:00", "5h", "2026-11-01T01:00:00-05:00"),
    (NIGHT_NY, "2026-11-01T06:00:00-05:00", "6h", "2026-11-01T01:00:00-04:00"),
]


@pytest.mark.parametrize(("calendar", "end", "span", "expected"), SUBTRACT_TABLE)
def test_subtract_on_dst_days(calendar, end, span, expected):
    clock, ref = cal(*calendar)
    got = clock.subtract(at(end), span)
    assert got.isoformat() == expected
    duration = clock.elapsed(got, at(end))
    assert utc(ref.subtract(at(end), duration, horizon=timedelta(days=8))) == utc(got)
    assert utc(clock.add(got, duration)) <= utc(at(end))


EDGE_TABLE = [
    # calendar, t, previous_open, previous_close, end_of_business_day
    (GAP_BERLIN, "2026-03-29T05:00:00+02:00", "2026-03-29T03:30:00+02:00",
     "2026-03-29T03:30:00+02:00", "2026-04-05T03:30:00+02:00"),
    (GAP_BERLIN, "2026-03-29T03:00:00+02:00", "2026-03-29T03:00:00+02:00",
     "2026-03-22T03:30:00+01:00", "2026-03-29T03:30:00+02:00"),
    (GAP_BERLIN, "2026-03-28T12:00:00+01:00", "2026-03-22T03:30:00+01:00",
     "2026-03-22T03:30:00+01:00", "2026-03-29T03:30:00+02:00"),
    (INSIDE_BERLIN, "2026-10-25T02:15:00+01:00", "2026-10-25T02:00:00+01:00",
     "2026-10-25T02:00:00+01:00", "2026-10-25T05:00:00+01:00"),
    (INSIDE_BERLIN, "2026-10-25T04:00:00+01:00", "2026-10-25T04:00:00+01:00",
     "2026-10-25T02:00:00+01:00", "2026-10-25T05:00:00+01:00"),
    (INSIDE_BERLIN, "2026-10-25T02:45:00+02:00", "2026-10-25T02:45:00+02:00",
     "2026-10-18T05:00:00+02:00", "2026-10-25T05:00:00+01:00"),
    (GAP_NY, "2026-03-08T04:00:00-04:00", "2026-03-08T03:00:00-04:00",
     "2026-03-08T03:00:00-04:00", "2026-03-15T03:00:00-04:00"),
    (EARLY_NY, "2026-11-01T01:45:00-04:00", "2026-11-01T01:30:00-04:00",
     "2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00"),
    (EARLY_NY, "2026-11-01T01:15:00-05:00", "2026-11-01T01:15:00-05:00",
     "2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00"),
    (EARLY_NY, "2026-11-01T00:10:00-04:00", "2026-11-01T00:10:00-04:00",
     "2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-05:00"),
    (EARLY_NY, "2026-10-31T12:00:00-04:00", "2026-10-31T01:30:00-04:00",
     "2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-05:00"),
    # overnight shifts: a business day's close is its shift's end, the next morning
    (NIGHT_BERLIN, "2026-03-28T23:00:00+01:00", "2026-03-28T23:00:00+01:00",
     "2026-03-22T06:00:00+01:00", "2026-03-29T06:00:00+02:00"),
    (NIGHT_BERLIN, "2026-03-29T03:30:00+02:00", "2026-03-29T03:30:00+02:00",
     "2026-03-22T06:00:00+01:00", "2026-03-29T06:00:00+02:00"),
    (NIGHT_BERLIN, "2026-03-29T12:00:00+02:00", "2026-03-29T06:00:00+02:00",
     "2026-03-29T06:00:00+02:00", "2026-04-05T06:00:00+02:00"),
    (NIGHT_BERLIN, "2026-10-25T02:30:00+01:00", "2026-10-25T02:30:00+01:00",
     "2026-10-18T06:00:00+02:00", "2026-10-25T06:00:00+01:00"),
    (NIGHT_NY, "2026-11-01T01:30:00-05:00", "2026-11-01T01:30:00-05:00",
     "2026-10-25T06:00:00-04:00", "2026-11-01T06:00:00-05:00"),
    (NIGHT_NY, "2026-03-08T07:00:00-04:00", "2026-03-08T06:00:00-04:00",
     "2026-03-08T06:00:00-04:00", "2026-03-15T06:00:00-04:00"),
]  # fmt: skip


@pytest.mark.parametrize(("calendar", "t", "p_open", "p_close", "eod"), EDGE_TABLE)
def test_edges_on_dst_days(calendar, t, p_open, p_close, eod):
    clock, ref = cal(*calendar)
    moment = at(t)
    got = (clock.previous_open(moment), clock.previous_close(moment))
    assert tuple(x.isoformat() for x in got) == (p_open, p_close)
    assert clock.end_of_business_day(moment).isoformat() == eod
    week = timedelta(days=8)
    assert utc(ref.previous_open(moment, week)) == utc(got[0])
    assert utc(ref.previous_close(moment, week)) == utc(got[1])
    assert utc(ref.end_of_business_day(moment, week)) == utc(at(eod))


def test_always_open_across_dst():
    always, _ = cal("Europe/Berlin", {"daily": ["00:00-24:00"]})
    noon = berlin(2026, 3, 29, 12, 0)
    assert always.subtract(noon, timedelta(hours=24)) == berlin(2026, 3, 28, 11, 0)
    assert always.subtract(berlin(2026, 10, 25, 12), timedelta(hours=24)) == berlin(
        2026, 10, 24, 13
    )
    with pytest.raises(CalendarError, match="has no closing in the 30 years before"):
        always.previous_close(noon)
    with pytest.raises(CalendarError, match="has no closing in the 30 years after"):
        always.end_of_business_day(noon)


# -- holidays, breaks, end of day ----------------------------------------------------------------

DESK = {
    "timezone": "Europe/Berlin",
    "hours": {"mon-fri": ["09:00-12:30", "13:30-17:00"]},
    "holidays": [
        {"date": "2026-12-24", "hours": ["09:00-12:00"], "name": "Christmas Eve"},
        {"date": "2026-12-25", "name": "Christmas Day"},
        {"rrule": "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25", "name": "never shown"},
        {"rrule": "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1", "name": "New Year's Day"},
        {"rrule": "FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO"},
        {"rrule": "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1", "name": "listed second"},
    ],
}


@pytest.mark.parametrize(
    ("moment", "name"),
    [
        (berlin(2026, 12, 24, 3, 0), "Christmas Eve"),  # special hours are a holiday too
        (berlin(2026, 12, 25, 23, 59), "Christmas Day"),  # dated wins over recurring
        (datetime(2026, 12, 25, 23, 30, tzinfo=UTC), None),  # 26 December in Berlin
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "New Year's Day"),  # first listed
        (berlin(2027, 1, 1, 0, 0), "New Year's Day"),  # recurring: every year
        (berlin(2026, 5, 25, 12, 0), ""),  # a recurring entry without a name
        (berlin(2026, 5, 26, 12, 0), None),
    ],
)
def test_holiday_at(moment, name):
    assert Calendar.model_validate(DESK).holiday_at(moment) == name
    assert ReferenceCalendar(DESK).holiday_at(moment) == name


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (berlin(2026, 3, 2, 12, 30), True),  # lunch starts at the first window's end
        (berlin(2026, 3, 2, 13, 29, 59), True),
        (berlin(2026, 3, 2, 13, 30), False),  # open
        (berlin(2026, 3, 2, 12, 0), False),  # open
        (berlin(2026, 3, 2, 8, 59), False),  # before the day's hours
        (berlin(2026, 3, 2, 17, 0), False),  # after them
        (berlin(2026, 3, 7, 12, 45), False),  # a closed Saturday
        (berlin(2026, 12, 24, 12, 45), False),  # special hours 09:00-12:00 only
        (berlin(2026, 12, 25, 12, 45), False),  # a plain holiday
    ],
)
def test_is_break(moment, expected):
    assert Calendar.model_validate(DESK).is_break(moment) is expected
    assert ReferenceCalendar(DESK).is_break(moment) is expected


def test_is_break_with_overnight_windows_and_dst():
    night, ref = cal("Europe/Berlin", {"mon-fri": ["22:00-06:00", "09:00-12:00"]})
    # 07:00: after Monday's shift spilled into Tuesday, before Tuesday's 09:00 window; the
    # spill belongs to Monday (rule 2), so Tuesday 07:00 is before Tuesday's hours
    assert not night.is_break(berlin(2026, 3, 3, 7, 0))
    assert night.is_break(berlin(2026, 3, 3, 15, 0))  # between 09:00-12:00 and 22:00
    split, ref = cal("Europe/Berlin", {"sun": ["00:00-02:15", "02:45-05:00"]})
    for text in ("2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"):
        assert split.is_break(at(text)) and ref.is_break(at(text))  # both passes of 02:30
    inside, ref = cal(*INSIDE_BERLIN)  # the closed half hour between two passes of 02:30
    assert not inside.is_break(at("2026-10-25T02:15:00+01:00"))
    assert not ref.is_break(at("2026-10-25T02:15:00+01:00"))


def test_end_of_business_day():
    desk = Calendar.model_validate(DESK)
    assert desk.end_of_business_day(berlin(2026, 3, 2, 10)) == berlin(2026, 3, 2, 17)
    assert desk.end_of_business_day(berlin(2026, 3, 2, 12, 45)) == berlin(2026, 3, 2, 17)
    assert desk.end_of_business_day(berlin(2026, 3, 2, 7)) == berlin(2026, 3, 2, 17)
    assert desk.end_of_business_day(berlin(2026, 3, 2, 17)) == berlin(2026, 3, 3, 17)
    assert desk.end_of_business_day(berlin(2026, 3, 6, 18)) == berlin(2026, 3, 9, 17)
    # the eve of a short day and of a holiday
    assert desk.end_of_business_day(berlin(2026, 12, 23, 18)) == berlin(2026, 12, 24, 12)
    assert desk.end_of_business_day(berlin(2026, 12, 24, 13)) == berlin(2026, 12, 28, 17)
    night, ref = cal(
        "Europe/Berlin",
        {"mon-fri": ["22:00-06:00"]},
        holidays=[{"date": "2026-12-25"}, {"date": "2026-12-31", "hours": ["10:00-12:00"]}],
    )
    cases = [
        (berlin(2026, 12, 23, 23), berlin(2026, 12, 24, 6)),
        (berlin(2026, 12, 24, 12), berlin(2026, 12, 25, 0)),  # the holiday cuts the shift
        (berlin(2026, 12, 24, 23), berlin(2026, 12, 25, 0)),
        (berlin(2026, 12, 25, 12), berlin(2026, 12, 29, 6)),
        (berlin(2026, 12, 31, 3), berlin(2026, 12, 31, 12)),  # 31st: special hours only
    ]
    for moment, expected in cases:
        assert night.end_of_business_day(moment) == expected, moment
        assert utc(ref.end_of_business_day(moment)) == utc(expected), moment


# -- windows with seconds ------------------------------------------------------------------------


def test_windows_with_seconds():
    precise, ref = cal(
        "Europe/Berlin", {"mon-fri": ["09:00:30-17:00:00"], "sat": ["00:00:00-23:59:59"]}
    )
    same, _ = cal("Europe/Berlin", {"mon-fri": ["09:00-17:00"]})
    minutes, _ = cal("Europe/Berlin", {"mon-fri": ["09:00:00-17:00:00"]})
    monday = berlin(2026, 3, 2)
    assert not precise.is_open(berlin(2026, 3, 2, 9, 0, 29, 999999))
    assert precise.is_open(berlin(2026, 3, 2, 9, 0, 30))
    assert precise.next_open(monday) == berlin(2026, 3, 2, 9, 0, 30)
    assert precise.is_open(berlin(2026, 3, 7, 23, 59, 58))
    assert not precise.is_open(berlin(2026, 3, 7, 23, 59, 59))
    assert precise.next_close(berlin(2026, 3, 7, 12)) == berlin(2026, 3, 7, 23, 59, 59)
    assert precise.elapsed(monday, monday + timedelta(days=1)) == timedelta(hours=8, seconds=-30)
    # 59 min 30 s on Monday, then back to Saturday's window, which ends at 23:59:59
    assert precise.subtract(berlin(2026, 3, 2, 10), timedelta(hours=1)) == berlin(
        2026, 2, 28, 23, 59, 29
    )
    assert precise.subtract(berlin(2026, 3, 2, 10), timedelta(minutes=59, seconds=30)) == berlin(
        2026, 3, 2, 9, 0, 30
    )
    for clock in (same, minutes):  # minutes alone mean the same as :00 seconds
        assert clock.elapsed(monday, monday + timedelta(days=7)) == timedelta(hours=40)
    assert ref.step == timedelta(seconds=1)
    t = berlin(2026, 3, 2, 9, 0, 15)
    assert utc(ref.next_open(t)) == utc(precise.next_open(t))
    assert utc(ref.subtract(berlin(2026, 3, 2, 9, 1), timedelta(seconds=31))) == utc(
        precise.subtract(berlin(2026, 3, 2, 9, 1), timedelta(seconds=31))
    )
    holiday, _ = cal(
        "UTC",
        {"daily": ["09:00-17:00"]},
        holidays=[{"date": "2026-03-02", "hours": ["10:00:15-24:00:00"]}],
    )
    assert holiday.next_open(datetime(2026, 3, 2, tzinfo=UTC)) == datetime(
        2026, 3, 2, 10, 0, 15, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ("09:00:60-17:00", "impossible time"),
        ("09:00-24:00:01", "impossible time"),
        ("09:00:5-17:00", "not of the form"),
        ("09:00:00:00-17:00", "not of the form"),
    ],
)
def test_bad_windows_with_seconds(window, message):
    with pytest.raises(ValidationError, match=message):
        Calendar.model_validate({"timezone": "UTC", "hours": {"mon": [window]}})


def test_overlap_message_shows_seconds():
    with pytest.raises(ValidationError, match="09:00-12:00:30 and 12:00-13:00"):
        Calendar.model_validate(
            {"timezone": "UTC", "hours": {"mon": ["09:00-12:00:30", "12:00-13:00"]}}
        )


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_seconds_windows_match_reference(data):
    edges = sorted(
        data.draw(st.lists(st.integers(0, 3 * 3600), min_size=2, max_size=4, unique=True))
    )
    base = 9 * 3600
    windows = [
        "{}-{}".format(*(f"{(base + x) // 3600:02d}:{(base + x) // 60 % 60:02d}:{x % 60:02d}"
                         for x in pair))
        for pair in zip(edges[::2], edges[1::2], strict=False)
    ]  # fmt: skip
    clock, ref = cal(data.draw(st.sampled_from(ZONES)), {"daily": windows})
    day = datetime(2026, 3, 2, 8, tzinfo=clock.zone)
    t = day + timedelta(seconds=data.draw(st.integers(0, 5 * 3600)))
    daily = sum(b - a for a, b in zip(edges[::2], edges[1::2], strict=False))
    span = timedelta(seconds=data.draw(st.integers(0, daily)))  # found within a day's walk
    horizon = timedelta(hours=30)
    note(f"{windows} {t}")
    assert clock.is_open(t) == ref.is_open(t)
    assert utc(clock.subtract(t, span)) == utc(ref.subtract(t, span, horizon))
    assert utc(clock.next_open(t)) == utc(ref.next_open(t, horizon))
    assert utc(clock.add(t, span)) == utc(ref.add(t, span, horizon))
    assert utc(clock.previous_close(t)) == utc(ref.previous_close(t, horizon))


# -- errors --------------------------------------------------------------------------------------


def test_subtract_errors():
    desk = Calendar.model_validate(DESK)
    with pytest.raises(CalendarError, match="cannot subtract a negative duration"):
        desk.subtract(berlin(2026, 3, 2, 10), timedelta(hours=-1))
    with pytest.raises(ValueError, match="not business days"):
        desk.subtract(berlin(2026, 3, 2, 10), "3bd")
    with pytest.raises(TypeError, match="duration must be"):
        desk.subtract(berlin(2026, 3, 2, 10), 3)  # type: ignore[arg-type]
    assert desk.subtract(berlin(2026, 3, 2, 10), "1h") == berlin(2026, 3, 2, 9)
    assert desk.subtract(berlin(2026, 3, 2, 8), timedelta(0)) == berlin(2026, 3, 2, 8)
    once, _ = cal("UTC", {}, holidays=[{"date": "2026-03-02", "hours": ["09:00-10:00"]}])
    with pytest.raises(CalendarError, match="no open time in the 30 years before"):
        once.previous_open(datetime(2026, 3, 1, tzinfo=UTC))
    # some open time lies behind, so the search runs on, as add's does, to the first year
    with pytest.raises(CalendarError, match="before 1900, the first supported year"):
        once.subtract(datetime(2026, 3, 2, 9, 30, tzinfo=UTC), timedelta(hours=1))
    assert once.subtract(datetime(2026, 3, 2, 12, tzinfo=UTC), "1h") == datetime(
        2026, 3, 2, 9, tzinfo=UTC
    )
    with pytest.raises(CalendarError, match="before 1900, the first supported year"):
        desk.subtract(berlin(1905, 3, 2, 10), timedelta(days=3000))
    with pytest.raises(ValueError, match="no time zone"):
        desk.previous_open(datetime(2026, 3, 2, 10))


def test_subtract_far_back_is_exact():
    desk = Calendar.model_validate(DESK)
    end = berlin(2026, 3, 2, 10)
    for days in (40, 400, 4000):
        u = desk.subtract(end, timedelta(days=days))
        assert desk.elapsed(u, end) == timedelta(days=days)
        assert desk.add(u, timedelta(days=days)) == end


# -- the command line: due --before --------------------------------------------------------------


def run(*argv: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    code = main(list(argv), stdin=StringIO(""), stdout=out, stderr=err, environ={})
    return code, out.getvalue(), err.getvalue()


START = "2026-12-28T10:00:00+01:00"


@pytest.mark.parametrize(
    ("calendar", "before", "due"),
    [
        ("support-eu", "4h", "2026-12-24T09:00:00+01:00"),  # 1 h on the 28th, 24 Dec 09-12
        ("support-eu", "1h", "2026-12-28T09:00:00+01:00"),  # the opening, not 23 Dec 17:00
        ("support-eu", "PT30M", "2026-12-28T09:30:00+01:00"),
        ("24/7", "4h", "2026-12-28T05:00:00+00:00"),
    ],
)
def test_due_before(calendar, before, due):
    args = ["due", str(EXAMPLE), "--calendar", calendar, "--start", START, "--before", before]
    assert run(*args) == (0, due + "\n", "")
    code, out, err = run(*args, "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {"calendar": calendar, "start": START, "before": before, "due": due}
    after = ["due", str(EXAMPLE), "--calendar", calendar, "--start", due, "--after", before]
    assert run(*after)[1] in (START + "\n", "2026-12-28T09:00:00+00:00\n")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--before", "3bd"], "--before: business days ('3bd') cannot be subtracted"),
        (["--before", "4x"], "--before: cannot read duration '4x'"),
        (["--before", "1h", "--after", "1h"], "give --after or --before, not both"),
        ([], "the following arguments are required: --after"),
    ],
)
def test_due_before_errors(extra, message):
    code, out, err = run("due", str(EXAMPLE), "--calendar", "support-eu", "--start", START, *extra)
    assert (code, out) == (2, "")
    assert message in err


def test_due_after_unchanged():
    args = ["due", str(EXAMPLE), "--calendar", "support-eu", "--start", START, "--after", "4h"]
    assert run(*args) == (0, "2026-12-28T15:00:00+01:00\n", "")  # lunch 12:30-13:30
    _, out, _ = run(*args, "--format", "json")
    assert out == (
        '{"calendar": "support-eu", "start": "2026-12-28T10:00:00+01:00", "after": "4h", '
        '"due": "2026-12-28T15:00:00+01:00"}\n'
    )
