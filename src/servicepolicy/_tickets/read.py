"""Reading a ticket from its JSON shape: checked once, with errors that name the problem.

Every ticket of a batch passes through here, so the compiled build (docs/performance.md)
compiles this module; ``Ticket.from_dict`` (:mod:`.model`) is its public face.  The evaluator
reads a ticket as :class:`TicketParts`, its events as plain rows: a batch never builds the
frozen ``Event`` objects, which cost more to make than to read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from .._common.errors import TicketError, printable
from .._common.instants import outside, supported, to_micros
from .._common.vocabulary import FIELD, STATUS

_KEYS: Final = frozenset(("id", "created_at", "fields", "events"))
_fromisoformat: Final = datetime.fromisoformat

Attributes = tuple[str | None, bool | None, str | None, str | None]
"""A message's ``(actor, public, channel, subject)``, each None when not given."""
EventRow = tuple[int, int, datetime, str, str | None, str | None, Any, Attributes | None]
"""An event as the evaluator reads it:
``(micros, position, at, type, status, field, value, attributes)``; ``micros`` is ``at`` in
microseconds since the epoch, ``position`` its place in the input, so rows sort in time
order, stably, without comparing the rest; ``attributes`` is None when the event has none."""


class TicketParts:
    """A ticket as the evaluator reads it: ``id``, ``created_at``, ``fields`` and event rows."""

    __slots__ = ("created_at", "events", "fields", "id")

    def __init__(
        self, ticket_id: str, created_at: datetime, fields: Any, events: list[EventRow]
    ) -> None:
        self.id = ticket_id
        self.created_at = created_at
        self.fields = fields
        self.events = events


def ticket_parts(ticket: Any) -> TicketParts:
    """The parts of a ``Ticket`` (read by its attributes: this module comes before the model,
    which reads its JSON shape through :func:`read_parts`)."""
    rows: list[EventRow] = [
        (
            to_micros(e.at, "event time"),
            i,
            e.at,
            e.type,
            e.status,
            e.field,
            e.value,
            None
            if e.actor is None and e.public is None and e.channel is None and e.subject is None
            else (e.actor, e.public, e.channel, e.subject),
        )
        for i, e in enumerate(ticket.events)
    ]
    return TicketParts(ticket.id, ticket.created_at, ticket.fields, rows)


def read_parts(data: Any) -> TicketParts:
    """The :class:`TicketParts` of a ticket's JSON shape; raises :class:`TicketError` naming
    the problem."""
    if not isinstance(data, dict):
        raise TicketError(f"a ticket must be a JSON object, got {type(data).__name__}")
    # A typed name: compiled, reads of it are dict operations, not method calls.
    record: dict[str, Any] = data
    raw_id = record.get("id")
    if raw_id is None or isinstance(raw_id, (dict, list, bool)):
        raise TicketError("a ticket needs an 'id' (a string or number)")
    try:
        ticket_id = str(raw_id)
    except ValueError:  # an integer past Python's limit for its digits
        raise TicketError("the 'id' is a number too long to be an id") from None
    if not ticket_id.isascii() and printable(ticket_id) != ticket_id:
        raise TicketError(
            "the 'id' is not valid Unicode text (it holds a lone surrogate)", printable(ticket_id)
        )
    if not _KEYS.issuperset(record):
        keys: set[Any] = set(data)  # from Python data, a key may be no text
        unknown = ", ".join(sorted(_key_text(key) for key in keys - _KEYS))
        raise TicketError(f"unknown key(s) {unknown}", ticket_id)
    fields = record.get("fields") or {}
    if not isinstance(fields, dict):
        raise TicketError("'fields' must be an object", ticket_id)
    raw_events = record.get("events") or []
    if not isinstance(raw_events, list):
        raise TicketError("'events' must be a list", ticket_id)
    try:
        created = parse_instant(record.get("created_at"), "created_at")
        events = [_row(item, index) for index, item in enumerate(raw_events)]
    except TicketError as exc:
        raise TicketError(exc.message, ticket_id) from None
    if created.utcoffset() is None:  # a tzinfo without an offset, as Ticket refuses it
        raise TicketError(f"created_at {created.isoformat()} has no UTC offset", ticket_id)
    if not supported(to_micros(created, "created_at")):
        raise TicketError(outside(created, "created_at"), ticket_id)
    for row in events:
        if not supported(row[0]):
            raise TicketError(outside(row[2], f"events[{row[1]}].at"), ticket_id)
    return TicketParts(ticket_id, created, fields, events)


