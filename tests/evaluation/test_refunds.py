"""Refund decisions (``refunds:``), computed by hand against docs/compensation.md.

The policy is ``data/compensation/refunds.yaml``.  The request is the ticket's
``created_at``; its fields are those at ``as_of``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from servicepolicy import load_policy, parse_policy
from tests.paths import DATA

POLICY = load_policy(DATA / "compensation" / "refunds.yaml")
AS_OF = datetime(2027, 1, 1, tzinfo=UTC)
CET = timezone(timedelta(hours=1))

# goods: delivered 2026-03-01 10:00+01:00; the 30-day window closes at the end of
# 2026-03-31 (01 + 30 days), i.e. 2026-04-01T00:00+01:00; full refund before 2026-03-15 10:00.
GOODS = {
    "category": "goods",
    "order_total": "100.00",
    "delivered_at": "2026-03-01T10:00:00+01:00",
    "condition": "new",
}
GOODS_CLOSE = datetime(2026, 4, 1, 0, 0, tzinfo=CET)


def request(created: str, fields: dict, events: list | None = None, *, policy=POLICY, as_of=AS_OF):
    item = {"id": "R-1", "created_at": created, "fields": fields, "events": events or []}
    return policy.refund(item, as_of=as_of)


def test_full_refund_within_full_within():
    # 2026-03-10 is 9 days after delivery: < 14d -> the whole 100.00
    decision = request("2026-03-10T10:00:00+01:00", GOODS)
    assert decision.eligible and decision.full
    assert (decision.rule, decision.amount, decision.currency) == (
        "goods",
        Decimal("100.00"),
        "EUR",
    )
    assert decision.window_ends_at == GOODS_CLOSE
    assert decision.reason == "full refund of 100.00 EUR: requested within 14d of delivered_at"
    assert decision.ticket_id == "R-1"


@pytest.mark.parametrize(
    ("created", "full", "amount"),
    [
        # one second before delivered_at + 14d: full
        ("2026-03-15T09:59:59+01:00", True, "100.00"),
        # exactly 14d after: no longer within -> 50% - 10% = 40% of 100.00 = 40.00
        ("2026-03-15T10:00:00+01:00", False, "40.00"),
        # the same instant written in UTC
        ("2026-03-15T09:00:00+00:00", False, "40.00"),
    ],
)
def test_full_within_edge(created, full, amount):
    decision = request(created, GOODS)
    assert decision.eligible
    assert decision.full is full
    assert decision.amount == Decimal(amount)


def test_partial_refund_after_full_within_less_restocking_fee():
    # 2026-03-20: past 14d, inside the window; 50% of 100.00 less 10% of 100.00 = 40.00
    decision = request("2026-03-20T12:00:00+01:00", GOODS)
    assert decision.eligible and not decision.full
    assert decision.amount == Decimal("40.00")
    assert decision.reason == (
        "partial refund: 50% of 100.00 EUR less a 10% restocking fee = 40.00 EUR "
        "(after the 14d full-refund period)"
    )


def test_partial_refund_rounded_once():
    # 40% of 39.99 = 15.996 -> 16.00 (half_up from compensation.rounding)
    decision = request("2026-03-20T12:00:00+01:00", {**GOODS, "order_total": "39.99"})
    assert str(decision.amount) == "16.00"


@pytest.mark.parametrize(
    ("created", "eligible"),
    [
        # one second before the close: inside
        ("2026-03-31T23:59:59+01:00", True),
        # the close instant itself is outside
        ("2026-04-01T00:00:00+01:00", False),
        # the close instant in another offset is the same instant: outside
        ("2026-03-31T23:00:00+00:00", False),
        # 2026-04-01T00:30+02:00 is 2026-03-31T23:30+01:00: inside
        ("2026-04-01T00:30:00+02:00", True),
    ],
)
def test_window_end_is_exclusive(created, eligible):
    decision = request(created, GOODS)
    assert decision.eligible is eligible
    assert decision.window_ends_at == GOODS_CLOSE
    if not eligible:
        assert decision.amount is None
        assert decision.reason == (
            "outside the refund window by 1 day(s): it closed 2026-04-01T00:00:00+01:00"
        )


def test_outside_the_window_by_days():
    # 2026-04-03T12:00+02:00 = 10:00Z; closed 2026-03-31T23:00Z; 2d11h later -> "3 day(s)"
    decision = request("2026-04-03T12:00:00+02:00", GOODS)
    assert not decision.eligible
    assert decision.rule == "goods"
    assert decision.reason.startswith("outside the refund window by 3 day(s)")


def test_window_closes_at_midnight_in_the_offset_of_from():
    # delivered 2026-03-01T23:30-05:00: its own date is 03-01 -> close 2026-04-01T00:00-05:00
    # (2026-04-01T05:00Z), although the UTC date of delivery is already 03-02
    fields = {**GOODS, "delivered_at": "2026-03-01T23:30:00-05:00"}
    decision = request("2026-04-01T04:59:59+00:00", fields)
    assert decision.eligible
    assert decision.window_ends_at == datetime(2026, 4, 1, 5, 0, tzinfo=UTC)
    assert not request("2026-04-01T05:00:00+00:00", fields).eligible


# desk-goods: delivered Thursday 2026-03-05 10:00 UTC; business days on Mon-Fri: Fri 6, Mon 9,
# Tue 10 -> the window closes at the end of Tuesday, 2026-03-11T00:00Z (over the weekend).
# full_within 1bd: until Friday 10:00.
DESK = {"category": "desk", "price": "80.00", "delivered_at": "2026-03-05T10:00:00+00:00"}
DESK_CLOSE = datetime(2026, 3, 11, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("created", "eligible", "full", "amount"),
    [
        ("2026-03-05T12:00:00+00:00", True, True, "80.00"),
        ("2026-03-06T09:59:59+00:00", True, True, "80.00"),
        # Friday 10:00: 1bd reached -> 40% of 80.00 = 32.00
        ("2026-03-06T10:00:00+00:00", True, False, "32.00"),
        # Saturday and Tuesday night are still inside
        ("2026-03-07T12:00:00+00:00", True, False, "32.00"),
        ("2026-03-10T23:59:59+00:00", True, False, "32.00"),
        # Wednesday 00:00: closed
        ("2026-03-11T00:00:00+00:00", False, False, None),
    ],
)
def test_business_day_window_over_a_weekend(created, eligible, full, amount):
    decision = request(created, DESK)
    assert decision.rule == "desk-goods"
    assert (decision.eligible, decision.full) == (eligible, full)
    assert decision.amount == (Decimal(amount) if amount else None)
    assert decision.window_ends_at == DESK_CLOSE
    if not eligible:
        assert decision.reason.startswith("outside the refund window by 1 day(s)")


def test_excluded_when():
    decision = request("2026-03-10T10:00:00+01:00", {**GOODS, "condition": "used"})
    assert not decision.eligible
    assert decision.rule == "goods"
    assert decision.amount is None
    assert decision.reason == "excluded because condition=used"


def test_exclusion_comes_before_the_window():
    # far outside the window, and used: the exclusion is the reason given
    decision = request("2027-01-01T00:00:00+01:00", {**GOODS, "condition": "damaged_by_customer"})
    assert decision.reason == "excluded because condition=damaged_by_customer"


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "None"), (100.0, "100.0"), ("a lot", "'a lot'")],
    ids=["missing", "float", "text"],
)
def test_price_field_without_an_amount(value, shown):
    fields = {**GOODS, "order_total": value}
    if value is None:
        del fields["order_total"]
    decision = request("2026-03-10T10:00:00+01:00", fields)
    assert not decision.eligible
    assert decision.amount is None
    assert decision.reason == f"field 'order_total' holds no amount ({shown})"


@pytest.mark.parametrize("value", [Decimal("100.00"), 100, "100"], ids=["Decimal", "int", "text"])
def test_price_as_decimal_or_int(value):
    # full refund, quantized to the cent
    decision = request("2026-03-10T10:00:00+01:00", {**GOODS, "order_total": value})
    assert str(decision.amount) == "100.00"


@pytest.mark.parametrize(
    "value", [None, "yesterday", "2026-03-01T10:00:00"], ids=["missing", "text", "naive"]
)
def test_from_field_without_an_instant(value):
    fields = {**GOODS, "delivered_at": value}
    decision = request("2026-03-10T10:00:00+01:00", fields)
    assert not decision.eligible
    assert "holds no instant with a UTC offset" in decision.reason


def test_no_rule_matches():
    decision = request("2026-03-10T10:00:00+01:00", {**GOODS, "category": "gift-card"})
    assert not decision.eligible
    assert (decision.rule, decision.amount, decision.currency) == (None, None, None)
    assert decision.reason == "no refund rule applies"


def test_nothing_left_after_full_within_is_not_eligible():
    # final-sale: 10% after 2d less a 10% fee = 0 -> not eligible
    fields = {"category": "final", "price": "50.00", "delivered_at": "2026-03-01T10:00:00+01:00"}
    assert request("2026-03-02T10:00:00+01:00", fields).full
    decision = request("2026-03-04T10:00:00+01:00", fields)
    assert not decision.eligible
    assert decision.amount is None
    assert decision.reason == "past the full-refund period (2d) and no partial refund applies"


def test_rule_currency_overrides_compensation_currency():
    # yen-shop: JPY, 50% - 5% = 45% of 1010 = 454.5 -> 455 (half_up, 0 decimals)
    fields = {"category": "yen", "price": "1010", "delivered_at": "2026-03-01T10:00:00+01:00"}
    decision = request("2026-03-20T10:00:00+01:00", fields)
    assert (decision.currency, str(decision.amount)) == ("JPY", "455")


NO_COMPENSATION = """\
servicepolicy: "1"
name: no compensation section
sla:
  - name: all
    calendar: 24/7
    targets: {resolution: 2h}
