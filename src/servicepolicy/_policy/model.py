"""The policy model: SLA policies, targets, escalations (pydantic v2, frozen, no unknown keys).

This module knows nothing of YAML or files; ``loader`` reads a file into these models and
``checks`` looks for the problems a schema cannot see.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    PrivateAttr,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from .._calendar.model import ALWAYS_OPEN_NAME, Calendar, always_open
from .._common.durations import Span, parse_duration, parse_span
from .._common.fastmodel import private_value, set_private_value, state_with_defaults
from .._common.vocabulary import DEFAULT_PAUSE_ON, DEFAULT_PRIORITIES, METRICS, Metric
from .._i18n import N_
from .compensation import Compensation, RefundRule
from .conditions import Condition
from .declarations import BUILT_IN_EVENTS, BUILT_IN_STATUSES, FieldValues, StatusMeaning
from .presets import PRESETS, Preset, Semantics

if TYPE_CHECKING:
    from .._evaluation.evaluation import Evaluation
    from .._evaluation.results import RefundDecision


_SPAN_PATTERN = (
    r"^\s*(\d+\s*bd|(\d+\s*[wdhms]\s*)+"
    r"|P(?=\d|T\d)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d{1,6})?S)?)?)\s*$"
)
_P = TypeVar("_P", bound=BaseModel)
_PERCENT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*%\s*")
_POINT = re.compile(r"\s*breach\s*(?:([+-])\s*(\S+))?\s*")

# The messages of the model, in English; ``validate --lang ar`` finds each again by its shape.
# A mapping given as an example is a value (``{form}``) where a template has no other field:
# such a template is shown as it is, without ``str.format`` unescaping ``{{``.
_NOT_A_PERCENTAGE = N_("{text} is not a percentage such as '75%'")
_PERCENT_OUT_OF_RANGE = N_("{text} must be above 0% and at most 100%")
_PERCENT_WITHOUT_SIGN = N_("write a percentage with its sign, such as '{value}%'")
_START_AFTER_FORM = N_("'start_after' is a duration ('15m') or {form}")
_START_AFTER_OPEN_TIME = N_("'start_after' is open time such as '15m', not business days")
_STOP_AT_CUSTOMER_MESSAGE = N_("a customer message asks for a response; it cannot be one")
_STOP_FORMS = N_(
    "a response ends at 'agent_reply', {{event: TYPE}} (with 'actor', 'public' or 'channel' if "
    "the message must have them) or {{status: [...]}}, not {stop}"
)
_CYCLE_START = N_(
    "next_response's cycles start 'after_agent_reply' or at a 'customer_message', not {start}"
)
_NO_UPDATE_START = N_("periodic_update's cycles start at each agent reply: it takes no 'start'")
_METRIC_START = N_(
    "{metric} starts at 'created', at the 'first_customer_message', or at the first "
    "{{event: TYPE}}, not {start}"
)
_STOP_ONLY_FOR_RESPONSES = N_("'stop' is for first_response and next_response, not {metric}")
_SOLVED_STATUSES_HINT = N_("{message}; declare more solved statuses under 'statuses:'")
_START_AFTER_ONLY = N_("'start_after' is for first_response and resolution, not {metric}")
_TARGET_FORM = N_("a target is a duration such as '4h' or a mapping per priority, got {value}")
_UNKNOWN_KEY = N_("unknown key {key}")  # as the loader writes it
_NEVER_LATE = N_(
    "first_response would start and stop at the same {event} event: it could never be late; "
    "start it at another event, or stop it at another"
)
_AT_NOT_TEXT = N_("'at' must be a string such as '50%' or 'breach + 2h', got {value}")
_AT_UNREADABLE = N_(
    "cannot read 'at: {at}'; write '50%', 'breach', 'breach + 2h', 'breach - 30m' or '2h'"
)
_ONE_TRIGGER = N_("a level needs exactly one of 'at' or 'on_event'")
_COUNT_WITH_AT = N_("'count' goes with 'on_event', not with 'at'")
_VERSION_AS_TEXT = N_('write the format version as text: servicepolicy: "{version}"')
_BUILT_IN_STATUS = N_(
    "status {status} is built in ({meaning}); declare only the policy's own statuses"
)
# a built-in status's meaning, in the reader's words
_MEANINGS = (N_("open"), N_("paused"), N_("solved"), N_("closed"))
_BUILT_IN_EVENT = N_("event type {event} is built in; declare only the policy's own types")
_EFFECTIVE_ORDER = N_("effective_until ({until}) is not after effective_from ({start})")


def _is_span(value: Any) -> bool:
    try:
        parse_span(value)
    except ValueError:
        return False
    return True


def _check_span(text: str) -> str:
    parse_span(text)
    return text


def parse_percent(text: str) -> Decimal:
    """``"75%"`` -> ``Decimal("0.75")``."""
    match = _PERCENT.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(_NOT_A_PERCENTAGE.format(text=repr(text)))
    return Decimal(match.group(1)) / 100


def _check_percent(text: str) -> str:
    fraction = parse_percent(text)
    if not Decimal(0) < fraction <= Decimal(1):
        raise ValueError(_PERCENT_OUT_OF_RANGE.format(text=repr(text)))
    return text


_SPAN_SCHEMA = {
    "type": "string",
    "pattern": _SPAN_PATTERN,
    "description": "30m, 4h, 1h30m, 2d, 3bd (business days) or ISO 8601 PT4H",
}
SpanText = Annotated[str, AfterValidator(_check_span), WithJsonSchema(_SPAN_SCHEMA)]


def _percent_is_text(value: Any) -> Any:
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        raise ValueError(_PERCENT_WITHOUT_SIGN.format(value=value))
    return value


PercentText = Annotated[
    str,
    BeforeValidator(_percent_is_text),
    AfterValidator(_check_percent),
    WithJsonSchema({"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*%\s*$"}),
]


DeadlineOnClose = Literal["close", "next_open"]
"""Where a deadline that lands exactly on a closing time is reported: there (``close``, the
default), or at the next opening (``next_open``)."""


_CYCLE_STARTS: Final = ("after_agent_reply", "customer_message")
_METRIC_STARTS: Final = ("created", "first_customer_message")
StartRule = str | dict[str, str]
"""When a metric starts.  first_response and resolution: ``created`` (the default),
``first_customer_message``, or ``{event: TYPE}`` (the first event of that type).
next_response's cycles: ``after_agent_reply`` (the default: at a customer message after an
agent reply), or ``customer_message`` (also at the ticket's creation and at a customer message
before any reply).  periodic_update's cycles always start at an agent reply."""


