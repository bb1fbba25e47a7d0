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

from ._errors import TicketError

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
        if not isinstance(data, dict):
            raise TicketError(f"a ticket must be a JSON object, got {type(data).__name__}")
        ticket_id = data.get("id")
        if ticket_id is None or isinstance(ticket_id, dict | list | bool):
            raise TicketError("a ticket needs an 'id' (a string or number)")
        ticket_id = str(ticket_id)
        unknown = set(data) - {"id", "created_at", "fields", "events"}
        if unknown:
            raise TicketError(f"unknown key(s) {', '.join(sorted(unknown))}", ticket_id)
        fields = data.get("fields") or {}
        if not isinstance(fields, dict):
            raise TicketError("'fields' must be an object", ticket_id)
        raw_events = data.get("events") or []
        if not isinstance(raw_events, list):
            raise TicketError("'events' must be a list", ticket_id)
        try:
            created = parse_instant(data.get("created_at"), "created_at")
            events = tuple(_event(item, i) for i, item in enumerate(raw_events))
        except TicketError as exc:
            raise TicketError(exc.message, ticket_id) from None
        return cls(ticket_id, created, fields, events)


def parse_instant(value: Any, what: str) -> datetime:
    """An aware datetime from an ISO 8601 string (or an aware datetime)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise TicketError(f"{what} {value!r} is not an ISO 8601 instant") from None
    else:
        raise TicketError(f"{what} is missing or not a string")
    if moment.tzinfo is None:
        raise TicketError(f"{what} {value!s} has no UTC offset (e.g. +01:00 or Z)")
    return moment


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


def _event(item: Any, index: int) -> Event:
    if not isinstance(item, dict):
        raise TicketError(f"events[{index}] must be an object")
    kind = item.get("type")
    if not isinstance(kind, str) or not kind:
        raise TicketError(f"events[{index}] has no 'type'")
    at = parse_instant(item.get("at"), f"events[{index}].at")
    status = item.get("status")
    name = item.get("field")
    if kind == STATUS and not isinstance(status, str):
        raise TicketError(f"events[{index}] is a status event without a 'status'")
    if kind == FIELD and not isinstance(name, str):
        raise TicketError(f"events[{index}] is a field event without a 'field'")
    return _checked_event(at, kind, status, name, item.get("value"))


_new = object.__new__
_set = object.__setattr__


def _checked_event(at: datetime, kind: str, status: Any, name: Any, value: Any) -> Event:
    """An :class:`Event` from values :func:`_event` has checked, without checking them again
    (the frozen dataclass sets its fields the same way)."""
    event: Event = _new(Event)
    _set(event, "at", at)
    _set(event, "type", kind)
    _set(event, "status", status)
    _set(event, "field", name)
    _set(event, "value", value)
    return event
