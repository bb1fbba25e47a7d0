"""The one duration parser: ``"30m"``, ``"4h"``, ``"1h30m"``, ``"2d"``, ``"3bd"``, ``"PT4H"``.

Units: ``w`` (7 days), ``d`` (24 hours of the clock), ``h``, ``m``, ``s``; ``bd`` is a count
of business days and is not a fixed amount of time, so it parses to :class:`BusinessDays`.
ISO 8601 durations (``PT4H``, ``P1DT2H``, ``P1W``) are accepted; years and months are
refused because their length depends on the date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from .errors import DurationError
from .messages import N_

_UNIT_SECONDS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_COMPACT = re.compile(r"(?:(\d+)(w|d|h|m|s))")
_COMPACT_WHOLE = re.compile(r"(?:\d+(?:w|d|h|m|s))+")
_BUSINESS_DAYS = re.compile(r"(\d+)\s*bd")
_ISO = re.compile(
    r"P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
    r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d{1,6})?)S)?)?"
)

_NOT_TEXT = N_("duration must be a string such as '4h' or 'PT4H', got {kind} {value}")
_BUSINESS_DAYS_HERE = N_("{text} is a count of business days; a fixed duration is needed here")
_UNREADABLE = N_("cannot read duration {text}; write e.g. '30m', '4h', '1h30m', '2d' or 'PT4H'")
_UNIT_TWICE = N_("duration {text} gives the unit {unit} twice")
_TOO_LONG = N_("duration {text} is longer than a thousand years")
_UNREADABLE_ISO = {
    False: N_("cannot read ISO 8601 duration {text}; write e.g. 'PT4H' or 'P1DT2H'"),
    True: N_(
        "cannot read ISO 8601 duration {text} (years and months have no fixed length); "
        "write e.g. 'PT4H' or 'P1DT2H'"
    ),
}
_TOO_MANY_BUSINESS_DAYS = N_("{text} is more business days than this library counts")


@dataclass(frozen=True, slots=True)
class BusinessDays:
    """A span of ``count`` business days (``"3bd"``); see ``Calendar.add_business_days``."""

    count: int

    def __str__(self) -> str:
        return f"{self.count}bd"


Span = timedelta | BusinessDays
"""A target length: a fixed amount of open time, or a count of business days."""


def parse_duration(text: str) -> timedelta:
    """Parse a fixed duration such as ``"4h"``, ``"1h30m"``, ``"90m"``, ``"2d"`` or ``"PT4H"``.

    Raises :class:`DurationError` for anything else, including ``"3bd"`` (use
    :func:`parse_span` where business days are allowed) and bare numbers.
    """
    if not isinstance(text, str):
        raise DurationError(_NOT_TEXT.format(kind=type(text).__name__, value=repr(text)))
    raw = text.strip()
    if _BUSINESS_DAYS.fullmatch(raw):
        raise DurationError(_BUSINESS_DAYS_HERE.format(text=repr(text)))
    if raw.startswith("P"):
        return _parse_iso(text, raw)
    compact = raw.replace(" ", "")
    if not compact or not _COMPACT_WHOLE.fullmatch(compact):
        raise DurationError(_UNREADABLE.format(text=repr(text)))
    seen: set[str] = set()
    total = 0
    for amount, unit in _COMPACT.findall(compact):
        if unit in seen:
            raise DurationError(_UNIT_TWICE.format(text=repr(text), unit=repr(unit)))
        seen.add(unit)
        total += int(amount) * _UNIT_SECONDS[unit]
    return _bounded(text, total)


_MAX_SECONDS = 1000 * 366 * 86400  # a thousand years: far past any promise, far from overflow


def _bounded(text: str, seconds: float) -> timedelta:
    if seconds > _MAX_SECONDS:
        raise DurationError(_TOO_LONG.format(text=repr(text)))
    return timedelta(seconds=seconds)


def _parse_iso(text: str, raw: str) -> timedelta:
    match = _ISO.fullmatch(raw)
    if not match or raw in ("P", "PT") or raw.endswith("T"):
        calendar_units = re.search(r"\d+[YM]", raw.split("T")[0]) is not None
        raise DurationError(_UNREADABLE_ISO[calendar_units].format(text=repr(text)))
    parts = match.groupdict()
    whole = (
        int(parts["w"] or 0) * _UNIT_SECONDS["w"]
        + int(parts["d"] or 0) * _UNIT_SECONDS["d"]
        + int(parts["h"] or 0) * _UNIT_SECONDS["h"]
        + int(parts["m"] or 0) * _UNIT_SECONDS["m"]
    )
    seconds = parts["s"] or "0"
    if "." in seconds:
        integral, fraction = seconds.split(".")
        micros = int(fraction.ljust(6, "0"))
        return _bounded(text, whole + int(integral)) + timedelta(microseconds=micros)
    return _bounded(text, whole + int(seconds))


def parse_span(text: str) -> Span:
    """Parse a target: a fixed duration (see :func:`parse_duration`) or business days ``"3bd"``."""
    if isinstance(text, str):
        match = _BUSINESS_DAYS.fullmatch(text.strip())
        if match:
            count = int(match.group(1))
            if count > 100_000:
                raise DurationError(_TOO_MANY_BUSINESS_DAYS.format(text=repr(text)))
            return BusinessDays(count)
    return parse_duration(text)


def format_duration(value: timedelta) -> str:
    """Render a duration compactly for people: ``1h30m``, ``-2h``, ``3d4h``, ``0m``."""
    micros = value // timedelta(microseconds=1)
    sign = "-" if micros < 0 else ""
    micros = abs(micros)
    seconds, frac = divmod(micros, 1_000_000)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    out = ""
    for amount, unit in ((days, "d"), (hours, "h"), (minutes, "m")):
        if amount:
            out += f"{amount}{unit}"
    if secs or frac:
        out += f"{secs}.{frac:06d}".rstrip("0").rstrip(".") + "s"
    return sign + (out or "0m")


def iso_duration(value: timedelta) -> str:
    """Render a duration as ISO 8601 (``PT1H30M``, ``-PT2H``, ``PT0S``) using hours, not days."""
    micros = value // timedelta(microseconds=1)
    sign = "-" if micros < 0 else ""
    micros = abs(micros)
    seconds, frac = divmod(micros, 1_000_000)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    out = ""
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs or frac or not out:
        out += (f"{secs}.{frac:06d}".rstrip("0").rstrip(".") if frac else str(secs)) + "S"
    return f"{sign}PT{out}"
