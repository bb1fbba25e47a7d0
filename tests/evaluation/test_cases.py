"""Hand-computed evaluation cases.

Unless said otherwise the policy is ``data/evaluate/policy.yaml``: calendar ``office`` is
Mon-Fri 09:00-17:00 Europe/Berlin (CET, +01:00, in early March 2026) with Wednesday
2026-03-11 a holiday.  ``gold`` (tier gold) targets: first_response urgent 1h / high 2h /
else 4h; next_response urgent 1h / else 3h; periodic_update 8h on 24/7; resolution urgent 8h
/ high 1bd / else 2bd; warn_at 75%; pause_on pending, on_hold, awaiting_vendor.  ``standard``
(anything else): first_response urgent 2h / else 8h; next_response urgent 2h only;
resolution urgent 1bd / else 3bd; no warn_at, no escalation.

Dates: Fri 2026-03-06, Sat 07, Sun 08, Mon 09, Tue 10, Wed 11 (holiday), Thu 12, Fri 13.
Times without an offset are Berlin wall clock.  Each case writes out its arithmetic.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from servicepolicy import Ticket, TicketError, evaluate_many, load_policy
from tests.oracles import reference_evaluator as ref
from tests.paths import DATA, EXAMPLES

POLICY = load_policy(DATA / "evaluate" / "policy.yaml")
CLOCKS = load_policy(DATA / "evaluate" / "clocks.yaml")
SAAS = load_policy(EXAMPLES / "saas-support.yaml")
BERLIN = ZoneInfo("Europe/Berlin")
H, M = timedelta(hours=1), timedelta(minutes=1)


def at(text: str) -> datetime:
    """``"2026-03-09 10:00"`` in Berlin, or an ISO text with its own offset."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=BERLIN)


def ev(when: str, kind: str, **extra) -> dict:
    return {"at": at(when).isoformat(), "type": kind, **extra}


def reply(when: str) -> dict:
    return ev(when, "agent_reply")


def msg(when: str) -> dict:
    return ev(when, "customer_message")


def status(when: str, value: str) -> dict:
    return ev(when, "status", status=value)


def field(when: str, name: str, value) -> dict:
    return ev(when, "field", field=name, value=value)


def ticket(created: str, *events: dict, **fields) -> dict:
    return {
        "id": "C-1",
        "created_at": at(created).isoformat(),
        "fields": fields,
        "events": [*events],
    }


def gold(created: str, *events: dict, priority: str = "normal") -> dict:
    return ticket(created, *events, tier="gold", priority=priority)


def check(metric, **want) -> None:
    """Compare the named fields; instants are compared as instants."""
    for key, value in want.items():
        got = getattr(metric, key)
        if key.endswith("_at") and isinstance(value, str):
            value = at(value)
        assert got == value, f"{key}: got {got}, want {value}"


def evaluation(tk: dict, as_of: str, policy=POLICY, *, reference: bool = True):
    """The code's evaluation; also checks that the reference agrees with it on the metrics."""
    result = policy.evaluate(tk, at(as_of))
    if reference:
        want = ref.evaluate(policy, tk, at(as_of))
        for name in ref.METRICS:
            assert result.metrics[name].status == want.metrics[name].status, name
    return result


# -- first response: on time, late, weekends ---------------------------------------------------


def test_reply_at_exactly_the_due_instant_is_met():
    # gold urgent: 1h.  Mon 10:00 -> due 11:00; reply 11:00: elapsed 60m <= 60m -> met
    tk = gold("2026-03-09 10:00", reply("2026-03-09 11:00"), priority="urgent")
    fr = evaluation(tk, "2026-03-09 12:00").metrics["first_response"]
    check(fr, status="met", elapsed=H, remaining=timedelta(0), due_at="2026-03-09 11:00")
    check(fr, completed_at="2026-03-09 11:00", breached_at=None, target="1h", policy="gold")


def test_reply_one_minute_late_is_breached():
    # reply 11:01: elapsed 61m > 60m; due 11:00; the clock runs at 11:00 -> breached_at 11:00
    tk = gold("2026-03-09 10:00", reply("2026-03-09 11:01"), priority="urgent")
    fr = evaluation(tk, "2026-03-09 12:00").metrics["first_response"]
    check(fr, status="breached", elapsed=61 * M, remaining=-M, due_at="2026-03-09 11:00")
    check(fr, breached_at="2026-03-09 11:00", completed_at="2026-03-09 11:01")


def test_saturday_reply_to_a_ticket_due_friday_evening_is_met():
    # gold normal 4h: Fri 13:00-17:00 = 4h -> due Fri 17:00; the weekend is closed, so a
    # reply on Sat 10:00 has elapsed 4h <= 4h -> met
    tk = gold("2026-03-06 13:00", reply("2026-03-07 10:00"))
    fr = evaluation(tk, "2026-03-07 12:00").metrics["first_response"]
    check(fr, status="met", elapsed=4 * H, due_at="2026-03-06 17:00", breached_at=None)


