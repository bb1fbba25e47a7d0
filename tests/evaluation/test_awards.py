"""Credits and gestures (``compensation:``), computed by hand against docs/compensation.md.

Policies are ``data/compensation/base.yaml`` plus a ``compensation:`` section per test.
Unless a ticket has ``clock: desk`` it runs 24/7, so lateness is wall-clock time past due:
created ``T0`` (Monday 2026-03-02 00:00 UTC), first_response due T0+1h, resolution due T0+2h.
The desk calendar is Mon-Fri 09:00-17:00 UTC.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from textwrap import dedent

import pytest
from hypothesis import given
from hypothesis import strategies as st

from servicepolicy import Policy, check_policy_file, check_policy_text, parse_policy
from tests.paths import DATA

FIXTURES = DATA / "compensation"
BASE = (FIXTURES / "base.yaml").read_text(encoding="utf-8")
T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday
AS_OF = T0 + timedelta(days=10)
FRIDAY = datetime(2026, 3, 6, 13, 0, tzinfo=UTC)  # desk tickets: resolution due Fri 15:00

TIERS = """\
        tiers:
          - {late_from: 0h, late_to: 4h, percent: 5}
          - {late_from: 4h, late_to: 1bd, percent: 10}
          - {late_from: 1bd, percent: 25}
"""


def make_policy(section: str) -> Policy:
    return parse_policy(BASE + "\n" + dedent(section))


def tiered(
    *,
    currency: str = "EUR",
    rounding: str = "half_even",
    credit_extra: str = "",
    head_extra: str = "",
    when: str = "{breached: resolution}",
) -> Policy:
    """One tiered rule, as in the docs: 5% below 4h, 10% from 4h to 1bd, 25% from 1bd."""
    return make_policy(
        f"""\
