"""The public :class:`Calendar` model: validation of the YAML shape, and the clock methods."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

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
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from .._common.durations import BusinessDays, Span, parse_span
from .._common.errors import did_you_mean
from .._common.fastmodel import (
    private_value,
    set_private_value,
    state_with_defaults,
    state_without,
)
from .._common.instants import instant, to_micros
from .._common.messages import N_
from .clock import BusinessClock, CalendarIntersection, IntersectionClock, clock_behind
from .hours import (
    Owner,
    Place,
    PlacedError,
    compile_week,
    parse_weekdays,
    parse_window,
    refuse_boundary_overlaps,
    refuse_holiday_overlaps,
)
from .ical import ICAL_EXTRA, ical_dates, ical_modules
from .recurrence import HolidayDates, holiday_dates
from .rules import (
    SECONDS_PER_DAY,
    CalendarRules,
    RecurringHoliday,
    RecurringSeason,
    SeasonRules,
    Window,
)
from .sources import (
    CountryDates,
    HijriDates,
    YearlyDates,
    check_country,
    hijri_module,
    holidays_module,
)

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


def _check_window(text: str) -> str:
    parse_window(text)
    return text


def _check_weekdays(key: str) -> str:
    parse_weekdays(key)
    return key


_EDGE = "([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?"
_WINDOW_PATTERN = rf"^{_EDGE}-({_EDGE}|24:00(:00)?)$"
_DAY = "(mon|tue|wed|thu|fri|sat|sun)"
_WEEKDAY_PATTERN = rf"^(daily|{_DAY}(-{_DAY})?)$"

WindowText = Annotated[
    str,
    AfterValidator(_check_window),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _WINDOW_PATTERN,
            "description": (
                "HH:MM-HH:MM (or HH:MM:SS-HH:MM:SS); an end not after the start runs past midnight"
            ),
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


_HIJRI_DAY = re.compile(r"(\d{1,2})-(\d{1,2})")
_SOURCES = ("date", "rrule", "country", "hijri", "ics")

_HIJRI_RANGES = N_("hijri {value}: give MM-DD, a month 1-12 and a day 1-30")
_HIJRI_FORM = N_("hijri {value}: give MM-DD, such as '10-01'")
_PAST_MIDNIGHT = N_("special hours {window} run past midnight; a holiday's hours end by 24:00")
_ONE_SOURCE_OF_FIVE = N_(
    "a holiday needs exactly one of 'date', 'rrule', 'country', 'hijri' or 'ics'"
)
_ONE_SOURCE_OF_TWO = N_("a holiday needs exactly one of 'date' or 'rrule'")
_ONE_SOURCE_OF_FOUR = N_("a holiday needs exactly one of 'date', 'rrule', 'country' or 'hijri'")
_GOES_WITH_COUNTRY = N_("{key} goes with 'country'")
_DAYS_GO_WITH_HIJRI = N_("'days' goes with 'hijri'")
_TEXT_GOES_WITH_ICS = N_("'ics_text' goes with 'ics'")
_FEED_NOT_READ = N_(
    "the iCalendar file {path} has not been read: load the policy with load_policy or "
    "parse_policy, which read it (relative to the policy file), or give its text as 'ics_text'"
)
_FEED_PROBLEM = N_("ics {path}: {problem}")
_SEASON_FORMS = N_("a season has 'from' and 'to', or 'hijri_month', not both")
_SEASON_DATES = N_("a season needs 'from' and 'to' (or 'hijri_month')")
_SEASON_ORDER = N_("season {season} ends ({last}) before it starts ({first})")
_UNKNOWN_ZONE = N_("unknown time zone {zone}")
_UNKNOWN_ZONE_HINT = N_("unknown time zone {zone}; use an IANA name such as 'Europe/Berlin'")
_SEASONS_OVERLAP = N_("calendar {calendar}: seasons {first} and {second} overlap")
_LISTED_TWICE = N_("calendar {calendar}: {day} is listed twice with different hours")
_NEVER_OPEN = N_("calendar {calendar} is never open: give it some hours")


class Holiday(BaseModel):
    """A closed date, or a date with special hours: a fixed ``date``, a recurring ``rrule``,
    the public holidays of a ``country`` (``holidays`` package), a ``hijri`` date (Umm
    al-Qura, ``hijridate`` package) and the ``days`` after it, or the all-day events of an
    iCalendar file ``ics`` (``icalendar`` package); see docs/policy-format.md."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    day: date | None = Field(default=None, alias="date")
    rrule: str | None = None
    name: str = ""
    hours: list[WindowText] | None = None
    country: str | None = Field(
        default=None,
        description="ISO 3166 code of a country in the holidays package: pip install "
        "'servicepolicy[holidays]'",
    )
    subdivision: str | None = None
    categories: list[str] | None = None
    hijri: str | None = Field(
        default=None,
        pattern=r"^\d{1,2}-\d{1,2}$",
        description="MM-DD of the Hijri (Umm al-Qura) calendar: pip install 'servicepolicy[hijri]'",
    )
    days: int = Field(default=1, ge=1, le=30)
    ics: str | None = Field(
        default=None,
        min_length=1,
        description="an iCalendar (.ics) file of all-day events, by a path relative to the "
        f"policy file: {ICAL_EXTRA}",
    )
    # The text of the file named by ``ics``: the policy loader reads the file and fills this
    # in, so the model reads no file, and a dumped or pickled holiday needs none.  Not a key
    # of policy files (the loader refuses it there, and the JSON Schema leaves it out).
    ics_text: SkipJsonSchema[str | None] = Field(default=None, repr=False)

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state_with_defaults(Holiday, state))

    @field_validator("rrule")
    @classmethod
    def _rrule_parses(cls, value: str | None) -> str | None:
        if value is not None:
            holiday_dates(value)
        return value

    @field_validator("country")
    @classmethod
    def _country_needs_holidays(cls, value: str | None) -> str | None:
        if value is not None:
            holidays_module()
        return value

    @field_validator("hijri")
    @classmethod
    def _hijri_date(cls, value: str | None) -> str | None:
        if value is not None:
            hijri_module()
            month, day = _hijri_parts(value)
            if not (1 <= month <= 12 and 1 <= day <= 30):
                raise ValueError(_HIJRI_RANGES.format(value=repr(value)))
        return value

    @field_validator("ics")
    @classmethod
    def _ics_needs_icalendar(cls, value: str | None) -> str | None:
        if value is not None:
            ical_modules()
        return value

    @field_validator("hours")
    @classmethod
    def _no_overnight(cls, value: list[str] | None) -> list[str] | None:
        for text in value or []:
            if parse_window(text)[1] > SECONDS_PER_DAY:
                raise ValueError(_PAST_MIDNIGHT.format(window=repr(text)))
        if value:
            refuse_holiday_overlaps([parse_window(w) for w in value])
        return value

    @model_validator(mode="after")
    def _one_of_date_or_rrule(self) -> Holiday:
        given = [self.day, self.rrule, self.country, self.hijri, self.ics]
        if sum(v is not None for v in given) != 1:
            if self.ics is not None:
                raise ValueError(_ONE_SOURCE_OF_FIVE)
            if self.country is None and self.hijri is None:
                raise ValueError(_ONE_SOURCE_OF_TWO)
            raise ValueError(_ONE_SOURCE_OF_FOUR)
        if self.country is None and (self.subdivision is not None or self.categories):
            field = "subdivision" if self.subdivision is not None else "categories"
            raise _placed(_GOES_WITH_COUNTRY.format(key=repr(field)), field)
        if self.hijri is None and self.days != 1:
            raise _placed(_DAYS_GO_WITH_HIJRI, "days")
        if self.country is not None:
            try:
                check_country(self.country, self.subdivision, tuple(self.categories or ()))
            except ValueError as exc:
                raise _placed(str(exc.args[0]), str(exc.args[1])) from None
        if self.ics is not None:
            self._check_feed(self.ics, self.ics_text)
        elif self.ics_text is not None:
            raise _placed(_TEXT_GOES_WITH_ICS, "ics_text")
        return self

    @staticmethod
    def _check_feed(path: str, text: str | None) -> None:
        if text is None:
            raise PydanticCustomError(
                "ics-not-read",
                "{message}",
                {
                    "message": _FEED_NOT_READ.format(path=repr(path)),
                    "subpath": ["ics"],
                    "on_key": True,
                },
            )
        try:
            ical_dates(text, path)
        except ValueError as exc:
            raise PydanticCustomError(
                "invalid-value",
                "{message}",
                {
                    "message": _FEED_PROBLEM.format(path=repr(path), problem=exc),
                    "subpath": ["ics"],
                    "on_key": True,
                },
            ) from None

    def windows(self) -> tuple[Window, ...]:
        """The open windows on the holiday (none for a plain holiday)."""
        return tuple(sorted(parse_window(w) for w in self.hours or []))

    def source(self) -> HolidayDates | YearlyDates | None:
        """The dates of a recurring entry (None for a dated one)."""
        if self.rrule is not None:
            return holiday_dates(self.rrule)
        if self.country is not None:
            return CountryDates(self.country, self.subdivision, tuple(self.categories or ()))
        if self.hijri is not None:
            month, day = _hijri_parts(self.hijri)
            return HijriDates(month, day, self.days, self.name)
        if self.ics is not None and self.ics_text is not None:
            return ical_dates(self.ics_text, self.ics)
        return None


