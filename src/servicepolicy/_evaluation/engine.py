"""The evaluator: the SLA metrics of a ticket's history at a moment ``as_of``.

The rules are those of ``docs/metrics.md``.  A ticket is replayed once into a
:class:`~.replay.History`; each metric is then a list of running stretches measured on its
calendar's clock (:mod:`.measure`).  The answer is an :class:`~.outcome.Outcome` in integer
microseconds, which becomes the public models (:mod:`.evaluation`) when asked for.  The
entry points that take tickets in their JSON shape are in :mod:`.api`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from .._common.durations import format_duration
from .._common.errors import ServicePolicyError, TicketError, printable
from .._common.fastmodel import private_value, set_private_value
from .._common.instants import outside, supported, to_micros
from .._common.vocabulary import METRICS
from .._i18n import N_
from .._policy.conditions import condition_fields
from .._policy.model import EscalationLevel, Policy, SlaPolicy
from .._policy.versions import PolicySet
from .._tickets.model import Ticket, UnreadTicket
from .._tickets.read import TicketParts, read_parts, ticket_parts
from .awards import CompensationPlan, Lateness
from .evaluation import Evaluation
from .hygiene import InputCheck, policy_conditions
from .measure import Promise, level_instant, measure
from .outcome import FiredOutcome, MetricOutcome, Outcome, error_outcome, to_evaluation
from .replay import (
    FIRST_MESSAGE,
    Cycle,
    History,
    Stretch,
    clipped,
    first_stop_from,
    replay,
    resolution_completed,
    resolution_stretches,
    response_cycles,
    response_stretches,
    start_instant,
    status_at,
    with_first_message,
)
from .rules import Lookup, PolicyIndex, Rule, target_micros

Measured = list[tuple[Promise, "Rule", int | None]]
"""The measured promises of a metric, with their rule and cycle number, for escalations."""
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
        self.input_check = InputCheck(policy)
        self._compensation = CompensationPlan(policy.compensation)
        self._levels = {path: _levels(policy, path) for path in policy.escalations}
        # Whether a condition reads the ticket's first message (first_message.channel, ...).
        excluded = [r.excluded_when.spec for r in policy.refunds if r.excluded_when is not None]
        self._first_message = any(
            name.startswith(FIRST_MESSAGE)
            for spec in (*policy_conditions(policy), *excluded)
            for name in condition_fields(spec)
        )

    def evaluate(self, ticket: Ticket, as_of: datetime, line: int | None = None) -> Evaluation:
        """The evaluation of ``ticket`` at ``as_of`` (``line``: where it was read, if known)."""
        return to_evaluation(self.outcome(ticket, as_of, line))

    def outcome(self, ticket: Ticket, as_of: datetime, line: int | None = None) -> Outcome:
        """What :meth:`evaluate` finds, before it becomes an :class:`Evaluation`."""
        return self.outcome_of(ticket_parts(ticket), as_of, line)

    def outcome_of(self, ticket: TicketParts, as_of: datetime, line: int | None = None) -> Outcome:
        """:meth:`outcome` of a ticket read as its parts."""
        now = to_micros(as_of, "as_of")
        if not supported(now):
            raise TicketError(outside(as_of, "as_of"), ticket.id)
        ticket = self.input_check.normalized(ticket)
        history = replay(with_first_message(ticket, now) if self._first_message else ticket, now)
        lookup = Lookup(self.index, history)
        number = lookup.entry(history.as_of)
        sla = self.index.policy.sla[number] if number is not None else None
        metrics: dict[str, MetricOutcome] = {}
        runs: dict[str, Measured] = {}
        for metric in METRICS:
            metrics[metric], runs[metric] = self._metric(metric, history, lookup)
        fired, next_at = self._escalations(sla, runs, lookup)
        warnings = list(history.warnings)
        kinds = list(history.warning_kinds)
        if sla is None:
            warnings.append("no SLA policy matches this ticket's fields")
            kinds.append("no-policy")
        fields = lookup.fields(history.as_of)
        statuses = {name: result.promise.status for name, result in metrics.items()}
        owed = self._compensation.awards(
            fields,
            statuses,
            _lateness(runs) if "breached" in statuses.values() else {},
            warnings,
        )
        kinds += ["no-amount"] * (len(warnings) - len(kinds))  # the compensation's only kind
        for kind, text in self.input_check.warnings(ticket, now):
            warnings.append(text)
            kinds.append(kind)
        zone = self.index.clock(sla.calendar).rules.zone if sla is not None else None
        return Outcome(
            ticket_id=ticket.id,
            policy=sla.name if sla else None,
            as_of=as_of,
            metrics=metrics,
            escalations=fired,
            next_escalation_at=next_at,
            next_zone=zone,
            compensation=owed,
            warnings=warnings,
            errors=[],
            line=line,
            fields=fields,
            created=ticket.created_at,
            warning_kinds=kinds,
        )

    def _metric(
        self, metric: str, history: History, lookup: Lookup
    ) -> tuple[MetricOutcome, Measured]:
        if history.as_of < history.created:
            return MetricOutcome(Promise(status="not_started")), []
        if metric in ("first_response", "resolution"):
            current = lookup.rule(metric, history.as_of)
            if current is not None and (
                current.start is not None or current.start_after or current.stop is not None
            ):
                return self._started_later(metric, history, lookup, current)
        if metric == "first_response":
            stop = history.first_response_stop
            end = stop if stop is not None else history.as_of
            rule = lookup.rule(metric, end)
            pause_on = rule.pause_on if rule else frozenset()
            stretches = response_stretches(history, history.created, end, pause_on)
            paused_now = stop is None and history.statuses[-1][1] in pause_on
            return self._single(history, stretches, stop, rule, paused_now)
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
        if metric == "next_response":
            # The start rule in force at as_of says which cycles the ticket has.
            current = lookup.rule(metric, history.as_of)
            if current is not None and (current.contact_cycles or current.stop is not None):
                cycles = response_cycles(history, current.stop, current.contact_cycles)
            else:
                cycles = history.next_cycles
        else:
            cycles = history.periodic_cycles
        return self._cycles(metric, history, lookup, cycles)

    def _started_later(
        self, metric: str, history: History, lookup: Lookup, current: Rule
    ) -> tuple[MetricOutcome, Measured]:
        """first_response or resolution under the start rule in force at ``as_of``: the
        metric starts at its start event plus ``start_after`` of open time; first_response
        stops at the first reply, solve or close from the start event on."""
        base = start_instant(history, current.start)
        start = base
        if base is not None and current.start_after:
            clock = current.start_clock or current.clock
            start = clock.add(base, current.start_after)
        if metric == "first_response":
            completed = None if base is None else first_stop_from(history, base, current.stop)
        else:
            completed = resolution_completed(history)
        if start is None or (completed is None and history.as_of < start):
            not_started = MetricOutcome(
                Promise(status="not_started"),
                current.sla.name,
                current.target_text,
                current.clock_name,
                notes=current.notes,
            )
            return not_started, []
        end = completed if completed is not None else history.as_of
        rule = lookup.rule(metric, end)
        pause_on = rule.pause_on if rule else frozenset()
        if metric == "first_response":
            stretches = response_stretches(history, start, end, pause_on) if end > start else []
        else:
            stretches = clipped(resolution_stretches(history, pause_on), start)
        paused_now = completed is None and history.statuses[-1][1] in pause_on
        return self._single(history, stretches, completed, rule, paused_now, start)

    @staticmethod
    def _single(
        history: History,
        stretches: list[Stretch],
        completed: int | None,
        rule: Rule | None,
        paused_now: bool = False,
        start: int | None = None,
    ) -> tuple[MetricOutcome, Measured]:
        if rule is None:
            return MetricOutcome(Promise(status="not_applicable")), []
        start = history.created if start is None else start
        running = [(s, e) for kind, s, e in stretches if kind == "running"]
        promise = measure(
            rule.clock,
            running,
            target_micros(rule, start),
            start=start,
            completed=completed,
            cancelled=False,
            paused_now=paused_now,
            as_of=history.as_of,
            warn=rule.warn,
            zone=rule.zone,
            stretches=stretches,
            next_open=rule.next_open,
        )
        paused, paused_business = _paused_time(rule, stretches)
        outcome = MetricOutcome(
            promise,
            rule.sla.name,
            rule.target_text,
            rule.clock_name,
            paused,
            paused_business=paused_business,
            notes=_notes(history, rule, stretches),
        )
        return outcome, [(promise, rule, None)]

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
                listed.append(
                    Promise(
                        status="not_applicable", start=cycle.start, completed=cycle.stop, zone=zone
                    )
                )
                continue
            stretches = response_stretches(history, cycle.start, end, rule.pause_on)
            promise = measure(
                rule.clock,
                [(s, e) for kind, s, e in stretches if kind == "running"],
                target_micros(rule, cycle.start),
                start=cycle.start,
                completed=cycle.stop,
                cancelled=cycle.cancelled,
                paused_now=cycle.stop is None and history.statuses[-1][1] in rule.pause_on,
                as_of=history.as_of,
                warn=rule.warn,
                zone=rule.zone,
                stretches=stretches,
                next_open=rule.next_open,
            )
            listed.append(promise)
            results.append(promise)
            measured.append((promise, rule, len(listed) - 1))
        if not results:
            status = "not_started" if current else "not_applicable"
            if current is None:
                return MetricOutcome(Promise(status=status), cycles=listed), []
            return (
                MetricOutcome(
                    Promise(status=status),
                    current.sla.name,
                    current.target_text,
                    current.clock_name,
                    cycles=listed,
                    notes=current.notes,
                ),
                [],
            )
        last = measured[-1][1]
        chosen = _deciding(results, listed)
        paused, paused_business = _paused_time(_measured_rule(measured, chosen), chosen.stretches)
        outcome = MetricOutcome(
            chosen,
            last.sla.name,
            last.target_text,
            last.clock_name,
            paused,
            listed,
            _notes(history, last, chosen.stretches or []),
            paused_business,
        )
        return outcome, measured

    # -- escalations --------------------------------------------------------------------------

    def _escalations(
        self, sla: SlaPolicy | None, runs: dict[str, Measured], lookup: Lookup
    ) -> tuple[list[FiredOutcome], int | None]:
        """The levels of the SLA entry's escalation path that fired, and when the next will.

        No level fires before what makes it due applied: the SLA entry whose path it is, and
        the rule its metric was measured under (a priority raised on Monday can make a metric
        breached as of Friday, but nobody was told on Friday).  A level whose instant lies
        before that fires when it came into force, and says it fired late (retroactive).
        """
        if sla is None or sla.escalation is None:
            return [], None
        history = lookup.history
        zone = self.index.clock(sla.calendar).rules.zone
        path = sla.escalation
        fired: list[FiredOutcome] = []
        upcoming: list[int] = []
        as_of = history.as_of
        entry_since = lookup.since(as_of)
        for item in self._levels.get(path, ()):
            if item.on_event is not None:
                times = history.event_times.get(item.on_event, [])
                if len(times) >= item.count:
                    due = times[item.count - 1]
                    fired.append(
                        _fired(due, entry_since, zone, path, item.number, item.level, None, None)
                    )
                continue
            for metric in item.metrics:
                for promise, rule, cycle in runs[metric]:
                    instant, projected = level_instant(
                        promise, rule.clock, item.fraction, item.offset, as_of
                    )
                    if instant is None and projected is None:
                        continue
                    end = promise.completed if promise.completed is not None else as_of
                    since = max(entry_since, lookup.since(end, metric))
                    if instant is not None:
                        fired.append(
                            _fired(
                                instant, since, zone, path, item.number, item.level, metric, cycle
                            )
                        )
                    elif projected is not None:
                        upcoming.append(max(projected, since))
        fired.sort(key=lambda f: (f.at, f.due))
        return fired, (min(upcoming) if upcoming else None)


def _fired(
    due: int,
    since: int,
    zone: Any,
    path: str,
    number: int,
    level: EscalationLevel,
    metric: str | None,
    cycle: int | None,
) -> FiredOutcome:
    """A level due at ``due`` whose cause came into force at ``since``: it fires at the later
    of the two, retroactive when that is ``since``."""
    retroactive = due < since
    at = since if retroactive else due
    return FiredOutcome(at, zone, path, number, level, metric, cycle, due, retroactive)


def _lateness(runs: dict[str, Measured]) -> dict[str, Lateness]:
    """How late each breached metric is (its latest cycle, for cycle metrics)."""
    found: dict[str, Lateness] = {}
    for metric, measured in runs.items():
        for promise, rule, _ in measured:
            target = promise.target
            if promise.status == "breached" and promise.due is not None and target is not None:
                late = Lateness(metric, promise.elapsed - target, rule.clock, promise.due)
                if metric not in found or late.late > found[metric].late:
                    found[metric] = late
    return found


def _paused_time(rule: Rule | None, stretches: list[Stretch] | None) -> tuple[int, int]:
    """The time a promise spent paused: in all, and in open time on its rule's clock."""
    paused = business = 0
    for kind, start, end in stretches or ():
        if kind == "paused" and rule is not None:
            paused += end - start
            business += rule.clock.elapsed(start, end)
    return paused, business