compensation:
  currency: {currency}
  rounding: {rounding}
{head_extra}  rules:
    - name: late-resolution
      when: {when}
      credit:
        of: fee
{TIERS}{credit_extra}"""
    )


def ticket(
    late: timedelta | None = None,
    reply_late: timedelta | None = None,
    fields: dict | None = None,
    *,
    fee: object = "1200.00",
    extra_events: list | None = None,
) -> dict:
    """A 24/7 ticket; ``late``: how late it is solved (None: never), ``reply_late``: how late
    the first reply is (None: a reply after 30 minutes, in time)."""
    reply = T0 + (timedelta(hours=1) + reply_late if reply_late is not None else timedelta(0, 1800))
    events: list[dict] = [{"at": reply.isoformat(), "type": "agent_reply"}]
    if late is not None:
        solved = T0 + timedelta(hours=2) + late
        events.append({"at": solved.isoformat(), "type": "status", "status": "solved"})
    values = {"fee": fee, **(fields or {})}
    if fee is None:
        del values["fee"]
    return {
        "id": "C-1",
        "created_at": T0.isoformat(),
        "fields": values,
        "events": events + (extra_events or []),
    }


def desk_ticket(solved: datetime) -> dict:
    """Created Fri 13:00 on the desk, replied 13:30, resolution due Fri 15:00, solved then."""
    return {
        "id": "D-1",
        "created_at": FRIDAY.isoformat(),
        "fields": {"clock": "desk", "fee": "1200.00"},
        "events": [
            {"at": (FRIDAY + timedelta(minutes=30)).isoformat(), "type": "agent_reply"},
            {"at": solved.isoformat(), "type": "status", "status": "solved"},
        ],
    }


def credits(evaluation):
    return [a for a in evaluation.compensation if a.kind == "credit"]


def only_credit(evaluation):
    found = credits(evaluation)
    assert len(found) == 1, evaluation.compensation
    return found[0]


# -- band edges ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("late", "tier", "amount"),
    [
        # 1 microsecond past due is breached: tier 0h-4h, 5% of 1200.00 = 60.00
        (timedelta(microseconds=1), "0h-4h", "60.00"),
        # 3h59m < 4h: still 0h-4h, 60.00
        (timedelta(hours=3, minutes=59), "0h-4h", "60.00"),
        # 3h59m59.999999s: the band is half-open, 4h is its first excluded value
        (timedelta(hours=4) - timedelta(microseconds=1), "0h-4h", "60.00"),
        # exactly 4h belongs to [4h, 1bd): 10% of 1200.00 = 120.00
        (timedelta(hours=4), "4h-1bd", "120.00"),
        # on 24/7, 1bd after the due time is 24h of running time: 24h - 1us is still 4h-1bd
        (timedelta(hours=24) - timedelta(microseconds=1), "4h-1bd", "120.00"),
        # exactly 24h: [1bd, ...): 25% of 1200.00 = 300.00
        (timedelta(hours=24), "1bd+", "300.00"),
        (timedelta(days=3), "1bd+", "300.00"),
    ],
)
def test_band_edges_on_24_7(late, tier, amount):
    evaluation = tiered().evaluate(ticket(late), as_of=AS_OF)
    assert evaluation.metrics["resolution"].status == "breached"
    award = only_credit(evaluation)
    assert (award.tier, award.amount, award.currency) == (tier, Decimal(amount), "EUR")
    assert str(award.amount) == amount


def test_solved_exactly_at_due_is_met_and_owes_nothing():
    # elapsed 2h == target 2h: met, not breached (lateness 0 is no lateness)
    evaluation = tiered().evaluate(ticket(timedelta(0)), as_of=AS_OF)
    assert evaluation.metrics["resolution"].status == "met"
    assert evaluation.compensation == []
    assert evaluation.warnings == []


def test_reason_matches_the_documented_example():
    # 6h12m late is in [4h, 1bd): 10% of 1200.00 EUR = 120.00 EUR
    award = only_credit(tiered().evaluate(ticket(timedelta(hours=6, minutes=12)), as_of=AS_OF))
    assert award.reason == (
        "resolution 6h12m late in business time: tier 4h-1bd, 10% of 1200.00 EUR = 120.00 EUR"
    )
    assert award.rule == "late-resolution"
    assert award.approval_required is False


def test_open_ticket_is_late_by_as_of():
    # never solved; as_of = due + 5h -> running lateness 5h -> tier 4h-1bd
    evaluation = tiered().evaluate(ticket(None), as_of=T0 + timedelta(hours=7))
    assert evaluation.metrics["resolution"].status == "breached"
    assert only_credit(evaluation).tier == "4h-1bd"


@pytest.mark.parametrize(
    ("solved", "tier", "late_text"),
    [
        # Fri 19:00 is after closing: elapsed Fri 13-17 = 4h, late 4h - 2h = 2h -> 0h-4h
        (datetime(2026, 3, 6, 19, 0, tzinfo=UTC), "0h-4h", "2h"),
        # Mon 11:00: elapsed 4h (Fri) + 2h (Mon 9-11) = 6h, late 4h -> [4h, 1bd)
        (datetime(2026, 3, 9, 11, 0, tzinfo=UTC), "4h-1bd", "4h"),
        # 1bd from the due time Fri 15:00 is Mon 15:00: open time Fri 15-17 (2h) + Mon 9-15
        # (6h) = 8h, so the 1bd edge is 8h of lateness (not 24h).
        # Mon 14:59: elapsed 4h + 5h59m = 9h59m, late 7h59m -> still [4h, 1bd)
        (datetime(2026, 3, 9, 14, 59, tzinfo=UTC), "4h-1bd", "7h59m"),
        # Mon 15:00: elapsed 4h + 6h = 10h, late 8h -> [1bd, ...)
        (datetime(2026, 3, 9, 15, 0, tzinfo=UTC), "1bd+", "8h"),
    ],
)
def test_business_day_edge_from_the_due_time_on_the_desk(solved, tier, late_text):
    evaluation = tiered().evaluate(desk_ticket(solved), as_of=AS_OF)
    assert evaluation.policy == "desk"
    award = only_credit(evaluation)
    assert award.tier == tier
    assert award.reason.startswith(f"resolution {late_text} late in business time: tier {tier}")


# -- min, max, cap, approval -----------------------------------------------------------------

BOUNDED = '        min: "10.00"\n        max: "200.00"\n'


@pytest.mark.parametrize(
    ("fee", "late", "amount", "note"),
    [
        # 5% of 100.00 = 5.00 < min 10.00 -> 10.00
        ("100.00", timedelta(hours=1), "10.00", "raised to the minimum 10.00 EUR"),
        # 5% of 200.00 = 10.00 == min: nothing raised
        ("200.00", timedelta(hours=1), "10.00", None),
        # 10% of 1200.00 = 120.00 inside [10, 200]
        ("1200.00", timedelta(hours=5), "120.00", None),
        # 25% of 1200.00 = 300.00 > max 200.00 -> 200.00
        ("1200.00", timedelta(hours=30), "200.00", "capped at the maximum 200.00 EUR"),
        # 25% of 800.00 = 200.00 == max: nothing lowered
        ("800.00", timedelta(hours=30), "200.00", None),
    ],
)
def test_min_and_max(fee, late, amount, note):
    award = only_credit(tiered(credit_extra=BOUNDED).evaluate(ticket(late, fee=fee), as_of=AS_OF))
    assert award.amount == Decimal(amount)
    if note:
        assert note in award.reason
    else:
        assert "minimum" not in award.reason and "maximum" not in award.reason


def stacked(combine: str, cap: str | None = None, approval: str | None = None) -> Policy:
    head = f"  combine: {combine}\n"
    if cap:
        head += f'  cap_per_ticket: "{cap}"\n'
    if approval:
        head += f'  approval_over: "{approval}"\n'
    return make_policy(
        f"""\
compensation:
  currency: EUR
  rounding: half_even
{head}  rules:
    - name: late-resolution
      when: {{breached: resolution}}
      credit:
        of: fee
{TIERS}    - name: late-reply
      when: {{breached: first_response}}
      credit: {{amount: "40.00"}}
    - name: goodwill
      when: {{breached: first_response}}
      credit: {{amount: "25.00"}}
    - name: apology
      when: {{breached: [first_response, resolution]}}
      gesture: personal apology
