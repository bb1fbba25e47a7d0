"""Calendar rules as plain values, and their expansion into open intervals.

A :class:`CalendarRules` says which wall-clock windows are open on each local date.
:func:`open_intervals` turns the rules for a range of dates into sorted, disjoint UTC
intervals (integer microseconds since the epoch), following the rules in
``docs/business-time.md``:

* a window belongs to the date it starts on; an overnight window spills into the next date;
* a season replaces the weekly hours on its dates; a holiday replaces a date's whole
  open time, including any spill from the night before;
* an instant is open when its *wall-clock* time lies in an open window, so DST needs no
  special case: the preimage of a wall interval under "UTC to wall clock" is computed per
  stretch of constant UTC offset.  A window edge inside a spring-forward gap lands where the
  wall clock resumes; the repeated hour of a fall-back is open twice.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from .recurrence import HolidayDates
from .sources import YearlyDates

Window = tuple[int, int]
"""An open window in seconds after the local midnight of the date it belongs to.

``start < end``; ``end`` may exceed 86400 for a window that runs past midnight.
"""

WeekHours = tuple[tuple[Window, ...], ...]
"""Seven tuples of windows, Monday first."""

SECONDS_PER_DAY: Final = 86400
"""Window edges are seconds after local midnight; an end above this runs past midnight."""
_SECONDS_PER_DAY: Final = SECONDS_PER_DAY
_US: Final = 1_000_000
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_SAMPLE_STEP: Final = 6 * 3600
_MARGIN: Final = 2 * _SECONDS_PER_DAY  # more than any UTC offset


@dataclass(frozen=True, slots=True)
class SeasonRules:
    """Weekly hours that replace the calendar's on the dates ``first..last`` (inclusive)."""

    first: date
    last: date
    week: WeekHours
    name: str = ""

    def __reduce__(self) -> tuple[type[SeasonRules], tuple[date, date, WeekHours, str]]:
        return (SeasonRules, (self.first, self.last, self.week, self.name))


@dataclass(frozen=True, slots=True)
class RecurringHoliday:
    """A holiday that falls on every occurrence of ``rule`` (naive, date precision): an RRULE's
    dates, or dates worked out a year at a time (a country's holidays, a Hijri date)."""

    rule: HolidayDates | YearlyDates
    windows: tuple[Window, ...]
    name: str = ""

    def __reduce__(
        self,
    ) -> tuple[type[RecurringHoliday], tuple[HolidayDates | YearlyDates, tuple[Window, ...], str]]:
        return (RecurringHoliday, (self.rule, self.windows, self.name))

    def name_on(self, day: date) -> str:
        """The holiday's name on ``day`` (one of its dates): the entry's own name when it has
        one, else the name its source gives the date."""
        if self.name or not isinstance(self.rule, YearlyDates):
            return self.name
        return self.rule.name_on(day) or ""


@dataclass(frozen=True, slots=True)
class RecurringSeason:
    """Weekly hours that replace the calendar's on every date of ``dates`` (a Hijri month)."""

    dates: YearlyDates
    week: WeekHours
    name: str = ""

    def __reduce__(self) -> tuple[type[RecurringSeason], tuple[YearlyDates, WeekHours, str]]:
        return (RecurringSeason, (self.dates, self.week, self.name))


@dataclass(frozen=True, slots=True)
class CalendarRules:
    """Everything needed to say which wall-clock windows are open on a local date."""

    zone: ZoneInfo
    week: WeekHours
    seasons: tuple[SeasonRules, ...] = ()
    holidays: Mapping[date, tuple[Window, ...]] = field(default_factory=dict)
    recurring: tuple[RecurringHoliday, ...] = ()
    recurring_seasons: tuple[RecurringSeason, ...] = ()

    def __reduce__(self) -> tuple[type[CalendarRules], tuple[Any, ...]]:
        # Spelled out (like the two above) because the compiled build's frozen classes cannot
        # be restored field by field, as pickle and deepcopy otherwise do.
        fields: tuple[Any, ...] = (
            self.zone,
            self.week,
            self.seasons,
            self.holidays,
            self.recurring,
        )
        if self.recurring_seasons:
            fields = (*fields, self.recurring_seasons)
        return (CalendarRules, fields)


@dataclass(frozen=True, slots=True)
class Expansion:
    """Open time for the local dates ``[first, last)``: UTC intervals in microseconds.

    ``open_days`` holds, sorted, the proleptic ordinals of the local dates that have open
    time (a date counts when any open instant has that local date).  ``offsets`` holds the
    stretches ``(start, end, offset)`` of constant UTC offset behind them, in microseconds.
    """

    first: date
    last: date
    starts: list[int]
    ends: list[int]
    open_days: list[int]
    offsets: list[tuple[int, int, int]]


def holidays_between(
    rules: CalendarRules, first: date, last: date
) -> dict[date, tuple[Window, ...]]:
    """Holiday entries for the dates ``[first, last)``; a dated entry wins over a recurring one."""
    found: dict[date, tuple[Window, ...]] = {}
    for holiday in rules.recurring:
        for day in holiday.rule.between(first, last):
            found.setdefault(day, holiday.windows)
    for day, windows in rules.holidays.items():
        if first <= day < last:
            found[day] = windows
    return found


