"""What a customer is owed after an evaluation: credits by lateness tier, and gestures.

All money is Decimal, rounded once to the currency's minor unit with the policy's rounding;
``min``/``max`` bound each credit, and ``cap_per_ticket`` bounds their total.  Refund requests
are decided in :mod:`.refunds`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any, Final

from .._calendar.clock import BusinessClock
from .._common.durations import BusinessDays, format_duration, parse_span
from .._common.fastmodel import build_model
from .._common.memo import BoundedMemo
from .._common.money import MONEY, amount_of, money_text, percent_of, quantize
from .._policy.compensation import Compensation, CompensationRule, CreditTier
from .results import Award

_NEVER: Final = 1 << 62


class Lateness:
    """How late a metric is: running time past its target, on its clock, from its due time.

    A plain class, not a dataclass: see ``_common/records.py``.
    """

    __slots__ = ("clock", "due", "late", "metric")

    def __init__(self, metric: str, late: int, clock: BusinessClock, due: int) -> None:
        self.metric = metric
        self.late = late  # microseconds of running time past the target
        self.clock = clock
        self.due = due


class _Band:
    """A credit tier with its edges read once: running time in microseconds, or a count of
    business days from the metric's due time (``*_days`` >= 0), and its reason's opening."""

    __slots__ = ("high", "high_days", "low", "low_days", "opening", "tier")

    def __init__(self, tier: CreditTier) -> None:
        self.tier = tier
        self.low, self.low_days = _edge_of(tier.late_from)
        self.high, self.high_days = _edge_of(tier.late_to) if tier.late_to else (_NEVER, -1)
        self.opening = f"tier {_tier_text(tier)}, {tier.percent:f}% of "


def _edge_of(text: str) -> tuple[int, int]:
    span = parse_span(text)
    if isinstance(span, BusinessDays):
        return 0, span.count
    return span // timedelta(microseconds=1), -1


def _edge(micros: int, days: int, lateness: Lateness | None, found: dict[int, int]) -> int:
    """A tier edge as running time; business days count from the metric's due time (worked
    out once per ticket in ``found``: a band's upper edge is usually the next one's lower)."""
    if days < 0:
        return micros
    if lateness is None or days == 0:
        return 0 if days == 0 else _NEVER
    edge = found.get(days)
    if edge is None:
        clock = lateness.clock
        edge = clock.elapsed(lateness.due, clock.add_business_days(lateness.due, days))
        found[days] = edge
    return edge


def _band_for(bands: list[_Band], lateness: Lateness | None) -> _Band | None:
    """The band whose half-open range ``[late_from, late_to)`` holds the lateness."""
    late = lateness.late if lateness is not None else 0
    found: dict[int, int] = {}
    for band in bands:
        low = _edge(band.low, band.low_days, lateness, found)
        high = _edge(band.high, band.high_days, lateness, found)
        if low <= late < high:
            return band
    return None


def _tier_text(tier: CreditTier) -> str:
    return f"{tier.late_from}-{tier.late_to}" if tier.late_to else f"{tier.late_from}+"


def _any_is(metrics: tuple[str, ...], statuses: Mapping[str, str], status: str) -> bool:
    return any(statuses.get(metric) == status for metric in metrics)


class _RulePlan:
    """A compensation rule prepared once per policy: its ``when`` split into the metric
    outcomes it needs and its field predicate, and the texts every award of it repeats."""

    __slots__ = (
        "bands",
        "breached",
        "credit",
        "fields",
        "fixed",
        "fixed_how",
        "gesture",
        "gesture_reason",
        "maximum",
        "maximum_note",
        "met",
        "minimum",
        "minimum_note",
        "name",
    )

    def __init__(self, rule: CompensationRule, comp: Compensation) -> None:
        when = rule.when
        self.name = rule.name
        self.breached: tuple[str, ...] = when.breached if when is not None else ()
        self.met: tuple[str, ...] = when.met if when is not None else ()
        self.fields: Any = when.fields if when is not None else None
        self.gesture = rule.gesture
        self.gesture_reason = f"{rule.gesture} ({_why(rule)})" if rule.gesture is not None else ""
        self.credit = rule.credit
        currency, rounding = comp.currency, comp.rounding
        self.bands: list[_Band] = []
        self.fixed: Decimal | None = None
        self.fixed_how = ""
        self.minimum: Decimal | None = None
        self.minimum_note = ""
        self.maximum: Decimal | None = None
        self.maximum_note = ""
        credit = rule.credit
        if credit is None:
            return
        self.bands = [_Band(tier) for tier in credit.tiers]
        if credit.amount is not None:
            self.fixed = quantize(credit.amount, currency, rounding)
            self.fixed_how = f"fixed credit of {money_text(self.fixed, currency)}"
        if credit.min is not None:
            self.minimum = quantize(credit.min, currency, rounding)
            self.minimum_note = f", raised to the minimum {money_text(credit.min, currency)}"
        if credit.max is not None:
            self.maximum = quantize(credit.max, currency, rounding)
            self.maximum_note = f", capped at the maximum {money_text(credit.max, currency)}"

    def applies(self, fields: Mapping[str, Any], statuses: Mapping[str, str]) -> bool:
        """``rule.when.matches(fields, statuses)``: any of ``breached`` breached, any of
        ``met`` met, and the field conditions hold (None: the rule has no ``when``)."""
        if self.breached and not _any_is(self.breached, statuses, "breached"):
            return False
        if self.met and not _any_is(self.met, statuses, "met"):
            return False
        return self.fields is None or bool(self.fields(fields))

    def lateness(self, late: Mapping[str, Lateness]) -> Lateness | None:
        """The latest of the breached metrics this rule names."""
        found: Lateness | None = None
        for name in self.breached:
            item = late.get(name)
            if item is not None and (found is None or item.late > found.late):
                found = item
        return found


class CompensationPlan:
    """A policy's ``compensation:`` prepared for many tickets (:meth:`awards`)."""

    def __init__(self, comp: Compensation | None) -> None:
        self.comp = comp
        self.rules = [_RulePlan(rule, comp) for rule in comp.rules] if comp is not None else []

    def awards(
        self,
        fields: Mapping[str, Any],
        statuses: Mapping[str, str],
        late: Mapping[str, Lateness],
        warnings: list[str],
    ) -> list[Award]:
        """Every award the compensation rules give a ticket, combined, capped and flagged."""
        comp = self.comp
        if comp is None:
            return []
        money: list[dict[str, Any]] = []
        gestures: list[dict[str, Any]] = []
        for plan in self.rules:
            if not plan.applies(fields, statuses):
                continue
            if plan.gesture is not None:
                gestures.append(
                    _award(plan.name, "gesture", plan.gesture_reason, gesture=plan.gesture)
                )
                continue
            award = _credit(plan, comp, fields, plan.lateness(late), warnings)
            if award is not None:
                money.append(award)
        if comp.combine == "highest" and money:
            best = max(money, key=lambda values: values["amount"] or Decimal(0))
            money = [best]
        _cap(money, comp)
        return [build_model(Award, values) for values in (*money, *gestures)]


