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
from .._i18n import N_
from .compensation import UNKNOWN_CURRENCY, CreditTier, money_places_problems
from .model import EscalationPoint, Policy
from .words import word_issues

_YEAR = timedelta(days=366)

# The messages of the checks, in English; ``validate --lang ar`` finds each again by its shape.
# A template that a hint may follow (``; did you mean 'x'?``) ends with a field in every
# language: the hint is read as part of that field.  The fields named ``span`` and
# ``duration`` hold durations, which Arabic writes in words; a tier's bounds stay as written.
_CALENDAR_ENDS = N_(
    "calendar {calendar} is open only on dated days and seasons, the last on {day}; a ticket "
    "after it cannot be measured (add weekly hours)"
)
_RULE_WITHOUT_DATES = N_("the rule {rule} gives no date from 2000 to 2028")
_FIRST_TIER_LATE = N_(
    "the first tier starts at {start}, leaving lateness below it without a tier; start it at 0h"
)
_EMPTY_TIER = N_("tier {start}-{end} is empty")
_OPEN_ENDED_TIER = N_("tier {index} has no late_to, so it overlaps every tier after it")
_TIER_GAP = N_("tiers leave a gap from {start} to {end}")
_TIER_OVERLAP = N_("tiers overlap from {start} to {end}")
_TIER_KINDS = N_(
    "tier {index} ends at {end} but tier {next} starts at {start}; use the same value for both"
)
_ALSO_CALLED = N_("{entry} is also called {name}")
_UNKNOWN_CALENDAR = N_("unknown calendar {calendar}")
_NO_CURRENCY = N_("a refund needs a currency: set compensation.currency or 'currency'")
_NO_TICKET_FIELD = N_("no example ticket has the field {field}")
_RESERVED_NAME = N_("{calendar} is the built-in always-open calendar; choose another name")
_UNKNOWN_PRIORITY = N_("unknown priority {priority}")
_AMONG_PRIORITIES = N_("{message} (priorities: {priorities})")
_UNKNOWN_ESCALATION = N_("unknown escalation path {path}")
_CATCH_ALL_FIRST = N_(
    "{name} has no 'when', so it matches every ticket and hides the policies after it: "
    "{hidden}; move it last"
)
_EMPTY_WHEN_FIRST = N_(
    "{name} has an empty 'when: {{}}', so it matches every ticket and hides the policies after "
    "it: {hidden}; move it last"
)
_PRIORITY_TWICE = N_("priority {priority} is listed twice")
_NO_TARGETS = N_("{name} sets no targets")
_PRIORITY_WITHOUT_TARGET = N_("priority {priority} has no target in {name}; add it or a 'default'")
_LEVEL_ORDER = N_(
    "level {index} ({at}) comes before the level above it ({above}); list levels in the order "
    "they fire"
)
_COUNT_ORDER = N_("count {count} for {event} is not above the level before it ({previous})")
_ZERO_TARGET = N_("{metric} target {target} is zero")
_TARGET_OVER_A_YEAR = N_("{metric} target {target} is over a year")
_TARGET_OVER_A_YEAR_OF_DAYS = N_("{metric} target {target} is over a year of business days")
_SHRINKING_TARGET = N_(
    "{metric}: {priority} ({span}) is shorter than the higher priority {higher} ({duration})"
)


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
                _CALENDAR_ENDS.format(calendar=repr(name), day=max(last_days)),
                "warning",
            )


def _holiday_rules(policy: Policy) -> Iterator[Issue]:
    for name, calendar in policy.calendars.items():
        for i, holiday in enumerate(calendar.holidays):
            if holiday.rrule is not None and not rule_has_dates(holiday.rrule):
                yield Issue(
                    ("calendars", name, "holidays", i, "rrule"),
                    "rrule-without-dates",
                    _RULE_WITHOUT_DATES.format(rule=repr(holiday.rrule)),
                    "warning",
                )


def _span_key(text: str) -> tuple[int, int]:
    return _comparable(parse_span(text))


