"""The parts of an evaluation: pydantic models whose JSON is the output format.

:class:`~.evaluation.Evaluation` holds them, one per metric, escalation and award.

Instants are aware datetimes (ISO 8601 with offset in JSON); durations are timedeltas
(ISO 8601 in JSON) with a ``*_seconds`` twin for programs that want numbers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, computed_field

from .._common.fastmodel import private_value, state_with_defaults
from .._common.instants import instant

Status = Literal[
    "met", "breached", "running", "at_risk", "paused", "not_started", "cancelled", "not_applicable"
]
SegmentKind = Literal["running", "paused", "solved"]


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


class Segment(BaseModel):
    """A stretch of a metric's life: running (with its open ``business`` time), paused or solved."""

    model_config = ConfigDict(frozen=True)

    kind: SegmentKind
    start: datetime
    end: datetime
    business: timedelta

    @property
    def length(self) -> timedelta:
        """Real time from start to end (across a DST change too; not wall-clock arithmetic)."""
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)


class Measurement(BaseModel):
    """Status and times of one promise: a metric, or one cycle of a cycle metric."""

    model_config = ConfigDict(frozen=True)

    status: Status
    started_at: datetime | None = None
    due_at: datetime | None = None
    completed_at: datetime | None = None
    breached_at: datetime | None = None
    elapsed: timedelta = timedelta(0)
    remaining: timedelta | None = None
    target_time: timedelta | None = Field(
        default=None, description="the target as running time (business days converted)"
    )

    # (stretches, running stretches, their open time, zone): segments, built when asked for.
    _source: Any = PrivateAttr(default=None)

    @property
    def segments(self) -> list[Segment]:
        """The stretches of this promise's life, in order: running, paused or solved."""
        source = private_value(self, "_source")
        if source is None:
            return []
        stretches, running, business, zone = source
        open_time = dict(zip(running, business, strict=True))
        return [
            Segment(
                kind=kind,
                start=instant(start, zone),
                end=instant(end, zone),
                business=timedelta(microseconds=open_time.get((start, end), 0)),
            )
            for kind, start, end in stretches
        ]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def elapsed_seconds(self) -> float:
        """``elapsed`` in seconds."""
        return self.elapsed.total_seconds()

    @computed_field  # type: ignore[prop-decorator]
    @property
    def remaining_seconds(self) -> float | None:
        """``remaining`` in seconds (negative when late)."""
        return _seconds(self.remaining)


class MetricResult(Measurement):
    """One metric of a ticket; cycle metrics also list their ``cycles``."""

    policy: str | None = None
    target: str | None = None
    clock: str | None = None
    paused: timedelta = timedelta(0)
    paused_business: timedelta = Field(
        default=timedelta(0), description="the part of 'paused' that was open on the clock"
    )
    cycles: list[Measurement] | None = None

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state_with_defaults(MetricResult, state))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def paused_seconds(self) -> float:
        """``paused`` in seconds."""
        return self.paused.total_seconds()

    @computed_field  # type: ignore[prop-decorator]
    @property
    def paused_business_seconds(self) -> float:
        """``paused_business`` in seconds."""
        return self.paused_business.total_seconds()


class FiredEscalation(BaseModel):
    """An escalation level that fired, when, for which metric, and what it asks for.

    A level fires when its point is reached (``due_at``), but never before the SLA entry whose
    path it is and the rule of its metric came into force: a level due earlier fires then,
    ``retroactive``, with ``at`` the instant it came into force.
    """

    model_config = ConfigDict(frozen=True)

    path: str
    level: int
    name: str | None = None
    metric: str | None = None
    cycle: int | None = None
    at: datetime
    due_at: datetime = Field(
        description="when the level's point was reached; before 'at' when it fired late"
    )
    retroactive: bool = Field(
        default=False,
        description=(
            "fired late: its point was reached before what makes it due (the SLA entry, the "
            "rule of its metric) came into force, and it fired then"
        ),
    )
    notify: list[str] = Field(default_factory=list)
    set_priority: str | None = None
    reassign: str | None = None
    actions: list[str] = Field(default_factory=list)


class Award(BaseModel):
    """What a ticket is owed under one compensation rule: a credit or a gesture."""

    model_config = ConfigDict(frozen=True)

    rule: str
    kind: Literal["credit", "refund", "gesture"]
    amount: Decimal | None = None
    currency: str | None = None
    gesture: str | None = None
    tier: str | None = None
    approval_required: bool = False
    reason: str


class RefundDecision(BaseModel):
    """Whether a ticket's refund request is eligible, for how much, under which rule, and why."""

    model_config = ConfigDict(frozen=True)

    ticket_id: str
    eligible: bool
    rule: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    full: bool = False
    window_ends_at: datetime | None = None
    reason: str
