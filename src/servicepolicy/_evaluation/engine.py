"""Ticket evaluation: the SLA metrics of a ticket's history at a moment ``as_of``.

The rules are those of ``docs/metrics.md``.  A ticket is replayed once into a
:class:`~._history.History`; each metric is then a list of running stretches measured on its
calendar's clock (``_measure``).  The answer is an :class:`~._outcome.Outcome` in integer
microseconds, which becomes the pydantic models of ``_results`` when asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from .._calendar.clock import to_micros
from .._common.errors import ServicePolicyError, TicketError
from .._policy.model import METRICS, EscalationLevel, Policy, SlaPolicy
from .._policy.versions import PolicySet
from .._tickets.model import Ticket
from .._tickets.read import TicketParts, read_parts, ticket_parts
from .compensation import CompensationPlan, Lateness, refund
from .measure import Run, level_instant, measure
from .outcome import (
    FiredOutcome,
    MetricOutcome,
    Outcome,
    Promise,
    error_outcome,
    to_evaluation,
)
from .outcome_json import outcome_json
from .replay import Cycle, History, Stretch, replay, resolution_completed, resolution_stretches
from .results import Evaluation, RefundDecision
from .rules import Lookup, PolicyIndex, Rule, target_micros

Measured = list[tuple[Run, "Rule", int | None]]
"""The runs behind a metric result, with their rule and cycle number, for escalations."""
_MICRO: Final = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class _Level:
    """An escalation level with its ``at`` parsed once per policy."""

    number: int
    level: EscalationLevel
    on_event: str | None
    count: int
    fraction: Decimal
    offset: int
    metrics: tuple[str, ...]


def _levels(policy: Policy, path: str) -> tuple[_Level, ...]:
    levels = []
    for number, level in enumerate(policy.escalations.get(path, [])):
        point = level.point
        fraction, offset = (point.fraction, point.offset // _MICRO) if point else (Decimal(0), 0)
        levels.append(
            _Level(
                number,
                level,
                level.on_event,
                level.count or 1,
                fraction,
                offset,
                tuple(level.metrics or METRICS),
            )
        )
    return tuple(levels)


class Evaluator:
    """Evaluates tickets against one policy; reuse it for many tickets."""

    def __init__(self, policy: Policy) -> None:
        self.index = PolicyIndex(policy)
        self._compensation = CompensationPlan(policy.compensation)
        self._levels = {path: _levels(policy, path) for path in policy.escalations}

    def evaluate(self, ticket: Ticket, as_of: datetime, line: int | None = None) -> Evaluation:
        """The evaluation of ``ticket`` at ``as_of`` (``line``: where it was read, if known)."""
        return to_evaluation(self.outcome(ticket, as_of, line))

    def outcome(self, ticket: Ticket, as_of: datetime, line: int | None = None) -> Outcome:
        """What :meth:`evaluate` finds, before it becomes an :class:`Evaluation`."""
        return self.outcome_of(ticket_parts(ticket), as_of, line)

    def outcome_of(self, ticket: TicketParts, as_of: datetime, line: int | None = None) -> Outcome:
        """:meth:`outcome` of a ticket read as its parts."""
        history = replay(ticket, to_micros(as_of, "as_of"))
        lookup = Lookup(self.index, history)
        number = lookup.entry(history.as_of)
        sla = self.index.policy.sla[number] if number is not None else None
        metrics: dict[str, MetricOutcome] = {}
        runs: dict[str, Measured] = {}
        for metric in METRICS:
            metrics[metric], runs[metric] = self._metric(metric, history, lookup)
        fired, next_at = self._escalations(sla, runs, history)
        warnings = list(history.warnings)
        if sla is None:
            warnings.append("no SLA policy matches this ticket's fields")
        fields = lookup.fields(history.as_of)
        statuses = {name: result.promise.status for name, result in metrics.items()}
        owed = self._compensation.awards(
            fields,
            statuses,
            _lateness(runs) if "breached" in statuses.values() else {},
            warnings,
        )
        zone = self.index.clock(sla.calendar).rules.zone if sla is not None else None
        return Outcome(
            ticket.id,
            sla.name if sla else None,
            as_of,
            metrics,
            fired,
            next_at,
            zone,
            owed,
            warnings,
            [],
            line,
            fields,
            ticket.created_at,
        )

    def _metric(
        self, metric: str, history: History, lookup: Lookup
    ) -> tuple[MetricOutcome, Measured]:
        if history.as_of < history.created:
            return MetricOutcome(Promise("not_started")), []
        if metric == "first_response":
            stop = history.first_response_stop
            end = stop if stop is not None else history.as_of
            rule = lookup.rule(metric, end)
            return self._single(history, [("running", history.created, end)], stop, rule)
        if metric == "resolution":
            completed = resolution_completed(history)
            rule = lookup.rule(metric, completed if completed is not None else history.as_of)
            stretches = resolution_stretches(history, rule.pause_on if rule else frozenset())
            # Paused is the status at as_of, even one set at that very instant.
            paused_now = (
                completed is None
                and rule is not None
                and (history.statuses[-1][1] in rule.pause_on)
            )
            return self._single(history, stretches, completed, rule, paused_now)
        cycles = history.next_cycles if metric == "next_response" else history.periodic_cycles
        return self._cycles(metric, history, lookup, cycles)

    @staticmethod
    def _single(
        history: History,
        stretches: list[Stretch],
        completed: int | None,
        rule: Rule | None,
        paused_now: bool = False,
    ) -> tuple[MetricOutcome, Measured]:
        if rule is None:
            return MetricOutcome(Promise("not_applicable")), []
        start = history.created
        running = [(s, e) for kind, s, e in stretches if kind == "running"]
        run = measure(
            rule.clock,
            running,
            target_micros(rule, start),
            start=start,
            completed=completed,
            cancelled=False,
            paused_now=paused_now,
            as_of=history.as_of,
            warn=rule.warn,
        )
        paused = sum(e - s for kind, s, e in stretches if kind == "paused")
        promise = _promise(run, rule, stretches)
        outcome = MetricOutcome(promise, rule.sla.name, rule.target_text, rule.clock_name, paused)
        return outcome, [(run, rule, None)]

    @staticmethod
    def _cycles(
        metric: str, history: History, lookup: Lookup, cycles: list[Cycle]
    ) -> tuple[MetricOutcome, Measured]:
        current = lookup.rule(metric, history.as_of)
        zone = current.zone if current else UTC
        listed: list[Promise] = []  # every cycle, in order
        results: list[Promise] = []  # the cycles that had a target
        measured: Measured = []
        for cycle in cycles:
            end = cycle.stop if cycle.stop is not None else history.as_of
            rule = lookup.rule(metric, end)
            if rule is None:
                # No promise was made for this cycle: listed, but it decides nothing.
                listed.append(Promise("not_applicable", cycle.start, None, cycle.stop, zone=zone))
                continue
            run = measure(
                rule.clock,
                [(cycle.start, end)],
                target_micros(rule, cycle.start),
                start=cycle.start,
                completed=cycle.stop,
                cancelled=cycle.cancelled,
                paused_now=False,
                as_of=history.as_of,
                warn=rule.warn,
            )
            promise = _promise(run, rule, [("running", cycle.start, end)])
            listed.append(promise)
            results.append(promise)
            measured.append((run, rule, len(listed) - 1))
        if not results:
            status = "not_started" if current else "not_applicable"
            if current is None:
                return MetricOutcome(Promise(status), cycles=listed), []
            return (
                MetricOutcome(
                    Promise(status),
                    current.sla.name,
                    current.target_text,
                    current.clock_name,
                    cycles=listed,
                ),
                [],
            )
        last = measured[-1][1]
        chosen = _deciding(results, listed)
        outcome = MetricOutcome(chosen, last.sla.name, last.target_text, last.clock_name, 0, listed)
        return outcome, measured

    # -- escalations --------------------------------------------------------------------------

    def _escalations(
        self, sla: SlaPolicy | None, runs: dict[str, Measured], history: History
    ) -> tuple[list[FiredOutcome], int | None]:
        if sla is None or sla.escalation is None:
            return [], None
        zone = self.index.clock(sla.calendar).rules.zone
        path = sla.escalation
        fired: list[FiredOutcome] = []
        upcoming: list[int] = []
        as_of = history.as_of
        for item in self._levels.get(path, ()):
            if item.on_event is not None:
                times = history.event_times.get(item.on_event, [])
                if len(times) >= item.count:
                    at = times[item.count - 1]
                    fired.append(FiredOutcome(at, zone, path, item.number, item.level, None, None))
                continue
            for metric in item.metrics:
                for run, rule, cycle in runs[metric]:
                    instant, projected = level_instant(
                        run, rule.clock, item.fraction, item.offset, as_of
                    )
                    if instant is not None:
                        fired.append(
                            FiredOutcome(
                                instant, zone, path, item.number, item.level, metric, cycle
                            )
                        )
                    elif projected is not None:
                        upcoming.append(projected)
        fired.sort(key=lambda f: f.at)
        return fired, (min(upcoming) if upcoming else None)


def _promise(run: Run, rule: Rule, stretches: list[Stretch]) -> Promise:
    return Promise(
        run.status,
        run.start,
        run.due,
        run.completed,
        run.breached_at,
        run.elapsed,
        run.target,
        rule.zone,
        stretches,
        run.running,
        run.business,
    )


def _lateness(runs: dict[str, Measured]) -> dict[str, Lateness]:
    """How late each breached metric is (its latest cycle, for cycle metrics)."""
    found: dict[str, Lateness] = {}
    for metric, measured in runs.items():
        for run, rule, _ in measured:
            if run.status == "breached" and run.due is not None:
                late = Lateness(metric, run.elapsed - run.target, rule.clock, run.due)
                if metric not in found or late.late > found[metric].late:
                    found[metric] = late
    return found


def _deciding(results: list[Promise], listed: list[Promise]) -> Promise:
    """The cycle that decides a cycle metric: the first breached one; else the open cycle;
    else the last met one; else the last cycle with a target."""
    for promise in results:
        if promise.status == "breached":
            return promise
    for promise in reversed(listed):
        if promise.completed is None:
            return promise
    for promise in reversed(results):
        if promise.status == "met":
            return promise
    return results[-1]


class VersionedEvaluator:
    """Evaluates each ticket under the policy version in force at its ``created_at``."""

    def __init__(self, versions: PolicySet) -> None:
        self.versions = versions
        self._evaluators: dict[int, Evaluator] = {}

    def evaluate(self, ticket: Ticket, as_of: datetime, line: int | None = None) -> Evaluation:
        """The evaluation of ``ticket`` under its version (see :meth:`Evaluator.evaluate`)."""
        return to_evaluation(self.outcome(ticket, as_of, line))

    def outcome(self, ticket: Ticket, as_of: datetime, line: int | None = None) -> Outcome:
        """What :meth:`evaluate` finds, before it becomes an :class:`Evaluation`."""
        return self.outcome_of(ticket_parts(ticket), as_of, line)

    def outcome_of(self, ticket: TicketParts, as_of: datetime, line: int | None = None) -> Outcome:
        """:meth:`outcome` of a ticket read as its parts."""
        policy = self.versions.for_instant(ticket.created_at)
        evaluator = self._evaluators.get(id(policy))
        if evaluator is None:
            evaluator = self._evaluators[id(policy)] = prepared(policy)
        return evaluator.outcome_of(ticket, as_of, line)


def evaluator_for(policy: Policy | PolicySet) -> Evaluator | VersionedEvaluator:
    """An evaluator for one policy, or for a set of dated versions."""
    return VersionedEvaluator(policy) if isinstance(policy, PolicySet) else prepared(policy)


def decide_refund(
    policy: Policy | PolicySet, ticket: Ticket | Mapping[str, Any], as_of: datetime
) -> RefundDecision:
    """The refund decision for a ticket: its request is its ``created_at``; its fields are
    those at ``as_of``; with dated versions, the version in force at ``created_at`` decides."""
    item = _as_parts(ticket)
    if isinstance(policy, PolicySet):
        policy = policy.for_instant(item.created_at)
    history = replay(item, to_micros(as_of, "as_of"))
    index = prepared(policy).index
    return refund(
        policy.refunds,
        policy.compensation,
        item.id,
        item.created_at,
        history.fields_at(history.as_of),
        index.clock,
    )


def evaluate(
    policy: Policy | PolicySet, ticket: Ticket | Mapping[str, Any], as_of: datetime
) -> Evaluation:
    """Evaluate one ticket (a :class:`Ticket` or its JSON shape) at ``as_of``; with dated
    versions, under the version in force at its ``created_at``."""
    item = _as_parts(ticket)
    if isinstance(policy, PolicySet):
        policy = policy.for_instant(item.created_at)
    return to_evaluation(prepared(policy).outcome_of(item, as_of))


def prepared(policy: Policy) -> Evaluator:
    """The policy's evaluator, made once and kept with the policy (which is immutable)."""
    private = policy.__pydantic_private__
    assert private is not None
    evaluator = private.get("_evaluator")
    if evaluator is None:
        evaluator = private["_evaluator"] = Evaluator(policy)
    assert isinstance(evaluator, Evaluator)
    return evaluator


