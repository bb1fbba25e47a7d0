"""``servicepolicy evaluate``: the SLA status of every ticket, as a table, JSON, JSON Lines,
CSV or Parquet (one row per ticket and metric)."""

from __future__ import annotations

import argparse
import csv
import io
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial

from .._common.durations import format_duration
from .._common.money import money_text
from .._evaluation.evaluation import ROW_COLUMNS, Evaluation
from .._evaluation.outcome import Outcome, to_evaluation
from .._evaluation.outcome_json import JsonWriter
from . import _parquet
from ._batch import rendered_outcomes
from ._fields import (
    SUMMARY_COLUMNS,
    csv_cell,
    csv_columns,
    json_paths,
    render_csv_columns,
    render_csv_summary,
    render_selected,
    render_summary,
)
from ._output import add_output_argument
from ._parallel import Render, add_jobs_argument
from ._shared import (
    Context,
    Done,
    TicketBatch,
    UsageError,
    add_policy_and_tickets,
    add_strict_input,
    over_tickets,
    summary,
)

HELP = "SLA status of every ticket in a file"
# JSON text is handed to the output this many records at a time: one write per ticket of a few
# kilobytes cost more than the rest of writing it (the stream's 8 KiB buffer spills on most).
_WRITE_EVERY = 128


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``servicepolicy evaluate``."""
    add_policy_and_tickets(parser)
    add_strict_input(parser)
    _parquet.add_arguments(parser)
    parser.add_argument(
        "--format", choices=["table", "json", "jsonl", "csv", "parquet"], default="table"
    )
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument(
        "--fields",
        metavar="LIST",
        help="keep only these parts of each record: dotted paths for json and jsonl, with * for "
        "any key (ticket_id,metrics.*.status,metrics.*.due_at), column names for csv",
    )
    shape.add_argument(
        "--summary",
        action="store_true",
        help="one short record per ticket: id, line, policy, and each metric's status, due_at, "
        "breached_at and elapsed_seconds (json, jsonl, csv)",
    )
    add_jobs_argument(parser)
    add_output_argument(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Evaluate every ticket; 0 all evaluated, 1 some could not be."""
    if args.format == "parquet":  # Parquet out (and perhaps in): docs/scale.md
        return _parquet.run(args, ctx, None)
    make_render, header = _shaped(args.format, args.fields, args.summary)

    def work(batch: TicketBatch) -> Done:
        return write_evaluations(batch, args.format, args.jobs, make_render, header, args.progress)

    return (
        _parquet.run(args, ctx, work)
        if _parquet.parquet_input(args)
        else over_tickets(args, ctx, work)
    )


def _shaped(
    output: str, fields: str | None, summary: bool
) -> tuple[Callable[[], Render], str | None]:
    """The renderer of ``--fields`` or ``--summary`` (``_RENDERERS``' without either), and the
    CSV header it goes with; a :class:`UsageError` for a shape the format cannot take."""
    if fields is None and not summary:
        return _RENDERERS[output], None
    if output == "table":
        raise UsageError("--fields and --summary shape json, jsonl and csv output, not a table")
    try:
        if output == "csv":
            if summary:
                return render_csv_summary, csv_text([list(SUMMARY_COLUMNS)], header=False)
            columns = csv_columns(fields or "")
            header = csv_text([list(columns)], header=False)
            return partial(render_csv_columns, columns, _outcome_rows), header
        if summary:
            return partial(render_summary, output == "jsonl"), None
        paths = json_paths(fields or "")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return partial(render_selected, paths, output == "jsonl"), None


def _render_json() -> Render:
    return JsonWriter().outcome_json


def _render_jsonl() -> Render:
    outcome_json = JsonWriter().outcome_json
    return lambda outcome: outcome_json(outcome) + "\n"


def _outcome_rows(outcome: Outcome) -> list[list[str]]:
    return csv_rows(to_evaluation(outcome))


def _csv_record(outcome: Outcome) -> str:
    return csv_text(_outcome_rows(outcome), header=False)


def _render_csv() -> Render:
    return _csv_record


def _table_record(outcome: Outcome) -> str:
    return table_rows(to_evaluation(outcome))


def _render_table() -> Render:
    return _table_record


# Each makes the renderer of one format; module-level, so a worker process can be given one.
_RENDERERS: dict[str, Callable[[], Render]] = {
    "json": _render_json,
    "jsonl": _render_jsonl,
    "csv": _render_csv,
    "table": _render_table,
}


def write_evaluations(
    batch: TicketBatch,
    output: str,
    jobs: int = 1,
    make_render: Callable[[], Render] | None = None,
    csv_header: str | None = None,
    progress: bool = False,
) -> Done:
    """Write every evaluation in ``output`` format (each record rendered by what
    ``make_render`` makes, the format's full record by default), evaluated on ``jobs``
    processes, with a progress bar when ``progress`` asks for one; a summary goes to the
    batch's ``err``."""
    out, as_of = batch.out, batch.as_of
    total = failed = 0
    if output == "json":
        out.write("[")
    elif output == "csv":
        out.write(csv_header if csv_header is not None else csv_text([], header=True))
    elif output == "table":
        out.write(table_header(as_of))
    pending: list[str] = []
    try:
        for done in rendered_outcomes(batch, make_render or _RENDERERS[output], jobs, progress):
            if output == "json":
                pending.append(("\n" if total == 0 else ",\n") + done.text)
            else:
                pending.append(done.text)
            total += 1
            failed += done.failed
            if len(pending) == _WRITE_EVERY:
                out.write("".join(pending))
                pending.clear()
    finally:  # a stream that breaks off keeps the records read before
        out.write("".join(pending))
    if output == "json":
        out.write("\n]\n" if total else "]\n")
    return summary(total, failed, as_of, tally=batch.tally)


def _iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.isoformat()


def csv_rows(evaluation: Evaluation) -> list[list[str]]:
    """CSV rows of one evaluation: one per metric, or one error row."""
    return [[csv_cell(row[c]) for c in ROW_COLUMNS] for row in evaluation.to_rows()]


def csv_text(rows: Iterable[list[str]], *, header: bool) -> str:
    """CSV text of ``rows`` (with the header row first when asked)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(ROW_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


_TABLE = "{:<14} {:<16} {:<15} {:<26} {:>10}"


def table_header(as_of: datetime) -> str:
    """The table's title and column heads."""
    return (
        f"as of {as_of.isoformat()}\n"
        + _TABLE.format("ticket", "metric", "status", "due", "remaining")
        + "\n"
    )


def table_rows(evaluation: Evaluation) -> str:
    """Table lines of one evaluation.  An id longer than its column widens the row: the
    table is written ticket by ticket, and an id is never cut short."""
    ticket = evaluation.ticket_id or "?"
    if evaluation.errors:
        return f"{ticket:<14} error: {'; '.join(evaluation.errors)}\n"
    lines = []
    for name, metric in evaluation.metrics.items():
        remaining = (
            ""
            if metric.remaining is None or metric.status == "not_applicable"
            else (format_duration(metric.remaining))
        )
        due = _iso(metric.due_at)
        lines.append(_TABLE.format(ticket, name, metric.status, due, remaining).rstrip())
    for award in evaluation.compensation:
        owed = (
            money_text(award.amount, award.currency or "")
            if award.amount is not None
            else (award.gesture or "")
        )
        flag = " (needs approval)" if award.approval_required else ""
        lines.append(f"{ticket:<14} owed: {owed}{flag} [{award.rule}]")
    lines.extend(f"{ticket:<14} warning: {warning}" for warning in evaluation.warnings)
    return "\n".join(lines) + "\n"
