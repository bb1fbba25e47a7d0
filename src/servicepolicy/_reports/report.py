"""Compliance reports: evaluations folded into counts, in memory that does not grow with N.

Every evaluation is added once and dropped: per group and metric the report keeps counters,
sums, and a histogram of elapsed business time whose buckets are one minute wide below a day,
ten minutes below a week and an hour beyond, so a histogram never has more than about 11,000
buckets for a year of business time, however many tickets it counts.  Error records are
counted, so counts in equal counts out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from .._common.errors import did_you_mean, printable
from .._common.money import MONEY
from .._common.vocabulary import METRICS
from .._evaluation.evaluation import Evaluation

_MINUTE = timedelta(minutes=1)
NO_VALUE = "(none)"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
COUNTED = frozenset(("met", "breached", "running", "at_risk", "paused", "cancelled"))


_DAY_MINUTES, _WEEK_MINUTES = 1440, 7 * 1440


def bucket_of(minutes: int) -> int:
    """The bucket (its lower bound, in minutes) a duration of ``minutes`` falls in: exact below
    a day, to ten minutes below a week, to the hour beyond."""
    if minutes < _DAY_MINUTES:
        return minutes
    if minutes < _WEEK_MINUTES:
        return minutes - minutes % 10
    return minutes - minutes % 60


class MinuteHistogram:
    """Counts of durations in bounded buckets (see :func:`bucket_of`); memory does not grow
    with the number of durations counted."""

    def __init__(self) -> None:
        self.counts: Counter[int] = Counter()
        self.total = 0

    def add(self, value: timedelta) -> None:
        """Count one duration (rounded down to its bucket)."""
        self.counts[bucket_of(value // _MINUTE)] += 1
        self.total += 1

    def merge(self, other: MinuteHistogram) -> None:
        """Count the durations ``other`` counted too."""
        self.counts.update(other.counts)
        self.total += other.total

    def quantile(self, q: float) -> timedelta | None:
        """The nearest-rank ``q`` quantile (``0.5`` median, ``0.9`` p90) as its bucket's lower
        bound: exact to the minute below a day.  None when empty."""
        if not self.total:
            return None
        rank = max(1, -(-int(q * 1000) * self.total // 1000))
        seen = 0
        for minute in sorted(self.counts):
            seen += self.counts[minute]
            if seen >= rank:
                return minute * _MINUTE
        return max(self.counts) * _MINUTE


@dataclass
class MetricStats:
    """One metric within one group."""

    tickets: int = 0
    met: int = 0
    breached: int = 0
    open: int = 0
    paused: timedelta = timedelta(0)
    paused_business: timedelta = timedelta(0)
    escalations: int = 0
    elapsed: MinuteHistogram = field(default_factory=MinuteHistogram)
    breach_hours: Counter[int] = field(default_factory=Counter)
    breach_weekdays: Counter[int] = field(default_factory=Counter)
    lost_outside_hours: timedelta = timedelta(0)
    lost_paused: timedelta = timedelta(0)
    targets: Counter[int] = field(default_factory=Counter)  # target running time in minutes

    @property
    def attainment(self) -> float | None:
        """Met as a percentage of met plus breached (None when neither)."""
        decided = self.met + self.breached
        return round(100 * self.met / decided, 2) if decided else None


@dataclass
class GroupStats:
    """Everything the report knows about one group of tickets."""

    key: tuple[str, ...]
    tickets: int = 0
    metrics: dict[str, MetricStats] = field(
        default_factory=lambda: {name: MetricStats() for name in METRICS}
    )
    compensation: dict[str, Decimal] = field(default_factory=dict)


def week_of(moment: datetime) -> str:
    """ISO week of an instant, ``2026-W47``."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _value_text(value: Any) -> str:
    if value is None:
        return NO_VALUE
    if isinstance(value, bool):
        return "true" if value else "false"
    try:
        return printable(str(value))
    except ValueError:  # an integer past Python's limit for its digits
        return "(a number too long to show)"


