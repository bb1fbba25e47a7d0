"""``servicepolicy refund``: the refund decision of every ticket: eligible or not, amount, rule,
reason.

With ``--jobs``, workers decide chunks of the tickets and the main process writes the
decisions in input order: the output is that of one process, byte for byte.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from typing import Any

from .._common.errors import ServicePolicyError
from .._evaluation.api import decide_refund
from .._evaluation.engine import failed_id
from .._policy.model import Policy
from .._policy.versions import PolicySet
from .._tickets.model import Ticket
from .._tickets.streams import TicketRecord
from ._batch import batch_records
from ._output import add_output_argument
from ._parallel import CHUNK, Item, add_jobs_argument, in_chunks, read_record
from ._progress import beside
from ._shared import (
    Context,
    Done,
    TicketBatch,
    add_policy_and_tickets,
    over_tickets,
    summary,
)

HELP = "decide refund requests under the policy"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``servicepolicy refund``."""
    add_policy_and_tickets(parser)
    parser.add_argument("--format", choices=["text", "json", "jsonl"], default="text")
    add_jobs_argument(parser)
    add_output_argument(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Decide every ticket's refund; 0 all decided, 1 some could not be."""
    return over_tickets(
        args, ctx, lambda batch: write_refunds(batch, args.format, args.jobs, args.progress)
    )


def refund_decision(
    policy: Policy | PolicySet, record: TicketRecord, as_of: datetime
) -> dict[str, Any]:
    """The refund decision of one record as JSON data; ``error`` (with the ticket's id when
    known) for one that cannot be read or decided."""
    where = f"line {record.line}: " if record.line is not None else ""
    if record.error is not None:
        return {"ticket_id": record.ticket_id, "error": record.error}
    try:
        result = decide_refund(policy, Ticket.from_dict(record.data), as_of)
    except (ServicePolicyError, ValueError, TypeError, ArithmeticError) as exc:
        return {"ticket_id": failed_id(record.data, exc), "error": where + str(exc)}
    return result.model_dump(mode="json")


def _deciding(
    policy: Policy | PolicySet, as_of: datetime
) -> Callable[[list[Item]], list[dict[str, Any]]]:
    """A worker's work: the decisions of a chunk of records."""

    def decide_chunk(chunk: list[Item]) -> list[dict[str, Any]]:
        return [refund_decision(policy, read_record(item), as_of) for item in chunk]

    return decide_chunk


def decisions(
    batch: TicketBatch, jobs: int = 1, progress: bool = False, chunk: int = CHUNK
) -> Iterator[dict[str, Any]]:
    """The refund decision of every record of the batch, in input order, on ``jobs``
    processes (``chunk`` records at a time), under a progress bar when ``progress`` asks for
    one."""
    policy, as_of = batch.policy, batch.as_of
    if jobs == 1:
        for record in batch_records(batch, progress=progress):
            yield refund_decision(policy, read_record(record), as_of)
        return
    records = batch_records(batch, progress=progress, deferred=True)
    work = partial(_deciding, policy, as_of)
    for items, done in in_chunks(records, jobs=jobs, make_work=work, chunk=chunk):
        if done is None:
            done = [refund_decision(policy, read_record(item), as_of) for item in items]
        yield from done


def write_refunds(
    batch: TicketBatch, output: str, jobs: int = 1, progress: bool = False, chunk: int = CHUNK
) -> Done:
    """Write the refund decision of every ticket (see :func:`decisions`); the summary counts
    the failures."""
    out = batch.out
    total = failed = 0
    rows = []
    shown = progress if output == "json" else beside(out, progress)  # json: written at the end
    for decision in decisions(batch, jobs, shown, chunk):
        total += 1
        failed += "error" in decision
        if output == "jsonl":
            out.write(json.dumps(decision) + "\n")
        elif output == "json":
            rows.append(decision)
        else:
            out.write(_refund_line(decision))
    if output == "json":
        out.write(json.dumps(rows, indent=2) + "\n")
    return summary(total, failed, batch.as_of, "decided")


def _refund_line(decision: dict[str, Any]) -> str:
    ticket = decision.get("ticket_id") or "?"
    if "error" in decision:
        return f"{ticket}: error: {decision['error']}\n"
    verdict = "eligible" if decision["eligible"] else "not eligible"
    amount = f" {decision['amount']} {decision['currency']}" if decision.get("amount") else ""
    rule = f" [{decision['rule']}]" if decision.get("rule") else ""
    return f"{ticket}: {verdict}{amount}{rule}: {decision['reason']}\n"
