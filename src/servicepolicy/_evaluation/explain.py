"""Plain words for the parts of an evaluation: a metric, its cycles and segments, an escalation.

:meth:`Evaluation.explain <.evaluation.Evaluation.explain>` puts them together, in English or
in another :class:`~servicepolicy._i18n.Language`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from .._i18n import ENGLISH, N_, Language
from .results import FiredEscalation, Measurement, MetricResult

if TYPE_CHECKING:
    from .._calendar.model import Calendar


class Calendars(Protocol):
    """What names calendars: a :class:`~servicepolicy.Policy`."""

    def calendar(self, name: str) -> Calendar:
        """The calendar called ``name``; KeyError when there is none."""
        ...


class DatedVersions(Protocol):
    """Dated versions of a policy: a :class:`~servicepolicy.PolicySet`."""

    def for_instant(self, moment: datetime) -> Any:
        """The version in force at ``moment``."""
        ...


_DAY = timedelta(days=1)
MAX_HOLIDAY_DAYS = 3660
"""The most local dates of a measurement searched for holidays (ten years); a longer one says
from which date it was not looked at."""

TERMS = (
    N_("met"),
    N_("breached"),
    N_("running"),
    N_("paused"),
    N_("at_risk"),
    N_("not_started"),
    N_("cancelled"),
    N_("not_applicable"),
    N_("solved"),
    N_("first_response"),
    N_("next_response"),
    N_("periodic_update"),
    N_("resolution"),
)
"""Statuses, segment kinds and metric names: shown as they are in English, translated in
another language (the key stays beside it where a reader may need to search for it)."""


def when(moment: datetime | None, lang: Language = ENGLISH) -> str:
    """An instant as ISO 8601 text (in ``lang``), ``-`` for none."""
    return lang.instant(moment)


def _term(word: str, lang: Language) -> str:
    return lang.t(word)


def _measurement_lines(
    m: Measurement, indent: str, lang: Language, calendar: Calendar | None
) -> list[str]:
    lines = []
    dur = lang.duration
    for seg in m.segments:
        span = seg.length
        start, end = when(seg.start, lang), when(seg.end, lang)
        if seg.kind == "running":
            outside = span - seg.business
            text = lang.t(
                "running {start} -> {end}: {business} in business hours",
                start=start,
                end=end,
                business=dur(seg.business),
            )
            if outside > timedelta(0):
                text += lang.t(", {outside} outside them", outside=dur(outside))
            lines.append(indent + text)
        else:
            lines.append(
                indent
                + lang.t(
                    "{kind} {start} -> {end}: {span} not counted",
                    kind=_term(seg.kind, lang),
                    start=start,
                    end=end,
                    span=dur(span),
                )
            )
    if calendar is not None:
        lines += [indent + line for line in holiday_lines(calendar, m, lang)]
    if m.target_time is not None:
        text = lang.t(
            "elapsed {elapsed} of {target}", elapsed=dur(m.elapsed), target=dur(m.target_time)
        )
        if m.remaining is not None and m.remaining >= timedelta(0):
            text += lang.t(", {left} left", left=dur(m.remaining))
        elif m.remaining is not None:
            text += lang.t(", {over} over", over=dur(-m.remaining))
        lines.append(indent + text)
    if m.due_at is not None:
        how = (
            lang.t("where the running time reaches the target")
            if m.completed_at is None and m.status not in ("running", "at_risk")
            else lang.t("projected as if the clock keeps running")
        )
        if m.elapsed >= (m.target_time or timedelta(0)):
            how = lang.t("where the running time reached the target")
        lines.append(indent + lang.t("due {at} ({how})", at=when(m.due_at, lang), how=how))
    if m.breached_at is not None:
        lines.append(
            indent
            + lang.t(
                "breached at {at}, when the clock ran past the due time",
                at=when(m.breached_at, lang),
            )
        )
    if m.completed_at is not None:
        lines.append(indent + lang.t("completed {at}", at=when(m.completed_at, lang)))
    return lines


def metric_lines(
    name: str,
    metric: MetricResult,
    notes: Iterable[str] = (),
    lang: Language = ENGLISH,
    calendar: Calendar | None = None,
) -> list[str]:
    """The lines that explain one metric, its cycles and segments; ``notes`` say which clock
    rules, not the defaults, shaped it; with its ``calendar``, the holidays its running time
    went past, by name."""
    head = lang.t("{metric}: {status}", metric=_term(name, lang), status=_term(metric.status, lang))
    if metric.target is not None:
        head += lang.t(
            " (target {target} on calendar {calendar}, policy {policy})",
            target=lang.written_duration(metric.target),
            calendar=metric.clock,
            policy=repr(metric.policy),
        )
    lines = [head, *(lang.t("  rule: {note}", note=lang.made(note)) for note in notes)]
    if metric.status == "not_applicable":
        lines.append("  " + lang.t("no target applies to this ticket"))
        return lines
    if metric.cycles is not None:
        for number, cycle in enumerate(metric.cycles):
            lines.append(
                "  "
                + lang.t(
                    "cycle {number}: {status}",
                    number=lang.number(number + 1),
                    status=_term(cycle.status, lang),
                )
            )
            lines += _measurement_lines(cycle, "    ", lang, calendar)
        if not metric.cycles:
            lines.append("  " + lang.t("no cycle has started"))
    else:
        lines += _measurement_lines(metric, "  ", lang, calendar)
    if metric.paused > timedelta(0):
        text = lang.t(
            "paused {paused} in all, {business} of it in business hours",
            paused=lang.duration(metric.paused),
            business=lang.duration(metric.paused_business),
        )
        if metric.cycles is not None:
            text += lang.t(" (of the deciding cycle)")
        lines.append("  " + text)
    return lines


def _local_span(start: datetime, end: datetime, zone: ZoneInfo) -> tuple[date, date] | None:
    """The first and last local dates ``[start, end)`` touches (its last instant is the one
    before ``end``, so a stretch ending at a midnight, or at a day's first instant where DST
    skips midnight, does not reach that day); None for an empty stretch."""
    if end <= start:
        return None
    first = start.astimezone(zone).date()
    # in UTC: arithmetic on a zoned datetime is on its wall clock, which DST can skip
    last = (end.astimezone(UTC) - timedelta(microseconds=1)).astimezone(zone).date()
    return first, last


def _spans_looked_at(m: Measurement, zone: ZoneInfo) -> tuple[list[tuple[date, date]], date | None]:
    """The local dates of ``m``'s running segments as spans (first and last date), in order,
    at most :data:`MAX_HOLIDAY_DAYS` dates in all; and the first date not looked at, if any."""
    spans: list[tuple[date, date]] = []
    budget = MAX_HOLIDAY_DAYS
    for seg in m.segments:
        span = (
            None
            if seg.kind != "running" or seg.end is None
            else _local_span(seg.start, seg.end, zone)
        )
        if span is None:
            continue
        first, last = span
        if spans and first <= spans[-1][1]:  # the date the previous segment ended on
            first = spans[-1][1] + _DAY
        if first > last:
            continue
        if (last - first).days + 1 > budget:
            if budget:
                spans.append((first, first + (budget - 1) * _DAY))
            return spans, first + budget * _DAY
        budget -= (last - first).days + 1
        spans.append((first, last))
    return spans, None


def holiday_lines(calendar: Calendar, m: Measurement, lang: Language = ENGLISH) -> list[str]:
    """The holidays (and days of special hours) of ``calendar`` within the running segments
    of ``m``, by name, consecutive dates of one name as one range: ``holidays on the way:
    Eid al-Fitr 2026-03-20 to 2026-03-23``.  None, no line."""
    spans, beyond = _spans_looked_at(m, ZoneInfo(calendar.timezone))
    named: dict[date, str] = {}
    if spans:
        found = calendar.holidays_between(spans[0][0], spans[-1][1] + _DAY)
        named = {
            day: name or lang.t("(no name)")
            for day, name in found.items()
            if any(first <= day <= last for first, last in spans)
        }
    if not named and beyond is None:
        return []
    ranges: list[tuple[str, date, date]] = []
    for day in sorted(named):
        if ranges and ranges[-1][0] == named[day] and ranges[-1][2] == day - timedelta(days=1):
            ranges[-1] = (ranges[-1][0], ranges[-1][1], day)
        else:
            ranges.append((named[day], day, day))
    parts = [
        lang.t("{name} {day}", name=name, day=lang.day(first))
        if first == final
        else lang.t(
            "{name} {first} to {last}", name=name, first=lang.day(first), last=lang.day(final)
        )
        for name, first, final in ranges
    ]
    if beyond is not None:
        parts.append(lang.t("dates from {day} not looked at", day=lang.day(beyond)))
    return [lang.t("holidays on the way: {holidays}", holidays=lang.join(parts))]


def escalation_line(fired: FiredEscalation, lang: Language = ENGLISH) -> str:
    """The line that says which escalation level fired, when, and whom it notified."""
    text = lang.t(
        "escalation {path}[{level}]{metric} fired {at}: notify {whom}",
        path=fired.path,
        level=fired.level,
        metric=f" ({lang.t(fired.metric)})" if fired.metric else "",
        at=when(fired.at, lang),
        whom=lang.join(fired.notify) or lang.t("nobody"),
    )
    if fired.actions:
        text += lang.t("; actions {actions}", actions=lang.join(fired.actions))
    return text