"""
    )


# resolution 5h late (10% of 1200.00 = 120.00) and first reply 1h late (40.00 and 25.00)
BOTH_LATE = {"late": timedelta(hours=5), "reply_late": timedelta(hours=1)}


def test_sum_keeps_every_credit_and_the_gesture():
    evaluation = stacked("sum").evaluate(ticket(**BOTH_LATE), as_of=AS_OF)
    assert [(a.rule, a.kind, a.amount) for a in evaluation.compensation] == [
        ("late-resolution", "credit", Decimal("120.00")),
        ("late-reply", "credit", Decimal("40.00")),
        ("goodwill", "credit", Decimal("25.00")),
        ("apology", "gesture", None),
    ]
    gesture = evaluation.compensation[-1]
    assert gesture.gesture == "personal apology"
    assert gesture.currency is None and gesture.approval_required is False


def test_highest_keeps_the_largest_credit_and_the_gesture():
    # max(120.00, 40.00, 25.00) = 120.00; gestures are always kept
    evaluation = stacked("highest").evaluate(ticket(**BOTH_LATE), as_of=AS_OF)
    assert [(a.rule, a.amount) for a in evaluation.compensation] == [
        ("late-resolution", Decimal("120.00")),
        ("apology", None),
    ]


def test_highest_keeps_the_first_on_a_tie():
    policy = make_policy(
        """\
compensation:
  currency: EUR
  rounding: half_even
  rules:
    - {name: first, when: {breached: first_response}, credit: {amount: "40.00"}}
    - {name: second, when: {breached: first_response}, credit: {amount: "40.00"}}
"""
    )
    evaluation = policy.evaluate(ticket(None, reply_late=timedelta(hours=1)), as_of=AS_OF)
    assert [a.rule for a in evaluation.compensation] == ["first"]


def test_highest_with_only_gestures_and_no_credit():
    # resolution met, first reply late: no credit rule matches but the gesture does
    evaluation = stacked("highest").evaluate(
        ticket(timedelta(0), reply_late=timedelta(minutes=30), fee="abc"), as_of=AS_OF
    )
    # late-reply (40.00) beats goodwill (25.00); fee is text but late-resolution does not match
    assert [(a.rule, a.kind) for a in evaluation.compensation] == [
        ("late-reply", "credit"),
        ("apology", "gesture"),
    ]
    assert evaluation.warnings == []


def test_cap_with_sum_reduces_in_rule_order():
    # 120.00 + 40.00 + 25.00 = 185.00 > cap 150.00; in rule order:
    # late-resolution 120.00 (30.00 left), late-reply 40.00 -> 30.00 (0 left), goodwill -> 0
    evaluation = stacked("sum", cap="150.00").evaluate(ticket(**BOTH_LATE), as_of=AS_OF)
    money = credits(evaluation)
    assert [(a.rule, a.amount) for a in money] == [
        ("late-resolution", Decimal("120.00")),
        ("late-reply", Decimal("30.00")),
        ("goodwill", Decimal(0)),
    ]
    assert sum(a.amount for a in money) == Decimal("150.00")
    assert "per-ticket cap" not in money[0].reason
    assert money[1].reason.endswith("; reduced to 30.00 EUR by the per-ticket cap")
    assert "per-ticket cap" in money[2].reason
    assert evaluation.compensation[-1].kind == "gesture"


def test_cap_with_highest():
    # highest keeps 120.00; cap 100.00 lowers it; approval_over 100.00 is not exceeded by 100.00
    evaluation = stacked("highest", cap="100.00", approval="100.00").evaluate(
        ticket(**BOTH_LATE), as_of=AS_OF
    )
    award = only_credit(evaluation)
    assert (award.rule, award.amount) == ("late-resolution", Decimal("100.00"))
    assert "reduced to 100.00 EUR by the per-ticket cap" in award.reason
    assert award.approval_required is False


def test_cap_not_reached_changes_nothing():
    # 120 + 40 + 25 = 185.00 <= 185.00
    evaluation = stacked("sum", cap="185.00").evaluate(ticket(**BOTH_LATE), as_of=AS_OF)
    assert [a.amount for a in credits(evaluation)] == [
        Decimal("120.00"),
        Decimal("40.00"),
        Decimal("25.00"),
    ]
    assert not any("cap" in a.reason for a in evaluation.compensation)


@pytest.mark.parametrize(
    ("approval", "flags"),
    [
        # 120.00 > 100.00 only for late-resolution
        ("100.00", [True, False, False]),
        # strictly above: 120.00 is not above 120.00
        ("120.00", [False, False, False]),
        ("119.99", [True, False, False]),
        # 40.00 > 39.99 and 120.00 > 39.99; 25.00 is not
        ("39.99", [True, True, False]),
    ],
)
def test_approval_over_is_strictly_above(approval, flags):
    evaluation = stacked("sum", approval=approval).evaluate(ticket(**BOTH_LATE), as_of=AS_OF)
    assert [a.approval_required for a in credits(evaluation)] == flags
    assert evaluation.compensation[-1].approval_required is False


def test_approval_is_judged_after_the_cap():
    # 120.00 capped to 100.00 is not above 110.00
    evaluation = stacked("sum", cap="100.00", approval="110.00").evaluate(
        ticket(**BOTH_LATE), as_of=AS_OF
    )
    assert [a.approval_required for a in credits(evaluation)] == [False, False, False]


# -- outcome keys -------------------------------------------------------------------------------

OUTCOMES = """\
compensation:
  currency: EUR
  rounding: half_even
  combine: sum
  rules:
    - name: thanks
      when: {met: first_response}
      gesture: thank-you note
    - name: fast-gold
      when: {met: [first_response, resolution], plan: gold}
      credit: {amount: "3.00"}
    - name: any-late
      when: {breached: [first_response, resolution]}
      credit:
        of: fee
