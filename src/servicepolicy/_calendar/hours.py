"""Calendar text read into rules: windows (``09:00-17:30``), weekday keys (``mon-fri``),
and whole weeks, with the overlaps they must not have."""

from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from .._common.errors import did_you_mean
from .rules import SECONDS_PER_DAY, RecurringHoliday, SeasonRules, WeekHours, Window

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Each edge is HH:MM or HH:MM:SS; "09:00" and "09:00:00" are the same edge.
_WINDOW = re.compile(r"(\d\d):(\d\d)(?::(\d\d))?-(\d\d):(\d\d)(?::(\d\d))?")


def parse_window(text: str) -> Window:
    """``"09:00-17:00"`` -> ``(32400, 61200)`` in seconds after midnight (``"09:00:30-17:00"``
    -> ``(32430, 61200)``); an end not after the start runs past midnight."""
    match = _WINDOW.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"window {text!r} is not of the form 'HH:MM-HH:MM' (e.g. '09:00-17:30')")
    sh, sm, ss, eh, em, es = (int(g or 0) for g in match.groups())
    if (
        sh > 23
        or sm > 59
        or ss > 59
        or em > 59
        or es > 59
        or eh > 24
        or (eh == 24 and (em != 0 or es != 0))
    ):
        raise ValueError(
            f"window {text!r} has an impossible time; hours run 00-23 (24:00 only as an end)"
        )
    start, end = sh * 3600 + sm * 60 + ss, eh * 3600 + em * 60 + es
    if end <= start:
        end += SECONDS_PER_DAY
    return start, end


def parse_weekdays(key: str) -> tuple[int, ...]:
    """``"mon-fri"`` -> ``(0, 1, 2, 3, 4)``; ``"sun-thu"`` wraps; ``"daily"`` is all seven."""
    if key == "daily":
        return tuple(range(7))
    if key in WEEKDAYS:
        return (WEEKDAYS.index(key),)
    first, dash, last = key.partition("-")
    if dash and first in WEEKDAYS and last in WEEKDAYS and first != last:
        a, b = WEEKDAYS.index(first), WEEKDAYS.index(last)
        return tuple((a + k) % 7 for k in range(((b - a) % 7) + 1))
    more = did_you_mean(key, [*WEEKDAYS, "daily", "mon-fri", "sun-thu"])
    raise ValueError(
        f"unknown weekday key {key!r}: use mon..sun, a range such as 'mon-fri' or 'sun-thu', "
        f"or 'daily'{more}"
    )


class PlacedError(ValueError):
    """Rules that cannot hold together, and where in the calendar's fields (``subpath``)."""

    def __init__(self, message: str, subpath: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.subpath = subpath


Place = tuple[str | int, ...]


def compile_week(hours: dict[str, list[str]], owner: str, at: Place = ("hours",)) -> WeekHours:
    """Weekly hours as seven sorted window tuples; refuses a day given twice or overlaps,
    placed at the key or window (under ``at``) that clashes."""
    days: list[list[tuple[Window, Place]]] = [[] for _ in range(7)]
    given_by: dict[int, str] = {}
    for key, windows in hours.items():
        for day in parse_weekdays(key):
            if day in given_by:
                raise PlacedError(
                    f"{owner}: {WEEKDAYS[day]} is given by both {given_by[day]!r} and {key!r}",
                    (*at, key),
                )
            given_by[day] = key
            days[day] = [(parse_window(w), (*at, key, i)) for i, w in enumerate(windows)]
    for day in range(7):
        spill = [
            ((0, e - SECONDS_PER_DAY), place)
            for (_, e), place in days[(day - 1) % 7]
            if e > SECONDS_PER_DAY
        ]
        both = [*spill, *days[day]]
        refuse_overlaps(owner, WEEKDAYS[day], [w for w, _ in both], [p for _, p in both])
    return tuple(tuple(sorted(w for w, _ in d)) for d in days)


def refuse_overlaps(
    owner: str, what: str, windows: list[Window], places: list[Place] | None = None
) -> None:
    """Refuse windows of one date (``what``) that overlap, naming both; placed at the later
    one's place when ``places`` (one per window) are given."""
    order = sorted(range(len(windows)), key=windows.__getitem__)
    for a, b in pairwise(order):
        (s1, e1), (s2, e2) = windows[a], windows[b]
        if s2 < e1:
            raise PlacedError(
                f"{owner}: windows on {what} overlap: {_fmt(s1, e1)} and {_fmt(s2, e2)}",
                places[b] if places else (),
            )


def _fmt(start: int, end: int) -> str:
    def hm(s: int) -> str:
        text = f"{s // 3600 % 24 if s != SECONDS_PER_DAY else 24:02d}:{s // 60 % 60:02d}"
        return f"{text}:{s % 60:02d}" if s % 60 else text

    return f"{hm(start)}-{hm(end)}"


def _week_on(day: date, week: WeekHours, seasons: list[SeasonRules]) -> WeekHours:
    for season in seasons:
        if season.first <= day <= season.last:
            return season.week
    return week


def _is_holiday(day: date, dated: dict[date, Any], recurring: list[RecurringHoliday]) -> bool:
    if day in dated:
        return True
    return any(r.rule.falls_on(day) for r in recurring)


def refuse_boundary_overlaps(
    owner: str,
    week: WeekHours,
    seasons: list[SeasonRules],
    dated: dict[date, Any],
    recurring: list[RecurringHoliday],
    places: list[Place] | None = None,
) -> None:
    """Overnight spill across a season's first or last date must not overlap that date's own
    windows (a holiday on either date replaces them, so it cannot clash); placed at the
    season's place (``places``, one per season) when given."""
    one = timedelta(days=1)
    for n, season in enumerate(seasons):
        for day in (season.first, season.last + one):
            before = day - one
            if _is_holiday(day, dated, recurring) or _is_holiday(before, dated, recurring):
                continue
            spill = [
                (0, end - SECONDS_PER_DAY)
                for _, end in _week_on(before, week, seasons)[before.weekday()]
                if end > SECONDS_PER_DAY
            ]
            own = list(_week_on(day, week, seasons)[day.weekday()])
            both = [*spill, *own]
            where = [places[n]] * len(both) if places else None
            refuse_overlaps(owner, day.isoformat(), both, where)