def _as_parts(ticket: Ticket | Mapping[str, Any]) -> TicketParts:
    if isinstance(ticket, Ticket):
        return ticket_parts(ticket)
    return read_parts(_plain(ticket))


def _plain(ticket: Any) -> Any:
    # Any, not the declared type: the compiled build would check for a dict before reading
    # and refuse a list with a bare TypeError instead of read_parts's TicketError.
    return dict(ticket) if isinstance(ticket, Mapping) and type(ticket) is not dict else ticket


def evaluate_many(
    policy: Policy | PolicySet, tickets: Iterable[Ticket | Mapping[str, Any]], as_of: datetime
) -> Iterator[Evaluation]:
    """Evaluate tickets one by one, in order; a bad ticket yields an error record, not an
    exception, so counts in equal counts out.  ``policy`` may be a set of dated versions."""
    evaluator = evaluator_for(policy)
    for item in tickets:
        yield to_evaluation(outcome_or_record(evaluator, item, as_of))


def evaluate_many_json(
    policy: Policy | PolicySet, tickets: Iterable[Ticket | Mapping[str, Any]], as_of: datetime
) -> Iterator[str]:
    """:func:`evaluate_many`, yielding each evaluation's JSON text instead of the models:
    ``Evaluation.model_dump_json()`` byte for byte, the records of ``servicepolicy evaluate
    --format jsonl``, at a fraction of the cost (no models are built)."""
    evaluator = evaluator_for(policy)
    for item in tickets:
        yield outcome_json(outcome_or_record(evaluator, item, as_of))


def outcome_or_record(
    evaluator: Evaluator | VersionedEvaluator,
    item: Ticket | Mapping[str, Any],
    as_of: datetime,
    line: int | None = None,
) -> Outcome:
    """The outcome of one ticket, or, when it cannot be read or evaluated, its error record
    with its id (when one can be found) and ``line``."""
    try:
        return evaluator.outcome_of(_as_parts(item), as_of, line)
    except (TicketError, ServicePolicyError, ValueError, TypeError, ArithmeticError) as exc:
        where = f"line {line}: " if line is not None else ""
        return error_outcome(where + str(exc), as_of, failed_id(item, exc), line)


def failed_id(item: Any, exc: Exception) -> str | None:
    """The id to report for a ticket that failed with ``exc``: the error's, else the
    ticket's own when it has one."""
    known = getattr(exc, "ticket_id", None)
    if known is not None:
        return str(known)
    if isinstance(item, Ticket):
        return item.id
    if isinstance(item, Mapping) and item.get("id") is not None:
        return str(item["id"])
    return None
