"""What every helpdesk adapter shares: pages of API responses, an on-disk store that joins
tickets with their events in bounded memory, status maps, timestamps, and a policy draft that
writes YAML with comments.

An adapter reads its helpdesk's pages, puts ticket headers and events into a
:class:`TicketStore`, and yields ``store.tickets()``; it builds an imported policy with a
:class:`PolicyDraft`.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Final

import yaml

from .._common.errors import TicketError
from .._reports.reconcile import Recorded
from .._tickets.model import Ticket, UnreadTicket

__all__ = [
    "ImportLog",
    "ImportedPolicy",
    "Page",
    "PolicyDraft",
    "Recorded",
    "TicketStore",
    "iso",
    "load_status_map",
    "read_pages",
    "status_name",
]


@dataclass(frozen=True)
class Page:
    """One API response body read from ``path`` (``line``: its line in a JSON Lines file, None
    for a file that is one document); ``data`` None and ``error`` set when it is not JSON."""

    path: str
    line: int | None
    data: Any
    error: str | None = None

    @property
    def where(self) -> str:
        """``path`` or ``path:line``."""
        return self.path if self.line is None else f"{self.path}:{self.line}"


def read_pages(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Page]:
    """The pages of each file: one for a file that is one JSON document, else one per line."""
    for given in paths:
        path = os.fspath(given)
        try:
            with Path(path).open(encoding="utf-8") as file:
                yield from _pages_of(path, file)
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
            yield Page(path, None, None, f"cannot read: {reason or error}")


def _pages_of(path: str, file: Any) -> Iterator[Page]:
    first, first_number = "", 0
    for number, text in enumerate(file, 1):
        if text.strip():
            first, first_number = text, number
            break
    if not first:
        return
    try:
        data = json.loads(first)
    except ValueError:
        data = None
    else:
        # One JSON value per line: JSON Lines, or a file that is a one-line document.
        yield Page(path, first_number, data)
        for number, text in enumerate(file, first_number + 1):
            if text.strip():
                yield _line_page(path, number, text)
        return
    file.seek(0)
    try:
        yield Page(path, None, json.loads(file.read()))
    except ValueError as error:
        yield Page(path, None, None, f"not JSON: {error}")


def _line_page(path: str, number: int, text: str) -> Page:
    try:
        return Page(path, number, json.loads(text))
    except ValueError as error:
        return Page(path, number, None, f"not JSON: {error}")


class ImportLog:
    """The warnings of one import, counted by kind, with the first detail of each kind."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.samples: dict[str, str] = {}

    def warn(self, kind: str, detail: str) -> None:
        """Count one warning of ``kind`` (``unknown-event-kind``), keeping the first detail."""
        self.counts[kind] += 1
        self.samples.setdefault(kind, detail)

    def summary(self) -> list[str]:
        """One line per kind: ``3 unknown-event-kind (first: audit 55 event Foo)``."""
        return [f"{n} {kind} (first: {self.samples[kind]})" for kind, n in self.counts.items()]


_STORE_SCHEMA: Final = """
CREATE TABLE tickets (seq INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, header TEXT NOT NULL);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY, ticket TEXT NOT NULL, at INTEGER, ord TEXT NOT NULL,
    ident TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (ticket, ord, at, ident)
);
CREATE INDEX events_by_ticket ON events (ticket, at, ord, seq);
"""


