"""The public :class:`Evaluation`: everything servicepolicy says about one ticket."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, cast

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from .._common.fastmodel import private_value
from .._common.money import MONEY, money_text
from .._i18n import Language, language
from .explain import Calendars, DatedVersions, escalation_line, metric_lines, when
from .results import Award, FiredEscalation, MetricResult

if TYPE_CHECKING:
    from .._calendar.model import Calendar


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
    # The clock rules that shaped each metric, in words, where they are not the defaults.
    _notes: dict[str, list[str]] = PrivateAttr(default_factory=dict)

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

    def to_rows(self) -> list[dict[str, Any]]:
        """The evaluation as flat rows, one per metric, ready for ``pandas.DataFrame`` or
        ``csv.DictWriter``: the columns of ``servicepolicy evaluate --format csv``, with
        datetimes, seconds as floats, counts as ints and None for an empty cell.  A ticket
        that could not be evaluated gives one row with ``status: "error"`` and ``error``."""
        return rows_of(self)

    def explain(
        self,
        lang: str | Language = "en",
        *,
        hijri: bool = False,
        policy: Calendars | DatedVersions | None = None,
    ) -> str:
        """A plain-words account of the evaluation: policy, segments, due times.

        ``lang`` is ``"en"`` (the default) or ``"ar"`` (Arabic, ``pip install
        'servicepolicy[i18n]'``); ``hijri`` adds each date in the Umm al-Qura calendar
        (``pip install 'servicepolicy[hijri]'``).  Names from the policy stay as written.
        Given the ``policy`` that made the evaluation, each metric also names the holidays
        of its calendar that its running time went past."""
        words = language(lang, hijri=hijri) if isinstance(lang, str) else lang
        calendars = _calendars_of(policy, self.created_at)
        if self.ticket_id is not None:
            who = words.t("ticket {id}", id=self.ticket_id)
        elif self.line is not None:
            who = words.t("ticket (no id, line {line})", line=words.number(self.line))
        else:
            who = words.t("ticket (no id)")
        lines = [words.t("{ticket} as of {at}", ticket=who, at=when(self.as_of, words))]
        if self.errors:
            return (
                "\n".join(
                    lines + [words.t("error: {error}", error=words.made(e)) for e in self.errors]
                )
                + "\n"
            )
        if self.policy is None:
            lines.append(words.t("no SLA policy matches this ticket's fields"))
        else:
            lines.append(
                words.t(
                    "policy {policy} matches the ticket's fields as of now",
                    policy=repr(self.policy),
                )
            )
        notes: dict[str, list[str]] = private_value(self, "_notes") or {}
        for name, metric in self.metrics.items():
            calendar = _calendar(calendars, metric.clock)
            lines += metric_lines(name, metric, notes.get(name, ()), words, calendar)
        lines += [escalation_line(fired, words) for fired in self.escalations]
        if self.next_escalation_at is not None:
            lines.append(words.t("next escalation {at}", at=when(self.next_escalation_at, words)))
        lines += [words.t("warning: {warning}", warning=words.made(w)) for w in self.warnings]
        return "\n".join(lines) + "\n"


def _calendars_of(
    policy: Calendars | DatedVersions | None, created: datetime | None
) -> Calendars | None:
    """What names the calendars of an evaluation: the policy, or of dated versions the one
    in force when the ticket was created (None when that is not known)."""
    pick = getattr(policy, "for_instant", None)  # duck-typed: a Protocol check costs 30 µs
    if pick is not None:
        return None if created is None else cast("Calendars", pick(created))
    return cast("Calendars | None", policy)


def _calendar(calendars: Calendars | None, name: str | None) -> Calendar | None:
    if calendars is None or name is None:
        return None
    try:
        return calendars.calendar(name)
    except KeyError:
        return None


ROW_COLUMNS: Final = (
    "ticket_id",
    "line",
    "as_of",
    "policy",
    "metric",
    "status",
    "target",
    "clock",
    "started_at",
    "due_at",
    "completed_at",
    "breached_at",
    "elapsed_seconds",
    "remaining_seconds",
    "paused_seconds",
    "paused_business_seconds",
    "cycles",
    "escalations",
    "compensation",
    "warnings",
    "error",
)
"""The keys of every row, in the order of the CSV columns."""


def compensation_owed(evaluation: Evaluation) -> dict[str, Decimal]:
    """Money owed per currency, in the order the currencies are first awarded."""
    totals: dict[str, Decimal] = {}
    for award in evaluation.compensation:
        if award.amount is not None and award.currency is not None:
            totals[award.currency] = MONEY.add(totals.get(award.currency, Decimal(0)), award.amount)
    return totals


def compensation_totals(evaluation: Evaluation) -> str:
    """Money owed per currency, ``"120.00 EUR"`` (``; `` between currencies)."""
    owed = compensation_owed(evaluation)
    return "; ".join(money_text(amount, currency) for currency, amount in owed.items())


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def rows_of(evaluation: Evaluation) -> list[dict[str, Any]]:
    """One row per metric (keys :data:`ROW_COLUMNS`), or one row with ``status: "error"``."""
    base: dict[str, Any] = dict.fromkeys(ROW_COLUMNS)
    base.update(ticket_id=evaluation.ticket_id, line=evaluation.line, as_of=evaluation.as_of)
    if evaluation.errors:
        return [{**base, "status": "error", "error": "; ".join(evaluation.errors)}]
    warnings = "; ".join(evaluation.warnings)
    owed = compensation_totals(evaluation)
    rows = []
    for name, metric in evaluation.metrics.items():
        rows.append(
            {
                **base,
                "policy": metric.policy or evaluation.policy,
                "metric": name,
                "status": metric.status,
                "target": metric.target,
                "clock": metric.clock,
                "started_at": metric.started_at,
                "due_at": metric.due_at,
                "completed_at": metric.completed_at,
                "breached_at": metric.breached_at,
                "elapsed_seconds": _seconds(metric.elapsed),
                "remaining_seconds": _seconds(metric.remaining),
                "paused_seconds": _seconds(metric.paused),
                "paused_business_seconds": _seconds(metric.paused_business),
                "cycles": None if metric.cycles is None else len(metric.cycles),
                "escalations": sum(1 for e in evaluation.escalations if e.metric == name),
                "compensation": owed,
                "warnings": warnings,
            }
        )
    return rows