"""


def test_met_outcome_key():
    policy = make_policy(OUTCOMES + TIERS)
    # reply after 30m: first_response met, resolution met -> thanks; fast-gold needs plan gold
    evaluation = policy.evaluate(ticket(timedelta(0)), as_of=AS_OF)
    assert [a.rule for a in evaluation.compensation] == ["thanks"]
    assert evaluation.compensation[0].reason == "thank-you note (first_response met)"
    gold = policy.evaluate(ticket(timedelta(0), fields={"plan": "gold"}), as_of=AS_OF)
    assert [(a.rule, a.amount) for a in gold.compensation] == [
        ("fast-gold", Decimal("3.00")),
        ("thanks", None),
    ]
    # the reason of a fixed credit not tied to a breach has no lateness prefix
    assert gold.compensation[0].reason == "fixed credit of 3.00 EUR"


def test_met_needs_a_completed_metric():
    # never solved and not yet due: resolution is running, not met; first_response is met
    policy = make_policy(OUTCOMES + TIERS)
    evaluation = policy.evaluate(
        ticket(None, fields={"plan": "gold"}), as_of=T0 + timedelta(hours=1)
    )
    assert evaluation.metrics["resolution"].status == "running"
    # fast-gold matches: any of [first_response, resolution] met is enough
    assert [a.rule for a in evaluation.compensation] == ["fast-gold", "thanks"]


@pytest.mark.parametrize(
    ("late", "reply_late", "tier", "prefix"),
    [
        # only first_response breached, 30m late -> 0h-4h of its lateness
        (timedelta(0), timedelta(minutes=30), "0h-4h", "first_response 30m late"),
        # both: first_response 30m, resolution 5h -> the latest, 5h -> 4h-1bd
        (timedelta(hours=5), timedelta(minutes=30), "4h-1bd", "resolution 5h late"),
        # both: first_response 4h30m (reply T0+5h30m), resolution 3h45m (solved T0+5h45m)
        # -> the latest is first_response's 4h30m -> 4h-1bd
        (
            timedelta(hours=3, minutes=45),
            timedelta(hours=4, minutes=30),
            "4h-1bd",
            "first_response 4h30m late",
        ),
    ],
)
def test_breached_list_uses_the_latest_breached_metric(late, reply_late, tier, prefix):
    policy = make_policy(OUTCOMES + TIERS)
    evaluation = policy.evaluate(ticket(late, reply_late=reply_late), as_of=AS_OF)
    award = only_credit(evaluation)
    assert award.rule == "any-late"
    assert award.tier == tier
    assert award.reason.startswith(prefix + " in business time")


def test_field_conditions_in_when_read_fields_at_as_of():
    policy = tiered(when="{breached: resolution, plan: [gold, silver]}")
    late = timedelta(hours=1)
    assert policy.evaluate(ticket(late, fields={"plan": "bronze"}), as_of=AS_OF).compensation == []
    upgrade = [
        {
            "at": (T0 + timedelta(days=1)).isoformat(),
            "type": "field",
            "field": "plan",
            "value": "gold",
        }
    ]
    upgraded = ticket(late, fields={"plan": "bronze"}, extra_events=upgrade)
    # as_of after the change: plan gold -> a credit; as_of before it: plan bronze -> none
    assert only_credit(policy.evaluate(upgraded, as_of=AS_OF)).amount == Decimal("60.00")
    assert policy.evaluate(upgraded, as_of=T0 + timedelta(hours=12)).compensation == []


def test_amount_field_is_read_at_as_of():
    # fee 1200.00 raised to 2000.00 at T0+1d; late 1h -> 5%: 60.00 before, 100.00 after
    raise_fee = [
        {
            "at": (T0 + timedelta(days=1)).isoformat(),
            "type": "field",
            "field": "fee",
            "value": "2000.00",
        }
    ]
    item = ticket(timedelta(hours=1), extra_events=raise_fee)
    policy = tiered()
    assert only_credit(policy.evaluate(item, as_of=AS_OF)).amount == Decimal("100.00")
    before = policy.evaluate(item, as_of=T0 + timedelta(hours=12))
    assert only_credit(before).amount == Decimal("60.00")


# -- rounding and currencies ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "fee", "rounding", "amount"),
    [
        # 5% of 10.10 = 0.505, an exact half
        ("EUR", "10.10", "half_even", "0.50"),
        ("EUR", "10.10", "half_up", "0.51"),
        # 5% of 10.30 = 0.515: half-even goes to the even cent 0.52, as does half-up
        ("EUR", "10.30", "half_even", "0.52"),
        ("EUR", "10.30", "half_up", "0.52"),
        # JPY has 0 decimals: 5% of 1010 = 50.5 -> 50 (even) / 51
        ("JPY", "1010", "half_even", "50"),
        ("JPY", "1010", "half_up", "51"),
        # 5% of 1030 = 51.5 -> 52 both ways
        ("JPY", "1030", "half_even", "52"),
        # KWD has 3 decimals: 5% of 10.010 = 0.5005 -> 0.500 (even) / 0.501
        ("KWD", "10.010", "half_even", "0.500"),
        ("KWD", "10.010", "half_up", "0.501"),
    ],
)
def test_rounding_once_to_the_minor_unit(currency, fee, rounding, amount):
    policy = tiered(currency=currency, rounding=rounding)
    award = only_credit(policy.evaluate(ticket(timedelta(hours=1), fee=fee), as_of=AS_OF))
    assert str(award.amount) == amount
    assert award.currency == currency
    assert award.reason.endswith(f"5% of {fee} {currency} = {amount} {currency}")


def test_json_amounts_are_strings():
    evaluation = tiered().evaluate(ticket(timedelta(hours=5)), as_of=AS_OF)
    dumped = json.loads(evaluation.model_dump_json())
    assert dumped["compensation"][0]["amount"] == "120.00"
    assert dumped["compensation"][0]["currency"] == "EUR"


def test_capped_amount_is_at_the_minor_unit():
    # 10% of 1200.00 = 120.00, capped by "100" -> expected "100.00"
    policy = tiered(head_extra='  cap_per_ticket: "100"\n')
    award = only_credit(policy.evaluate(ticket(timedelta(hours=5)), as_of=AS_OF))
    assert str(award.amount) == "100.00"


# -- ticket amounts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fee", ["1200.00", Decimal("1200.00"), 1200, " 1200.00 "], ids=["str", "Decimal", "int", "pad"]
)
def test_amount_field_as_text_decimal_or_int(fee):
    # 5% of 1200 = 60.00
    evaluation = tiered().evaluate(ticket(timedelta(hours=1), fee=fee), as_of=AS_OF)
    assert only_credit(evaluation).amount == Decimal("60.00")
    assert evaluation.warnings == []


@pytest.mark.parametrize(
    "fee",
    [1200.0, "twelve hundred", True, None, "NaN"],
    ids=["float", "text", "bool", "missing", "nan"],
)
def test_field_without_an_amount_gives_no_credit_and_a_warning(fee):
    evaluation = tiered().evaluate(ticket(timedelta(hours=1), fee=fee), as_of=AS_OF)
    assert credits(evaluation) == []
    assert len(evaluation.warnings) == 1
    warning = evaluation.warnings[0]
    assert "'late-resolution'" in warning and "'fee'" in warning and "no amount" in warning


def test_float_field_does_not_block_other_rules():
    evaluation = stacked("sum").evaluate(ticket(**BOTH_LATE, fee=1200.0), as_of=AS_OF)
    assert [(a.rule, a.amount) for a in credits(evaluation)] == [
        ("late-reply", Decimal("40.00")),
        ("goodwill", Decimal("25.00")),
    ]
    assert len(evaluation.warnings) == 1


def test_huge_amount_is_lowered_to_max_not_a_crash():
    # 5% of 1e30 is far above max 200.00 -> 200.00
    policy = tiered(credit_extra=BOUNDED)
    award = only_credit(policy.evaluate(ticket(timedelta(hours=1), fee="1e30"), as_of=AS_OF))
    assert award.amount == Decimal("200.00")


def test_negative_field_gives_no_negative_credit():
    evaluation = tiered().evaluate(ticket(timedelta(hours=1), fee="-100.00"), as_of=AS_OF)
    assert all(a.amount is None or a.amount >= 0 for a in evaluation.compensation)


# -- validation -------------------------------------------------------------------------------

HEADER = """\
compensation:
  currency: EUR
  rounding: half_even