@pytest.mark.parametrize(
    ("as_of", "status", "elapsed", "breached_at"),
    [
        # Sunday: still 4h (== target, not above); 4h >= 75% x 4h -> at_risk
        ("2026-03-08 12:00", "at_risk", 4 * H, None),
        # Monday 09:00: the minute 09:00-09:01 has not run yet -> still 4h
        ("2026-03-09 09:00", "at_risk", 4 * H, None),
        # Monday 09:01: 4h01 > 4h; the clock first runs again after the due instant at 09:00
        ("2026-03-09 09:01", "breached", 4 * H + M, "2026-03-09 09:00"),
    ],
)
def test_unanswered_ticket_due_friday_breaches_at_monday_opening(
    as_of, status, elapsed, breached_at
):
    tk = gold("2026-03-06 13:00")
    fr = evaluation(tk, as_of).metrics["first_response"]
    check(fr, status=status, elapsed=elapsed, due_at="2026-03-06 17:00", breached_at=breached_at)


def test_solved_before_any_reply_stops_first_response():
    # Mon 10:00 -> solved 11:00: first_response stops at 11:00 with 1h <= 4h -> met; due is
    # projected from the stop: 11:00 + 3h = 14:00.  A later reply changes nothing.
    tk = gold("2026-03-09 10:00", status("2026-03-09 11:00", "solved"), reply("2026-03-09 15:00"))
    result = evaluation(tk, "2026-03-10 12:00")
    check(result.metrics["first_response"], status="met", elapsed=H)
    check(result.metrics["first_response"], completed_at="2026-03-09 11:00")
    check(result.metrics["first_response"], due_at="2026-03-09 14:00")
    check(result.metrics["resolution"], status="met", completed_at="2026-03-09 11:00", elapsed=H)


# -- resolution: pauses, reopen, close -------------------------------------------------------


def test_pending_over_a_weekend():
    # gold normal: 2bd from Fri 10:00 = Tue 10:00 (Mon 1st, Tue 2nd open date);
    # target_time = Fri 7h + Mon 8h + Tue 1h = 16h.
    # running Fri 10-12 (2h), pending Fri 12:00 -> Mon 14:00 (wall 3d 2h = 74h), running
    # Mon 14-16 (2h), solved 16:00: elapsed 4h -> met, remaining 12h; due projected from
    # Mon 16:00: 1h Mon + 8h Tue + (Wed holiday) + 3h Thu -> Thu 12:00
    tk = gold(
        "2026-03-06 10:00",
        status("2026-03-06 12:00", "pending"),
        status("2026-03-09 14:00", "open"),
        status("2026-03-09 16:00", "solved"),
    )
    res = evaluation(tk, "2026-03-09 18:00").metrics["resolution"]
    check(res, status="met", elapsed=4 * H, paused=74 * H, target_time=16 * H, remaining=12 * H)
    check(res, completed_at="2026-03-09 16:00", due_at="2026-03-12 12:00", target="2bd")
    kinds = [(s.kind, s.start, s.end, s.business) for s in res.segments]
    assert kinds == [
        ("running", at("2026-03-06 10:00"), at("2026-03-06 12:00"), 2 * H),
        ("paused", at("2026-03-06 12:00"), at("2026-03-09 14:00"), timedelta(0)),
        ("running", at("2026-03-09 14:00"), at("2026-03-09 16:00"), 2 * H),
        ("solved", at("2026-03-09 16:00"), at("2026-03-09 18:00"), timedelta(0)),
    ]
    # Saturday, while pending: paused, 2h spent, no due time
    res = evaluation(tk, "2026-03-07 12:00").metrics["resolution"]
    check(res, status="paused", elapsed=2 * H, due_at=None, completed_at=None)
    check(res, paused=timedelta(hours=24))  # Fri 12:00 -> Sat 12:00


def test_customer_message_reopens_a_solved_ticket():
    # gold normal.  reply 09:30; solved 10:00; message 11:00 reopens; reply 11:20; solved 12:00.
    # resolution: 09-10 (1h) + 11-12 (1h) = 2h, finished at the last solve 12:00 -> met.
    # next_response: one cycle 11:00 -> 11:20 (the message after a reply) = 20m -> met.
    # periodic_update: 09:30 -> solve 10:00 cancelled; 11:20 -> 12:00 cancelled -> cancelled.
    tk = gold(
        "2026-03-09 09:00",
        reply("2026-03-09 09:30"),
        status("2026-03-09 10:00", "solved"),
        msg("2026-03-09 11:00"),
        reply("2026-03-09 11:20"),
        status("2026-03-09 12:00", "solved"),
    )
    result = evaluation(tk, "2026-03-09 12:30")
    check(result.metrics["resolution"], status="met", elapsed=2 * H)
    check(result.metrics["resolution"], completed_at="2026-03-09 12:00")
    assert [s.kind for s in result.metrics["resolution"].segments] == [
        "running",
        "solved",
        "running",
        "solved",
    ]
    nr = result.metrics["next_response"]
    assert nr.status == "met" and len(nr.cycles) == 1
    check(nr.cycles[0], started_at="2026-03-09 11:00", elapsed=20 * M)
    pu = result.metrics["periodic_update"]
    assert pu.status == "cancelled"
    assert [c.status for c in pu.cycles] == ["cancelled", "cancelled"]
    check(pu.cycles[0], elapsed=30 * M, completed_at="2026-03-09 10:00")
    # at 11:10 the ticket is open again: resolution running with 1h10m, not finished
    res = evaluation(tk, "2026-03-09 11:10").metrics["resolution"]
    check(res, status="running", elapsed=70 * M, completed_at=None)


