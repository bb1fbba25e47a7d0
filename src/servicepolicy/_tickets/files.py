"""Reading a file of tickets from Python: :func:`read_tickets` over a path or an open file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .._common.errors import TicketError, printable
from .model import Ticket, UnreadTicket
from .streams import FORMATS
from .streams import read_tickets as read_records


def read_tickets(
    source: str | os.PathLike[str] | IO[Any], format: str | None = None
) -> Iterator[Ticket | UnreadTicket]:
    """Stream the tickets of a file: a path, or a file opened in binary or text mode.

    ``format`` is ``"jsonl"``, ``"json"`` (an array, or one object) or ``"csv"``; None tells
    them apart by content (and a ``.csv`` name).  Each record comes out as a :class:`Ticket`,
    or as an :class:`UnreadTicket` saying why it is not one, in input order, so counts in
    equal counts out: ``evaluate_many(policy, read_tickets(path), as_of)`` gives one
    evaluation per record, as ``servicepolicy evaluate`` does.  A path is opened and closed
    here; an open file is read and left open.  Raises ``OSError`` when the file cannot be
    opened, and :class:`~servicepolicy.ServicePolicyError` when reading it breaks off.
    """
    fmt = "auto" if format is None else format
    if fmt not in FORMATS or (fmt == "auto" and format is not None):
        choices = ", ".join(repr(f) for f in FORMATS if f != "auto")
        raise ValueError(f"format must be one of {choices} or None, got {format!r}")
    if isinstance(source, str | os.PathLike):
        name = os.fspath(source)
        with Path(name).open("rb") as stream:
            yield from _tickets(stream, fmt, name)
    else:
        yield from _tickets(source, fmt, str(getattr(source, "name", "")))


def _tickets(stream: IO[Any], fmt: str, name: str) -> Iterator[Ticket | UnreadTicket]:
    for record in read_records(stream, fmt, name):
        if record.error is not None:
            yield UnreadTicket(record.error, record.line, record.ticket_id)
            continue
        try:
            yield Ticket.from_dict(record.data)
        except TicketError as exc:
            where = f"line {record.line}: " if record.line is not None else ""
            known = exc.ticket_id if exc.ticket_id is not None else _shown_id(record.data)
            yield UnreadTicket(where + str(exc), record.line, known)


def _shown_id(data: Any) -> str | None:
    """The id of a ticket that could not be read, when it has one that can be shown."""
    if isinstance(data, dict) and data.get("id") is not None:
        try:
            return printable(str(data["id"]))
        except ValueError:  # an integer past Python's limit for its digits
            return None
    return None
