"""The batch behind the commands over tickets: stream records in, one result out for each.

Every input record gives exactly one output record, in input order: a ticket that cannot be
read or evaluated becomes an error record with its id and line, and the batch goes on.

With ``progress``, the records are counted on a bar on standard error as they are read
(``_progress.py``), on one process or many alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from .._evaluation.engine import evaluator_for
from .._evaluation.evaluation import Evaluation
from .._evaluation.hygiene import SeenIds
from .._evaluation.outcome import Outcome, to_evaluation
from .._reports.report import Report
from .._tickets.streams import read_deferred, read_tickets
from ._parallel import (
    Item,
    Render,
    Rendered,
    checked_outcome,
    rendered_in_parallel,
    report_in_parallel,
)
from ._progress import beside, with_progress
from ._shared import TicketBatch


def batch_records(
    batch: TicketBatch, *, progress: bool = False, deferred: bool = False
) -> Iterator[Item]:
    """The records of the batch's tickets, as :func:`read_tickets` reads them (``deferred``:
    as :func:`read_deferred`, for workers to finish reading), counted on a progress bar on the
    batch's ``err`` when ``progress`` asks for one."""
    read = read_deferred if deferred else read_tickets
    return with_progress(
        read(batch.source, batch.input_format, batch.name),
        err=batch.err,
        source=batch.source,
        name=batch.name,
        shown=progress,
    )


def outcomes(batch: TicketBatch, progress: bool = False) -> Iterator[Outcome]:
    """One outcome (or error record) per record of the batch's tickets; a repeated id is a
    warning, and with ``--strict-input`` a warning about input data is an error record.  The
    batch's tally counts the warnings."""
    evaluator = evaluator_for(batch.policy)
    as_of, strict = batch.as_of, batch.strict_input
    seen = SeenIds()
    for record in batch_records(batch, progress=progress):
        outcome = checked_outcome(evaluator, record, as_of, strict, seen)
        batch.tally.add(outcome.warning_kinds)
        yield outcome


def evaluations(batch: TicketBatch, progress: bool = False) -> Iterator[Evaluation]:
    """One evaluation (or error record) per record of the batch's tickets."""
    return map(to_evaluation, outcomes(batch, progress))


def rendered_outcomes(
    batch: TicketBatch, make_render: Callable[[], Render], jobs: int, progress: bool = False
) -> Iterator[Rendered]:
    """Every record's outcome rendered as text by the renderer ``make_render`` makes (a
    module-level function, for the workers), in input order, on ``jobs`` processes; the
    batch's tally counts the warnings.  The texts are for an output written as the run goes,
    so a progress bar shows only when that output is no terminal."""
    progress = beside(batch.out, progress)
    if jobs == 1:
        render = make_render()
        for outcome in outcomes(batch, progress):
            yield Rendered.of(outcome, render)
        return
    for done in rendered_in_parallel(
        batch_records(batch, progress=progress, deferred=True),
        batch.policy,
        batch.as_of,
        strict=batch.strict_input,
        make_render=make_render,
        jobs=jobs,
    ):
        batch.tally.add(list(done.warning_kinds))
        yield done


def report_of(batch: TicketBatch, by: Sequence[str], jobs: int, progress: bool = False) -> Report:
    """The report (grouped ``by``) of every record of the batch's tickets, on ``jobs``
    processes; the batch's tally counts the warnings."""
    if jobs == 1:
        return Report(by, batch.as_of).add_all(evaluations(batch, progress))
    return report_in_parallel(
        batch_records(batch, progress=progress, deferred=True),
        batch.policy,
        batch.as_of,
        strict=batch.strict_input,
        by=by,
        tally=batch.tally,
        jobs=jobs,
    )