def _hijri_parts(text: str) -> tuple[int, int]:
    found = _HIJRI_DAY.fullmatch(text)
    if found is None:
        raise ValueError(_HIJRI_FORM.format(value=repr(text)))
    return int(found[1]), int(found[2])


def _placed(message: str, field: str) -> PydanticCustomError:
    return PydanticCustomError(
        "invalid-value", "{message}", {"message": message, "subpath": [field]}
    )


class Season(BaseModel):
    """Dates ``from``..``to`` (inclusive), or every Hijri month ``hijri_month`` (Umm al-Qura,
    ``hijridate`` package), that use their own weekly ``hours``."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    first: date | None = Field(default=None, alias="from")
    last: date | None = Field(default=None, alias="to")
    hours: WeeklyHours
    name: str = ""
    hijri_month: int | None = Field(
        default=None,
        ge=1,
        le=12,
        description="a month of the Hijri (Umm al-Qura) calendar, every year: pip install "
        "'servicepolicy[hijri]'",
    )

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state_with_defaults(Season, state))

    @field_validator("hijri_month")
    @classmethod
    def _needs_hijridate(cls, value: int | None) -> int | None:
        if value is not None:
            hijri_module()
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Season:
        if self.hijri_month is not None:
            if self.first is not None or self.last is not None:
                field = "from" if self.first is not None else "to"
                raise _placed(_SEASON_FORMS, field)
            return self
        if self.first is None or self.last is None:
            raise ValueError(_SEASON_DATES)
        if self.last < self.first:
            raise ValueError(
                _SEASON_ORDER.format(season=repr(self.name), last=self.last, first=self.first)
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
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a folder
            shown = value if len(value) <= 60 else f"{value[:57]}..."
            near = did_you_mean(value[:60], _zone_names())
            if not near:
                raise ValueError(_UNKNOWN_ZONE_HINT.format(zone=repr(shown))) from None
            raise ValueError(_UNKNOWN_ZONE.format(zone=repr(shown)) + near) from None
        return value

    @model_validator(mode="after")
    def _compile(self) -> Calendar:
        try:
            clock = _clock_for(self)
        except PlacedError as exc:
            raise PydanticCustomError(
                "invalid-value", "{message}", {"message": str(exc), "subpath": list(exc.subpath)}
            ) from None
        set_private_value(self, "_clock", clock)
        return self

    # The clock is compiled from the fields: a pickle leaves it out, and loading makes it anew,
    # so a pickle holds the calendar's fields alone (see docs/design.md, "Pickles").
    def __getstate__(self) -> dict[Any, Any]:
        return state_without(super().__getstate__(), "_clock")

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        set_private_value(self, "_clock", _clock_for(self))

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

    def add(self, start: datetime, duration: timedelta | str) -> datetime:
        """The first instant ``u >= start`` with ``elapsed(start, u) == duration``.

        A closed ``start`` begins at the next opening; a deadline that uses up a window's last
        minute is that window's end.  ``duration`` must not be negative.  It may be written
        as text, as in a policy: ``"4h"``, ``"1h30m"``, ``"PT4H"``, or ``"3bd"`` for
        :meth:`add_business_days`.
        """
        if isinstance(duration, str):
            return self.add_span(start, parse_span(duration))
        if not isinstance(duration, timedelta):
            raise TypeError(
                f"duration must be a timedelta or duration text such as '4h' or '3bd', "
                f"got {type(duration).__name__} {duration!r:.60}"
            )
        clock = clock_of(self)
        amount = (duration.days * 86400 + duration.seconds) * 1_000_000 + duration.microseconds
        return instant(clock.add(to_micros(start, "start"), amount), clock.rules.zone)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Open time in ``[start, end)``; ``elapsed(b, a) == -elapsed(a, b)``."""
        clock = clock_of(self)
        return timedelta(0, 0, clock.elapsed(to_micros(start, "start"), to_micros(end, "end")))

    # -- backward and day-end operations (docs/business-time.md, rules 9-13) ---------------

    def subtract(self, end: datetime, duration: timedelta | str) -> datetime:
        """The last instant ``u <= end`` with ``elapsed(u, end) == duration``: the deadline
        ``duration`` of business time before ``end``.

        When the open time runs out exactly at an opening, the answer is that opening (Tue
        10:00 minus 1 h in a 09:00-17:00 calendar is Tue 09:00, not Mon 17:00), so
        ``subtract(add(t, d), d)`` is ``t`` for an open ``t`` and ``next_open(t)`` otherwise.
        ``subtract(end, 0)`` is ``end``.  ``duration`` must not be negative; text such as
        ``"4h"`` is read as in a policy, and business days (``"3bd"``) are refused.
        """
        if isinstance(duration, str):
            span = parse_span(duration)
            if isinstance(span, BusinessDays):
                raise ValueError(
                    f"subtract takes a fixed duration, not business days ({duration!r})"
                )
            duration = span
        if not isinstance(duration, timedelta):
            raise TypeError(
                f"duration must be a timedelta or duration text such as '4h', "
                f"got {type(duration).__name__} {duration!r:.60}"
            )
        clock = clock_of(self)
        amount = (duration.days * 86400 + duration.seconds) * 1_000_000 + duration.microseconds
        return instant(clock.subtract(to_micros(end, "end"), amount), clock.rules.zone)

    def previous_open(self, moment: datetime) -> datetime:
        """``moment`` itself when open; otherwise the end of the last open stretch before it
        (the instant its open time ran out, itself closed)."""
        return self._out(clock_of(self).previous_open(to_micros(moment)))

    def previous_close(self, moment: datetime) -> datetime:
        """The last end of an open stretch at or before ``moment``:
        ``previous_close(t) <= t < next_close(t)``, two consecutive closes."""
        return self._out(clock_of(self).previous_close(to_micros(moment)))

    def holiday_at(self, moment: datetime) -> str | None:
        """The name of the holiday entry on ``moment``'s local date, or None when it has none.

        A dated entry wins over a recurring one, and of two entries of one kind the one listed
        first names the date.  An entry without a name gives ``""``; an entry with special
        hours is a holiday too.
        """
        day, _ = clock_of(self).local_day(to_micros(moment))
        local = date.fromordinal(day + date(1970, 1, 1).toordinal())
        return self.holidays_between(local, local + timedelta(days=1)).get(local)

    def holidays_between(self, first: date, last: date) -> dict[date, str]:
        """The local dates from ``first`` up to, not including, ``last`` that have a holiday
        entry, each with the name :meth:`holiday_at` gives it (in date order).  Each entry's
        dates are looked up, not each date: a span of years costs what its holidays do."""
        found: dict[date, str] = {}
        for recurring in reversed(clock_of(self).rules.recurring):  # the first listed wins
            for day in recurring.rule.between(first, last):
                found[day] = recurring.name_on(day)
        for holiday in reversed(self.holidays):  # a dated entry wins over a recurring one
            if isinstance(holiday.day, date) and first <= holiday.day < last:
                found[holiday.day] = holiday.name
        return dict(sorted(found.items()))

    def is_break(self, moment: datetime) -> bool:
        """Whether ``moment`` is closed and lies between two windows of its own local date (a
        lunch break): some window of that date ends at or before its wall-clock time and
        another starts after it.  The date's windows are those that belong to it (rule 2),
        not the spill of an overnight window from the day before."""
        return clock_of(self).is_break(to_micros(moment))

    def end_of_business_day(self, moment: datetime) -> datetime:
        """The close of the business day ``moment`` is in, or of the next one when it is
        closed after the day's hours: the end of the open stretch holding the last open
        instant of the local date of ``next_open(moment)``."""
        return self._out(clock_of(self).end_of_business_day(to_micros(moment)))

    def intersect(self, other: Calendar | CalendarIntersection) -> CalendarIntersection:
        """Open time that is open both here and in ``other``, with the clock API of a
        calendar (``add``, ``subtract``, ``elapsed``, ``next_open``, ...), results in this
        calendar's zone; see docs/business-time.md."""
        return CalendarIntersection(IntersectionClock(clock_of(self), clock_behind(other)))

    def add_many(self, starts: object, amounts: object) -> NDArray[np.datetime64]:
        """:meth:`add` over arrays: ``starts[k] + amounts[k]`` in business time, for every k.

        ``starts``: numpy ``datetime64`` values of any unit (naive ones are read as UTC
        instants), a pyarrow timestamp array (a zone-aware one gives its instants), or int64
        microseconds since the Unix epoch (UTC).  ``amounts``: numpy ``timedelta64`` values,
        a pyarrow duration array, int64 microseconds, or one ``timedelta`` for every start;
        the two broadcast against each other.  Returns ``datetime64[us]`` UTC instants, each
        exactly what :meth:`add` returns for that pair.  A negative amount raises
        :class:`CalendarError`, as :meth:`add` does; an instant outside 1900-2199, NaT, or a
        time finer than a microsecond raises ``ValueError`` naming the first such element.
        Needs numpy (``pip install 'servicepolicy[arrow]'``); see docs/business-time.md.
        """
        from .vector import add_many

        return add_many(clock_of(self), starts, amounts)

    def elapsed_many(self, starts: object, ends: object) -> NDArray[np.timedelta64]:
        """:meth:`elapsed` over arrays: open time in ``[starts[k], ends[k])`` for every k.

        ``starts`` and ``ends`` take what :meth:`add_many` takes for ``starts`` and broadcast
        against each other.  Returns ``timedelta64[us]``, negative where an end comes before
        its start, each exactly what :meth:`elapsed` returns for that pair.
        """
        from .vector import elapsed_many

        return elapsed_many(clock_of(self), starts, ends)

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """The same local time of day on the ``days``-th following date that has open time.

        A closed ``start`` first moves to the next opening; a landing instant in closed time
        moves to the next opening; a landing wall time in a DST gap is read with the offset
        before the gap (it moves forward by the gap's length).
        """
        if not isinstance(days, int) or isinstance(days, bool):
            raise TypeError(f"days must be a whole number, got {type(days).__name__} {days!r:.60}")
        return self._out(clock_of(self).add_business_days(to_micros(start, "start"), days))

    def add_span(self, start: datetime, span: Span) -> datetime:
        """``add`` for a fixed duration, ``add_business_days`` for :class:`BusinessDays`."""
        if isinstance(span, BusinessDays):
            return self.add_business_days(start, span.count)
        return self.add(start, span)


