"""A compliance report as typed models: what ``servicepolicy report --format json`` writes,
for programs that compute it in Python (:func:`report`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .._common.fastmodel import state_with_defaults
from .._evaluation.api import evaluate_many
from .._policy.model import Policy
from .._policy.versions import PolicySet
from .._tickets.model import Ticket, UnreadTicket
from .report import Report


class BreachCauses(BaseModel):
    """When and why a metric's breaches happened: ``by_hour`` (``"0"``..``"23"``) and
    ``by_weekday`` (``mon``..``sun``) of ``breached_at`` in the metric's zone, and the time
    breached metrics spent outside business hours and paused."""

    model_config = ConfigDict(frozen=True)

    by_hour: dict[str, int]
    by_weekday: dict[str, int]
    outside_hours_seconds: float
    paused_seconds: float


class MetricFigures(BaseModel):
    """One metric within one group; ``attainment`` is met / (met + breached) in percent,
    rounded to 2 places (None when neither); elapsed percentiles are business seconds."""

    model_config = ConfigDict(frozen=True)

    tickets: int
    met: int
    breached: int
    open: int
    attainment: float | None
    elapsed_median_seconds: float | None
    elapsed_p90_seconds: float | None
    paused_seconds: float
    paused_business_seconds: float = Field(
        default=0.0, description="the part of paused_seconds that was open on the metric's clock"
    )
    escalations: int
    breach_causes: BreachCauses

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state_with_defaults(MetricFigures, state))


class GroupFigures(BaseModel):
    """One group of tickets: its key values by ``by`` name, its metrics, and compensation
    owed by currency (Decimal strings)."""

    model_config = ConfigDict(frozen=True)

    group: dict[str, str]
    tickets: int
    compensation: dict[str, str]
    metrics: dict[str, MetricFigures]


class ComplianceReport(BaseModel):
    """Compliance figures over a batch of tickets, grouped by ``by`` (fields or ``week``);
    ``total`` sums every group.  ``failed_ids`` holds at most 1,000 of the tickets that could
    not be read or evaluated; ``failed`` counts them all.  ``weekly_attainment`` is by metric
    and ISO week of creation; ``breaches_by`` counts breaches by priority and by channel."""

    model_config = ConfigDict(frozen=True)

    as_of: datetime | None
    by: list[str]
    tickets: int
    evaluated: int
    failed: int
    failed_ids: list[str]
    total: GroupFigures
    groups: list[GroupFigures]
    weekly_attainment: dict[str, dict[str, float | None]]
    breaches_by: dict[str, dict[str, int]]


def report(
    policy: Policy | PolicySet,
    tickets: Iterable[Ticket | UnreadTicket | Mapping[str, Any]],
    as_of: datetime,
    *,
    by: Sequence[str] = (),
) -> ComplianceReport:
    """The compliance report of ``tickets`` at ``as_of``, grouped by ``by`` (ticket fields as
    they stand at ``as_of``, or ``week``): the figures of ``servicepolicy report --format
    json``.  Streams: tickets are evaluated one at a time and only counts are kept, so
    ``tickets`` may be a generator over millions.  A ticket that cannot be read or evaluated
    counts as failed and the rest go on."""
    figures = Report(by, as_of).add_all(evaluate_many(policy, tickets, as_of))
    # as_of as given: read back from its text, it would carry pydantic's own time zone class.
    return ComplianceReport.model_validate({**figures.to_dict(), "as_of": as_of})
