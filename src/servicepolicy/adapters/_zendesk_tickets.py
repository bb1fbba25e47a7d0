"""Zendesk ticket histories: tickets, users, custom statuses, ticket audits and the incremental
ticket event export turned into tickets (see ``docs/adapters/zendesk.md``).

Two passes over the pages, because they come in any order: the first learns who is an agent
(users, ticket requesters and assignees), the custom statuses, and each ticket's values at
creation (its Create audit events); the second stages the ticket headers and the events in a
:class:`TicketStore`.  What is held in memory between the passes grows with the number of
users and tickets: each user's id, each ticket's id and requester's id, and the creation
values of each ticket whose Create events are among the pages, as compact JSON text (the
subject is not held: it is read again, in the second pass, from the same update).

A value of the wrong type (a list where an id belongs, a number where a list does) is an
``bad-value`` warning, or makes its ticket an error record; it never stops the import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from .._tickets.model import UnreadTicket
from ._common import ImportLog, Page, TicketStore, iso, status_name

__all__ = ["Pass", "ident", "key", "stage_pages", "timestamp"]

# Ticket properties kept as fields, by the names the API gives them; custom fields become
# ``custom_fields_<id>``, as Zendesk's business-rule conditions name them.
FIELDS: Final = ("priority", "type", "group_id", "organization_id", "brand_id", "ticket_form_id")
TAGS: Final = "tags"
CUSTOM_STATUS: Final = "custom_status_id"

# Audit event types that are documented and carry nothing an SLA clock reads.
QUIET_EVENTS: Final = frozenset(
    {
        "Notification",
        "Cc",
        "CommentPrivacyChange",
        "Error",
        "External",
        "FacebookEvent",
        "FacebookComment",
        "LogMeInTranscript",
        "Push",
        "SatisfactionRating",
        "Tweet",
        "SMS",
        "TicketSharingEvent",
        "AttachmentRedactionEvent",
        "CommentRedactionEvent",
        "OrganizationActivity",
        "AgentMacroReference",
        "ChatStartedEvent",
        "ChatEndedEvent",
        "Audit",
    }
)
COMMENTS: Final = frozenset({"Comment", "VoiceComment"})
AGENT_ROLES: Final = frozenset({"agent", "admin"})
# Keys of an incremental-export child event that are not the field it sets.
_CHILD_META: Final = frozenset(
    {
        "id",
        "via",
        "via_reference_id",
        "event_type",
        "previous_value",
        "comment_present",
        "comment_public",
        "added_tags",
        "removed_tags",
        "audit_id",
        "created_at",
        "author_id",
    }
)
_SLASH_TIME: Final = re.compile(r"^(\d{4})/(\d\d)/(\d\d) (\d\d:\d\d:\d\d) ?([+-]\d\d:?\d\d)$")


def timestamp(value: Any) -> str:
    """A Zendesk timestamp as ISO 8601 text: ISO text, epoch seconds, or the older
    ``2011/09/25 22:35:44 -0700`` form; ``ValueError`` otherwise."""
    if isinstance(value, str):
        match = _SLASH_TIME.match(value.strip())
        if match:
            year, month, day, clock, offset = match.groups()
            value = f"{year}-{month}-{day}T{clock}{offset}"
    return iso(value)


def key(value: Any) -> str:
    """An id as text (``360001`` and ``"360001"`` are the same id)."""
    return str(value)


def ident(value: Any) -> str | None:
    """An id as text, or None when ``value`` is no id: missing, empty, a boolean, a number
    that is not whole, a list or a mapping."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        text = str(value).strip()
    except ValueError:  # an integer too long to write as text
        return None
    return text or None


