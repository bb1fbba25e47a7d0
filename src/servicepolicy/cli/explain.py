"""``servicepolicy explain``: the evaluation of tickets in words."""

from __future__ import annotations

import argparse

from ._batch import evaluations
from ._output import add_output_argument
from ._shared import (
    FINDINGS,
    OK,
    Context,
    Done,
    TicketBatch,
    add_policy_and_tickets,
    add_strict_input,
    over_tickets,
)

HELP = "explain the evaluation of tickets in words"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``servicepolicy explain``."""
    add_policy_and_tickets(parser)
    add_strict_input(parser)
    parser.add_argument("--id", dest="ticket_id", help="explain only the ticket with this id")
    add_output_argument(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Explain every ticket (or one); 0 all evaluated, 1 some could not be or none matched."""
    return over_tickets(args, ctx, lambda batch: write_explanations(batch, args.ticket_id))


def write_explanations(batch: TicketBatch, ticket_id: str | None) -> Done:
    """Write the explanation of each ticket (or only ``ticket_id``)."""
    out = batch.out
    shown = failed = 0
    for evaluation in evaluations(batch):
        if ticket_id is not None and evaluation.ticket_id != ticket_id:
            continue
        out.write(("\n" if shown else "") + evaluation.explain())
        shown += 1
        failed += bool(evaluation.errors)
    if ticket_id is not None and not shown:
        return Done(FINDINGS, f"servicepolicy: no ticket with id {ticket_id!r}\n")
    return Done(FINDINGS if failed else OK, batch.tally.line())