def _start_after_form(after: Any) -> Any:
    span = after if isinstance(after, str) else after.get("span")
    if isinstance(after, dict) and not (set(after) <= {"span", "calendar"} and span):
        raise PydanticCustomError(
            "invalid-value", _START_AFTER_FORM.format(form="{span: 15m, calendar: NAME}")
        )
    try:
        found = parse_span(span) if isinstance(span, str) else None
    except ValueError:
        found = None
    if not isinstance(found, timedelta):
        raise PydanticCustomError("invalid-value", _START_AFTER_OPEN_TIME)
    return after


def _stop_form(stop: Any) -> Any:
    problem = stop_form_problem(stop)
    if problem is not None:
        raise PydanticCustomError("invalid-value", problem)
    return stop


StartAfter = Annotated[SpanText | dict[str, str], AfterValidator(_start_after_form)]
"""Open time after a metric's start event before its clock starts: ``15m`` on the metric's
calendar, or ``{span: 15m, calendar: NAME}`` on another (``24/7`` for real time)."""
StopRule = Annotated[str | dict[str, Any], AfterValidator(_stop_form)]
"""What ends a response: ``agent_reply`` (the default), ``{event: TYPE}`` (an event of that
type; with ``actor``, ``public`` or ``channel``, one whose message has them), or
``{status: [NAME, ...]}`` (a change to one of those statuses).  first_response and
next_response only; a solve or close ends them as always."""


