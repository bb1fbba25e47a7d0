"""What :mod:`servicepolicy.dask` and :mod:`servicepolicy.spark` share: tickets evaluated at
the lines they hold in the whole input, a repeated id warned on as one process would, and
reports made per partition and merged exactly.

A partition of a cluster's input does not know where it starts, nor which ids came before
it.  Each door therefore hands a partition's tickets over with their ``line`` in the whole
input (and, where the tickets of one id may sit in different partitions, the line of that
id's first ticket), and everything else is :mod:`servicepolicy.arrow`'s and the evaluator's:
the same outcomes, rows and reports as ``servicepolicy evaluate`` and ``report`` on one
machine.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, Final

from ._common.instants import to_micros
from ._evaluation.engine import evaluator_for, outcome_or_record
from ._evaluation.hygiene import SeenIds
from ._evaluation.outcome import Outcome, to_evaluation
from ._policy.model import Policy
from ._policy.versions import PolicySet
from ._reports.figures import ComplianceReport
from ._reports.report import Report
from .arrow import TICKET_BATCH, RowBuffer, row_cells

FAILED_IDS: Final = 1000
"""How many ids of failed tickets a report keeps (as :class:`Report` does)."""


def checked_arguments(policy: Any, as_of: Any) -> None:
    """A :class:`TypeError` for a policy that is neither a ``Policy`` nor a ``PolicySet`` or an
    ``as_of`` that is not a datetime, and :class:`NaiveDatetimeError` for a naive one: said
    before any work is sent to a cluster."""
    if not isinstance(policy, Policy | PolicySet):
        raise TypeError(
            "policy must be a Policy or a PolicySet (load_policy, load_policy_set), "
            f"got {type(policy).__name__}"
        )
    to_micros(as_of, "as_of")


def in_order(
    tickets: Iterable[tuple[int, Any]], policy: Policy | PolicySet, as_of: datetime
) -> Iterator[Outcome]:
    """The outcome of each ``(line, ticket)``, given in line order: a ticket whose id came
    before among these gets the repeated-id warning, as one process gives it."""
    evaluator = evaluator_for(policy)
    seen = SeenIds()
    for line, data in tickets:
        yield seen.check(outcome_or_record(evaluator, data, as_of, line))


def with_first_lines(
    tickets: Iterable[tuple[int, Any, int | None]], policy: Policy | PolicySet, as_of: datetime
) -> Iterator[Outcome]:
    """The outcome of each ``(line, ticket, first_line)``, in any order, ``first_line`` being
    the line of the input's first ticket with the same id: a later one gets the repeated-id
    warning naming that line, word for word as one process gives it."""
    evaluator = evaluator_for(policy)
    for line, data, first_line in tickets:
        outcome = outcome_or_record(evaluator, data, as_of, line)
        if first_line is not None and first_line < line and outcome.ticket_id is not None:
            seen = SeenIds()
            seen.first_time(outcome.ticket_id, first_line)
            seen.check(outcome)
        yield outcome


def row_batches(done: Iterable[Outcome]) -> Iterator[Any]:
    """The rows of the outcomes as ``pyarrow.RecordBatch``es of ``arrow.result_schema()``, at
    most about ``TICKET_BATCH`` tickets' rows each, and always at least one (maybe empty)."""
    buffer = RowBuffer()
    tickets = 0
    for outcome in done:
        buffer.add(row_cells(to_evaluation(outcome)))
        tickets += 1
        if tickets == TICKET_BATCH:
            yield buffer.take()
            tickets = 0
    yield buffer.take()


class PartialReport:
    """The report of some tickets, and the ids of the failed ones with their lines, so that
    partial reports of partitions in any order merge into the report of the whole input."""

    def __init__(self, by: Sequence[str], as_of: datetime) -> None:
        self.report = Report(by, as_of)
        self.as_of = as_of
        self.first_line: int | None = None
        # (-line, id) of the failed tickets of the lowest lines, at most FAILED_IDS, as a heap
        self.failed: list[tuple[int, str]] = []

    def add(self, outcome: Outcome) -> None:
        """Count one outcome."""
        evaluation = to_evaluation(outcome)
        self.report.add(evaluation)
        line = evaluation.line or 0
        if evaluation.errors:
            self._note_failed(line, evaluation.ticket_id or "?")
        if self.first_line is None or line < self.first_line:
            self.first_line = line

    def add_all(self, done: Iterable[Outcome]) -> PartialReport:
        """Count every outcome; returns the partial report."""
        for outcome in done:
            self.add(outcome)
        return self

    def merge(self, other: PartialReport) -> None:
        """Count what ``other`` counted (tickets of other lines, grouped alike)."""
        self.report.merge(other.report)
        for minus_line, ticket_id in other.failed:
            self._note_failed(-minus_line, ticket_id)
        first = other.first_line
        if first is not None and (self.first_line is None or first < self.first_line):
            self.first_line = first

    def to_report(self) -> ComplianceReport:
        """The figures, with the ids of the failed tickets of the lowest lines in line order:
        those one process names."""
        self.report.failed_ids = [ticket_id for _, ticket_id in sorted(self.failed, reverse=True)]
        # as_of as given: read back from its text, it would carry pydantic's own time zone class.
        return ComplianceReport.model_validate({**self.report.to_dict(), "as_of": self.as_of})

    def _note_failed(self, line: int, ticket_id: str) -> None:
        item = (-line, ticket_id)
        if len(self.failed) < FAILED_IDS:
            heapq.heappush(self.failed, item)
        elif item > self.failed[0]:
            heapq.heapreplace(self.failed, item)


def merged(parts: Iterable[PartialReport], by: Sequence[str], as_of: datetime) -> PartialReport:
    """The partial reports merged into one, in the order of their first lines (a fixed order;
    every figure is a count, a sum or a histogram, so any order gives the same)."""
    whole = PartialReport(by, as_of)
    for part in sorted(parts, key=lambda part: (part.first_line is None, part.first_line or 0)):
        whole.merge(part)
    return whole
