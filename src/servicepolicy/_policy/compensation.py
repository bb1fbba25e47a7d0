"""Policy-file models for ``compensation:`` (credits, gestures) and ``refunds:``.

Amounts are :class:`~decimal.Decimal`, read from the file's text; a float is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .._common.durations import parse_span
from .._common.errors import did_you_mean
from .._common.field_memo import memoized
from .._common.money import decimals_of, known_currencies, minor_units, to_decimal
from .._common.numbers import MAX_DIGITS, MAX_EXPONENT, within_bounds
from .._common.vocabulary import METRICS
from .._i18n import N_
from .conditions import (
    NOT_A_MAPPING,
    Condition,
    ConditionError,
    SpecValue,
    compile_condition,
    condition_fields,
)

_OUTCOME_KEYS = ("breached", "met")

# The messages, in English; ``validate --lang ar`` finds each again by its shape.
_FLOAT_AMOUNT = N_(
    'write the amount {amount} as a string such as "120.00"; a float cannot hold money exactly'
)
_NOT_AN_AMOUNT = N_('{value} is not an amount such as "120.00"')
_TOO_MANY_DIGITS = N_(
    "amount {amount} has more digits than an amount may (at most {digits}, and a power of "
    "ten from -{exponent} to {exponent})"
)
_NEGATIVE = N_("amount {amount} is negative")
_NOT_A_PERCENT = N_("percent {value} must be a number from 0 to 100")
_NEEDS_METRICS = N_("{key} needs a metric name or a list of them ({metrics})")
_CREDIT_SHAPE = N_("a credit needs either 'of' (with 'tiers') or a fixed 'amount'")
_CREDIT_TIERS = N_("a credit 'of' a field needs 'tiers'")
_MIN_ABOVE_MAX = N_("min ({min}) is above max ({max})")
_ONE_AWARD = N_("a rule awards exactly one of 'credit' or 'gesture'")
UNKNOWN_CURRENCY = N_("unknown ISO 4217 currency {currency}")
_WINDOW_LENGTH = N_("a window needs exactly one of 'days' or 'business_days'")
_WINDOW_CALENDAR = N_("a window in 'business_days' needs a 'calendar'")
_MORE_DECIMALS = N_("{amount} has more decimals than {currency} allows ({places})")


def _money(value: Any) -> Decimal:
    if isinstance(value, float):
        raise ValueError(_FLOAT_AMOUNT.format(amount=repr(value)))
    number = to_decimal(value)
    if number is None:
        raise ValueError(_NOT_AN_AMOUNT.format(value=repr(value)))
    if not within_bounds(number):
        raise ValueError(
            _TOO_MANY_DIGITS.format(
                amount=str(value)[:24], digits=MAX_DIGITS, exponent=MAX_EXPONENT
            )
        )
    if number < 0:
        raise ValueError(_NEGATIVE.format(amount=value))
    return number


def _percent(value: Any) -> Decimal:
    if isinstance(value, str):
        value = value.strip().removesuffix("%").strip()
    number = to_decimal(value) if not isinstance(value, float) else Decimal(str(value))
    if number is None or not within_bounds(number) or not Decimal(0) <= number <= Decimal(100):
        raise ValueError(_NOT_A_PERCENT.format(value=repr(value)))
    return number


Money = Annotated[
    Decimal,
    BeforeValidator(_money),
    WithJsonSchema(
        {
            "type": ["string", "number"],
            "pattern": r"^\d+(\.\d+)?$",
            "description": 'an amount, best written as a string: "120.00"',
        }
    ),
]
Percent = Annotated[
    Decimal,
    BeforeValidator(_percent),
    WithJsonSchema({"type": ["number", "string"], "description": "0 to 100"}),
]


class OutcomeCondition(SpecValue):
    """A ``when:`` for compensation: ticket-field conditions plus SLA outcomes.

    ``breached: resolution`` (or a list: any of them breached) and ``met: first_response``
    test the evaluation; every other key is a field condition as in ``sla[].when``.
    """

    __slots__ = ("breached", "fields", "met", "spec")
    schema_description = "field conditions plus breached/met: METRIC"

    def __init__(self, spec: dict[str, Any]) -> None:
        if not isinstance(spec, dict):
            raise ConditionError(NOT_A_MAPPING.format(example="{breached: resolution}"))
        self.spec = spec
        outcomes: dict[str, tuple[str, ...]] = {}
        for key in _OUTCOME_KEYS:
            if key in spec:
                value = spec[key]
                names = (value,) if isinstance(value, str) else value
                if (
                    not isinstance(names, list | tuple)
                    or not names
                    or any(n not in METRICS for n in names)
                ):
                    raise ConditionError(
                        _NEEDS_METRICS.format(key=repr(key), metrics=", ".join(METRICS)), (key,)
                    )
                outcomes[key] = tuple(names)
        self.breached = outcomes.get("breached", ())
        self.met = outcomes.get("met", ())
        rest = {k: v for k, v in spec.items() if k not in _OUTCOME_KEYS}
        self.fields = memoized(compile_condition(rest), condition_fields(rest)) if rest else None

    def matches(self, fields: Mapping[str, Any], statuses: Mapping[str, str]) -> bool:
        """Whether the ticket's fields and metric ``statuses`` satisfy the condition."""
        if self.breached and "breached" not in [statuses.get(m) for m in self.breached]:
            return False
        if self.met and "met" not in [statuses.get(m) for m in self.met]:
            return False
        return self.fields is None or self.fields(fields)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OutcomeCondition) and other.spec == self.spec

    def __hash__(self) -> int:
        return hash(repr(self.spec))

    def __repr__(self) -> str:
        return f"OutcomeCondition({self.spec!r})"


