"""What-if replay of a policy change: the same tickets evaluated under an old and a new policy.

:func:`compare_policies` evaluates each ticket under both policies, one ticket at a time, and
tallies per group and metric: attainment before and after, the tickets that flip between met
and breached, the due times that move by more than a threshold, and the compensation owed.
Groups (``by``) are ticket fields as they stand at ``as_of`` (``field`` events applied), or
``week``, the ISO week of ``created_at`` in its own offset (``"2026-W47"``); a missing field
is ``"(none)"``.  Nothing is kept per ticket and every id list holds at most :data:`MAX_IDS`
entries next to its full count, so memory stays bounded for any number of tickets.

The counts of a run of tickets (:class:`ComparisonCounts`) merge exactly: the counts of
consecutive runs, merged in input order, are those of one run over them all, id lists
included, so the tickets can be compared in chunks on several processes.

``cli/compare.py`` is the ``servicepolicy compare`` command.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, computed_field

from .._common.errors import ServicePolicyError, require_aware
from .._common.money import MONEY
from .._common.vocabulary import METRICS
from .._evaluation.engine import failed_id, prepared
from .._evaluation.evaluation import Evaluation
from .._evaluation.results import MetricResult
from .._policy.model import Policy
from .._tickets.model import Ticket, UnreadTicket
from .report import NO_VALUE, group_key

MAX_IDS = 1000
"""Most entries kept in one id list (or due-move list); its ``*_count`` field counts all."""
ERRORS = (ServicePolicyError, ValueError, TypeError, OverflowError)
"""What reading or evaluating one bad ticket may raise: it is counted as failed."""
_T = TypeVar("_T")


class DueMove(BaseModel):
    """A due time that moved by more than the threshold; ``shift_seconds`` is after - before."""

    model_config = ConfigDict(frozen=True)

    ticket_id: str
    metric: str
    before: datetime
    after: datetime
    shift_seconds: float


class MetricChange(BaseModel):
    """One metric of one group under both policies.

    ``attainment_*`` is met / (met + breached) in percent, rounded to 2 places, or None when
    no ticket was met or breached.  ``became_breached`` (met before, breached after),
    ``became_met`` (breached before, met after) and ``due_moved`` keep at most
    :data:`MAX_IDS` entries each; their ``*_count`` fields count them all.
    """

    model_config = ConfigDict(frozen=True)

    group: dict[str, str]
    metric: str
    tickets: int
    met_before: int
    breached_before: int
    met_after: int
    breached_after: int
    attainment_before: float | None
    attainment_after: float | None
    became_breached: list[str]
    became_breached_count: int
    became_met: list[str]
    became_met_count: int
    due_moved: list[DueMove]
    due_moved_count: int

    @property
    def changed(self) -> bool:
        """True when a ticket flipped, a due time moved, or the met/breached counts differ."""
        return bool(
            self.became_breached_count
            or self.became_met_count
            or self.due_moved_count
            or self.met_before != self.met_after
            or self.breached_before != self.breached_after
        )


class PolicyDiff(BaseModel):
    """What changes when ``new_policy`` replaces ``old_policy`` for the same tickets.

    ``tickets`` counts the tickets read, ``compared`` those evaluated under both policies;
    ``failed`` holds the ids of the others (a ticket that could not be read, or could not be
    evaluated under one policy or both), at most :data:`MAX_IDS` of them, ``failed_count``
    counts them all.  Tickets without a readable id appear as ``line N`` (command line) or
    ``#N`` (position in the input, Python API).  ``compensation_*`` are money totals by
    currency as Decimal strings (gestures carry no amount and are not counted).
    """

    model_config = ConfigDict(frozen=True)

    old_policy: str
    new_policy: str
    as_of: datetime
    by: list[str]
    threshold_seconds: float
    tickets: int
    compared: int
    failed: list[str]
    failed_count: int
    changes: list[MetricChange]
    compensation_before: dict[str, str]
    compensation_after: dict[str, str]
    compensation_change: dict[str, str]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unchanged(self) -> bool:
        """True when no ticket flipped, no due time moved, every group's met and breached
        counts (hence attainment) are equal, and compensation totals are equal."""
        return not any(c.changed for c in self.changes) and all(
            Decimal(v) == 0 for v in self.compensation_change.values()
        )


@dataclass(slots=True)
class _Bounded(Generic[_T]):
    """The first :data:`MAX_IDS` items added, and how many were added."""

    items: list[_T] = field(default_factory=list)
    count: int = 0

    def add(self, item: _T) -> None:
        self.count += 1
        if len(self.items) < MAX_IDS:
            self.items.append(item)

    def merge(self, later: _Bounded[_T]) -> None:
        """Add the items of ``later`` (added after these): the items kept are those one list
        would keep had every item been added to it."""
        self.count += later.count
        self.items.extend(later.items[: MAX_IDS - len(self.items)])


@dataclass(slots=True)
class _Tally:
    """Running counts of one (group, metric)."""

    tickets: int = 0
    met_before: int = 0
    breached_before: int = 0
    met_after: int = 0
    breached_after: int = 0
    became_breached: _Bounded[str] = field(default_factory=_Bounded)
    became_met: _Bounded[str] = field(default_factory=_Bounded)
    due_moved: _Bounded[DueMove] = field(default_factory=_Bounded)

    def add(
        self, ticket_id: str, metric: str, old: MetricResult, new: MetricResult, limit: timedelta
    ) -> None:
        self.tickets += 1
        self.met_before += old.status == "met"
        self.breached_before += old.status == "breached"
        self.met_after += new.status == "met"
        self.breached_after += new.status == "breached"
        if old.status == "met" and new.status == "breached":
            self.became_breached.add(ticket_id)
        elif old.status == "breached" and new.status == "met":
            self.became_met.add(ticket_id)
        if old.due_at is not None and new.due_at is not None:
            shift = new.due_at - old.due_at
            if abs(shift) > limit:
                self.due_moved.add(
                    DueMove(
                        ticket_id=ticket_id,
                        metric=metric,
                        before=old.due_at,
                        after=new.due_at,
                        shift_seconds=shift.total_seconds(),
                    )
                )

    def merge(self, later: _Tally) -> None:
        """Count what ``later`` (a tally of later tickets) counted."""
        self.tickets += later.tickets
        self.met_before += later.met_before
        self.breached_before += later.breached_before
        self.met_after += later.met_after
        self.breached_after += later.breached_after
        self.became_breached.merge(later.became_breached)
        self.became_met.merge(later.became_met)
        self.due_moved.merge(later.due_moved)

    def change(self, group: dict[str, str], metric: str) -> MetricChange:
        return MetricChange(
            group=group,
            metric=metric,
            tickets=self.tickets,
            met_before=self.met_before,
            breached_before=self.breached_before,
            met_after=self.met_after,
            breached_after=self.breached_after,
            attainment_before=_attainment(self.met_before, self.breached_before),
            attainment_after=_attainment(self.met_after, self.breached_after),
            became_breached=self.became_breached.items,
            became_breached_count=self.became_breached.count,
            became_met=self.became_met.items,
            became_met_count=self.became_met.count,
            due_moved=self.due_moved.items,
            due_moved_count=self.due_moved.count,
        )


def _attainment(met: int, breached: int) -> float | None:
    decided = met + breached
    return round(100 * met / decided, 2) if decided else None


def _owed(totals: dict[str, Decimal], evaluation: Evaluation) -> None:
    for award in evaluation.compensation:
        if award.amount is not None:
            _owe(totals, award.currency or NO_VALUE, award.amount)


def _owe(totals: dict[str, Decimal], currency: str, amount: Decimal) -> None:
    totals[currency] = MONEY.add(totals.get(currency, Decimal(0)), amount)


_Key = tuple[tuple[str, ...], str]  # (group values, metric)


@dataclass(slots=True)
class ComparisonCounts:
    """What a comparison has counted: a tally per group and metric, the compensation owed
    before and after by currency (exact sums), the ids of the failed tickets, and how many
    tickets were read and compared."""

    tallies: dict[_Key, _Tally] = field(default_factory=dict)
    owed_before: dict[str, Decimal] = field(default_factory=dict)
    owed_after: dict[str, Decimal] = field(default_factory=dict)
    failed: _Bounded[str] = field(default_factory=_Bounded)
    tickets: int = 0
    compared: int = 0

    def merge(self, later: ComparisonCounts) -> None:
        """Count what ``later`` (the counts of the tickets after these, by the same groups)
        counted: the counts are exactly those of one comparison over both runs."""
        for key, tally in later.tallies.items():
            mine = self.tallies.get(key)
            if mine is None:
                mine = self.tallies[key] = _Tally()
            mine.merge(tally)
        for currency, amount in later.owed_before.items():
            _owe(self.owed_before, currency, amount)
        for currency, amount in later.owed_after.items():
            _owe(self.owed_after, currency, amount)
        self.failed.merge(later.failed)
        self.tickets += later.tickets
        self.compared += later.compared


class Comparison:
    """A comparison in progress: feed it tickets (``add``) and failures (``fail``), or the
    counts of a comparison of later tickets (``merge``)."""

    def __init__(
        self,
        old: Policy,
        new: Policy,
        as_of: datetime,
        by: Sequence[str],
        threshold: timedelta,
    ) -> None:
        require_aware(as_of, "as_of")
        by = list(by)
        if any(not isinstance(key, str) or not key for key in by):
            raise ValueError("group keys must be non-empty field names (or 'week')")
        twice = sorted({key for key in by if by.count(key) > 1})
        if twice:
            raise ValueError(f"group key(s) given twice: {', '.join(twice)}")
        if threshold < timedelta(0):
            raise ValueError(f"threshold {threshold} is negative")
        self.old, self.new = old, new
        self.evaluators = prepared(old), prepared(new)
        self.as_of = as_of
        self.by, self.threshold = by, threshold
        self.counts = ComparisonCounts()

    @property
    def tickets(self) -> int:
        """The tickets counted so far."""
        return self.counts.tickets

    @property
    def compared(self) -> int:
        """The tickets compared so far (read, and evaluated under both policies)."""
        return self.counts.compared

    def partial(self) -> Comparison:
        """A comparison with nothing counted yet, of the same policies (sharing this one's
        prepared evaluators), moment, groups and threshold: for a run of tickets whose counts
        are then merged into this one's (:meth:`merge`)."""
        fresh = copy.copy(self)
        fresh.counts = ComparisonCounts()
        return fresh

    def merge(self, later: ComparisonCounts) -> None:
        """Count what a comparison of the tickets after those fed so far counted."""
        self.counts.merge(later)

    def fail(self, ticket_id: str) -> None:
        """Count a ticket that could not be read."""
        self.counts.tickets += 1
        self.counts.failed.add(ticket_id)

    def add(self, ticket: Ticket, line: int | None = None) -> str | None:
        """Compare one ticket; returns why it failed, or None."""
        try:
            before = self.evaluators[0].evaluate(ticket, self.as_of, line)
            after = self.evaluators[1].evaluate(ticket, self.as_of, line)
            group = group_key(before, self.by)
        except ERRORS as exc:
            self.fail(ticket.id)
            return str(exc)
        if before.errors or after.errors:
            self.fail(ticket.id)
            return "; ".join([*before.errors, *after.errors])
        counts = self.counts
        counts.tickets += 1
        counts.compared += 1
        for metric in METRICS:
            tally = counts.tallies.get((group, metric))
            if tally is None:
                tally = counts.tallies[(group, metric)] = _Tally()
            tally.add(
                ticket.id, metric, before.metrics[metric], after.metrics[metric], self.threshold
            )
        _owed(counts.owed_before, before)
        _owed(counts.owed_after, after)
        return None

    def result(self) -> PolicyDiff:
        """The diff of everything fed so far."""
        counts = self.counts
        order = sorted(counts.tallies, key=lambda key: (key[0], METRICS.index(key[1])))
        changes = [
            counts.tallies[key].change(dict(zip(self.by, key[0], strict=True)), key[1])
            for key in order
        ]
        currencies = sorted({*counts.owed_before, *counts.owed_after})
        zero = Decimal(0)
        before = {c: counts.owed_before.get(c, zero) for c in currencies}
        after = {c: counts.owed_after.get(c, zero) for c in currencies}
        return PolicyDiff(
            old_policy=self.old.name,
            new_policy=self.new.name,
            as_of=self.as_of,
            by=self.by,
            threshold_seconds=self.threshold.total_seconds(),
            tickets=counts.tickets,
            compared=counts.compared,
            failed=counts.failed.items,
            failed_count=counts.failed.count,
            changes=changes,
            compensation_before={c: str(v) for c, v in before.items()},
            compensation_after={c: str(v) for c, v in after.items()},
            compensation_change={c: str(MONEY.subtract(after[c], before[c])) for c in currencies},
        )


