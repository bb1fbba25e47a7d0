"""Holidays from an iCalendar (RFC 5545) feed: the all-day events of a ``.ics`` file.

The input is the file's *text*: the policy loader reads the file (the only reader of files),
and a holiday entry keeps the text, so a policy carries its feed wherever it is pickled or
dumped.  The text is parsed by the ``icalendar`` package, and each Gregorian year's events are
expanded, when the clock first needs that year, by ``recurring-ical-events`` (``RRULE``,
``RDATE``, ``EXDATE`` and moved occurrences); both come with
``pip install 'servicepolicy[ical]'``.  Neither reads a file or the network here.

A holiday is a date, so a feed takes **all-day** events only (``DTSTART;VALUE=DATE``): an event
with a time of day is refused, naming it, because which local dates it touches depends on the
calendar's zone, which a holiday entry does not know.  An event covers every date from its
start up to, not including, its end (``DTEND`` or ``DTSTART`` plus ``DURATION``; one day when
it has neither); a cancelled occurrence (``STATUS:CANCELLED``) covers none.
"""

from __future__ import annotations

import importlib
import re
from datetime import date, datetime, timedelta
from types import ModuleType
from typing import Any, Final

from .._common.errors import CalendarError
from .._common.memo import BoundedMemo
from .._common.messages import N_
from .recurrence import FIRST_DTSTART_YEAR, LAST_EXPANDED_YEAR, holiday_dates, rule_problem
from .sources import YearlyDates

ICAL_EXTRA: Final = "pip install 'servicepolicy[ical]'"

MOST_PROBLEMS: Final = 5
"""How many of a feed's problems one message lists."""

_SHOWN: Final = 120  # characters of a parser's message that a problem quotes
_DAY: Final = timedelta(days=1)
_UNTIL_TIME: Final = re.compile(r"(UNTIL=\d{8})T\d{6}Z?", re.IGNORECASE)
_FIRST_RULE_DATE: Final = date(FIRST_DTSTART_YEAR, 1, 1)
_AFTER_RULE_DATES: Final = date(LAST_EXPANDED_YEAR + 1, 1, 1)

_NEEDS_PACKAGES = N_(
    "iCalendar holidays need the icalendar and recurring-ical-events packages: {install}"
)
_EVENT = N_("event {name}: {problem}")
_EVENT_ON = N_("event {name} (DTSTART {start}): {problem}")
_RECURRING_START = N_("a recurring event must start from {first} to {last}")
_NO_DATE_UP_TO = N_("no date up to {year}")
_RULE = N_("RRULE {rule}: {problem}")
_NO_DTSTART = N_("it has no DTSTART")
_TIME_OF_DAY = N_("it has a time of day; a holiday feed takes all-day events (DTSTART;VALUE=DATE)")
_TIMED_END = N_("DTEND {end} has a time of day; give a date")
_ENDS_BEFORE = N_("it ends ({end}) before it starts")
_NOT_WHOLE_DAYS = N_("DURATION {length} is not a whole number of days")
_TIMED_LIST = {  # the property's name, not a field, first (see recurrence.py)
    "RDATE": N_("RDATE {value} is not a date; an all-day event's RDATE values are dates"),
    "EXDATE": N_("EXDATE {value} is not a date; an all-day event's EXDATE values are dates"),
}
_NOT_ICALENDAR = N_("not an iCalendar file: {error}")
_NOT_VCALENDAR = N_("not an iCalendar file: it holds a {component}, not a VCALENDAR")
_NO_VEVENT = N_("the file has no VEVENT: a holiday feed lists its holidays as events")
_MORE_PROBLEMS = N_("{problems}; and {more} more")
# The problems of a feed are joined by "; ": a list is read one event's problem at a time.
N_("{problems}; event {name}: {problem}")
N_("{problems}; event {name} (DTSTART {start}): {problem}")


