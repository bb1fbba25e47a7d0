"""Batch evaluation for the command line: stream records in, results out, count both.

Every input record gives exactly one output record, in input order: a ticket that cannot be
read or evaluated becomes an error record with its id and line, and the batch goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, TextIO

from .._common.errors import ServicePolicyError
from .._evaluation.engine import decide_refund, evaluator_for, failed_id, outcome_or_record
from .._evaluation.outcome import Outcome, error_outcome, to_evaluation
from .._evaluation.outcome_json import outcome_json
from .._evaluation.results import Evaluation
from .._policy.model import Policy
from .._policy.versions import PolicySet
from .._reports.render import render_csv, render_html, render_json, render_table
from .._reports.report import Report
from .._tickets.model import Ticket
from .._tickets.streams import read_tickets, write_summary
from ._render_evaluations import csv_rows, csv_text, table_header, table_rows

_PROGRESS_EVERY = 10_000
# JSON text is handed to the output this many records at a time: one write per ticket of a few
# kilobytes cost more than the rest of writing it (the stream's 8 KiB buffer spills on most).
_WRITE_EVERY = 128


def outcomes(
    policy: Policy | PolicySet, source: TextIO, name: str, fmt: str, as_of: datetime
) -> Iterator[Outcome]:
    """One outcome (or error record) per record of ``source``."""
    evaluator = evaluator_for(policy)
    for record in read_tickets(source, fmt, name):
        if record.error is not None:
            yield error_outcome(record.error, as_of, record.ticket_id, record.line)
            continue
        yield outcome_or_record(evaluator, record.data, as_of, record.line)


def evaluations(
    policy: Policy | PolicySet, source: TextIO, name: str, fmt: str, as_of: datetime
) -> Iterator[Evaluation]:
    """One evaluation (or error record) per record of ``source``."""
    return map(to_evaluation, outcomes(policy, source, name, fmt, as_of))


def run_evaluate(
    policy: Policy | PolicySet,
    source: TextIO,
    name: str,
    fmt: str,
    as_of: datetime,
    output: str,
    out: TextIO,
    err: TextIO,
) -> int:
    """Write every evaluation to ``out`` in ``output`` format; a summary goes to ``err``."""
    total = failed = 0
    progress = err.isatty()
    if output == "json":
        out.write("[")
    elif output == "csv":
        out.write(csv_text([], header=True))
    elif output == "table":
        out.write(table_header(as_of))
    pending: list[str] = []
    try:
        for outcome in outcomes(policy, source, name, fmt, as_of):
            if output == "jsonl":
                pending.append(outcome_json(outcome) + "\n")
            elif output == "json":
                pending.append(("\n" if total == 0 else ",\n") + outcome_json(outcome))
            elif output == "csv":
                out.write(csv_text(csv_rows(to_evaluation(outcome)), header=False))
            else:
                out.write(table_rows(to_evaluation(outcome)))
            total += 1
            failed += bool(outcome.errors)
            if len(pending) == _WRITE_EVERY:
                out.write("".join(pending))
                pending.clear()
            if progress and total % _PROGRESS_EVERY == 0:
                err.write(f"\r{total} tickets evaluated...")
                err.flush()
    finally:  # a stream that breaks off keeps the records read before
        out.write("".join(pending))
    if output == "json":
        out.write("\n]\n" if total else "]\n")
    if progress and total >= _PROGRESS_EVERY:
        err.write("\r")
    return write_summary(err, total, failed, as_of)


def run_report(
    policy: Policy | PolicySet,
    source: TextIO,
    name: str,
    fmt: str,
    as_of: datetime,
    by: Sequence[str],
    output: str,
    out: TextIO,
    err: TextIO,
) -> int:
    """Fold every evaluation into a :class:`Report` and write it in ``output`` format."""
    report = Report(by, as_of).add_all(evaluations(policy, source, name, fmt, as_of))
    renderers = {"table": render_table, "csv": render_csv, "json": render_json, "html": render_html}
    out.write(renderers[output](report))
    return write_summary(err, report.tickets_in, report.failed, as_of)


def run_refund(
    policy: Policy | PolicySet,
    source: TextIO,
    name: str,
    fmt: str,
    as_of: datetime,
    output: str,
    out: TextIO,
    err: TextIO,
) -> int:
    """Write the refund decision of every ticket to ``out``; failures are counted on ``err``."""
    total = failed = 0
    rows = []
    for record in read_tickets(source, fmt, name):
        total += 1
        where = f"line {record.line}: " if record.line is not None else ""
        if record.error is not None:
            decision: dict[str, Any] = {"ticket_id": record.ticket_id, "error": record.error}
        else:
            try:
                result = decide_refund(policy, Ticket.from_dict(record.data), as_of)
                decision = result.model_dump(mode="json")
            except (ServicePolicyError, ValueError, TypeError, ArithmeticError) as exc:
                decision = {"ticket_id": failed_id(record.data, exc), "error": where + str(exc)}
        failed += "error" in decision
        if output == "jsonl":
            out.write(json.dumps(decision) + "\n")
        elif output == "json":
            rows.append(decision)
        else:
            out.write(_refund_line(decision))
    if output == "json":
        out.write(json.dumps(rows, indent=2) + "\n")
    return write_summary(err, total, failed, as_of, "decided")


def _refund_line(decision: dict[str, Any]) -> str:
    ticket = decision.get("ticket_id") or "?"
    if "error" in decision:
        return f"{ticket}: error: {decision['error']}\n"
    verdict = "eligible" if decision["eligible"] else "not eligible"
    amount = f" {decision['amount']} {decision['currency']}" if decision.get("amount") else ""
    rule = f" [{decision['rule']}]" if decision.get("rule") else ""
    return f"{ticket}: {verdict}{amount}{rule}: {decision['reason']}\n"


def run_explain(
    policy: Policy | PolicySet,
    source: TextIO,
    name: str,
    fmt: str,
    as_of: datetime,
    ticket_id: str | None,
    out: TextIO,
    err: TextIO,
) -> int:
    """Write the explanation of each ticket (or only ``ticket_id``) to ``out``."""
    shown = failed = 0
    for evaluation in evaluations(policy, source, name, fmt, as_of):
        if ticket_id is not None and evaluation.ticket_id != ticket_id:
            continue
        out.write(("\n" if shown else "") + evaluation.explain())
        shown += 1
        failed += bool(evaluation.errors)
    if ticket_id is not None and not shown:
        err.write(f"servicepolicy: no ticket with id {ticket_id!r}\n")
        return 1
    return 1 if failed else 0