"""


def findings(section: str):
    policy, found = check_policy_text(BASE + "\n" + dedent(section))
    return policy, [(f.code, f.path, f.message, f.severity) for f in found]


def tier_rule(*tiers: str) -> str:
    rows = "".join(f"          - {t}\n" for t in tiers)
    return HEADER + (
        "  rules:\n    - name: r\n      when: {breached: resolution}\n"
        f"      credit:\n        of: fee\n        tiers:\n{rows}"
    )


TIERS_PATH = "compensation.rules[0].credit.tiers"


@pytest.mark.parametrize(
    ("tiers", "code", "path", "words"),
    [
        (
            ["{late_from: 0h, late_to: 4h, percent: 5}", "{late_from: 5h, percent: 10}"],
            "tier-gap",
            f"{TIERS_PATH}[1].late_from",
            "gap from 4h to 5h",
        ),
        (
            ["{late_from: 0h, late_to: 5h, percent: 5}", "{late_from: 4h, percent: 10}"],
            "tier-overlap",
            f"{TIERS_PATH}[1].late_from",
            "overlap from 4h to 5h",
        ),
        (
            ["{late_from: 1h, late_to: 4h, percent: 5}", "{late_from: 4h, percent: 10}"],
            "tier-gap",
            f"{TIERS_PATH}[0].late_from",
            "start it at 0h",
        ),
        (
            ["{late_from: 0h, percent: 5}", "{late_from: 4h, percent: 10}"],
            "tier-overlap",
            f"{TIERS_PATH}[0].late_to",
            "no late_to",
        ),
        (
            ["{late_from: 0h, late_to: 0h, percent: 5}", "{late_from: 0h, percent: 10}"],
            "empty-tier",
            f"{TIERS_PATH}[0].late_to",
            "is empty",
        ),
        (
            ["{late_from: 0h, late_to: 8h, percent: 5}", "{late_from: 1bd, percent: 10}"],
            "tier-gap",
            f"{TIERS_PATH}[1].late_from",
            "use the same value for both",
        ),
        (
            ["{late_from: 0h, late_to: 4h, percent: 150}"],
            "invalid-value",
            f"{TIERS_PATH}[0].percent",
            "0 to 100",
        ),
    ],
    ids=["gap", "overlap", "not-at-0", "open-not-last", "empty", "mixed-units", "percent-150"],
)
def test_tier_findings(tiers, code, path, words):
    policy, found = findings(tier_rule(*tiers))
    assert policy is None
    assert [(c, p) for c, p, _, _ in found] == [(code, path)]
    assert words in found[0][2]
    assert found[0][3] == "error"


def test_documented_tier_table_has_no_findings():
    _, found = findings(
        HEADER + "  rules:\n    - name: r\n      credit:\n        of: fee\n" + TIERS
    )
    assert found == []


@pytest.mark.parametrize(
    ("currency", "amount", "path"),
    [
        ("EUR", 'cap_per_ticket: "12.345"', "compensation.cap_per_ticket"),
        ("EUR", "cap_per_ticket: 12.345", "compensation.cap_per_ticket"),  # YAML number: text
        ("EUR", 'approval_over: "0.001"', "compensation.approval_over"),
        ("JPY", 'approval_over: "10.5"', "compensation.approval_over"),
        ("KWD", 'cap_per_ticket: "1.2345"', "compensation.cap_per_ticket"),
    ],
)
def test_money_precision_of_section_amounts(currency, amount, path):
    _, found = findings(
        f"compensation:\n  currency: {currency}\n  rounding: half_up\n  {amount}\n  rules: []\n"
    )
    assert [(c, p) for c, p, _, _ in found] == [("money-precision", path)]
    assert f"more decimals than {currency} allows" in found[0][2]


@pytest.mark.parametrize(
    ("currency", "credit", "key"),
    [
        ("EUR", '{amount: "12.345"}', "amount"),
        ("JPY", '{amount: "10.5"}', "amount"),
        ("JPY", '{of: fee, tiers: [{late_from: 0h, percent: 5}], min: "0.5"}', "min"),
        ("KWD", '{of: fee, tiers: [{late_from: 0h, percent: 5}], max: "1.0005"}', "max"),
    ],
)
def test_money_precision_of_rule_amounts(currency, credit, key):
    policy, found = findings(
        f"compensation:\n  currency: {currency}\n  rounding: half_up\n"
        f"  rules:\n    - {{name: r, credit: {credit}}}\n"
    )
    assert policy is None
    assert [(c, p) for c, p, _, _ in found] == [
        ("money-precision", f"compensation.rules[0].credit.{key}")
    ]


@pytest.mark.parametrize(
    ("currency", "amount"), [("EUR", "12.34"), ("EUR", "12"), ("JPY", "10"), ("KWD", "1.234")]
)
def test_amounts_within_the_minor_unit_are_fine(currency, amount):
    policy, found = findings(
        f"compensation:\n  currency: {currency}\n  rounding: half_up\n"
        f'  rules:\n    - {{name: r, credit: {{amount: "{amount}"}}}}\n'
    )
    assert found == []
    assert policy is not None


def test_min_above_max():
    policy, found = findings(
        HEADER + '  rules:\n    - {name: r, credit: {amount: "5.00", min: "9.00", max: "3.00"}}\n'
    )
    assert policy is None
    assert [(c, p) for c, p, _, _ in found] == [("invalid-value", "compensation.rules[0].credit")]
    assert "min (9.00) is above max (3.00)" in found[0][2]


@pytest.mark.parametrize(("written", "hint"), [("eur", "EUR"), ("EURO", "EUR"), ("USDD", "USD")])
def test_unknown_compensation_currency_with_did_you_mean(written, hint):
    policy, found = findings(f"compensation:\n  currency: {written}\n  rounding: half_up\n")
    assert policy is None
    assert len(found) == 1
    _, path, message, _ = found[0]
    assert path == "compensation.currency"
    assert f"unknown ISO 4217 currency {written!r}" in message
    assert f"did you mean {hint!r}?" in message


def test_rounding_is_required():
    _, found = findings("compensation:\n  currency: EUR\n")
    assert [(c, p) for c, p, _, _ in found] == [("missing-key", "compensation.rounding")]


def test_refund_without_currency():
    policy, found = findings("refunds:\n  - name: r\n    window: {days: 3, from: delivered_at}\n")
    assert policy is None
    assert [(c, p) for c, p, _, _ in found] == [("no-currency", "refunds[0]")]


def test_refund_currency_from_compensation_is_enough():
    _, found = findings(
        HEADER + "refunds:\n  - name: r\n    window: {days: 3, from: delivered_at}\n"
    )
    assert found == []


def test_unknown_refund_currency_and_calendar():
    policy, found = findings(
        "refunds:\n  - name: r\n    currency: EUX\n"
        "    window: {business_days: 3, from: delivered_at, calendar: dsk}\n"
    )
    assert policy is None
    by_code = {c: (p, m) for c, p, m, _ in found}
    assert by_code["unknown-currency"][0] == "refunds[0].currency"
    assert "'EUX'" in by_code["unknown-currency"][1]
    assert by_code["unknown-calendar"] == (
        "refunds[0].window.calendar",
        "unknown calendar 'dsk'; did you mean 'desk'?",
    )


SHOP = """\
compensation:
  currency: EUR
  rounding: half_even
  rules:
    - name: r
      when: {breached: resolution}
      credit:
        of: monthly_fee
        tiers:
          - {late_from: 0h, percent: 5}