def test_close_is_final():
    # closed at 10:00; the message, reply and status after it are ignored, each with a warning.
    # resolution and first_response stop at 10:00 with 1h -> met; no cycles ever start.
    events = [
        status("2026-03-09 10:00", "closed"),
        msg("2026-03-09 11:00"),
        reply("2026-03-09 11:30"),
        status("2026-03-09 11:45", "open"),
    ]
    result = evaluation(gold("2026-03-09 09:00", *events), "2026-03-09 12:00")
    check(result.metrics["resolution"], status="met", elapsed=H, completed_at="2026-03-09 10:00")
    check(result.metrics["first_response"], status="met", completed_at="2026-03-09 10:00")
    assert result.metrics["next_response"].status == "not_started"
    assert result.metrics["periodic_update"].status == "not_started"
    assert len(result.warnings) == 3
    assert all("closed" in w for w in result.warnings)
    alone = POLICY.evaluate(gold("2026-03-09 09:00", events[0]), at("2026-03-09 12:00"))
    assert alone.metrics == result.metrics
    assert alone.warnings == []


# -- targets follow the fields; the start never moves ----------------------------------------


def test_priority_raise_makes_a_running_ticket_breached_at_once():
    # gold normal, Mon 09:00, reply 09:30.  Resolution 2bd = Thu 09:00 (Tue 1st, Wed holiday,
    # Thu 2nd) = Mon 8h + Tue 8h = 16h.  Tue 09:59: elapsed 8h59m < 12h (75%) -> running;
    # due: 7h01m more from Tue 09:59 -> Tue 17:00 (the first instant the 16h are reached).
    # Priority urgent at Tue 10:00: target 8h, elapsed 9h -> breached; 8h were reached at
    # Mon 17:00 (due), the clock ran again Tue 09:00 (breached_at).
    # first_response finished at 09:30 under "normal" (4h) and keeps that target -> met.
    events = [reply("2026-03-09 09:30"), field("2026-03-10 10:00", "priority", "urgent")]
    tk = gold("2026-03-09 09:00", *events)
    before = evaluation(tk, "2026-03-10 09:59").metrics["resolution"]
    check(before, status="running", target="2bd", target_time=16 * H, elapsed=9 * H - M)
    check(before, due_at="2026-03-10 17:00")
    result = evaluation(tk, "2026-03-10 10:00")
    res = result.metrics["resolution"]
    check(res, status="breached", target="8h", target_time=8 * H, elapsed=9 * H)
    check(res, due_at="2026-03-09 17:00", breached_at="2026-03-10 09:00", remaining=-H)
    check(result.metrics["first_response"], status="met", target="4h", elapsed=30 * M)


def test_priority_flapping_buys_no_time():
    # gold urgent (8h), Mon 09:00; normal at 12:00, urgent again at 16:00.  The clock started
    # at Mon 09:00 whatever the priority: Tue 10:00 -> 8h Mon + 1h Tue = 9h > 8h -> breached,
    # due Mon 17:00, breached_at Tue 09:00: exactly as without the flaps.
    flapped = gold(
        "2026-03-09 09:00",
        field("2026-03-09 12:00", "priority", "normal"),
        field("2026-03-09 16:00", "priority", "urgent"),
        priority="urgent",
    )
    plain = gold("2026-03-09 09:00", priority="urgent")
    one = evaluation(flapped, "2026-03-10 10:00").metrics["resolution"]
    two = evaluation(plain, "2026-03-10 10:00").metrics["resolution"]
    check(one, status="breached", elapsed=9 * H, started_at="2026-03-09 09:00")
    check(one, due_at="2026-03-09 17:00", breached_at="2026-03-10 09:00")
    assert one == two


def test_business_day_target_skips_the_holiday():
    # gold normal 2bd from Tue 10 11:00: Wed 11 is a holiday, so Thu 12 is the 1st and
    # Fri 13 the 2nd open date -> due Fri 11:00; target_time = Tue 6h + Thu 8h + Fri 2h = 16h.
    # Fri 10:00: elapsed 15h >= 12h (75%) -> at_risk, remaining 1h.
    res = evaluation(gold("2026-03-10 11:00"), "2026-03-13 10:00").metrics["resolution"]
    check(res, status="at_risk", target="2bd", target_time=16 * H, elapsed=15 * H)
    check(res, remaining=H, due_at="2026-03-13 11:00", breached_at=None)


# -- cycles ------------------------------------------------------------------------------------


def test_next_response_cycles_one_breached_makes_the_metric_breached():
    # gold normal next_response 3h.
    # cycle 0: msg Mon 10:00 -> reply 12:00 = 2h -> met (due 13:00)
    # cycle 1: msg Mon 13:00 -> reply Tue 10:00 = Mon 4h + Tue 1h = 5h -> breached; 3h reached
    #          Mon 16:00 = due = breached_at (the clock is running then)
    # cycle 2: msg Tue 11:00, open at Tue 12:00: 1h < 2h15m -> running, due Tue 14:00
    tk = gold(
        "2026-03-09 09:00",
        reply("2026-03-09 09:30"),
        msg("2026-03-09 10:00"),
        msg("2026-03-09 10:30"),  # while cycle 0 is open: starts nothing
        reply("2026-03-09 12:00"),
        msg("2026-03-09 13:00"),
        reply("2026-03-10 10:00"),
        msg("2026-03-10 11:00"),
    )
    nr = evaluation(tk, "2026-03-10 12:00").metrics["next_response"]
    assert nr.status == "breached"
    assert [c.status for c in nr.cycles] == ["met", "breached", "running"]
    check(nr.cycles[0], elapsed=2 * H, due_at="2026-03-09 13:00", completed_at="2026-03-09 12:00")
    check(nr.cycles[1], elapsed=5 * H, due_at="2026-03-09 16:00")
    check(nr.cycles[1], breached_at="2026-03-09 16:00", completed_at="2026-03-10 10:00")
    check(nr.cycles[2], elapsed=H, due_at="2026-03-10 14:00", started_at="2026-03-10 11:00")


