"""Freshdesk: ticket histories, SLA policies and recorded SLA figures from saved API pages.

Pages are response bodies of the Freshdesk REST API v2 (one per file, or JSON Lines), told
apart by their keys (see docs/adapters/freshdesk.md): tickets (``/api/v2/tickets``, with
``include=conversations`` or ``include=stats``), conversations
(``/api/v2/tickets/[id]/conversations``, or ``{"ticket_id": N, "conversations": [...]}``),
the ticket activities export (``{"activities_data": [...]}``), ticket fields (for custom
status names), and the policy pages: SLA policies, business hours and groups.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Final

from .._tickets.model import Ticket, UnreadTicket
from ._common import (
    ImportedPolicy,
    ImportLog,
    Recorded,
    TicketStore,
    iso,
    read_pages,
    status_name,
)
from ._freshdesk_pages import (
    PRIORITIES,
    Kinds,
    activity_events,
    activity_order,
    conversation_event,
    conversation_order,
    custom_status_names,
    kinds_of,
)
from ._freshdesk_policy import build_policy

__all__ = ["DEFAULT_STATUS_MAP", "SOURCE", "read_policy", "read_recorded", "read_tickets"]

SOURCE: Final = "freshdesk"

DEFAULT_STATUS_MAP: Final[Mapping[str, str]] = {
    "open": "open",
    "pending": "pending",
    "resolved": "solved",
    "closed": "closed",
}
"""Freshdesk's built-in statuses (their names, lower-case) to ticket statuses; a custom
status keeps its own name (``Waiting on Third Party`` -> ``waiting_on_third_party``)."""

Paths = Iterable[str | os.PathLike[str]]

# Ticket keys kept as fields (conditions of SLA policies read them), as the API spells them.
_FIELD_KEYS: Final = (
    "group_id",
    "company_id",
    "product_id",
    "type",
    "source",
    "requester_id",
    "tags",
)


def read_tickets(
    paths: Paths,
    *,
    status_map: Mapping[str, str] | None = None,
    log: ImportLog | None = None,
) -> Iterator[Ticket | UnreadTicket]:
    """Every ticket of the ticket pages in ``paths``, with the events of the conversation and
    activity pages; then an error record per ticket id that has events but no ticket page,
    and one per ticket whose ``id`` is missing or not a number or text."""
    statuses = DEFAULT_STATUS_MAP if status_map is None else status_map
    log = ImportLog() if log is None else log
    files = [os.fspath(p) for p in paths]
    names: dict[int, str] = {}
    initial: dict[str, dict[str, Any]] = {}
    unread: list[UnreadTicket] = []
    with TicketStore(SOURCE) as store:
        # Three passes over the pages: custom status names; conversations and activities
        # (the activity export's new_ticket entries give the creation values); then the
        # ticket pages, whose headers need those creation values.
        for page in read_pages(files):
            for kind, items in kinds_of(page, log):
                if kind is Kinds.TICKET_FIELDS:
                    names.update(custom_status_names(items))
        for page in read_pages(files):
            for kind, items in kinds_of(page, None):
                if kind is Kinds.CONVERSATIONS:
                    for item in items:
                        _stage_conversation(store, item, None, log)
                elif kind is Kinds.ACTIVITIES:
                    for item in items:
                        _stage_activity(store, item, names, statuses, initial, log)
        for page in read_pages(files):
            for kind, items in kinds_of(page, None):
                if kind is Kinds.TICKETS:
                    for item in items:
                        if (error := _stage_ticket(store, item, initial, log)) is not None:
                            unread.append(UnreadTicket(f"{SOURCE}: {page.where}: {error}"))
        yield from store.tickets()
    yield from unread


def _ticket_id(value: Any) -> str | None:
    """A ticket id as text: a whole number or non-blank text; None for anything else (a
    missing id, null, a list...), which must never name a ticket."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _stage_ticket(
    store: TicketStore, item: dict[str, Any], initial: dict[str, Any], log: ImportLog
) -> str | None:
    """Stage one ticket and its inline conversations; the error when it has no usable id."""
    ticket_id = _ticket_id(item.get("id"))
    if ticket_id is None:
        return f"a ticket with no usable id ({item.get('id')!r:.60})"
    priority = item.get("priority")
    fields: dict[str, Any] = {
        "priority": PRIORITIES.get(priority, priority) if isinstance(priority, int) else priority
    }
    for key in _FIELD_KEYS:
        if key in item:
            fields[key] = item[key]
    custom = item.get("custom_fields")
    if isinstance(custom, dict):
        fields.update(custom)
    fields.update(initial.get(ticket_id, {}))
    store.add_ticket(
        ticket_id, {"id": ticket_id, "created_at": _at(item.get("created_at")), "fields": fields}
    )
    conversations = item.get("conversations")
    if conversations is not None and not isinstance(conversations, list):
        log.warn("bad-value", f"ticket {ticket_id}: conversations {conversations!r:.60}")
        return None
    for conversation in conversations or ():
        if isinstance(conversation, dict):
            _stage_conversation(store, conversation, ticket_id, log)
    return None


