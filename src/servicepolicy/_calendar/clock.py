"""BusinessClock: deadlines and elapsed business time by bisection over open intervals.

The calendar is expanded (see :mod:`.rules`) into sorted UTC intervals with a prefix sum
of open time, so ``F(t)``, the open time before ``t``, costs one bisect, and

* ``elapsed(a, b) = F(b) - F(a)``;
* ``add(s, d)`` is the first ``u`` with ``F(u) = F(s) + d``: one bisect on the prefix sums.

The expansion covers a range of whole years and grows when a query falls outside it,
so the cost of a query does not grow with the span it covers.  Where the build says so
(:data:`~.._common.build.STEPPING_SEARCH`), both searches step from a nearby interval (the
first of the instant's day, the start's interval) over a few intervals before they bisect.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, datetime, timedelta, tzinfo
from typing import Final

from .._common.build import STEPPING_SEARCH, bisect_right_near
from .._common.errors import CalendarError
from .._common.instants import (
    END_US,
    FIRST_US,
    FIRST_YEAR,
    LAST_YEAR,
    US,
    from_micros,
    instant,
    outside,
    supported,
    to_micros,
)
from .._common.records import record_repr
from .rules import CalendarRules, Expansion, open_intervals, own_windows

_DAY_US: Final = 86400 * US
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_MARGIN_US: Final = 2 * _DAY_US
_SEARCH_YEARS: Final = 30  # how far add/next_open look for open time before giving up
# Instants must lie strictly inside these years.
_MIN_YEAR: Final = FIRST_YEAR - 1  # the index covers a year either side, for local dates
_MAX_YEAR: Final = LAST_YEAR + 2
_INDEX_FIELDS: Final = (
    "starts",
    "ends",
    "cum",
    "base",
    "offset_starts",
    "offsets",
    "wall_bounds",
    "open_days",
    "first_year",
    "last_year",
    "safe_lo",
    "safe_hi",
    "day_origin",
    "first_start",
)


class _Index:
    """The expansion of a range of years, with what the searches need."""

    __slots__ = _INDEX_FIELDS

    def __init__(
        self,
        *,
        starts: list[int],
        ends: list[int],
        cum: list[int],
        base: list[int],
        offset_starts: list[int],
        offsets: list[int],
        wall_bounds: list[int],
        open_days: list[int],
        first_year: int,
        last_year: int,
        safe_lo: int,
        safe_hi: int,
        day_origin: int,
        first_start: list[int],
    ) -> None:
        self.starts = starts
        self.ends = ends
        self.cum = cum  # cum[i] = open time before starts[i]; cum[-1] = total
        self.base = base  # base[i] = cum[i] - starts[i], so F(t) = min(base[i] + t, cum[i + 1])
        self.offset_starts = offset_starts  # where a stretch of constant UTC offset begins
        self.offsets = offsets  # the offset of each stretch
        self.wall_bounds = wall_bounds  # wall time from which fold=0 reads the next offset
        self.open_days = open_days
        self.first_year = first_year
        self.last_year = last_year  # exclusive
        # Every UTC instant in [safe_lo, safe_hi] has its local date inside the range.
        self.safe_lo = safe_lo
        self.safe_hi = safe_hi
        # first_start[d] = bisect_right(starts, day_origin + d days): where the search for an
        # instant of UTC day d starts (see position).
        self.day_origin = day_origin
        self.first_start = first_start

    def __repr__(self) -> str:
        return record_repr(self, _INDEX_FIELDS)

    @classmethod
    def build(cls, expansion: Expansion, first_year: int, last_year: int) -> _Index:
        cum = [0]
        for s, e in zip(expansion.starts, expansion.ends, strict=True):
            cum.append(cum[-1] + e - s)
        safe_lo = (expansion.first.toordinal() - _EPOCH_ORDINAL) * _DAY_US + _MARGIN_US
        safe_hi = (expansion.last.toordinal() - _EPOCH_ORDINAL) * _DAY_US - _MARGIN_US
        base = [c - s for c, s in zip(cum, expansion.starts, strict=False)]
        offset_starts = [start for start, _, _ in expansion.offsets]
        offsets = [offset for _, _, offset in expansion.offsets]
        # As zoneinfo reads a wall time with fold=0: in a gap or a repeated hour, the offset
        # before the transition applies, so the next offset starts at transition + larger one.
        wall_bounds = [
            start + max(before, after)
            for start, before, after in zip(offset_starts[1:], offsets, offsets[1:], strict=False)
        ]
        starts = expansion.starts
        day_origin = starts[0] - starts[0] % _DAY_US if starts else 0
        first_start: list[int] = []
        if starts:
            i = 0
            for day in range((expansion.ends[-1] - day_origin) // _DAY_US + 1):
                moment = day_origin + day * _DAY_US
                while i < len(starts) and starts[i] <= moment:
                    i += 1
                first_start.append(i)
        return cls(
            starts=expansion.starts,
            ends=expansion.ends,
            cum=cum,
            base=base,
            offset_starts=offset_starts,
            offsets=offsets,
            wall_bounds=wall_bounds,
            open_days=expansion.open_days,
            first_year=first_year,
            last_year=last_year,
            safe_lo=safe_lo,
            safe_hi=safe_hi,
            day_origin=day_origin,
            first_start=first_start,
        )

    def offset_at(self, t: int) -> int:
        """The UTC offset (microseconds) in force at UTC instant ``t``."""
        return self.offsets[max(bisect_right(self.offset_starts, t) - 1, 0)]

    def utc_of_wall(self, wall: int) -> int:
        """The UTC instant of wall time ``wall`` (microseconds on the local clock), fold=0."""
        return wall - self.offsets[bisect_right(self.wall_bounds, wall)]

    def date_pieces(self, day: int) -> list[tuple[int, int]]:
        """The UTC instants whose local date is ``day`` (days since 1970-01-01), as sorted
        half-open pieces: one, or more where a transition repeats part of another date."""
        lo, hi = day * _DAY_US, (day + 1) * _DAY_US
        pieces: list[tuple[int, int]] = []
        k = max(bisect_right(self.offset_starts, lo - _MARGIN_US) - 1, 0)
        while k < len(self.offsets) and self.offset_starts[k] < hi + _MARGIN_US:
            seg_start = self.offset_starts[k] if k else lo - _MARGIN_US
            seg_end = self.offset_starts[k + 1] if k + 1 < len(self.offsets) else END_US
            first = max(lo - self.offsets[k], seg_start)
            last = min(hi - self.offsets[k], seg_end)
            if first < last:
                pieces.append((first, last))
            k += 1
        return pieces

    def position(self, t: int) -> int:
        """How many intervals start at or before ``t``: ``bisect_right(starts, t)``."""
        if STEPPING_SEARCH:
            day = (t - self.day_origin) // _DAY_US
            if 0 <= day < len(self.first_start):
                return bisect_right_near(self.starts, t, self.first_start[day])
        return bisect_right(self.starts, t)

    def open_before(self, t: int) -> int:
        """F(t): open time in [first covered instant, t)."""
        return self.open_at(self.position(t), t)

    def open_at(self, i: int, t: int) -> int:
        """F(t), given ``i = position(t)``."""
        if i == 0:
            return 0
        open_time = self.base[i - 1] + t
        whole = self.cum[i]
        return open_time if open_time < whole else whole

    def reaching(self, target: int, near: int) -> int:
        """The last interval with less than ``target`` open time before it:
        ``bisect_left(cum, target) - 1``; ``near`` is an interval known to have less."""
        # Among integers, "less than target" is "at most target - 1".
        return bisect_right_near(self.cum, target - 1, near + 1) - 1


class BusinessClock:
    """Answers business-time questions for one :class:`CalendarRules`.

    All instants are integer microseconds since the Unix epoch; :class:`Calendar` wraps this
    with datetimes.  The clock caches its expansion and grows it on demand; the cache never
    changes an answer.
    """

    def __init__(self, rules: CalendarRules, label: str = "calendar") -> None:
        self.rules = rules
        self.label = label
        self._index: _Index | None = None

    def __reduce__(self) -> tuple[type[BusinessClock], tuple[CalendarRules, str]]:
        # The index is a cache: a copy builds its own on first use.
        return (BusinessClock, (self.rules, self.label))

    # -- coverage -------------------------------------------------------------------------

    def _cover(self, lo: int, hi: int) -> _Index:
        """An index whose safe range contains ``[lo, hi]`` (microseconds)."""
        index = self._index
        if index is not None and index.safe_lo <= lo and hi <= index.safe_hi:
            return index
        first = index.first_year if index and lo >= index.safe_lo else _year_of(lo) - 1
        last = index.last_year if index and hi <= index.safe_hi else _year_of(hi) + 2
        if index is not None and first <= index.last_year + 5 and last >= index.first_year - 5:
            first, last = min(first, index.first_year), max(last, index.last_year)
        first, last = max(first, _MIN_YEAR), min(last, _MAX_YEAR)
        index = _Index.build(self._expand(first, last), first, last)
        self._index = index
        return index

    def _expand(self, first: int, last: int) -> Expansion:
        """Open time of the local dates in the years ``[first, last)``."""
        return open_intervals(self.rules, date(first, 1, 1), date(last, 1, 1))

    def _grow_backward(self, index: _Index, origin: int, *, searching: str | None) -> _Index:
        """Double the years covered before ``index`` (the mirror of :meth:`_grow_forward`)."""
        if searching and _year_of(origin) - index.first_year > _SEARCH_YEARS:
            raise CalendarError(
                f"{self.label} has no {searching} in the {_SEARCH_YEARS} years before "
                f"{from_micros(origin).astimezone(self.rules.zone).isoformat()}"
            )
        if index.first_year <= _MIN_YEAR:
            raise CalendarError(
                f"{self.label}: the answer lies before {FIRST_YEAR}, the first supported year"
            )
        years = index.last_year - index.first_year
        first = max(index.first_year - years, _MIN_YEAR)
        # _cover starts an index a year before the year of its low end.
        lo = max((date(first + 1, 1, 1).toordinal() - _EPOCH_ORDINAL) * _DAY_US, FIRST_US)
        return self._cover(lo, index.safe_hi)

    def _grow_forward(self, index: _Index, origin: int, *, searching: str | None) -> _Index:
        """Double the years covered after ``index``.

        ``searching`` names what a bounded search looks for (``"open time"``): it gives up
        :data:`_SEARCH_YEARS` after ``origin``.  Unbounded growth stops at the last year.
        """
        if searching and index.last_year - _year_of(origin) > _SEARCH_YEARS:
            raise CalendarError(
                f"{self.label} has no {searching} in the {_SEARCH_YEARS} years after "
                f"{from_micros(origin).astimezone(self.rules.zone).isoformat()}"
            )
        if index.safe_hi >= END_US - 1:
            raise CalendarError(
                f"{self.label}: the answer lies after {LAST_YEAR}, the last supported year"
            )
        years = index.last_year - index.first_year
        last = min(index.last_year + years, _MAX_YEAR)
        hi = (date(last, 1, 1).toordinal() - _EPOCH_ORDINAL) * _DAY_US - 3 * _DAY_US
        return self._cover(index.safe_lo, min(hi, END_US - 1))

    # -- queries ----------------------------------------------------------------------------

    def is_open(self, t: int) -> bool:
        index = self._cover(t, t)
        i = index.position(t) - 1
        return i >= 0 and t < index.ends[i]

    def next_open(self, t: int) -> int:
        """The first open instant at or after ``t``."""
        index = self._cover(t, t)
        while True:
            i = index.position(t) - 1
            if i >= 0 and t < index.ends[i]:
                return t
            if i + 1 < len(index.starts) and index.starts[i + 1] <= index.safe_hi:
                return index.starts[i + 1]
            index = self._grow_forward(index, t, searching="open time")

    def next_close(self, t: int) -> int:
        """The end of the open stretch holding ``t``, or of the next one if ``t`` is closed."""
        opening = self.next_open(t)
        index = self._cover(opening, opening)
        while True:
            i = index.position(opening) - 1
            if index.ends[i] <= index.safe_hi:
                return index.ends[i]
            index = self._grow_forward(index, opening, searching="closing")

    def elapsed(self, a: int, b: int) -> int:
        """Open time in ``[a, b)``; negative when ``b < a``."""
        index = self._index
        if (
            index is None
            or not (index.safe_lo <= a <= index.safe_hi)
            or not (index.safe_lo <= b <= index.safe_hi)
        ):
            index = self._cover(min(a, b), max(a, b))
        return index.open_before(b) - index.open_before(a)

    def add(self, start: int, amount: int) -> int:
        """The first ``u >= start`` with ``elapsed(start, u) == amount`` (``amount >= 0``)."""
        if amount < 0:
            raise CalendarError(f"{self.label}: cannot add a negative duration")
        if amount == 0:
            return self.next_open(start)
        index = self._cover(start, start)
        while True:
            i = index.position(start)
            target = index.open_at(i, start) + amount
            if target <= index.open_before(index.safe_hi):
                # The interval holding start (or the first one) has less than target before it.
                j = index.reaching(target, max(i - 1, 0))
                return index.starts[j] + (target - index.cum[j])
            # An amount may lie centuries ahead, but open time must come within the horizon.
            nothing_ahead = index.open_before(index.safe_hi) == index.open_at(i, start)
            index = self._grow_forward(
                index, start, searching="open time" if nothing_ahead else None
            )

    def add_business_days(self, start: int, days: int) -> int:
        """The same local time of day on the ``days``-th following date with open time.

        A closed ``start`` first moves to the next opening; a landing wall time in a DST gap is
        read with the offset before the gap; a closed landing moves to the next opening.
        """
        if days < 0:
            raise CalendarError(f"{self.label}: add_business_days needs a count of zero or more")
        opening = self.next_open(start)
        if days == 0:
            return opening
        local = opening + self._cover(opening, opening).offset_at(opening)
        day, time_of_day = divmod(local, _DAY_US)
        ordinal = self.nth_open_day(day + _EPOCH_ORDINAL, days)
        wall = (ordinal - _EPOCH_ORDINAL) * _DAY_US + time_of_day
        return self.next_open(self._cover(wall - _DAY_US, wall + _DAY_US).utc_of_wall(wall))

    def nth_open_day(self, day_ordinal: int, n: int) -> int:
        """Ordinal of the ``n``-th date after ``day_ordinal`` with open time (``n >= 1``)."""
        t = (day_ordinal - _EPOCH_ORDINAL) * _DAY_US
        index = self._cover(t, t)
        while True:
            k = bisect_right(index.open_days, day_ordinal) + n - 1
            if k < len(index.open_days):
                found = index.open_days[k]
                if (found - _EPOCH_ORDINAL + 1) * _DAY_US <= index.safe_hi:
                    return found
            index = self._grow_forward(index, t, searching="open time")

    # -- backward and day-end operations (docs/business-time.md, rules 9-12) ----------------

    def subtract(self, end: int, amount: int) -> int:
        """The last ``u <= end`` with ``elapsed(u, end) == amount`` (``amount >= 0``)."""
        if amount < 0:
            raise CalendarError(f"{self.label}: cannot subtract a negative duration")
        if amount == 0:
            return end
        index = self._cover(end, end)
        while True:
            target = index.open_before(end) - amount
            floor = index.open_before(index.safe_lo)
            if target >= floor:
                # cum[j] <= target < cum[j + 1]: the answer lies in interval j, at its start
                # when target == cum[j] (the latest instant with that much open time before it).
                j = bisect_right(index.cum, target) - 1
                return index.starts[j] + (target - index.cum[j])
            nothing_behind = floor == index.open_before(end)
            index = self._grow_backward(
                index, end, searching="open time" if nothing_behind else None
            )

    def previous_open(self, t: int) -> int:
        """``t`` when open; otherwise the end of the last open stretch before ``t``."""
        index = self._cover(t, t)
        while True:
            i = index.position(t) - 1
            if i >= 0 and t < index.ends[i]:
                return t
            if i >= 0 and index.ends[i] >= index.safe_lo:
                return index.ends[i]
            index = self._grow_backward(index, t, searching="open time")

    def previous_close(self, t: int) -> int:
        """The last end of an open stretch at or before ``t``."""
        index = self._cover(t, t)
        while True:
            i = index.position(t) - 1
            if i >= 0 and t < index.ends[i]:
                i -= 1  # t is open: its own stretch has not ended yet
            if i >= 0 and index.ends[i] >= index.safe_lo:
                return index.ends[i]
            index = self._grow_backward(index, t, searching="closing")

    def local_day(self, t: int) -> tuple[int, int]:
        """``t``'s local date (days since 1970-01-01) and wall time of day (microseconds)."""
        local = t + self._cover(t, t).offset_at(t)
        day, time_of_day = divmod(local, _DAY_US)
        return day, time_of_day

    def is_break(self, t: int) -> bool:
        """Whether ``t`` is closed, with a window of its local date ending at or before its
        wall time and another starting after it (the date's own windows, rule 2)."""
        if self.is_open(t):
            return False
        day, wall = self.local_day(t)
        windows = own_windows(self.rules, date.fromordinal(day + _EPOCH_ORDINAL))
        return any(end * US <= wall for _, end in windows) and any(
            start * US > wall for start, _ in windows
        )

    def end_of_business_day(self, t: int) -> int:
        """The end of the open stretch holding the last open instant of the local date of
        ``next_open(t)``."""
        opening = self.next_open(t)
        day, _ = self.local_day(opening)
        index = self._cover(opening, opening)
        while True:
            found = -1
            for first, last in index.date_pieces(day):
                i = bisect_left(index.starts, last) - 1  # the last interval starting before
                if i >= 0 and index.ends[i] > first and last > opening:
                    found = max(found, i)
            if found >= 0 and index.ends[found] <= index.safe_hi:
                return index.ends[found]
            index = self._grow_forward(index, opening, searching="closing")