def test_next_response_takes_the_open_cycles_status():
    # cycle 0: Mon 10:00 -> 12:00 = 2h met; cycle 1: Mon 13:00 -> 14:00 = 1h met;
    # cycle 2: Tue 11:00, at Tue 13:30 2h30m >= 2h15m (75% of 3h) -> at_risk -> metric at_risk
    tk = gold(
        "2026-03-09 09:00",
        reply("2026-03-09 09:30"),
        msg("2026-03-09 10:00"),
        reply("2026-03-09 12:00"),
        msg("2026-03-09 13:00"),
        reply("2026-03-09 14:00"),
        msg("2026-03-10 11:00"),
    )
    nr = evaluation(tk, "2026-03-10 13:30").metrics["next_response"]
    assert [c.status for c in nr.cycles] == ["met", "met", "at_risk"]
    assert nr.status == "at_risk"
    # after the reply at 14:00 all cycles are met -> met
    done = {**tk, "events": [*tk["events"], reply("2026-03-10 14:00")]}
    assert evaluation(done, "2026-03-10 15:00").metrics["next_response"].status == "met"


def test_next_response_not_started_and_not_applicable():
    # a reply and no customer message after it: no cycle -> not_started (a target exists);
    # messages before the first reply belong to first_response
    tk = gold("2026-03-09 09:00", msg("2026-03-09 09:10"), reply("2026-03-09 09:30"))
    result = evaluation(tk, "2026-03-09 12:00")
    assert result.metrics["next_response"].status == "not_started"
    assert result.metrics["next_response"].cycles == []
    # standard, priority normal: next_response has only an urgent target; no periodic_update
    silver = ticket("2026-03-09 09:00", reply("2026-03-09 09:30"), tier="silver")
    result = evaluation(silver, "2026-03-09 12:00")
    assert result.policy == "standard"
    assert result.metrics["next_response"].status == "not_applicable"
    assert result.metrics["periodic_update"].status == "not_applicable"
    assert result.escalations == [] and result.next_escalation_at is None


def test_periodic_update_cancelled_by_a_solve():
    # gold periodic_update 8h on 24/7: reply Mon 10:00 -> solved 12:00: 2h, cancelled
    tk = gold("2026-03-09 09:00", reply("2026-03-09 10:00"), status("2026-03-09 12:00", "solved"))
    pu = evaluation(tk, "2026-03-09 13:00").metrics["periodic_update"]
    assert pu.status == "cancelled" and [c.status for c in pu.cycles] == ["cancelled"]
    check(pu.cycles[0], elapsed=2 * H, completed_at="2026-03-09 12:00")
    assert pu.clock == "24/7"


def test_periodic_update_cancelled_after_its_target_is_breached():
    # implementation choice: solved Tue 10:00 after a reply Mon 10:00: 24h on 24/7 > 8h ->
    # the cancelled cycle is reported breached; due = breached_at = Mon 18:00
    tk = gold("2026-03-09 09:00", reply("2026-03-09 10:00"), status("2026-03-10 10:00", "solved"))
    pu = evaluation(tk, "2026-03-10 11:00").metrics["periodic_update"]
    assert pu.status == "breached"
    check(pu.cycles[0], status="breached", elapsed=24 * H, due_at="2026-03-09 18:00")
    check(pu.cycles[0], breached_at="2026-03-09 18:00")


# -- warnings, pauses, statuses ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "status"),
    [("2026-03-09 10:44", "running"), ("2026-03-09 10:45", "at_risk")],
)
def test_at_risk_from_warn_at(as_of, status):
    # gold urgent first_response 1h, warn_at 75% = 45m
    fr = evaluation(gold("2026-03-09 10:00", priority="urgent"), as_of).metrics["first_response"]
    assert fr.status == status


def test_no_warn_at_means_no_at_risk():
    # standard urgent first_response 2h, no warn_at: at 1h59m still running
    tk = ticket("2026-03-09 10:00", tier="silver", priority="urgent")
    fr = evaluation(tk, "2026-03-09 11:59").metrics["first_response"]
    check(fr, status="running", elapsed=119 * M, due_at="2026-03-09 12:00")


def test_paused_status_has_no_due_time():
    # gold normal, pending at 10:00 (1h run), still pending at 11:00 -> paused, due None
    tk = gold("2026-03-09 09:00", status("2026-03-09 10:00", "awaiting_vendor"))
    res = evaluation(tk, "2026-03-09 11:00").metrics["resolution"]
    check(res, status="paused", elapsed=H, paused=H, due_at=None)
    # "awaiting_vendor" pauses only gold: for standard it is a running status
    tk = ticket("2026-03-09 09:00", status("2026-03-09 10:00", "awaiting_vendor"), tier="x")
    res = evaluation(tk, "2026-03-09 11:00").metrics["resolution"]
    check(res, status="running", elapsed=2 * H, paused=timedelta(0))