def _stage_conversation(
    store: TicketStore, item: dict[str, Any], ticket_id: str | None, log: ImportLog
) -> None:
    owner = ticket_id if ticket_id is not None else _ticket_id(item.get("ticket_id"))
    if owner is None:
        log.warn(
            "bad-value",
            f"conversation {item.get('id')!r:.60}: ticket_id {item.get('ticket_id')!r:.60}",
        )
        return
    event = conversation_event(item, _at(item.get("created_at")))
    store.add_event(owner, event, conversation_order(item))


def _stage_activity(
    store: TicketStore,
    item: dict[str, Any],
    names: Mapping[int, str],
    statuses: Mapping[str, str],
    initial: dict[str, dict[str, Any]],
    log: ImportLog,
) -> None:
    ticket_id = _ticket_id(item.get("ticket_id"))
    at = _at(item.get("performed_at"))
    if ticket_id is None:
        log.warn("bad-value", f"activity at {at!r:.60}: ticket_id {item.get('ticket_id')!r:.60}")
        return
    changes = item.get("activity")
    if not isinstance(changes, dict):
        log.warn("unknown-event-kind", f"ticket {ticket_id} activity at {at}: no 'activity'")
        return
    if changes.get("new_ticket") is True:
        # The values the ticket was created with: its fields, not changes.
        values = initial.setdefault(ticket_id, {})
        for event in activity_events(changes, names, log, ticket_id, at):
            if event["type"] == "field":
                values[event["field"]] = event["value"]
        return
    for rank, event in enumerate(activity_events(changes, names, log, ticket_id, at)):
        if event["type"] == "status":
            event["status"] = status_name(event["status"], statuses)
        store.add_event(ticket_id, {"at": at, **event}, activity_order(rank, event))


def _at(value: Any) -> Any:
    """ISO text with an offset; an unreadable value is kept as it is, so that the ticket
    becomes an error record naming it."""
    try:
        return iso(value)
    except ValueError:
        return value


def read_policy(paths: Paths, *, log: ImportLog | None = None) -> ImportedPolicy:
    """The policy of the SLA policy, business hours, group and ticket field pages in
    ``paths``, with ``semantics: freshdesk``."""
    log = ImportLog() if log is None else log
    found: dict[Kinds, list[dict[str, Any]]] = {}
    for page in read_pages(paths):
        for kind, items in kinds_of(page, log):
            found.setdefault(kind, []).extend(items)
    return build_policy(found, log)


def read_recorded(paths: Paths, *, log: ImportLog | None = None) -> Iterator[Recorded]:
    """Freshdesk's own SLA figures from the ticket pages: ``fr_due_by``/``fr_escalated``
    (first response), ``nr_due_by``/``nr_escalated`` (next response, where given) and
    ``due_by``/``is_escalated`` (resolution), with ``stats`` times where included."""
    log = ImportLog() if log is None else log
    for page in read_pages(paths):
        for kind, items in kinds_of(page, log):
            if kind is not Kinds.TICKETS:
                continue
            for item in items:
                yield from _recorded(item, log)


_FIGURES: Final = (
    ("first_response", "fr_due_by", "fr_escalated", "first_responded_at"),
    ("next_response", "nr_due_by", "nr_escalated", None),
    ("resolution", "due_by", "is_escalated", "resolved_at"),
)


def _recorded(item: dict[str, Any], log: ImportLog) -> Iterator[Recorded]:
    ticket_id = _ticket_id(item.get("id"))
    if ticket_id is None:
        log.warn("bad-value", f"a ticket with no usable id ({item.get('id')!r:.60})")
        return
    given = item.get("stats")
    stats: dict[str, Any] = given if isinstance(given, dict) else {}
    for metric, due_key, flag_key, done_key in _FIGURES:
        due = _moment(item.get(due_key), ticket_id, due_key, log)
        flag = item.get(flag_key)
        breached = flag if isinstance(flag, bool) else None
        done = (
            _moment(stats.get(done_key), ticket_id, f"stats.{done_key}", log) if done_key else None
        )
        if due is None and breached is None:
            continue
        yield Recorded(
            ticket_id,
            metric,
            due_at=due,
            breached=breached,
            completed_at=done,
            detail=f"ticket {ticket_id} {due_key}/{flag_key}",
        )


def _moment(value: Any, ticket_id: str, key: str, log: ImportLog) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(iso(value))
    except ValueError as error:
        log.warn("bad-timestamp", f"ticket {ticket_id} {key}: {error}")
        return None
