"""``servicepolicy explain``: the evaluation of tickets in words."""

from __future__ import annotations

import argparse
from functools import partial

from .._evaluation.outcome import Outcome, to_evaluation
from .._i18n import language
from .._policy.model import Policy
from .._policy.versions import PolicySet
from ._batch import rendered_outcomes
from ._output import add_output_argument
from ._parallel import Render, add_jobs_argument
from ._shared import (
    FINDINGS,
    OK,
    Context,
    Done,
    TicketBatch,
    add_language_arguments,
    add_policy_and_tickets,
    add_strict_input,
    language_of,
    over_tickets,
)

HELP = "explain the evaluation of tickets in words"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``servicepolicy explain``."""
    add_policy_and_tickets(parser)
    add_strict_input(parser)
    parser.add_argument("--id", dest="ticket_id", help="explain only the ticket with this id")
    add_language_arguments(parser)
    add_jobs_argument(parser)
    add_output_argument(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Explain every ticket (or one); 0 all evaluated, 1 some could not be or none matched."""
    words = language_of(args)
    return over_tickets(
        args,
        ctx,
        lambda batch: write_explanations(
            batch,
            args.ticket_id,
            args.jobs,
            lang=words.code,
            hijri=words.hijri,
            progress=args.progress,
        ),
    )


def _render_explanation(
    only: str | None,
    lang: str = "en",
    hijri: bool = False,
    policy: Policy | PolicySet | None = None,
) -> Render:
    """Explanations in ``lang``, of the ticket with id ``only`` alone when given (others
    render empty); with the ``policy``, the holidays each metric's time went past."""
    words = language(lang, hijri=hijri)

    def explain(outcome: Outcome) -> str:
        if only is not None and outcome.ticket_id != only:
            return ""
        return to_evaluation(outcome).explain(words, policy=policy)

    return explain


def write_explanations(
    batch: TicketBatch,
    ticket_id: str | None,
    jobs: int = 1,
    *,
    lang: str = "en",
    hijri: bool = False,
    progress: bool = False,
) -> Done:
    """Write the explanation of each ticket (or only ``ticket_id``) in ``lang``, on ``jobs``
    processes."""
    out = batch.out
    shown = failed = 0
    render = partial(_render_explanation, ticket_id, lang, hijri, batch.policy)
    for done in rendered_outcomes(batch, render, jobs, progress):
        if ticket_id is not None and done.ticket_id != ticket_id:
            continue
        out.write(("\n" if shown else "") + done.text)
        shown += 1
        failed += done.failed
    if ticket_id is not None and not shown:
        return Done(FINDINGS, f"servicepolicy: no ticket with id {ticket_id!r}\n")
    return Done(FINDINGS if failed else OK, batch.tally.line())
