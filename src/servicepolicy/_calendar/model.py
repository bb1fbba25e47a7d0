"""The public :class:`Calendar` model: validation of the YAML shape, and the clock methods."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import cache
from itertools import pairwise
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil.rrule import rrulebase, rrulestr
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from .._common.durations import BusinessDays, Span
from .._common.errors import did_you_mean
from .clock import BusinessClock, instant, to_micros
from .rules import (
    MINUTES_PER_DAY,
    CalendarRules,
    RecurringHoliday,
    SeasonRules,
    WeekHours,
    Window,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(r"(\d\d):(\d\d)-(\d\d):(\d\d)")
_RRULE_ANCHOR = datetime(1970, 1, 1)  # noqa: DTZ001 - rrules run on naive local dates


def parse_window(text: str) -> Window:
    """``"09:00-17:00"`` -> ``(540, 1020)``; an end not after the start runs past midnight."""
    match = _WINDOW.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"window {text!r} is not of the form 'HH:MM-HH:MM' (e.g. '09:00-17:30')")
    sh, sm, eh, em = (int(g) for g in match.groups())
    if sh > 23 or sm > 59 or em > 59 or eh > 24 or (eh == 24 and em != 0):
        raise ValueError(
            f"window {text!r} has an impossible time; hours run 00-23 (24:00 only as an end)"
        )
    start, end = sh * 60 + sm, eh * 60 + em
    if end <= start:
        end += MINUTES_PER_DAY
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


def _check_window(text: str) -> str:
    parse_window(text)
    return text


def _check_weekdays(key: str) -> str:
    parse_weekdays(key)
    return key


_WINDOW_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"
_DAY = "(mon|tue|wed|thu|fri|sat|sun)"
_WEEKDAY_PATTERN = rf"^(daily|{_DAY}(-{_DAY})?)$"

WindowText = Annotated[
    str,
    AfterValidator(_check_window),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _WINDOW_PATTERN,
            "description": "HH:MM-HH:MM; an end not after the start runs past midnight",
        }
    ),
]
WeekdayKey = Annotated[
    str,
    AfterValidator(_check_weekdays),
    WithJsonSchema({"type": "string", "pattern": _WEEKDAY_PATTERN}),
]
WeeklyHours = Annotated[
    dict[WeekdayKey, list[WindowText]],
    WithJsonSchema(
        {
            "type": "object",
            "propertyNames": {"pattern": _WEEKDAY_PATTERN},
            "additionalProperties": {
                "type": "array",
                "items": {"type": "string", "pattern": _WINDOW_PATTERN},
            },
        }
    ),
]


def compile_week(hours: dict[str, list[str]], owner: str) -> WeekHours:
    """Weekly hours as seven sorted window tuples; refuses a day given twice or overlaps."""
    days: list[list[Window]] = [[] for _ in range(7)]
    given_by: dict[int, str] = {}
    for key, windows in hours.items():
        for day in parse_weekdays(key):
            if day in given_by:
                raise ValueError(
                    f"{owner}: {WEEKDAYS[day]} is given by both {given_by[day]!r} and {key!r}"
                )
            given_by[day] = key
            days[day] = sorted(parse_window(w) for w in windows)
    for day in range(7):
        spill = [(0, e - MINUTES_PER_DAY) for s, e in days[(day - 1) % 7] if e > MINUTES_PER_DAY]
        _refuse_overlaps(owner, WEEKDAYS[day], [*spill, *days[day]])
    return tuple(tuple(d) for d in days)


def _refuse_overlaps(owner: str, what: str, windows: list[Window]) -> None:
    ordered = sorted(windows)
    for (s1, e1), (s2, e2) in pairwise(ordered):
        if s2 < e1:
            raise ValueError(
                f"{owner}: windows on {what} overlap: {_fmt(s1, e1)} and {_fmt(s2, e2)}"
            )


def _fmt(start: int, end: int) -> str:
    def hm(m: int) -> str:
        return f"{m // 60 % 24 if m != MINUTES_PER_DAY else 24:02d}:{m % 60:02d}"

    return f"{hm(start)}-{hm(end)}"


class Holiday(BaseModel):
    """A closed date, or a date with special hours; a fixed ``date`` or a recurring ``rrule``."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    day: date | None = Field(default=None, alias="date")
    rrule: str | None = None
    name: str = ""
    hours: list[WindowText] | None = None

    @field_validator("rrule")
    @classmethod
    def _rrule_parses(cls, value: str | None) -> str | None:
        if value is not None:
            parse_rrule(value)
        return value

    @field_validator("hours")
    @classmethod
    def _no_overnight(cls, value: list[str] | None) -> list[str] | None:
        for text in value or []:
            if parse_window(text)[1] > MINUTES_PER_DAY:
                raise ValueError(
                    f"special hours {text!r} run past midnight; a holiday's hours end by 24:00"
                )
        if value:
            _refuse_overlaps("holiday", "that date", [parse_window(w) for w in value])
        return value

    @model_validator(mode="after")
    def _one_of_date_or_rrule(self) -> Holiday:
        if (self.day is None) == (self.rrule is None):
            raise ValueError("a holiday needs exactly one of 'date' or 'rrule'")
        return self

    def windows(self) -> tuple[Window, ...]:
        """The open windows on the holiday (none for a plain holiday)."""
        return tuple(sorted(parse_window(w) for w in self.hours or []))