refunds:
  - name: r
    currency: EUR
    window: {days: 30, from: delivered_at}
    full_within: 7d
    after_full: {percent: 50}
"""


@pytest.mark.parametrize(
    ("section", "amount"),
    [
        # no compensation section: half-even; 50% of 10.05 = 5.025 -> 5.02
        ("", "5.02"),
        ("compensation:\n  currency: EUR\n  rounding: half_up\n", "5.03"),
        ("compensation:\n  currency: EUR\n  rounding: half_even\n", "5.02"),
    ],
)
def test_refund_rounding(section, amount):
    policy = parse_policy(NO_COMPENSATION + section)
    fields = {"price": "10.05", "delivered_at": "2026-03-01T10:00:00+01:00"}
    decision = request("2026-03-20T10:00:00+01:00", fields, policy=policy)
    assert (decision.currency, str(decision.amount)) == ("EUR", amount)


def test_request_is_created_at_and_fields_are_those_at_as_of():
    # requested 2026-03-10 (full); the price is corrected to 90.00 on 2026-03-25
    events = [
        {
            "at": "2026-03-25T10:00:00+01:00",
            "type": "field",
            "field": "order_total",
            "value": "90.00",
        }
    ]
    before = request(
        "2026-03-10T10:00:00+01:00", GOODS, events, as_of=datetime(2026, 3, 20, tzinfo=UTC)
    )
    after = request("2026-03-10T10:00:00+01:00", GOODS, events)
    # a later as_of does not move the request out of the window: still full
    assert (before.full, before.amount) == (True, Decimal("100.00"))
    assert (after.full, after.amount) == (True, Decimal("90.00"))


def test_decision_json_shape():
    decision = request("2026-03-20T12:00:00+01:00", GOODS)
    assert json.loads(decision.model_dump_json()) == {
        "ticket_id": "R-1",
        "eligible": True,
        "rule": "goods",
        "amount": "40.00",
        "currency": "EUR",
        "full": False,
        "window_ends_at": "2026-04-01T00:00:00+01:00",
        "reason": "partial refund: 50% of 100.00 EUR less a 10% restocking fee = 40.00 EUR "
        "(after the 14d full-refund period)",
    }


def test_negative_price_gives_no_negative_refund():
    decision = request("2026-03-10T10:00:00+01:00", {**GOODS, "order_total": "-100.00"})
    assert not (decision.eligible and decision.amount is not None and decision.amount < 0)
