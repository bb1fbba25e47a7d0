"""Reconciling with a helpdesk: its recorded SLA figures against this library's verdicts.

For each figure a helpdesk recorded (:class:`Recorded`: a ticket, a metric, its due time,
whether it was breached, when it was fulfilled) the ticket is evaluated and the two are
compared: breached or not, due times and completion times to the minute.  A difference gets a
reason in words when the ticket and the policy show one: a status the policy does not know
(so its clock ran there), a holiday of the policy's calendar between the two due times, a
change of a field that picks the target, or a gap the size of the time paused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Final

from .._common.durations import format_duration
from .._common.errors import ServicePolicyError
from .._common.vocabulary import FIELD, METRICS, STATUS
from .._evaluation.evaluation import Evaluation
from .._evaluation.results import MetricResult
from .._policy.conditions import condition_fields
from .._policy.model import Policy
from .._policy.versions import PolicySet
from .._tickets.model import Ticket, UnreadTicket

__all__ = ["Difference", "Reconciliation", "Recorded", "reconcile"]

# Statuses whose meaning the library knows without a policy naming them.
_BUILT_IN: Final = frozenset(("new", "open", "pending", "on_hold", "solved", "closed"))
_MINUTE: Final = timedelta(minutes=1)
_ENDING: Final = frozenset(("solved", "closed"))


@dataclass(frozen=True)
class Recorded:
    """What a helpdesk recorded for one metric of one ticket: its due time, whether it was
    breached, when it was fulfilled (each None when the helpdesk does not say) and where the
    figure came from (``detail``)."""

    ticket_id: str
    metric: str
    due_at: datetime | None = None
    breached: bool | None = None
    completed_at: datetime | None = None
    detail: str = ""
    cycle: int | None = None  # for a cycle metric: which cycle (1-based), when the helpdesk says


@dataclass(frozen=True)
class Difference:
    """One figure on which the helpdesk and this library differ: ``what`` differs
    (``breached``, ``due_at``, ``completed_at`` or ``missing``), each side's value in words, and
    the likely ``reason`` (empty when none shows)."""

    ticket_id: str
    metric: str
    what: str
    ours: str
    theirs: str
    reason: str
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        """The difference as JSON-ready text values."""
        return {
            "ticket_id": self.ticket_id,
            "metric": self.metric,
            "what": self.what,
            "servicepolicy": self.ours,
            "helpdesk": self.theirs,
            "reason": self.reason,
            "detail": self.detail,
        }


@dataclass
class Reconciliation:
    """The outcome of a reconciliation: the differences, and per metric how many recorded
    figures were compared and how many agreed; ``unmatched`` are the ids of recorded tickets
    that were not among the tickets (or could not be evaluated)."""

    source: str
    differences: list[Difference] = field(default_factory=list)
    compared: Counter[str] = field(default_factory=Counter)
    agreed: Counter[str] = field(default_factory=Counter)
    unmatched: list[str] = field(default_factory=list)

    def agreement(self) -> dict[str, float | None]:
        """Per metric, agreeing figures as a percentage of those compared (2 places)."""
        return {
            metric: round(100 * self.agreed[metric] / self.compared[metric], 2)
            if self.compared[metric]
            else None
            for metric in METRICS
            if metric in self.compared
        }

    def to_dict(self) -> dict[str, Any]:
        """The reconciliation as JSON-ready values."""
        return {
            "source": self.source,
            "differences": [d.to_dict() for d in self.differences],
            "agreement": {
                metric: {
                    "compared": self.compared[metric],
                    "agreed": self.agreed[metric],
                    "percent": percent,
                }
                for metric, percent in self.agreement().items()
            },
            "unmatched": self.unmatched,
        }


def reconcile(
    policy: Policy | PolicySet,
    tickets: Iterable[Ticket | UnreadTicket],
    recorded: Iterable[Recorded],
    *,
    as_of: datetime,
    source: str,
) -> Reconciliation:
    """Compare ``recorded`` figures with the evaluation of ``tickets`` under ``policy``.

    The recorded figures are held in memory (a few per ticket); tickets stream.
    """
    wanted: dict[str, list[Recorded]] = {}
    for figure in recorded:
        wanted.setdefault(figure.ticket_id, []).append(figure)
    result = Reconciliation(source)
    for ticket in tickets:
        if isinstance(ticket, UnreadTicket) or ticket.id not in wanted:
            continue
        figures = wanted.pop(ticket.id)
        try:
            evaluation = policy.evaluate(ticket, as_of)
        except ServicePolicyError:
            wanted[ticket.id] = figures
            continue
        if evaluation.errors:
            wanted[ticket.id] = figures
            continue
        for figure in figures:
            _compare(result, ticket, evaluation, figure, _as_policy(policy, as_of))
    result.unmatched = sorted(wanted)
    return result


def _as_policy(policy: Policy | PolicySet, as_of: datetime) -> Policy:
    return policy.for_instant(as_of) if isinstance(policy, PolicySet) else policy


def _compare(
    result: Reconciliation,
    ticket: Ticket,
    evaluation: Evaluation,
    figure: Recorded,
    policy: Policy,
) -> None:
    metric = evaluation.metrics.get(figure.metric)
    if metric is None:
        return
    result.compared[figure.metric] += 1
    found = list(_differences(ticket, metric, figure, policy))
    if found:
        result.differences.extend(found)
    else:
        result.agreed[figure.metric] += 1


def _differences(
    ticket: Ticket, metric: MetricResult, figure: Recorded, policy: Policy
) -> Iterator[Difference]:
    def differ(what: str, ours: str, theirs: str, reason: str) -> Difference:
        return Difference(ticket.id, figure.metric, what, ours, theirs, reason or "", figure.detail)

    if metric.status in ("not_applicable", "not_started") and (
        figure.due_at is not None or figure.breached
    ):
        yield differ(
            "missing",
            f"{metric.status} (no target of the policy applies)",
            _theirs(figure),
            _field_reason(ticket, policy, None),
        )
        return
    breached = metric.status == "breached"
    dues = _dues(metric, figure.cycle)
    due_differs = figure.due_at is not None and not _matches(figure.due_at, dues)
    compared = due_differs or figure.breached is not None
    reason = _reason(ticket, metric, figure, policy) if compared else ""
    if figure.breached is not None and figure.breached != breached:
        yield differ(
            "breached",
            _verdict(metric),
            "breached" if figure.breached else "not breached",
            reason,
        )
    if due_differs and figure.due_at is not None:
        ours = " or ".join(sorted({due.isoformat() for due in dues}))
        yield differ("due_at", ours, figure.due_at.isoformat(), reason)
    if (
        figure.completed_at is not None
        and metric.completed_at is not None
        and abs(figure.completed_at - metric.completed_at) >= _MINUTE
    ):
        yield differ(
            "completed_at",
            metric.completed_at.isoformat(),
            figure.completed_at.isoformat(),
            _reopen_reason(ticket, figure.completed_at, metric.completed_at)
            or "the event that fulfils the metric differs (which messages count as a response?)",
        )


def _reopen_reason(ticket: Ticket, theirs: datetime, ours: datetime) -> str:
    """A helpdesk that keeps a ticket's first close, where the ticket was reopened."""
    if not theirs < ours:
        return ""
    closes = [
        e.at
        for e in ticket.events
        if e.type == STATUS and e.status in _ENDING and abs(e.at - theirs) < _MINUTE
    ]
    if not closes:
        return ""
    return (
        f"the ticket was solved at {closes[0].isoformat()} and reopened later: the helpdesk "
        "keeps that first close, the policy measures to the last"
    )