def value_of(value: Any) -> Any:
    """A field value as the audits write it: a number as text (the incremental export writes
    ``20001`` where an audit writes ``"20001"``), anything else unchanged, so that the same
    change read from both endpoints is the same event."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return str(value)
        except ValueError:
            return None
    return value


@dataclass
class Pass:
    """What the first pass learns, for the second."""

    status_map: Mapping[str, str]
    log: ImportLog
    agents: set[str] = field(default_factory=set)
    end_users: set[str] = field(default_factory=set)
    requesters: dict[str, str] = field(default_factory=dict)
    custom: dict[str, str] = field(default_factory=dict)  # custom status id -> ticket status
    # ticket id -> its values at creation, as JSON text {"audit": {...}, "export": {...}}
    created: dict[str, str] = field(default_factory=dict)
    unread: list[UnreadTicket] = field(default_factory=list)  # tickets without a usable id

    def learn(self, page: Page) -> None:
        """First pass: users, requesters, custom statuses and creation values."""
        data = page.data
        for user in _items(data, "users", "user"):
            self._learn_user(user, page)
        for ticket in _items(data, "tickets", "ticket"):
            ticket_id, requester = ident(ticket.get("id")), ident(ticket.get("requester_id"))
            if ticket_id is not None and requester is not None:
                self.requesters[ticket_id] = requester
            assignee = ident(ticket.get("assignee_id"))
            if assignee is not None:
                self.agents.add(assignee)
        for status in _items(data, "custom_statuses", "custom_status"):
            status_id = ident(status.get("id"))
            if status_id is None:
                self.log.warn("bad-value", f"{page.where}: a custom status without an id")
                continue
            self.custom[status_id] = self._custom_name(status)
        for audit in _items(data, "audits", "audit"):
            self._learn_creation(ident(audit.get("ticket_id")), audit.get("events"), audit=True)
        for update in _items(data, "ticket_events", "ticket_event"):
            events = update.get("child_events")
            self._learn_creation(ident(update.get("ticket_id")), events, audit=False)

    def _learn_user(self, user: dict[str, Any], page: Page) -> None:
        user_id, role = ident(user.get("id")), user.get("role")
        if user_id is None:
            self.log.warn("bad-value", f"{page.where}: a user without an id")
            return
        if role is not None and not isinstance(role, str):
            self.log.warn("bad-value", f"{page.where}: user {user_id} role {role!r:.40}")
        agent = isinstance(role, str) and role in AGENT_ROLES
        (self.agents if agent else self.end_users).add(user_id)

    def _custom_name(self, status: dict[str, Any]) -> str:
        category = status.get("status_category")
        label = status.get("agent_label")
        if status.get("default") or not isinstance(label, str) or not label:
            return status_name(category if isinstance(category, str) else "open", self.status_map)
        return status_name(label, self.status_map)

    def _learn_creation(self, ticket: str | None, events: Any, *, audit: bool) -> None:
        if ticket is None or not isinstance(events, list):
            return
        values: dict[str, Any] = {}
        seen = False
        for event in events:
            if not isinstance(event, dict) or _kind(event, audit=audit) != "Create":
                continue
            seen = True
            name, value = _field_of(event, "field_name" if audit else None)
            if name is not None and _kept(name):
                values[_field_name(name)] = value_of(value)
        if seen:
            held = json.loads(self.created.get(ticket, "{}"))
            kind = "audit" if audit else "export"
            held[kind] = {**held.get(kind, {}), **values}
            self.created[ticket] = json.dumps(held, ensure_ascii=False, separators=(",", ":"))

    def creation(self, ticket: str) -> dict[str, Any] | None:
        """The ticket's values at creation (an audit's win over the export's), or None when
        no Create event of it was read."""
        held = self.created.get(ticket)
        if held is None:
            return None
        both = json.loads(held)
        return {**both.get("export", {}), **both.get("audit", {})}


def stage_pages(
    first: Iterator[Page],
    second: Iterator[Page],
    state: Pass,
    known: Callable[[Page], bool],
    source: str,
) -> TicketStore:
    """Read both passes of the pages into a new :class:`TicketStore` of ``source``; the first
    pass reads only the pages ``known`` accepts (it warns of the others)."""
    for page in first:
        if known(page):
            state.learn(page)
    store = TicketStore(source)
    try:
        for page in second:
            if page.data is None or not isinstance(page.data, dict):
                continue
            for ticket in _items(page.data, "tickets", "ticket"):
                _stage_ticket(store, ticket, state, page)
            for audit in _items(page.data, "audits", "audit"):
                _stage_update(store, audit, state, page, audit=True)
            for update in _items(page.data, "ticket_events", "ticket_event"):
                if "child_events" in update:
                    _stage_update(store, update, state, page, audit=False)
    except BaseException:
        store.close()
        raise
    return store


def _items(data: Any, many: str, one: str) -> Iterator[dict[str, Any]]:
    if not isinstance(data, dict):
        return
    found = data.get(many)
    if isinstance(found, list):
        yield from (item for item in found if isinstance(item, dict))
    single = data.get(one)
    if isinstance(single, dict):
        yield single


def _stage_ticket(store: TicketStore, ticket: dict[str, Any], state: Pass, page: Page) -> None:
    ticket_id = ident(ticket.get("id"))
    if ticket_id is None:  # never merged with another ticket without one
        state.unread.append(
            UnreadTicket(
                error=f"zendesk: {page.where}: a ticket whose id is "
                f"{'missing' if ticket.get('id') is None else 'not an id'} "
                f"({ticket.get('id')!r:.40}), created {ticket.get('created_at')!r:.40}",
            )
        )
        return
    try:
        created_at: Any = timestamp(ticket.get("created_at"))
    except ValueError:
        created_at = ticket.get("created_at")  # the ticket is refused, naming it
    fields = state.creation(ticket_id)
    if fields is None:
        fields = _current_fields(ticket)
    via = ticket.get("via")
    if isinstance(via, dict) and isinstance(via.get("channel"), str):
        fields["channel"] = via["channel"]
    store.add_ticket(ticket_id, {"id": ticket_id, "created_at": created_at, "fields": fields})


def _current_fields(ticket: dict[str, Any]) -> dict[str, Any]:
    """The ticket page's own values, for a ticket none of whose Create events were read."""
    fields: dict[str, Any] = {name: ticket.get(name) for name in FIELDS if name in ticket}
    if isinstance(ticket.get(TAGS), list):
        fields[TAGS] = ticket[TAGS]
    customs = ticket.get("custom_fields")
    for custom in customs if isinstance(customs, list) else ():
        custom_id = ident(custom.get("id")) if isinstance(custom, dict) else None
        if isinstance(custom, dict) and custom_id is not None:
            fields[f"custom_fields_{custom_id}"] = custom.get("value")
    return fields


