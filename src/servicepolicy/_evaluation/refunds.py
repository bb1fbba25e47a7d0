"""Refund decisions: whether a ticket's refund request is eligible under ``refunds:``, for how
much, under which rule, and why.

The request is the ticket's ``created_at``; the window runs from a ticket field holding an
instant, in days or in business days on a calendar.  Money is Decimal, rounded once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from .._common.durations import BusinessDays, parse_span
from .._common.errors import CalendarError
from .._common.instants import from_micros, to_micros
from .._common.money import amount_of, money_text, percent_of, quantize
from .._policy.compensation import Compensation, RefundRule
from .results import RefundDecision


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
    amount = quantize(percent_of(price, max(percent - fee, Decimal(0))), currency, rounding)
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
