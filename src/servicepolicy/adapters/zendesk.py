"""Zendesk Support: ticket histories, SLA policies and recorded SLA figures.

Reads the bodies the Zendesk Support REST API returns, saved as files (one response per file,
or pages as JSON Lines), recognised by their top-level keys: ``tickets``/``ticket``,
``users``, ``audits``, ``ticket_events`` (the incremental ticket event export),
``custom_statuses``, ``sla_policies``, ``schedules``, ``holidays`` and
``ticket_metric_events``.  ``docs/adapters/zendesk.md`` gives the mapping and its limits.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, Final

from .._tickets.model import Ticket, UnreadTicket
from ._common import ImportedPolicy, ImportLog, Page, Recorded, read_pages
from ._zendesk_policy import build_policy
from ._zendesk_tickets import Pass, key, stage_pages, timestamp

__all__ = [
    "DEFAULT_STATUS_MAP",
    "SOURCE",
    "classify",
    "read_policy",
    "read_recorded",
    "read_tickets",
]

SOURCE: Final = "zendesk"

DEFAULT_STATUS_MAP: Final[Mapping[str, str]] = {
    "new": "new",
    "open": "open",
    "pending": "pending",
    "hold": "on_hold",
    "solved": "solved",
    "closed": "closed",
}
"""Zendesk's six system statuses (``status`` as the API spells it) and the ticket status of
each: only ``hold`` is renamed, to this library's ``on_hold``."""

PAGE_KEYS: Final = frozenset(
    {
        "tickets",
        "ticket",
        "users",
        "user",
        "audits",
        "audit",
        "ticket_events",
        "ticket_event",
        "custom_statuses",
        "custom_status",
        "sla_policies",
        "sla_policy",
        "schedules",
        "schedule",
        "holidays",
        "holiday",
        "ticket_metric_events",
        "ticket_metric_event",
    }
)

Paths = Iterable[str | os.PathLike[str]]


def classify(page: Page, log: ImportLog, purpose: str) -> bool:
    """Whether ``page`` is a Zendesk page this adapter knows; warns of one that is not JSON
    (``unreadable-page``) or has none of the known top-level keys (``unknown-page``)."""
    if page.error is not None:
        log.warn("unreadable-page", f"{page.where}: {page.error}")
        return False
    if isinstance(page.data, dict) and PAGE_KEYS & page.data.keys():
        return True
    keys = ", ".join(sorted(page.data)[:5]) if isinstance(page.data, dict) else type(page.data)
    log.warn("unknown-page", f"{page.where}: no Zendesk page kind ({keys}), read for {purpose}")
    return False


def read_tickets(
    paths: Paths,
    *,
    status_map: Mapping[str, str] | None = None,
    log: ImportLog | None = None,
) -> Iterator[Ticket | UnreadTicket]:
    """Every ticket of the ticket pages with its history from the audit and ticket-event
    pages, or an error record in its place; events of a ticket in no ticket page give an error
    record too.  ``status_map`` (default :data:`DEFAULT_STATUS_MAP`) maps Zendesk's statuses
    and custom status labels to ticket statuses; a status it does not name is written
    lower-case, with spaces and hyphens as underscores."""
    files = list(paths)
    state = Pass(DEFAULT_STATUS_MAP if status_map is None else status_map, log or ImportLog())
    store = stage_pages(
        read_pages(files),
        read_pages(files),
        state,
        lambda page: classify(page, state.log, "tickets"),
        SOURCE,
    )
    with store:
        yield from store.tickets()


def read_policy(paths: Paths, *, log: ImportLog | None = None) -> ImportedPolicy:
    """The SLA policies, schedules, holidays and custom statuses of the pages as a policy with
    ``semantics: zendesk``; what the format cannot say is written commented out and listed in
    the result's ``warnings`` (``log`` counts only pages it cannot read or does not know)."""
    log = log or ImportLog()
    pages = [page for page in read_pages(list(paths)) if classify(page, log, "a policy")]
    return build_policy([page.data for page in pages], DEFAULT_STATUS_MAP)


# Zendesk's metric (and, for reply_time, whether it is the first instance) -> ours, in the
# order in which one is preferred when two of them measure the same metric of ours.
_METRICS: Final = {
    "first_reply_time": "first_response",
    "next_reply_time": "next_response",
    "periodic_update_time": "periodic_update",
    "pausable_update_time": "periodic_update",
    "requester_wait_time": "resolution",
    "agent_work_time": "resolution",
    "resolution_time": "resolution",
}
_EVENT_TYPES: Final = frozenset(
    {
        "activate",
        "pause",
        "fulfill",
        "apply_sla",
        "apply_group_sla",
        "breach",
        "update_status",
        "measure",
    }
)


