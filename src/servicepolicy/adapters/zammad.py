"""Zammad: tickets, articles and ticket history from its REST API as tickets; its SLAs and
calendars as a policy; the escalation times it recorded on its tickets, for reconcile.

Pages are told apart by their keys (docs/adapters/zammad.md): a ticket has ``created_at``
and ``state_id`` or ``state`` (one without a readable ``id`` is an error record); an article
has ``ticket_id`` and ``sender`` or ``sender_id``; a history page is ``{"history": [...]}``;
an SLA has ``first_response_time`` or ``solution_time``; a calendar has ``business_hours``; a
ticket state has ``state_type_id`` and ``ignore_escalation``.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Final

from .._tickets.model import Ticket, UnreadTicket
from ._common import ImportedPolicy, ImportLog, Recorded, TicketStore, iso, status_name
from ._zammad_pages import (
    ARTICLE,
    HISTORY,
    TICKET,
    as_id,
    pages_by_kind,
    shown,
)
from ._zammad_policy import build_policy

__all__ = ["DEFAULT_STATUS_MAP", "SOURCE", "read_policy", "read_recorded", "read_tickets"]

SOURCE: Final = "zammad"

DEFAULT_STATUS_MAP: Final[Mapping[str, str]] = {
    "new": "new",
    "open": "open",
    "pending reminder": "pending",
    "pending close": "pending",
    "closed": "solved",
    "merged": "closed",
    "removed": "closed",
}
"""Zammad's default ticket states as ticket statuses.  ``closed`` is ``solved``: a customer's
follow-up reopens a closed Zammad ticket; ``merged`` and ``removed`` end it for good."""

# The ids Zammad's seed data gives its default states, priorities and article senders; an
# instance may have others (a page that names them, as ``expand=true`` does, wins).
STATE_IDS: Final = {
    1: "new",
    2: "open",
    3: "pending reminder",
    4: "closed",
    5: "merged",
    6: "removed",
    7: "pending close",
}
PRIORITY_IDS: Final = {1: "1 low", 2: "2 normal", 3: "3 high"}
SENDER_IDS: Final = {1: "Agent", 2: "Customer", 3: "System"}

# Ticket attributes that are not fields: times Zammad computes, counters, references.
_NOT_FIELDS: Final = frozenset(
    (
        *("id", "number", "title", "state_id", "state", "note", "preferences"),
        *("article_count", "time_unit", "pending_time", "escalation_at", "checklist_id"),
        *("create_article_type_id", "create_article_sender_id", "create_article_type"),
        *("create_article_sender", "updated_by_id", "created_by_id", "updated_by", "created_by"),
        *("ticket_time_accounting", "mention_user_ids"),
    )
)
_NOT_FIELD_ENDINGS: Final = ("_at", "_in_min", "_ids")
# History entries of no SLA meaning: Zammad's notifications, trigger emails, merges (the
# state change that comes with a merge is read) and the articles (read from article pages).
_QUIET_TYPES: Final = frozenset(
    ("notification", "email", "sms", "received_merge", "merged_into", "time_trigger_performed")
)
_ARTICLE_OBJECT: Final = "Ticket::Article"

Paths = Iterable[str | os.PathLike[str]]


def read_tickets(
    paths: Paths,
    *,
    status_map: Mapping[str, str] | None = None,
    log: ImportLog | None = None,
) -> Iterator[Ticket | UnreadTicket]:
    """Every ticket of the ticket pages, with the events of its articles and history, or an
    error record in its place; events of a ticket in no ticket page give an error record."""
    statuses = DEFAULT_STATUS_MAP if status_map is None else status_map
    log = log if log is not None else ImportLog()
    reader = _TicketReader(statuses, log)
    with TicketStore(SOURCE) as store:
        for kind, where, item in pages_by_kind(paths, log):
            if kind == TICKET:
                reader.ticket(where, item)
            elif kind == ARTICLE:
                reader.article(store, where, item)
            elif kind == HISTORY:
                reader.history(store, where, item)
        reader.stage(store)
        for record in store.tickets():
            if isinstance(record, Ticket) and record.id in reader.bad:
                yield UnreadTicket(error=f"{SOURCE}: {reader.bad[record.id]}", ticket_id=record.id)
            else:
                yield record
    yield from reader.without_id


class _TicketReader:
    """The state of one ticket import: headers (current values, as JSON text) and what the
    histories say of the values at creation; events go straight to the store."""

    def __init__(self, statuses: Mapping[str, str], log: ImportLog) -> None:
        self.statuses, self.log = statuses, log
        self.headers: dict[str, str] = {}  # ticket id -> its header as compact JSON text
        self.states: dict[str, str] = {}  # current state name, when a page names it
        # attribute -> (instant, order key, value before, id before) of the first change
        self.first: dict[str, dict[str, tuple[float, str, Any, Any]]] = {}
        # the tag changes of each ticket by order key: (instant, order key, its text, added?, tag)
        self.tag_changes: dict[str, dict[str, tuple[float, str, str, bool, str]]] = {}
        self.bad: dict[str, str] = {}
        self.with_history: set[str] = set()
        self.closed_at: dict[str, str] = {}
        self.without_id: list[UnreadTicket] = []  # ticket pages whose id cannot be read

    def ticket(self, where: str, item: dict[str, Any]) -> None:
        ticket_id = _id_text(item.get("id"))
        if ticket_id is None:
            error = f"{SOURCE}: a ticket ({where}) without an id: 'id' is {shown(item.get('id'))}"
            self.without_id.append(UnreadTicket(error=error))
            return
        try:
            created = _iso(item.get("created_at"))
        except ValueError as error:
            self.bad[ticket_id] = f"ticket {ticket_id} ({where}): created_at: {error}"
            created = ""
        header = {"id": ticket_id, "created_at": created, "fields": _fields(item)}
        self.headers[ticket_id] = json.dumps(
            header, ensure_ascii=False, separators=(",", ":"), default=str
        )
        state = item.get("state")
        if not isinstance(state, str):
            state = STATE_IDS.get(as_id(item.get("state_id")) or 0, "")
        if state:
            self.states[ticket_id] = state
        if item.get("close_at") is not None:
            try:
                self.closed_at[ticket_id] = iso(item["close_at"])
            except ValueError as error:
                self.bad[ticket_id] = f"ticket {ticket_id} ({where}): close_at: {error}"

    def article(self, store: TicketStore, where: str, item: dict[str, Any]) -> None:
        ticket_id = _id_text(item.get("ticket_id"))
        if ticket_id is None:
            self.log.warn(
                "bad-value",
                f"article {shown(item.get('id'))} ({where}): 'ticket_id' is "
                f"{shown(item.get('ticket_id'))}, not a ticket id",
            )
            return
        sender = item.get("sender")
        if not isinstance(sender, str):
            sender = SENDER_IDS.get(as_id(item.get("sender_id")) or 0, "")
        kind = item.get("type") if isinstance(item.get("type"), str) else None
        internal = item.get("internal") is True
        event_type = _article_event(sender, kind, internal)
        if event_type is None:
            self.log.warn(
                "unknown-event-kind",
                f"article {shown(item.get('id'))} of ticket {ticket_id} ({where}): "
                f"sender {sender!r:.60}",
            )
            return
        try:
            at = _iso(item.get("created_at"))
        except ValueError as error:
            self.bad[ticket_id] = f"article {shown(item.get('id'))} ({where}): created_at: {error}"
            return
        event: dict[str, Any] = {
            "at": at,
            "type": event_type,
            "actor": sender.lower(),
            "public": not internal,
        }
        if kind:
            event["channel"] = kind
        if isinstance(item.get("subject"), str) and item["subject"]:
            event["subject"] = item["subject"]
        store.add_event(ticket_id, event, _order("a", item))

    def history(self, store: TicketStore, where: str, entries: list[Any]) -> None:
        for entry in entries:
            if not isinstance(entry, dict):
                self.log.warn("unknown-event-kind", f"{where}: a history entry that is no object")
                continue
            self._entry(store, where, entry)

    def _entry(self, store: TicketStore, where: str, entry: dict[str, Any]) -> None:
        kind, target = _text(entry.get("type")), _text(entry.get("object"))
        ticket_id = _id_text(entry.get("o_id"))
        if target == "Ticket" and ticket_id is not None:
            self.with_history.add(ticket_id)
        if target == _ARTICLE_OBJECT or kind in _QUIET_TYPES or kind == "created":
            return
        attribute = _text(entry.get("attribute"))
        known = kind == "updated" or (kind in ("added", "removed") and attribute == "tag")
        about = f"history {shown(entry.get('id'))} ({where})"
        if target != "Ticket" or attribute is None or not known:
            self.log.warn(
                "unknown-event-kind",
                f"history {shown(entry.get('id'))} of ticket {shown(entry.get('o_id'))} "
                f"({where}): {target} {kind} {attribute}",
            )
            return
        if ticket_id is None:
            self.log.warn("bad-value", f"{about}: 'o_id' is {shown(entry.get('o_id'))}")
            return
        try:
            at = _iso(entry.get("created_at"))
        except ValueError as error:
            self.bad[ticket_id] = f"{about}: created_at: {error}"
            return
        problem = _unreadable(kind, attribute, entry)
        if problem:
            self.bad[ticket_id] = f"{about}: {problem}"
        elif kind == "updated":
            self._changed(store, ticket_id, attribute, at, _order("h", entry), entry)
        else:
            self._tagged(ticket_id, at, _order("h", entry), kind == "added", entry)

    def _tagged(
        self, ticket_id: str, at: str, order: str, added: bool, entry: dict[str, Any]
    ) -> None:
        # Tags are a list built up change by change: staged once every page is read, in the
        # order of their instants, whatever the order of the pages (an entry read twice once).
        tag = entry.get("value_to") or entry.get("value_from")
        self.tag_changes.setdefault(ticket_id, {})[order] = (
            _instant_key(at),
            order,
            at,
            added,
            str(tag),
        )
        self._first(ticket_id, "tags", at, order, [], None)

    def _changed(
        self,
        store: TicketStore,
        ticket_id: str,
        attribute: str,
        at: str,
        order: str,
        entry: dict[str, Any],
    ) -> None:
        value_to, value_from = entry.get("value_to"), entry.get("value_from")
        self._first(ticket_id, attribute, at, order, value_from, entry.get("id_from"))
        if attribute == "state":
            status = status_name(str(value_to), self.statuses)
            store.add_event(ticket_id, {"at": at, "type": "status", "status": status}, order)
            return
        store.add_event(
            ticket_id, {"at": at, "type": "field", "field": attribute, "value": value_to}, order
        )
        if entry.get("id_to") is not None or entry.get("id_from") is not None:
            store.add_event(
                ticket_id,
                {
                    "at": at,
                    "type": "field",
                    "field": f"{attribute}_id",
                    "value": entry.get("id_to"),
                },
                order + ".id",
            )

    def _first(
        self, ticket_id: str, attribute: str, at: str, order: str, value: Any, id_: Any
    ) -> None:
        known = self.first.setdefault(ticket_id, {})
        key = (_instant_key(at), order)
        if attribute not in known or key < known[attribute][:2]:
            known[attribute] = (*key, value, id_)

    def _stage_tags(self, store: TicketStore, ticket_id: str) -> None:
        current: list[str] = []
        for _, order, at, added, tag in sorted(self.tag_changes.get(ticket_id, {}).values()):
            if added and tag not in current:
                current.append(tag)
            elif not added and tag in current:
                current.remove(tag)
            store.add_event(
                ticket_id, {"at": at, "type": "field", "field": "tags", "value": [*current]}, order
            )

    def stage(self, store: TicketStore) -> None:
        """Stage every header, with the values at creation the histories give."""
        for ticket_id, text in self.headers.items():
            header = json.loads(text)
            fields = header["fields"]
            changes = self.first.get(ticket_id, {})
            for attribute, (_, _, value, id_) in changes.items():
                if attribute == "state":
                    continue
                fields[attribute] = value
                if id_ is not None:
                    fields[f"{attribute}_id"] = id_
            store.add_ticket(ticket_id, header)
            self._stage_tags(store, ticket_id)
            if ticket_id not in self.bad:
                self._stage_state(store, ticket_id, header["created_at"], changes)
        for ticket_id in sorted(self.tag_changes.keys() - self.headers.keys()):
            self._stage_tags(store, ticket_id)  # a ticket in no ticket page: an error record

    def _stage_state(
        self,
        store: TicketStore,
        ticket_id: str,
        created: str,
        changes: dict[str, tuple[float, str, Any, Any]],
    ) -> None:
        current = self.states.get(ticket_id)
        if "state" in changes:
            # The first change says what the state was before it: the state at creation.
            initial = changes["state"][2]
        elif ticket_id in self.with_history:
            initial = current  # a history without a state change: never changed
        else:
            # No history: the state at creation is unknown; a closed ticket is closed at
            # its close_at, the one instant the ticket page gives.
            closed = self.closed_at.get(ticket_id)
            status = status_name(current or "", self.statuses)
            if closed is not None and status in ("solved", "closed"):
                store.add_event(ticket_id, {"at": closed, "type": "status", "status": status}, "0")
            return
        if isinstance(initial, str) and initial:
            status = status_name(initial, self.statuses)
            if status != "new":
                store.add_event(ticket_id, {"at": created, "type": "status", "status": status}, "0")


def _fields(item: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, value in item.items():
        if key in _NOT_FIELDS or key.endswith(_NOT_FIELD_ENDINGS):
            continue
        if isinstance(value, dict):
            continue
        fields[key] = value
    priority = as_id(item.get("priority_id"))
    if "priority" not in fields and priority in PRIORITY_IDS:
        fields["priority"] = PRIORITY_IDS[priority]
    return fields


def _article_event(sender: str, kind: str | None, internal: bool) -> str | None:
    if sender == "System":
        return "internal_note"
    if sender not in ("Customer", "Agent"):
        return None
    if internal:
        return "internal_note"
    if sender == "Customer":
        return "customer_message"
    # A note is no communication article: Zammad does not count it as a response.
    return "internal_note" if kind == "note" else "agent_reply"


def _order(prefix: str, item: dict[str, Any]) -> str:
    """The order key of an article (``a``) or history entry (``h``): its id, the same on every
    page and endpoint that gives it; without a readable id, a digest of the whole object, so
    that two such objects are never taken for one."""
    number = as_id(item.get("id"))
    if number is not None:
        return f"{prefix}{number:020d}"
    text = json.dumps(item, sort_keys=True, separators=(",", ":"), default=str)
    return f"{prefix}~{hashlib.sha256(text.encode()).hexdigest()[:24]}"


def _id_text(value: Any) -> str | None:
    """A ticket id (a whole number or non-empty text) as text, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) if abs(value) < 10**30 else None
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _iso(value: Any) -> str:
    """:func:`iso` of any JSON value: ``ValueError`` for one that is no timestamp."""
    return iso(value)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _unreadable(kind: str | None, attribute: str, entry: dict[str, Any]) -> str:
    """What makes a ticket history entry unreadable, or ``""``."""
    if attribute == "state" and kind == "updated":
        to, before = entry.get("value_to"), entry.get("value_from")
        if not isinstance(to, str) or not to or not isinstance(before, str | None):
            return f"state change from {shown(before)} to {shown(to)}: not state names"
    if attribute == "tag":
        tag = entry.get("value_to") or entry.get("value_from")
        if not isinstance(tag, str):
            return f"tag {shown(tag)}: not a tag"
    return ""


