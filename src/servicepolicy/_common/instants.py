"""Instants as integer microseconds since the Unix epoch, and back.

Inside the library every instant is an integer: comparisons and subtraction are exact, and
immune to the wall-clock arithmetic Python applies to two datetimes that share a ``ZoneInfo``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Final

from .errors import NaiveDatetimeError

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
US: Final = 1_000_000
"""Microseconds in a second."""


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