def _kind(event: dict[str, Any], *, audit: bool) -> str:
    """An audit event's ``type``, or an export child event's ``event_type``."""
    return str(event.get("type" if audit else "event_type") or "")


def _field_of(event: dict[str, Any], name_key: str | None) -> tuple[str | None, Any]:
    """The field a Create or Change event sets, and its new value."""
    if name_key is not None:
        name = event.get(name_key)
        return (key(name), event.get("value")) if name is not None else (None, None)
    names = [k for k in event if k not in _CHILD_META]
    if len(names) != 1:
        return None, None
    return names[0], event[names[0]]


def _kept(name: str) -> bool:
    return name in FIELDS or name == TAGS or name.isdigit()


def _field_name(name: str) -> str:
    return f"custom_fields_{name}" if name.isdigit() else name


def _update_items(update: dict[str, Any], state: Pass, page: Page, *, audit: bool) -> Any:
    """The ticket id and the events of an audit or export update; None, warned of, when
    they cannot be read."""
    ticket = ident(update.get("ticket_id"))
    events = update.get("events" if audit else "child_events")
    what = f"{page.where}: {'audit' if audit else 'update'} {update.get('id')!r:.30}"
    if ticket is None:
        state.log.warn("bad-value", f"{what} has no ticket id ({update.get('ticket_id')!r:.30})")
        return None
    if events is not None and not isinstance(events, list):
        state.log.warn("bad-value", f"{what} of ticket {ticket}: its events are {events!r:.30}")
        return None
    return ticket, [e for e in events or () if isinstance(e, dict)]


def _update_key(update: dict[str, Any], items: list[dict[str, Any]]) -> int:
    """The audit id of an update: the export's update ``id`` is its audit's id, and so is the
    ``audit_id`` of the comments the ``comment_events`` side-load gives; the first wins."""
    for item in items:
        if isinstance(item.get("audit_id"), int) and not isinstance(item["audit_id"], bool):
            return _number(item["audit_id"])
    return _number(update.get("id"))