def ical_modules() -> tuple[ModuleType, ModuleType]:
    """The ``icalendar`` and ``recurring_ical_events`` packages; ``ValueError`` saying how to
    install them when either is missing."""
    try:
        icalendar = importlib.import_module("icalendar")
        recurring = importlib.import_module("recurring_ical_events")
    except ImportError:
        raise ValueError(_NEEDS_PACKAGES.format(install=ICAL_EXTRA)) from None
    return icalendar, recurring


def _short(text: object) -> str:
    """The first line of a message, cut to :data:`_SHOWN` characters."""
    lines = str(text).strip().splitlines()
    first = lines[0] if lines else ""
    return first if len(first) <= _SHOWN else f"{first[: _SHOWN - 3]}..."


def _named(event: Any) -> tuple[str, Any]:
    """How a problem names an event: its SUMMARY (else its UID), quoted, and its DTSTART's
    value (None when it has none)."""
    name = event.get("SUMMARY") or event.get("UID") or "(no SUMMARY)"
    start = event.get("DTSTART")
    return repr(_short(name)), start.dt if start is not None and hasattr(start, "dt") else None


def _label(event: Any) -> str:
    """An event as a problem names it: ``event 'Eid' (DTSTART 2026-03-20)``."""
    name, start = _named(event)
    return f"event {name}" + ("" if start is None else f" (DTSTART {start})")


def _event_problem(event: Any, problem: str) -> str:
    """``problem`` of ``event``, the event named as :func:`_label` names it."""
    name, start = _named(event)
    if start is None:
        return _EVENT.format(name=name, problem=problem)
    return _EVENT_ON.format(name=name, start=start, problem=problem)


def _lines(event: Any, key: str) -> list[Any]:
    """A property that may be given on several lines (``RRULE``, ``RDATE``), one per line."""
    found = event.get(key)
    if found is None:
        return []
    return found if isinstance(found, list) else [found]


def _values(event: Any, key: str) -> list[Any]:
    """The dates (or times) of a list property on all its lines (``RDATE``, ``EXDATE``)."""
    return [item.dt for line in _lines(event, key) for item in getattr(line, "dts", [])]


