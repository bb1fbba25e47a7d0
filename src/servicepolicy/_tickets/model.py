"""Tickets as data: an id, a creation instant, fields, and a history of events.

Event types with a meaning: ``customer_message``, ``agent_reply`` (public), ``internal_note``
(counts for nothing), ``status`` (with ``status``), ``field`` (with ``field`` and ``value``).
Any other type is kept and counted, so escalation levels can fire on it
(``on_event: abuse_warning``).  Every instant must carry a UTC offset.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .._common.errors import TicketError

CUSTOMER_MESSAGE = "customer_message"
AGENT_REPLY = "agent_reply"
STATUS = "status"
FIELD = "field"
SOLVED, CLOSED = "solved", "closed"
TERMINAL = frozenset((SOLVED, CLOSED))


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of a ticket's history."""

    at: datetime
    type: str
    status: str | None = None
    field: str | None = None
    value: Any = None

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise TicketError(f"event at {self.at.isoformat()} has no UTC offset")
        if self.type == STATUS and not isinstance(self.status, str):
            raise TicketError(f"status event at {self.at.isoformat()} has no 'status'")
        if self.type == FIELD and not isinstance(self.field, str):
            raise TicketError(f"field event at {self.at.isoformat()} has no 'field'")


@dataclass(frozen=True, slots=True)
class Ticket:
    """A ticket: ``id``, ``created_at`` (aware), ``fields`` and ``events`` in any order."""

    id: str
    created_at: datetime
    fields: Mapping[str, Any] = field(default_factory=dict)
    events: tuple[Event, ...] = ()

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None or self.created_at.utcoffset() is None:
            raise TicketError(
                f"created_at {self.created_at.isoformat()} has no UTC offset", self.id
            )

    @classmethod
    def from_dict(cls, data: Any) -> Ticket:
        """Read a ticket from its JSON shape; raises :class:`TicketError` naming the problem."""
        from .read import read_ticket

        ticket = read_ticket(data)
        return (
            ticket
            if cls is Ticket
            else cls(ticket.id, ticket.created_at, ticket.fields, ticket.events)
        )


def instant_option(text: str, option: str) -> datetime:
    """An instant given on the command line (``--as-of``); the error suggests a fixed spelling."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise TicketError(f"{option} {text!r} is not an ISO 8601 instant") from None
    if value.tzinfo is None:
        example = value.replace(tzinfo=UTC).isoformat().replace("+00:00", "+01:00")
        raise TicketError(f"{option} {text!r} has no UTC offset; add one, e.g. {example}")
    return value