def _theirs(figure: Recorded) -> str:
    parts = []
    if figure.due_at is not None:
        parts.append(f"due {figure.due_at.isoformat()}")
    if figure.breached is not None:
        parts.append("breached" if figure.breached else "not breached")
    return ", ".join(parts) or "recorded"


def _verdict(metric: MetricResult) -> str:
    due = f", due {metric.due_at.isoformat()}" if metric.due_at is not None else ""
    return f"{metric.status}{due}"


def _dues(metric: MetricResult, cycle: int | None) -> list[datetime]:
    """The due times a recorded one may be compared with: the named cycle's; else the
    metric's own (its deciding cycle's) and, for a cycle metric, the last cycle's (the one a
    helpdesk shows as current)."""
    cycles = metric.cycles or []
    if cycle is not None:
        chosen = cycles[cycle - 1].due_at if 0 < cycle <= len(cycles) else None
        return [chosen] if chosen is not None else []
    dues = [metric.due_at] if metric.due_at is not None else []
    if cycles and cycles[-1].due_at is not None:
        dues.append(cycles[-1].due_at)
    return dues


def _matches(moment: datetime, candidates: list[datetime]) -> bool:
    # Paused now, the library shows no due time: nothing to compare.
    return not candidates or any(abs(moment - c) < _MINUTE for c in candidates)


