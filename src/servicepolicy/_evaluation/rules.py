"""Which rule applies to a ticket's metric: the first matching SLA entry, its target for the
ticket's priority, and the calendar it runs on, resolved once per policy (and per version of a
ticket's fields), so evaluating a million tickets looks each combination up once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, Final

from .._calendar.clock import BusinessClock
from .._calendar.model import clock_of
from .._common.durations import BusinessDays, parse_span
from .._common.field_memo import memoized
from .._common.memo import BoundedMemo
from .._common.vocabulary import METRICS
from .._i18n import N_
from .._policy.conditions import condition_fields
from .._policy.model import Policy, SlaPolicy
from .._policy.presets import PRESETS
from .replay import History
from .selection import EntrySelector

_MICRO: Final = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Rule:
    """What applies to one metric of a ticket: the SLA entry, its target and clock."""

    sla: SlaPolicy
    target_text: str
    days: int  # the target in business days, or -1 for a fixed duration
    micros: int  # a fixed duration's microseconds (0 for business days)
    clock_name: str
    clock: BusinessClock
    zone: Any  # the SLA entry's own calendar zone: every instant of the metric is shown in it
    warn: Decimal | None
    pause_on: frozenset[str]  # the statuses that stop this metric's clock
    next_open: bool = False  # a deadline on a closing time is reported at the next opening
    contact_cycles: bool = False  # next_response's cycles start at every customer message
    start: Any = None  # first_response and resolution: None (created), a name, {event: TYPE}
    start_after: int = 0  # open time after the start event before the clock starts
    start_clock: BusinessClock | None = None  # the clock start_after counts on (None: clock)
    stop: Any = None  # first_response and next_response: None (an agent reply), or the rule
    notes: tuple[str, ...] = ()  # the clock rules in force that are not the defaults, in words
    declared_pauses: frozenset[str] = frozenset()  # pause statuses the policy declares


class PolicyIndex:
    """A policy prepared for evaluating many tickets: resolved calendars, targets and rules."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._paused = [name for name, meaning in policy.statuses.items() if meaning == "paused"]
        self._clocks: dict[str, BusinessClock] = {}
        # Priorities are ticket data, so the memo is bounded.
        self._rules: BoundedMemo[tuple[int | None, str | None], dict[str, Rule | None]] = (
            BoundedMemo()
        )
        names: set[str] = set()
        for sla in policy.sla:
            names |= condition_fields(sla.when.spec) if sla.when is not None else set()
        self._match = memoized(EntrySelector(policy.sla).first, names)

    def clock(self, name: str) -> BusinessClock:
        """The clock of calendar ``name`` (``24/7`` built in)."""
        clock = self._clocks.get(name)
        if clock is None:
            clock = self._clocks[name] = clock_of(self.policy.calendar(name))
        return clock

    def match(self, fields: Mapping[str, Any]) -> int | None:
        """The position of the first SLA entry whose ``when`` matches ``fields``."""
        return self._match(fields)

    def rules(self, number: int | None, priority: Any) -> dict[str, Rule | None]:
        """The rule of every metric for SLA entry ``number`` (None: no entry applies) and a
        ticket ``priority``."""
        key = (number, priority if isinstance(priority, str) else None)
        found = self._rules.get(key)
        if found is None:
            found = self._rules.put(
                key,
                {
                    metric: None if number is None else self._build(number, metric, key[1])
                    for metric in METRICS
                },
            )
        return found

    def _build(self, number: int, metric: str, priority: str | None) -> Rule | None:
        sla = self.policy.sla[number]
        target = sla.targets.get(metric)
        if target is None:
            return None
        text = target.per_priority.get(priority) if priority is not None else None
        text = text if text is not None else target.default
        if text is None:
            return None
        span = parse_span(text)
        preset_name = sla.semantics or self.policy.semantics or "servicepolicy"
        preset = PRESETS[preset_name]
        pauses = sla.pauses_of(metric, self._paused, preset)
        clock_name = target.calendar or sla.calendar
        zone = self.clock(sla.calendar).rules.zone
        days = span.count if isinstance(span, BusinessDays) else -1
        micros = span // _MICRO if isinstance(span, timedelta) else 0
        return Rule(
            sla,
            text,
            days,
            micros,
            clock_name,
            self.clock(clock_name),
            zone,
            sla.warn_fraction,
            pauses,
            sla.rule_in_force(metric, "deadline_on_close", preset) == "next_open",
            sla.rule_in_force(metric, "start", preset) == "customer_message",
            _start_of(sla.clock_rule(metric, "start")),
            _micros_of(sla.clock_rule(metric, "start_after")),
            _start_clock(self, sla.clock_rule(metric, "start_after")),
            _stop_of(sla.clock_rule(metric, "stop")),
            rule_notes(sla, metric, preset_name, pauses),
            pauses & frozenset(self._paused),
        )