def stop_form_problem(stop: Any) -> str | None:
    """Why ``stop`` is not a stop rule of any metric, or None."""
    if stop == "agent_reply":
        return None
    if isinstance(stop, dict) and set(stop) == {"status"}:
        statuses = stop["status"]
        if isinstance(statuses, list) and statuses and all(isinstance(x, str) for x in statuses):
            return None
    if isinstance(stop, dict) and "event" in stop and set(stop) <= {"event", *_MESSAGE_TESTS}:
        event = stop["event"]
        if event == "customer_message":
            return _STOP_AT_CUSTOMER_MESSAGE
        wrong = [
            key
            for key, kind in _MESSAGE_TESTS.items()
            if key in stop and not isinstance(stop[key], kind)
        ]
        if wrong:
            return _MESSAGE_WANTED[wrong[0]]
        if isinstance(event, str) and event:
            return None
    return _STOP_FORMS.format(stop=repr(stop))


_MESSAGE_TESTS: Final[dict[str, type]] = {"actor": str, "public": bool, "channel": str}
_MESSAGE_WANTED: Final = {  # what each message test of a stop rule holds, as a message
    "actor": N_("'actor' in a stop rule is text such as 'agent'"),
    "public": N_("'public' in a stop rule is true or false"),
    "channel": N_("'channel' in a stop rule is text such as 'email'"),
}


def start_problem(metric: str, start: StartRule) -> str | None:
    """Why ``start`` is not a start rule of ``metric``, or None."""
    if metric == "next_response":
        if start in _CYCLE_STARTS:
            return None
        return _CYCLE_START.format(start=repr(start))
    if metric == "periodic_update":
        return _NO_UPDATE_START
    if start in _METRIC_STARTS:
        return None
    if isinstance(start, dict) and set(start) == {"event"} and start["event"]:
        return None
    return _METRIC_START.format(metric=metric, start=repr(start))


class ClockRules(BaseModel):
    """How one metric's clock runs, beyond its target: when it starts (next_response's
    cycles), the statuses that pause it, and where a deadline at a closing time is reported.
    A key left out keeps the default."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: StartRule | None = Field(
        default=None,
        description="when the metric starts: 'created', 'first_customer_message' or "
        "{event: TYPE}; for next_response's cycles 'after_agent_reply' or 'customer_message'",
    )
    start_after: StartAfter | None = Field(
        default=None,
        description="first_response and resolution: start this much open time after 'start', "
        "on the metric's calendar ('15m') or another ({span: 15m, calendar: 24/7})",
    )
    stop: StopRule | None = Field(
        default=None,
        description="first_response and next_response: what ends a response: 'agent_reply' "
        "(default), {event: TYPE} or {status: [...]}",
    )

    pause_on: list[str] | None = Field(
        default=None,
        description="statuses that stop this metric's clock and move its due time",
    )
    deadline_on_close: DeadlineOnClose | None = Field(
        default=None,
        description="'next_open' reports a deadline that lands on a closing time at the next "
        "opening",
    )


class _PerMetric(BaseModel):
    """Something for each of the four metrics, whose clock rules must fit their metric."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def get(self, metric: str) -> Any:
        """``metric``'s part by name."""
        return getattr(self, metric)

    @model_validator(mode="after")
    def _starts_fit_their_metrics(self) -> Self:
        for metric in METRICS:
            _check_start(metric, self.get(metric))
        return self


class MetricClockRules(_PerMetric):
    """Clock rules per metric, on an SLA entry (``clock_rules:``)."""

    first_response: ClockRules | None = None
    next_response: ClockRules | None = None
    periodic_update: ClockRules | None = None
    resolution: ClockRules | None = None

    def get(self, metric: str) -> ClockRules | None:
        """The rules of ``metric`` by name."""
        value: ClockRules | None = getattr(self, metric)
        return value