def _measured_rule(measured: Measured, promise: Promise) -> Rule | None:
    """The rule that measured ``promise``; None for a cycle no target applied to."""
    for candidate, rule, _ in measured:
        if candidate is promise:
            return rule
    return None


_PAUSED_IN = N_("paused {duration} while {status} (a paused status of this policy)")


def _notes(history: History, rule: Rule, stretches: list[Stretch]) -> tuple[str, ...]:
    """The clock rules that shaped a metric, in words: its rule's notes, and the time it was
    paused in each status the policy declares paused."""
    if not rule.declared_pauses:
        return rule.notes
    paused: dict[str, int] = {}
    for kind, start, end in stretches:
        if kind == "paused":
            status = status_at(history, start)
            if status in rule.declared_pauses:
                paused[status] = paused.get(status, 0) + end - start
    return (
        *rule.notes,
        *(
            _PAUSED_IN.format(
                duration=format_duration(timedelta(microseconds=micros)), status=repr(status)
            )
            for status, micros in paused.items()
        ),
    )


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


def prepared(policy: Policy) -> Evaluator:
    """The policy's evaluator, made once and kept with the policy (which is immutable)."""
    evaluator = private_value(policy, "_evaluator")
    if evaluator is None:
        evaluator = Evaluator(policy)
        set_private_value(policy, "_evaluator", evaluator)
    assert isinstance(evaluator, Evaluator)
    return evaluator


