"""Freshdesk pages: what kind a page is, and the events of conversations and activities."""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any, Final

from ._common import ImportLog, Page

# Priority codes of the API, written lower-case (1 Low, 2 Medium, 3 High, 4 Urgent).
PRIORITIES: Final[Mapping[Any, str]] = {1: "low", 2: "medium", 3: "high", 4: "urgent"}
# Built-in status codes; custom statuses have codes above 5.
STATUSES: Final[Mapping[int, str]] = {2: "Open", 3: "Pending", 4: "Resolved", 5: "Closed"}


class Kinds(enum.Enum):
    """The kinds of page the adapter reads."""

    TICKETS = "tickets"
    CONVERSATIONS = "conversations"
    ACTIVITIES = "activities"
    TICKET_FIELDS = "ticket fields"
    SLA_POLICIES = "SLA policies"
    BUSINESS_HOURS = "business hours"
    GROUPS = "groups"


# A wrapper key and the kind of the list it holds.
_WRAPPERS: Final = {
    "tickets": Kinds.TICKETS,
    "activities_data": Kinds.ACTIVITIES,
    "sla_policies": Kinds.SLA_POLICIES,
    "business_hours": Kinds.BUSINESS_HOURS,
    "groups": Kinds.GROUPS,
    "ticket_fields": Kinds.TICKET_FIELDS,
}


def _kind_of_item(item: Any) -> Kinds | None:
    """The kind of one element, from its keys."""
    if not isinstance(item, dict):
        return None
    keys = item.keys()
    if "sla_target" in keys:
        return Kinds.SLA_POLICIES
    if "time_zone" in keys and isinstance(item.get("business_hours"), dict):
        return Kinds.BUSINESS_HOURS
    if "incoming" in keys or "private" in keys:
        return Kinds.CONVERSATIONS
    if "performed_at" in keys and "activity" in keys:
        return Kinds.ACTIVITIES
    if "business_hour_id" in keys or "agent_ids" in keys:
        return Kinds.GROUPS
    if "requester_id" in keys or {"status", "priority", "created_at"} <= keys:
        return Kinds.TICKETS
    if "choices" in keys and "name" in keys:
        return Kinds.TICKET_FIELDS
    return None


def kinds_of(page: Page, log: ImportLog | None) -> Iterator[tuple[Kinds, list[dict[str, Any]]]]:
    """The kind of each part of ``page`` with its elements; an unreadable or unknown page is
    warned of (``log`` None: silently skipped, for a second pass over the same pages)."""
    data = page.data
    if page.error is not None:
        if log is not None:
            log.warn("unreadable-page", f"{page.where}: {page.error}")
        return
    if isinstance(data, dict):
        if "conversations" in data and "ticket_id" in data and "requester_id" not in data:
            yield from _wrapped_conversations(page, data, log)
            return
        for key, kind in _WRAPPERS.items():
            if isinstance(data.get(key), list):
                yield kind, [i for i in data[key] if isinstance(i, dict)]
                return
        data = [data]
    if isinstance(data, list):
        kinds: dict[Kinds, list[dict[str, Any]]] = {}
        unknown = 0
        for item in data:
            found = _kind_of_item(item)
            if found is None:
                unknown += 1
            else:
                kinds.setdefault(found, []).append(item)
        if unknown and log is not None:
            log.warn("unknown-page", f"{page.where}: {unknown} element(s) of no known kind")
        yield from kinds.items()
        return
    if log is not None:
        log.warn("unknown-page", f"{page.where}: not a Freshdesk API response")


def _wrapped_conversations(
    page: Page, data: dict[str, Any], log: ImportLog | None
) -> Iterator[tuple[Kinds, list[dict[str, Any]]]]:
    """``{"ticket_id": N, "conversations": [...]}``: the conversations, each with its
    ``ticket_id`` (the wrapper's where it has none)."""
    conversations = data["conversations"]
    if not isinstance(conversations, list):
        if log is not None and conversations is not None:
            log.warn("bad-page", f"{page.where}: conversations {conversations!r:.60}")
        return
    owner = data["ticket_id"]
    items = [
        {**c, "ticket_id": c.get("ticket_id", owner)} for c in conversations if isinstance(c, dict)
    ]
    yield Kinds.CONVERSATIONS, items


def custom_status_names(fields: list[dict[str, Any]]) -> dict[int, str]:
    """Status codes to names from the ``status`` ticket field's ``choices``: the mapping form
    (``{"6": ["Waiting on Third Party", "Awaiting reply"]}``, agent label first) or the list
    form (``[{"id": 6, "value": "Waiting on Third Party", "stop_sla_timer": true}]``)."""
    names: dict[int, str] = {}
    for choice_id, label, _ in status_choices(fields):
        names[choice_id] = label
    return names