def _check_start(metric: str, rules: ClockRules | Target | None) -> None:
    if rules is None:
        return
    if rules.start is not None:
        problem = start_problem(metric, rules.start)
        if problem is not None:
            raise PydanticCustomError("invalid-value", problem, {"subpath": [metric, "start"]})
    if rules.stop is not None and metric not in ("first_response", "next_response"):
        message = _STOP_ONLY_FOR_RESPONSES.format(metric=metric)
        if metric == "resolution":
            message = _SOLVED_STATUSES_HINT.format(message=message)
        raise PydanticCustomError("invalid-value", message, {"subpath": [metric, "stop"]})
    if rules.start_after is not None and metric not in ("first_response", "resolution"):
        raise PydanticCustomError(
            "invalid-value",
            _START_AFTER_ONLY.format(metric=metric),
            {"subpath": [metric, "start_after"]},
        )


_TARGET_KEYS: Final = (
    "calendar",
    "default",
    "start",
    "start_after",
    "stop",
    "pause_on",
    "deadline_on_close",
)


class Target(BaseModel):
    """A metric's target: one span for every priority, or one per priority.

    Written as ``4h`` or ``{urgent: 30m, high: 1h, default: 4h, calendar: 24/7}``; a mapping
    may also carry the metric's clock rules (``start``, ``start_after``, ``stop``,
    ``pause_on``, ``deadline_on_close``), which win over the SLA entry's ``clock_rules``.
    """

    model_config = ConfigDict(frozen=True, extra="allow")
    __pydantic_extra__: dict[str, SpanText] = Field(init=False)

    calendar: str | None = None
    default: SpanText | None = None
    start: StartRule | None = None
    start_after: StartAfter | None = None
    stop: StopRule | None = None
    pause_on: list[str] | None = None
    deadline_on_close: DeadlineOnClose | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_value_for_all(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"default": data}
        if not isinstance(data, dict | Target):
            raise ValueError(_TARGET_FORM.format(value=repr(data)))
        if isinstance(data, dict):
            for key, value in data.items():
                if key in _TARGET_KEYS or _is_span(value):
                    continue  # a key of a target, or a priority's span
                near = difflib.get_close_matches(key, _TARGET_KEYS, n=1, cutoff=0.75)
                if near:
                    raise PydanticCustomError(
                        "unknown-key",
                        f"{_UNKNOWN_KEY.format(key=repr(key))}; did you mean {near[0]!r}?",
                        {"subpath": [key], "on_key": True},
                    )
        return data

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"anyOf": [_SPAN_SCHEMA, handler(schema)]}

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state_with_defaults(Target, state))

    @property
    def per_priority(self) -> dict[str, str]:
        """The spans given per priority, as written."""
        return dict(self.__pydantic_extra__ or {})

    def span_for(self, priority: str | None) -> Span | None:
        """The target for ``priority``: its own span, else ``default``, else None."""
        text = self.per_priority.get(priority) if priority is not None else None
        text = text if text is not None else self.default
        return parse_span(text) if text is not None else None


class Targets(_PerMetric):
    """The four metrics' targets; a metric without one is not measured."""

    first_response: Target | None = None
    next_response: Target | None = None
    periodic_update: Target | None = None
    resolution: Target | None = None

    def get(self, metric: str) -> Target | None:
        """The target of ``metric`` by name."""
        value: Target | None = getattr(self, metric)
        return value