def _clock_for(calendar: Calendar) -> BusinessClock:
    """The clock of a calendar's fields; ValueError for rules that cannot hold together."""
    owner = Owner(calendar.name)
    week = compile_week(calendar.hours, owner)
    seasons = []
    hijri_seasons = []
    places: list[Place] = []
    dated_seasons = [(i, s) for i, s in enumerate(calendar.seasons) if s.first is not None]
    for i, season in sorted(dated_seasons, key=lambda pair: pair[1].first or date.min):
        assert season.first is not None and season.last is not None
        label = Owner(calendar.name, season.name or season.first.isoformat())
        weekly = compile_week(season.hours, label, ("seasons", i, "hours"))
        seasons.append(SeasonRules(season.first, season.last, weekly, season.name))
        places.append(("seasons", i))
    for i, season in enumerate(calendar.seasons):
        if season.hijri_month is not None:
            label = Owner(calendar.name, season.name or f"hijri month {season.hijri_month}")
            weekly = compile_week(season.hours, label, ("seasons", i, "hours"))
            dates = HijriDates(season.hijri_month, 1, 0, season.name)
            hijri_seasons.append(RecurringSeason(dates, weekly, season.name))
    for (before, after), place in zip(pairwise(seasons), places[1:], strict=True):
        if after.first <= before.last:
            message = owner.says(_SEASONS_OVERLAP, first=repr(before.name), second=repr(after.name))
            raise PlacedError(message, place)
    dated: dict[date, tuple[Window, ...]] = {}
    recurring = []
    for i, holiday in enumerate(calendar.holidays):
        if holiday.day is not None:
            if holiday.day in dated and dated[holiday.day] != holiday.windows():
                message = owner.says(_LISTED_TWICE, day=str(holiday.day))
                raise PlacedError(message, ("holidays", i))
            dated[holiday.day] = holiday.windows()
        else:
            source = holiday.source()
            assert source is not None
            recurring.append(RecurringHoliday(source, holiday.windows(), holiday.name))
    has_hours = (
        any(week)
        or any(any(s.week) for s in seasons)
        or any(dated.values())
        or any(r.windows for r in recurring)
        or any(any(s.week) for s in hijri_seasons)
    )
    if not has_hours:
        raise ValueError(owner.says(_NEVER_OPEN))
    refuse_boundary_overlaps(owner, week, seasons, dated, recurring, places)
    rules = CalendarRules(
        ZoneInfo(calendar.timezone),
        week,
        tuple(seasons),
        dated,
        tuple(recurring),
        tuple(hijri_seasons),
    )
    return BusinessClock(rules, str(owner))


def clock_of(calendar: Calendar) -> BusinessClock:
    """The compiled clock behind a calendar (microsecond API)."""
    clock: BusinessClock = private_value(calendar, "_clock")
    return clock


ALWAYS_OPEN_NAME = "24/7"


def always_open() -> Calendar:
    """The built-in ``24/7`` calendar: open every minute, in UTC."""
    return Calendar(name=ALWAYS_OPEN_NAME, timezone="UTC", hours={"daily": ["00:00-24:00"]})
