"""What the evaluator computes, before it becomes an :class:`~._results.Evaluation`.

The evaluator works in integer microseconds; an :class:`Outcome` keeps its answer in that
form, and :func:`to_evaluation` turns it into the pydantic models of the public API.  The JSON
writer (:mod:`._outcome_json`) reads the outcome directly and writes what the models would.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final, TypeVar

from pydantic import BaseModel

from .._calendar.clock import instant
from .._policy.model import EscalationLevel
from .replay import Stretch
from .results import Award, Evaluation, FiredEscalation, Measurement, MetricResult

_M = TypeVar("_M", bound=BaseModel)

# The slots every pydantic model has, set through their descriptors.
_new: Final = object.__new__
_set_dict: Final = BaseModel.__dict__["__dict__"].__set__
_set_fields_set: Final = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra: Final = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private: Final = BaseModel.__dict__["__pydantic_private__"].__set__


def build(cls: type[_M], values: dict[str, Any], private: dict[str, Any] | None = None) -> _M:
    """An instance of ``cls`` from already-valid ``values`` holding every field.

    What ``model_construct`` does, without its per-call default handling, which costs more
    than the evaluation itself; ``tests/test_results.py`` checks the two agree.
    """
    instance = _new(cls)
    _set_dict(instance, values)
    _set_fields_set(instance, set(values))
    _set_extra(instance, None)
    _set_private(instance, private)
    return instance


# The records below are plain classes with their own __init__, not dataclasses: the compiled
# build (docs/performance.md) makes such a class native, and builds one five times faster.


class Promise:
    """One promise (a metric, or one cycle of a cycle metric), instants in microseconds.

    ``target`` is the target as running time, None when no target applied; ``remaining`` is
    then None too.  ``stretches``, with ``running`` and ``business`` (each running stretch and
    its open time), are the promise's segments.
    """

    __slots__ = (
        "breached",
        "business",
        "completed",
        "due",
        "elapsed",
        "running",
        "start",
        "status",
        "stretches",
        "target",
        "zone",
    )

    def __init__(
        self,
        status: str,
        start: int | None = None,
        due: int | None = None,
        completed: int | None = None,
        breached: int | None = None,
        elapsed: int = 0,
        target: int | None = None,
        zone: Any = None,
        stretches: list[Stretch] | None = None,
        running: list[tuple[int, int]] | None = None,
        business: list[int] | None = None,
    ) -> None:
        self.status = status
        self.start = start
        self.due = due
        self.completed = completed
        self.breached = breached
        self.elapsed = elapsed
        self.target = target
        self.zone = zone
        self.stretches = stretches
        self.running = running
        self.business = business


class MetricOutcome:
    """A metric: its deciding promise, which SLA entry and target applied, and its cycles."""

    __slots__ = ("clock", "cycles", "paused", "policy", "promise", "target_text")

    def __init__(
        self,
        promise: Promise,
        policy: str | None = None,
        target_text: str | None = None,
        clock: str | None = None,
        paused: int = 0,
        cycles: list[Promise] | None = None,
    ) -> None:
        self.promise = promise
        self.policy = policy
        self.target_text = target_text
        self.clock = clock
        self.paused = paused
        self.cycles = cycles


class FiredOutcome:
    """An escalation level that fired at ``at`` (microseconds, shown in ``zone``)."""

    __slots__ = ("at", "cycle", "level", "metric", "number", "path", "zone")

    def __init__(
        self,
        at: int,
        zone: Any,
        path: str,
        number: int,
        level: EscalationLevel,
        metric: str | None,
        cycle: int | None,
    ) -> None:
        self.at = at
        self.zone = zone
        self.path = path
        self.number = number
        self.level = level
        self.metric = metric
        self.cycle = cycle


class Outcome:
    """Everything the evaluator found for one ticket (or why it could not)."""

    __slots__ = (
        "as_of",
        "compensation",
        "created",
        "errors",
        "escalations",
        "fields",
        "line",
        "metrics",
        "next_escalation_at",
        "next_zone",
        "policy",
        "ticket_id",
        "warnings",
    )

    def __init__(
        self,
        ticket_id: str | None,
        policy: str | None,
        as_of: datetime,
        metrics: dict[str, MetricOutcome],
        escalations: list[FiredOutcome],
        next_escalation_at: int | None,
        next_zone: Any,
        compensation: list[Award],
        warnings: list[str],
        errors: list[str],
        line: int | None,
        fields: dict[str, Any],
        created: datetime | None,
    ) -> None:
        self.ticket_id = ticket_id
        self.policy = policy
        self.as_of = as_of
        self.metrics = metrics
        self.escalations = escalations
        self.next_escalation_at = next_escalation_at
        self.next_zone = next_zone
        self.compensation = compensation
        self.warnings = warnings
        self.errors = errors
        self.line = line
        self.fields = fields
        self.created = created


# A ticket's instants and durations repeat (its creation starts two metrics; a cycle ends where
# the next starts; targets recur), and building a datetime costs more than finding one:
# the last ones made are kept.  (Both are immutable, so evaluations may share them.)
_MEMO_SIZE: Final = 4096
_instants: Final[dict[int, datetime]] = {}
_timedeltas: Final[dict[int, timedelta]] = {}


def _maybe(micros: int | None, zone: Any) -> datetime | None:
    if micros is None:
        return None
    found = _instants.get(micros)
    if found is not None and found.tzinfo is (zone or UTC):
        return found
    if len(_instants) >= _MEMO_SIZE:
        _instants.clear()
    made = _instants[micros] = instant(micros, zone)
    return made


def _timedelta(micros: int) -> timedelta:
    found = _timedeltas.get(micros)
    if found is None:
        if len(_timedeltas) >= _MEMO_SIZE:
            _timedeltas.clear()
        found = _timedeltas[micros] = timedelta(0, 0, micros)
    return found


def _measurement_values(promise: Promise) -> dict[str, Any]:
    zone, target = promise.zone, promise.target
    return {
        "status": promise.status,
        "started_at": _maybe(promise.start, zone),
        "due_at": _maybe(promise.due, zone),
        "completed_at": _maybe(promise.completed, zone),
        "breached_at": _maybe(promise.breached, zone),
        "elapsed": _timedelta(promise.elapsed),
        "remaining": None if target is None else _timedelta(target - promise.elapsed),
        "target_time": None if target is None else _timedelta(target),
    }


def _private(promise: Promise) -> dict[str, Any]:
    if promise.stretches is None:
        return {"_source": None}
    source = (promise.stretches, promise.running or [], promise.business or [], promise.zone)
    return {"_source": source}


def to_metric(metric: MetricOutcome) -> MetricResult:
    """The public model of one metric (its cycles included); the deciding cycle's values are
    the metric's own."""
    chosen = metric.promise
    values: dict[str, Any] | None = None
    listed: list[Measurement] | None = None
    if metric.cycles is not None:
        listed = []
        for cycle in metric.cycles:
            cycle_values = _measurement_values(cycle)
            if cycle is chosen:
                values = dict(cycle_values)
            listed.append(build(Measurement, cycle_values, _private(cycle)))
    if values is None:
        values = _measurement_values(chosen)
    values.update(
        policy=metric.policy,
        target=metric.target_text,
        clock=metric.clock,
        paused=_timedelta(metric.paused),
        cycles=listed,
    )
    return build(MetricResult, values, _private(chosen))