class TicketStore:
    """Ticket headers and events staged in a temporary SQLite file, so an export of any size
    is joined in bounded memory and in any page order.

    :meth:`tickets` yields every ticket in the order first added, with its events sorted by
    instant, then by the adapter's ``order`` key, then by arrival; then one
    :class:`UnreadTicket` per ticket id that has events but no header.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self._dir = tempfile.TemporaryDirectory(prefix="servicepolicy-import-")
        self._db = sqlite3.connect(Path(self._dir.name) / "store.sqlite3")
        self._db.executescript(_STORE_SCHEMA)
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")

    def __enter__(self) -> TicketStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Remove the staging file."""
        self._db.close()
        self._dir.cleanup()

    def add_ticket(self, ticket_id: str, header: dict[str, Any]) -> None:
        """Stage a ticket's ``id``, ``created_at`` and ``fields``; a later one for the same id
        replaces it (the newest page wins) but keeps its place."""
        self._db.execute(
            "INSERT INTO tickets (id, header) VALUES (?, ?) "
            "ON CONFLICT (id) DO UPDATE SET header = excluded.header",
            (ticket_id, _dumps(header)),
        )

    def add_event(self, ticket_id: str, event: dict[str, Any], order: str = "") -> None:
        """Stage one event (the ticket-event JSON shape).  An event is one per ticket, order
        key, instant, type, status and field: the same event read twice, or through two of a
        helpdesk's endpoints, is kept once, with the keys either gave (the first wins)."""
        at = _sort_instant(event.get("at"))
        ident = _dumps([event.get("type"), event.get("status"), event.get("field")])
        added = self._db.execute(
            "INSERT OR IGNORE INTO events (ticket, at, ord, ident, body) VALUES (?, ?, ?, ?, ?)",
            (ticket_id, at, order, ident, _dumps(event)),
        )
        if added.rowcount == 0:
            self._merge(ticket_id, at, order, ident, event)

    def _merge(
        self, ticket_id: str, at: int | None, order: str, ident: str, event: dict[str, Any]
    ) -> None:
        key = (ticket_id, order, at, ident)
        (body,) = self._db.execute(
            "SELECT body FROM events WHERE ticket = ? AND ord = ? AND at = ? AND ident = ?", key
        ).fetchone()
        kept = json.loads(body)
        merged = {**event, **kept}
        if merged != kept:
            self._db.execute(
                "UPDATE events SET body = ? WHERE ticket = ? AND ord = ? AND at = ? AND ident = ?",
                (_dumps(merged), *key),
            )

    def has_ticket(self, ticket_id: str) -> bool:
        """Whether a header for ``ticket_id`` was staged."""
        found = self._db.execute("SELECT 1 FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return found is not None

    def tickets(self) -> Iterator[Ticket | UnreadTicket]:
        """Every staged ticket, then the ids with events and no ticket, as error records."""
        self._db.commit()
        headers = self._db.execute("SELECT id, header FROM tickets ORDER BY seq")
        while rows := headers.fetchmany(256):
            for ticket_id, header in rows:
                yield self._ticket(ticket_id, json.loads(header))
        orphans = self._db.execute(
            "SELECT ticket FROM events WHERE ticket NOT IN (SELECT id FROM tickets) "
            "GROUP BY ticket ORDER BY MIN(seq)"
        )
        for (ticket_id,) in orphans.fetchall():
            yield UnreadTicket(
                error=f"{self.source}: events for ticket {ticket_id}, which is in no ticket file",
                ticket_id=ticket_id,
            )

    def _ticket(self, ticket_id: str, header: dict[str, Any]) -> Ticket | UnreadTicket:
        rows = self._db.execute(
            "SELECT body FROM events WHERE ticket = ? ORDER BY at, ord, seq", (ticket_id,)
        )
        events = [json.loads(body) for (body,) in rows]
        try:
            return Ticket.from_dict({**header, "events": events})
        except TicketError as error:
            return UnreadTicket(error=f"{self.source}: {error}", ticket_id=ticket_id)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _sort_instant(at: Any) -> int | None:
    if not isinstance(at, str):
        return None
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def load_status_map(path: str | os.PathLike[str]) -> dict[str, str]:
    """A status map file: a YAML or JSON mapping from the helpdesk's status to the ticket's."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ValueError(f"{os.fspath(path)}: cannot read: {reason}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValueError(f"{os.fspath(path)}: not YAML or JSON: {error}") from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ValueError(
            f"{os.fspath(path)}: a status map is a mapping of status names to status names, "
            "e.g. {'Waiting for support': open, 'Waiting for customer': pending}"
        )
    return data


_SEPARATORS: Final = re.compile(r"[\s\-]+")


def status_name(raw: str, status_map: Mapping[str, str]) -> str:
    """The ticket status for the helpdesk's ``raw`` one: the map's entry for it (as written,
    then lower-case), else ``raw`` lower-case with spaces and hyphens as underscores."""
    found = status_map.get(raw)
    if found is None:
        found = status_map.get(raw.lower())
    if found is None:
        found = _SEPARATORS.sub("_", raw.strip().lower())
    return found


_COMPACT_OFFSET: Final = re.compile(r"([+-]\d\d)(\d\d)$")


def iso(value: str | int | float) -> str:
    """A helpdesk timestamp as ISO 8601 with its offset: ISO text (``Z`` becomes ``+00:00``,
    ``+0100`` becomes ``+01:00``) or epoch seconds (milliseconds above 10^11).  A naive or
    unreadable one is a ``ValueError``."""
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, int | float):
        try:
            seconds = value / 1000 if abs(value) >= 10**11 else value
            return datetime.fromtimestamp(seconds, UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"not a timestamp: {value!r:.60}") from None
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r:.60}")
    text = _COMPACT_OFFSET.sub(r"\1:\2", value.strip())
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO 8601 timestamp: {value!r:.60}") from None
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {value!r:.60} has no UTC offset")
    return moment.isoformat()


@dataclass
class ImportedPolicy:
    """An imported policy: its YAML ``text``, and what could not be expressed (each also a
    commented-out block in the text)."""

    text: str
    warnings: list[str] = field(default_factory=list)


class PolicyDraft:
    """A policy being imported, written as YAML with a comment naming each part's source."""

    def __init__(
        self, name: str, semantics: str, source: str, description: str | None = None
    ) -> None:
        self.name, self.semantics, self.source = name, semantics, source
        self.description = description
        self._calendars: list[tuple[str, dict[str, Any], str]] = []
        self._priorities: list[str] = []
        self._fields: dict[str, list[Any]] = {}
        self._statuses: dict[str, str] = {}
        self._entries: list[tuple[dict[str, Any], str]] = []
        self._unsupported: list[tuple[str, Any]] = []

    def calendar(self, name: str, body: dict[str, Any], note: str) -> None:
        """A calendar (``timezone``, ``hours``, ``holidays``) with a note on its source."""
        self._calendars.append((name, body, note))

    def priorities(self, names: list[str]) -> None:
        """The helpdesk's priorities, most urgent first (the policy's ``priorities:``)."""
        self._priorities = list(names)

    def field_values(self, name: str, values: list[Any]) -> None:
        """The values a ticket field may hold (the policy's ``fields:`` vocabulary), so that
        evaluating imported tickets warns of no value the helpdesk defines."""
        self._fields[name] = list(values)

    def status(self, name: str, category: str) -> None:
        """One of the policy's own statuses: ``open``, ``paused``, ``solved`` or ``closed``."""
        self._statuses[name] = category

    def entry(self, body: dict[str, Any], note: str) -> None:
        """An SLA entry, after those given before it, with a note on its source."""
        self._entries.append((body, note))

    def unsupported(self, note: str, data: Any) -> None:
        """A part the format cannot express: written commented out, and warned of."""
        self._unsupported.append((note, data))

    def build(self) -> ImportedPolicy:
        """The policy's YAML text and its warnings."""
        head: dict[str, Any] = {"servicepolicy": "1", "name": self.name}
        if self.description:
            head["description"] = self.description
        head["semantics"] = self.semantics
        parts = [f"# Imported from {self.source}.", _yaml(head)]
        if self._priorities:
            parts.append(_yaml({"priorities": self._priorities}))
        if self._fields:
            parts.append(_yaml({"fields": self._fields}))
        if self._statuses:
            parts.append(_yaml({"statuses": self._statuses}))
        if self._calendars:
            parts.append("calendars:")
            for name, body, note in self._calendars:
                parts.append(_comment(note, "  "))
                parts.append(_indent(_yaml({name: body}), "  "))
        parts.append("sla:")
        for body, note in self._entries:
            parts.append(_comment(note, "  "))
            parts.append(_indent(_yaml([body]), "  "))
        warnings = []
        for note, data in self._unsupported:
            warnings.append(f"not imported: {note}")
            parts.append(_comment(f"Not imported: {note}", ""))
            parts.append(_comment(_yaml(data).rstrip("\n"), ""))
        return ImportedPolicy("\n".join(p.rstrip("\n") for p in parts) + "\n", warnings)


def _yaml(value: Any) -> str:
    return yaml.safe_dump(
        value, sort_keys=False, allow_unicode=True, default_flow_style=False, width=96
    )


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def _comment(text: str, prefix: str) -> str:
    return "\n".join(f"{prefix}# {line}".rstrip() for line in text.splitlines())