def _subject(items: list[dict[str, Any]], kinds: list[str], *, audit: bool) -> str | None:
    """The subject a Create event of this update sets (the ticket's first message's)."""
    for event, kind in zip(items, kinds, strict=True):
        if kind == "Create":
            name, value = _field_of(event, "field_name" if audit else None)
            if name == "subject" and isinstance(value, str):
                return value
    return None


def _stage_update(
    store: TicketStore, update: dict[str, Any], state: Pass, page: Page, *, audit: bool
) -> None:
    """One audit (or one update of the incremental ticket event export) as ticket events.
    Both endpoints give an event the order key of its audit id and event id, so the same
    update read from both is staged once."""
    found = _update_items(update, state, page, audit=audit)
    if found is None:
        return
    ticket, items = found
    update_id = _update_key(update, items)
    try:
        at: Any = timestamp(update.get("created_at") or update.get("timestamp"))
    except ValueError:
        at = str(update.get("created_at"))  # the ticket is refused, naming the instant
    author = ident(update.get("author_id") if audit else update.get("updater_id"))
    via = update.get("via")
    channel = via.get("channel") if isinstance(via, dict) else None
    kinds = [_kind(e, audit=audit) for e in items]
    custom_change = any(
        _field_of(e, "field_name" if audit else None)[0] == CUSTOM_STATUS
        and key(_field_of(e, "field_name" if audit else None)[1]) in state.custom
        for e, k in zip(items, kinds, strict=True)
        if k in ("Change", "Create")
    )
    subject = _subject(items, kinds, audit=audit)
    for index, (event, kind) in enumerate(zip(items, kinds, strict=True)):
        order = f"{update_id:020d}.{_number(event.get('id'), index):020d}"
        out = _event(event, kind, state, ticket, audit=audit, custom_change=custom_change)
        if out is None:
            if kind not in COMMENTS | {"Create", "Change"} | QUIET_EVENTS and not (
                not audit and event.get("comment_present")
            ):
                state.log.warn(
                    "unknown-event-kind",
                    f"ticket {ticket} {'audit' if audit else 'update'} {update_id} "
                    f"event {kind or '(no type)'}",
                )
            continue
        if out.get("type") in ("customer_message", "agent_reply", "internal_note"):
            own_author = ident(event.get("author_id"))
            out["actor"] = _actor(own_author or author, ticket, state)
            if out["type"] != "internal_note":
                out["type"] = "agent_reply" if out["actor"] == "agent" else "customer_message"
            own_via = event.get("via")
            own = own_via.get("channel") if isinstance(own_via, dict) else None
            if isinstance(own or channel, str):
                out["channel"] = own or channel
            if subject is not None and out["type"] == "customer_message":
                out["subject"], subject = subject, None
        store.add_event(ticket, {"at": at, **out}, order)


def _event(
    event: dict[str, Any],
    kind: str,
    state: Pass,
    ticket: str,
    *,
    audit: bool,
    custom_change: bool,
) -> dict[str, Any] | None:
    """The ticket event of one audit event (actor and channel are added by the caller)."""
    if kind in COMMENTS or (not audit and event.get("comment_present") and kind != "Change"):
        public = event.get("public", event.get("comment_public"))
        return {"type": "customer_message" if public else "internal_note", "public": public is True}
    if kind not in ("Create", "Change"):
        return None
    name, value = _field_of(event, "field_name" if audit else None)
    if name is None:
        return None
    if name == "status":
        if custom_change or (kind == "Create" and value == "new"):
            return None
        if not isinstance(value, str):
            state.log.warn("bad-value", f"ticket {ticket}: status {value!r:.40}")
            return None
        return {"type": "status", "status": status_name(value, state.status_map)}
    if name == CUSTOM_STATUS:
        status = state.custom.get(key(value))
        if status is None or (kind == "Create" and status == "new"):
            return None
        return {"type": "status", "status": status}
    if kind == "Create" or not _kept(name):
        return None
    return {"type": "field", "field": _field_name(name), "value": value_of(value)}


def _actor(who: str | None, ticket: str, state: Pass) -> str:
    if who is not None and who in state.agents:
        return "agent"
    if who == state.requesters.get(ticket) or who in state.end_users:
        return "customer"
    state.log.warn("unknown-author", f"ticket {ticket}: user {who} is in no users page")
    return "customer"


def _number(value: Any, default: int = 0) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError, OverflowError):
        return default