def read_recorded(paths: Paths, *, log: ImportLog | None = None) -> Iterator[Recorded]:
    """The SLA figures Zendesk recorded, from ``ticket_metric_events`` pages: one per ticket
    and metric measured under an SLA policy (an ``apply_sla`` event), with the breach time as
    ``due_at``, the last ``fulfill`` as ``completed_at``, and ``breached`` when fulfilled."""
    log = log or ImportLog()
    instances: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for page in read_pages(list(paths)):
        if not classify(page, log, "recorded figures"):
            continue
        data = page.data
        items = list(data.get("ticket_metric_events") or ())
        items += [
            e for e in data.get("ticket_events") or () if isinstance(e, dict) and "metric" in e
        ]
        for event in items:
            if not isinstance(event, dict):
                continue
            kind, metric = event.get("type"), event.get("metric")
            if kind not in _EVENT_TYPES:
                log.warn("unknown-event-kind", f"metric event {event.get('id')} type {kind}")
                continue
            ours = _metric(metric, event.get("instance_id"))
            if ours is None:
                log.warn("unknown-metric", f"metric event {event.get('id')} metric {metric}")
                continue
            slot = (key(event.get("ticket_id")), str(metric), _int(event.get("instance_id")))
            instances.setdefault(slot, []).append(event)
    yield from _figures(instances, log)


def _metric(metric: Any, instance: Any) -> str | None:
    if metric == "reply_time":
        return "first_response" if _int(instance) <= 1 else "next_response"
    return _METRICS.get(str(metric))


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _figures(
    instances: dict[tuple[str, str, int], list[dict[str, Any]]], log: ImportLog
) -> Iterator[Recorded]:
    chosen: dict[tuple[str, str], tuple[str, list[Recorded]]] = {}
    first: dict[tuple[str, str], int] = {}
    for slot in instances:
        first.setdefault(slot[:2], len(first))
    for (ticket, metric, instance), events in sorted(
        instances.items(), key=lambda item: (first[item[0][:2]], item[0][2])
    ):
        if not any(e.get("type") == "apply_sla" for e in events):
            continue  # no SLA measured this instance: Zendesk records its clock only
        ours = _metric(metric, instance)
        assert ours is not None
        try:
            figure = _figure(ticket, ours, metric, instance, events)
        except ValueError as error:
            log.warn("bad-timestamp", f"ticket {ticket} {metric}: {error}")
            continue
        held = chosen.get((ticket, ours))
        if held is not None and held[0] != metric:
            log.warn("shared-metric", f"ticket {ticket}: {held[0]} and {metric} are both {ours}")
            continue
        chosen.setdefault((ticket, ours), (metric, []))[1].append(figure)
    for (_ticket, _ours), (_metric_name, figures) in chosen.items():
        yield _decisive(figures)


def _figure(
    ticket: str, ours: str, metric: str, instance: int, events: list[dict[str, Any]]
) -> Recorded:
    breaches = [e for e in events if e.get("type") == "breach" and "group_sla" not in e]
    fulfils = [e for e in events if e.get("type") == "fulfill"]
    breach = max(breaches, key=lambda e: _int(e.get("id")), default=None)
    fulfil = max(fulfils, key=lambda e: (_when(e), _int(e.get("id"))), default=None)
    due = _when(breach) if breach is not None else None
    done = _when(fulfil) if fulfil is not None else None
    breached = done > due if done is not None and due is not None else None
    parts = [f"ticket_metric_events {metric} instance {instance}"]
    if breach is not None:
        parts.append(f"breach {breach.get('id')}" + (" (deleted)" if breach.get("deleted") else ""))
    if fulfil is not None:
        parts.append(f"fulfill {fulfil.get('id')}")
    return Recorded(ticket, ours, due, breached, done, ", ".join(parts))


def _when(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(timestamp(event.get("time")))


def _decisive(figures: list[Recorded]) -> Recorded:
    """Of a cycle metric's instances, the one that decides it, as this library decides a
    cycle metric: the first breached, else one still open, else the last."""
    for figure in figures:
        if figure.breached is True:
            return figure
    for figure in figures:
        if figure.completed_at is None:
            return figure
    return figures[-1]
