"""Reading tickets from JSON, JSON Lines and CSV streams, one record at a time.

Every record comes out as a :class:`TicketRecord`: the ticket's JSON shape, or the reason it
could not be read, with its line number, so a bad line never stops a batch.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain
from typing import Any, TextIO

from .._common.errors import ServicePolicyError

FORMATS = ("auto", "json", "jsonl", "csv")
_CSV_TIMES = ("first_response_at", "resolved_at")


class UnreadableTickets(ServicePolicyError):
    """The tickets stream broke off: it is not UTF-8 text, or reading it failed."""


@dataclass(slots=True)
class TicketRecord:
    """One input record: ``data`` (a ticket's JSON shape) or ``error``; ``line`` is 1-based."""

    line: int | None
    data: Any = None
    error: str | None = None
    ticket_id: str | None = None


# One decoder for every line: json.loads with an option builds a new decoder per call.
_DECODER = json.JSONDecoder(parse_float=Decimal)


# The C scanner the decoder was built with (its attribute since Python 2.6, not in the stubs).
_scan: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]
_UNREAD = object()


def _loads(text: str) -> Any:
    if text.startswith("\ufeff"):
        return json.loads(text)  # refuses it, saying to read the file as utf-8-sig
    return _DECODER.decode(text)


def scanned(text: str) -> Any:
    """The JSON value of ``text`` as :func:`_loads` reads it, or ``_UNREAD`` when that would
    fail or find nothing: then :func:`_loads` says why.  The scanner alone costs half of
    ``decode``, which skips JSON's whitespace by regular expressions around it."""
    value = text.strip(" \t\n\r")
    try:
        data, end = _scan(value, 0)
    except (StopIteration, json.JSONDecodeError, RecursionError):
        return _UNREAD
    return data if end == len(value) else _UNREAD


def _guess_id(text: str) -> str | None:
    marker = text.find('"id"')
    if marker < 0:
        return None
    rest = text[marker + 4 :].lstrip(" :")
    if rest.startswith('"'):
        end = rest.find('"', 1)
        return rest[1:end] if end > 0 else None
    digits = ""
    for char in rest:
        if not char.isdigit():
            break
        digits += char
    return digits or None


def read_tickets(stream: TextIO, fmt: str = "auto", name: str = "") -> Iterator[TicketRecord]:
    """Yield the records of ``stream``; ``fmt`` is ``auto`` (by content), json, jsonl or csv.

    A stream that cannot be read on (bytes that are not UTF-8, an I/O error) raises
    :class:`UnreadableTickets` naming ``name``: no record can be told apart after that.
    """
    try:
        yield from _records(stream, fmt, name)
    except (OSError, UnicodeDecodeError) as exc:
        if isinstance(exc, UnicodeDecodeError):
            reason = f"not UTF-8 text ({exc.reason})"
        else:
            reason = exc.strerror or str(exc)
        raise UnreadableTickets(f"{name or '<stream>'}: cannot read: {reason}") from None


def _records(stream: TextIO, fmt: str, name: str) -> Iterator[TicketRecord]:
    if fmt == "auto":
        fmt = "csv" if name.endswith(".csv") else "auto"
    if fmt == "csv":
        yield from _read_csv(stream)
        return
    first = ""
    while not first.strip():
        first = stream.readline()
        if not first:
            return
    head = first.lstrip()
    if fmt == "auto" and not head.startswith(("[", "{")) and "created_at" in first.split(","):
        # A CSV header line, whatever the file is called.
        yield from _read_csv(chain([first], stream))
        return
    if fmt == "json" or (fmt == "auto" and head.startswith("[")):
        yield from _read_document(first + stream.read())
        return
    if fmt == "auto" and head.startswith("{"):
        try:
            _loads(first)
        except json.JSONDecodeError:
            rest = stream.read()
            try:
                whole = _loads(first + rest)
            except json.JSONDecodeError:
                yield from _read_lines(first, rest.splitlines(keepends=True))
                return
            yield TicketRecord(1, whole)
            return
    yield from _read_lines(first, stream)


def _read_lines(first: str, rest: Iterable[str]) -> Iterator[TicketRecord]:
    number = 0
    for text in chain([first], rest):
        number += 1
        data = scanned(text)
        if data is not _UNREAD:
            yield TicketRecord(number, data)
            continue
        if not text.strip():
            continue
        try:
            yield TicketRecord(number, _loads(text))
        except (json.JSONDecodeError, RecursionError) as exc:
            message = getattr(exc, "msg", "too deeply nested")
            yield TicketRecord(
                number, error=f"line {number}: not valid JSON: {message}", ticket_id=_guess_id(text)
            )


def _read_document(text: str) -> Iterator[TicketRecord]:
    try:
        doc = _loads(text)
    except json.JSONDecodeError as exc:
        yield TicketRecord(exc.lineno, error=f"line {exc.lineno}: not valid JSON: {exc.msg}")
        return
    items = doc if isinstance(doc, list) else [doc]
    for item in items:
        yield TicketRecord(None, item)


def _read_csv(lines: Iterable[str]) -> Iterator[TicketRecord]:
    reader = csv.DictReader(lines)
    missing = {"id", "created_at"} - set(reader.fieldnames or ())
    if missing:
        yield TicketRecord(1, error=f"CSV header lacks column(s): {', '.join(sorted(missing))}")
        return
    for row in reader:
        line = reader.line_num
        if None in row:
            yield TicketRecord(
                line, error=f"line {line}: more values than columns", ticket_id=row.get("id")
            )
            continue
        yield TicketRecord(line, csv_ticket(row))


def csv_ticket(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row (``id, created_at, <fields...>, first_response_at, resolved_at``) as a ticket."""
    events = []
    if row.get("first_response_at"):
        events.append({"at": row["first_response_at"], "type": "agent_reply"})
    if row.get("resolved_at"):
        events.append({"at": row["resolved_at"], "type": "status", "status": "solved"})
    fields = {
        key: value
        for key, value in row.items()
        if key not in ("id", "created_at", *_CSV_TIMES) and value != ""
    }
    return {"id": row["id"], "created_at": row["created_at"], "fields": fields, "events": events}