def _key_text(key: Any) -> str:
    """A key as an error names it; a key that is not text (from Python data) by its type."""
    return key if isinstance(key, str) else f"<a {type(key).__name__}>"


def parse_instant(value: Any, what: str | int) -> datetime:
    """An aware datetime from an ISO 8601 string (or an aware datetime).

    ``what`` names the value in errors: a key, or the index of the event whose ``at`` it is
    (its name is only spelled out for an error, as every event of a batch passes here).
    """
    if isinstance(value, str):
        try:
            moment = _fromisoformat(value)
        except ValueError:
            raise TicketError(f"{_named(what)} {value!r} is not an ISO 8601 instant") from None
    elif isinstance(value, datetime):
        moment = value
    else:
        raise TicketError(f"{_named(what)} is missing or not a string")
    if moment.tzinfo is None:
        raise TicketError(f"{_named(what)} {value!s} has no UTC offset (e.g. +01:00 or Z)")
    return moment


def _named(what: str | int) -> str:
    return what if isinstance(what, str) else f"events[{what}].at"


def _row(item: Any, index: int) -> EventRow:
    if not isinstance(item, dict):
        raise TicketError(f"events[{index}] must be an object")
    entry: dict[str, Any] = item
    kind = entry.get("type")
    if not isinstance(kind, str) or not kind:
        raise TicketError(f"events[{index}] has no 'type'")
    at = parse_instant(entry.get("at"), index)
    # A status or field name that an event of its type does not need means nothing, even one
    # that is not text: it is dropped, so that both builds read the event alike.
    status = entry.get("status")
    name = entry.get("field")
    if kind == STATUS:
        if not isinstance(status, str):
            raise TicketError(f"events[{index}] is a status event without a 'status'")
    elif status is not None and not isinstance(status, str):
        status = None
    if kind == FIELD:
        if not isinstance(name, str):
            raise TicketError(f"events[{index}] is a field event without a 'field'")
    elif name is not None and not isinstance(name, str):
        name = None
    attributes: Attributes | None = None
    # Most events hold only the keys their type needs: look for a message's attributes only in
    # one that holds more.
    if len(entry) > _NEEDED.get(kind, 2):
        attributes = _attributes(entry, index)
    at_micros = to_micros(at, "event time")
    return (at_micros, index, at, kind, status, name, entry.get("value"), attributes)


_NEEDED: Final = {STATUS: 3, FIELD: 4}  # at, type, and a status, or a field and its value


def _attributes(entry: dict[str, Any], index: int) -> Attributes | None:
    actor, public, channel = entry.get("actor"), entry.get("public"), entry.get("channel")
    subject = entry.get("subject")
    attributes: Attributes | None = None
    if actor is not None or public is not None or channel is not None or subject is not None:
        if actor is not None and not isinstance(actor, str):
            raise TicketError(f"events[{index}].actor must be text such as 'agent'")
        if public is not None and not isinstance(public, bool):
            raise TicketError(f"events[{index}].public must be true or false")
        if channel is not None and not isinstance(channel, str):
            raise TicketError(f"events[{index}].channel must be text such as 'email'")
        if subject is not None and not isinstance(subject, str):
            raise TicketError(f"events[{index}].subject must be text")
        attributes = (actor, public, channel, subject)
    return attributes