def to_fired(fired: FiredOutcome) -> FiredEscalation:
    """The public model of a fired escalation level."""
    level = fired.level
    values = {
        "path": fired.path,
        "level": fired.number,
        "name": level.name,
        "metric": fired.metric,
        "cycle": fired.cycle,
        "at": _maybe(fired.at, fired.zone),
        "notify": list(level.notify),
        "set_priority": level.set_priority,
        "reassign": level.reassign,
        "actions": list(level.actions),
    }
    return build(FiredEscalation, values, None)


def to_evaluation(outcome: Outcome) -> Evaluation:
    """The public :class:`Evaluation` of an outcome."""
    values = {
        "ticket_id": outcome.ticket_id,
        "policy": outcome.policy,
        "as_of": outcome.as_of,
        "metrics": {name: to_metric(metric) for name, metric in outcome.metrics.items()},
        "escalations": [to_fired(fired) for fired in outcome.escalations],
        "next_escalation_at": _maybe(outcome.next_escalation_at, outcome.next_zone),
        "compensation": outcome.compensation,
        "warnings": outcome.warnings,
        "errors": outcome.errors,
        "line": outcome.line,
    }
    return build(Evaluation, values, {"_fields": outcome.fields, "_created": outcome.created})


def error_outcome(
    message: str, as_of: datetime, ticket_id: str | None = None, line: int | None = None
) -> Outcome:
    """The outcome of a ticket that could not be read or evaluated."""
    return Outcome(ticket_id, None, as_of, {}, [], None, None, [], [], [message], line, {}, None)
