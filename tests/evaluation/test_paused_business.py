"""Hand-computed cases of ``paused_business``: the part of a metric's paused time that was open
on its calendar, beside the wall-clock ``paused``.

``policy.yaml``: office Mon-Fri 09:00-17:00 Berlin, Wednesday 2026-03-11 a holiday; ``gold``
pauses resolution on pending, on_hold and awaiting_vendor; its periodic_update runs on 24/7.
``clock-rules.yaml`` adds pauses of gold's response clocks (see ``test_clock_rules.py``).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from servicepolicy import load_policy
from servicepolicy._evaluation.evaluation import ROW_COLUMNS
from tests.evaluation.test_cases import check, evaluation, gold, msg, reply, status
from tests.paths import DATA

RULES = load_policy(DATA / "evaluate" / "clock-rules.yaml")
H = timedelta(hours=1)


def test_a_pause_over_a_holiday_counts_only_the_open_hours_around_it():
    # pending Mon 16:00 -> Thu 10:00: 2d18h wall; open Mon 16-17, Tue 9-17, Thu 9-10 (Wed is
    # the holiday): 1h + 8h + 1h = 10h.
    tk = gold(
        "2026-03-09 09:00",
        reply("2026-03-09 09:30"),
        status("2026-03-09 16:00", "pending"),
        status("2026-03-12 10:00", "open"),
    )
    res = evaluation(tk, "2026-03-12 12:00").metrics["resolution"]
    check(res, paused=66 * H, paused_business=10 * H, elapsed=7 * H + 2 * H)


def test_a_pause_over_a_weekend_with_the_spring_forward_counts_real_time():
    # pending Fri 2026-03-27 16:00 -> Mon 2026-03-30 10:00, Berlin springs forward on Sunday
    # 29 March: 66h of wall clock are 65h of real time; open Fri 16-17 and Mon 9-10: 2h.
    tk = gold(
        "2026-03-27 09:00",
        reply("2026-03-27 09:10"),
        status("2026-03-27 16:00", "pending"),
        status("2026-03-30 10:00", "open"),
    )
    res = evaluation(tk, "2026-03-30 11:00").metrics["resolution"]
    check(res, paused=65 * H, paused_business=2 * H)


def test_a_pause_now_counts_up_to_as_of():
    # pending since Tue 16:30, as of Wed (holiday) 12:00: 19h30m wall, 30m open.
    tk = gold("2026-03-10 09:00", reply("2026-03-10 09:05"), status("2026-03-10 16:30", "pending"))
    res = evaluation(tk, "2026-03-11 12:00").metrics["resolution"]
    check(res, status="paused", paused=19 * H + 30 * timedelta(minutes=1))
    check(res, paused_business=timedelta(minutes=30))


def test_a_paused_response_clock_reports_its_own_pause_in_business_time():
    # clock-rules.yaml: gold's first_response pauses on pending.  Pending Mon 16:00 -> Tue
    # 10:00 (18h wall, open 16-17 and 9-10: 2h); reply Tue 10:30.
    tk = gold(
        "2026-03-09 15:00",
        status("2026-03-09 16:00", "pending"),
        status("2026-03-10 10:00", "open"),
        reply("2026-03-10 10:30"),
    )
    fr = evaluation(tk, "2026-03-10 12:00", RULES).metrics["first_response"]
    check(fr, status="met", paused=18 * H, paused_business=2 * H)
    # policy.yaml does not pause first_response: nothing is paused there
    plain = evaluation(tk, "2026-03-10 12:00").metrics["first_response"]
    check(plain, paused=timedelta(0), paused_business=timedelta(0))


def test_a_cycle_metric_reports_the_pause_of_the_cycle_that_decides_it():
    # clock-rules.yaml: gold's next_response pauses on pending.  Cycle 1: message Mon 10:00,
    # reply 11:00 (met, no pause).  Cycle 2: message Mon 15:00, pending 16:30 -> Tue 09:30
    # (17h wall; open 16:30-17 and 9-9:30: 1h), reply Tue 10:00: running 15-16:30 + 9:30-10
    # = 2h <= 3h -> met.  The last met cycle decides: cycle 2.
    tk = gold(
        "2026-03-09 09:00",
        reply("2026-03-09 09:10"),
        msg("2026-03-09 10:00"),
        reply("2026-03-09 11:00"),
        msg("2026-03-09 15:00"),
        status("2026-03-09 16:30", "pending"),
        status("2026-03-10 09:30", "open"),
        reply("2026-03-10 10:00"),
    )
    nr = evaluation(tk, "2026-03-10 12:00", RULES).metrics["next_response"]
    assert [c.status for c in nr.cycles] == ["met", "met"]
    check(nr, started_at="2026-03-09 15:00", paused=17 * H, paused_business=H)


def test_on_a_24_7_clock_paused_and_paused_business_are_equal():
    # gold's periodic_update runs on 24/7 and pauses on on_hold (clock-rules.yaml): the cycle
    # started by the reply Mon 10:00 is on hold Mon 12:00 -> 14:00.
    tk = gold(
        "2026-03-09 09:00",
        reply("2026-03-09 10:00"),
        status("2026-03-09 12:00", "on_hold"),
        status("2026-03-09 14:00", "open"),
    )
    pu = evaluation(tk, "2026-03-09 15:00", RULES).metrics["periodic_update"]
    check(pu, paused=2 * H, paused_business=2 * H)


def _paused_ticket() -> dict:
    return gold(
        "2026-03-09 09:00",
        reply("2026-03-09 09:30"),
        status("2026-03-09 16:00", "pending"),
        status("2026-03-12 10:00", "open"),
    )


def test_json_csv_and_explain_show_paused_business():
    result = evaluation(_paused_ticket(), "2026-03-12 12:00")
    metric = json.loads(result.model_dump_json())["metrics"]["resolution"]
    assert metric["paused"] == "P2DT18H" and metric["paused_business"] == "PT10H"
    assert metric["paused_seconds"] == 237600.0
    assert metric["paused_business_seconds"] == 36000.0

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ROW_COLUMNS)
    writer.writerows(result.to_rows())
    rows = {r["metric"]: r for r in csv.DictReader(io.StringIO(out.getvalue()), ROW_COLUMNS)}
    assert rows["resolution"]["paused_business_seconds"] == "36000.0"

    assert "  paused 2d18h in all, 10h of it in business hours" in result.explain()