class CreditTier(BaseModel):
    """A half-open band ``[late_from, late_to)`` of lateness (business time past due)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    late_from: str
    late_to: str | None = None
    percent: Percent

    @field_validator("late_from", "late_to")
    @classmethod
    def _span(cls, value: str | None) -> str | None:
        if value is not None:
            parse_span(value)
        return value


class Credit(BaseModel):
    """A money award: a percent of a ticket field by lateness tier, or a fixed ``amount``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    of: str | None = None
    tiers: list[CreditTier] = Field(default_factory=list)
    amount: Money | None = None
    min: Money | None = None
    max: Money | None = None

    @model_validator(mode="after")
    def _shape(self) -> Credit:
        if (self.amount is None) == (self.of is None):
            raise ValueError(_CREDIT_SHAPE)
        if self.of is not None and not self.tiers:
            raise ValueError(_CREDIT_TIERS)
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(_MIN_ABOVE_MAX.format(min=self.min, max=self.max))
        return self


class CompensationRule(BaseModel):
    """One rule of ``compensation.rules``: a credit or a gesture, and when it applies."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    when: OutcomeCondition | None = None
    credit: Credit | None = None
    gesture: str | None = None

    @model_validator(mode="after")
    def _one_award(self) -> CompensationRule:
        if (self.credit is None) == (self.gesture is None):
            raise ValueError(_ONE_AWARD)
        return self


class Compensation(BaseModel):
    """The ``compensation:`` section: currency, rounding, how rules combine, caps."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    currency: str
    rounding: Literal["half_even", "half_up"]
    combine: Literal["highest", "sum"] = "highest"
    cap_per_ticket: Money | None = None
    approval_over: Money | None = None
    rules: list[CompensationRule] = Field(default_factory=list)

    @field_validator("currency")
    @classmethod
    def _known(cls, value: str) -> str:
        try:
            minor_units(value)
        except KeyError:
            more = did_you_mean(value.upper(), known_currencies())
            message = UNKNOWN_CURRENCY.format(currency=repr(value)) + more
            raise PydanticCustomError("unknown-currency", message.replace("{", "(")) from None
        return value


class RefundWindow(BaseModel):
    """How long after ``from`` (a ticket field holding an instant) a refund may be asked."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    days: int | None = Field(default=None, ge=0)
    business_days: int | None = Field(default=None, ge=0)
    start_field: str = Field(alias="from")
    calendar: str | None = None

    @model_validator(mode="after")
    def _one_length(self) -> RefundWindow:
        if (self.days is None) == (self.business_days is None):
            raise ValueError(_WINDOW_LENGTH)
        if self.business_days is not None and self.calendar is None:
            raise ValueError(_WINDOW_CALENDAR)
        return self


class PercentOf(BaseModel):
    """``{percent: 50}``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    percent: Percent


class RefundRule(BaseModel):
    """One entry of ``refunds:``; the first whose ``when`` matches a ticket decides."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    when: Condition | None = None
    of: str = "price"
    currency: str | None = None
    window: RefundWindow
    full_within: str | None = None
    after_full: PercentOf | None = None
    restocking_fee: PercentOf | None = None
    excluded_when: Condition | None = None

    @field_validator("full_within")
    @classmethod
    def _span(cls, value: str | None) -> str | None:
        if value is not None:
            parse_span(value)
        return value


def money_places_problems(compensation: Compensation) -> list[tuple[tuple[str | int, ...], str]]:
    """Amounts written with more decimals than the currency has: (path, message)."""
    places = minor_units(compensation.currency)
    found = []
    amounts: list[tuple[tuple[str | int, ...], Decimal | None]] = [
        (("cap_per_ticket",), compensation.cap_per_ticket),
        (("approval_over",), compensation.approval_over),
    ]
    for i, rule in enumerate(compensation.rules):
        if rule.credit is not None:
            for key in ("amount", "min", "max"):
                amounts.append((("rules", i, "credit", key), getattr(rule.credit, key)))
    for path, amount in amounts:
        if amount is not None and decimals_of(amount) > places:
            message = _MORE_DECIMALS.format(
                amount=amount, currency=compensation.currency, places=places
            )
            found.append((path, message))
    return found
