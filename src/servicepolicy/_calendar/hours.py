"""Calendar text read into rules: windows (``09:00-17:30``), weekday keys (``mon-fri``),
and whole weeks, with the overlaps they must not have."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from .._common.errors import did_you_mean
from .._common.messages import N_
from .rules import SECONDS_PER_DAY, RecurringHoliday, SeasonRules, WeekHours, Window

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Each edge is HH:MM or HH:MM:SS; "09:00" and "09:00:00" are the same edge.
_WINDOW = re.compile(r"(\d\d):(\d\d)(?::(\d\d))?-(\d\d):(\d\d)(?::(\d\d))?")

_WINDOW_FORM = N_("window {window} is not of the form 'HH:MM-HH:MM' (e.g. '09:00-17:30')")
_IMPOSSIBLE_TIME = N_(
    "window {window} has an impossible time; hours run 00-23 (24:00 only as an end)"
)
_UNKNOWN_WEEKDAY_KEY = N_(
    "unknown weekday key {key}: use mon..sun, a range such as 'mon-fri' or 'sun-thu', or 'daily'"
)
# A message about a calendar's rules names the calendar, or the calendar and one of its seasons.
_GIVEN_BY_BOTH = (
    N_("calendar {calendar}: {day} is given by both {first} and {second}"),
    N_("calendar {calendar} season {season}: {day} is given by both {first} and {second}"),
)
_WINDOWS_OVERLAP = (
    N_("calendar {calendar}: windows on {day} overlap: {first} and {second}"),
    N_("calendar {calendar} season {season}: windows on {day} overlap: {first} and {second}"),
)
_HOLIDAY_WINDOWS_OVERLAP = N_("holiday: windows on that date overlap: {first} and {second}")


def parse_window(text: str) -> Window:
    """``"09:00-17:00"`` -> ``(32400, 61200)`` in seconds after midnight (``"09:00:30-17:00"``
    -> ``(32430, 61200)``); an end not after the start runs past midnight."""
    match = _WINDOW.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(_WINDOW_FORM.format(window=repr(text)))
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
        raise ValueError(_IMPOSSIBLE_TIME.format(window=repr(text)))
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
    raise ValueError(_UNKNOWN_WEEKDAY_KEY.format(key=repr(key)) + more)


class PlacedError(ValueError):
    """Rules that cannot hold together, and where in the calendar's fields (``subpath``)."""

    def __init__(self, message: str, subpath: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.subpath = subpath


Place = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Owner:
    """Whose hours a message names: the calendar called ``calendar`` (None for one without a
    name), or ``season``, one of its seasons, as the messages quote it."""

    calendar: str | None
    season: str | None = None

    def __str__(self) -> str:
        """The owner in English: ``calendar 'office'``, ``calendar 'office' season 'summer'``."""
        text = f"calendar {self.calendar!r}" if self.calendar else "calendar"
        return text if self.season is None else f"{text} season {self.season!r}"

    def says(self, templates: str | tuple[str, str], **fields: str) -> str:
        """The message about this owner: ``templates`` is one template about a calendar, or
        that and one about a season; each starts with ``calendar {calendar}``, which is plain
        ``calendar`` for a calendar without a name."""
        if isinstance(templates, str):
            templates = (templates, templates)
        template = templates[0] if self.season is None else templates[1]
        fields["season"] = repr(self.season)
        if not self.calendar:
            return "calendar" + template.removeprefix("calendar {calendar}").format(**fields)
        return template.format(calendar=repr(self.calendar), **fields)


def compile_week(hours: dict[str, list[str]], owner: Owner, at: Place = ("hours",)) -> WeekHours:
    """Weekly hours as seven sorted window tuples; refuses a day given twice or overlaps,
    placed at the key or window (under ``at``) that clashes."""
    days: list[list[tuple[Window, Place]]] = [[] for _ in range(7)]
    given_by: dict[int, str] = {}
    for key, windows in hours.items():
        for day in parse_weekdays(key):
            if day in given_by:
                message = owner.says(
                    _GIVEN_BY_BOTH, day=WEEKDAYS[day], first=repr(given_by[day]), second=repr(key)
                )
                raise PlacedError(message, (*at, key))
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
    owner: Owner, what: str, windows: list[Window], places: list[Place] | None = None
) -> None:
    """Refuse windows of one date (``what``) that overlap, naming both; placed at the later
    one's place when ``places`` (one per window) are given."""
    found = _overlap(windows)
    if found is not None:
        (s1, e1), (s2, e2) = windows[found[0]], windows[found[1]]
        message = owner.says(_WINDOWS_OVERLAP, day=what, first=_fmt(s1, e1), second=_fmt(s2, e2))
        raise PlacedError(message, places[found[1]] if places else ())


def refuse_holiday_overlaps(windows: list[Window]) -> None:
    """Refuse special hours of a holiday that overlap, naming both."""
    found = _overlap(windows)
    if found is not None:
        (s1, e1), (s2, e2) = windows[found[0]], windows[found[1]]
        first, second = _fmt(s1, e1), _fmt(s2, e2)
        raise PlacedError(_HOLIDAY_WINDOWS_OVERLAP.format(first=first, second=second))


def _overlap(windows: list[Window]) -> tuple[int, int] | None:
    """The indexes of the first two of ``windows`` (by start) that overlap, or None."""
    order = sorted(range(len(windows)), key=windows.__getitem__)
    for a, b in pairwise(order):
        if windows[b][0] < windows[a][1]:
            return a, b
    return None


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
    owner: Owner,
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
