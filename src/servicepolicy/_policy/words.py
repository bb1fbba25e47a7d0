"""Checks of the words a policy uses: the fields and values its conditions test, the statuses
it pauses on, the event types its escalations count, the priorities of its targets, and
calendar-day targets among business-day ones.

With a vocabulary (``fields``, ``statuses``, ``events``), every word is checked against it.
Without one, what can be checked still is: a status or event type that is not built in but
is close to one that is (``pendng``, ``agent-reply``), and a field that is close to another
the file or its example tickets use (``teir``).  Each is a warning, located where the word is
written, so ``servicepolicy validate --strict`` fails on it.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterator
from typing import Any

from .._common.durations import BusinessDays, parse_span
from .._common.errors import FieldPath
from .._common.vocabulary import METRICS, TERMINAL
from .._i18n import N_
from .declarations import BUILT_IN_EVENTS, BUILT_IN_STATUSES
from .model import Policy

_COMBINING = ("any_of", "all_of", "not")
_OUTCOMES = ("breached", "met")
_VALUE_OPERATORS = ("eq", "ne", "in", "not_in")
_ALWAYS_OPEN = "24/7"

# The messages, in English; ``validate --lang ar`` finds each again by its shape.  A hint is a
# template of its own: ``; declare it under 'fields:'`` here, ``; did you mean 'x'?`` the one
# that ``did_you_mean`` writes.
_PAUSE_ON_SOLVED = N_("status {status} ends the metric, so it never pauses it")
_UNKNOWN_WORD = {
    "status": N_("status {name} is neither built in nor declared"),
    "event type": N_("event type {name} is neither built in nor declared"),
}
_DECLARE_IT = N_("{message}; declare it under {section}")
_FIRST_MESSAGE_ATTRIBUTE = N_(
    "the first message has an actor, public, channel and subject, not {attribute}"
)
_UNDECLARED_FIELD = N_("field {field} is not declared")
_LOOKS_LIKE_A_TICKET_FIELD = N_(
    "field {field} looks like {near}, which the example tickets have: is one misspelt?"
)
_LOOKS_LIKE_A_FILE_FIELD = N_(
    "field {field} looks like {near}, which the file also uses: is one misspelt?"
)
_NEVER_HOLDS = N_("field {field} never holds {value}: its values are {values}")
_UNDECLARED_PRIORITY = N_("priority {priority} is not one of the declared values {values}")
_CALENDAR_DAYS = N_(
    "{target} is {days} x 24 hours of open time on calendar {calendar}, while other targets "
    "count business days; write {fixed} for business days"
)


def _close(word: str, known: list[str]) -> str | None:
    """The known word ``word`` is most likely a misspelling of (also in other letters)."""
    for candidate in known:
        if candidate.casefold() == word.casefold() and candidate != word:
            return candidate
    near = difflib.get_close_matches(word, known, n=1, cutoff=0.75)
    return near[0] if near and near[0] != word else None


def word_issues(policy: Policy, known_fields: set[str] | None) -> Iterator[tuple[Any, ...]]:
    """``(path, code, message, on_key)`` of every word the policy uses that it should not."""
    yield from _statuses(policy)
    yield from _events(policy)
    yield from _conditions(policy, known_fields or set())
    yield from _priorities(policy)
    yield from _calendar_days(policy)


def _statuses(policy: Policy) -> Iterator[tuple[Any, ...]]:
    known = [*BUILT_IN_STATUSES, *policy.statuses]
    ending = {*TERMINAL, *(n for n, m in policy.statuses.items() if m in ("solved", "closed"))}
    for i, entry in enumerate(policy.sla):
        for where, statuses in entry.pause_lists():
            for j, status in enumerate(statuses):
                if status in ending:
                    yield (
                        ("sla", i, *where, j),
                        "pause-on-solved",
                        _PAUSE_ON_SOLVED.format(status=repr(status)),
                        False,
                    )
                yield from _unknown(
                    ("sla", i, *where, j), "status", status, known, bool(policy.statuses)
                )


def _unknown(
    path: FieldPath, what: str, name: str, known: list[str], declares: bool
) -> Iterator[tuple[Any, ...]]:
    """A name (a status, an event type) that is neither built in nor declared: a warning when
    the policy declares its own, or when the name is close to a known one."""
    if name in known:
        return
    near = _close(name, known)
    if declares or near:
        section = "statuses" if what == "status" else "events"
        yield (
            path,
            f"unknown-{what.split()[0]}",
            _hinted(_UNKNOWN_WORD[what].format(name=repr(name)), near, section),
            False,
        )


def _hinted(message: str, near: str | None, section: str) -> str:
    """``message`` with the word it most likely meant, or else where to declare it."""
    if near:
        return f"{message}; did you mean {near!r}?"  # the shape of ``did_you_mean``
    return _DECLARE_IT.format(message=message, section=f"'{section}:'")


def _events(policy: Policy) -> Iterator[tuple[Any, ...]]:
    known = [*sorted(BUILT_IN_EVENTS), *policy.events]
    named: list[tuple[FieldPath, str]] = [
        (("escalations", name, j, "on_event"), level.on_event)
        for name, path in policy.escalations.items()
        for j, level in enumerate(path)
        if level.on_event is not None
    ]
    for i, entry in enumerate(policy.sla):
        for metric in METRICS:
            owners = {
                "targets": entry.targets.get(metric),
                "clock_rules": entry.clock_rules.get(metric),
            }
            for place, owner in owners.items():
                for key in ("start", "stop"):
                    rule = getattr(owner, key, None)
                    if isinstance(rule, dict) and isinstance(rule.get("event"), str):
                        named.append((("sla", i, place, metric, key, "event"), rule["event"]))
    for path, kind in named:
        yield from _unknown(path, "event type", kind, known, bool(policy.events))


def _tested(spec: Any, path: FieldPath) -> Iterator[tuple[str, FieldPath, list[Any]]]:
    """Each field a condition tests, where, and the values it names."""
    if not isinstance(spec, dict):
        return
    for key, test in spec.items():
        here = (*path, key)
        if key in _COMBINING:
            subs = test if isinstance(test, list) else [test]
            for n, sub in enumerate(subs):
                yield from _tested(sub, (*here, n) if isinstance(test, list) else here)
            continue
        if key in _OUTCOMES:
            continue
        values: list[Any] = []
        if isinstance(test, dict):
            for op, arg in test.items():
                if op in _VALUE_OPERATORS:
                    values += arg if isinstance(arg, list) else [arg]
        else:
            values = test if isinstance(test, list) else [test]
        yield key, here, values


def _conditions(policy: Policy, known_fields: set[str]) -> Iterator[tuple[Any, ...]]:
    places: list[tuple[Any, FieldPath]] = [
        (e.when.spec, ("sla", i, "when")) for i, e in enumerate(policy.sla) if e.when is not None
    ]
    if policy.compensation is not None:
        places += [
            (r.when.spec, ("compensation", "rules", i, "when"))
            for i, r in enumerate(policy.compensation.rules)
            if r.when is not None
        ]
    for i, refund in enumerate(policy.refunds):
        for key in ("when", "excluded_when"):
            condition = getattr(refund, key)
            if condition is not None:
                places.append((condition.spec, ("refunds", i, key)))
    tested = [found for spec, path in places for found in _tested(spec, path)]
    declared = policy.fields
    uses = Counter(name for name, _, _ in tested)
    reported: set[frozenset[str]] = set()
    for name, path, values in tested:
        if name.startswith("first_message."):  # the first message's attributes, not a field
            attribute = name.removeprefix("first_message.")
            if attribute not in ("actor", "public", "channel", "subject"):
                yield (
                    path,
                    "unknown-field",
                    _FIRST_MESSAGE_ATTRIBUTE.format(attribute=repr(attribute)),
                    True,
                )
            continue
        if declared and name not in declared:
            message = _hinted(
                _UNDECLARED_FIELD.format(field=repr(name)), _close(name, sorted(declared)), "fields"
            )
            yield path, "undeclared-field", message, True
            continue
        if not declared:
            if name in known_fields:
                continue
            others = sorted((set(uses) | known_fields) - {name})
            near = _close(name, others)
            pair = frozenset((name, near or ""))
            # Of two look-alikes, the one the tickets have, or used more often, is the right one.
            if near is None or pair in reported or uses[near] < uses[name]:
                continue
            reported.add(pair)
            like = _LOOKS_LIKE_A_TICKET_FIELD if near in known_fields else _LOOKS_LIKE_A_FILE_FIELD
            yield path, "unknown-field", like.format(field=repr(name), near=repr(near)), True
            continue
        allowed = declared.get(name)
        if allowed is None:
            continue
        for value in values:
            if allowed.canonical(value) not in allowed.values:
                yield (
                    path,
                    "undeclared-value",
                    _NEVER_HOLDS.format(
                        field=repr(name),
                        value=repr(value),
                        values=", ".join(map(repr, allowed.values)),
                    ),
                    False,
                )


def _priorities(policy: Policy) -> Iterator[tuple[Any, ...]]:
    allowed = policy.fields.get("priority")
    if allowed is None:
        return
    for i, entry in enumerate(policy.sla):
        for metric in METRICS:
            target = entry.targets.get(metric)
            for priority in target.per_priority if target is not None else {}:
                known = priority in policy.priorities  # else an unknown-priority error
                if known and allowed.canonical(priority) not in allowed.values:
                    yield (
                        ("sla", i, "targets", metric, priority),
                        "undeclared-value",
                        _UNDECLARED_PRIORITY.format(
                            priority=repr(priority), values=", ".join(map(repr, allowed.values))
                        ),
                        True,
                    )


def _calendar_days(policy: Policy) -> Iterator[tuple[Any, ...]]:
    """A target in days (``2d``, 48 hours of open time) on a business calendar, in a file whose
    other targets on such calendars count business days (``2bd``)."""
    spans: list[tuple[FieldPath, str, str]] = []
    for i, entry in enumerate(policy.sla):
        for metric in METRICS:
            target = entry.targets.get(metric)
            if target is None:
                continue
            calendar = target.calendar or entry.calendar
            written = [("default", target.default), *target.per_priority.items()]
            for key, text in written:
                if text is not None and calendar != _ALWAYS_OPEN:
                    spans.append((("sla", i, "targets", metric, key), text, calendar))
    if not any(isinstance(parse_span(text), BusinessDays) for _, text, _ in spans):
        return
    for path, text, calendar in spans:
        if text.strip().endswith("d") and not text.strip().endswith("bd"):
            fixed = text.strip()[:-1] + "bd"
            yield (
                path,
                "calendar-days",
                _CALENDAR_DAYS.format(
                    target=repr(text),
                    days=text.strip()[:-1],
                    calendar=repr(calendar),
                    fixed=repr(fixed),
                ),
                False,
            )