class SlaPolicy(BaseModel):
    """One entry of ``sla:``; the first entry whose ``when`` matches a ticket applies."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    when: Condition | None = None
    calendar: str
    pause_on: list[str] = Field(default_factory=lambda: list(DEFAULT_PAUSE_ON))
    warn_at: PercentText | None = None
    targets: Targets
    clock_rules: MetricClockRules = Field(default_factory=MetricClockRules)
    semantics: Semantics | None = Field(
        default=None, description="the helpdesk whose clock rules are this entry's defaults"
    )
    escalation: str | None = None

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state_with_defaults(SlaPolicy, state))

    @model_validator(mode="after")
    def _first_response_can_be_owed(self) -> Self:
        start = self.clock_rule("first_response", "start")
        stop = self.clock_rule("first_response", "stop") or "agent_reply"
        stop_event = (
            stop if isinstance(stop, str) else stop.get("event") if len(stop) == 1 else None
        )
        if isinstance(start, dict) and start.get("event") == stop_event:
            target = self.targets.first_response
            place = "targets" if target is not None and target.start is not None else "clock_rules"
            raise PydanticCustomError(
                "invalid-value",
                _NEVER_LATE.format(event=repr(stop_event)),
                {"subpath": [place, "first_response", "start"]},
            )
        return self

    @property
    def warn_fraction(self) -> Decimal | None:
        """``warn_at`` as a fraction (``0.75``), or None."""
        return parse_percent(self.warn_at) if self.warn_at else None

    def paused_by(self, declared: list[str]) -> frozenset[str]:
        """The statuses that pause this entry's resolution clock: its own ``pause_on`` when
        it gives one, else the default (``pending``, ``on_hold``) and the ``declared``
        statuses the policy's vocabulary says are paused."""
        if "pause_on" in self.model_fields_set:
            return frozenset(self.pause_on)
        return frozenset([*self.pause_on, *declared])

    def clock_rule(self, metric: str, key: str) -> Any:
        """``metric``'s clock rule ``key`` as the file gives it: its target's, else
        ``clock_rules``', else None."""
        target = self.targets.get(metric)
        value = getattr(target, key) if target is not None else None
        if value is None:
            rules = self.clock_rules.get(metric)
            value = getattr(rules, key) if rules is not None else None
        return value

    def rule_in_force(self, metric: str, key: str, preset: Preset) -> Any:
        """``metric``'s clock rule ``key``: as the file gives it, else the ``preset``'s
        default (``start`` and ``deadline_on_close``), else None."""
        value = self.clock_rule(metric, key)
        if value is not None:
            return value
        if key == "start" and metric == "next_response":
            return preset.next_response_start
        if key == "deadline_on_close":
            return preset.deadline_on_close
        return None

    def pauses_of(
        self, metric: str, declared: list[str], preset: Preset = PRESETS["servicepolicy"]
    ) -> frozenset[str]:
        """The statuses that pause ``metric``'s clock: its own ``pause_on`` (on its target or
        in ``clock_rules``); else, for resolution, or for any metric when the ``preset``
        pauses response clocks, :meth:`paused_by`; else none."""
        given = self.clock_rule(metric, "pause_on")
        if given is not None:
            return frozenset(given)
        if metric == "resolution" or preset.pauses_response_clocks:
            return self.paused_by(declared)
        return frozenset()

    def pause_lists(self) -> list[tuple[tuple[str | int, ...], list[str]]]:
        """Every ``pause_on`` list the entry gives, with its path below the entry."""
        found: list[tuple[tuple[str | int, ...], list[str]]] = []
        if "pause_on" in self.model_fields_set:
            found.append((("pause_on",), self.pause_on))
        for metric in METRICS:
            rules = self.clock_rules.get(metric)
            if rules is not None and rules.pause_on is not None:
                found.append((("clock_rules", metric, "pause_on"), rules.pause_on))
            target = self.targets.get(metric)
            if target is not None and target.pause_on is not None:
                found.append((("targets", metric, "pause_on"), target.pause_on))
        return found


@dataclass(frozen=True, slots=True)
class EscalationPoint:
    """Where a level fires: ``fraction`` of the target plus ``offset`` of running time."""

    fraction: Decimal
    offset: timedelta