refunds:
  - name: goods
    of: order_total
    window: {days: 30, from: delivered_at}
"""


def write_shop(tmp_path: Path, tickets: list[dict] | None) -> Path:
    policy = tmp_path / "shop.yaml"
    policy.write_text(BASE + "\n" + SHOP, encoding="utf-8")
    if tickets is not None:
        lines = "".join(json.dumps(t) + "\n" for t in tickets)
        (tmp_path / "shop.tickets.jsonl").write_text(lines, encoding="utf-8")
    return policy


def test_unknown_field_warnings_from_example_tickets(tmp_path):
    example = {
        "id": "E-1",
        "created_at": "2026-03-02T09:00:00+00:00",
        "fields": {"monthly_fees": "10.00", "order_total": "5.00"},
        # a field set only by an event counts as known too
        "events": [
            {
                "at": "2026-03-02T10:00:00+00:00",
                "type": "field",
                "field": "delivered",
                "value": "2026-03-01T00:00:00+00:00",
            }
        ],
    }
    policy, found = check_policy_file(write_shop(tmp_path, [example]))
    assert policy is not None  # warnings only
    got = {f.path: (f.code, f.severity, f.message) for f in found}
    assert got == {
        "compensation.rules[0].credit.of": (
            "unknown-field",
            "warning",
            "no example ticket has the field 'monthly_fee'; did you mean 'monthly_fees'?",
        ),
        "refunds[0].window.from": (
            "unknown-field",
            "warning",
            "no example ticket has the field 'delivered_at'; did you mean 'delivered'?",
        ),
    }


def test_no_unknown_field_warning_without_example_tickets(tmp_path):
    policy, found = check_policy_file(write_shop(tmp_path, None))
    assert policy is not None
    assert found == []


def test_no_unknown_field_warning_when_tickets_have_the_fields(tmp_path):
    example = {
        "id": "E-1",
        "created_at": "2026-03-02T09:00:00+00:00",
        "fields": {"monthly_fee": "10.00", "order_total": "5.00", "delivered_at": "x"},
    }
    _, found = check_policy_file(write_shop(tmp_path, [example]))
    assert found == []


# -- properties ----------------------------------------------------------------------------------


@st.composite
def tables(draw):
    """A tier table in minutes with non-decreasing percents, optional min/max/cap/fixed."""
    count = draw(st.integers(1, 4))
    edges = sorted(draw(st.sets(st.integers(1, 1500), min_size=count - 1, max_size=count - 1)))
    bounds = [0, *edges]
    percents = sorted(draw(st.lists(st.decimals(0, 100, places=1), min_size=count, max_size=count)))
    rows = []
    for i, (low, percent) in enumerate(zip(bounds, percents, strict=True)):
        high = f", late_to: {bounds[i + 1]}m" if i + 1 < count else ""
        rows.append(f"          - {{late_from: {low}m{high}, percent: {percent}}}\n")
    cents = st.integers(0, 50_000).map(lambda c: Decimal(c).scaleb(-2))
    low, high = sorted([draw(cents), draw(cents)])
    lower = draw(st.none() | st.just(low))
    upper = draw(st.none() | st.just(high))
    cap = draw(st.none() | cents)
    approval = draw(st.none() | cents)
    fixed = draw(st.none() | cents)
    head = "  combine: sum\n"
    head += f'  cap_per_ticket: "{cap}"\n' if cap is not None else ""
    head += f'  approval_over: "{approval}"\n' if approval is not None else ""
    credit = "".join(rows)
    credit += f'        min: "{lower}"\n' if lower is not None else ""
    credit += f'        max: "{upper}"\n' if upper is not None else ""
    rounding = draw(st.sampled_from(["half_even", "half_up"]))
    text = (
        f"compensation:\n  currency: EUR\n  rounding: {rounding}\n"
        f"{head}  rules:\n    - name: tiered\n      when: {{breached: resolution}}\n"
        f"      credit:\n        of: fee\n        tiers:\n{credit}"
    )
    if fixed is not None:
        text += (
            "    - {name: fixed, when: {breached: resolution}, "
            f'credit: {{amount: "{fixed}"}}}}\n'
        )
    return text, upper, cap, approval


def amounts(evaluation) -> dict[str, Decimal]:
    return {a.rule: a.amount for a in evaluation.compensation if a.kind == "credit"}


@given(
    table=tables(),
    base=st.integers(0, 10**9).map(lambda c: str(Decimal(c).scaleb(-2))),
    late=st.integers(0, 2000),
    more=st.integers(0, 600),
)
def test_awards_are_bounded_and_grow_with_lateness(table, base, late, more):
    text, upper, cap, approval = table
    policy = make_policy(text)
    results = []
    for minutes in (late, late + more):
        evaluation = policy.evaluate(ticket(timedelta(minutes=minutes), fee=base), as_of=AS_OF)
        assert evaluation.warnings == []
        got = amounts(evaluation)
        for award in credits(evaluation):
            assert award.amount >= 0
            if award.rule == "tiered" and upper is not None:
                assert award.amount <= upper
            if cap is not None:
                assert award.amount <= cap
            assert award.approval_required == (approval is not None and award.amount > approval)
        if cap is not None:
            assert sum(got.values(), Decimal(0)) <= cap
        if minutes == 0:
            assert got == {}  # solved exactly at the due time: met
        results.append(got)
    # the tiered credit (first in rule order, so never cut for another) and the total
    # never shrink when the same ticket is later
    before, after = results
    assert after.get("tiered", Decimal(0)) >= before.get("tiered", Decimal(0))
    assert sum(after.values(), Decimal(0)) >= sum(before.values(), Decimal(0))


_STATUSES = st.sampled_from(["met", "breached", "running", "paused", "not_applicable", None])


@given(
    st.fixed_dictionaries(
        dict.fromkeys(
            ("first_response", "next_response", "periodic_update", "resolution"), _STATUSES
        )
    ),
    st.sampled_from(["enterprise", "business", "pro", "free", None]),
)
def test_a_prepared_rule_applies_exactly_when_its_condition_matches(statuses, tier):
    from servicepolicy._evaluation import CompensationPlan

    policy = make_policy(
        """\
