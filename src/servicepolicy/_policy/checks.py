"""Checks a schema cannot make: references, reachability, coverage, order, plausibility."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise

from .._calendar.model import ALWAYS_OPEN_NAME
from .._calendar.recurrence import rule_has_dates
from .._common.durations import BusinessDays, Span, parse_span
from .._common.errors import FieldPath, Severity, did_you_mean
from .._common.money import known_currencies
from .._common.vocabulary import METRICS
from .compensation import CreditTier, money_places_problems
from .model import EscalationPoint, Policy
from .words import word_issues

_YEAR = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class Issue:
    """A finding at a field path, before it is given a file location."""

    path: FieldPath
    code: str
    message: str
    severity: Severity = "error"
    on_key: bool = False  # locate the key of ``path`` rather than its value


def check_model(
    policy: Policy, known_fields: set[str] | None = None, *, warnings: bool = True
) -> list[Issue]:
    """Every semantic problem of a schema-valid policy, errors and warnings.

    ``known_fields``, when given (the fields the policy's example tickets use), turns field
    references in compensation and refund rules that no ticket has into warnings.  Without
    ``warnings``, checks that can only warn and cost time (holiday rules without dates) are
    skipped.
    """
    return [
        *_references(policy),
        *_reachability(policy),
        *_coverage(policy),
        *_escalation_order(policy),
        *_plausibility(policy),
        *_compensation(policy),
        *_refunds(policy),
        *_field_references(policy, known_fields),
        *(_holiday_rules(policy) if warnings else ()),
        *_calendar_ends(policy),
        *(
            Issue(path, code, message, "warning", on_key)
            for path, code, message, on_key in word_issues(policy, known_fields)
        ),
    ]


def _calendar_ends(policy: Policy) -> Iterator[Issue]:
    """A calendar open only on dated days and seasons has no open time after the last one."""
    for name, calendar in policy.calendars.items():
        recurring = (
            any(calendar.hours.values())
            or any(h.day is None and h.hours for h in calendar.holidays)
            or any(s.last is None and any(s.hours.values()) for s in calendar.seasons)
        )
        if recurring:
            continue
        last_days = [h.day for h in calendar.holidays if h.day is not None and h.hours]
        last_days += [
            s.last for s in calendar.seasons if s.last is not None and any(s.hours.values())
        ]
        if last_days:
            yield Issue(
                ("calendars", name, "hours"),
                "calendar-ends",
                f"calendar {name!r} is open only on dated days and seasons, the last on "
                f"{max(last_days)}; a ticket after it cannot be measured (add weekly hours)",
                "warning",
            )


def _holiday_rules(policy: Policy) -> Iterator[Issue]:
    for name, calendar in policy.calendars.items():
        for i, holiday in enumerate(calendar.holidays):
            if holiday.rrule is not None and not rule_has_dates(holiday.rrule):
                yield Issue(
                    ("calendars", name, "holidays", i, "rrule"),
                    "rrule-without-dates",
                    f"the rule {holiday.rrule!r} gives no date from 2000 to 2028",
                    "warning",
                )


def _span_key(text: str) -> tuple[int, int]:
    return _comparable(parse_span(text))


def _tiers(tiers: list[CreditTier], path: FieldPath) -> Iterator[Issue]:
    if tiers and _span_key(tiers[0].late_from)[1] != 0:
        yield Issue(
            (*path, 0, "late_from"),
            "tier-gap",
            f"the first tier starts at {tiers[0].late_from}, leaving lateness below it "
            "without a tier; start it at 0h",
        )
    for j, tier in enumerate(tiers):
        here = (*path, j)
        if tier.late_to is not None:
            low, high = _span_key(tier.late_from), _span_key(tier.late_to)
            if low[0] == high[0] and high[1] <= low[1]:
                yield Issue(
                    (*here, "late_to"),
                    "empty-tier",
                    f"tier {tier.late_from}-{tier.late_to} is empty",
                )
        if j + 1 == len(tiers):
            continue
        following = tiers[j + 1]
        if tier.late_to is None:
            yield Issue(
                (*here, "late_to"),
                "tier-overlap",
                f"tier {j} has no late_to, so it overlaps every tier after it",
            )
            continue
        end, start = _span_key(tier.late_to), _span_key(following.late_from)
        if end == start:
            continue
        if end[0] == start[0] and end[1] < start[1]:
            yield Issue(
                (*path, j + 1, "late_from"),
                "tier-gap",
                f"tiers leave a gap from {tier.late_to} to {following.late_from}",
            )
        elif end[0] == start[0]:
            yield Issue(
                (*path, j + 1, "late_from"),
                "tier-overlap",
                f"tiers overlap from {following.late_from} to {tier.late_to}",
            )
        else:
            yield Issue(
                (*path, j + 1, "late_from"),
                "tier-gap",
                f"tier {j} ends at {tier.late_to} but tier {j + 1} starts at "
                f"{following.late_from}; use the same value for both",
            )


def _compensation(policy: Policy) -> Iterator[Issue]:
    comp = policy.compensation
    if comp is None:
        return
    for path, message in money_places_problems(comp):
        yield Issue(("compensation", *path), "money-precision", message)
    names: dict[str, int] = {}
    for i, rule in enumerate(comp.rules):
        if rule.name in names:
            yield Issue(
                ("compensation", "rules", i, "name"),
                "duplicate-name",
                f"rules[{names[rule.name]}] is also called {rule.name!r}",
            )
        names.setdefault(rule.name, i)
        if rule.credit is not None:
            yield from _tiers(rule.credit.tiers, ("compensation", "rules", i, "credit", "tiers"))


def _refunds(policy: Policy) -> Iterator[Issue]:
    calendars = [*policy.calendars, ALWAYS_OPEN_NAME]
    for i, rule in enumerate(policy.refunds):
        window = rule.window
        if window.calendar is not None and window.calendar not in calendars:
            yield Issue(
                ("refunds", i, "window", "calendar"),
                "unknown-calendar",
                f"unknown calendar {window.calendar!r}{did_you_mean(window.calendar, calendars)}",
            )
        currency = rule.currency or (policy.compensation.currency if policy.compensation else None)
        if currency is None:
            yield Issue(
                ("refunds", i),
                "no-currency",
                "a refund needs a currency: set compensation.currency or 'currency'",
            )
        elif currency not in known_currencies():
            yield Issue(
                ("refunds", i, "currency"),
                "unknown-currency",
                f"unknown ISO 4217 currency {currency!r}"
                f"{did_you_mean(currency.upper(), known_currencies())}",
            )


def _field_references(policy: Policy, known: set[str] | None) -> Iterator[Issue]:
    if not known:
        return
    references: list[tuple[FieldPath, str]] = []
    if policy.compensation is not None:
        for i, rule in enumerate(policy.compensation.rules):
            if rule.credit is not None and rule.credit.of is not None:
                references.append((("compensation", "rules", i, "credit", "of"), rule.credit.of))
    for i, refund in enumerate(policy.refunds):
        references.append((("refunds", i, "of"), refund.of))
        references.append((("refunds", i, "window", "from"), refund.window.start_field))
    for path, name in references:
        if name not in known:
            yield Issue(
                path,
                "unknown-field",
                f"no example ticket has the field {name!r}{did_you_mean(name, sorted(known))}",
                "warning",
            )


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
                f"unknown calendar {sla.calendar!r}{did_you_mean(sla.calendar, calendars)}",
            )
        for metric in METRICS:
            for place, owner in (
                ("targets", sla.targets.get(metric)),
                ("clock_rules", sla.clock_rules.get(metric)),
            ):
                after = getattr(owner, "start_after", None)
                named = after.get("calendar") if isinstance(after, dict) else None
                if named is not None and named not in calendars:
                    yield Issue(
                        ("sla", i, place, metric, "start_after", "calendar"),
                        "unknown-calendar",
                        f"unknown calendar {named!r}{did_you_mean(named, calendars)}",
                    )
            target = sla.targets.get(metric)
            if target and target.calendar and target.calendar not in calendars:
                yield Issue(
                    ("sla", i, "targets", metric, "calendar"),
                    "unknown-calendar",
                    f"unknown calendar {target.calendar!r}"
                    f"{did_you_mean(target.calendar, calendars)}",
                )
            if target:
                for priority in target.per_priority:
                    if priority not in policy.priorities:
                        yield Issue(
                            ("sla", i, "targets", metric, priority),
                            "unknown-priority",
                            f"unknown priority {priority!r} (priorities: "
                            f"{', '.join(policy.priorities)})"
                            f"{did_you_mean(priority, policy.priorities)}",
                            on_key=True,
                        )
        if sla.escalation is not None and sla.escalation not in escalations:
            yield Issue(
                ("sla", i, "escalation"),
                "unknown-escalation",
                f"unknown escalation path {sla.escalation!r}"
                f"{did_you_mean(sla.escalation, escalations)}",
            )
    for name, levels in policy.escalations.items():
        for j, level in enumerate(levels):
            if level.set_priority is not None and level.set_priority not in policy.priorities:
                yield Issue(
                    ("escalations", name, j, "set_priority"),
                    "unknown-priority",
                    f"unknown priority {level.set_priority!r}"
                    f"{did_you_mean(level.set_priority, policy.priorities)}",
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
        if sla.when is None or not sla.when.spec:
            hidden = ", ".join(repr(s.name) for s in policy.sla[i + 1 :])
            why = "has no 'when'" if sla.when is None else "has an empty 'when: {}'"
            yield Issue(
                ("sla", i) if sla.when is None else ("sla", i, "when"),
                "unreachable-policy",
                f"{sla.name!r} {why}, so it matches every ticket and hides "
                f"the policies after it: {hidden}; move it last",
            )
            break


def _coverage(policy: Policy) -> Iterator[Issue]:
    seen: set[str] = set()
    for j, priority in enumerate(policy.priorities):
        if priority in seen:
            yield Issue(
                ("priorities", j), "duplicate-priority", f"priority {priority!r} is listed twice"
            )
        seen.add(priority)
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
                count = level.count or 1
                if previous is not None and count <= previous:
                    yield Issue(
                        ("escalations", name, j, "count"),
                        "escalation-order",
                        f"count {count} for {level.on_event!r} is not above the "
                        f"level before it ({previous})",
                    )
                counted[level.on_event] = count


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
            texts = [(p, target.per_priority.get(p, target.default)) for p in policy.priorities]
            present = [(p, t) for p, t in texts if t is not None]
            for (hp, hs), (lp, ls) in pairwise(present):
                a, b = _comparable(parse_span(hs)), _comparable(parse_span(ls))
                if a[0] == b[0] and b[1] < a[1]:
                    yield Issue(
                        ("sla", i, "targets", metric, lp),
                        "shrinking-target",
                        f"{metric}: {lp!r} ({ls}) is shorter than the higher priority "
                        f"{hp!r} ({hs})",
                        "warning",
                    )
