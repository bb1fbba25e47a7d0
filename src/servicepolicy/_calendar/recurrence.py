"""Holiday rules: RFC 5545 recurrences checked for what a holiday can be, and expanded once,
within a bounded span of years, into the dates they give.

A rule is expanded by python-dateutil, whose search for the next instant of a rule runs to the
year 9999 when the rule has none left (``FREQ=DAILY;BYSETPOS=2`` never has one): seconds of
work for each question asked.  Here each rule is expanded once, with dateutil's own expansion
code run against a ``datetime`` module whose last year is :data:`LAST_EXPANDED_YEAR`, into the
sorted ordinals of its dates; every question after that is a binary search.
:func:`expansion_is_bounded` is the check that dateutil still works the way this relies on.
"""

from __future__ import annotations

import datetime as _datetime
import re
import types
from array import array
from bisect import bisect_left
from datetime import date, datetime
from typing import Any, Final

import dateutil.rrule as _dateutil_rrule
from dateutil.rrule import rrule, rrulebase, rruleset, rrulestr

from .._common.memo import BoundedMemo
from .._common.messages import N_

RRULE_ANCHOR: Final = datetime(1970, 1, 1)  # noqa: DTZ001 - rrules run on naive local dates
"""Where a rule without ``DTSTART`` starts: it gives no date before 1970."""

FIRST_DTSTART_YEAR: Final = 1900
LAST_EXPANDED_YEAR: Final = 2200
"""A rule's dates are known up to the end of this year, one past the last supported one."""

