"""What the evaluator computes, before it becomes an :class:`~.evaluation.Evaluation`.

The evaluator works in integer microseconds; an :class:`Outcome` keeps its answer in that
form, and :func:`to_evaluation` turns it into the pydantic models of the public API.  The JSON
writer (:mod:`.outcome_json`) reads the outcome directly and writes what the models would.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

from .._common.fastmodel import build_model
from .._common.instants import instant
from .._common.memo import BoundedMemo
from .._common.records import record_repr
from .._policy.model import EscalationLevel
from .evaluation import Evaluation
from .measure import Promise
from .results import Award, FiredEscalation, Measurement, MetricResult

# The records below are plain classes (see _common/records.py); a metric's promises are the
# measured ones of .measure.

_METRIC_FIELDS: Final = (
    "promise",
    "policy",
    "target_text",
    "clock",
    "paused",
    "cycles",
    "notes",
    "paused_business",
)


class MetricOutcome:
    """A metric: its deciding promise, which SLA entry and target applied, and its cycles."""

    __slots__ = _METRIC_FIELDS

    def __init__(
        self,
        promise: Promise,
        policy: str | None = None,
        target_text: str | None = None,
        clock: str | None = None,
        paused: int = 0,
        cycles: list[Promise] | None = None,
        notes: tuple[str, ...] = (),
        paused_business: int = 0,
    ) -> None:
        self.promise = promise
        self.policy = policy
        self.target_text = target_text
        self.clock = clock
        self.paused = paused
        self.cycles = cycles
        self.notes = notes  # the clock rules that shaped it, in words, when not the defaults
        self.paused_business = paused_business  # the paused time that was open on its clock

    def __repr__(self) -> str:
        return record_repr(self, _METRIC_FIELDS)


_FIRED_FIELDS: Final = (
    "at",
    "zone",
    "path",
    "number",
    "level",
    "metric",
    "cycle",
    "due",
    "retroactive",
)


class FiredOutcome:
    """An escalation level that fired at ``at`` (microseconds, shown in ``zone``); ``due`` is
    the instant its point was reached, earlier than ``at`` when it fired ``retroactive``-ly,
    once what made it due came into force."""

    __slots__ = _FIRED_FIELDS

    def __init__(
        self,
        at: int,
        zone: Any,
        path: str,
        number: int,
        level: EscalationLevel,
        metric: str | None,
        cycle: int | None,
        due: int,
        retroactive: bool,
    ) -> None:
        self.at = at
        self.zone = zone
        self.path = path
        self.number = number
        self.level = level
        self.metric = metric
        self.cycle = cycle
        self.due = due
        self.retroactive = retroactive

    def __repr__(self) -> str:
        return record_repr(self, _FIRED_FIELDS)


_OUTCOME_FIELDS: Final = (
    "ticket_id",
    "policy",
    "as_of",
    "metrics",
    "escalations",
    "next_escalation_at",
    "next_zone",
    "compensation",
    "warnings",
    "warning_kinds",
    "errors",
    "line",
    "fields",
    "created",
)


class Outcome:
    """Everything the evaluator found for one ticket (or why it could not)."""

    __slots__ = _OUTCOME_FIELDS

    def __init__(
        self,
        *,
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
        warning_kinds: list[str] | None = None,
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
        # The kind of each warning (``unknown-value``, ``no-policy``...), for the counts of the
        # command line's summary; not part of the JSON.
        self.warning_kinds = warning_kinds if warning_kinds is not None else []
        self.errors = errors
        self.line = line
        self.fields = fields
        self.created = created

    def __repr__(self) -> str:
        return record_repr(self, _OUTCOME_FIELDS)


# A ticket's instants and durations repeat (its creation starts two metrics; a cycle ends where
# the next starts; targets recur), and building a datetime costs more than finding one:
# the last ones made are kept.  (Both are immutable, so evaluations may share them.)
_instants: Final[BoundedMemo[int, datetime]] = BoundedMemo()
_timedeltas: Final[BoundedMemo[int, timedelta]] = BoundedMemo()


def model_instant(micros: int | None, zone: Any) -> datetime | None:
    """``instant(micros, zone)`` for a model (None for None), shared with the last ones made."""
    if micros is None:
        return None
    found = _instants.get(micros)
    if found is not None and found.tzinfo is (zone or UTC):
        return found
    return _instants.put(micros, instant(micros, zone))


def model_timedelta(micros: int) -> timedelta:
    """``timedelta(microseconds=micros)`` for a model, shared with the last ones made."""
    found = _timedeltas.get(micros)
    if found is None:
        found = _timedeltas.put(micros, timedelta(0, 0, micros))
    return found


def _measurement_values(promise: Promise) -> dict[str, Any]:
    zone, target = promise.zone, promise.target
    return {
        "status": promise.status,
        "started_at": model_instant(promise.start, zone),
        "due_at": model_instant(promise.due, zone),
        "completed_at": model_instant(promise.completed, zone),
        "breached_at": model_instant(promise.breached, zone),
        "elapsed": model_timedelta(promise.elapsed),
        "remaining": None if target is None else model_timedelta(target - promise.elapsed),
        "target_time": None if target is None else model_timedelta(target),
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
            listed.append(build_model(Measurement, cycle_values, _private(cycle)))
    if values is None:
        values = _measurement_values(chosen)
    values.update(
        policy=metric.policy,
        target=metric.target_text,
        clock=metric.clock,
        paused=model_timedelta(metric.paused),
        paused_business=model_timedelta(metric.paused_business),
        cycles=listed,
    )
    return build_model(MetricResult, values, _private(chosen))


def to_fired(fired: FiredOutcome) -> FiredEscalation:
    """The public model of a fired escalation level."""
    level = fired.level
    values = {
        "path": fired.path,
        "level": fired.number,
        "name": level.name,
        "metric": fired.metric,
        "cycle": fired.cycle,
        "at": model_instant(fired.at, fired.zone),
        "due_at": model_instant(fired.due, fired.zone),
        "retroactive": fired.retroactive,
        "notify": list(level.notify),
        "set_priority": level.set_priority,
        "reassign": level.reassign,
        "actions": list(level.actions),
    }
    return build_model(FiredEscalation, values, None)


def to_evaluation(outcome: Outcome) -> Evaluation:
    """The public :class:`Evaluation` of an outcome."""
    values = {
        "ticket_id": outcome.ticket_id,
        "policy": outcome.policy,
        "as_of": outcome.as_of,
        "metrics": {name: to_metric(metric) for name, metric in outcome.metrics.items()},
        "escalations": [to_fired(fired) for fired in outcome.escalations],
        "next_escalation_at": model_instant(outcome.next_escalation_at, outcome.next_zone),
        "compensation": outcome.compensation,
        "warnings": outcome.warnings,
        "errors": outcome.errors,
        "line": outcome.line,
    }
    private = {"_fields": outcome.fields, "_created": outcome.created}
    notes = {name: list(m.notes) for name, m in outcome.metrics.items() if m.notes}
    if notes:
        private["_notes"] = notes
    return build_model(Evaluation, values, private)


def error_outcome(
    message: str, as_of: datetime, ticket_id: str | None = None, line: int | None = None
) -> Outcome:
    """The outcome of a ticket that could not be read or evaluated."""
    return Outcome(
        ticket_id=ticket_id,
        policy=None,
        as_of=as_of,
        metrics={},
        escalations=[],
        next_escalation_at=None,
        next_zone=None,
        compensation=[],
        warnings=[],
        errors=[message],
        line=line,
        fields={},
        created=None,
    )
