"""What a customer is owed: credits and gestures after an evaluation, and refund decisions.

All money is Decimal, rounded once to the currency's minor unit with the policy's rounding;
``min``/``max`` bound each credit, and ``cap_per_ticket`` bounds their total.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

from ._clock import BusinessClock, from_micros, to_micros
from ._compensation_model import Compensation, CompensationRule, CreditTier, RefundRule
from ._durations import BusinessDays, format_duration, parse_span
from ._errors import CalendarError
from ._money import amount_of, money_text, quantize
from ._results import Award, RefundDecision, build

_HUNDRED: Final = Decimal(100)
_NEVER: Final = 1 << 62
_span_of: Final = lru_cache(maxsize=1024)(parse_span)  # tier edges are read for every late ticket


class Lateness:
    """How late a metric is: running time past its target, on its clock, from its due time.

    A plain class, not a dataclass: see ``_outcome.Promise``.
    """

    __slots__ = ("clock", "due", "late", "metric")

    def __init__(self, metric: str, late: int, clock: BusinessClock, due: int) -> None:
        self.metric = metric
        self.late = late  # microseconds of running time past the target
        self.clock = clock
        self.due = due


def _edge(text: str, lateness: Lateness | None) -> int:
    """A tier edge as running time; business days count from the metric's due time."""
    span = _span_of(text)
    if isinstance(span, timedelta):
        return span // timedelta(microseconds=1)
    if lateness is None or span.count == 0:
        return 0 if span.count == 0 else _NEVER
    clock = lateness.clock
    return clock.elapsed(lateness.due, clock.add_business_days(lateness.due, span.count))


def _tier_for(tiers: list[CreditTier], lateness: Lateness | None) -> CreditTier | None:
    """The tier whose half-open band ``[late_from, late_to)`` holds the lateness."""
    late = lateness.late if lateness is not None else 0
    edges: dict[str, int] = {}  # a band's upper edge is usually the next band's lower one

    def edge(text: str) -> int:
        if text not in edges:
            edges[text] = _edge(text, lateness)
        return edges[text]

    for tier in tiers:
        low = edge(tier.late_from)
        high = edge(tier.late_to) if tier.late_to is not None else None
        if low <= late and (high is None or late < high):
            return tier
    return None


def _tier_text(tier: CreditTier) -> str:
    return f"{tier.late_from}-{tier.late_to}" if tier.late_to else f"{tier.late_from}+"


def _credit(
    rule: CompensationRule,
    comp: Compensation,
    fields: Mapping[str, Any],
    lateness: Lateness | None,
    warnings: list[str],
) -> dict[str, Any] | None:
    credit = rule.credit
    assert credit is not None
    currency = comp.currency
    tier = None
    if credit.amount is not None:
        amount = quantize(credit.amount, currency, comp.rounding)
        how = f"fixed credit of {money_text(amount, currency)}"
    else:
        assert credit.of is not None
        base = amount_of(fields.get(credit.of))
        if base is None:
            warnings.append(
                f"compensation rule {rule.name!r}: field {credit.of!r} holds no amount "
                f"(a non-negative number written as text): {fields.get(credit.of)!r}; "
                "no credit computed"
            )
            return None
        tier = _tier_for(credit.tiers, lateness)
        if tier is None:
            return None
        amount = quantize(base * tier.percent / _HUNDRED, currency, comp.rounding)
        how = (
            f"tier {_tier_text(tier)}, {tier.percent:f}% of {money_text(base, currency)} = "
            f"{money_text(amount, currency)}"
        )
    if credit.min is not None and amount < credit.min:
        amount = quantize(credit.min, currency, comp.rounding)
        how += f", raised to the minimum {money_text(credit.min, currency)}"
    if credit.max is not None and amount > credit.max:
        amount = quantize(credit.max, currency, comp.rounding)
        how += f", capped at the maximum {money_text(credit.max, currency)}"
    prefix = (
        f"{lateness.metric} {format_duration(timedelta(microseconds=lateness.late))} late "
        "in business time: "
        if lateness is not None
        else ""
    )
    return _award(rule.name, "credit", prefix + how, amount, currency, tier=tier)


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


def _lateness_for(rule: CompensationRule, late: Mapping[str, Lateness]) -> Lateness | None:
    names = rule.when.breached if rule.when is not None else ()
    found = [late[name] for name in names if name in late]
    return max(found, key=lambda item: item.late) if found else None


def awards(
    comp: Compensation | None,
    fields: Mapping[str, Any],
    statuses: Mapping[str, str],
    late: Mapping[str, Lateness],
    warnings: list[str],
) -> list[Award]:
    """Every award the compensation rules give a ticket, combined, capped and flagged."""
    if comp is None:
        return []
    money: list[dict[str, Any]] = []
    gestures: list[dict[str, Any]] = []
    for rule in comp.rules:
        if rule.when is not None and not rule.when.matches(fields, statuses):
            continue
        if rule.gesture is not None:
            reason = f"{rule.gesture} ({_why(rule)})"
            gestures.append(_award(rule.name, "gesture", reason, gesture=rule.gesture))
            continue
        award = _credit(rule, comp, fields, _lateness_for(rule, late), warnings)
        if award is not None:
            money.append(award)
    if comp.combine == "highest" and money:
        best = max(money, key=lambda values: values["amount"] or Decimal(0))
        money = [best]
    _cap(money, comp)
    return [build(Award, values) for values in (*money, *gestures)]


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
            left -= amount
        values["amount"] = amount
        values["approval_required"] = comp.approval_over is not None and amount > comp.approval_over


