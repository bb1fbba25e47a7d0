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
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from .._tickets.model import Ticket, UnreadTicket
from ._common import ImportedPolicy, ImportLog, Page, Recorded, read_pages
from ._zendesk_policy import build_policy
from ._zendesk_tickets import Pass, ident, stage_pages, timestamp

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
    if isinstance(page.data, dict):
        shape = f"keys {', '.join(sorted(page.data)[:5])}" if page.data else "no keys"
    else:
        shape = f"a JSON {type(page.data).__name__}"
    log.warn("unknown-page", f"{page.where}: no Zendesk page kind ({shape}), read for {purpose}")
    return False


def read_tickets(
    paths: Paths,
    *,
    status_map: Mapping[str, str] | None = None,
    log: ImportLog | None = None,
) -> Iterator[Ticket | UnreadTicket]:
    """Every ticket of the ticket pages with its history from the audit and ticket-event
    pages, or an error record in its place; events of a ticket in no ticket page give an error
    record too, and so does a ticket without a usable id (one each, ``ticket_id`` None, after
    the others).  ``status_map`` (default :data:`DEFAULT_STATUS_MAP`) maps Zendesk's statuses
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
    yield from state.unread


def read_policy(paths: Paths, *, log: ImportLog | None = None) -> ImportedPolicy:
    """The SLA policies, schedules, holidays and custom statuses of the pages as a policy with
    ``semantics: zendesk``; what the format cannot say is written commented out and listed in
    the result's ``warnings`` (``log`` counts only pages it cannot read or does not know)."""
    log = log or ImportLog()
    pages = [page for page in read_pages(list(paths)) if classify(page, log, "a policy")]
    return build_policy([page.data for page in pages], DEFAULT_STATUS_MAP)


# Zendesk's metric (and, for reply_time, whether it is the first instance) -> ours.  When a
# ticket has figures of two of them for one metric of ours, the one listed first is compared,
# as the imported policy imports the first of these of an SLA policy (_zendesk_policy.py).
_METRICS: Final = {
    "reply_time": "first_response",
    "first_reply_time": "first_response",
    "next_reply_time": "next_response",
    "periodic_update_time": "periodic_update",
    "pausable_update_time": "periodic_update",
    "requester_wait_time": "resolution",
    "agent_work_time": "resolution",
    "resolution_time": "resolution",
}
_RANK: Final = {name: rank for rank, name in enumerate(_METRICS)}
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


@dataclass(slots=True)
class _Instance:
    """What one instance of a metric of a ticket holds for its figure: whether an SLA was
    applied, its last breach (by id) and its last fulfilment (by time, then id)."""

    applied: bool = False
    breach: tuple[int, str, Any, bool] | None = None  # id, id as given, time, deleted
    fulfil: tuple[datetime, int, str] | None = None  # time, id, id as given
    error: str | None = None  # a fulfilment time that cannot be read

    def add(self, event: dict[str, Any]) -> None:
        """Take one metric event of this instance into account."""
        kind, number, given = event["type"], _int(event.get("id")), str(event.get("id"))
        if kind == "apply_sla":
            self.applied = True
        elif kind == "breach" and "group_sla" not in event:
            if self.breach is None or number >= self.breach[0]:
                self.breach = (number, given, event.get("time"), event.get("deleted") is True)
        elif kind == "fulfill":
            try:
                when = _when(event.get("time"))
            except ValueError as error:
                self.error = self.error or str(error)
                return
            if self.fulfil is None or (when, number) >= self.fulfil[:2]:
                self.fulfil = (when, number, given)


def read_recorded(paths: Paths, *, log: ImportLog | None = None) -> Iterator[Recorded]:
    """The SLA figures Zendesk recorded, from ``ticket_metric_events`` pages: one per ticket
    and metric measured under an SLA policy (an ``apply_sla`` event), with the breach time as
    ``due_at``, the last ``fulfill`` as ``completed_at``, and ``breached`` when fulfilled.
    Only a few values per metric instance are held, not the events."""
    log = log or ImportLog()
    instances: dict[tuple[str, str, int], _Instance] = {}
    for page in read_pages(list(paths)):
        if classify(page, log, "recorded figures"):
            for event in _metric_events(page):
                _take(event, instances, log, page.where)
    yield from _figures(instances, log)


