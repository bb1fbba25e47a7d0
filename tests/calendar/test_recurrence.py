"""Holiday rules are expanded once, within the supported years, into the dates dateutil gives;
a rule with no date left costs no search to the year 9999."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, timedelta

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from servicepolicy import Calendar
from servicepolicy._calendar.recurrence import (
    RRULE_ANCHOR,
    expansion_is_bounded,
    holiday_dates,
    rule_has_dates,
)


def test_dateutil_still_ends_its_search_at_the_last_year_of_its_datetime_module():
    # The expansion relies on this; a dateutil release that changes it fails here first.
    assert expansion_is_bounded()


@pytest.mark.parametrize(
    ("rule", "first", "last", "dates"),
    [
        # Ash Wednesday and Good Friday of 2026 (Easter is April 5th).
        ("FREQ=YEARLY;BYEASTER=-46", date(2026, 1, 1), date(2027, 1, 1), [date(2026, 2, 18)]),
        ("FREQ=YEARLY;BYEASTER=-2", date(2026, 1, 1), date(2027, 1, 1), [date(2026, 4, 3)]),
        # An early Easter (March 23rd, 2008) less 80 days.
        ("FREQ=YEARLY;BYEASTER=-80", date(2008, 1, 1), date(2009, 1, 1), [date(2008, 1, 3)]),
        # Every other year from the rule's own start.
        (
            "DTSTART:20250101\nRRULE:FREQ=YEARLY;INTERVAL=2;BYMONTH=1;BYMONTHDAY=2",
            date(2025, 1, 1),
            date(2029, 1, 1),
            [date(2025, 1, 2), date(2027, 1, 2)],
        ),
        # An excluded date is not a holiday.
        (
            "RRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25\nEXDATE:20261225T000000",
            date(2025, 1, 1),
            date(2028, 1, 1),
            [date(2025, 12, 25), date(2027, 12, 25)],
        ),
        # February 29th, on leap years only, to the last supported one.
        (
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            date(2190, 1, 1),
            date(2200, 1, 1),
            [date(2192, 2, 29), date(2196, 2, 29)],
        ),
        # Nothing before the rule's start: 1970 for a rule without DTSTART.
        (
            "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1",
            date(1968, 1, 1),
            date(1971, 1, 1),
            [date(1970, 1, 1)],
        ),
    ],
)
def test_a_rule_gives_its_dates_between_two_dates(rule, first, last, dates):
    assert holiday_dates(rule).between(first, last) == dates
    for day in dates:
        assert holiday_dates(rule).falls_on(day)
    assert not holiday_dates(rule).falls_on(first - timedelta(days=1))


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYSETPOS=2",  # one instant a day, never a second one
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=1,2,3",
    ],
)
def test_a_rule_without_dates_is_known_to_have_none_and_a_calendar_with_it_answers(rule):
    assert not rule_has_dates(rule)
    assert holiday_dates(rule).between(date(1900, 1, 1), date(2201, 1, 1)) == []
    seasons = [
        {"from": f"{2030 + 2 * i}-06-01", "to": f"{2030 + 2 * i}-08-31", "hours": {"daily": []}}
        for i in range(3)
    ]
    calendar = Calendar.model_validate(
        {
            "timezone": "UTC",
            "hours": {"mon-fri": ["09:00-17:00"]},
            "holidays": [{"rrule": rule}],
            "seasons": seasons,
        }
    )
    monday = datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert calendar.is_open(monday)
    assert calendar.add(monday, timedelta(hours=6)) == datetime(2026, 6, 2, 10, tzinfo=UTC)


def test_a_daily_rule_every_day_closes_every_day():
    calendar = Calendar.model_validate(
        {
            "timezone": "UTC",
            "hours": {"daily": ["09:00-17:00"]},
            "holidays": [{"rrule": "DTSTART:20260101\nRRULE:FREQ=DAILY;UNTIL=20261231"}],
        }
    )
    assert calendar.next_open(datetime(2026, 6, 1, tzinfo=UTC)) == datetime(
        2027, 1, 1, 9, tzinfo=UTC
    )


def test_expanded_dates_pickle_as_their_rule():
    dates = holiday_dates("FREQ=YEARLY;BYEASTER=1")
    again = pickle.loads(pickle.dumps(dates))
    assert again == dates
    assert again.between(date(2026, 1, 1), date(2027, 1, 1)) == [date(2026, 4, 6)]


_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@st.composite
def _rules(draw) -> str:
    # A daily rule costs the most to expand: a few of them do.
    frequency = draw(st.sampled_from(("YEARLY",) * 4 + ("MONTHLY",) * 3 + ("WEEKLY", "DAILY")))
    parts = [f"FREQ={frequency}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(1, 5))}")
    if draw(st.booleans()):
        parts.append(f"BYMONTH={draw(st.integers(1, 12))}")
    if draw(st.booleans()):
        parts.append(f"BYMONTHDAY={draw(st.sampled_from((1, 13, 29, 31, -1, -7)))}")
    if draw(st.booleans()):
        nth = draw(st.sampled_from(("", "1", "2", "-1", "4")))
        nth = (
            nth
            if frequency == "MONTHLY" or (frequency == "YEARLY" and "BYMONTH" in parts[-1])
            else ""
        )
        parts.append(f"BYDAY={nth}{draw(st.sampled_from(_DAYS))}")
    if draw(st.integers(0, 4)) == 0:
        parts.append(f"BYEASTER={draw(st.integers(-80, 250))}")
    if draw(st.integers(0, 4)) == 0:
        parts.append(f"BYSETPOS={draw(st.sampled_from((1, 2, -1)))}")
    rule = ";".join(parts)
    if draw(st.booleans()):
        rule = f"DTSTART:{draw(st.integers(1950, 2040))}0301\nRRULE:{rule}"
    return rule


@settings(max_examples=30)
@given(rule=_rules(), start=st.dates(date(1990, 1, 1), date(2060, 1, 1)))
def test_the_dates_are_those_dateutil_gives(rule, start):
    end = start + timedelta(days=800)
    expected = [
        instant.date()
        for instant in rrulestr(rule, dtstart=RRULE_ANCHOR).between(
            datetime.combine(start, datetime.min.time()),
            datetime.combine(end, datetime.min.time()),
            inc=True,
        )
        if instant.date() < end
    ]
    assert holiday_dates(rule).between(start, end) == expected