def test_status_change_exactly_at_as_of_pending_is_paused():
    # gold normal, pending at 10:00 evaluated at 10:00: the status at as_of is pending ->
    # paused, due None.  One minute later the code agrees.
    tk = gold("2026-03-09 09:00", status("2026-03-09 10:00", "pending"))
    later = POLICY.evaluate(tk, at("2026-03-09 10:01")).metrics["resolution"]
    assert later.status == "paused" and later.due_at is None
    res = POLICY.evaluate(tk, at("2026-03-09 10:00")).metrics["resolution"]
    check(res, status="paused", elapsed=H, due_at=None)


def test_status_change_exactly_at_as_of_reopen_is_running():
    # gold normal: solved 10:00 (1h), message at 11:00 reopens; evaluated at 11:00 the
    # ticket is open and unfinished -> running, elapsed 1h.  Target 2bd from Mon 09:00 =
    # Mon 8h + Tue 8h = 16h; 15h to go from Mon 11:00 = Mon 6h + Tue 8h + Thu 1h -> Thu 10:00
    tk = gold("2026-03-09 09:00", status("2026-03-09 10:00", "solved"), msg("2026-03-09 11:00"))
    res = POLICY.evaluate(tk, at("2026-03-09 11:00")).metrics["resolution"]
    check(res, status="running", elapsed=H, completed_at=None, due_at="2026-03-12 10:00")


def test_finished_cycle_without_target_is_not_open():
    # silver: reply 09:10 opens periodic cycle 0 (no target for standard); reply 09:20 ends it
    # (fields at 09:20: silver -> not_applicable) and opens cycle 1; tier gold at 09:30; reply
    # 09:40 ends cycle 1 (gold: 8h, 20m -> met) and opens cycle 2; solved 09:50 cancels it.
    # Cycles: not_applicable (finished 09:20), met, cancelled -> nothing breached, nothing
    # open, one met -> met.
    tk = ticket(
        "2026-03-09 09:00",
        reply("2026-03-09 09:10"),
        reply("2026-03-09 09:20"),
        field("2026-03-09 09:30", "tier", "gold"),
        reply("2026-03-09 09:40"),
        status("2026-03-09 09:50", "solved"),
        tier="silver",
    )
    pu = POLICY.evaluate(tk, at("2026-03-09 10:00")).metrics["periodic_update"]
    assert [c.status for c in pu.cycles] == ["not_applicable", "met", "cancelled"]
    assert pu.status == "met"
    check(pu.cycles[0], completed_at="2026-03-09 09:20")


def test_open_cycle_without_target_decides_the_status():
    # gold: reply 09:00 opens periodic cycle 0; reply 09:30 ends it (30m of 8h -> met) and
    # opens cycle 1; tier silver at 10:00 (standard: no periodic_update target).  At 11:00
    # cycle 1 is open and, under the fields at as_of, has no target -> not_applicable; the
    # metric takes its open cycle's status -> not_applicable (not "met").
    tk = gold(
        "2026-03-09 08:50",
        reply("2026-03-09 09:00"),
        reply("2026-03-09 09:30"),
        field("2026-03-09 10:00", "tier", "silver"),
    )
    pu = POLICY.evaluate(tk, at("2026-03-09 11:00")).metrics["periodic_update"]
    assert [c.status for c in pu.cycles] == ["met", "not_applicable"]
    assert pu.status == "not_applicable"


# -- escalations -------------------------------------------------------------------------------


def test_escalation_instants_in_business_time():
    # gold normal, Mon 13:00, no reply.  first_response 4h: Mon 13:00-17:00 -> due Mon 17:00.
    #   level 0 "50%" (first_response, resolution): 2h -> Mon 15:00
    #   level 1 "breach - 30m": 3h30m -> Mon 16:30
    #   level 2 "breach": breached_at = Tue 09:00 (the clock runs again after Mon 17:00)
    #   level 3 "breach + 2h": 6h -> Tue 11:00 (at Tue 10:00: 5h spent, 1h to go)
    # resolution 2bd = Thu 13:00 (Tue 1st, Wed holiday, Thu 2nd) = 4h + 8h + 4h = 16h;
    #   its 50% = 8h -> Tue 13:00 (Mon 4h + Tue 4h).
    # At Tue 10:00: fired 0, 1, 2 for first_response; next = min(Tue 11:00, Tue 13:00, ...).
    tk = gold("2026-03-09 13:00")
    result = evaluation(tk, "2026-03-10 10:00")
    fired = [(f.level, f.metric, f.at) for f in result.escalations]
    assert fired == [
        (0, "first_response", at("2026-03-09 15:00")),
        (1, "first_response", at("2026-03-09 16:30")),
        (2, "first_response", at("2026-03-10 09:00")),
    ]
    assert result.escalations[2].set_priority == "urgent"
    assert result.escalations[2].notify == ["manager"]
    assert result.next_escalation_at == at("2026-03-10 11:00")
    # reply Tue 10:30: first_response breached with 5h30m < 6h, so "breach + 2h" never fires.
    # periodic_update from 10:30 on 24/7 (8h; level 0 is not for it): breach - 30m at 18:00.
    # next = resolution 50% at Tue 13:00.
    tk = gold("2026-03-09 13:00", reply("2026-03-10 10:30"))
    result = evaluation(tk, "2026-03-10 12:00")
    assert [(f.level, f.metric) for f in result.escalations] == [
        (0, "first_response"),
        (1, "first_response"),
        (2, "first_response"),
    ]
    assert result.next_escalation_at == at("2026-03-10 13:00")
    # at Tue 20:45: resolution 50% (Tue 13:00), breach - 30m = 15h30m -> Thu 12:30 (not yet);
    # periodic: breach - 30m 18:00, breach 18:30, breach + 2h 20:30
    result = evaluation(tk, "2026-03-10 20:45")
    assert [(f.level, f.metric, f.at) for f in result.escalations[3:]] == [
        (0, "resolution", at("2026-03-10 13:00")),
        (1, "periodic_update", at("2026-03-10 18:00")),
        (2, "periodic_update", at("2026-03-10 18:30")),
        (3, "periodic_update", at("2026-03-10 20:30")),
    ]
    assert result.escalations[-1].cycle == 0
    # next: resolution breach - 30m = 15h30m; spent 4h + 8h = 12h; 3h30m from Tue 20:45 ->
    # Thu 12:30 (Wed is a holiday)
    assert result.next_escalation_at == at("2026-03-12 12:30")