def _credit(
    plan: _RulePlan,
    comp: Compensation,
    fields: Mapping[str, Any],
    lateness: Lateness | None,
    warnings: list[str],
) -> dict[str, Any] | None:
    credit = plan.credit
    assert credit is not None
    currency = comp.currency
    band = None
    if plan.fixed is not None:
        amount = plan.fixed
        how = plan.fixed_how
    else:
        assert credit.of is not None
        base = amount_of(fields.get(credit.of))
        if base is None:
            warnings.append(
                f"compensation rule {plan.name!r}: field {credit.of!r} holds no amount "
                f"(a non-negative number written as text): {fields.get(credit.of)!r}; "
                "no credit computed"
            )
            return None
        band = _band_for(plan.bands, lateness)
        if band is None:
            return None
        amount = quantize(percent_of(base, band.tier.percent), currency, comp.rounding)
        how = f"{band.opening}{money_text(base, currency)} = {money_text(amount, currency)}"
    # Compared with the amounts as written, then replaced by them rounded.
    if plan.minimum is not None and credit.min is not None and amount < credit.min:
        amount = plan.minimum
        how += plan.minimum_note
    if plan.maximum is not None and credit.max is not None and amount > credit.max:
        amount = plan.maximum
        how += plan.maximum_note
    prefix = (
        f"{lateness.metric} {_late_text(lateness.late)} late in business time: "
        if lateness is not None
        else ""
    )
    return _award(
        plan.name, "credit", prefix + how, amount, currency, tier=band.tier if band else None
    )


_late_texts: Final[BoundedMemo[int, str]] = BoundedMemo()  # microseconds late -> "1h30m"


def _late_text(micros: int) -> str:
    text = _late_texts.get(micros)
    if text is None:
        text = _late_texts.put(micros, format_duration(timedelta(microseconds=micros)))
    return text


# An award is built as its model's values, and made a model once, after the per-ticket cap.
def _award(
    rule: str,
    kind: str,
    reason: str,
    amount: Decimal | None = None,
    currency: str | None = None,
    *,
    tier: CreditTier | None = None,
    gesture: str | None = None,
) -> dict[str, Any]:
    """The values of an :class:`Award`, already checked by this module."""
    return {
        "rule": rule,
        "kind": kind,
        "amount": amount,
        "currency": currency,
        "gesture": gesture,
        "tier": _tier_text(tier) if tier else None,
        "approval_required": False,
        "reason": reason,
    }


def _why(rule: CompensationRule) -> str:
    if rule.when is None:
        return "always"
    parts = [f"{m} breached" for m in rule.when.breached] + [f"{m} met" for m in rule.when.met]
    return " or ".join(parts) if parts else "conditions met"


def _cap(money: list[dict[str, Any]], comp: Compensation) -> None:
    """Reduce the credits to the per-ticket cap, in order, and flag those needing approval."""
    left = comp.cap_per_ticket
    for values in money:
        amount = values["amount"] or Decimal(0)
        if left is not None and amount > left:
            amount = quantize(left, comp.currency, comp.rounding)
            values["reason"] += (
                f"; reduced to {money_text(amount, comp.currency)} by the per-ticket cap"
            )
        if left is not None:
            left = MONEY.subtract(left, amount)
        values["amount"] = amount
        values["approval_required"] = comp.approval_over is not None and amount > comp.approval_over
