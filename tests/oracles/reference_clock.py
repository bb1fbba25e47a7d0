"""A slow, obviously-correct business-hours clock, written only from the contract.

It shares no code with ``servicepolicy``'s clock: it reads the same calendar dict and decides
every question directly from the rules.

* Rule 1-3 (``is_open``): convert the instant to the calendar's zone and look its wall-clock
  time up in the open windows of its local date.  A date's windows are the holiday entry's
  windows when the date has one (none for a plain holiday); otherwise the weekly windows of the
  date (the season's week when a season covers it), with an overnight window cut at 24:00, plus
  the after-midnight part of the previous date's overnight windows (unless that date is a
  holiday, whose windows never run past midnight).
* ``elapsed``/``add``/``next_open``/``next_close`` walk forward piece by piece, each piece
  running to the next whole UTC minute (to the next whole second when a window edge has
  seconds).  All zones used have whole-minute offsets and transitions on whole minutes and
  all window edges are whole minutes (or seconds), so open/closed is constant on each piece
  and its first instant decides it.
* ``subtract``/``previous_open``/``previous_close`` walk backward the same way;
  ``holiday_at``, ``is_break`` and ``end_of_business_day`` read the rules for one date, and
  :class:`ReferenceIntersection` is open where both of two references are.

Everything is computed in UTC: ``-`` and ``<`` between two datetimes sharing a ``ZoneInfo``
compare wall clocks and ignore ``fold``, which is wrong across DST transitions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTE = timedelta(minutes=1)
SECOND = timedelta(seconds=1)
DAY_SECONDS = 24 * 3600
_WINDOW = re.compile(r"^(\d\d):(\d\d)(?::(\d\d))?-(\d\d):(\d\d)(?::(\d\d))?$")


_EXPANDED = (date(2015, 1, 1), date(2035, 12, 31))


@cache
def rule_dates(text: str) -> frozenset[date]:
    """The dates an rrule (anchored at 1970-01-01) hits in 2015-2035, expanded once."""
    rule = rrulestr(text, dtstart=datetime(1970, 1, 1))
    first, last = (datetime.combine(day, time()) for day in _EXPANDED)
    return frozenset(hit.date() for hit in rule.between(first, last, inc=True))  # type: ignore[attr-defined]


class BeyondHorizon(Exception):
    """The reference gave up: the answer lies further away than it is willing to walk."""


def utc(moment: datetime) -> datetime:
    assert moment.tzinfo is not None, "the reference only takes aware datetimes"
    return moment.astimezone(UTC)


def weekday_set(key: str) -> set[int]:
    """``mon`` -> {0}; ``mon-fri`` -> {0..4}; ``sun-thu`` wraps -> {6,0,1,2,3}; ``daily``."""
    if key == "daily":
        return set(range(7))
    if "-" in key:
        first, last = (WEEKDAYS.index(part) for part in key.split("-"))
        days = {first}
        day = first
        while day != last:
            day = (day + 1) % 7
            days.add(day)
        return days
    return {WEEKDAYS.index(key)}


def parse_window(text: str) -> tuple[int, int]:
    """``"09:00-17:30"`` -> (32400, 63000) in seconds after midnight; the end may be 86400.
    ``"09:00:30-17:00:00"`` -> (32430, 61200): an edge without seconds has ``:00``."""
    match = _WINDOW.match(text)
    assert match, text
    h1, m1, s1, h2, m2, s2 = (int(part or 0) for part in match.groups())
    return h1 * 3600 + m1 * 60 + s1, h2 * 3600 + m2 * 60 + s2


def parse_week(hours: dict[str, list[str]]) -> dict[int, list[tuple[int, int]]]:
    week: dict[int, list[tuple[int, int]]] = {day: [] for day in range(7)}
    for key, windows in hours.items():
        for day in weekday_set(key):
            week[day].extend(parse_window(text) for text in windows)
    return week


def is_overnight(window: tuple[int, int]) -> bool:
    start, end = window
    return end <= start  # rule 2: "end not after start"


class ReferenceCalendar:
    def __init__(self, spec: dict) -> None:
        self.zone = ZoneInfo(spec["timezone"])
        self.week = parse_week(spec["hours"])
        self.dated: dict[date, list[tuple[int, int]]] = {}
        self.rules: list[tuple[str, list[tuple[int, int]]]] = []
        self.names: dict[date, str] = {}  # dated entries; the first listed names the date
        self.rule_names: list[str] = []
        for entry in spec.get("holidays", []):
            windows = [parse_window(text) for text in entry.get("hours") or []]
            if "date" in entry:
                day = date.fromisoformat(entry["date"])
                assert self.dated.get(day, windows) == windows, "conflicting holiday entries"
                self.dated[day] = windows
                self.names.setdefault(day, entry.get("name", ""))
            else:
                self.rules.append((entry["rrule"], windows))
                self.rule_names.append(entry.get("name", ""))
        self.seasons = [
            (date.fromisoformat(s["from"]), date.fromisoformat(s["to"]), parse_week(s["hours"]))
            for s in spec.get("seasons", [])
        ]
        every = [
            edge
            for week in [self.week, *(w for _, _, w in self.seasons)]
            for windows in week.values()
            for window in windows
            for edge in window
        ]
        every += [
            edge
            for ws in [*self.dated.values(), *(w for _, w in self.rules)]
            for w in ws
            for edge in w
        ]
        # pieces run to the next whole minute, or second when an edge has seconds
        self.step = MINUTE if all(edge % 60 == 0 for edge in every) else SECOND
        self._windows: dict[date, list[tuple[int, int]]] = {}
        self._holiday: dict[date, list[tuple[int, int]] | None] = {}

    # -- rules 1-3: the open windows of one local date -----------------------------------------

    def holiday(self, day: date) -> list[tuple[int, int]] | None:
        """The holiday entry's windows for ``day`` ([] for a plain holiday), or None."""
        if day not in self._holiday:
            found = self.dated.get(day)
            if found is None:
                assert _EXPANDED[0] <= day <= _EXPANDED[1], day
                for text, windows in self.rules:
                    if day in rule_dates(text):
                        found = windows
                        break
            self._holiday[day] = found
        return self._holiday[day]

    def weekly(self, day: date) -> list[tuple[int, int]]:
        for first, last, week in self.seasons:
            if first <= day <= last:
                return week[day.weekday()]
        return self.week[day.weekday()]

    def windows(self, day: date) -> list[tuple[int, int]]:
        """Open wall-clock intervals [start, end) of ``day``, in seconds within [0, 86400]."""
        if day not in self._windows:
            special = self.holiday(day)
            if special is not None:
                found = list(special)  # a holiday closes the rest of its date, spill included
            else:
                found = [
                    (s, DAY_SECONDS if is_overnight((s, e)) else e) for s, e in self.weekly(day)
                ]
                before = day - timedelta(days=1)
                if self.holiday(before) is None:
                    found += [(0, e) for s, e in self.weekly(before) if is_overnight((s, e)) and e]
            self._windows[day] = sorted(found)
        return self._windows[day]

    def overlapping_dates(self, days: list[date]) -> list[date]:
        """Dates among ``days`` whose windows overlap (the calendar would be invalid)."""
        bad = []
        for day in days:
            spans = self.windows(day)
            if any(a[1] > b[0] for a, b in pairwise(spans)):
                bad.append(day)
        return bad

    def is_open(self, moment: datetime) -> bool:
        local = utc(moment).astimezone(self.zone)
        assert local.utcoffset() % MINUTE == timedelta(0), "whole-minute offsets only"
        wall = timedelta(
            hours=local.hour,
            minutes=local.minute,
            seconds=local.second,
            microseconds=local.microsecond,
        )
        return any(s * SECOND <= wall < e * SECOND for s, e in self.windows(local.date()))

    # -- walking forward -----------------------------------------------------------------------

    def floor(self, moment: datetime) -> datetime:
        """``moment`` (UTC) cut down to a whole step (minute or second)."""
        cut = moment.replace(microsecond=0)
        return cut if self.step == SECOND else cut.replace(second=0)

    def pieces(self, start: datetime, stop: datetime) -> Iterator[tuple[datetime, datetime]]:
        """[start, stop) in UTC, cut at every whole UTC minute (or second)."""
        p = utc(start)
        stop = utc(stop)
        while p < stop:
            q = min(self.floor(p) + self.step, stop)
            yield p, q
            p = q

    def pieces_back(self, stop: datetime, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """[start, stop) in UTC, cut the same way, latest piece first."""
        q = utc(stop)
        start = utc(start)
        while q > start:
            p = max(self.floor(q - timedelta(microseconds=1)), start)
            yield p, q
            q = p

    def elapsed(self, a: datetime, b: datetime) -> timedelta:
        if utc(b) < utc(a):
            return -self.elapsed(b, a)
        total = timedelta(0)
        for p, q in self.pieces(a, b):
            if self.is_open(p):
                total += q - p
        return total

    def add(self, start: datetime, duration: timedelta, horizon=timedelta(days=6)) -> datetime:
        """First u >= start with open time ``duration`` in [start, u); a closed start begins at
        the next opening (so ``add(start, 0)`` is the first open instant >= start)."""
        if duration < timedelta(0):
            raise ValueError("negative duration")
        used = timedelta(0)
        for p, q in self.pieces(start, utc(start) + horizon):
            if self.is_open(p):
                if used + (q - p) >= duration:
                    return (p + (duration - used)).astimezone(self.zone)
                used += q - p
        raise BeyondHorizon

    def next_open(self, moment: datetime, horizon=timedelta(days=6)) -> datetime:
        return self.add(moment, timedelta(0), horizon)

    def next_close(self, moment: datetime, horizon=timedelta(days=6)) -> datetime:
        opening = self.next_open(moment, horizon)
        for p, _ in self.pieces(opening, utc(moment) + horizon):
            if not self.is_open(p):
                return p.astimezone(self.zone)
        raise BeyondHorizon

    # -- rule 7 --------------------------------------------------------------------------------

    def day_start(self, day: date) -> datetime:
        """The first instant whose local date is ``day`` (UTC)."""
        first = datetime.combine(day, time(), tzinfo=self.zone).astimezone(UTC)
        assert first.astimezone(self.zone).date() == day
        assert (first - timedelta(microseconds=1)).astimezone(self.zone).date() < day
        return first

    def has_open_time(self, day: date) -> bool:
        if not self.windows(day):
            return False
        end = self.day_start(day + timedelta(days=1))
        return any(self.is_open(p) for p, _ in self.pieces(self.day_start(day), end))

    def add_business_days(self, start: datetime, days: int) -> list[datetime]:
        """The acceptable answers (UTC): one, or two when the landing wall time is repeated by
        a fall-back (the contract does not say which occurrence is meant)."""
        moved = self.next_open(start).astimezone(self.zone)
        day, wall = moved.date(), moved.time()
        counted = 0
        for _ in range(366):
            if counted == days:
                break
            day += timedelta(days=1)
            counted += self.has_open_time(day)
        else:
            raise BeyondHorizon
        first = datetime.combine(day, wall.replace(fold=0), tzinfo=self.zone)
        second = first.replace(fold=1)
        landings = [utc(first)]
        exists = utc(first).astimezone(self.zone).replace(tzinfo=None) == first.replace(tzinfo=None)
        if exists and utc(second) != utc(first):
            landings.append(utc(second))  # a repeated wall time: either occurrence
        # a wall time in a gap: fold=0 reads it with the offset before the gap (PEP 495)
        return [utc(self.next_open(landing, horizon=timedelta(days=30))) for landing in landings]

    # -- backward and day-end operations ---------------------------------------------------------

    def subtract(self, end: datetime, duration: timedelta, horizon=timedelta(days=6)) -> datetime:
        """The last u <= end with open time ``duration`` in [u, end)."""
        if duration < timedelta(0):
            raise ValueError("negative duration")
        if not duration:
            return end.astimezone(self.zone)
        used = timedelta(0)
        for p, q in self.pieces_back(end, utc(end) - horizon):
            if self.is_open(p):
                if used + (q - p) >= duration:
                    return (q - (duration - used)).astimezone(self.zone)
                used += q - p
        raise BeyondHorizon

    def previous_open(self, moment: datetime, horizon=timedelta(days=6)) -> datetime:
        """``moment`` when open, else the end of the last open time before it."""
        if self.is_open(moment):
            return moment.astimezone(self.zone)
        for p, q in self.pieces_back(moment, utc(moment) - horizon):
            if self.is_open(p):
                return q.astimezone(self.zone)
        raise BeyondHorizon

    def previous_close(self, moment: datetime, horizon=timedelta(days=6)) -> datetime:
        """The last instant c <= moment that is closed with open time just before it."""
        after = self.is_open(moment)  # whether the instant q of the piece [p, q) is open
        for p, q in self.pieces_back(moment, utc(moment) - horizon):
            now = self.is_open(p)
            if now and not after:
                return q.astimezone(self.zone)
            after = now
        raise BeyondHorizon

    def local(self, moment: datetime) -> datetime:
        return utc(moment).astimezone(self.zone)

    def holiday_at(self, moment: datetime) -> str | None:
        day = self.local(moment).date()
        if day in self.names:
            return self.names[day]
        for (text, _), name in zip(self.rules, self.rule_names, strict=True):
            if day in rule_dates(text):
                return name
        return None

    def own_windows(self, day: date) -> list[tuple[int, int]]:
        """The windows that belong to ``day`` (rule 2), overnight ones as written."""
        special = self.holiday(day)
        return list(special) if special is not None else list(self.weekly(day))

    def is_break(self, moment: datetime) -> bool:
        if self.is_open(moment):
            return False
        local = self.local(moment)
        wall = timedelta(
            hours=local.hour,
            minutes=local.minute,
            seconds=local.second,
            microseconds=local.microsecond,
        )
        windows = self.own_windows(local.date())
        ends = [DAY_SECONDS if is_overnight(w) else w[1] for w in windows]
        return any(e * SECOND <= wall for e in ends) and any(s * SECOND > wall for s, _ in windows)

    def end_of_business_day(self, moment: datetime, horizon=timedelta(days=6)) -> datetime:
        """The end of the open stretch holding the last open instant of next_open's date."""
        opening = utc(self.next_open(moment, horizon))
        day = self.local(opening).date()
        last = None
        for p, _ in self.pieces(opening, self.day_start(day + timedelta(days=2))):
            if self.is_open(p) and self.local(p).date() == day:
                last = p
        assert last is not None
        return self.next_close(last, horizon)


class ReferenceIntersection(ReferenceCalendar):
    """Open where both references are open; results in the first one's zone."""

    def __init__(self, first: ReferenceCalendar, second: ReferenceCalendar) -> None:
        self.first, self.second = first, second
        self.zone = first.zone
        self.step = min(first.step, second.step)

    def is_open(self, moment: datetime) -> bool:
        return self.first.is_open(moment) and self.second.is_open(moment)
