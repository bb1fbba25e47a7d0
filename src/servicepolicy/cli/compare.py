"""``servicepolicy compare``: what-if, the same tickets under an old and a new policy, and the
diff as a table or JSON.

``_reports/compare.py`` says what is compared and how.  With ``--jobs``, each worker compares
chunks of the tickets and sends back their counts and messages; the main process merges the
counts and writes the messages in input order, so the output and the messages are those of
one process, byte for byte.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import IO, Any, TextIO

from .._common.durations import format_duration, parse_duration
from .._evaluation.engine import failed_id
from .._policy.model import Policy
from .._reports.compare import ERRORS, Comparison, ComparisonCounts, MetricChange, PolicyDiff
from .._tickets.model import Ticket
from .._tickets.streams import TicketRecord, read_deferred, read_tickets
from ._output import add_output_argument, output_to
from ._parallel import CHUNK, Item, add_jobs_argument, in_chunks, read_record
from ._progress import progress_bar
from ._shared import (
    Context,
    UsageError,
    add_ticket_arguments,
    cannot_read,
    instant_argument,
    load_policy_file_argument,
    open_tickets,
    summary,
)

HELP = "what-if: replay tickets under an old and a new policy"
_SHOWN = 20  # ids shown per list in the table


# -- command line -------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``servicepolicy compare`` to ``parser``."""
    parser.add_argument("old", metavar="OLD_POLICY", help="the policy in force")
    parser.add_argument("new", metavar="NEW_POLICY", help="the proposed policy")
    add_ticket_arguments(parser)
    parser.add_argument(
        "--by",
        default="",
        help="group by these comma-separated ticket fields (as at --as-of) or 'week'",
    )
    parser.add_argument(
        "--threshold",
        default="1h",
        help="list due times that move by more than this (default: 1h)",
    )
    parser.add_argument("--format", choices=["table", "json"], default="table")
    add_jobs_argument(parser)
    add_output_argument(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Run ``servicepolicy compare``: 0 ok, 1 some tickets failed, 2 usage or policy error."""
    order = "servicepolicy compare OLD_POLICY NEW_POLICY TICKETS"
    old = load_policy_file_argument(args.old, order)
    new = load_policy_file_argument(args.new, order)
    as_of = ctx.now if args.as_of is None else instant_argument(args.as_of, "--as-of")
    try:
        by = [name.strip() for name in args.by.split(",") if name.strip()]
        threshold = parse_duration(args.threshold)
        comparison = Comparison(old, new, as_of, by, threshold)
    except ERRORS as exc:
        raise UsageError(str(exc)) from None
    with ExitStack() as stack:
        try:
            source = open_tickets(args.tickets, ctx.stdin, stack)
        except OSError as exc:
            raise UsageError(cannot_read(args.tickets, exc)) from None
        inputs = (args.old, args.new, args.tickets)
        with output_to(args.output, ctx.stdout, inputs) as out:
            compare_tickets(
                comparison,
                source,
                args.tickets,
                args.input_format,
                ctx.stderr,
                jobs=args.jobs,
                progress=args.progress,
            )
            diff = comparison.result()
            if args.format == "json":
                out.write(json.dumps(diff.model_dump(mode="json"), indent=2) + "\n")
            else:
                out.write(render_table(diff))
    done = summary(diff.tickets, diff.failed_count, as_of, "compared")
    ctx.stderr.write(done.message)
    return done.status


def compare_tickets(
    comparison: Comparison,
    source: IO[Any],
    name: str,
    fmt: str,
    stderr: TextIO,
    *,
    jobs: int = 1,
    progress: bool = False,
    chunk: int = CHUNK,
) -> None:
    """Compare every record of ``source`` (a file named ``name``, in ``--input-format``
    ``fmt``) on ``jobs`` processes, ``chunk`` records at a time; each failure is reported on
    ``stderr`` in input order (under a progress bar when ``progress`` asks for one)."""
    bar = progress_bar(stderr, source, name) if progress else None
    records: Iterator[Item] = (read_tickets if jobs == 1 else read_deferred)(source, fmt, name)
    numbered = enumerate(records if bar is None else bar.counted(records), 1)
    say = stderr.write if bar is None else bar.say
    if jobs == 1:
        for position, record in numbered:
            _said(compare_record(comparison, read_record(record), position), say)
        return
    same = comparison.old, comparison.new, comparison.as_of, comparison.by
    work = partial(_comparing, *same, comparison.threshold)
    for items, done in in_chunks(numbered, jobs=jobs, make_work=work, chunk=chunk):
        if done is None:
            for position, item in items:
                _said(compare_record(comparison, read_record(item), position), say)
            continue
        counts, problems = done
        comparison.merge(counts)
        for problem in problems:
            _said(problem, say)


def _said(problem: str | None, say: Callable[[str], object]) -> None:
    if problem is not None:
        say(problem + "\n")


def compare_record(comparison: Comparison, record: TicketRecord, position: int) -> str | None:
    """Compare one record, the ``position``-th of the input (1 for the first); why it
    failed, or None."""
    where = f"line {record.line}: " if record.line is not None else ""
    fallback = f"line {record.line}" if record.line is not None else f"#{position}"
    if record.error is not None:
        comparison.fail(record.ticket_id or fallback)
        return record.error
    try:
        ticket = Ticket.from_dict(record.data)
    except ERRORS as exc:
        comparison.fail(failed_id(record.data, exc) or fallback)
        return where + str(exc)
    problem = comparison.add(ticket, record.line)
    return None if problem is None else f"{where}ticket {ticket.id!r}: {problem}"


_Chunk = list[tuple[int, Item]]


def _comparing(
    old: Policy, new: Policy, as_of: datetime, by: Sequence[str], threshold: timedelta
) -> Callable[[_Chunk], tuple[ComparisonCounts, list[str]]]:
    """A worker's work: compare a chunk of numbered records, and send back the counts and
    the failures' messages, in order."""
    whole = Comparison(old, new, as_of, by, threshold)

    def compare_chunk(chunk: _Chunk) -> tuple[ComparisonCounts, list[str]]:
        comparison = whole.partial()
        problems = [compare_record(comparison, read_record(item), n) for n, item in chunk]
        return comparison.counts, [problem for problem in problems if problem is not None]

    return compare_chunk


# -- table --------------------------------------------------------------------------------------


def render_table(diff: PolicyDiff) -> str:
    """The diff as text for people: a table per group and metric, then the details."""
    threshold = format_duration(timedelta(seconds=diff.threshold_seconds))
    lines = [
        f"{diff.old_policy} -> {diff.new_policy}, as of {diff.as_of.isoformat()}",
        f"{diff.compared} of {diff.tickets} tickets compared, {diff.failed_count} failed",
        "attainment = met / (met + breached); ->breached: met before, breached after;",
        f"->met: breached before, met after; moved: due time moved by more than {threshold}",
        "",
        *_grid(
            [
                [
                    *diff.by,
                    "metric",
                    "tickets",
                    "before",
                    "after",
                    "change",
                    "->breached",
                    "->met",
                    f"moved>{threshold}",
                ],
                *(_row(change) for change in diff.changes),
            ],
            left=len(diff.by) + 1,
        ),
    ]
    lines += _ids(
        "met -> breached", [(c, c.became_breached, c.became_breached_count) for c in diff.changes]
    )
    lines += _ids("breached -> met", [(c, c.became_met, c.became_met_count) for c in diff.changes])
    lines += _moves(diff.changes, threshold)
    lines += _money(diff)
    if diff.failed_count:
        lines += ["", f"failed ({diff.failed_count}): " + _listed(diff.failed, diff.failed_count)]
    lines += ["", "unchanged" if diff.unchanged else "changed"]
    return "\n".join(lines) + "\n"


def _percent(value: float | None, met: int, breached: int) -> str:
    return "-" if value is None else f"{value:.2f}% ({met}/{met + breached})"


def _row(change: MetricChange) -> list[str]:
    before, after = change.attainment_before, change.attainment_after
    decided = change.met_before + change.breached_before, change.met_after + change.breached_after
    delta = "-"
    if all(decided):  # from the counts, not the rounded percentages
        delta = f"{100 * (change.met_after / decided[1] - change.met_before / decided[0]):+.2f}"
    return [
        *change.group.values(),
        change.metric,
        str(change.tickets),
        _percent(before, change.met_before, change.breached_before),
        _percent(after, change.met_after, change.breached_after),
        delta,
        str(change.became_breached_count),
        str(change.became_met_count),
        str(change.due_moved_count),
    ]


def _grid(rows: list[list[str]], left: int) -> list[str]:
    """Rows as aligned columns: the first ``left`` columns to the left, the rest right."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.ljust(widths[i]) if i < left else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]


def _label(change: MetricChange) -> str:
    group = ", ".join(f"{k}={v}" for k, v in change.group.items())
    return f"{change.metric} [{group}]" if group else change.metric


def _listed(ids: Sequence[str], count: int) -> str:
    text = ", ".join(ids[:_SHOWN])
    return text + (f", ... and {count - _SHOWN} more" if count > _SHOWN else "")


def _ids(title: str, lists: list[tuple[MetricChange, list[str], int]]) -> list[str]:
    shown = [(c, ids, n) for c, ids, n in lists if n]
    if not shown:
        return ["", f"{title}: none"]
    lines = ["", f"{title}:"]
    for change, ids, count in shown:
        text = f"{_label(change)} ({count}): {_listed(ids, count)}"
        lines += textwrap.wrap(text, 100, initial_indent="  ", subsequent_indent="    ")
    return lines


def _moves(changes: list[MetricChange], threshold: str) -> list[str]:
    title = f"due times moved by more than {threshold}"
    shown = [c for c in changes if c.due_moved_count]
    if not shown:
        return ["", f"{title}: none"]
    lines = ["", f"{title}:"]
    for change in shown:
        lines.append(f"  {_label(change)} ({change.due_moved_count}):")
        for move in change.due_moved[:_SHOWN]:
            shift = format_duration(timedelta(seconds=move.shift_seconds))
            lines.append(
                f"    {move.ticket_id}: {move.before.isoformat()} -> {move.after.isoformat()}"
                f" ({'+' if move.shift_seconds > 0 else ''}{shift})"
            )
        if change.due_moved_count > _SHOWN:
            lines.append(f"    ... and {change.due_moved_count - _SHOWN} more")
    return lines


def _money(diff: PolicyDiff) -> list[str]:
    if not diff.compensation_change:
        return ["", "compensation owed: none before or after"]
    rows = [["currency", "before", "after", "change"]]
    for currency, change in diff.compensation_change.items():
        sign = "+" if Decimal(change) > 0 else ""
        rows.append(
            [
                currency,
                diff.compensation_before[currency],
                diff.compensation_after[currency],
                sign + change,
            ]
        )
    return ["", "compensation owed:", *("  " + line for line in _grid(rows, left=1))]
