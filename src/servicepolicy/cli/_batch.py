"""The batch behind the commands over tickets: stream records in, one result out for each.

Every input record gives exactly one output record, in input order: a ticket that cannot be
read or evaluated becomes an error record with its id and line, and the batch goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .._evaluation.engine import evaluator_for
from .._evaluation.evaluation import Evaluation
from .._evaluation.hygiene import SeenIds
from .._evaluation.outcome import Outcome, to_evaluation
from .._tickets.streams import read_deferred, read_tickets
from ._parallel import Render, Rendered, checked_outcome, rendered_in_parallel
from ._shared import TicketBatch


def outcomes(batch: TicketBatch) -> Iterator[Outcome]:
    """One outcome (or error record) per record of the batch's tickets; a repeated id is a
    warning, and with ``--strict-input`` a warning about input data is an error record.  The
    batch's tally counts the warnings."""
    evaluator = evaluator_for(batch.policy)
    as_of, strict = batch.as_of, batch.strict_input
    seen = SeenIds()
    for record in read_tickets(batch.source, batch.input_format, batch.name):
        outcome = checked_outcome(evaluator, record, as_of, strict, seen)
        batch.tally.add(outcome.warning_kinds)
        yield outcome


def evaluations(batch: TicketBatch) -> Iterator[Evaluation]:
    """One evaluation (or error record) per record of the batch's tickets."""
    return map(to_evaluation, outcomes(batch))


def rendered_outcomes(
    batch: TicketBatch, make_render: Callable[[], Render], jobs: int
) -> Iterator[Rendered]:
    """Every record's outcome rendered as text by the renderer ``make_render`` makes (a
    module-level function, for the workers), in input order, on ``jobs`` processes; the
    batch's tally counts the warnings."""
    if jobs == 1:
        render = make_render()
        for outcome in outcomes(batch):
            yield Rendered.of(outcome, render)
        return
    for done in rendered_in_parallel(
        read_deferred(batch.source, batch.input_format, batch.name),
        batch.policy,
        batch.as_of,
        strict=batch.strict_input,
        make_render=make_render,
        jobs=jobs,
    ):
        batch.tally.add(list(done.warning_kinds))
        yield done
