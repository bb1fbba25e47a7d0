"""Plain words for the parts of an evaluation: a metric, its cycles and segments, an escalation.

:meth:`Evaluation.explain <.evaluation.Evaluation.explain>` puts them together.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from .._common.durations import format_duration
from .results import FiredEscalation, Measurement, MetricResult


def when(moment: datetime | None) -> str:
    """An instant as ISO 8601 text, ``-`` for none."""
    return "-" if moment is None else moment.isoformat()


def _measurement_lines(m: Measurement, indent: str) -> list[str]:
    lines = []
    for seg in m.segments:
        span = seg.length
        if seg.kind == "running":
            outside = span - seg.business
            lines.append(
                f"{indent}running {when(seg.start)} -> {when(seg.end)}: "
                f"{format_duration(seg.business)} in business hours"
                + (f", {format_duration(outside)} outside them" if outside > timedelta(0) else "")
            )
        else:
            lines.append(
                f"{indent}{seg.kind} {when(seg.start)} -> {when(seg.end)}: "
                f"{format_duration(span)} not counted"
            )
    if m.target_time is not None:
        lines.append(
            f"{indent}elapsed {format_duration(m.elapsed)} of {format_duration(m.target_time)}"
            + (
                f", {format_duration(m.remaining)} left"
                if m.remaining is not None and m.remaining >= timedelta(0)
                else f", {format_duration(-m.remaining)} over"
                if m.remaining is not None
                else ""
            )
        )
    if m.due_at is not None:
        how = (
            "where the running time reaches the target"
            if m.completed_at is None and m.status not in ("running", "at_risk")
            else "projected as if the clock keeps running"
        )
        if m.elapsed >= (m.target_time or timedelta(0)):
            how = "where the running time reached the target"
        lines.append(f"{indent}due {when(m.due_at)} ({how})")
    if m.breached_at is not None:
        lines.append(
            f"{indent}breached at {when(m.breached_at)}, when the clock ran past the due time"
        )
    if m.completed_at is not None:
        lines.append(f"{indent}completed {when(m.completed_at)}")
    return lines


def metric_lines(name: str, metric: MetricResult, notes: Iterable[str] = ()) -> list[str]:
    """The lines that explain one metric, its cycles and segments; ``notes`` say which clock
    rules, not the defaults, shaped it."""
    head = f"{name}: {metric.status}"
    if metric.target is not None:
        head += f" (target {metric.target} on calendar {metric.clock}, policy {metric.policy!r})"
    lines = [head, *(f"  rule: {note}" for note in notes)]
    if metric.status == "not_applicable":
        lines.append("  no target applies to this ticket")
        return lines
    if metric.cycles is not None:
        for number, cycle in enumerate(metric.cycles):
            lines.append(f"  cycle {number + 1}: {cycle.status}")
            lines += _measurement_lines(cycle, "    ")
        if not metric.cycles:
            lines.append("  no cycle has started")
    else:
        lines += _measurement_lines(metric, "  ")
    if metric.paused > timedelta(0):
        lines.append(
            f"  paused {format_duration(metric.paused)} in all, "
            f"{format_duration(metric.paused_business)} of it in business hours"
            + (" (of the deciding cycle)" if metric.cycles is not None else "")
        )
    return lines


def escalation_line(fired: FiredEscalation) -> str:
    """The line that says which escalation level fired, when, and whom it notified."""
    target = f" ({fired.metric})" if fired.metric else ""
    return (
        f"escalation {fired.path}[{fired.level}]{target} fired {when(fired.at)}: "
        f"notify {', '.join(fired.notify) or 'nobody'}"
        + (f"; actions {', '.join(fired.actions)}" if fired.actions else "")
    )
