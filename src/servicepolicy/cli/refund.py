"""``servicepolicy refund``: the refund decision of every ticket: eligible or not, amount, rule,
reason."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._common.errors import ServicePolicyError
from .._evaluation.api import decide_refund
from .._evaluation.engine import failed_id
from .._tickets.model import Ticket
from .._tickets.streams import read_tickets
from ._output import add_output_argument
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
    add_output_argument(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Decide every ticket's refund; 0 all decided, 1 some could not be."""
    return over_tickets(args, ctx, lambda batch: write_refunds(batch, args.format))


def write_refunds(batch: TicketBatch, output: str) -> Done:
    """Write the refund decision of every ticket; failures are counted on the batch's ``err``."""
    policy, out, as_of = batch.policy, batch.out, batch.as_of
    total = failed = 0
    rows = []
    for record in read_tickets(batch.source, batch.input_format, batch.name):
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
    return summary(total, failed, as_of, "decided")


def _refund_line(decision: dict[str, Any]) -> str:
    ticket = decision.get("ticket_id") or "?"
    if "error" in decision:
        return f"{ticket}: error: {decision['error']}\n"
    verdict = "eligible" if decision["eligible"] else "not eligible"
    amount = f" {decision['amount']} {decision['currency']}" if decision.get("amount") else ""
    rule = f" [{decision['rule']}]" if decision.get("rule") else ""
    return f"{ticket}: {verdict}{amount}{rule}: {decision['reason']}\n"