def parse_point(text: str) -> EscalationPoint:
    """``"50%"``, ``"breach"``, ``"breach + 2h"``, ``"breach - 30m"`` or a running time ``"2h"``."""
    if not isinstance(text, str):
        raise ValueError(_AT_NOT_TEXT.format(value=repr(text)))
    if _PERCENT.fullmatch(text):
        return EscalationPoint(parse_percent(text), timedelta(0))
    match = _POINT.fullmatch(text)
    if match:
        sign, amount = match.groups()
        offset = parse_duration(amount) if amount else timedelta(0)
        return EscalationPoint(Decimal(1), -offset if sign == "-" else offset)
    try:
        return EscalationPoint(Decimal(0), parse_duration(text))
    except ValueError:
        raise ValueError(_AT_UNREADABLE.format(at=text)) from None


def _check_point(text: str) -> str:
    parse_point(text)
    return text


PointText = Annotated[
    str,
    AfterValidator(_check_point),
    WithJsonSchema({"type": "string", "description": "50%, breach, breach + 2h, breach - 30m, 2h"}),
]


class EscalationLevel(BaseModel):
    """A level of an escalation path: fires at a point of a metric's running time
    (``at``) or when the ticket carries ``count`` events of type ``on_event``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    at: PointText | None = None
    on_event: str | None = None
    count: int | None = Field(default=None, ge=1, description="on_event levels: default 1")
    metrics: list[Metric] | None = None
    notify: list[str] = Field(default_factory=list)
    set_priority: str | None = None
    reassign: str | None = None
    actions: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_trigger(self) -> EscalationLevel:
        if (self.at is None) == (self.on_event is None):
            raise ValueError(_ONE_TRIGGER)
        if self.at is not None and self.count is not None:
            raise ValueError(_COUNT_WITH_AT)
        return self

    @property
    def point(self) -> EscalationPoint | None:
        """The parsed ``at``, or None for an event-count level."""
        return parse_point(self.at) if self.at is not None else None


def _without_evaluator(policy: _P) -> _P:
    set_private_value(policy, "_evaluator", None)
    return policy


class Policy(BaseModel):
    """A service policy file: calendars, SLA policies, escalation paths.

    Load one with :func:`servicepolicy.load_policy` or :func:`servicepolicy.parse_policy`.
    ``calendars`` holds the file's calendars; :meth:`calendar` also knows the built-in
    ``24/7``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    servicepolicy: Literal["1"] = Field(description="format version")

    @field_validator("servicepolicy", mode="before")
    @classmethod
    def _version_is_text(cls, value: Any) -> Any:
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            raise ValueError(_VERSION_AS_TEXT.format(version=value))
        return value

    name: str
    description: str = ""
    semantics: Semantics | None = Field(
        default=None,
        description="the helpdesk whose clock rules are the defaults: servicepolicy (the "
        "default), zendesk, freshdesk, jsm or zammad",
    )
    priorities: list[str] = Field(default_factory=lambda: list(DEFAULT_PRIORITIES), min_length=1)
    calendars: dict[str, Calendar] = Field(default_factory=dict)
    sla: list[SlaPolicy] = Field(min_length=1)
    escalations: dict[str, list[EscalationLevel]] = Field(default_factory=dict)
    compensation: Compensation | None = None
    refunds: list[RefundRule] = Field(default_factory=list)
    fields: dict[str, FieldValues] = Field(
        default_factory=dict,
        description="the values ticket fields may hold, their aliases and case (optional)",
    )
    statuses: dict[str, StatusMeaning] = Field(
        default_factory=dict,
        description="the policy's own ticket statuses: each open, paused, solved or closed "
        "(optional)",
    )
    events: list[str] = Field(
        default_factory=list, description="the policy's own event types (optional)"
    )
    effective_from: AwareDatetime | None = Field(
        default=None, description="first instant this version applies to (by ticket creation)"
    )
    effective_until: AwareDatetime | None = Field(
        default=None, description="the instant this version stops applying (exclusive)"
    )

    # The prepared evaluator (resolved rules, remembered condition answers), made on first use.
    _evaluator: Any = PrivateAttr(default=None)

    # A pickle holds what the file says, and loading it validates that again: no class below
    # the policy (compensation and refund rules are not exported) is named in it, and the
    # prepared evaluator, a cache of this policy's rules, is made anew on first use.
    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any]]]:
        # What the file says, not the defaults: an SLA entry without its own pause_on then
        # still pauses on the statuses the vocabulary declares paused.
        return (_restore_policy, (self.model_dump(by_alias=True, exclude_unset=True),))

    # A copy (which model_copy may then change) starts without the prepared evaluator, and
    # equality ignores it.
    def __copy__(self) -> Self:
        return _without_evaluator(super().__copy__())

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        memo = {} if memo is None else memo
        evaluator = private_value(self, "_evaluator")
        if evaluator is None or id(evaluator) in memo:
            return _without_evaluator(super().__deepcopy__(memo))
        memo[id(evaluator)] = None  # deepcopy takes it as copied already (to None): no work
        try:
            return _without_evaluator(super().__deepcopy__(memo))
        finally:
            del memo[id(evaluator)]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseModel):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    @field_validator("statuses")
    @classmethod
    def _own_statuses(cls, value: dict[str, StatusMeaning]) -> dict[str, StatusMeaning]:
        for name in value:
            if name in BUILT_IN_STATUSES:
                raise ValueError(
                    _BUILT_IN_STATUS.format(status=repr(name), meaning=BUILT_IN_STATUSES[name])
                )
        return value

    @field_validator("events")
    @classmethod
    def _own_events(cls, value: list[str]) -> list[str]:
        for name in value:
            if name in BUILT_IN_EVENTS:
                raise ValueError(_BUILT_IN_EVENT.format(event=repr(name)))
        return value

    @model_validator(mode="after")
    def _effective_order(self) -> Policy:
        start, end = self.effective_from, self.effective_until
        if start is not None and end is not None and end <= start:
            raise ValueError(
                _EFFECTIVE_ORDER.format(until=end.isoformat(), start=start.isoformat())
            )
        return self

    def in_force(self, moment: datetime) -> bool:
        """Whether this version applies to a ticket created at ``moment``."""
        start, end = self.effective_from, self.effective_until
        return (start is None or moment >= start) and (end is None or moment < end)

    @field_validator("calendars", mode="before")
    @classmethod
    def _name_calendars(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: {"name": key, **cal} if isinstance(cal, dict) and "name" not in cal else cal
                for key, cal in value.items()
            }
        return value

    def evaluate(self, ticket: Any, as_of: datetime) -> Evaluation:
        """Evaluate one ticket (a :class:`Ticket` or its JSON shape) at ``as_of``.

        The first call prepares the policy for evaluation; later calls reuse that work.
        """
        from .._evaluation.api import evaluate

        return evaluate(self, ticket, as_of)

    def refund(self, ticket: Any, as_of: datetime) -> RefundDecision:
        """Whether a ticket's refund request is eligible under ``refunds:``, how much, and why.

        The request is the ticket's ``created_at``; its fields are those at ``as_of``.
        """
        from .._evaluation.api import decide_refund

        return decide_refund(self, ticket, as_of)

    def calendar(self, name: str) -> Calendar:
        """The calendar called ``name``; ``24/7`` is built in. Raises KeyError when unknown."""
        if name in self.calendars:
            return self.calendars[name]
        if name == ALWAYS_OPEN_NAME:
            return _ALWAYS
        raise KeyError(name)


_ALWAYS = always_open()


def _restore_policy(data: dict[str, Any]) -> Policy:
    """A pickled :class:`Policy` (what its file says: ``model_dump(by_alias=True,
    exclude_unset=True)``), validated again."""
    return Policy.model_validate(data)
