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


def ical_modules() -> tuple[ModuleType, ModuleType]:
    """The ``icalendar`` and ``recurring_ical_events`` packages; ``ValueError`` saying how to
    install them when either is missing."""
    try:
        icalendar = importlib.import_module("icalendar")
        recurring = importlib.import_module("recurring_ical_events")
    except ImportError:
        raise ValueError(
            f"iCalendar holidays need the icalendar and recurring-ical-events packages: "
            f"{ICAL_EXTRA}"
        ) from None
    return icalendar, recurring


def _short(text: object) -> str:
    """The first line of a message, cut to :data:`_SHOWN` characters."""
    lines = str(text).strip().splitlines()
    first = lines[0] if lines else ""
    return first if len(first) <= _SHOWN else f"{first[: _SHOWN - 3]}..."


def _label(event: Any) -> str:
    """How a problem names an event: its SUMMARY (else its UID) and its DTSTART."""
    name = event.get("SUMMARY") or event.get("UID") or "(no SUMMARY)"
    start = event.get("DTSTART")
    when = f" (DTSTART {start.dt})" if start is not None and hasattr(start, "dt") else ""
    return f"event {_short(name)!r}{when}"


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
            problem = f"a recurring event must start from {FIRST_DTSTART_YEAR} to {last}"
        if problem is None:
            # dateutil, unlike recurring-ical-events, wants a date UNTIL with a date DTSTART
            as_dates = _UNTIL_TIME.sub(r"\1", text)
            try:
                dates = holiday_dates(f"DTSTART:{start:%Y%m%d}\nRRULE:{as_dates}")
            except ValueError as exc:
                problem = _short(exc)
            else:
                if not dates.between(_FIRST_RULE_DATE, _AFTER_RULE_DATES):
                    problem = f"no date up to {LAST_EXPANDED_YEAR}"
        if problem is not None:
            return f"RRULE {text!r}: {problem}"
    return None


def event_problem(event: Any) -> str | None:
    """Why a VEVENT cannot be a holiday, or None."""
    if event.errors:
        key, message = event.errors[0]
        return f"{key}: {_short(message)}"
    start = event.get("DTSTART")
    if start is None:
        return "it has no DTSTART"
    if not _is_day(start.dt):
        return "it has a time of day; a holiday feed takes all-day events (DTSTART;VALUE=DATE)"
    end = event.get("DTEND")
    if end is not None:
        if not _is_day(end.dt):
            return f"DTEND {end.to_ical().decode()} has a time of day; give a date"
        if end.dt < start.dt:
            return f"it ends ({end.dt}) before it starts"
    length = event.get("DURATION")
    if length is not None and (
        not isinstance(length.dt, timedelta) or length.dt % _DAY or length.dt < timedelta(0)
    ):
        return f"DURATION {length.to_ical().decode()} is not a whole number of days"
    for key in ("RDATE", "EXDATE"):
        timed = [v for v in _values(event, key) if not _is_day(v)]
        if timed:
            return f"{key} {timed[0]} is not a date; an all-day event's {key} values are dates"
    return _rule_problem(event, start.dt)


def parse_feed(text: str) -> Any:
    """The VCALENDAR of a holiday feed; ``ValueError`` saying why ``text`` is not one (up to
    :data:`MOST_PROBLEMS` of its problems), or what to install when the packages are missing."""
    icalendar, _ = ical_modules()
    try:
        found = icalendar.Calendar.from_ical(text)
    except ValueError as exc:
        raise ValueError(f"not an iCalendar file: {_short(exc)}") from None
    if found.name != "VCALENDAR":
        raise ValueError(f"not an iCalendar file: it holds a {found.name}, not a VCALENDAR")
    events = found.walk("VEVENT")
    if not events:
        raise ValueError("the file has no VEVENT: a holiday feed lists its holidays as events")
    problems = [
        f"{_label(event)}: {problem}"
        for event in events
        if (problem := event_problem(event)) is not None
    ]
    if problems:
        more = len(problems) - MOST_PROBLEMS
        shown = "; ".join(problems[:MOST_PROBLEMS])
        raise ValueError(shown + (f"; and {more} more" if more > 0 else ""))
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
