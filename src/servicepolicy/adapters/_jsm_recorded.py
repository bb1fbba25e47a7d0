"""Jira Service Management: the SLA figures JSM recorded, from the SLA custom fields of issues
and from the service desk API's SLA pages.  Private to :mod:`servicepolicy.adapters.jsm`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final

from ._common import ImportLog, Page, Recorded
from ._jsm_pages import Index, instant, is_sla, issue_key, issues_of, kind

SLA_METRICS: Final[Mapping[str, str]] = MappingProxyType(
    {"time to first response": "first_response", "time to resolution": "resolution"}
)
"""JSM SLA name (any case) -> metric, for the recorded figures."""


def page_figures(page: Page, index: Index, log: ImportLog) -> Iterator[Recorded]:
    """The figures of one page: SLA fields of its issues, or its service desk SLA values."""
    if page.data is None:
        log.warn("unreadable-page", f"{page.where}: {page.error}")
        return
    found = kind(page.data)
    if found in ("issues", "issue"):
        for issue, names in issues_of(page):
            key = issue_key(issue)
            fields = issue.get("fields")
            if key is None or not isinstance(fields, dict):
                continue
            for field_id, value in fields.items():
                if is_sla(value):
                    name = value.get("name") or names.get(field_id) or field_id
                    yield from _figures(key, name, value, f"{page.where}: {key} {field_id}", log)
    elif found in ("request-slas", "sla"):
        values = page.data["values"] if found == "request-slas" else [page.data]
        for value in values:
            if isinstance(value, dict):
                yield from _service_desk_figures(value, page, index, log)
            else:
                log.warn(
                    "bad-value", f"{page.where}: an SLA value that is no object: {value!r:.40}"
                )
    elif found == "unknown":
        log.warn("unknown-page", f"{page.where}: no issues, comments or SLA values")


def _service_desk_figures(
    value: dict[str, Any], page: Page, index: Index, log: ImportLog
) -> Iterator[Recorded]:
    links = value.get("_links")
    ticket = index.ticket_of(links.get("self") if isinstance(links, dict) else None)
    if ticket is None:
        log.warn("sla-without-issue", f"{page.where}: SLA value without a self link")
        return
    name = value.get("name") or f"SLA {value.get('id')}"
    yield from _figures(ticket, name, value, f"{page.where}: {ticket}", log)


def _figures(
    ticket: str, name: Any, value: dict[str, Any], where: str, log: ImportLog
) -> Iterator[Recorded]:
    metric = SLA_METRICS.get(str(name).strip().lower())
    if metric is None:
        log.warn("unknown-sla-metric", f"{where}: SLA {name!r}")
        return
    completed = value.get("completedCycles")
    cycles = [c for c in completed if isinstance(c, dict)] if isinstance(completed, list) else []
    ongoing = value.get("ongoingCycle")
    if isinstance(ongoing, dict):
        cycles.append(ongoing)
    if not cycles:
        return
    chosen = cycles[0] if metric == "first_response" else cycles[-1]
    flags = [c.get("breached") for c in (cycles[:1] if metric == "first_response" else cycles)]
    known = [flag for flag in flags if isinstance(flag, bool)]
    try:
        due = _moment(chosen.get("breachTime")) if len(cycles) == 1 else None
        stop = None if chosen is ongoing else _moment(chosen.get("stopTime"))
    except ValueError as error:
        log.warn("unreadable-value", f"{where}: {error}")
        return
    yield Recorded(
        ticket_id=ticket,
        metric=metric,
        due_at=due,
        breached=any(known) if known else None,
        completed_at=stop,
        detail=f"{where}: SLA {name!r}, {len(cycles)} cycle(s)",
    )


def _moment(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(instant(value))