def as_parts(ticket: Ticket | Mapping[str, Any]) -> TicketParts:
    """A ticket read as its parts, from a :class:`Ticket` or its JSON shape."""
    if isinstance(ticket, Ticket):
        return ticket_parts(ticket)
    return read_parts(_plain(ticket))


def _plain(ticket: Any) -> Any:
    # Any, not the declared type: the compiled build would check for a dict before reading
    # and refuse a list with a bare TypeError instead of read_parts's TicketError.
    return dict(ticket) if isinstance(ticket, Mapping) and type(ticket) is not dict else ticket


def outcome_or_record(
    evaluator: Evaluator | VersionedEvaluator,
    item: Ticket | UnreadTicket | Mapping[str, Any],
    as_of: datetime,
    line: int | None = None,
) -> Outcome:
    """The outcome of one ticket, or, when it cannot be read or evaluated, its error record
    with its id (when one can be found) and ``line``."""
    if isinstance(item, UnreadTicket):
        return error_outcome(item.error, as_of, item.ticket_id, item.line)
    try:
        return evaluator.outcome_of(as_parts(item), as_of, line)
    except (TicketError, ServicePolicyError, ValueError, TypeError, ArithmeticError) as exc:
        where = f"line {line}: " if line is not None else ""
        return error_outcome(where + str(exc), as_of, failed_id(item, exc), line)


def failed_id(item: Any, exc: Exception) -> str | None:
    """The id to report for a ticket that failed with ``exc``: the error's, else the
    ticket's own when it has one that can be shown."""
    known = getattr(exc, "ticket_id", None)
    if known is not None:
        return str(known)
    if isinstance(item, Ticket):
        return printable(item.id)
    if isinstance(item, Mapping) and item.get("id") is not None:
        try:
            return printable(str(item["id"]))
        except (ValueError, RecursionError):  # past Python's limit for digits, or nesting
            return None
    return None
