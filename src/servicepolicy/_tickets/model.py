"""Tickets as data: an id, a creation instant, fields, and a history of events.

Event types with a meaning: ``customer_message``, ``agent_reply`` (public), ``internal_note``
(counts for nothing), ``status`` (with ``status``), ``field`` (with ``field`` and ``value``).
Any other type is kept and counted, so escalation levels can fire on it
(``on_event: abuse_warning``).  Every instant must carry a UTC offset and lie in the
supported years, 1900-2199.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from .._common.errors import TicketError
from .._common.instants import outside, supported, to_micros
from .._common.vocabulary import FIELD, STATUS
from .read import EventRow, read_parts

_new: Final = object.__new__
_set: Final = object.__setattr__


def _require(holds: bool, model: str, name: str, wanted: str, got: Any) -> None:
    """Refuse a constructor argument of the wrong type, saying what to pass."""
    if not holds:
        raise TypeError(
            f"{model} {name} must be {wanted}, got {type(got).__name__} {got!r:.60}; "
            "Ticket.from_dict reads a ticket in its JSON shape (ISO 8601 text, event mappings)"
        )


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of a ticket's history; a message may say who wrote it (``actor``: customer,
    agent, system or a role), whether it is ``public``, its ``channel`` and its ``subject``."""

    at: datetime
    type: str
    status: str | None = None
    field: str | None = None
    value: Any = None
    actor: str | None = None
    public: bool | None = None
    channel: str | None = None
    subject: str | None = None

    def __post_init__(self) -> None:
        _require(isinstance(self.at, datetime), "Event", "at", "an aware datetime", self.at)
        _require(isinstance(self.type, str), "Event", "type", "a string", self.type)
        for name, kind, wanted in (
            ("actor", str, "a string"),
            ("public", bool, "True or False"),
            ("channel", str, "a string"),
            ("subject", str, "a string"),
        ):
            given = getattr(self, name)
            _require(given is None or isinstance(given, kind), "Event", name, wanted, given)
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise TicketError(f"event at {self.at.isoformat()} has no UTC offset")
        if not supported(to_micros(self.at)):
            raise TicketError(outside(self.at, "event at"))
        if self.type == STATUS and not isinstance(self.status, str):
            raise TicketError(f"status event at {self.at.isoformat()} has no 'status'")
        if self.type == FIELD and not isinstance(self.field, str):
            raise TicketError(f"field event at {self.at.isoformat()} has no 'field'")

    def __setstate__(self, state: Any) -> None:
        # A pickle made before an event had a message's attributes holds fewer values.
        names = ("at", "type", "status", "field", "value", "actor", "public", "channel", "subject")
        for name, value in zip(names, (*state, None, None, None, None), strict=False):
            _set(self, name, value)


@dataclass(frozen=True, slots=True)
class Ticket:
    """A ticket: ``id`` (a string), ``created_at`` (an aware datetime), ``fields`` (a mapping)
    and ``events`` (:class:`Event` objects, in any order).  An argument of another type is a
    ``TypeError`` saying what to pass; :meth:`from_dict` reads the JSON shape instead."""

    id: str
    created_at: datetime
    fields: Mapping[str, Any] = field(default_factory=dict)
    events: tuple[Event, ...] = ()

    def __post_init__(self) -> None:
        _require(isinstance(self.id, str), "Ticket", "id", "a string", self.id)
        _require(
            isinstance(self.created_at, datetime),
            "Ticket",
            "created_at",
            "an aware datetime",
            self.created_at,
        )
        _require(isinstance(self.fields, Mapping), "Ticket", "fields", "a mapping", self.fields)
        if type(self.events) is not tuple:
            _require(
                isinstance(self.events, list | tuple), "Ticket", "events", "a tuple", self.events
            )
            _set(self, "events", tuple(self.events))
        for event in self.events:
            _require(isinstance(event, Event), "Ticket", "events", "Event objects", event)
        if self.created_at.tzinfo is None or self.created_at.utcoffset() is None:
            raise TicketError(
                f"created_at {self.created_at.isoformat()} has no UTC offset", self.id
            )
        if not supported(to_micros(self.created_at)):
            raise TicketError(outside(self.created_at, "created_at"), self.id)

    def to_dict(self) -> dict[str, Any]:
        """The ticket in its JSON shape, as :meth:`from_dict` reads it: instants as ISO 8601
        text; an event's optional keys only when set."""
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "fields": dict(self.fields),
            "events": [_event_dict(event) for event in self.events],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Ticket:
        """Read a ticket from its JSON shape; raises :class:`TicketError` naming the problem."""
        ticket = read_ticket(data)
        return (
            ticket
            if cls is Ticket
            else cls(ticket.id, ticket.created_at, ticket.fields, ticket.events)
        )


@dataclass(frozen=True, slots=True)
class UnreadTicket:
    """A record of a ticket file that is not a ticket: the ``error`` (``line N: ...``), the
    record's 1-based ``line`` (None when unknown) and the ticket's id when one was found.
    :func:`~servicepolicy.read_tickets` yields these in place of the records it cannot read,
    and every function that evaluates tickets turns one into an error record."""

    error: str
    line: int | None = None
    ticket_id: str | None = None


_EVENT_KEYS: Final = ("status", "field", "value", "actor", "public", "channel", "subject")


def _event_dict(event: Event) -> dict[str, Any]:
    data: dict[str, Any] = {"at": event.at.isoformat(), "type": event.type}
    for key in _EVENT_KEYS:
        value = getattr(event, key)
        if value is not None or (key == "value" and event.type == FIELD):
            data[key] = value
    return data


def read_ticket(data: Any) -> Ticket:
    """A :class:`Ticket` from its JSON shape; raises :class:`TicketError` naming the problem."""
    parts = read_parts(data)
    return Ticket(parts.id, parts.created_at, parts.fields, tuple(map(_event, parts.events)))


def _event(row: EventRow) -> Event:
    # Checked by read_parts: set the frozen dataclass's fields as its own __init__ does,
    # without running __post_init__'s checks again.
    event: Event = _new(Event)
    _set(event, "at", row[2])
    _set(event, "type", row[3])
    _set(event, "status", row[4])
    _set(event, "field", row[5])
    _set(event, "value", row[6])
    actor, public, channel, subject = row[7] or (None, None, None, None)
    _set(event, "actor", actor)
    _set(event, "public", public)
    _set(event, "channel", channel)
    _set(event, "subject", subject)
    return event