def _tiers(tiers: list[CreditTier], path: FieldPath) -> Iterator[Issue]:
    if tiers and _span_key(tiers[0].late_from)[1] != 0:
        yield Issue(
            (*path, 0, "late_from"),
            "tier-gap",
            _FIRST_TIER_LATE.format(start=tiers[0].late_from),
        )
    for j, tier in enumerate(tiers):
        here = (*path, j)
        if tier.late_to is not None:
            low, high = _span_key(tier.late_from), _span_key(tier.late_to)
            if low[0] == high[0] and high[1] <= low[1]:
                yield Issue(
                    (*here, "late_to"),
                    "empty-tier",
                    _EMPTY_TIER.format(start=tier.late_from, end=tier.late_to),
                )
        if j + 1 == len(tiers):
            continue
        following = tiers[j + 1]
        if tier.late_to is None:
            yield Issue(
                (*here, "late_to"),
                "tier-overlap",
                _OPEN_ENDED_TIER.format(index=j),
            )
            continue
        end, start = _span_key(tier.late_to), _span_key(following.late_from)
        if end == start:
            continue
        if end[0] == start[0] and end[1] < start[1]:
            yield Issue(
                (*path, j + 1, "late_from"),
                "tier-gap",
                _TIER_GAP.format(start=tier.late_to, end=following.late_from),
            )
        elif end[0] == start[0]:
            yield Issue(
                (*path, j + 1, "late_from"),
                "tier-overlap",
                _TIER_OVERLAP.format(start=following.late_from, end=tier.late_to),
            )
        else:
            yield Issue(
                (*path, j + 1, "late_from"),
                "tier-gap",
                _TIER_KINDS.format(
                    index=j, end=tier.late_to, next=j + 1, start=following.late_from
                ),
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
                _ALSO_CALLED.format(entry=f"rules[{names[rule.name]}]", name=repr(rule.name)),
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
                _UNKNOWN_CALENDAR.format(calendar=repr(window.calendar))
                + did_you_mean(window.calendar, calendars),
            )
        currency = rule.currency or (policy.compensation.currency if policy.compensation else None)
        if currency is None:
            yield Issue(
                ("refunds", i),
                "no-currency",
                _NO_CURRENCY,
            )
        elif currency not in known_currencies():
            yield Issue(
                ("refunds", i, "currency"),
                "unknown-currency",
                UNKNOWN_CURRENCY.format(currency=repr(currency))
                + did_you_mean(currency.upper(), known_currencies()),
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
                _NO_TICKET_FIELD.format(field=repr(name)) + did_you_mean(name, sorted(known)),
                "warning",
            )


def _references(policy: Policy) -> Iterator[Issue]:
    calendars = [*policy.calendars, ALWAYS_OPEN_NAME]
    if ALWAYS_OPEN_NAME in policy.calendars:
        yield Issue(
            ("calendars", ALWAYS_OPEN_NAME),
            "reserved-name",
            _RESERVED_NAME.format(calendar=repr(ALWAYS_OPEN_NAME)),
        )
    escalations = list(policy.escalations)
    for i, sla in enumerate(policy.sla):
        if sla.calendar not in calendars:
            yield Issue(
                ("sla", i, "calendar"),
                "unknown-calendar",
                _UNKNOWN_CALENDAR.format(calendar=repr(sla.calendar))
                + did_you_mean(sla.calendar, calendars),
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
                        _UNKNOWN_CALENDAR.format(calendar=repr(named))
                        + did_you_mean(named, calendars),
                    )
            target = sla.targets.get(metric)
            if target and target.calendar and target.calendar not in calendars:
                yield Issue(
                    ("sla", i, "targets", metric, "calendar"),
                    "unknown-calendar",
                    _UNKNOWN_CALENDAR.format(calendar=repr(target.calendar))
                    + did_you_mean(target.calendar, calendars),
                )
            if target:
                for priority in target.per_priority:
                    if priority not in policy.priorities:
                        yield Issue(
                            ("sla", i, "targets", metric, priority),
                            "unknown-priority",
                            _AMONG_PRIORITIES.format(
                                message=_UNKNOWN_PRIORITY.format(priority=repr(priority)),
                                priorities=", ".join(policy.priorities),
                            )
                            + did_you_mean(priority, policy.priorities),
                            on_key=True,
                        )
        if sla.escalation is not None and sla.escalation not in escalations:
            yield Issue(
                ("sla", i, "escalation"),
                "unknown-escalation",
                _UNKNOWN_ESCALATION.format(path=repr(sla.escalation))
                + did_you_mean(sla.escalation, escalations),
            )
    for name, levels in policy.escalations.items():
        for j, level in enumerate(levels):
            if level.set_priority is not None and level.set_priority not in policy.priorities:
                yield Issue(
                    ("escalations", name, j, "set_priority"),
                    "unknown-priority",
                    _UNKNOWN_PRIORITY.format(priority=repr(level.set_priority))
                    + did_you_mean(level.set_priority, policy.priorities),
                )


