"""Ticket evaluation: the SLA metrics of a ticket's history at a moment ``as_of``.

The rules are those of ``docs/metrics.md``.  A ticket is replayed once into a
:class:`~._history.History`; each metric is then a list of running stretches measured on its
calendar's clock (``_measure``), and the results become pydantic models (``_results``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from ._calendar_model import clock_of
from ._clock import BusinessClock, from_micros, to_micros
from ._compensation import Lateness, awards, refund
from ._durations import BusinessDays, Span, parse_span
from ._errors import ServicePolicyError, TicketError
from ._history import Cycle, History, Stretch, replay, resolution_completed, resolution_stretches
from ._measure import Run, level_instant, measure
from ._model import METRICS, EscalationLevel, Policy, SlaPolicy
from ._policyset import PolicySet
from ._results import (
    Evaluation,
    FiredEscalation,
    Measurement,
    MetricResult,
    RefundDecision,
    Status,
    build,
)
from ._ticket import Ticket

Measured = list[tuple[Run, "Rule", int | None]]
"""The runs behind a metric result, with their rule and cycle number, for escalations."""
_ZERO = timedelta(0)


@dataclass(frozen=True, slots=True)
class Rule:
    """What applies to one metric of a ticket: the SLA entry, its target and clock."""

    sla: SlaPolicy
    target_text: str
    span: Span
    clock_name: str
    clock: BusinessClock
    zone: Any  # the SLA entry's own calendar zone: every instant of the metric is shown in it
    warn: Decimal | None
    pause_on: frozenset[str]


class PolicyIndex:
    """A policy prepared for evaluating many tickets: resolved calendars, targets and rules."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._clocks: dict[str, BusinessClock] = {}
        self._rules: dict[tuple[int, str, str | None], Rule | None] = {}

    def clock(self, name: str) -> BusinessClock:
        """The clock of calendar ``name`` (``24/7`` built in)."""
        clock = self._clocks.get(name)
        if clock is None:
            clock = self._clocks[name] = clock_of(self.policy.calendar(name))
        return clock

    def match(self, fields: Mapping[str, Any]) -> int | None:
        """The position of the first SLA entry whose ``when`` matches ``fields``."""
        for number, sla in enumerate(self.policy.sla):
            if sla.when is None or sla.when.matches(fields):
                return number
        return None

    def rule(self, number: int | None, metric: str, priority: Any) -> Rule | None:
        """The rule of SLA entry ``number`` for ``metric`` and a ticket ``priority``."""
        if number is None:
            return None
        key = (number, metric, priority if isinstance(priority, str) else None)
        if key in self._rules:
            return self._rules[key]
        rule = self._build(*key)
        self._rules[key] = rule
        return rule

    def _build(self, number: int, metric: str, priority: str | None) -> Rule | None:
        sla = self.policy.sla[number]
        target = sla.targets.get(metric)
        if target is None:
            return None
        text = target.per_priority.get(priority) if priority is not None else None
        text = text if text is not None else target.default
        if text is None:
            return None
        span = parse_span(text)
        clock_name = target.calendar or sla.calendar
        zone = self.clock(sla.calendar).rules.zone
        return Rule(
            sla,
            text,
            span,
            clock_name,
            self.clock(clock_name),
            zone,
            sla.warn_fraction,
            frozenset(sla.pause_on),
        )


class Lookup:
    """Per-ticket memo: which SLA entry applies to the fields as they stood at a moment."""

    def __init__(self, index: PolicyIndex, history: History) -> None:
        self.index = index
        self.history = history
        self._fields: dict[int, dict[str, Any]] = {}
        self._matches: dict[int, int | None] = {}

    def fields(self, moment: int) -> dict[str, Any]:
        """The ticket's fields at ``moment``, built once per version of them."""
        version = self.history.version_at(moment)
        found = self._fields.get(version)
        if found is None:
            found = self._fields[version] = self.history.fields_at(moment)
        return found

    def entry(self, moment: int) -> int | None:
        version = self.history.version_at(moment)
        if version not in self._matches:
            self._matches[version] = self.index.match(self.fields(moment))
        return self._matches[version]

    def rule(self, metric: str, moment: int) -> Rule | None:
        number = self.entry(moment)
        if number is None:
            return None
        return self.index.rule(number, metric, self.fields(moment).get("priority"))