def parse_rrule(text: str) -> rrulebase:
    """Parse an RFC 5545 recurrence rule; rules without ``DTSTART`` start on 1970-01-01."""
    try:
        rule = rrulestr(text, dtstart=_RRULE_ANCHOR)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise ValueError(f"rrule {text!r} does not parse: {exc}") from None
    dtstart = getattr(rule, "_dtstart", None)
    if dtstart is not None and dtstart.tzinfo is not None:
        raise ValueError(f"rrule {text!r}: DTSTART must be a plain date, without a time zone")
    return rule


class Season(BaseModel):
    """Dates ``from``..``to`` (inclusive) that use their own weekly ``hours``."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    first: date = Field(alias="from")
    last: date = Field(alias="to")
    hours: WeeklyHours
    name: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Season:
        if self.last < self.first:
            raise ValueError(
                f"season {self.name!r} ends ({self.last}) before it starts ({self.first})"
            )
        return self


@cache
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


class Calendar(BaseModel):
    """Business hours in one time zone, with holidays and seasons, and the clock over them.

    Build one from the same shape a policy file uses::

        Calendar.model_validate({"timezone": "Europe/Berlin",
                                 "hours": {"mon-fri": ["09:00-17:00"]}})

    Every method takes aware datetimes (a naive one raises :class:`NaiveDatetimeError`) and
    returns datetimes in the calendar's zone.  See ``docs/business-time.md`` for the rules.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    timezone: str
    hours: WeeklyHours
    holidays: list[Holiday] = Field(default_factory=list)
    seasons: list[Season] = Field(default_factory=list)

    _clock: BusinessClock = PrivateAttr()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            more = (
                did_you_mean(value, _zone_names()) or "; use an IANA name such as 'Europe/Berlin'"
            )
            raise ValueError(f"unknown time zone {value!r}{more}") from None
        return value

    @model_validator(mode="after")
    def _compile(self) -> Calendar:
        owner = f"calendar {self.name!r}" if self.name else "calendar"
        week = compile_week(self.hours, owner)
        seasons = []
        for season in sorted(self.seasons, key=lambda s: s.first):
            label = f"{owner} season {season.name or season.first.isoformat()!r}"
            seasons.append(
                SeasonRules(
                    season.first, season.last, compile_week(season.hours, label), season.name
                )
            )
        for before, after in pairwise(seasons):
            if after.first <= before.last:
                raise ValueError(f"{owner}: seasons {before.name!r} and {after.name!r} overlap")
        dated: dict[date, tuple[Window, ...]] = {}
        recurring = []
        for holiday in self.holidays:
            if holiday.day is not None:
                if holiday.day in dated and dated[holiday.day] != holiday.windows():
                    raise ValueError(f"{owner}: {holiday.day} is listed twice with different hours")
                dated[holiday.day] = holiday.windows()
            else:
                assert holiday.rrule is not None
                recurring.append(
                    RecurringHoliday(parse_rrule(holiday.rrule), holiday.windows(), holiday.name)
                )
        has_hours = (
            any(week)
            or any(any(s.week) for s in seasons)
            or any(dated.values())
            or any(r.windows for r in recurring)
        )
        if not has_hours:
            raise ValueError(f"{owner} is never open: give it some hours")
        _refuse_boundary_overlaps(owner, week, seasons, dated, recurring)
        rules = CalendarRules(
            ZoneInfo(self.timezone), week, tuple(seasons), dated, tuple(recurring)
        )
        self._clock = BusinessClock(rules, owner)
        return self

    def __eq__(self, other: object) -> bool:
        # The compiled clock is a cache: two calendars are equal when their fields are.
        if not isinstance(other, Calendar):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    def __hash__(self) -> int:
        return hash(self.model_dump_json())

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        return clock_of(self).rules.zone

    def _out(self, micros: int) -> datetime:
        return instant(micros, clock_of(self).rules.zone)

    def is_open(self, moment: datetime) -> bool:
        """Whether ``moment`` lies in open time (windows are half-open, ``[start, end)``)."""
        return clock_of(self).is_open(to_micros(moment))

    def next_open(self, moment: datetime) -> datetime:
        """The first open instant at or after ``moment`` (``moment`` itself when open)."""
        return self._out(clock_of(self).next_open(to_micros(moment)))

    def next_close(self, moment: datetime) -> datetime:
        """The end of the open stretch holding ``moment`` (or of the next one when closed)."""
        return self._out(clock_of(self).next_close(to_micros(moment)))

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The first instant ``u >= start`` with ``elapsed(start, u) == duration``.

        A closed ``start`` begins at the next opening; a deadline that uses up a window's last
        minute is that window's end.  ``duration`` must not be negative.
        """
        clock = clock_of(self)
        amount = (duration.days * 86400 + duration.seconds) * 1_000_000 + duration.microseconds
        return instant(clock.add(to_micros(start, "start"), amount), clock.rules.zone)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Open time in ``[start, end)``; ``elapsed(b, a) == -elapsed(a, b)``."""
        clock = clock_of(self)
        return timedelta(0, 0, clock.elapsed(to_micros(start, "start"), to_micros(end, "end")))

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """The same local time of day on the ``days``-th following date that has open time.

        A closed ``start`` first moves to the next opening; a landing instant in closed time
        moves to the next opening; a landing wall time in a DST gap is read with the offset
        before the gap (it moves forward by the gap's length).
        """
        return self._out(clock_of(self).add_business_days(to_micros(start, "start"), days))

    def add_span(self, start: datetime, span: Span) -> datetime:
        """``add`` for a fixed duration, ``add_business_days`` for :class:`BusinessDays`."""
        if isinstance(span, BusinessDays):
            return self.add_business_days(start, span.count)
        return self.add(start, span)