def refund(
    rules: list[RefundRule],
    comp: Compensation | None,
    ticket_id: str,
    requested: datetime,
    fields: Mapping[str, Any],
    clock_of: Any,
) -> RefundDecision:
    """The refund decision for a request made at ``requested`` (the ticket's creation)."""
    for rule in rules:
        if rule.when is None or rule.when.matches(fields):
            return _decide(rule, comp, ticket_id, requested, fields, clock_of)
    return RefundDecision(ticket_id=ticket_id, eligible=False, reason="no refund rule applies")


def _excluded_reason(rule: RefundRule, fields: Mapping[str, Any]) -> str:
    assert rule.excluded_when is not None
    shown = [f"{key}={fields.get(key)}" for key in rule.excluded_when.spec if key in fields]
    return "excluded because " + (", ".join(shown) or "the exclusion condition holds")


def _decide(
    rule: RefundRule,
    comp: Compensation | None,
    ticket_id: str,
    requested: datetime,
    fields: Mapping[str, Any],
    clock_of: Any,
) -> RefundDecision:
    currency = rule.currency or (comp.currency if comp else None)
    rounding = comp.rounding if comp else "half_even"
    base: dict[str, Any] = {"ticket_id": ticket_id, "rule": rule.name, "currency": currency}
    if rule.excluded_when is not None and rule.excluded_when.matches(fields):
        return RefundDecision(**base, eligible=False, reason=_excluded_reason(rule, fields))
    start_text = fields.get(rule.window.start_field)
    try:
        start = datetime.fromisoformat(str(start_text)) if start_text is not None else None
    except ValueError:
        start = None
    if start is None or start.tzinfo is None:
        return RefundDecision(
            **base,
            eligible=False,
            reason=(
                f"field {rule.window.start_field!r} holds no instant with a UTC offset "
                f"({start_text!r})"
            ),
        )
    try:
        ends = _window_end(rule, start, clock_of)
    except (OverflowError, CalendarError):
        return RefundDecision(
            **base,
            eligible=False,
            reason=(f"the refund window from {start.isoformat()} ends beyond the supported years"),
        )
    base["window_ends_at"] = ends
    if requested >= ends:
        days_late = (requested - ends) // timedelta(days=1) + 1
        return RefundDecision(
            **base,
            eligible=False,
            reason=(
                f"outside the refund window by {days_late} day(s): it closed {ends.isoformat()}"
            ),
        )
    price = amount_of(fields.get(rule.of))
    if price is None or currency is None:
        return RefundDecision(
            **base,
            eligible=False,
            reason=(
                f"field {rule.of!r} holds no amount ({fields.get(rule.of)!r})"
                if price is None
                else "no currency: set compensation.currency or the rule's currency"
            ),
        )
    if rule.full_within is None or requested < _add(start, rule.full_within, clock_of, rule):
        amount = quantize(price, currency, rounding)
        return RefundDecision(
            **base,
            eligible=True,
            amount=amount,
            full=True,
            reason=(
                f"full refund of {money_text(amount, currency)}: requested within "
                f"{rule.full_within or 'the window'} of {rule.window.start_field}"
            ),
        )
    percent = rule.after_full.percent if rule.after_full else Decimal(0)
    fee = rule.restocking_fee.percent if rule.restocking_fee else Decimal(0)
    amount = quantize(price * max(percent - fee, Decimal(0)) / _HUNDRED, currency, rounding)
    if amount <= 0:
        return RefundDecision(
            **base,
            eligible=False,
            reason=(
                f"past the full-refund period ({rule.full_within}) and no partial refund applies"
            ),
        )
    return RefundDecision(
        **base,
        eligible=True,
        amount=amount,
        reason=(
            f"partial refund: {percent:f}% of {money_text(price, currency)}"
            + (f" less a {fee:f}% restocking fee" if fee else "")
            + f" = {money_text(amount, currency)} (after the {rule.full_within} full-refund period)"
        ),
    )


def _add(start: datetime, text: str, clock_of: Any, rule: RefundRule) -> datetime:
    span = parse_span(text)
    if isinstance(span, BusinessDays):
        clock = clock_of(rule.window.calendar or "24/7")
        return from_micros(clock.add_business_days(to_micros(start), span.count)).astimezone(
            start.tzinfo
        )
    return start + span


def _window_end(rule: RefundRule, start: datetime, clock_of: Any) -> datetime:
    """The window closes at the end of the local date ``days`` after ``start`` (its own offset),
    or of the date of the ``business_days``-th business day on the window's calendar."""
    if rule.window.business_days is not None:
        clock = clock_of(rule.window.calendar)
        moment = from_micros(clock.add_business_days(to_micros(start), rule.window.business_days))
        local = moment.astimezone(clock.rules.zone)
        return datetime.combine(
            local.date() + timedelta(days=1), datetime.min.time(), clock.rules.zone
        )
    assert rule.window.days is not None
    last = start.date() + timedelta(days=rule.window.days + 1)
    return datetime.combine(last, datetime.min.time(), start.tzinfo)
