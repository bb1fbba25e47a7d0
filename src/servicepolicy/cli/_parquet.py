"""Parquet on the command line: ``evaluate --format parquet -o FILE`` and Parquet tickets in
(``TICKETS.parquet --events EVENTS.parquet``).  See docs/scale.md.

Parquet tickets are read a batch at a time (:data:`~servicepolicy.arrow.TICKET_BATCH`
tickets), each batch given its events from the events file, and handed on as the lines of
JSON Lines, one per row: so reading, line numbers (a ticket's row), error records, ``--jobs``
and every output format are those of a JSON Lines file.  The events file may be in any order:
it is read once per batch of tickets, skipping the row groups whose ``ticket_id`` statistics
cannot hold one of the batch's ids (sorting both files by id makes it read about once in all).

The Parquet output is written as it streams: rows are gathered and written as a row group
every :data:`ROW_GROUP` rows, never all at once, to a temporary file renamed over ``FILE``
only when the run has finished (as ``-o`` always is).
"""

from __future__ import annotations

import argparse
import contextlib
import io
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import IO, Any, Final

from .. import arrow
from .._tickets.streams import UnreadableTickets
from ._batch import rendered_outcomes
from ._output import binary_output_to, output_to
from ._parallel import Render
from ._shared import (
    Context,
    Done,
    TicketBatch,
    UsageError,
    cannot_read,
    instant_argument,
    load_policy_argument,
    open_tickets,
    summary,
)

ROW_GROUP: Final = 65_536
"""Rows per row group of the Parquet output: the most rows held in memory at once (as Arrow
columns, a few hundred bytes a row)."""