def _is_day(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _rule_problem(event: Any, start: date) -> str | None:
    """Why an event's RRULE cannot give holidays: the limits of a holiday's ``rrule``, and a
    rule with no date up to :data:`LAST_EXPANDED_YEAR` (which recurring-ical-events would
    search for up to the year 9999, each year it is asked about)."""
    for rule in _lines(event, "RRULE"):
        text = rule.to_ical().decode()
        problem = rule_problem(text)
        if problem is None and not FIRST_DTSTART_YEAR <= start.year < LAST_EXPANDED_YEAR:
            last = LAST_EXPANDED_YEAR - 1
            problem = _RECURRING_START.format(first=FIRST_DTSTART_YEAR, last=last)
        if problem is None:
            # dateutil, unlike recurring-ical-events, wants a date UNTIL with a date DTSTART
            as_dates = _UNTIL_TIME.sub(r"\1", text)
            try:
                dates = holiday_dates(f"DTSTART:{start:%Y%m%d}\nRRULE:{as_dates}")
            except ValueError as exc:
                problem = _short(exc)
            else:
                if not dates.between(_FIRST_RULE_DATE, _AFTER_RULE_DATES):
                    problem = _NO_DATE_UP_TO.format(year=LAST_EXPANDED_YEAR)
        if problem is not None:
            return _RULE.format(rule=repr(text), problem=problem)
    return None


def event_problem(event: Any) -> str | None:
    """Why a VEVENT cannot be a holiday, or None."""
    if event.errors:
        key, message = event.errors[0]
        return f"{key}: {_short(message)}"
    start = event.get("DTSTART")
    if start is None:
        return _NO_DTSTART
    if not _is_day(start.dt):
        return _TIME_OF_DAY
    end = event.get("DTEND")
    if end is not None:
        if not _is_day(end.dt):
            return _TIMED_END.format(end=end.to_ical().decode())
        if end.dt < start.dt:
            return _ENDS_BEFORE.format(end=end.dt)
    length = event.get("DURATION")
    if length is not None and (
        not isinstance(length.dt, timedelta) or length.dt % _DAY or length.dt < timedelta(0)
    ):
        return _NOT_WHOLE_DAYS.format(length=length.to_ical().decode())
    for key in ("RDATE", "EXDATE"):
        timed = [v for v in _values(event, key) if not _is_day(v)]
        if timed:
            return _TIMED_LIST[key].format(value=timed[0])
    return _rule_problem(event, start.dt)


def parse_feed(text: str) -> Any:
    """The VCALENDAR of a holiday feed; ``ValueError`` saying why ``text`` is not one (up to
    :data:`MOST_PROBLEMS` of its problems), or what to install when the packages are missing."""
    icalendar, _ = ical_modules()
    try:
        found = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise ValueError(_NOT_ICALENDAR.format(error=_short(exc))) from None
    if found.name != "VCALENDAR":
        raise ValueError(_NOT_VCALENDAR.format(component=found.name))
    events = found.walk("VEVENT")
    if not events:
        raise ValueError(_NO_VEVENT)
    problems = [
        _event_problem(event, problem)
        for event in events
        if (problem := event_problem(event)) is not None
    ]
    if problems:
        more = len(problems) - MOST_PROBLEMS
        shown = "; ".join(problems[:MOST_PROBLEMS])
        raise ValueError(_MORE_PROBLEMS.format(problems=shown, more=more) if more > 0 else shown)
    return found


class IcalDates(YearlyDates):
    """The dates the all-day events of an iCalendar text cover, each named by the SUMMARY of
    its events (two events on one date: both names, in the order the events start, joined by
    ``"; "``).  ``label`` names the feed in errors (its path in the policy)."""

    __slots__ = ("_parsed", "_query", "label", "text")

    def __init__(self, text: str, label: str = "", parsed: Any = None) -> None:
        super().__init__()
        self.text = text
        self.label = label
        self._parsed = parsed  # the text's VCALENDAR, when the caller has parsed it already
        self._query: Any = None

    def _key(self) -> tuple[Any, ...]:
        return (self.text, self.label)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (ical_dates, self._key())

    def __repr__(self) -> str:
        return f"IcalDates({self.label!r}, {len(self.text)} characters)"

    def _occurrences(self, first: date, last: date) -> list[Any]:
        if self._query is None:  # the first year asked for (YearlyDates holds the lock)
            parsed = self._parsed if self._parsed is not None else parse_feed(self.text)
            self._query = ical_modules()[1].of(parsed)
            self._parsed = None
        try:
            return list(self._query.between(first, last))
        except ValueError as exc:  # recurring-ical-events' errors are ValueErrors
            raise CalendarError(
                f"the iCalendar file {self.label!r} cannot be expanded for {first.year}: "
                f"{_short(exc)}"
            ) from None

    def _year(self, year: int) -> dict[date, str]:
        first, last = date(year, 1, 1), date(year + 1, 1, 1)
        covered: dict[date, list[tuple[date, str]]] = {}
        for event in self._occurrences(first, last):
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            start = event["DTSTART"].dt
            end = event["DTEND"].dt if "DTEND" in event else start + _DAY
            if not (_is_day(start) and _is_day(end)):
                raise CalendarError(
                    f"the iCalendar file {self.label!r}: {_label(event)} has a time of day"
                )
            name = str(event.get("SUMMARY", ""))
            day, stop = max(start, first), min(max(end, start + _DAY), last)
            while day < stop:
                covered.setdefault(day, []).append((start, name))
                day += _DAY
        return {
            day: "; ".join(dict.fromkeys(name for _, name in sorted(names)))
            for day, names in covered.items()
        }


_FEEDS: BoundedMemo[tuple[str, str], IcalDates] = BoundedMemo(16)


def ical_dates(text: str, label: str = "") -> IcalDates:
    """The dates of a holiday feed (``text``: the file's content), checked once and kept;
    ``ValueError`` saying why ``text`` is not a holiday feed, or what to install."""
    found = _FEEDS.get((text, label))
    if found is not None:
        return found
    return _FEEDS.put((text, label), IcalDates(text, label, parse_feed(text)))