def target_micros(rule: Rule, start: int) -> int:
    """The target as running time; ``n`` business days count from the metric's start."""
    if isinstance(rule.span, BusinessDays):
        clock = rule.clock
        return clock.elapsed(start, clock.add_business_days(start, rule.span.count))
    return rule.span // timedelta(microseconds=1)


def _at(micros: int, zone: Any) -> datetime:
    return from_micros(micros).astimezone(zone)


def _maybe(micros: int | None, zone: Any) -> datetime | None:
    return None if micros is None else from_micros(micros).astimezone(zone)


def _values(run: Run, zone: Any) -> dict[str, Any]:
    return {
        "status": run.status,
        "started_at": _at(run.start, zone),
        "due_at": _maybe(run.due, zone),
        "completed_at": _maybe(run.completed, zone),
        "breached_at": _maybe(run.breached_at, zone),
        "elapsed": timedelta(microseconds=run.elapsed),
        "remaining": timedelta(microseconds=run.target - run.elapsed),
        "target_time": timedelta(microseconds=run.target),
    }


def _stretch_table(run: Run, stretches: list[Stretch]) -> tuple[tuple[str, int, int, int], ...]:
    business = dict(zip(run.running, run.business, strict=True))
    return tuple((kind, s, e, business.get((s, e), 0)) for kind, s, e in stretches)


def _metric(run: Run, rule: Rule, stretches: list[Stretch], paused: int) -> MetricResult:
    values = _values(run, rule.zone)
    values.update(
        policy=rule.sla.name,
        target=rule.target_text,
        clock=rule.clock_name,
        paused=timedelta(microseconds=paused),
        cycles=None,
    )
    return build(MetricResult, values, _private(run, stretches, rule.zone))


def _no_segments() -> dict[str, Any]:
    return {"_stretches": (), "_zone": None}


def _private(run: Run, stretches: list[Stretch], zone: Any) -> dict[str, Any]:
    return {"_stretches": _stretch_table(run, stretches), "_zone": zone}


def _empty(
    status: Status, rule: Rule | None = None, cycles: list[Measurement] | None = None
) -> MetricResult:
    return build(
        MetricResult,
        {
            "status": status,
            "started_at": None,
            "due_at": None,
            "completed_at": None,
            "breached_at": None,
            "elapsed": _ZERO,
            "remaining": None,
            "target_time": None,
            "policy": rule.sla.name if rule else None,
            "target": rule.target_text if rule else None,
            "clock": rule.clock_name if rule else None,
            "paused": _ZERO,
            "cycles": cycles,
        },
        _no_segments(),
    )