def compare_policies(
    old: Policy,
    new: Policy,
    tickets: Iterable[Ticket | UnreadTicket | Mapping[str, Any]],
    as_of: datetime,
    *,
    by: Sequence[str] = (),
    threshold: timedelta = timedelta(hours=1),
) -> PolicyDiff:
    """Replay ``tickets`` under ``old`` and ``new`` at ``as_of`` and diff the outcomes.

    Streams: one ticket is evaluated at a time and only counts are kept (id lists are capped
    at :data:`MAX_IDS`), so ``tickets`` may be a generator over millions.  ``by`` names the
    grouping keys (fields at ``as_of``, or ``week``); due times moving by more than
    ``threshold`` are listed.  A ticket that cannot be read or evaluated is counted in
    ``failed`` and the rest go on.  Raises ``ValueError`` for a naive ``as_of``, a negative
    ``threshold`` or a repeated or empty group key.
    """
    comparison = Comparison(old, new, as_of, by, threshold)
    for position, item in enumerate(tickets, 1):
        if isinstance(item, Ticket):
            comparison.add(item)
            continue
        if isinstance(item, UnreadTicket):
            where = f"line {item.line}" if item.line is not None else f"#{position}"
            comparison.fail(item.ticket_id or where)
            continue
        try:
            ticket = Ticket.from_dict(dict(item))
        except ERRORS as exc:
            comparison.fail(failed_id(item, exc) or f"#{position}")
            continue
        comparison.add(ticket)
    return comparison.result()
