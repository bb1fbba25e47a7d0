"""Exceptions raised by servicepolicy.

The hierarchy::

    ServicePolicyError                 base of everything this library raises on purpose
    ├── NaiveDatetimeError (ValueError)    a datetime without a UTC offset was given
    ├── CalendarError (ValueError)         a calendar cannot be built or cannot answer
    ├── DurationError (ValueError)         a duration string does not parse
    ├── PolicyError (ValueError)           a policy file is invalid; carries every finding
    └── TicketError (ValueError)           a ticket cannot be read or evaluated; carries its id

Catch ``ServicePolicyError`` to handle any of them, or ``ValueError`` where the
error is one of bad input.  This module imports nothing from the package.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

FieldPath = tuple[str | int, ...]
"""Where a value sits inside a policy document: ``("sla", 0, "targets")``."""


def render_path(path: FieldPath) -> str:
    """``("sla", 0, "targets")`` -> ``"sla[0].targets"``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class ServicePolicyError(Exception):
    """Base class of every error servicepolicy raises on purpose."""


class NaiveDatetimeError(ServicePolicyError, ValueError):
    """A datetime without a time zone was passed where an instant is needed."""

    def __init__(self, value: datetime, what: str = "datetime") -> None:
        self.value = value
        self.what = what
        super().__init__(
            f"{what} {value.isoformat()} has no time zone; pass an aware datetime, "
            f"e.g. {value.isoformat()}+00:00 or datetime(..., tzinfo=ZoneInfo('Europe/Berlin'))"
        )

    def __reduce__(self) -> tuple[type[NaiveDatetimeError], tuple[datetime, str]]:
        return (type(self), (self.value, self.what))


class CalendarError(ServicePolicyError, ValueError):
    """A calendar is malformed, or a query cannot be answered (e.g. it never opens again)."""


class DurationError(ServicePolicyError, ValueError):
    """A duration string such as ``"4h"`` or ``"PT4H"`` could not be parsed."""


Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One located problem in a policy file.

    ``path`` is the field path inside the document (``sla[0].targets.first_response``),
    ``line`` and ``column`` are 1-based (0 when unknown), ``code`` is a stable
    machine-readable name such as ``unknown-calendar``.
    """

    file: str
    line: int
    column: int
    path: str
    code: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        at = f" (at {self.path})" if self.path else ""
        return f"{where}: {self.severity}: {self.message}{at} [{self.code}]"


class PolicyError(ServicePolicyError, ValueError):
    """A policy file could not be loaded; ``findings`` lists every problem found."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = list(findings)
        errors = [f for f in self.findings if f.severity == "error"]
        head = f"{len(errors)} error(s) in policy"
        super().__init__(head + "\n" + "\n".join(str(f) for f in self.findings))

    def __repr__(self) -> str:
        return f"PolicyError(<{len(self.findings)} findings>)"

    def __reduce__(self) -> tuple[type[PolicyError], tuple[list[Finding]]]:
        return (type(self), (self.findings,))


class TicketError(ServicePolicyError, ValueError):
    """A ticket could not be read or evaluated."""

    def __init__(self, message: str, ticket_id: str | None = None, line: int | None = None) -> None:
        self.ticket_id = ticket_id
        self.line = line
        self.message = message = printable(message)  # it may quote the ticket's own text
        prefix = f"ticket {ticket_id!r}: " if ticket_id is not None else ""
        super().__init__(prefix + message)

    def __reduce__(self) -> tuple[type[TicketError], tuple[str, str | None, int | None]]:
        return (type(self), (self.message, self.ticket_id, self.line))


def require_aware(value: datetime, what: str = "datetime") -> datetime:
    """Return ``value`` unchanged, or raise :class:`NaiveDatetimeError` when it is naive."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(value, what)
    return value


def printable(text: str) -> str:
    """``text`` as valid Unicode: a lone surrogate (which no output can encode) is written as
    its escape, ``\\ud800``; valid text is returned as it is."""
    if text.isascii():
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``known`` to ``word``, or ``""``."""
    close = difflib.get_close_matches(word, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
