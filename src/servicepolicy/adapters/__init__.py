"""Helpdesk adapters: one module per helpdesk, each with the functions of :class:`Adapter`.

``servicepolicy.adapters.zendesk.read_tickets(paths)`` reads the pages a helpdesk's REST API
returned (saved as files) into tickets; ``read_policy(paths)`` turns its SLA policies and
business hours into a policy file; ``read_recorded(paths)`` reads the SLA figures the helpdesk
recorded itself, for :func:`reconcile`.  :func:`adapter` finds the module of a source by name.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Final, Protocol, cast

from .._reports.reconcile import Difference, Reconciliation, Recorded, reconcile
from .._tickets.model import Ticket, UnreadTicket
from ._common import ImportedPolicy, ImportLog

__all__ = [
    "SOURCES",
    "Adapter",
    "Difference",
    "ImportLog",
    "ImportedPolicy",
    "Reconciliation",
    "Recorded",
    "adapter",
    "reconcile",
]

SOURCES: Final = ("zendesk", "freshdesk", "jsm", "zammad")
"""The helpdesks with an adapter, by the name the command line takes."""

Paths = Iterable[str | os.PathLike[str]]


class Adapter(Protocol):
    """What every helpdesk module provides."""

    SOURCE: str
    DEFAULT_STATUS_MAP: Mapping[str, str]

    def read_tickets(
        self,
        paths: Paths,
        *,
        status_map: Mapping[str, str] | None = None,
        log: ImportLog | None = None,
    ) -> Iterator[Ticket | UnreadTicket]:
        """Every ticket of the pages, or an error record in its place; counts in = out."""
        ...

    def read_policy(self, paths: Paths, *, log: ImportLog | None = None) -> ImportedPolicy:
        """The helpdesk's SLA policies and business hours as a policy file."""
        ...

    def read_recorded(self, paths: Paths, *, log: ImportLog | None = None) -> Iterator[Recorded]:
        """The SLA figures the helpdesk recorded for its tickets."""
        ...


def adapter(source: str) -> Adapter:
    """The adapter module of ``source`` (one of :data:`SOURCES`); ``ValueError`` otherwise."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}: one of {', '.join(SOURCES)}")
    return cast(Adapter, importlib.import_module(f"{__name__}.{source}"))