def _week_for(rules: CalendarRules, day: date) -> WeekHours:
    for season in rules.seasons:
        if season.first <= day <= season.last:
            return season.week
    for recurring in rules.recurring_seasons:
        if recurring.dates.falls_on(day):
            return recurring.week
    return rules.week


def own_windows(rules: CalendarRules, day: date) -> tuple[Window, ...]:
    """The windows that belong to ``day`` (rule 2): its holiday entry's windows when it has one,
    else its weekly (or season's) windows, an overnight one still running past 24:00.  The
    spill from the day before is not among them."""
    special = holidays_between(rules, day, day + timedelta(days=1)).get(day)
    return special if special is not None else _week_for(rules, day)[day.weekday()]


def wall_intervals(rules: CalendarRules, first: date, last: date) -> list[tuple[int, int]]:
    """Open wall-clock time of the dates ``[first, last)`` in seconds since 1970-01-01 00:00 local.

    Sorted, disjoint and merged where they touch.  Spill from ``first - 1`` is included;
    spill past ``last`` is cut off.
    """
    holidays = holidays_between(rules, first - timedelta(days=1), last)
    lo = (first.toordinal() - _EPOCH_ORDINAL) * _SECONDS_PER_DAY
    hi = (last.toordinal() - _EPOCH_ORDINAL) * _SECONDS_PER_DAY
    raw: list[tuple[int, int]] = []
    day = first - timedelta(days=1)
    while day < last:
        base = (day.toordinal() - _EPOCH_ORDINAL) * _SECONDS_PER_DAY
        special = holidays.get(day)
        windows = special if special is not None else _week_for(rules, day)[day.weekday()]
        next_is_holiday = (day + timedelta(days=1)) in holidays
        for start, end in windows:
            if next_is_holiday:
                end = min(end, SECONDS_PER_DAY)
            if special is not None:
                end = min(end, SECONDS_PER_DAY)
            s, e = max(base + start, lo), min(base + end, hi)
            if s < e:
                raw.append((s, e))
        day += timedelta(days=1)
    raw.sort()
    merged: list[tuple[int, int]] = []
    for s, e in raw:
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def _offset_seconds(zone: ZoneInfo, utc_seconds: int) -> int:
    offset = datetime.fromtimestamp(utc_seconds, UTC).astimezone(zone).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


def offset_segments(zone: ZoneInfo, lo: int, hi: int) -> list[tuple[int, int, int]]:
    """Stretches ``(start, end, offset)`` of constant UTC offset covering UTC seconds ``[lo, hi)``.

    Transitions are found by sampling every six hours and bisecting to the second, so two
    transitions less than six hours apart would be missed; no zone in the tz database has them
    in the years this library is meant for.
    """
    segments: list[tuple[int, int, int]] = []
    seg_start, t = lo, lo
    offset = _offset_seconds(zone, t)
    while t < hi:
        nxt = min(t + _SAMPLE_STEP, hi)
        if _offset_seconds(zone, nxt) == offset:
            t = nxt
            continue
        a, b = t, nxt
        while b - a > 1:
            mid = (a + b) // 2
            if _offset_seconds(zone, mid) == offset:
                a = mid
            else:
                b = mid
        segments.append((seg_start, b, offset))
        seg_start, t = b, b
        offset = _offset_seconds(zone, b)
    segments.append((seg_start, hi, offset))
    return segments


def open_intervals(rules: CalendarRules, first: date, last: date) -> Expansion:
    """Expand ``rules`` over the local dates ``[first, last)`` into UTC microsecond intervals."""
    walls = wall_intervals(rules, first, last)
    lo = (first.toordinal() - _EPOCH_ORDINAL) * _SECONDS_PER_DAY - _MARGIN
    hi = (last.toordinal() - _EPOCH_ORDINAL) * _SECONDS_PER_DAY + _MARGIN
    segments = offset_segments(rules.zone, lo, hi)
    seg_starts = [s for s, _, _ in segments]
    pieces: list[tuple[int, int, int]] = []
    for ws, we in walls:
        j = max(bisect_right(seg_starts, ws - _MARGIN) - 1, 0)
        while j < len(segments) and segments[j][0] < we + _MARGIN:
            ss, se, off = segments[j]
            s, e = max(ws - off, ss), min(we - off, se)
            if s < e:
                pieces.append((s, e, off))
            j += 1
    pieces.sort()
    starts: list[int] = []
    ends: list[int] = []
    days: set[int] = set()
    for s, e, off in pieces:
        first_day = (s + off) // _SECONDS_PER_DAY
        last_day = (e + off - 1) // _SECONDS_PER_DAY
        days.update(range(first_day + _EPOCH_ORDINAL, last_day + _EPOCH_ORDINAL + 1))
        if ends and s <= ends[-1] // _US:
            ends[-1] = max(ends[-1], e * _US)
        else:
            starts.append(s * _US)
            ends.append(e * _US)
    offsets = [(s * _US, e * _US, off * _US) for s, e, off in segments]
    return Expansion(first, last, starts, ends, sorted(days), offsets)