def test_escalation_on_the_third_event():
    # level 4: on_event abuse_warning, count 3 -> fires at the third one, with no metric
    warnings = [ev(f"2026-03-09 {hh}", "abuse_warning") for hh in ("09:10", "09:20", "09:40")]
    tk = gold("2026-03-09 09:00", reply("2026-03-09 09:05"), *warnings)
    result = evaluation(tk, "2026-03-09 10:00")
    fired = [f for f in result.escalations if f.level == 4]
    assert [(f.metric, f.at, f.notify) for f in fired] == [
        (None, at("2026-03-09 09:40"), ["supervisor"])
    ]
    # replayed to 09:30: only two so far
    result = evaluation(tk, "2026-03-09 09:30")
    assert not [f for f in result.escalations if f.level == 4]


def test_no_escalation_projected_for_a_paused_metric():
    # gold urgent, reply 09:05, pending 09:30.  At 11:00 resolution is paused (30m spent of
    # 8h); were it running, its 50% level would come at 11:00 + 3h30m = 14:30.  Paused, it
    # projects nothing, so the next level is periodic_update's (8h on 24/7 from 09:05)
    # "breach - 30m" = 7h30m -> 16:35.
    tk = gold(
        "2026-03-09 09:00",
        reply("2026-03-09 09:05"),
        status("2026-03-09 09:30", "pending"),
        priority="urgent",
    )
    result = evaluation(tk, "2026-03-09 11:00")
    assert result.metrics["resolution"].status == "paused"
    assert result.next_escalation_at == at("2026-03-09 16:35")


# -- replay ------------------------------------------------------------------------------------


T1001 = {
    "id": "T-1001",
    "created_at": "2026-11-20T16:45:00+01:00",
    "fields": {
        "priority": "high",
        "channel": "email",
        "tier": "enterprise",
        "monthly_fee": "1200.00",
    },
    "events": [
        {"at": "2026-11-20T17:10:00+01:00", "type": "agent_reply"},
        {"at": "2026-11-21T09:00:00+01:00", "type": "customer_message"},
        {"at": "2026-11-21T09:30:00+01:00", "type": "status", "status": "pending"},
        {"at": "2026-11-23T10:00:00+01:00", "type": "status", "status": "open"},
        {
            "at": "2026-11-23T11:00:00+01:00",
            "type": "field",
            "field": "priority",
            "value": "urgent",
        },
        {"at": "2026-11-23T12:00:00+01:00", "type": "status", "status": "solved"},
    ],
}