class Evaluator:
    """Evaluates tickets against one policy; reuse it for many tickets."""

    def __init__(self, policy: Policy) -> None:
        self.index = PolicyIndex(policy)

    def evaluate(self, ticket: Ticket, as_of: datetime, line: int | None = None) -> Evaluation:
        """The evaluation of ``ticket`` at ``as_of`` (``line``: where it was read, if known)."""
        history = replay(ticket, to_micros(as_of, "as_of"))
        lookup = Lookup(self.index, history)
        number = lookup.entry(history.as_of)
        sla = self.index.policy.sla[number] if number is not None else None
        metrics: dict[str, MetricResult] = {}
        runs: dict[str, Measured] = {}
        for metric in METRICS:
            metrics[metric], runs[metric] = self._metric(metric, history, lookup)
        escalations, next_at = self._escalations(sla, runs, history)
        warnings = list(history.warnings)
        if sla is None:
            warnings.append("no SLA policy matches this ticket's fields")
        owed = awards(
            self.index.policy.compensation,
            lookup.fields(history.as_of),
            {name: result.status for name, result in metrics.items()},
            _lateness(runs),
            warnings,
        )
        return build(
            Evaluation,
            {
                "ticket_id": ticket.id,
                "policy": sla.name if sla else None,
                "as_of": as_of,
                "metrics": metrics,
                "escalations": escalations,
                "next_escalation_at": next_at,
                "compensation": owed,
                "warnings": warnings,
                "errors": [],
                "line": line,
            },
            {"_fields": lookup.fields(history.as_of), "_created": ticket.created_at},
        )

    def _metric(
        self, metric: str, history: History, lookup: Lookup
    ) -> tuple[MetricResult, Measured]:
        if history.as_of < history.created:
            return _empty("not_started"), []
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
    ) -> tuple[MetricResult, Measured]:
        if rule is None:
            return _empty("not_applicable"), []
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
        return _metric(run, rule, stretches, paused), [(run, rule, None)]

    @staticmethod
    def _cycles(
        metric: str, history: History, lookup: Lookup, cycles: list[Cycle]
    ) -> tuple[MetricResult, Measured]:
        current = lookup.rule(metric, history.as_of)
        zone = current.zone if current else UTC
        listed: list[Measurement] = []  # every cycle, in order
        results: list[Measurement] = []  # the cycles that had a target
        measured: Measured = []
        for cycle in cycles:
            end = cycle.stop if cycle.stop is not None else history.as_of
            rule = lookup.rule(metric, end)
            if rule is None:
                # No promise was made for this cycle: listed, but it decides nothing.
                listed.append(
                    build(
                        Measurement,
                        {
                            "status": "not_applicable",
                            "started_at": _at(cycle.start, zone),
                            "due_at": None,
                            "completed_at": _maybe(cycle.stop, zone),
                            "breached_at": None,
                            "elapsed": _ZERO,
                            "remaining": None,
                            "target_time": None,
                        },
                        _no_segments(),
                    )
                )
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
            stretch = [("running", cycle.start, end)]
            result = build(Measurement, _values(run, rule.zone), _private(run, stretch, rule.zone))
            listed.append(result)
            results.append(result)
            measured.append((run, rule, len(listed) - 1))
        if not results:
            status: Status = "not_started" if current else "not_applicable"
            return _empty(status, current, listed), []
        return _combine(results, listed, measured[-1][1]), measured

    # -- escalations --------------------------------------------------------------------------

    def _escalations(
        self, sla: SlaPolicy | None, runs: dict[str, Measured], history: History
    ) -> tuple[list[FiredEscalation], datetime | None]:
        if sla is None or sla.escalation is None:
            return [], None
        zone = self.index.clock(sla.calendar).rules.zone
        path = sla.escalation
        fired: list[tuple[int, FiredEscalation]] = []
        upcoming: list[int] = []
        for number, level in enumerate(self.index.policy.escalations.get(path, [])):
            if level.on_event is not None:
                times = history.event_times.get(level.on_event, [])
                count = level.count or 1
                if len(times) >= count:
                    at = times[count - 1]
                    fired.append((at, _fired(path, number, level, None, None, _at(at, zone))))
                continue
            point = level.point
            assert point is not None
            for metric in level.metrics or METRICS:
                for run, rule, cycle in runs.get(metric, []):
                    instant, projected = level_instant(
                        run, rule.clock, point.fraction, point.offset, history.as_of
                    )
                    if instant is not None:
                        fired.append(
                            (
                                instant,
                                _fired(path, number, level, metric, cycle, _at(instant, zone)),
                            )
                        )
                    elif projected is not None:
                        upcoming.append(projected)
        fired.sort(key=lambda item: item[0])
        next_at = _at(min(upcoming), zone) if upcoming else None
        return [f for _, f in fired], next_at


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


def _combine(
    results: list[Measurement], listed: list[Measurement], rule: Rule | None
) -> MetricResult:
    """A cycle metric: breached if any cycle was; else its open cycle's status; else met if any
    cycle was; else the last cycle's status.  Its times are those of the deciding cycle."""
    chosen = next((r for r in results if r.status == "breached"), None)
    if chosen is None:
        open_ones = [r for r in listed if r.completed_at is None]
        met = [r for r in results if r.status == "met"]
        chosen = open_ones[-1] if open_ones else (met[-1] if met else results[-1])
    result = build(
        MetricResult,
        {
            "status": chosen.status,
            "started_at": chosen.started_at,
            "due_at": chosen.due_at,
            "completed_at": chosen.completed_at,
            "breached_at": chosen.breached_at,
            "elapsed": chosen.elapsed,
            "remaining": chosen.remaining,
            "target_time": chosen.target_time,
            "policy": rule.sla.name if rule else None,
            "target": rule.target_text if rule else None,
            "clock": rule.clock_name if rule else None,
            "paused": _ZERO,
            "cycles": listed,
        },
        _no_segments(),
    )
    if chosen.__pydantic_private__:
        result.__pydantic_private__.update(chosen.__pydantic_private__)  # type: ignore[union-attr]
    return result


