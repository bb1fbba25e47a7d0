"""Instants as integer microseconds since the Unix epoch, and back.

Inside the library every instant is an integer: comparisons and subtraction are exact, and
immune to the wall-clock arithmetic Python applies to two datetimes that share a ``ZoneInfo``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Final

from .errors import NaiveDatetimeError

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
US: Final = 1_000_000
"""Microseconds in a second."""

FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 2199
"""The years the library measures in: every instant of a ticket, ``as_of`` and every clock
query lies in them (UTC).  Outside, the time zone database gives local mean times such as
+00:53, and a clock's index would grow with the distance; a ticket there is an error
record."""
FIRST_US: Final = (date(FIRST_YEAR, 1, 1).toordinal() - date(1970, 1, 1).toordinal()) * 86400 * US
END_US: Final = (date(LAST_YEAR + 1, 1, 1).toordinal() - date(1970, 1, 1).toordinal()) * 86400 * US


def supported(micros: int) -> bool:
    """Whether an instant lies in the supported years."""
    return FIRST_US <= micros < END_US


def outside(moment: datetime, what: str) -> str:
    """What to say of an instant outside the supported years."""
    return f"{what} {moment.isoformat()} is outside the supported years {FIRST_YEAR}-{LAST_YEAR}"


def to_micros(moment: datetime, what: str = "datetime") -> int:
    """Microseconds since the Unix epoch of an aware datetime; refuses a naive one."""
    try:
        delta = moment - EPOCH
    except TypeError:
        if isinstance(moment, datetime):
            raise NaiveDatetimeError(moment, what) from None
        raise TypeError(f"{what} must be a datetime, got {type(moment).__name__}") from None
    return (delta.days * 86400 + delta.seconds) * US + delta.microseconds


def from_micros(micros: int) -> datetime:
    """The UTC datetime ``micros`` microseconds after the Unix epoch."""
    return EPOCH + timedelta(microseconds=micros)


def instant(micros: int, zone: tzinfo | None) -> datetime:
    """The aware datetime ``micros`` after the epoch, in ``zone`` (UTC when None).

    ``fromtimestamp`` with whole seconds is exact and costs half of ``astimezone``.
    """
    seconds, rest = divmod(micros, US)
    moment = datetime.fromtimestamp(seconds, zone or UTC)
    return moment.replace(microsecond=rest) if rest else moment