def test_issue_example_t1001():
    # saas policy, enterprise entry, calendar "extended": Mon-Fri 07-20, Sat 09-13 (Berlin).
    # Fri 2026-11-20 16:45, high.
    # first_response 1h: reply 17:10 = 25m -> met, due 17:45.
    # next_response: msg Sat 09:00 -> solve Mon 12:00 (no reply); finished under urgent
    #   (set 11:00) -> 1h: Sat 09-13 (4h) + Mon 07-12 (5h) = 9h -> breached; due = breached_at
    #   = Sat 10:00.  Cycles do not pause on pending.
    # periodic_update {urgent: 2h, 24/7}, no target for high; finished (cancelled by the
    #   solve) under urgent -> 2h: Fri 17:10 -> Mon 12:00 = 66h50m -> breached (due =
    #   breached_at = Fri 19:10).
    # resolution finished under urgent -> 8h: Fri 16:45-20:00 (3h15m) + Sat 09:00-09:30 (30m)
    #   + Mon 10:00-12:00 (2h) = 5h45m -> met; paused Sat 09:30 -> Mon 10:00 = 48h30m; due
    #   projected 2h15m after Mon 12:00 = 14:15.
    result = evaluation(T1001, "2026-11-23T18:00:00+01:00", SAAS)
    assert result.policy == "enterprise" and result.warnings == []
    m = result.metrics
    check(m["first_response"], status="met", elapsed=25 * M, due_at="2026-11-20T17:45+01:00")
    check(m["next_response"], status="breached")
    check(m["next_response"].cycles[0], elapsed=9 * H, target_time=H)
    check(m["next_response"].cycles[0], due_at="2026-11-21T10:00+01:00")
    check(m["next_response"].cycles[0], breached_at="2026-11-21T10:00+01:00")
    check(m["periodic_update"], status="breached", target="2h", clock="24/7")
    check(m["periodic_update"].cycles[0], elapsed=66 * H + 50 * M)
    check(m["periodic_update"].cycles[0], breached_at="2026-11-20T19:10+01:00")
    res = m["resolution"]
    check(res, status="met", target="8h", elapsed=5 * H + 45 * M, paused=48 * H + 30 * M)
    check(res, completed_at="2026-11-23T12:00+01:00", due_at="2026-11-23T14:15+01:00")
    # enterprise-path: 50%, breach, breach + 2h for every metric, computed under the rules in
    # force at the end (urgent, set Mon 11:00):
    #   periodic (2h on 24/7): 1h Fri 18:10, breach Fri 19:10, +2h (4h) Fri 21:10
    #   next_response (1h): 30m Sat 09:30, breach Sat 10:00, +2h (3h) Sat 12:00
    #   resolution (8h): 4h = 3h15m + 30m + 15m -> Mon 10:15
    #   first_response: 25m of 1h, finished: nothing
    # Nobody was told then: those rules came into force with the priority raise at Mon 11:00,
    # so every level fires then, retroactively, its computed instant kept as due_at.
    fired = [(f.level, f.metric, f.at, f.due_at, f.retroactive) for f in result.escalations]
    raise_ = at("2026-11-23T11:00+01:00")
    assert fired == [
        (0, "periodic_update", raise_, at("2026-11-20T18:10+01:00"), True),
        (1, "periodic_update", raise_, at("2026-11-20T19:10+01:00"), True),
        (2, "periodic_update", raise_, at("2026-11-20T21:10+01:00"), True),
        (0, "next_response", raise_, at("2026-11-21T09:30+01:00"), True),
        (1, "next_response", raise_, at("2026-11-21T10:00+01:00"), True),
        (2, "next_response", raise_, at("2026-11-21T12:00+01:00"), True),
        (0, "resolution", raise_, at("2026-11-23T10:15+01:00"), True),
    ]
    assert result.next_escalation_at is None


def test_events_after_as_of_are_ignored_t1001_replayed_to_monday_morning():
    # at Mon 10:30 the priority is still high and nothing is solved.
    # resolution 2bd from Fri 16:45 = Mon 16:45 (Sat 1st, Mon 2nd open date) = Fri 3h15m +
    #   Sat 4h + Mon 9h45m = 17h; spent 3h15m + 30m + 30m = 4h15m -> running (< 12h45m);
    #   due: 12h45m after Mon 10:30 = Mon 9h30m (to 20:00) + Tue 3h15m -> Tue 10:15.
    # next_response open under high (4h): Sat 09-13 = 4h -> due Sat 13:00; Mon 07:00-10:30 ->
    #   7h30m -> breached at Mon 07:00.
    # periodic_update: no target for high -> not_applicable.
    # next escalation: resolution 50% = 8h30m, 4h15m to go -> Mon 14:45.
    as_of = "2026-11-23T10:30:00+01:00"
    result = evaluation(T1001, as_of, SAAS)
    kept = [e for e in T1001["events"] if at(e["at"]) <= at(as_of)]
    assert result.model_dump() == SAAS.evaluate({**T1001, "events": kept}, at(as_of)).model_dump()
    res = result.metrics["resolution"]
    check(res, status="running", target="2bd", target_time=17 * H, elapsed=4 * H + 15 * M)
    check(res, due_at="2026-11-24T10:15+01:00", completed_at=None)
    nr = result.metrics["next_response"]
    check(nr, status="breached")
    check(nr.cycles[0], elapsed=7 * H + 30 * M, due_at="2026-11-21T13:00+01:00")
    check(nr.cycles[0], breached_at="2026-11-23T07:00+01:00", completed_at=None)
    assert result.metrics["periodic_update"].status == "not_applicable"
    assert result.next_escalation_at == at("2026-11-23T14:45+01:00")


# -- unusual calendars -------------------------------------------------------------------------


def test_overnight_calendar_resolution():
    # night desk, 22:00-06:00 daily, resolution 4h.  Mon 20:00 created; the clock opens 22:00.
    # pending 23:00 (1h run) -> open Tue 12:00 (closed hours) -> solved Tue 23:30 (22:00-23:30
    # = 1h30m): 2h30m -> met; paused Mon 23:00 -> Tue 12:00 = 13h; due 1h30m after Tue 23:30
    # -> Wed 01:00 (the Tuesday window runs to Wed 06:00).
    tk = ticket(
        "2026-03-09 20:00",
        status("2026-03-09 23:00", "pending"),
        status("2026-03-10 12:00", "open"),
        status("2026-03-10 23:30", "solved"),
        desk="night",
    )
    res = evaluation(tk, "2026-03-11 08:00", CLOCKS).metrics["resolution"]
    check(res, status="met", elapsed=150 * M, paused=13 * H, due_at="2026-03-11 01:00")
    # unsolved, no pause: Mon 22:00 -> Tue 05:00 = 7h > 4h; due = breached_at = Tue 02:00
    tk = ticket("2026-03-09 20:00", desk="night")
    res = evaluation(tk, "2026-03-10 05:00", CLOCKS).metrics["resolution"]
    check(res, status="breached", elapsed=7 * H, due_at="2026-03-10 02:00")
    check(res, breached_at="2026-03-10 02:00")