def _fired(
    path: str,
    number: int,
    level: EscalationLevel,
    metric: str | None,
    cycle: int | None,
    at: datetime,
) -> FiredEscalation:
    return build(
        FiredEscalation,
        {
            "path": path,
            "level": number,
            "name": level.name,
            "metric": metric,
            "cycle": cycle,
            "at": at,
            "notify": list(level.notify),
            "set_priority": level.set_priority,
            "reassign": level.reassign,
            "actions": list(level.actions),
        },
        None,
    )


class VersionedEvaluator:
    """Evaluates each ticket under the policy version in force at its ``created_at``."""

    def __init__(self, versions: PolicySet) -> None:
        self.versions = versions
        self._evaluators: dict[int, Evaluator] = {}

    def evaluate(self, ticket: Ticket, as_of: datetime, line: int | None = None) -> Evaluation:
        """The evaluation of ``ticket`` under its version (see :meth:`Evaluator.evaluate`)."""
        policy = self.versions.for_instant(ticket.created_at)
        evaluator = self._evaluators.get(id(policy))
        if evaluator is None:
            evaluator = self._evaluators[id(policy)] = Evaluator(policy)
        return evaluator.evaluate(ticket, as_of, line)


def evaluator_for(policy: Policy | PolicySet) -> Evaluator | VersionedEvaluator:
    """An evaluator for one policy, or for a set of dated versions."""
    return VersionedEvaluator(policy) if isinstance(policy, PolicySet) else Evaluator(policy)


def decide_refund(
    policy: Policy | PolicySet, ticket: Ticket | Mapping[str, Any], as_of: datetime
) -> RefundDecision:
    """The refund decision for a ticket: its request is its ``created_at``; its fields are
    those at ``as_of``; with dated versions, the version in force at ``created_at`` decides."""
    item = _as_ticket(ticket)
    if isinstance(policy, PolicySet):
        policy = policy.for_instant(item.created_at)
    history = replay(item, to_micros(as_of, "as_of"))
    index = PolicyIndex(policy)
    return refund(
        policy.refunds,
        policy.compensation,
        item.id,
        item.created_at,
        history.fields_at(history.as_of),
        index.clock,
    )


def evaluate(policy: Policy, ticket: Ticket | Mapping[str, Any], as_of: datetime) -> Evaluation:
    """Evaluate one ticket (a :class:`Ticket` or its JSON shape) at ``as_of``."""
    return Evaluator(policy).evaluate(_as_ticket(ticket), as_of)


def _as_ticket(ticket: Ticket | Mapping[str, Any]) -> Ticket:
    if isinstance(ticket, Ticket):
        return ticket
    return Ticket.from_dict(dict(ticket) if isinstance(ticket, Mapping) else ticket)


def error_record(
    message: str, as_of: datetime, ticket_id: str | None = None, line: int | None = None
) -> Evaluation:
    """The record of a ticket that could not be read or evaluated."""
    return build(
        Evaluation,
        {
            "ticket_id": ticket_id,
            "policy": None,
            "as_of": as_of,
            "metrics": {},
            "escalations": [],
            "next_escalation_at": None,
            "compensation": [],
            "warnings": [],
            "errors": [message],
            "line": line,
        },
        {"_fields": {}, "_created": None},
    )


def evaluate_many(
    policy: Policy | PolicySet, tickets: Iterable[Ticket | Mapping[str, Any]], as_of: datetime
) -> Iterator[Evaluation]:
    """Evaluate tickets one by one, in order; a bad ticket yields an error record, not an
    exception, so counts in equal counts out.  ``policy`` may be a set of dated versions."""
    evaluator = evaluator_for(policy)
    for item in tickets:
        yield evaluate_or_record(evaluator, item, as_of)


def evaluate_or_record(
    evaluator: Evaluator | VersionedEvaluator,
    item: Ticket | Mapping[str, Any],
    as_of: datetime,
    line: int | None = None,
) -> Evaluation:
    """The evaluation of one ticket, or, when it cannot be read or evaluated, its error record
    with its id (when one can be found) and ``line``."""
    where = f"line {line}: " if line is not None else ""
    try:
        return evaluator.evaluate(_as_ticket(item), as_of, line)
    except (TicketError, ServicePolicyError, ValueError, TypeError, ArithmeticError) as exc:
        ticket_id = getattr(exc, "ticket_id", None)
        if ticket_id is None and isinstance(item, Mapping) and "id" in item:
            ticket_id = str(item["id"])
        elif ticket_id is None and isinstance(item, Ticket):
            ticket_id = item.id
        return error_record(where + str(exc), as_of, ticket_id, line)
