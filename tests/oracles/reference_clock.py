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
  running to the next whole UTC minute.  All zones used have whole-minute offsets and
  transitions on whole minutes and all window edges are whole minutes, so open/closed is
  constant on each piece and its first instant decides it.

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
DAY_MINUTES = 24 * 60
_WINDOW = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")


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
    """``"09:00-17:30"`` -> (540, 1050) in minutes after midnight; the end may be 1440."""
    match = _WINDOW.match(text)
    assert match, text
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    return h1 * 60 + m1, h2 * 60 + m2


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
        for entry in spec.get("holidays", []):
            windows = [parse_window(text) for text in entry.get("hours") or []]
            if "date" in entry:
                day = date.fromisoformat(entry["date"])
                assert self.dated.get(day, windows) == windows, "conflicting holiday entries"
                self.dated[day] = windows
            else:
                self.rules.append((entry["rrule"], windows))
        self.seasons = [
            (date.fromisoformat(s["from"]), date.fromisoformat(s["to"]), parse_week(s["hours"]))
            for s in spec.get("seasons", [])
        ]
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
        """Open wall-clock intervals [start, end) of ``day``, in minutes within [0, 1440]."""
        if day not in self._windows:
            special = self.holiday(day)
            if special is not None:
                found = list(special)  # a holiday closes the rest of its date, spill included
            else:
                found = [
                    (s, DAY_MINUTES if is_overnight((s, e)) else e) for s, e in self.weekly(day)
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
        return any(s * MINUTE <= wall < e * MINUTE for s, e in self.windows(local.date()))

    # -- walking forward -----------------------------------------------------------------------

    @staticmethod
    def pieces(start: datetime, stop: datetime) -> Iterator[tuple[datetime, datetime]]:
        """[start, stop) in UTC, cut at every whole UTC minute."""
        p = utc(start)
        stop = utc(stop)
        while p < stop:
            q = min(p.replace(second=0, microsecond=0) + MINUTE, stop)
            yield p, q
            p = q

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