FREQUENCIES: Final = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
RANGES: Final[dict[str, tuple[int, int, bool]]] = {
    # part -> (lowest, highest, whether the negatives count from the end)
    "INTERVAL": (1, 1000, False),
    "COUNT": (1, 100_000, False),
    "BYMONTH": (1, 12, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYSETPOS": (1, 366, True),
    "BYHOUR": (0, 23, False),
    "BYMINUTE": (0, 59, False),
    "BYSECOND": (0, 59, False),
    # Easter plus the offset stays in Easter's year (Easter falls from March 22nd to April
    # 25th); dateutil wraps an offset past either end of the year onto the wrong date.
    "BYEASTER": (-80, 250, False),
}
"""The numeric parts a holiday rule may have, and the range of each number in them."""

SINGLE_VALUED: Final = ("BYHOUR", "BYMINUTE", "BYSECOND")
"""A holiday is a date: a time of day, if given, is one time, never a list of them."""

OTHER_PARTS: Final = ("FREQ", "UNTIL", "BYDAY", "BYWEEKDAY", "WKST")
_BYDAY = re.compile(r"([+-]?)(\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_DTSTART_YEAR = re.compile(r"DTSTART(?:;[^:]*)?:(\d{4})", re.IGNORECASE)

_ONE_AT_MOST = {
    "BYHOUR": N_("BYHOUR={value}: a holiday is a date, so give one hour at most"),
    "BYMINUTE": N_("BYMINUTE={value}: a holiday is a date, so give one minute at most"),
    "BYSECOND": N_("BYSECOND={value}: a holiday is a date, so give one second at most"),
}
# Each message about a part of a rule starts with the part's name, not with a field: a
# template that starts with a field would be read as the whole of a longer message that ends
# like it ("rrule ... is not a holiday rule: ...", or an iCalendar file's).
_NOT_WHOLE = {
    "INTERVAL": N_("INTERVAL={value}: {item} is not a whole number"),
    "COUNT": N_("COUNT={value}: {item} is not a whole number"),
    "BYMONTH": N_("BYMONTH={value}: {item} is not a whole number"),
    "BYMONTHDAY": N_("BYMONTHDAY={value}: {item} is not a whole number"),
    "BYYEARDAY": N_("BYYEARDAY={value}: {item} is not a whole number"),
    "BYWEEKNO": N_("BYWEEKNO={value}: {item} is not a whole number"),
    "BYSETPOS": N_("BYSETPOS={value}: {item} is not a whole number"),
    "BYHOUR": N_("BYHOUR={value}: {item} is not a whole number"),
    "BYMINUTE": N_("BYMINUTE={value}: {item} is not a whole number"),
    "BYSECOND": N_("BYSECOND={value}: {item} is not a whole number"),
    "BYEASTER": N_("BYEASTER={value}: {item} is not a whole number"),
}
_OUTSIDE = {
    "INTERVAL": N_("INTERVAL={value}: {number} is outside {low}..{high}"),
    "COUNT": N_("COUNT={value}: {number} is outside {low}..{high}"),
    "BYMONTH": N_("BYMONTH={value}: {number} is outside {low}..{high}"),
    "BYMONTHDAY": N_("BYMONTHDAY={value}: {number} is outside {low}..{high} or -{high}..-{low}"),
    "BYYEARDAY": N_("BYYEARDAY={value}: {number} is outside {low}..{high} or -{high}..-{low}"),
    "BYWEEKNO": N_("BYWEEKNO={value}: {number} is outside {low}..{high} or -{high}..-{low}"),
    "BYSETPOS": N_("BYSETPOS={value}: {number} is outside {low}..{high} or -{high}..-{low}"),
    "BYHOUR": N_("BYHOUR={value}: {number} is outside {low}..{high}"),
    "BYMINUTE": N_("BYMINUTE={value}: {number} is outside {low}..{high}"),
    "BYSECOND": N_("BYSECOND={value}: {number} is outside {low}..{high}"),
    "BYEASTER": N_("BYEASTER={value}: {number} is outside {low}..{high}"),
}
_NOT_WEEKDAY = {
    "BYDAY": N_("BYDAY={value}: {item} is not a weekday such as MO or -1FR"),
    "BYWEEKDAY": N_("BYWEEKDAY={value}: {item} is not a weekday such as MO or -1FR"),
}
_PAST_LAST_WEEKDAY = {
    ("BYDAY", True): N_("BYDAY={value}: {item} counts past the last such weekday (a month has 5)"),
    ("BYDAY", False): N_("BYDAY={value}: {item} counts past the last such weekday (a year has 53)"),
    ("BYWEEKDAY", True): N_(
        "BYWEEKDAY={value}: {item} counts past the last such weekday (a month has 5)"
    ),
    ("BYWEEKDAY", False): N_(
        "BYWEEKDAY={value}: {item} counts past the last such weekday (a year has 53)"
    ),
}
_DTSTART_YEARS = N_("DTSTART must be a date from {first} to {last}")
_NOT_A_PART = {  # by the quote that repr() puts around the part
    "'": N_("'{part}' is not a rule part (FREQ=..., BYMONTH=..., ...)"),
    '"': N_('"{part}" is not a rule part (FREQ=..., BYMONTH=..., ...)'),
}
_FREQUENCY = N_("FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY: a holiday is a date")
_COUNT_OR_UNTIL = N_("COUNT and UNTIL exclude each other: give one of them")
_RULE_IS_TEXT = N_("a rule is text")
_NOT_A_HOLIDAY_RULE = N_("rrule {rule} is not a holiday rule: {problem}")
_DOES_NOT_PARSE = N_("rrule {rule} does not parse: {error}")
_ZONED_DTSTART = N_("rrule {rule}: DTSTART must be a plain date, without a time zone")
_NOT_EXPANDED = N_("rrule {rule} cannot be expanded: {error}")
_ZONED_DATES = N_("rrule {rule}: its dates must be plain dates, without a time zone")


def _number_problem(key: str, value: str) -> str | None:
    low, high, from_end = RANGES[key]
    items = value.split(",")
    if key in SINGLE_VALUED and len(items) > 1:
        return _ONE_AT_MOST[key].format(value=value)
    for item in items:
        try:
            number = int(item)
        except ValueError:
            return _NOT_WHOLE[key].format(value=value, item=repr(item))
        if not (low <= number <= high or (from_end and -high <= number <= -low)):
            return _OUTSIDE[key].format(value=value, number=number, low=low, high=high)
    return None


def _weekday_problem(key: str, value: str, in_month: bool) -> str | None:
    most = 5 if in_month else 53
    for item in value.split(","):
        day = _BYDAY.fullmatch(item.strip())
        if day is None:
            return _NOT_WEEKDAY[key].format(value=value, item=repr(item))
        if day.group(2) and not 1 <= int(day.group(2)) <= most:
            return _PAST_LAST_WEEKDAY[key, in_month].format(value=value, item=repr(item))
    return None


def rule_problem(text: str) -> str | None:
    """Why ``text`` is not a rule for holidays, or None."""
    for line in text.strip().splitlines():
        line = line.strip()
        start_year = _DTSTART_YEAR.match(line)
        if start_year and not FIRST_DTSTART_YEAR <= int(start_year[1]) < LAST_EXPANDED_YEAR:
            return _DTSTART_YEARS.format(first=FIRST_DTSTART_YEAR, last=LAST_EXPANDED_YEAR - 1)
        if line.upper().startswith(("DTSTART", "EXDATE", "RDATE", "EXRULE")):
            continue
        parts = line.split(":", 1)[1] if line.upper().startswith("RRULE:") else line
        given: dict[str, str] = {}
        for part in parts.split(";"):
            key, equals, value = part.partition("=")
            key = key.strip().upper()
            if not equals or key not in (*RANGES, *OTHER_PARTS):
                shown = repr(part.strip())
                return _NOT_A_PART[shown[0]].format(part=shown[1:-1])
            given[key] = value.strip().upper()
        if given.get("FREQ") not in FREQUENCIES:
            return _FREQUENCY
        if "COUNT" in given and "UNTIL" in given:
            return _COUNT_OR_UNTIL
        in_month = given["FREQ"] == "MONTHLY" or "BYMONTH" in given
        for key, value in given.items():
            if key in RANGES:
                problem = _number_problem(key, value)
            elif key in ("BYDAY", "BYWEEKDAY"):
                problem = _weekday_problem(key, value, in_month)
            else:
                problem = None
            if problem is not None:
                return problem
    return None


# dateutil's expansion, reading a datetime module whose last year is LAST_EXPANDED_YEAR.
_BOUNDED_DATETIME = types.ModuleType("datetime")
_BOUNDED_DATETIME.__dict__.update(vars(_datetime))
_BOUNDED_DATETIME.MAXYEAR = LAST_EXPANDED_YEAR  # type: ignore[attr-defined]
_DATEUTIL_ITER: Any = vars(rrule)["_iter"]
_bounded_iter: Any = types.FunctionType(
    _DATEUTIL_ITER.__code__,
    {**vars(_dateutil_rrule), "datetime": _BOUNDED_DATETIME},
    "_iter",
    _DATEUTIL_ITER.__defaults__,
    _DATEUTIL_ITER.__closure__,
)


def _instants(rule: rrulebase) -> set[datetime]:
    if isinstance(rule, rruleset):  # its rules and dates, less its exclusions
        found = {*rule._rdate}  # type: ignore[attr-defined]
        for included in rule._rrule:  # type: ignore[attr-defined]
            found |= _instants(included)
        for excluded in rule._exrule:  # type: ignore[attr-defined]
            found -= _instants(excluded)
        return found - {*rule._exdate}  # type: ignore[attr-defined]
    return set(_bounded_iter(rule))


class HolidayDates:
    """The dates of one holiday rule, from its start to the end of :data:`LAST_EXPANDED_YEAR`."""

    __slots__ = ("_ordinals", "text")

    def __init__(self, text: str, ordinals: array[int]) -> None:
        self.text = text
        self._ordinals = ordinals

    def between(self, first: date, last: date) -> list[date]:
        """The rule's dates from ``first`` up to, not including, ``last``."""
        ordinals = self._ordinals
        lo = bisect_left(ordinals, first.toordinal())
        hi = bisect_left(ordinals, last.toordinal(), lo)
        return [date.fromordinal(n) for n in ordinals[lo:hi]]

    def falls_on(self, day: date) -> bool:
        """Whether ``day`` is one of the rule's dates."""
        ordinals, n = self._ordinals, day.toordinal()
        i = bisect_left(ordinals, n)
        return i < len(ordinals) and ordinals[i] == n

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (holiday_dates, (self.text,))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HolidayDates) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"HolidayDates({self.text!r})"


_EXPANDED: BoundedMemo[str, HolidayDates] = BoundedMemo(256)


def holiday_dates(text: str) -> HolidayDates:
    """Check and expand a holiday rule; raises ``ValueError`` saying why it is not one.

    A rule must be YEARLY, MONTHLY, WEEKLY or DAILY, with an ``INTERVAL`` of at least 1, every
    number in range, and a ``DTSTART``, if any, within the supported years; a rule without
    one starts on 1970-01-01.
    """
    found = _EXPANDED.get(text) if isinstance(text, str) else None
    if found is not None:
        return found
    problem = rule_problem(text) if isinstance(text, str) else _RULE_IS_TEXT
    if problem is not None:
        raise ValueError(_NOT_A_HOLIDAY_RULE.format(rule=repr(text), problem=problem))
    try:
        rule = rrulestr(text, dtstart=RRULE_ANCHOR)
    except (ValueError, TypeError, AttributeError, IndexError, OverflowError) as exc:
        raise ValueError(_DOES_NOT_PARSE.format(rule=repr(text), error=exc)) from None
    dtstart = getattr(rule, "_dtstart", None)
    if dtstart is not None and dtstart.tzinfo is not None:
        raise ValueError(_ZONED_DTSTART.format(rule=repr(text)))
    try:
        instants = _instants(rule)
    except (ValueError, TypeError, IndexError, OverflowError) as exc:
        raise ValueError(_NOT_EXPANDED.format(rule=repr(text), error=exc)) from None
    if any(instant.tzinfo is not None for instant in instants):
        raise ValueError(_ZONED_DATES.format(rule=repr(text)))
    last = date(LAST_EXPANDED_YEAR, 12, 31)
    ordinals = sorted({i.toordinal() for i in instants if i.date() <= last})
    return _EXPANDED.put(text, HolidayDates(text, array("l", ordinals)))


_DATED_FROM = date(2000, 1, 1)
_DATED_UNTIL = date(2029, 1, 1)


def rule_has_dates(text: str) -> bool:
    """Whether a holiday rule gives any date from 2000 to 2028, 29 years in which every date
    falls on every weekday (a rule such as February 30th gives none)."""
    return bool(holiday_dates(text).between(_DATED_FROM, _DATED_UNTIL))


def expansion_is_bounded() -> bool:
    """Whether dateutil's expansion still ends at the last year of the ``datetime`` module it
    reads: a rule with no date left would otherwise be searched to the year 9999."""
    names = _DATEUTIL_ITER.__code__.co_names
    return "datetime" in names and "MAXYEAR" in names and "datetime" in vars(_dateutil_rrule)