def group_key(evaluation: Evaluation, by: Sequence[str]) -> tuple[str, ...]:
    """The group of an evaluation: for each key, the ticket's field as it stood at ``as_of``,
    or for ``week`` the ISO week of its creation; a missing value is ``(none)``."""
    fields = evaluation.fields
    created = evaluation.created_at
    return tuple(
        (week_of(created) if created else NO_VALUE)
        if name == "week"
        else _value_text(fields.get(name))
        for name in by
    )


class Report:
    """Folds evaluations into compliance figures, grouped by ``by`` (fields or ``week``)."""

    def __init__(self, by: Sequence[str] = (), as_of: datetime | None = None) -> None:
        self.by = tuple(by)
        self.as_of = as_of
        self.groups: dict[tuple[str, ...], GroupStats] = {}
        self.total = GroupStats(("all",))
        self.tickets_in = 0
        self.failed = 0
        self.failed_ids: list[str] = []
        self.weekly: dict[str, dict[str, list[int]]] = {m: {} for m in METRICS}
        self.breaches_by: dict[str, Counter[str]] = {"priority": Counter(), "channel": Counter()}
        self.fields_seen: set[str] = set()  # the field names of the evaluated tickets

    def add(self, evaluation: Evaluation) -> None:
        """Count one evaluation (an error record counts as failed)."""
        self.tickets_in += 1
        if evaluation.errors:
            self.failed += 1
            if len(self.failed_ids) < 1000:
                self.failed_ids.append(evaluation.ticket_id or "?")
            return
        created = evaluation.created_at
        key = group_key(evaluation, self.by)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = GroupStats(key)
        fired = Counter(e.metric for e in evaluation.escalations if e.metric)
        fields = evaluation.fields
        self.fields_seen.update(fields)
        for target in (group, self.total):
            target.tickets += 1
            for award in evaluation.compensation:
                if award.amount is not None and award.currency:
                    target.compensation[award.currency] = MONEY.add(
                        target.compensation.get(award.currency, Decimal(0)), award.amount
                    )
        for name, metric in evaluation.metrics.items():
            if metric.status not in COUNTED:
                continue
            for target in (group, self.total):
                _count(target.metrics[name], metric, fired.get(name, 0))
            if metric.status in ("met", "breached") and created is not None:
                week = self.weekly[name].setdefault(week_of(created), [0, 0])
                week[0 if metric.status == "met" else 1] += 1
            if metric.status == "breached":
                for dimension, counter in self.breaches_by.items():
                    counter[_value_text(fields.get(dimension))] += 1

    def merge(self, other: Report) -> None:
        """Count what ``other`` (a report of later tickets, by the same ``by``) counted: the
        figures are exactly those of one report over both."""
        self.tickets_in += other.tickets_in
        self.failed += other.failed
        self.failed_ids += other.failed_ids[: max(0, 1000 - len(self.failed_ids))]
        for key, group in other.groups.items():
            mine = self.groups.get(key)
            if mine is None:
                self.groups[key] = group
            else:
                _merge_group(mine, group)
        _merge_group(self.total, other.total)
        for metric, weeks in other.weekly.items():
            for week, (met, breached) in weeks.items():
                counts = self.weekly[metric].setdefault(week, [0, 0])
                counts[0] += met
                counts[1] += breached
        for dimension, counter in other.breaches_by.items():
            self.breaches_by[dimension].update(counter)
        self.fields_seen |= other.fields_seen

    def add_all(self, evaluations: Iterable[Evaluation]) -> Report:
        """Count every evaluation; returns the report."""
        for evaluation in evaluations:
            self.add(evaluation)
        return self

    def unseen_groupings(self) -> list[str]:
        """A warning for each ``by`` field that no evaluated ticket has (``"(none)"`` would
        then be the only group), with "did you mean" among the fields tickets have."""
        said = []
        for name in self.by:
            if name != "week" and name not in self.fields_seen and self.tickets_in > self.failed:
                hint = did_you_mean(name, sorted(self.fields_seen))
                said.append(f"no ticket has the field {name!r} given to --by{hint}")
        return said

    def sorted_groups(self) -> list[GroupStats]:
        """The groups in key order."""
        return [self.groups[k] for k in sorted(self.groups)]

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "by": list(self.by),
            "tickets": self.tickets_in,
            "evaluated": self.tickets_in - self.failed,
            "failed": self.failed,
            "failed_ids": self.failed_ids,
            "total": _group_dict(self.total, ("all",)),
            "groups": [_group_dict(g, self.by) for g in self.sorted_groups()],
            "weekly_attainment": {
                metric: {
                    week: _percent(met, breached) for week, (met, breached) in sorted(w.items())
                }
                for metric, w in self.weekly.items()
                if w
            },
            "breaches_by": {k: dict(sorted(v.items())) for k, v in self.breaches_by.items()},
        }


