"""Ticket data the policy could not measure, said as warnings; and tickets read through the
policy's vocabulary (aliases, case, its own solved statuses).

A value the policy never names (``hgih`` where it names ``high``), an event type or a status
it does not know (``agent-reply``, ``Solved``) measure as nothing, in silence: a misspelt reply
type shows a false breach.  Each becomes a warning on the ticket, with the kind the command
line counts (``unknown-value``, ``unknown-event``, ``unknown-status``) and "did you mean" when
a known word is close, also one that differs only in case.
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Iterator
from typing import Any, Final

from .._common.memo import BoundedMemo
from .._common.vocabulary import CLOSED, FIELD, METRICS, SOLVED, STATUS
from .._policy.declarations import BUILT_IN_EVENTS, BUILT_IN_STATUSES
from .._policy.model import Policy
from .._tickets.read import EventRow, TicketParts
from .outcome import Outcome, error_outcome
from .selection import equality_key

PRIORITY: Final = "priority"
UNKNOWN_VALUE: Final = "unknown-value"
UNKNOWN_EVENT: Final = "unknown-event"
UNKNOWN_STATUS: Final = "unknown-status"
DUPLICATE_ID: Final = "duplicate-id"
INPUT_KINDS: Final = (UNKNOWN_VALUE, UNKNOWN_EVENT, UNKNOWN_STATUS, DUPLICATE_ID)
"""The warnings about input data, which ``--strict-input`` makes errors."""

_NAMING: Final = frozenset(("eq", "in"))  # ne and not_in expect other values
_COMBINING: Final = frozenset(("any_of", "all_of", "not"))
_OUTCOMES: Final = frozenset(("breached", "met"))  # compensation conditions on metric results


def _named_in(spec: Any, named: dict[str, list[Any] | None]) -> None:
    """Collect into ``named`` the values a condition names for each field it reads; None for a
    field it also reads otherwise (``ne``, ``not_in``, ``gte``, ``contains``, ``exists``), whose
    other values are expected."""
    if not isinstance(spec, dict):
        return
    for key, test in spec.items():
        if key in _COMBINING:
            for sub in test if isinstance(test, list) else [test]:
                _named_in(sub, named)
            continue
        if key in _OUTCOMES:
            continue
        values: list[Any] | None
        if isinstance(test, dict):
            if not set(test) <= _NAMING:
                values = None
            else:
                values = []
                for op, arg in test.items():
                    values += arg if op == "in" and isinstance(arg, list) else [arg]
        else:
            values = test if isinstance(test, list) else [test]
        known = named.get(key, [])
        named[key] = None if values is None or known is None else [*known, *values]


def _closest(word: str, known: list[str]) -> str:
    """``; did you mean 'x'?`` for the known word closest to ``word``, or ``""``."""
    folded = word.casefold()
    for candidate in known:
        if candidate.casefold() == folded:
            return f"; did you mean {candidate!r}?"
    near = difflib.get_close_matches(word, known, n=1, cutoff=0.75)
    return f"; did you mean {near[0]!r}?" if near else ""


class InputCheck:
    """What a policy names, read once: the values of each field it tests by value, its
    statuses and its event types."""

    def __init__(self, policy: Policy) -> None:
        self.vocabulary = policy.fields
        # The policy's own statuses that end a ticket, as the built-in one they mean.
        self.ending = {n: m for n, m in policy.statuses.items() if m in (SOLVED, CLOSED)}
        self.statuses = frozenset(
            [
                *BUILT_IN_STATUSES,
                *policy.statuses,
                *(s for e in policy.sla for _, given in e.pause_lists() for s in given),
            ]
        )
        on_events = [
            level.on_event
            for path in policy.escalations.values()
            for level in path
            if level.on_event is not None
        ]
        self.events = frozenset([*BUILT_IN_EVENTS, *policy.events, *on_events])
        named: dict[str, list[Any] | None] = {}
        for spec in policy_conditions(policy):
            _named_in(spec, named)
        priorities: list[Any] = list(policy.priorities)
        for entry in policy.sla:
            for metric in METRICS:
                target = entry.targets.get(metric)
                priorities += list(target.per_priority) if target is not None else []
        priorities += [
            level.set_priority
            for path in policy.escalations.values()
            for level in path
            if level.set_priority is not None
        ]
        if named.get(PRIORITY, []) is not None:
            named[PRIORITY] = [*priorities, *(named.get(PRIORITY) or [])]
        for name, declared in policy.fields.items():
            named[name] = list(declared.values)
        self.named: dict[str, dict[Hashable, Any]] = {}
        for name, values in named.items():
            if values is not None:
                keys = {equality_key(v): v for v in values}
                self.named[name] = {k: v for k, v in keys.items() if k is not None}
        self.active = bool(policy.fields or self.ending)
        self._memo: BoundedMemo[tuple[str, type, Any], bool] = BoundedMemo()

    def normalized(self, ticket: TicketParts) -> TicketParts:
        """``ticket`` with declared fields' aliases and case resolved, and the policy's own
        solved and closed statuses read as ``solved`` and ``closed``; ``ticket`` itself when
        there is nothing to do."""
        if not self.active:
            return ticket
        fields = ticket.fields
        if self.vocabulary and isinstance(fields, dict):
            fields = {name: self._canonical(name, value) for name, value in fields.items()}
        events = ticket.events
        if any(row[3] == STATUS or row[3] == FIELD for row in events):
            events = [self._event(row) for row in events]
        return TicketParts(ticket.id, ticket.created_at, fields, events)

    def _canonical(self, name: str, value: Any) -> Any:
        declared = self.vocabulary.get(name)
        return value if declared is None else declared.canonical(value)

    def _event(self, row: EventRow) -> EventRow:
        at, position, moment, kind, status, field, value, attributes = row
        if kind == STATUS and status in self.ending:
            return (at, position, moment, kind, self.ending[status], field, value, attributes)
        if kind == FIELD and field is not None and field in self.vocabulary:
            canonical = self._canonical(field, value)
            return (at, position, moment, kind, status, field, canonical, attributes)
        return row

    def warnings(self, ticket: TicketParts, as_of: int) -> list[tuple[str, str]]:
        """``(kind, text)`` of each value, event type and status of ``ticket`` up to ``as_of``
        that the policy does not know, once each."""
        found: dict[str, tuple[str, str]] = {}
        events = [row for row in ticket.events if row[0] <= as_of]
        for name, value in self._values(ticket.fields, events):
            named = self.named.get(name)
            if named is None or value is None or isinstance(value, bool | list | dict):
                continue
            if self._is_named(name, value, named):
                continue
            shown = repr(value) if isinstance(value, str) else str(value)
            if f"{name}={shown}" not in found:
                hint = _closest(str(value), [str(v) for v in named.values()])
                found[f"{name}={shown}"] = (
                    UNKNOWN_VALUE,
                    f"field {name!r} holds {shown}, a value the policy never names{hint}",
                )
        for row in events:
            kind, status = row[3], row[4]
            if kind not in self.events and f"event {kind}" not in found:
                hint = _closest(kind, sorted(self.events))
                found[f"event {kind}"] = (
                    UNKNOWN_EVENT,
                    f"event type {kind!r} is neither built in nor named by the policy{hint}",
                )
            unknown = kind == STATUS and status is not None and status not in self.statuses
            if unknown and f"status {status}" not in found:
                assert status is not None
                hint = _closest(status, sorted(self.statuses))
                found[f"status {status}"] = (
                    UNKNOWN_STATUS,
                    f"status {status!r} is neither built in nor named by the policy{hint}",
                )
        return list(found.values())

    def _is_named(self, name: str, value: Any, named: dict[Hashable, Any]) -> bool:
        # Most tickets share their values, and reading a text as a number costs an exception.
        remembered = (name, type(value), value)
        try:
            known = self._memo.get(remembered)
        except TypeError:  # an unhashable value (a signalling NaN)
            return True
        if known is None:
            key = equality_key(value)
            known = self._memo.put(remembered, key is None or key in named)
        return known

    def _values(self, fields: Any, events: list[EventRow]) -> Iterator[tuple[str, Any]]:
        if isinstance(fields, dict):
            yield from fields.items()
        for row in events:
            if row[3] == FIELD and row[5] is not None:
                yield row[5], row[6]


def policy_conditions(policy: Policy) -> Iterator[Any]:
    """Every condition of the policy: its SLA entries', compensation rules' and refunds'."""
    for entry in policy.sla:
        if entry.when is not None:
            yield entry.when.spec
    if policy.compensation is not None:
        for rule in policy.compensation.rules:
            if rule.when is not None:
                yield rule.when.spec
    for refund in policy.refunds:  # not excluded_when: it names the values it leaves out
        if refund.when is not None:
            yield refund.when.spec