def _metric_events(page: Page) -> Iterator[Any]:
    data = page.data
    for many, one in (("ticket_metric_events", "ticket_metric_event"), ("ticket_events", "")):
        found = data.get(many)
        items = found if isinstance(found, list) else [data.get(one)]
        yield from (e for e in items if isinstance(e, dict) and "metric" in e)


def _take(
    event: dict[str, Any],
    instances: dict[tuple[str, str, int], _Instance],
    log: ImportLog,
    where: str,
) -> None:
    kind, metric, ticket = event.get("type"), event.get("metric"), ident(event.get("ticket_id"))
    name = f"metric event {event.get('id')!r:.30}"
    if not isinstance(kind, str) or kind not in _EVENT_TYPES:
        log.warn("unknown-event-kind", f"{name} type {kind!r:.40}")
    elif not isinstance(metric, str) or _metric(metric, event.get("instance_id")) is None:
        log.warn("unknown-metric", f"{name} metric {metric!r:.40}")
    elif ticket is None:
        log.warn("bad-value", f"{where}: {name} ticket_id {event.get('ticket_id')!r:.30}")
    else:
        slot = (ticket, metric, _int(event.get("instance_id")))
        instances.setdefault(slot, _Instance()).add(event)


def _metric(metric: str, instance: Any) -> str | None:
    if metric == "reply_time":
        return "first_response" if _int(instance) <= 1 else "next_response"
    return _METRICS.get(metric)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return 0


def _figures(
    instances: dict[tuple[str, str, int], _Instance], log: ImportLog
) -> Iterator[Recorded]:
    """Per ticket and metric of ours, the figure of the Zendesk metric first in
    :data:`_METRICS` that was measured under an SLA, deciding among its instances; in the
    order of the ticket ids (numerically) and of our metrics."""
    groups: dict[tuple[str, str], dict[str, list[tuple[int, _Instance]]]] = {}
    for (ticket, metric, number), instance in instances.items():
        ours = _metric(metric, number)
        if instance.applied and ours is not None:  # else Zendesk records the clock only
            groups.setdefault((ticket, ours), {}).setdefault(metric, []).append((number, instance))
    order = list(dict.fromkeys(_METRICS.values()))
    for ticket, ours in sorted(groups, key=lambda g: (len(g[0]), g[0], order.index(g[1]))):
        by_metric = groups[(ticket, ours)]
        metric, *others = sorted(by_metric, key=_RANK.__getitem__)
        for other in others:
            log.warn("shared-metric", f"ticket {ticket}: {metric} and {other} are both {ours}")
        figures = [
            figure
            for number, instance in sorted(by_metric[metric], key=lambda item: item[0])
            if (figure := _figure(ticket, ours, metric, number, instance, log)) is not None
        ]
        if figures:
            yield _decisive(figures)


def _figure(
    ticket: str, ours: str, metric: str, number: int, instance: _Instance, log: ImportLog
) -> Recorded | None:
    try:
        if instance.error is not None:
            raise ValueError(instance.error)
        due = _when(instance.breach[2]) if instance.breach is not None else None
    except ValueError as error:
        log.warn("bad-timestamp", f"ticket {ticket} {metric}: {error}")
        return None
    done = instance.fulfil[0] if instance.fulfil is not None else None
    breached = done > due if done is not None and due is not None else None
    parts = [f"ticket_metric_events {metric} instance {number}"]
    if instance.breach is not None:
        parts.append(f"breach {instance.breach[1]}" + (" (deleted)" if instance.breach[3] else ""))
    if instance.fulfil is not None:
        parts.append(f"fulfill {instance.fulfil[2]}")
    return Recorded(ticket, ours, due, breached, done, ", ".join(parts))


def _when(time: Any) -> datetime:
    return datetime.fromisoformat(timestamp(time))


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