compensation:
  currency: EUR
  rounding: half_even
  rules:
    - {name: a, when: {breached: [resolution, first_response], tier: enterprise}, gesture: x}
    - {name: b, when: {met: next_response}, gesture: y}
    - {name: c, when: {breached: periodic_update, met: [resolution]}, gesture: z}
    - {name: d, when: {tier: [business, pro]}, gesture: w}
    - {name: e, gesture: v}
"""
    )
    fields = {} if tier is None else {"tier": tier}
    statuses = {metric: status for metric, status in statuses.items() if status is not None}
    comp = policy.compensation
    plan = CompensationPlan(comp)
    for rule, prepared in zip(comp.rules, plan.rules, strict=True):
        expected = rule.when is None or rule.when.matches(fields, statuses)
        assert prepared.applies(fields, statuses) == expected, rule.name


# -- money at any accepted size: exact until the one rounding -----------------------------------


def _exact(amount: Fraction, places: int, rounding: str) -> Decimal:
    """``amount`` rounded to ``places`` decimals, by hand from the exact rational."""
    scaled = amount * 10**places
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    twice = 2 * rest
    if twice > scaled.denominator or (
        twice == scaled.denominator and (rounding == "half_up" or whole % 2 == 1)
    ):
        whole += 1
    return Decimal(f"{whole}E-{places}")


@given(
    digits=st.integers(30, 40),
    seed=st.integers(0, 10**40),
    places=st.integers(0, 6),
    percent=st.decimals(min_value=0, max_value=100, places=4),
    rounding=st.sampled_from(["half_even", "half_up"]),
)
def test_a_credit_on_a_30_to_40_digit_amount_is_the_exact_percentage_rounded_once(
    digits, seed, places, percent, rounding
):
    fee = Decimal(f"{seed % 10**digits + 10 ** (digits - 1)}E-{places}")
    assert 30 <= len(fee.as_tuple().digits) <= 40
    policy = make_policy(
        f"""\