def clock_of(calendar: Calendar) -> BusinessClock:
    """The compiled clock behind a calendar (microsecond API)."""
    # Private attributes behind pydantic's __getattr__ cost more than the clock query itself.
    clock: BusinessClock = calendar.__pydantic_private__["_clock"]  # type: ignore[index]
    return clock


def _week_on(day: date, week: WeekHours, seasons: list[SeasonRules]) -> WeekHours:
    for season in seasons:
        if season.first <= day <= season.last:
            return season.week
    return week


def _is_holiday(day: date, dated: dict[date, Any], recurring: list[RecurringHoliday]) -> bool:
    if day in dated:
        return True
    midnight = datetime(day.year, day.month, day.day)  # noqa: DTZ001 - rrules run on naive dates
    return any(r.rule.between(midnight, midnight, inc=True) for r in recurring)


def _refuse_boundary_overlaps(
    owner: str,
    week: WeekHours,
    seasons: list[SeasonRules],
    dated: dict[date, Any],
    recurring: list[RecurringHoliday],
) -> None:
    """Overnight spill across a season's first or last date must not overlap that date's own
    windows (a holiday on either date replaces them, so it cannot clash)."""
    one = timedelta(days=1)
    for season in seasons:
        for day in (season.first, season.last + one):
            before = day - one
            if _is_holiday(day, dated, recurring) or _is_holiday(before, dated, recurring):
                continue
            spill = [
                (0, end - MINUTES_PER_DAY)
                for _, end in _week_on(before, week, seasons)[before.weekday()]
                if end > MINUTES_PER_DAY
            ]
            own = list(_week_on(day, week, seasons)[day.weekday()])
            _refuse_overlaps(owner, day.isoformat(), [*spill, *own])


ALWAYS_OPEN_NAME = "24/7"


def always_open() -> Calendar:
    """The built-in ``24/7`` calendar: open every minute, in UTC."""
    return Calendar(name=ALWAYS_OPEN_NAME, timezone="UTC", hours={"daily": ["00:00-24:00"]})