_OWN = N_("its own")
_PRESET = N_("{preset} semantics")
_RESPONSE_EVENT = N_("a response is an {event} event")
_RESPONSE_STATUS = N_("a response is a change of the status to {names}")
_START_CUSTOMER = N_("starts at the first customer message")
_START_EVENT = N_("starts at the first {event} event")
_START_CALENDAR = N_("starts {span} of calendar {calendar} after that")
_START_OPEN = N_("starts {span} of open time after that")
_CYCLES = N_("cycles start at creation and at every customer message ({source} start rule)")
_PAUSED = N_("paused while the status is {names} ({source} pause_on)")
_NEXT_OPEN = N_(
    "a due time on a closing time is shown at the next opening ({source} deadline rule)"
)


def rule_notes(sla: SlaPolicy, metric: str, preset: str, pauses: frozenset[str]) -> tuple[str, ...]:
    """The clock rules of ``metric`` in force that are not servicepolicy's defaults, in words,
    each saying where it comes from: the file, or the named semantics."""
    notes = []

    def source(key: str) -> str:
        if sla.clock_rule(metric, key) is not None:
            return _OWN
        return _PRESET.format(preset=preset)

    stop = sla.clock_rule(metric, "stop")
    if isinstance(stop, dict) and "event" in stop:
        notes.append(_RESPONSE_EVENT.format(event=repr(stop["event"])))
    elif isinstance(stop, dict):
        names = " or ".join(repr(name) for name in stop["status"])
        notes.append(_RESPONSE_STATUS.format(names=names))
    start = sla.clock_rule(metric, "start")
    if start == "first_customer_message":
        notes.append(_START_CUSTOMER)
    elif isinstance(start, dict):
        notes.append(_START_EVENT.format(event=repr(start["event"])))
    after = sla.clock_rule(metric, "start_after")
    if isinstance(after, dict) and after.get("calendar"):
        notes.append(_START_CALENDAR.format(span=after["span"], calendar=after["calendar"]))
    elif after is not None:
        span = after.get("span") if isinstance(after, dict) else after
        notes.append(_START_OPEN.format(span=span))
    if metric == "next_response" and sla.rule_in_force(metric, "start", PRESETS[preset]) == (
        "customer_message"
    ):
        notes.append(_CYCLES.format(source=source("start")))
    if pauses and (metric != "resolution" or sla.clock_rule(metric, "pause_on") is not None):
        names = " or ".join(repr(name) for name in sorted(pauses))
        notes.append(_PAUSED.format(names=names, source=source("pause_on")))
    if sla.rule_in_force(metric, "deadline_on_close", PRESETS[preset]) == "next_open":
        notes.append(_NEXT_OPEN.format(source=source("deadline_on_close")))
    return tuple(notes)


def _start_of(start: Any) -> Any:
    """A single metric's start rule as the evaluator reads it: None for ``created``."""
    return None if start in (None, "created", "after_agent_reply", "customer_message") else start