def _instant_key(at: str) -> float:
    return datetime.fromisoformat(at).timestamp()


def read_policy(paths: Paths, *, log: ImportLog | None = None) -> ImportedPolicy:
    """Zammad's SLAs (in Zammad's order: by name, the one without conditions last), their
    calendars and, when given, its ticket states, as a policy with ``semantics: zammad``."""
    return build_policy(paths, DEFAULT_STATUS_MAP, log if log is not None else ImportLog())


_RECORDED: Final = (
    (
        "first_response",
        "first_response_escalation_at",
        "first_response_at",
        "first_response_diff_in_min",
    ),
    ("next_response", "update_escalation_at", None, "update_diff_in_min"),
    ("resolution", "close_escalation_at", "close_at", "close_diff_in_min"),
)


def read_recorded(paths: Paths, *, log: ImportLog | None = None) -> Iterator[Recorded]:
    """The escalation times, fulfilment times and differences in minutes Zammad recorded on
    the tickets of the ticket pages, one :class:`Recorded` per metric it says anything of.

    Zammad sets ``close_at`` at a ticket's first close only: when history pages among the
    files show a ticket reopened, its resolution figures (of the first close) are left out.
    """
    log = log if log is not None else ImportLog()
    figures: list[Recorded] = []
    reopened: set[str] = set()
    for kind, where, item in pages_by_kind(paths, log):
        if kind == TICKET:
            figures.extend(_recorded(item, where, log))
        elif kind == HISTORY:
            reopened.update(_reopened(item))
    for figure in figures:
        if figure.metric == "resolution" and figure.ticket_id in reopened:
            log.warn(
                "reopened-ticket",
                f"ticket {figure.ticket_id}: reopened after its first close, which Zammad's "
                "solution figures describe; they are left out",
            )
            continue
        yield figure