compensation:
  currency: EUR
  rounding: {rounding}
  rules:
    - name: late
      when: {{breached: resolution}}
      credit:
        of: fee
        tiers: [{{late_from: 0h, percent: "{percent}"}}]
"""
    )
    evaluation = policy.evaluate(ticket(timedelta(hours=1), fee=f"{fee:f}"), AS_OF)
    (award,) = evaluation.compensation
    expected = _exact(Fraction(fee) * Fraction(percent) / 100, 2, rounding)
    assert award.amount == expected
    assert len(f"{award.amount:f}") <= 45  # never longer than the currency needs


def test_a_tie_past_28_digits_lands_on_the_right_cent():
    # 10% of this 32-digit amount is ...4.125 exactly: half-even keeps the 2 cents, where a
    # product rounded to 28 digits first and then to the cent would not.
    fee = Decimal("1234567890123456789012345678901.25")
    policy = make_policy(
        """\
compensation:
  currency: EUR
  rounding: half_even
  rules:
    - name: late
      when: {breached: resolution}
      credit: {of: fee, tiers: [{late_from: 0h, percent: 10}]}
"""
    )
    (award,) = policy.evaluate(ticket(timedelta(hours=1), fee=f"{fee:f}"), AS_OF).compensation
    assert award.amount == Decimal("123456789012345678901234567890.12")


def test_a_ticket_amount_with_a_huge_exponent_is_no_amount_and_a_short_record():
    policy = tiered()
    evaluation = policy.evaluate(ticket(timedelta(hours=1), fee="1e-999999999"), AS_OF)
    assert evaluation.compensation == []
    assert "field 'fee' holds no amount" in evaluation.warnings[0]
    assert len(evaluation.model_dump_json()) < 10_000


def test_an_amount_with_more_decimals_than_its_currency_is_shown_rounded():
    policy = tiered()
    evaluation = policy.evaluate(ticket(timedelta(hours=1), fee="1200.005"), AS_OF)
    (award,) = evaluation.compensation
    assert "5% of 1200.00 EUR = 60.00 EUR" in award.reason  # 1200.005 shown to the cent