def test_dst_spring_forward_resolution():
    # "early": 00:00-04:00 daily Berlin.  Sun 2026-03-29 jumps 02:00 CET -> 03:00 CEST, so
    # that day's window is 3h long.  high -> 6h.  Sat 28 00:00-04:00 = 4h; Sun 00:00-02:00
    # CET = 2h more -> due 02:00 CET = 03:00 CEST.  At 03:30 CEST: 4h + 2h30m = 6h30m ->
    # breached, breached_at = 03:00+02:00 (running then).
    tk = ticket("2026-03-28T00:00+01:00", priority="high")
    res = evaluation(tk, "2026-03-29T03:30+02:00", CLOCKS).metrics["resolution"]
    check(res, status="breached", elapsed=6 * H + 30 * M, due_at="2026-03-29T03:00+02:00")
    check(res, breached_at="2026-03-29T03:00+02:00")
    # solved at 03:00 CEST: exactly 6h -> met
    tk = ticket(
        "2026-03-28T00:00+01:00", status("2026-03-29T03:00+02:00", "solved"), priority="high"
    )
    res = evaluation(tk, "2026-03-29T05:00+02:00", CLOCKS).metrics["resolution"]
    check(res, status="met", elapsed=6 * H, remaining=timedelta(0))


def test_dst_fall_back_resolution():
    # Sun 2026-10-25 repeats 02:00-03:00 (CEST, then CET): the window 00:00-04:00 is 5h long.
    # default 8h.  Sat 24 = 4h.  Solved 02:30 CET (= 01:30 UTC; the window opened 22:00 UTC):
    # 3h30m -> 7h30m -> met; due 30m later = 02:00 UTC = 03:00+01:00.
    tk = ticket("2026-10-24T00:00+02:00", status("2026-10-25T02:30+01:00", "solved"))
    res = evaluation(tk, "2026-10-25T12:00+01:00", CLOCKS).metrics["resolution"]
    check(res, status="met", elapsed=7 * H + 30 * M, due_at="2026-10-25T03:00+01:00")
    # unsolved at 03:30 CET: 4h + 4h30m = 8h30m -> breached; due = breached_at = 03:00 CET
    tk = ticket("2026-10-24T00:00+02:00")
    res = evaluation(tk, "2026-10-25T03:30+01:00", CLOCKS).metrics["resolution"]
    check(res, status="breached", elapsed=8 * H + 30 * M, due_at="2026-10-25T03:00+01:00")
    check(res, breached_at="2026-10-25T03:00+01:00")


# -- malformed tickets -------------------------------------------------------------------------

GOOD = gold("2026-03-09 09:00")
BAD = [
    ({**GOOD, "id": "naive", "created_at": "2026-03-09T09:00:00"}, "naive"),
    ({k: v for k, v in GOOD.items() if k != "id"}, None),
    (
        {**GOOD, "id": "nostatus", "events": [{"at": GOOD["created_at"], "type": "status"}]},
        "nostatus",
    ),
]


@pytest.mark.parametrize(("bad", "ticket_id"), BAD)
def test_malformed_ticket_raises(bad, ticket_id):
    with pytest.raises(TicketError):
        POLICY.evaluate(bad, at("2026-03-09 12:00"))


@pytest.mark.parametrize(("bad", "ticket_id"), BAD)
def test_malformed_ticket_in_a_batch_gives_an_error_record(bad, ticket_id):
    later = {**GOOD, "id": "after"}
    records = list(evaluate_many(POLICY, [bad, later], at("2026-03-09 12:00")))
    assert len(records) == 2
    assert records[0].errors and records[0].ticket_id == ticket_id and not records[0].metrics
    assert records[1].ok and records[1].ticket_id == "after"
    assert records[1].metrics["first_response"].status == "at_risk"  # 3h of 4h at 12:00


def test_explain_wall_time_across_a_dst_change():
    # americas (New York; DST starts Sun 2026-03-08 02:00 EST -> 03:00 EDT), urgent.
    # Sat 12:00 EST -> pending Sun 12:00 EDT is 23h of real time; open: Sat 22:00 -> Sun
    # 02:00 EST = 4h, so 19h outside business hours (wall-clock arithmetic would say 20h).
    tk = {
        "id": "NY",
        "created_at": "2026-03-07T12:00:00-05:00",
        "fields": {"tier": "americas", "priority": "urgent"},
        "events": [status("2026-03-08T12:00:00-04:00", "pending")],
    }
    result = evaluation(tk, "2026-03-08T14:00:00-04:00")
    running = result.metrics["resolution"].segments[0]
    assert running.business == 4 * H
    assert "4h in business hours, 19h outside them" in result.explain()


@pytest.mark.parametrize("item", [[1, 2], "T-1", None, 5])
def test_a_ticket_that_is_not_an_object_is_a_ticket_error_in_every_build(item):
    as_of = datetime.fromisoformat("2026-11-23T12:00:00+00:00")
    with pytest.raises(TicketError, match="a ticket must be a JSON object"):
        POLICY.evaluate(item, as_of)
    (record,) = evaluate_many(POLICY, [item], as_of)
    assert record.errors and "a ticket must be a JSON object" in record.errors[0]


def test_a_ticket_id_is_its_text_whatever_its_type():
    class Label(str):
        def __str__(self) -> str:
            return f"label {super().__str__()}"

    ticket = Ticket.from_dict({"id": Label("a"), "created_at": "2026-11-23T12:00:00Z"})
    assert type(ticket.id) is str and ticket.id == "label a"