class IntersectionClock(BusinessClock):
    """Open exactly when both clocks are open: the intersection of their open intervals.

    Its instants are UTC like any clock's; its ``rules`` (the zone results are given in, and
    the offsets in its index) are the left clock's.  A date means nothing to an intersection
    of two zones, so it has no open days: :meth:`add_business_days`, :meth:`is_break` and
    :meth:`end_of_business_day` are not for it.
    """

    def __init__(self, left: BusinessClock, right: BusinessClock) -> None:
        super().__init__(left.rules, f"{left.label} and {right.label}")
        self.left = left
        self.right = right

    def __reduce__(self) -> tuple[type[BusinessClock], tuple[BusinessClock, BusinessClock]]:  # type: ignore[override]
        return (IntersectionClock, (self.left, self.right))

    def _expand(self, first: int, last: int) -> Expansion:
        a = self.left._expand(first, last)
        b = self.right._expand(first, last)
        starts: list[int] = []
        ends: list[int] = []
        i = j = 0
        while i < len(a.starts) and j < len(b.starts):
            s = max(a.starts[i], b.starts[j])
            e = min(a.ends[i], b.ends[j])
            if s < e:
                if ends and s <= ends[-1]:
                    ends[-1] = max(ends[-1], e)
                else:
                    starts.append(s)
                    ends.append(e)
            if a.ends[i] <= b.ends[j]:
                i += 1
            else:
                j += 1
        return Expansion(a.first, a.last, starts, ends, [], a.offsets)


