"""The public :class:`Evaluation`: everything servicepolicy says about one ticket."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from .._common.fastmodel import private_value
from .explain import escalation_line, metric_lines, when
from .results import Award, FiredEscalation, MetricResult


class Evaluation(BaseModel):
    """Everything servicepolicy says about one ticket at ``as_of``.

    ``model_dump(mode="json")`` is the JSON output format.  A ticket that could not be read
    or evaluated has ``errors`` and no metrics.
    """

    model_config = ConfigDict(frozen=True)

    ticket_id: str | None
    policy: str | None = None
    as_of: datetime
    metrics: dict[str, MetricResult] = Field(default_factory=dict)
    escalations: list[FiredEscalation] = Field(default_factory=list)
    next_escalation_at: datetime | None = None
    compensation: list[Award] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    line: int | None = Field(
        default=None, description="input line of the ticket, when read from a file"
    )

    _fields: dict[str, Any] = PrivateAttr(default_factory=dict)
    _created: datetime | None = PrivateAttr(default=None)

    @property
    def created_at(self) -> datetime | None:
        """When the ticket was created (None for an unreadable one; not part of the JSON)."""
        created: datetime | None = private_value(self, "_created")
        return created

    @property
    def fields(self) -> dict[str, Any]:
        """The ticket's fields as they stood at ``as_of`` (not part of the JSON output)."""
        return dict(private_value(self, "_fields") or {})

    @property
    def ok(self) -> bool:
        """True when the ticket was evaluated (no errors)."""
        return not self.errors

    def explain(self) -> str:
        """A plain-words account of the evaluation: policy, segments, due times."""
        if self.ticket_id is not None:
            who = f"ticket {self.ticket_id}"
        else:
            who = "ticket (no id" + (f", line {self.line})" if self.line is not None else ")")
        lines = [f"{who} as of {when(self.as_of)}"]
        if self.errors:
            return "\n".join(lines + [f"error: {e}" for e in self.errors]) + "\n"
        if self.policy is None:
            lines.append("no SLA policy matches this ticket's fields")
        else:
            lines.append(f"policy {self.policy!r} matches the ticket's fields as of now")
        for name, metric in self.metrics.items():
            lines += metric_lines(name, metric)
        lines += [escalation_line(fired) for fired in self.escalations]
        if self.next_escalation_at is not None:
            lines.append(f"next escalation {when(self.next_escalation_at)}")
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines) + "\n"