def _reason(ticket: Ticket, metric: MetricResult, figure: Recorded, policy: Policy) -> str:
    """The likeliest cause of a difference, in words; empty when none shows."""
    return (
        _status_reason(ticket, metric, policy)
        or _holiday_reason(metric, figure, policy)
        or _field_reason(ticket, policy, metric)
        or _pause_reason(metric, figure)
        or _gap(metric, figure)
    )


def _status_reason(ticket: Ticket, metric: MetricResult, policy: Policy) -> str:
    known = _BUILT_IN | set(policy.statuses)
    end = metric.completed_at
    for event in sorted(ticket.events, key=lambda e: e.at):
        if end is not None and event.at >= end:
            break
        if event.type == STATUS and event.status is not None and event.status not in known:
            return (
                f"status {event.status!r} (from {event.at.isoformat()}) is unknown to the "
                "policy, so its clock ran there: a pause status unknown to the policy?"
            )
    return ""


def _holiday_reason(metric: MetricResult, figure: Recorded, policy: Policy) -> str:
    if figure.due_at is None or metric.due_at is None or metric.clock is None:
        return ""
    calendar = policy.calendars.get(metric.clock)
    if calendar is None:
        return ""
    zone = calendar.zone
    first, last = sorted((figure.due_at.astimezone(zone), metric.due_at.astimezone(zone)))
    end = min(last.date(), first.date() + (_MOST_DAYS - 1) * _DAY) + _DAY
    for day, name in calendar.holidays_between(first.date(), end).items():
        # a holiday of any source (dated, rule, country, Hijri, iCalendar) that closes the day
        midnight = datetime.combine(day, time(0), zone)
        if not calendar.elapsed(midnight, midnight + _DAY):
            named = f" ({name})" if name else ""
            return (
                f"{day.isoformat()}{named} is a holiday of the policy's calendar "
                f"{metric.clock!r} between the two due times: a holiday in one calendar only?"
            )
    return ""


_MOST_DAYS = 3660  # the local dates searched for a holiday between two due times (ten years)
_DAY = timedelta(days=1)


def _field_reason(ticket: Ticket, policy: Policy, metric: MetricResult | None) -> str:
    end = metric.completed_at if metric is not None else None
    watched = {"priority", *_condition_fields(policy)}
    for event in sorted(ticket.events, key=lambda e: e.at):
        if end is not None and event.at >= end:
            break
        if event.type == FIELD and event.field in watched:
            return (
                f"{event.field} changed to {event.value!r} at {event.at.isoformat()}: the "
                "target changed mid-life (the policy applies the one in force at the end; "
                "a helpdesk may keep the first)"
            )
    return ""


def _condition_fields(policy: Policy) -> set[str]:
    names: set[str] = set()
    for entry in policy.sla:
        if entry.when is not None:
            names.update(condition_fields(entry.when.spec))
    return names


def _pause_reason(metric: MetricResult, figure: Recorded) -> str:
    if figure.due_at is None or metric.due_at is None or metric.paused <= timedelta(0):
        return ""
    gap = abs(figure.due_at - metric.due_at)
    for paused in (metric.paused, metric.paused_business):
        if paused > timedelta(0) and abs(gap - paused) < _MINUTE:
            return (
                f"the due times differ by the time paused ({format_duration(paused)}): one "
                "side pauses this clock and the other does not"
            )
    return ""


def _gap(metric: MetricResult, figure: Recorded) -> str:
    if figure.due_at is None or metric.due_at is None:
        return ""
    gap = figure.due_at - metric.due_at
    side = "later" if gap > timedelta(0) else "earlier"
    return f"the helpdesk's due time is {format_duration(abs(gap))} {side}"