def _stop_of(stop: Any) -> Any:
    """A response's stop rule as the evaluator reads it: None for an agent reply, else
    ``{"event": TYPE}`` or ``{"status": frozenset}``."""
    if stop is None or stop == "agent_reply":
        return None
    if "status" in stop:
        return {"status": frozenset(stop["status"])}
    return dict(stop)


def _micros_of(after: Any) -> int:
    span = after.get("span") if isinstance(after, dict) else after
    found = parse_span(span) if span is not None else None
    return found // _MICRO if isinstance(found, timedelta) else 0


def _start_clock(index: PolicyIndex, after: Any) -> BusinessClock | None:
    name = after.get("calendar") if isinstance(after, dict) else None
    return index.clock(name) if name is not None else None


class Lookup:
    """Per-ticket memo: which SLA entry and rules apply to the fields as they stood at a
    moment; worked out once per version of the fields (a version is how many field changes
    had happened), so a ticket with many changes costs time linear in them."""

    def __init__(self, index: PolicyIndex, history: History) -> None:
        self.index = index
        self.history = history
        self._changes = bool(history.field_changes)
        self._versions: list[dict[str, Any]] | None = None  # the fields of every version
        self._matches: dict[int, int | None] = {}
        self._rules: dict[int, dict[str, Rule | None]] = {}
        self._since: dict[tuple[int, str | None], int] = {}

    def _version(self, moment: int) -> int:
        return self.history.version_at(moment) if self._changes else 0

    def _fields_of(self, version: int) -> dict[str, Any]:
        if version == 0:
            return self.history.fields
        versions = self._versions
        if versions is None:  # every version at once, each the one before with one change
            versions = [self.history.fields]
            for _, name, value in self.history.field_changes:
                versions.append({**versions[-1], name: value})
            self._versions = versions
        return versions[version]

    def _entry_of(self, version: int) -> int | None:
        if version not in self._matches:
            self._matches[version] = self.index.match(self._fields_of(version))
        return self._matches[version]

    def _rule_of(self, metric: str, version: int) -> Rule | None:
        rules = self._rules.get(version)
        if rules is None:
            priority = self._fields_of(version).get("priority")
            rules = self._rules[version] = self.index.rules(self._entry_of(version), priority)
        return rules[metric]

    def fields(self, moment: int) -> dict[str, Any]:
        """The ticket's fields at ``moment``."""
        return self._fields_of(self._version(moment))

    def entry(self, moment: int) -> int | None:
        """The SLA entry (its position) that applies at ``moment``."""
        return self._entry_of(self._version(moment))

    def rule(self, metric: str, moment: int) -> Rule | None:
        """The rule of ``metric`` at ``moment``."""
        return self._rule_of(metric, self._version(moment))

    def since(self, moment: int, metric: str | None = None) -> int:
        """When what applies at ``moment`` came into force: the SLA entry, or with ``metric``
        the rule of that metric.  That is the last field change after which it applied and
        before which something else did, else the ticket's creation."""
        history = self.history
        version = self._version(moment)
        walked: list[int] = []
        found = history.created
        while version > 0:
            known = self._since.get((version, metric))
            if known is not None:
                found = known
                break
            walked.append(version)
            at = history.change_times[version - 1]
            before = history.version_at(at - 1)  # every change at that instant undone
            if self._applying(before, metric) != self._applying(version, metric):
                found = at
                break
            version = before
        for seen in walked:
            self._since[(seen, metric)] = found
        return found

    def _applying(self, version: int, metric: str | None) -> tuple[Any, ...]:
        """What applies in ``version``, comparable across versions: the SLA entry, and the
        target and clock of ``metric``'s rule."""
        if metric is None:
            return (self._entry_of(version),)
        rule = self._rule_of(metric, version)
        return (
            self._entry_of(version),
            None if rule is None else (rule.target_text, rule.clock_name),
        )


def target_micros(rule: Rule, start: int) -> int:
    """The target as running time; ``n`` business days count from the metric's start."""
    if rule.days >= 0:
        clock = rule.clock
        return clock.elapsed(start, clock.add_business_days(start, rule.days))
    return rule.micros