def _recorded(item: dict[str, Any], where: str, log: ImportLog) -> Iterator[Recorded]:
    ticket_id = _id_text(item.get("id"))
    if ticket_id is None:
        log.warn("bad-value", f"a ticket ({where}) without an id: {shown(item.get('id'))}")
        return
    for metric, due_key, done_key, diff_key in _RECORDED:
        try:
            due = _moment(item.get(due_key))
            done = _moment(item.get(done_key)) if done_key else None
        except ValueError as error:
            log.warn("bad-timestamp", f"ticket {ticket_id} ({where}): {error}")
            continue
        diff = item.get(diff_key)
        breached = None
        if isinstance(diff, int | float) and not isinstance(diff, bool):
            breached = diff < 0
        if due is None and done is None and breached is None:
            continue
        said = [k for k in (due_key, done_key, diff_key) if k and item.get(k) is not None]
        yield Recorded(
            ticket_id, metric, due, breached, done, f"ticket {ticket_id}: {', '.join(said)}"
        )


def _reopened(entries: list[Any]) -> Iterator[str]:
    ended = ("solved", "closed")
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("attribute") != "state":
            continue
        before, after = entry.get("value_from"), entry.get("value_to")
        ticket_id = _id_text(entry.get("o_id"))
        if not isinstance(before, str) or not isinstance(after, str) or ticket_id is None:
            continue
        before = status_name(before, DEFAULT_STATUS_MAP)
        after = status_name(after, DEFAULT_STATUS_MAP)
        if before in ended and after not in ended:
            yield ticket_id


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(iso(value))