class SeenIds:
    """The ticket ids of one input so far: a ticket whose id came before gets a
    ``duplicate-id`` warning naming the line of the first (when known)."""

    def __init__(self) -> None:
        self._lines: dict[str, int | None] = {}

    def __contains__(self, ticket_id: object) -> bool:
        return ticket_id in self._lines

    def first_time(self, ticket_id: str, line: int | None) -> bool:
        """Note ``ticket_id`` (first seen at ``line``) and say whether it is new; a repeated
        one is left for :meth:`check` to warn on."""
        if ticket_id in self._lines:
            return False
        self._lines[ticket_id] = line
        return True

    def check(self, outcome: Outcome) -> Outcome:
        """Note ``outcome``'s id, warning on it when the id was seen before; returns it."""
        ticket_id = outcome.ticket_id
        if ticket_id is None:
            return outcome
        if ticket_id not in self._lines:
            self._lines[ticket_id] = outcome.line
            return outcome
        first = self._lines[ticket_id]
        where = f" (first at line {first})" if first is not None else ""
        outcome.warnings.append(f"ticket id {ticket_id!r} was seen before in this input{where}")
        outcome.warning_kinds.append(DUPLICATE_ID)
        return outcome


def strictly(outcome: Outcome) -> Outcome:
    """``outcome``, or, when it has warnings about its input data, an error record saying
    them (``--strict-input``)."""
    said = [
        text
        for text, kind in zip(outcome.warnings, outcome.warning_kinds, strict=True)
        if kind in INPUT_KINDS
    ]
    if not said:
        return outcome
    where = f"line {outcome.line}: " if outcome.line is not None else ""
    record = error_outcome(where + said[0], outcome.as_of, outcome.ticket_id, outcome.line)
    record.errors += [where + text for text in said[1:]]
    return record