def _reachability(policy: Policy) -> Iterator[Issue]:
    seen: dict[str, int] = {}
    for i, sla in enumerate(policy.sla):
        if sla.name in seen:
            yield Issue(
                ("sla", i, "name"),
                "duplicate-name",
                _ALSO_CALLED.format(entry=f"sla[{seen[sla.name]}]", name=repr(sla.name)),
            )
        seen.setdefault(sla.name, i)
    for i, sla in enumerate(policy.sla[:-1]):
        if sla.when is None or not sla.when.spec:
            hidden = ", ".join(repr(s.name) for s in policy.sla[i + 1 :])
            message = _CATCH_ALL_FIRST if sla.when is None else _EMPTY_WHEN_FIRST
            yield Issue(
                ("sla", i) if sla.when is None else ("sla", i, "when"),
                "unreachable-policy",
                message.format(name=repr(sla.name), hidden=hidden),
            )
            break


def _coverage(policy: Policy) -> Iterator[Issue]:
    seen: set[str] = set()
    for j, priority in enumerate(policy.priorities):
        if priority in seen:
            yield Issue(
                ("priorities", j),
                "duplicate-priority",
                _PRIORITY_TWICE.format(priority=repr(priority)),
            )
        seen.add(priority)
    for i, sla in enumerate(policy.sla):
        targets = [(m, sla.targets.get(m)) for m in METRICS]
        given = [(m, t) for m, t in targets if t is not None]
        if not given:
            yield Issue(
                ("sla", i, "targets"), "no-targets", _NO_TARGETS.format(name=repr(sla.name))
            )
            continue
        for priority in policy.priorities:
            if all(t.span_for(priority) is None for _, t in given):
                yield Issue(
                    ("sla", i, "targets"),
                    "missing-priority",
                    _PRIORITY_WITHOUT_TARGET.format(priority=repr(priority), name=repr(sla.name)),
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
                    _LEVEL_ORDER.format(
                        index=j, at=levels[j].at, above=levels[j - 1].at if j else ""
                    ),
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
                        _COUNT_ORDER.format(
                            count=count, event=repr(level.on_event), previous=previous
                        ),
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
                        path,
                        "zero-duration",
                        _ZERO_TARGET.format(metric=metric, target=repr(text)),
                        "warning",
                    )
                elif isinstance(span, timedelta) and span > _YEAR:
                    yield Issue(
                        path,
                        "long-duration",
                        _TARGET_OVER_A_YEAR.format(metric=metric, target=repr(text)),
                        "warning",
                    )
                elif isinstance(span, BusinessDays) and span.count > 260:
                    yield Issue(
                        path,
                        "long-duration",
                        _TARGET_OVER_A_YEAR_OF_DAYS.format(metric=metric, target=repr(text)),
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
                        _SHRINKING_TARGET.format(
                            metric=metric, priority=repr(lp), span=ls, higher=repr(hp), duration=hs
                        ),
                        "warning",
                    )