_ARROW_EVERY: Final = 4_096
"""Rows gathered as Python values before they become Arrow columns."""
_PARQUET_SUFFIX = ".parquet"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--events`` and ``--input-format parquet``, for ``servicepolicy evaluate``."""
    for action in parser._actions:
        if action.dest == "input_format" and action.choices is not None:
            action.choices = [*action.choices, "parquet"]
            action.help = "ticket format (default: by content, CSV for a *.csv file, Parquet "
            action.help += "for a *.parquet file)"
    parser.add_argument(
        "--events",
        metavar="EVENTS",
        help="with Parquet tickets: the Parquet file of their events, one row per event "
        "(ticket_id, at, type, status, field, value, actor); any order (docs/scale.md)",
    )


def parquet_input(args: argparse.Namespace) -> bool:
    """Whether the tickets are Parquet (``--input-format parquet``, or a ``*.parquet`` name
    with ``auto``); ``--events`` with other tickets is a :class:`UsageError`."""
    fmt = getattr(args, "input_format", "auto")
    found = fmt == "parquet" or (fmt == "auto" and args.tickets.endswith(_PARQUET_SUFFIX))
    if getattr(args, "events", None) is not None and not found:
        raise UsageError("--events goes with Parquet tickets (TICKETS.parquet)")
    return found


def involved(args: argparse.Namespace) -> bool:
    """Whether the run reads or writes Parquet."""
    return parquet_input(args) or args.format == "parquet"


def _pyarrow() -> Any:
    try:
        return arrow.pyarrow_module()
    except ImportError as exc:
        raise UsageError(f"Parquet needs pyarrow: {arrow.INSTALL}") from exc


def run(args: argparse.Namespace, ctx: Context, work: Callable[[TicketBatch], Done] | None) -> int:
    """``servicepolicy evaluate`` with Parquet in or out: ``work`` writes a text format (None
    for ``--format parquet``)."""
    writes_parquet = args.format == "parquet"
    if writes_parquet:
        if args.fields is not None or args.summary:
            raise UsageError("--fields and --summary shape json, jsonl and csv output, not parquet")
        if args.output is None or args.output == "-":
            raise UsageError(
                "--format parquet writes a file, not standard output: add -o FILE.parquet"
            )
    _pyarrow()
    policy = load_policy_argument(args.policy)
    as_of = ctx.now if args.as_of is None else instant_argument(args.as_of, "--as-of")
    reads_parquet = parquet_input(args)
    inputs = [args.policy, args.tickets] + ([args.events] if args.events else [])
    with ExitStack() as stack:
        if reads_parquet:
            source: Any = parquet_lines(args.tickets, args.events)
            input_format = "jsonl"
        else:
            try:
                source = open_tickets(args.tickets, ctx.stdin, stack)
            except OSError as exc:
                raise UsageError(cannot_read(args.tickets, exc)) from None
            input_format = args.input_format
        strict = getattr(args, "strict_input", False)
        if writes_parquet:
            target = stack.enter_context(binary_output(args.output, inputs))
            batch = TicketBatch(
                policy, source, args.tickets, input_format, as_of, io.StringIO(), ctx.stderr, strict
            )
            done = write_parquet(batch, target, args.jobs, getattr(args, "progress", False))
        else:
            assert work is not None
            with output_to(args.output, ctx.stdout, inputs) as out:
                batch = TicketBatch(
                    policy, source, args.tickets, input_format, as_of, out, ctx.stderr, strict
                )
                done = work(batch)
    ctx.stderr.write(done.message)
    return done.status


# -- Parquet in ------------------------------------------------------------------------------


def _open_parquet(name: str, what: str, needed: tuple[str, ...]) -> Any:
    if name == "-":
        raise UsageError(f"Parquet {what} are read from a file, not standard input")
    parquet = _parquet_module()
    try:
        handle = parquet.ParquetFile(name)
    except OSError as exc:
        raise UsageError(cannot_read(name, exc)) from None
    except _pyarrow().ArrowException as exc:
        raise UsageError(f"{name}: cannot read: not a Parquet file ({exc})") from None
    try:
        arrow.check_columns(handle.schema_arrow.names, needed, what)
    except ValueError as exc:
        raise UsageError(f"{name}: {exc}") from None
    return handle


def parquet_lines(tickets: str, events: str | None) -> Iterator[str]:
    """The tickets of a Parquet file, each with its events from the Parquet ``events`` file,
    as lines of JSON Lines, a batch of tickets at a time.  The files are opened (and their
    columns checked) at once; a file that breaks off while read raises
    :class:`UnreadableTickets`."""
    ticket_file = _open_parquet(tickets, "tickets", arrow.TICKET_COLUMNS)
    event_file = None if events is None else _open_parquet(events, "events", arrow.EVENT_COLUMNS)
    return _lines(ticket_file, tickets, event_file, events or "")


def _lines(ticket_file: Any, tickets: str, event_file: Any, events: str) -> Iterator[str]:
    pa = _pyarrow()
    name = tickets
    try:
        for batch in ticket_file.iter_batches(batch_size=arrow.TICKET_BATCH):
            ids = arrow.batch_ids(batch)
            grouped: dict[str, list[dict[str, Any]]] = {}
            if event_file is not None and ids:
                name = events
                grouped = arrow.event_rows(_event_batches(event_file, ids), ids)
                name = tickets
            for data in arrow.ticket_dicts(batch, grouped):
                yield arrow.ticket_json(data) + "\n"
    except (OSError, pa.ArrowException) as exc:
        raise UnreadableTickets(f"{name}: cannot read: {exc}") from None


def _event_batches(event_file: Any, ids: set[str]) -> Iterator[Any]:
    """The record batches of the row groups of the events file that may hold events of
    ``ids``: a row group whose string ``ticket_id`` statistics lie outside them is skipped."""
    low, high = min(ids), max(ids)
    metadata = event_file.metadata
    column = event_file.schema_arrow.get_field_index("ticket_id")
    groups = []
    for index in range(metadata.num_row_groups):
        stats = metadata.row_group(index).column(column).statistics
        if (
            stats is not None
            and stats.has_min_max
            and isinstance(stats.min, str)
            and isinstance(stats.max, str)
            and (stats.max < low or stats.min > high)
        ):
            continue
        groups.append(index)
    if groups:
        yield from event_file.iter_batches(batch_size=arrow.TICKET_BATCH, row_groups=groups)


def _parquet_module() -> Any:
    _pyarrow()
    import pyarrow.parquet  # type: ignore[import-untyped]

    return pyarrow.parquet


# -- Parquet out -----------------------------------------------------------------------------


def _render_rows() -> Render:
    return arrow.outcome_cells_json


def write_parquet(
    batch: TicketBatch, target: IO[bytes], jobs: int = 1, progress: bool = False
) -> Done:
    """Write every evaluation of the batch to ``target`` as Parquet rows
    (:func:`servicepolicy.arrow.result_schema`), a row group every :data:`ROW_GROUP` rows,
    evaluated on ``jobs`` processes, with a progress bar when ``progress`` asks for one; the
    summary, as the other formats have it."""
    import json

    pa, parquet = _pyarrow(), _parquet_module()
    buffer = arrow.RowBuffer()
    columnar: list[Any] = []  # record batches of the row group being gathered
    gathered = total = failed = 0

    def flush() -> None:
        nonlocal gathered
        if buffer.rows:
            columnar.append(buffer.take())
        if columnar:
            table = pa.Table.from_batches(columnar, schema=buffer.schema)
            writer.write_table(table, row_group_size=ROW_GROUP)
        columnar.clear()
        gathered = 0

    with parquet.ParquetWriter(target, buffer.schema) as writer:
        for done in rendered_outcomes(batch, _render_rows, jobs, progress):
            rows = json.loads(done.text)
            buffer.add(rows)
            gathered += len(rows)
            total += 1
            failed += done.failed
            if buffer.rows >= _ARROW_EVERY:  # Python values held briefly, Arrow's until written
                columnar.append(buffer.take())
            if gathered >= ROW_GROUP:
                flush()
        flush()
    return summary(total, failed, batch.as_of, tally=batch.tally)


def binary_output(target: str, inputs: list[str]) -> contextlib.AbstractContextManager[IO[bytes]]:
    """The Parquet file of ``-o target``: written beside it and renamed over it only when the
    run has finished (as every ``-o`` is); refused when it is an input."""
    return binary_output_to(target, inputs, "Parquet")