def _amount(duration: timedelta) -> int:
    if not isinstance(duration, timedelta):
        raise TypeError(
            f"duration must be a timedelta, got {type(duration).__name__} {duration!r:.60}"
        )
    return (duration.days * 86400 + duration.seconds) * US + duration.microseconds


class CalendarIntersection:
    """Open time that is open in two calendars at once: what ``Calendar.intersect`` returns.

    It answers with the clock API of :class:`Calendar` (``is_open``, ``next_open``,
    ``next_close``, ``previous_open``, ``previous_close``, ``add``, ``subtract``,
    ``elapsed``, ``intersect``) under the same contract, with "open" meaning open in both.
    Aware datetimes in, datetimes in the first calendar's zone out.  The operations that
    count local dates (``add_business_days``, ``holiday_at``, ``is_break``,
    ``end_of_business_day``) are left out: two calendars may have two zones, and so two
    different dates at one instant.
    """

    __slots__ = ("clock",)

    def __init__(self, clock: IntersectionClock) -> None:
        self.clock = clock

    def __repr__(self) -> str:
        return f"CalendarIntersection({self.clock.label})"

    @property
    def zone(self) -> tzinfo:
        """The zone results are given in: the first calendar's."""
        return self.clock.rules.zone

    def _out(self, micros: int) -> datetime:
        return instant(micros, self.clock.rules.zone)

    def is_open(self, moment: datetime) -> bool:
        return self.clock.is_open(to_micros(moment))

    def next_open(self, moment: datetime) -> datetime:
        return self._out(self.clock.next_open(to_micros(moment)))

    def next_close(self, moment: datetime) -> datetime:
        return self._out(self.clock.next_close(to_micros(moment)))

    def previous_open(self, moment: datetime) -> datetime:
        return self._out(self.clock.previous_open(to_micros(moment)))

    def previous_close(self, moment: datetime) -> datetime:
        return self._out(self.clock.previous_close(to_micros(moment)))

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return self._out(self.clock.add(to_micros(start, "start"), _amount(duration)))

    def subtract(self, end: datetime, duration: timedelta) -> datetime:
        return self._out(self.clock.subtract(to_micros(end, "end"), _amount(duration)))

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        micros = self.clock.elapsed(to_micros(start, "start"), to_micros(end, "end"))
        return timedelta(microseconds=micros)

    def intersect(self, other: object) -> CalendarIntersection:
        """Open time open here and in ``other`` (a Calendar or another intersection)."""
        return CalendarIntersection(IntersectionClock(self.clock, clock_behind(other)))


def clock_behind(other: object) -> BusinessClock:
    """The clock of a Calendar or a CalendarIntersection; TypeError for anything else."""
    if isinstance(other, CalendarIntersection):
        return other.clock
    clock = getattr(other, "_clock", None)  # a Calendar's compiled clock
    if isinstance(clock, BusinessClock):
        return clock
    raise TypeError(
        f"can only intersect with a Calendar or a CalendarIntersection, got {type(other).__name__}"
    )


def _year_of(micros: int) -> int:
    if not supported(micros):
        raise CalendarError(outside(from_micros(micros), "the instant"))
    return from_micros(micros).year
