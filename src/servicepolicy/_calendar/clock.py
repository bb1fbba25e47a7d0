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

from bisect import bisect_right
from datetime import date
from typing import Final

from .._common.build import STEPPING_SEARCH, bisect_right_near
from .._common.errors import CalendarError
from .._common.instants import END_US, FIRST_YEAR, LAST_YEAR, US, from_micros, outside, supported
from .._common.records import record_repr
from .rules import CalendarRules, Expansion, open_intervals

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
        expansion = open_intervals(self.rules, date(first, 1, 1), date(last, 1, 1))
        index = _Index.build(expansion, first, last)
        self._index = index
        return index

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


def _year_of(micros: int) -> int:
    if not supported(micros):
        raise CalendarError(outside(from_micros(micros), "the instant"))
    return from_micros(micros).year