def status_choices(fields: list[dict[str, Any]]) -> Iterator[tuple[int, str, bool | None]]:
    """``(code, name, SLA timer stopped)`` for each choice of the ``status`` ticket field;
    the flag is None where the page does not say."""
    for field in fields:
        if field.get("name") != "status":
            continue
        choices = field.get("choices")
        if isinstance(choices, dict):
            for code, labels in choices.items():
                label = labels[0] if isinstance(labels, list) and labels else labels
                if str(code).isascii() and str(code).isdigit() and isinstance(label, str):
                    yield int(code), label, None
        elif isinstance(choices, list):
            for choice in choices:
                if not isinstance(choice, dict):
                    continue
                code, label = choice.get("id"), choice.get("value", choice.get("label"))
                stop = choice.get("stop_sla_timer")
                if isinstance(code, int) and isinstance(label, str):
                    yield code, label, stop if isinstance(stop, bool) else None


def status_text(value: Any, names: Mapping[int, str]) -> str:
    """A status as its name: a built-in or known custom code's name, else the text given."""
    if isinstance(value, int) and not isinstance(value, bool):
        return STATUSES.get(value) or names.get(value) or str(value)
    return str(value)


def conversation_event(item: dict[str, Any], at: Any) -> dict[str, Any]:
    """The ticket event of one conversation: a private note is an ``internal_note``; a public
    one from outside (``incoming``) a ``customer_message``; any other public one (an agent's
    reply or public note) an ``agent_reply``."""
    if item.get("private") is True:
        return {"at": at, "type": "internal_note", "actor": "agent", "public": False}
    if item.get("incoming") is True:
        return {"at": at, "type": "customer_message", "actor": "customer", "public": True}
    return {"at": at, "type": "agent_reply", "actor": "agent", "public": True}


# Activity keys that change a field, and the field's name on the ticket.
_FIELD_ACTIVITIES: Final = {
    "priority": "priority",
    "group": "group_id",
    "group_id": "group_id",
    "tags": "tags",
    "type": "type",
    "product_id": "product_id",
}
# Activity keys that carry nothing for the clocks (messages come from conversation pages).
_QUIET: Final = frozenset(
    ("new_ticket", "note", "source", "requester_id", "responder_id", "agent_id")
)


def activity_events(
    changes: dict[str, Any], names: Mapping[int, str], log: ImportLog, ticket_id: str, at: Any
) -> Iterator[dict[str, Any]]:
    """The events of one activity's changes (without ``at``), in the order of its keys; an
    undocumented key is warned of as ``unknown-event-kind`` and skipped."""
    for key, value in changes.items():
        if key == "status" and not _scalar(value):
            log.warn("bad-value", f"ticket {ticket_id} activity at {at}: status {value!r:.60}")
        elif key == "status":
            yield {"type": "status", "status": status_text(value, names)}
        elif key == "priority":
            yield {"type": "field", "field": "priority", "value": _priority(value)}
        elif key in _FIELD_ACTIVITIES:
            yield {"type": "field", "field": _FIELD_ACTIVITIES[key], "value": value}
        elif key == "custom_fields" and isinstance(value, dict):
            for name, new in value.items():
                yield {"type": "field", "field": str(name), "value": new}
        elif key.startswith("cf_"):
            yield {"type": "field", "field": key, "value": value}
        elif key not in _QUIET:
            log.warn("unknown-event-kind", f"ticket {ticket_id} activity at {at}: {key!r}")


def _priority(value: Any) -> Any:
    if isinstance(value, str):
        return value.lower()
    return PRIORITIES.get(value, value) if isinstance(value, int) else value


def _scalar(value: Any) -> bool:
    """A status as the API gives it: a code or a name."""
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and bool(value.strip())
    )


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


def conversation_order(item: dict[str, Any]) -> str:
    """The order key of a conversation's event: from its ``id``, the same whether it came from
    the conversations endpoint or inline in a ticket page, so that the store keeps it once.
    Without a usable id, a digest of what both endpoints give alike (time, author, flags,
    body), so that two different conversations never share a key."""
    given = item.get("id")
    if isinstance(given, int) and not isinstance(given, bool) and given >= 0:
        return f"1.{given:020d}"
    keys = ("created_at", "user_id", "incoming", "private", "body_text", "body")
    return f"1.~{_digest([item.get(k) for k in keys])}"


def activity_order(rank: int, event: dict[str, Any]) -> str:
    """The order key of an activity's event: its rank in the activity, then the field and a
    digest of the change, so that two activities of one instant that change the same field
    stay two events, in an order that does not depend on the order of pages."""
    change = event.get("value", event.get("status"))
    return f"2.{rank:03d}.{event.get('field', '')}.{_digest(change)}"
