"""Checks a schema cannot make: references, reachability, coverage, order, plausibility."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise

from ._calendar_model import ALWAYS_OPEN_NAME
from ._durations import BusinessDays, Span, parse_span
from ._errors import Severity
from ._model import METRICS, EscalationPoint, Policy

Path = tuple[str | int, ...]
_YEAR = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class Issue:
    """A finding at a field path, before it is given a file location."""

    path: Path
    code: str
    message: str
    severity: Severity = "error"


def _did_you_mean(name: str, known: list[str]) -> str:
    hint = difflib.get_close_matches(name, known, n=1)
    return f"; did you mean {hint[0]!r}?" if hint else ""


def check_model(policy: Policy) -> list[Issue]:
    """Every semantic problem of a schema-valid policy, errors and warnings."""
    return [
        *_references(policy),
        *_reachability(policy),
        *_coverage(policy),
        *_escalation_order(policy),
        *_plausibility(policy),
    ]


def _references(policy: Policy) -> Iterator[Issue]:
    calendars = [*policy.calendars, ALWAYS_OPEN_NAME]
    if ALWAYS_OPEN_NAME in policy.calendars:
        yield Issue(
            ("calendars", ALWAYS_OPEN_NAME),
            "reserved-name",
            f"{ALWAYS_OPEN_NAME!r} is the built-in always-open calendar; choose another name",
        )
    escalations = list(policy.escalations)
    for i, sla in enumerate(policy.sla):
        if sla.calendar not in calendars:
            yield Issue(
                ("sla", i, "calendar"),
                "unknown-calendar",
                f"unknown calendar {sla.calendar!r}{_did_you_mean(sla.calendar, calendars)}",
            )
        for metric in METRICS:
            target = sla.targets.get(metric)
            if target and target.calendar and target.calendar not in calendars:
                yield Issue(
                    ("sla", i, "targets", metric, "calendar"),
                    "unknown-calendar",
                    f"unknown calendar {target.calendar!r}"
                    f"{_did_you_mean(target.calendar, calendars)}",
                )
            if target:
                for priority in target.per_priority:
                    if priority not in policy.priorities:
                        yield Issue(
                            ("sla", i, "targets", metric, priority),
                            "unknown-priority",
                            f"unknown priority {priority!r} (priorities: "
                            f"{', '.join(policy.priorities)})"
                            f"{_did_you_mean(priority, policy.priorities)}",
                        )
        if sla.escalation is not None and sla.escalation not in escalations:
            yield Issue(
                ("sla", i, "escalation"),
                "unknown-escalation",
                f"unknown escalation path {sla.escalation!r}"
                f"{_did_you_mean(sla.escalation, escalations)}",
            )
    for name, levels in policy.escalations.items():
        for j, level in enumerate(levels):
            if level.set_priority is not None and level.set_priority not in policy.priorities:
                yield Issue(
                    ("escalations", name, j, "set_priority"),
                    "unknown-priority",
                    f"unknown priority {level.set_priority!r}"
                    f"{_did_you_mean(level.set_priority, policy.priorities)}",
                )


def _reachability(policy: Policy) -> Iterator[Issue]:
    seen: dict[str, int] = {}
    for i, sla in enumerate(policy.sla):
        if sla.name in seen:
            yield Issue(
                ("sla", i, "name"),
                "duplicate-name",
                f"sla[{seen[sla.name]}] is also called {sla.name!r}",
            )
        seen.setdefault(sla.name, i)
    for i, sla in enumerate(policy.sla[:-1]):
        if sla.when is None:
            hidden = ", ".join(repr(s.name) for s in policy.sla[i + 1 :])
            yield Issue(
                ("sla", i),
                "unreachable-policy",
                f"{sla.name!r} has no 'when', so it matches every ticket and hides "
                f"the policies after it: {hidden}; move it last",
            )
            break


def _coverage(policy: Policy) -> Iterator[Issue]:
    for i, sla in enumerate(policy.sla):
        targets = [(m, sla.targets.get(m)) for m in METRICS]
        given = [(m, t) for m, t in targets if t is not None]
        if not given:
            yield Issue(("sla", i, "targets"), "no-targets", f"{sla.name!r} sets no targets")
            continue
        for priority in policy.priorities:
            if all(t.span_for(priority) is None for _, t in given):
                yield Issue(
                    ("sla", i, "targets"),
                    "missing-priority",
                    f"priority {priority!r} has no target in {sla.name!r}; add it or a 'default'",
                )


def _point_order(a: EscalationPoint, b: EscalationPoint) -> bool:
    """True when ``b`` certainly comes before ``a`` whatever the target."""
    return (
        b.fraction <= a.fraction
        and b.offset <= a.offset
        and (b.fraction, b.offset) != (a.fraction, a.offset)
    )


def _escalation_order(policy: Policy) -> Iterator[Issue]:
    for name, levels in policy.escalations.items():
        timed = [(j, lv.point) for j, lv in enumerate(levels) if lv.point is not None]
        for (_, a), (j, b) in pairwise(timed):
            assert a is not None and b is not None
            if _point_order(a, b):
                yield Issue(
                    ("escalations", name, j, "at"),
                    "escalation-order",
                    f"level {j} ({levels[j].at}) comes before the level above it "
                    f"({levels[j - 1].at if j else ''}); list levels in the order they fire",
                )
        counted: dict[str, int] = {}
        for j, level in enumerate(levels):
            if level.on_event is not None:
                previous = counted.get(level.on_event)
                if previous is not None and level.count <= previous:
                    yield Issue(
                        ("escalations", name, j, "count"),
                        "escalation-order",
                        f"count {level.count} for {level.on_event!r} is not above the "
                        f"level before it ({previous})",
                    )
                counted[level.on_event] = level.count


def _comparable(span: Span) -> tuple[int, int]:
    if isinstance(span, BusinessDays):
        return (1, span.count)
    return (0, span // timedelta(seconds=1))


def _plausibility(policy: Policy) -> Iterator[Issue]:
    for i, sla in enumerate(policy.sla):
        for metric in METRICS:
            target = sla.targets.get(metric)
            if target is None:
                continue
            written = {
                **({"default": target.default} if target.default else {}),
                **target.per_priority,
            }
            for key, text in written.items():
                span = parse_span(text)
                path = ("sla", i, "targets", metric, key)
                if span == timedelta(0) or span == BusinessDays(0):
                    yield Issue(
                        path, "zero-duration", f"{metric} target {text!r} is zero", "warning"
                    )
                elif isinstance(span, timedelta) and span > _YEAR:
                    yield Issue(
                        path, "long-duration", f"{metric} target {text!r} is over a year", "warning"
                    )
                elif isinstance(span, BusinessDays) and span.count > 260:
                    yield Issue(
                        path,
                        "long-duration",
                        f"{metric} target {text!r} is over a year of business days",
                        "warning",
                    )
            ordered = [(p, target.span_for(p)) for p in policy.priorities]
            present = [(p, s) for p, s in ordered if s is not None]
            for (hp, hs), (lp, ls) in pairwise(present):
                assert hs is not None and ls is not None
                a, b = _comparable(hs), _comparable(ls)
                if a[0] == b[0] and b[1] < a[1]:
                    yield Issue(
                        ("sla", i, "targets", metric, lp),
                        "shrinking-target",
                        f"{metric}: {lp!r} ({ls}) is shorter than the higher priority "
                        f"{hp!r} ({hs})",
                        "warning",
                    )
