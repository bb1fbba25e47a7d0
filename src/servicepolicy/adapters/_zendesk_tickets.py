"""Zendesk ticket histories: tickets, users, custom statuses, ticket audits and the incremental
ticket event export turned into tickets (see ``docs/adapters/zendesk.md``).

Two passes over the pages, because they come in any order: the first learns who is an agent
(users, ticket requesters and assignees), the custom statuses, and each ticket's values at
creation (its Create audit events); the second stages the ticket headers and the events in a
:class:`TicketStore`.  What is held in memory between the passes grows with the number of
users and tickets (a few numbers per ticket, and the creation values of each ticket whose
Create audit is among the pages).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ._common import ImportLog, Page, TicketStore, iso, status_name

__all__ = ["Pass", "stage_pages"]

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


@dataclass
class Pass:
    """What the first pass learns, for the second."""

    status_map: Mapping[str, str]
    log: ImportLog
    agents: set[str] = field(default_factory=set)
    end_users: set[str] = field(default_factory=set)
    requesters: dict[str, str] = field(default_factory=dict)
    custom: dict[str, str] = field(default_factory=dict)  # custom status id -> ticket status
    created: dict[str, dict[str, Any]] = field(default_factory=dict)  # values at creation
    created_status: dict[str, tuple[str, str]] = field(default_factory=dict)

    def learn(self, page: Page) -> None:
        """First pass: users, requesters, custom statuses and creation values."""
        data = page.data
        for user in _items(data, "users", "user"):
            role = user.get("role")
            (self.agents if role in AGENT_ROLES else self.end_users).add(key(user.get("id")))
        for ticket in _items(data, "tickets", "ticket"):
            if ticket.get("requester_id") is not None:
                self.requesters[key(ticket.get("id"))] = key(ticket["requester_id"])
            if ticket.get("assignee_id") is not None:
                self.agents.add(key(ticket["assignee_id"]))
        for status in _items(data, "custom_statuses", "custom_status"):
            self.custom[key(status.get("id"))] = self._custom_name(status)
        for audit in _items(data, "audits", "audit"):
            self._learn_creation(key(audit.get("ticket_id")), audit.get("events"), "field_name")
        for update in _items(data, "ticket_events", "ticket_event"):
            if isinstance(update.get("child_events"), list):
                self._learn_creation(key(update.get("ticket_id")), update["child_events"], None)

    def _custom_name(self, status: dict[str, Any]) -> str:
        category = str(status.get("status_category") or "open")
        if status.get("default") or not status.get("agent_label"):
            return status_name(category, self.status_map)
        return status_name(str(status["agent_label"]), self.status_map)

    def _learn_creation(self, ticket: str, events: Any, name_key: str | None) -> None:
        if not isinstance(events, list):
            return
        for event in events:
            if not isinstance(event, dict) or _kind(event, audit=name_key is not None) != "Create":
                continue
            name, value = _field_of(event, name_key)
            if name is None:
                continue
            values = self.created.setdefault(ticket, {})
            if name == "status":
                values.setdefault("\0status", value)
            elif name == CUSTOM_STATUS:
                values["\0custom"] = value
            elif name == "subject":
                values["\0subject"] = value
            elif _kept(name):
                values[_field_name(name)] = value


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
                _stage_ticket(store, ticket, state)
            for audit in _items(page.data, "audits", "audit"):
                _stage_update(store, audit, state, audit=True)
            for update in _items(page.data, "ticket_events", "ticket_event"):
                if isinstance(update.get("child_events"), list):
                    _stage_update(store, update, state, audit=False)
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


def _stage_ticket(store: TicketStore, ticket: dict[str, Any], state: Pass) -> None:
    ticket_id = key(ticket.get("id"))
    try:
        created_at: Any = timestamp(ticket.get("created_at"))
    except ValueError:
        created_at = ticket.get("created_at")  # the ticket is refused, naming it
    creation = state.created.get(ticket_id)
    if creation is not None:
        fields = {k: v for k, v in creation.items() if not k.startswith("\0")}
    else:
        fields = {name: ticket.get(name) for name in FIELDS if name in ticket}
        if isinstance(ticket.get(TAGS), list):
            fields[TAGS] = ticket[TAGS]
        for custom in ticket.get("custom_fields") or ():
            if isinstance(custom, dict) and custom.get("id") is not None:
                fields[f"custom_fields_{custom['id']}"] = custom.get("value")
    via = ticket.get("via")
    if isinstance(via, dict) and isinstance(via.get("channel"), str):
        fields["channel"] = via["channel"]
    store.add_ticket(ticket_id, {"id": ticket_id, "created_at": created_at, "fields": fields})


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


def _stage_update(store: TicketStore, update: dict[str, Any], state: Pass, *, audit: bool) -> None:
    """One audit (or one update of the incremental ticket event export) as ticket events."""
    ticket = key(update.get("ticket_id"))
    update_id = _number(update.get("id"))
    try:
        at: Any = timestamp(update.get("created_at") or update.get("timestamp"))
    except ValueError:
        at = str(update.get("created_at"))  # the ticket is refused, naming the instant
    author = update.get("author_id") if audit else update.get("updater_id")
    via = update.get("via")
    channel = via.get("channel") if isinstance(via, dict) else None
    events = update.get("events") if audit else update.get("child_events")
    items = [e for e in events or () if isinstance(e, dict)]
    kinds = [_kind(e, audit=audit) for e in items]
    custom_change = any(
        _field_of(e, "field_name" if audit else None)[0] == CUSTOM_STATUS
        and key(_field_of(e, "field_name" if audit else None)[1]) in state.custom
        for e, k in zip(items, kinds, strict=True)
        if k in ("Change", "Create")
    )
    subject = state.created.get(ticket, {}).get("\0subject") if "Create" in kinds else None
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
            who = key(event.get("author_id") if event.get("author_id") is not None else author)
            out["actor"] = _actor(who, ticket, state)
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
        return {"type": "status", "status": status_name(str(value), state.status_map)}
    if name == CUSTOM_STATUS:
        status = state.custom.get(key(value))
        if status is None or (kind == "Create" and status == "new"):
            return None
        return {"type": "status", "status": status}
    if kind == "Create" or not _kept(name):
        return None
    return {"type": "field", "field": _field_name(name), "value": value}


def _actor(who: str, ticket: str, state: Pass) -> str:
    if who in state.agents:
        return "agent"
    if who == state.requesters.get(ticket) or who in state.end_users:
        return "customer"
    state.log.warn("unknown-author", f"ticket {ticket}: user {who} is in no users page")
    return "customer"


def _number(value: Any, default: int = 0) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return default