def _merge_group(group: GroupStats, other: GroupStats) -> None:
    group.tickets += other.tickets
    for currency, amount in other.compensation.items():
        group.compensation[currency] = MONEY.add(
            group.compensation.get(currency, Decimal(0)), amount
        )
    for name, stats in other.metrics.items():
        _merge_stats(group.metrics[name], stats)


def _merge_stats(stats: MetricStats, other: MetricStats) -> None:
    stats.tickets += other.tickets
    stats.met += other.met
    stats.breached += other.breached
    stats.open += other.open
    stats.paused += other.paused
    stats.paused_business += other.paused_business
    stats.escalations += other.escalations
    stats.elapsed.merge(other.elapsed)
    stats.breach_hours.update(other.breach_hours)
    stats.breach_weekdays.update(other.breach_weekdays)
    stats.lost_outside_hours += other.lost_outside_hours
    stats.lost_paused += other.lost_paused
    stats.targets.update(other.targets)


def _count(stats: MetricStats, metric: Any, fired: int) -> None:
    stats.tickets += 1
    stats.escalations += fired
    stats.paused += metric.paused
    stats.paused_business += metric.paused_business
    if metric.target_time is not None:
        stats.targets[metric.target_time // _MINUTE] += 1
    if metric.status == "met":
        stats.met += 1
    elif metric.status == "breached":
        stats.breached += 1
        at = metric.breached_at
        if at is not None:
            stats.breach_hours[at.hour] += 1
            stats.breach_weekdays[at.weekday()] += 1
        running_wall = sum((s.length for s in metric.segments if s.kind == "running"), timedelta(0))
        stats.lost_outside_hours += running_wall - metric.elapsed
        stats.lost_paused += metric.paused
    else:
        stats.open += 1
    if metric.completed_at is not None or metric.status == "breached":
        stats.elapsed.add(metric.elapsed)


def _percent(met: int, breached: int) -> float | None:
    return round(100 * met / (met + breached), 2) if met + breached else None


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _group_dict(group: GroupStats, by: Sequence[str]) -> dict[str, Any]:
    return {
        "group": dict(zip(by, group.key, strict=False)),
        "tickets": group.tickets,
        "compensation": {c: f"{a:f}" for c, a in sorted(group.compensation.items())},
        "metrics": {
            name: {
                "tickets": s.tickets,
                "met": s.met,
                "breached": s.breached,
                "open": s.open,
                "attainment": s.attainment,
                "elapsed_median_seconds": _seconds(s.elapsed.quantile(0.5)),
                "elapsed_p90_seconds": _seconds(s.elapsed.quantile(0.9)),
                "paused_seconds": s.paused.total_seconds(),
                "paused_business_seconds": s.paused_business.total_seconds(),
                "escalations": s.escalations,
                "breach_causes": {
                    "by_hour": {str(h): n for h, n in sorted(s.breach_hours.items())},
                    "by_weekday": {WEEKDAYS[d]: n for d, n in sorted(s.breach_weekdays.items())},
                    "outside_hours_seconds": s.lost_outside_hours.total_seconds(),
                    "paused_seconds": s.lost_paused.total_seconds(),
                },
            }
            for name, s in group.metrics.items()
            if s.tickets
        },
    }
