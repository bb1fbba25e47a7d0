"""Ticket evaluation: the SLA metrics of a ticket's history at a moment ``as_of``.

The rules are those of ``docs/metrics.md``.  In short: a ticket's history is replayed once
into a :class:`History` (status stretches, reply cycles, field changes); each metric is then a
list of running segments measured on its calendar's clock, in integer microseconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ._clock import BusinessClock, from_micros, to_micros
from ._durations import BusinessDays, Span
from ._errors import ServicePolicyError, TicketError
from ._model import METRICS, EscalationLevel, Policy, SlaPolicy
from ._results import (
    Evaluation,
    FiredEscalation,
    Measurement,
    MetricResult,
    Segment,
    SegmentKind,
    Status,
)
from ._ticket import (
    AGENT_REPLY,
    CLOSED,
    CUSTOMER_MESSAGE,
    FIELD,
    STATUS,
    TERMINAL,
    Ticket,
)

CYCLE_METRICS = ("next_response", "periodic_update")
_MEASUREMENT_FIELDS = (
    "started_at",
    "due_at",
    "completed_at",
    "breached_at",
    "elapsed",
    "remaining",
    "target_time",
    "segments",
)
INITIAL_STATUS = "new"
Stretch = tuple[SegmentKind, int, int]


@dataclass(slots=True)
class Cycle:
    """A reply cycle: ``[start, stop)``; ``stop`` is None while open."""

    start: int
    stop: int | None = None
    cancelled: bool = False


@dataclass(slots=True)
class History:
    """A ticket's events replayed up to ``as_of`` (instants in microseconds)."""

    created: int
    as_of: int
    fields: dict[str, Any]
    field_changes: list[tuple[int, str, Any]] = field(default_factory=list)
    statuses: list[tuple[int, str]] = field(default_factory=list)
    first_response_stop: int | None = None
    next_cycles: list[Cycle] = field(default_factory=list)
    periodic_cycles: list[Cycle] = field(default_factory=list)
    event_times: dict[str, list[int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def fields_at(self, moment: int) -> dict[str, Any]:
        """The ticket's fields as they stood at ``moment`` (changes at ``moment`` included)."""
        if not self.field_changes:
            return self.fields
        current = dict(self.fields)
        for at, name, value in self.field_changes:
            if at > moment:
                break
            current[name] = value
        return current


def replay(ticket: Ticket, as_of: int) -> History:
    """Replay a ticket's events (time order, stable) up to and including ``as_of``."""
    created = to_micros(ticket.created_at, "created_at")
    history = History(created, as_of, dict(ticket.fields), statuses=[(created, INITIAL_STATUS)])
    timed = sorted(
        ((to_micros(e.at, "event time"), i, e) for i, e in enumerate(ticket.events)),
        key=lambda item: (item[0], item[1]),
    )
    status = INITIAL_STATUS
    replied = False
    open_next: Cycle | None = None
    open_periodic: Cycle | None = None
    closed_at: int | None = None
    for at, _, event in timed:
        if at > as_of:
            break
        if at < created:
            history.warnings.append(
                f"{event.type} at {event.at.isoformat()} is before created_at; counted at creation"
            )
            at = created
        if closed_at is not None:
            history.warnings.append(
                f"{event.type} at {event.at.isoformat()} comes after the ticket was closed; ignored"
            )
            continue
        history.event_times.setdefault(event.type, []).append(at)
        kind = event.type
        if kind == CUSTOMER_MESSAGE:
            if status in TERMINAL:
                status = "open"
                history.statuses.append((at, status))
            if replied and open_next is None:
                open_next = Cycle(at)
                history.next_cycles.append(open_next)
        elif kind == AGENT_REPLY:
            if not replied:
                replied = True
                if history.first_response_stop is None:
                    history.first_response_stop = at
            if open_next is not None:
                open_next.stop, open_next = at, None
            if open_periodic is not None:
                open_periodic.stop, open_periodic = at, None
            if status not in TERMINAL:
                open_periodic = Cycle(at)
                history.periodic_cycles.append(open_periodic)
        elif kind == STATUS:
            assert event.status is not None
            if event.status == status:
                continue
            status = event.status
            history.statuses.append((at, status))
            if status in TERMINAL:
                if history.first_response_stop is None:
                    history.first_response_stop = at
                if open_next is not None:
                    open_next.stop, open_next = at, None
                if open_periodic is not None:
                    open_periodic.stop, open_periodic.cancelled = at, True
                    open_periodic = None
                if status == CLOSED:
                    closed_at = at
        elif kind == FIELD:
            assert event.field is not None
            history.field_changes.append((at, event.field, event.value))
    return history


@dataclass(frozen=True, slots=True)
class _Rule:
    """What applies to one metric of a ticket: the SLA entry, its target and clock."""

    sla: SlaPolicy
    target_text: str
    span: Span
    clock_name: str
    clock: BusinessClock
    zone: Any  # the SLA entry's own calendar zone: every instant of the metric is shown in it


class PolicyIndex:
    """A policy prepared for evaluating many tickets: resolved calendars and targets."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._clocks: dict[str, BusinessClock] = {}
        self._zones: dict[str, Any] = {}

    def clock(self, name: str) -> BusinessClock:
        """The clock of calendar ``name`` (``24/7`` built in)."""
        clock = self._clocks.get(name)
        if clock is None:
            calendar = self.policy.calendar(name)
            clock = calendar.__pydantic_private__["_clock"]  # type: ignore[index]
            self._clocks[name] = clock
        return clock

    def match(self, fields: Mapping[str, Any]) -> SlaPolicy | None:
        """The first SLA entry whose ``when`` matches ``fields``."""
        for sla in self.policy.sla:
            if sla.when is None or sla.when.matches(fields):
                return sla
        return None

    def rule(self, metric: str, fields: Mapping[str, Any]) -> _Rule | None:
        """The rule for ``metric`` given the ticket's fields, or None when nothing applies."""
        sla = self.match(fields)
        if sla is None:
            return None
        target = sla.targets.get(metric)
        if target is None:
            return None
        priority = fields.get("priority")
        key = priority if isinstance(priority, str) else None
        text = target.per_priority.get(key) if key is not None else None
        text = text if text is not None else target.default
        if text is None:
            return None
        span = target.span_for(key)
        assert span is not None
        clock_name = target.calendar or sla.calendar
        zone = self.clock(sla.calendar).rules.zone
        return _Rule(sla, text, span, clock_name, self.clock(clock_name), zone)


def _target_micros(rule: _Rule, start: int) -> int:
    """The target as running time; ``n`` business days count from the metric's start."""
    if isinstance(rule.span, BusinessDays):
        clock = rule.clock
        return clock.elapsed(start, clock.add_business_days(start, rule.span.count))
    return rule.span // timedelta(microseconds=1)


@dataclass(slots=True)
class _Run:
    """The measured state of one promise, in microseconds, before it becomes a result."""

    status: Status
    start: int
    target: int
    elapsed: int
    due: int | None
    completed: int | None
    breached_at: int | None
    running: list[tuple[int, int]]
    paused_now: bool


def _reach(clock: BusinessClock, running: list[tuple[int, int]], amount: int) -> int | None:
    """The first instant at which running time along ``running`` reaches ``amount``."""
    spent = 0
    for start, end in running:
        part = clock.elapsed(start, end)
        if spent + part >= amount:
            return clock.add(start, amount - spent)
        spent += part
    return None


def _exceeded(clock: BusinessClock, running: list[tuple[int, int]], due: int) -> int | None:
    """The first instant at or after ``due`` at which the metric's clock runs."""
    for start, end in running:
        if end <= due:
            continue
        candidate = clock.next_open(max(start, due))
        if candidate < end:
            return candidate
    return None


def measure(
    clock: BusinessClock,
    running: list[tuple[int, int]],
    target: int,
    *,
    start: int,
    completed: int | None,
    cancelled: bool,
    paused_now: bool,
    as_of: int,
    warn: Decimal | None,
) -> _Run:
    """Status, due time and breach instant of one promise from its running segments."""
    running = [(s, e) for s, e in running if e > s]
    elapsed = sum(clock.elapsed(s, e) for s, e in running)
    due = _reach(clock, running, target)
    if due is None and not paused_now:
        anchor = completed if completed is not None else as_of
        due = clock.add(anchor, target - elapsed)
    breached_at = _exceeded(clock, running, due) if elapsed > target and due is not None else None
    status: Status
    if elapsed > target:
        status = "breached"
    elif cancelled:
        status = "cancelled"
    elif completed is not None:
        status = "met"
    elif paused_now:
        status = "paused"
    elif warn is not None and elapsed >= warn * target:
        status = "at_risk"
    else:
        status = "running"
    return _Run(status, start, target, elapsed, due, completed, breached_at, running, paused_now)


def _resolution_segments(history: History, pause_on: Iterable[str]) -> list[Stretch]:
    """Stretches of the resolution clock: running, paused (a ``pause_on`` status) or solved."""
    pauses = frozenset(pause_on)
    stretches: list[Stretch] = []
    marks = history.statuses
    for i, (at, status) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else history.as_of
        kind: SegmentKind = (
            "solved" if status in TERMINAL else ("paused" if status in pauses else "running")
        )
        if end > at:
            stretches.append((kind, at, end))
    return stretches


def _resolution_completed(history: History) -> int | None:
    """When resolution finished: the start of the final solved/closed stretch, if any."""
    completed = None
    for at, status in reversed(history.statuses):
        if status not in TERMINAL:
            break
        completed = at
    return completed


class Evaluator:
    """Evaluates tickets against one policy; reuse it for many tickets."""

    def __init__(self, policy: Policy) -> None:
        self.index = PolicyIndex(policy)

    def evaluate(self, ticket: Ticket, as_of: datetime, line: int | None = None) -> Evaluation:
        """The evaluation of ``ticket`` at ``as_of`` (``line``: where it was read, if known)."""
        as_of_us = to_micros(as_of, "as_of")
        history = replay(ticket, as_of_us)
        current = history.fields_at(as_of_us)
        sla = self.index.match(current)
        metrics: dict[str, MetricResult] = {}
        runs: dict[str, list[tuple[_Run, _Rule, int | None]]] = {}
        for metric in METRICS:
            result, measured = self._metric(metric, history)
            metrics[metric] = result
            runs[metric] = measured
        escalations, next_at = self._escalations(sla, runs, history)
        warnings = list(history.warnings)
        if sla is None:
            warnings.append("no SLA policy matches this ticket's fields")
        return Evaluation.model_construct(
            ticket_id=ticket.id,
            policy=sla.name if sla else None,
            as_of=as_of,
            metrics=metrics,
            escalations=escalations,
            next_escalation_at=next_at,
            compensation=[],
            warnings=warnings,
            errors=[],
            line=line,
            matched=sla.name if sla else None,
        )

    # -- metrics ----------------------------------------------------------------------------

    def _metric(
        self, metric: str, history: History
    ) -> tuple[MetricResult, list[tuple[_Run, _Rule, int | None]]]:
        if history.as_of < history.created:
            return MetricResult.model_construct(status="not_started"), []
        if metric == "first_response":
            return self._first_response(history)
        if metric == "resolution":
            return self._resolution(history)
        cycles = history.next_cycles if metric == "next_response" else history.periodic_cycles
        return self._cycles(metric, history, cycles)

    def _single(
        self,
        metric: str,
        history: History,
        stretches: list[Stretch],
        completed: int | None,
        rule: _Rule | None,
    ) -> tuple[MetricResult, list[tuple[_Run, _Rule, int | None]]]:
        if rule is None:
            return MetricResult.model_construct(status="not_applicable"), []
        start = history.created
        running = [(s, e) for kind, s, e in stretches if kind == "running"]
        paused_now = bool(stretches) and stretches[-1][0] != "running" and completed is None
        run = measure(
            rule.clock,
            running,
            _target_micros(rule, start),
            start=start,
            completed=completed,
            cancelled=False,
            paused_now=paused_now,
            as_of=history.as_of,
            warn=rule.sla.warn_fraction,
        )
        paused = sum(e - s for kind, s, e in stretches if kind == "paused")
        result = self._result(run, rule, stretches, paused)
        return result, [(run, rule, None)]

    def _first_response(
        self, history: History
    ) -> tuple[MetricResult, list[tuple[_Run, _Rule, int | None]]]:
        stop = history.first_response_stop
        end = stop if stop is not None else history.as_of
        rule = self.index.rule("first_response", history.fields_at(end))
        return self._single(
            "first_response", history, [("running", history.created, end)], stop, rule
        )

    def _resolution(
        self, history: History
    ) -> tuple[MetricResult, list[tuple[_Run, _Rule, int | None]]]:
        completed = _resolution_completed(history)
        moment = completed if completed is not None else history.as_of
        rule = self.index.rule("resolution", history.fields_at(moment))
        stretches = _resolution_segments(history, rule.sla.pause_on if rule else ())
        return self._single("resolution", history, stretches, completed, rule)

    def _cycles(
        self, metric: str, history: History, cycles: list[Cycle]
    ) -> tuple[MetricResult, list[tuple[_Run, _Rule, int | None]]]:
        current_rule = self.index.rule(metric, history.fields_at(history.as_of))
        if not cycles:
            status: Status = "not_started" if current_rule is not None else "not_applicable"
            return MetricResult.model_construct(
                status=status,
                policy=current_rule.sla.name if current_rule else None,
                target=current_rule.target_text if current_rule else None,
                clock=current_rule.clock_name if current_rule else None,
                cycles=[],
            ), []
        results: list[Measurement] = []
        measured: list[tuple[_Run, _Rule, int | None]] = []
        for number, cycle in enumerate(cycles):
            moment = cycle.stop if cycle.stop is not None else history.as_of
            rule = self.index.rule(metric, history.fields_at(moment))
            if rule is None:
                results.append(
                    Measurement.model_construct(
                        status="not_applicable", started_at=self._out(cycle.start, None)
                    )
                )
                continue
            end = cycle.stop if cycle.stop is not None else history.as_of
            run = measure(
                rule.clock,
                [(cycle.start, end)],
                _target_micros(rule, cycle.start),
                start=cycle.start,
                completed=cycle.stop,
                cancelled=cycle.cancelled,
                paused_now=False,
                as_of=history.as_of,
                warn=rule.sla.warn_fraction,
            )
            results.append(self._result(run, rule, [("running", cycle.start, end)], 0, cycle=True))
            measured.append((run, rule, number))
        return self._combine(results, measured, current_rule), measured

    @staticmethod
    def _combine(
        results: list[Measurement],
        measured: list[tuple[_Run, _Rule, int | None]],
        current_rule: _Rule | None,
    ) -> MetricResult:
        statuses = [r.status for r in results]
        chosen: Measurement | None = None
        if "breached" in statuses:
            chosen = next(r for r in results if r.status == "breached")
            status: Status = "breached"
        else:
            open_ones = [r for r in results if r.completed_at is None]
            if open_ones:
                chosen = open_ones[-1]
                status = chosen.status
            elif "met" in statuses:
                chosen = [r for r in results if r.status == "met"][-1]
                status = "met"
            else:
                chosen = results[-1]
                status = chosen.status
        rule = measured[-1][1] if measured else current_rule
        copied = {name: getattr(chosen, name) for name in _MEASUREMENT_FIELDS}
        return MetricResult.model_construct(
            **copied,
            status=status,
            policy=rule.sla.name if rule else None,
            target=rule.target_text if rule else None,
            clock=rule.clock_name if rule else None,
            paused=timedelta(0),
            cycles=results,
        )

    def _out(self, micros: int | None, rule: _Rule | None) -> datetime | None:
        return None if micros is None else self._at(micros, rule)

    @staticmethod
    def _at(micros: int, rule: _Rule | None) -> datetime:
        moment = from_micros(micros)
        return moment.astimezone(rule.zone) if rule else moment

    def _result(
        self,
        run: _Run,
        rule: _Rule,
        stretches: list[Stretch],
        paused: int,
        *,
        cycle: bool = False,
    ) -> MetricResult:
        clock = rule.clock
        segments = [
            Segment.model_construct(
                kind=kind,
                start=self._at(s, rule),
                end=self._at(e, rule),
                business=timedelta(microseconds=clock.elapsed(s, e) if kind == "running" else 0),
            )
            for kind, s, e in stretches
        ]
        values: dict[str, Any] = {
            "status": run.status,
            "started_at": self._out(run.start, rule),
            "due_at": self._out(run.due, rule),
            "completed_at": self._out(run.completed, rule),
            "breached_at": self._out(run.breached_at, rule),
            "elapsed": timedelta(microseconds=run.elapsed),
            "remaining": timedelta(microseconds=run.target - run.elapsed),
            "target_time": timedelta(microseconds=run.target),
            "segments": segments,
        }
        if cycle:
            return Measurement.model_construct(**values)  # type: ignore[return-value]
        return MetricResult.model_construct(
            **values,
            policy=rule.sla.name,
            target=rule.target_text,
            clock=rule.clock_name,
            paused=timedelta(microseconds=paused),
            cycles=None,
        )

    # -- escalations --------------------------------------------------------------------------

    def _escalations(
        self,
        sla: SlaPolicy | None,
        runs: dict[str, list[tuple[_Run, _Rule, int | None]]],
        history: History,
    ) -> tuple[list[FiredEscalation], datetime | None]:
        if sla is None or sla.escalation is None:
            return [], None
        path = sla.escalation
        levels = self.index.policy.escalations.get(path, [])
        fired: list[tuple[int, FiredEscalation]] = []
        upcoming: list[int] = []
        for number, level in enumerate(levels):
            if level.on_event is not None:
                times = history.event_times.get(level.on_event, [])
                if len(times) >= level.count:
                    at = times[level.count - 1]
                    fired.append((at, self._fired(path, number, level, None, None, at, None)))
                continue
            point = level.point
            assert point is not None
            for metric in level.metrics or METRICS:
                for run, rule, cycle in runs.get(metric, []):
                    instant, projected = _level_instant(
                        run, rule, point.fraction, point.offset, history.as_of
                    )
                    if instant is not None:
                        fired.append(
                            (
                                instant,
                                self._fired(path, number, level, metric, cycle, instant, rule),
                            )
                        )
                    elif projected is not None:
                        upcoming.append(projected)
        fired.sort(key=lambda item: item[0])
        next_at = self._out(min(upcoming), None) if upcoming else None
        if next_at is not None and sla is not None:
            next_at = next_at.astimezone(self.index.clock(sla.calendar).rules.zone)
        return [f for _, f in fired], next_at

    def _fired(
        self,
        path: str,
        number: int,
        level: EscalationLevel,
        metric: str | None,
        cycle: int | None,
        at: int,
        rule: _Rule | None,
    ) -> FiredEscalation:
        return FiredEscalation.model_construct(
            path=path,
            level=number,
            name=level.name,
            metric=metric,
            cycle=cycle,
            at=self._at(at, rule),
            notify=list(level.notify),
            set_priority=level.set_priority,
            reassign=level.reassign,
            actions=list(level.actions),
        )


def _level_instant(
    run: _Run, rule: _Rule, fraction: Decimal, offset: timedelta, as_of: int
) -> tuple[int | None, int | None]:
    """(instant the level fired, or None; instant it will fire if the clock keeps running)."""
    clock = rule.clock
    is_breach = fraction == 1 and not offset
    if is_breach:
        if run.status == "breached":
            return run.breached_at, None
        if run.completed is None and not run.paused_now and run.due is not None:
            return None, clock.next_open(run.due)
        return None, None
    point = int((Decimal(run.target) * fraction).to_integral_value()) + offset // timedelta(
        microseconds=1
    )
    point = max(point, 0)
    finished = run.completed is not None
    if run.elapsed > point or (run.elapsed == point and not finished):
        return _reach(clock, run.running, point), None
    if not finished and not run.paused_now:
        return None, clock.add(as_of, point - run.elapsed)
    return None, None


def evaluate(policy: Policy, ticket: Ticket | Mapping[str, Any], as_of: datetime) -> Evaluation:
    """Evaluate one ticket (a :class:`Ticket` or its JSON shape) at ``as_of``."""
    return Evaluator(policy).evaluate(_as_ticket(ticket), as_of)


def _as_ticket(ticket: Ticket | Mapping[str, Any]) -> Ticket:
    return ticket if isinstance(ticket, Ticket) else Ticket.from_dict(dict(ticket))


def error_record(
    message: str, as_of: datetime, ticket_id: str | None = None, line: int | None = None
) -> Evaluation:
    """The record of a ticket that could not be read or evaluated."""
    return Evaluation.model_construct(
        ticket_id=ticket_id,
        policy=None,
        as_of=as_of,
        metrics={},
        escalations=[],
        next_escalation_at=None,
        compensation=[],
        warnings=[],
        errors=[message],
        line=line,
        matched=None,
    )


def evaluate_many(
    policy: Policy, tickets: Iterable[Ticket | Mapping[str, Any]], as_of: datetime
) -> Iterator[Evaluation]:
    """Evaluate tickets one by one, in order; a bad ticket yields an error record, not an
    exception, so counts in equal counts out."""
    evaluator = Evaluator(policy)
    for item in tickets:
        try:
            ticket = _as_ticket(item)
            yield evaluator.evaluate(ticket, as_of)
        except (TicketError, ServicePolicyError, ValueError, TypeError, OverflowError) as exc:
            ticket_id = getattr(exc, "ticket_id", None)
            if ticket_id is None and isinstance(item, Mapping) and "id" in item:
                ticket_id = str(item["id"])
            elif ticket_id is None and isinstance(item, Ticket):
                ticket_id = item.id
            yield error_record(str(exc), as_of, ticket_id)
