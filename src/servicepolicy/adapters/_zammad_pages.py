"""Zammad's API pages, told apart by their keys (see docs/adapters/zammad.md)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any, Final

from ._common import ImportLog, read_pages

TICKET: Final = "ticket"
ARTICLE: Final = "article"
HISTORY: Final = "history"
SLA: Final = "sla"
CALENDAR: Final = "calendar"
STATE: Final = "state"

_TICKET_KEYS: Final = ("state_id", "state")


def kind_of(item: Any) -> str | None:
    """The kind of one object of a page, or None when it is none of Zammad's."""
    if not isinstance(item, dict):
        return None
    if isinstance(item.get("history"), list):
        return HISTORY
    if "ticket_id" in item and ("sender" in item or "sender_id" in item):
        return ARTICLE
    if "business_hours" in item:
        return CALENDAR
    if "first_response_time" in item or "solution_time" in item:
        return SLA
    if "state_type_id" in item and "ignore_escalation" in item:
        return STATE
    # No "id" needed: a ticket without a readable one is an error record, never a lost one.
    if "created_at" in item and any(k in item for k in _TICKET_KEYS):
        return TICKET
    return None


def pages_by_kind(
    paths: Iterable[str | os.PathLike[str]], log: ImportLog
) -> Iterator[tuple[str, str, Any]]:
    """Each object of the pages with its kind and where it was read; a history page gives its
    list of entries.  A page that is not JSON, or not Zammad's, is a warning."""
    for page in read_pages(paths):
        if page.error is not None:
            log.warn("unreadable-page", f"{page.where}: {page.error}")
            continue
        items = page.data if isinstance(page.data, list) else [page.data]
        for index, item in enumerate(items):
            kind = kind_of(item)
            where = page.where if len(items) == 1 else f"{page.where} [{index}]"
            if kind is None:
                keys = (
                    ", ".join(sorted(item)[:6]) if isinstance(item, dict) else type(item).__name__
                )
                log.warn("unknown-page", f"{where}: not a Zammad page ({keys})")
            elif kind == HISTORY:
                yield kind, where, item["history"]
            else:
                yield kind, where, item


def as_id(value: Any) -> int | None:
    """A Zammad id given as a number or as its text, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def shown(value: Any) -> str:
    """A value as a warning or note names it: its ``repr``, cut short (a number too long to
    be an id as ``a huge number``)."""
    huge = isinstance(value, int) and abs(value) >= 10**30
    text = "a huge number" if huge else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
