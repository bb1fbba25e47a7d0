"""Hand-computed cases of clock rules: ``pause_on`` on response clocks and
``deadline_on_close: next_open``, on ``data/evaluate/clock-rules.yaml``.

That is ``policy.yaml`` (see ``test_cases.py``: office Mon-Fri 09:00-17:00 Berlin, Wednesday
2026-03-11 a holiday) plus, for ``gold``: first_response paused on pending with its deadline on
a closing time at the next opening; next_response paused on pending and awaiting_vendor,
deadline at the next opening (on its target); periodic_update paused on on_hold; resolution's
deadline at the next opening (on its target), paused as before.  ``americas`` (New York,
Mon-Fri 08:00-12:00 and 13:00-18:00): first_response paused on pending and on_hold on its
target; resolution paused on awaiting_vendor alone.
"""

from __future__ import annotations

from datetime import timedelta

from servicepolicy import load_policy
from servicepolicy import parse_policy as load_policy_text
from tests.evaluation.test_cases import (
    POLICY,
    at,
    check,
    ev,
    evaluation,
    gold,
    msg,
    reply,
    status,
    ticket,
)
from tests.paths import DATA

RULES = load_policy(DATA / "evaluate" / "clock-rules.yaml")
H, M = timedelta(hours=1), timedelta(minutes=1)


def test_pending_before_the_first_reply_pauses_first_response_and_moves_its_due_time():
    # gold normal: 4h.  Mon 09:00; pending 10:00 -> open 13:00 (3h paused); reply 15:00.
    # running 09-10 (1h) + 13-15 (2h) = 3h <= 4h -> met; due: 1h left from 15:00 -> 16:00.
    # Without the pause (policy.yaml): 6h > 4h, breached at 13:00.
    tk = gold(
        "2026-03-09 09:00",
        status("2026-03-09 10:00", "pending"),
        status("2026-03-09 13:00", "open"),
        reply("2026-03-09 15:00"),
    )
    fr = evaluation(tk, "2026-03-09 18:00", RULES).metrics["first_response"]
    check(fr, status="met", elapsed=3 * H, paused=3 * H, due_at="2026-03-09 16:00")
    assert [(s.kind, s.start, s.end) for s in fr.segments] == [
        ("running", at("2026-03-09 09:00"), at("2026-03-09 10:00")),
        ("paused", at("2026-03-09 10:00"), at("2026-03-09 13:00")),
        ("running", at("2026-03-09 13:00"), at("2026-03-09 15:00")),
    ]
    plain = evaluation(tk, "2026-03-09 18:00").metrics["first_response"]
    check(plain, status="breached", elapsed=6 * H, breached_at="2026-03-09 13:00")


def test_first_response_paused_now_has_no_due_time():
    # pending since 10:00, as of 12:00: paused, 1h spent, no due time.
    tk = gold("2026-03-09 09:00", status("2026-03-09 10:00", "pending"))
    fr = evaluation(tk, "2026-03-09 12:00", RULES).metrics["first_response"]
    check(fr, status="paused", elapsed=H, due_at=None, paused=2 * H)


def test_a_customer_message_before_any_reply_starts_no_next_response_cycle():
    # The message at 09:30 comes before any reply: no cycle (today's start rule).  Reply
    # 10:00; message 11:00 starts cycle 1 (3h); pending 12:00 -> open 14:00 pauses it;
    # reply 16:00: running 11-12 + 14-16 = 3h -> met, due 16:00.
    tk = gold(
        "2026-03-09 09:00",
        msg("2026-03-09 09:30"),
        reply("2026-03-09 10:00"),
        msg("2026-03-09 11:00"),
        status("2026-03-09 12:00", "pending"),
        status("2026-03-09 14:00", "open"),
        reply("2026-03-09 16:00"),
    )
    nr = evaluation(tk, "2026-03-09 18:00", RULES).metrics["next_response"]
    (cycle,) = nr.cycles
    check(cycle, status="met", elapsed=3 * H, due_at="2026-03-09 16:00")
    check(nr, status="met", paused=2 * H)


def test_a_deadline_on_a_closing_time_is_reported_at_the_next_opening():
    # gold normal first_response 4h from Mon 13:00: reached at 17:00, the closing time.
    # next_open reports it at Tue 09:00; policy.yaml keeps 17:00.  Unanswered as of Tue
    # 10:00: breached either way, at Tue 09:00, the first instant the clock runs past it.
    tk = gold("2026-03-09 13:00")
    fr = evaluation(tk, "2026-03-10 10:00", RULES).metrics["first_response"]
    check(fr, status="breached", due_at="2026-03-10 09:00", breached_at="2026-03-10 09:00")
    plain = evaluation(tk, "2026-03-10 10:00").metrics["first_response"]
    check(plain, status="breached", due_at="2026-03-09 17:00", breached_at="2026-03-10 09:00")


def test_a_deadline_inside_open_hours_does_not_move():
    # 4h from Mon 10:00 is 14:00, an open instant: the same with next_open.
    tk = gold("2026-03-09 10:00")
    fr = evaluation(tk, "2026-03-09 11:00", RULES).metrics["first_response"]
    check(fr, status="running", due_at="2026-03-09 14:00")


def test_a_resolution_deadline_before_the_holiday_moves_past_it():
    # gold urgent resolution 8h from Tue 09:00 ends Tue 17:00; Wed 11 is a holiday, so the
    # next opening is Thu 09:00.
    tk = gold("2026-03-10 09:00", reply("2026-03-10 09:10"), priority="urgent")
    res = evaluation(tk, "2026-03-10 12:00", RULES).metrics["resolution"]
    check(res, status="running", due_at="2026-03-12 09:00")


def test_a_reopen_starts_periodic_updates_that_on_hold_pauses():
    # gold periodic_update 8h on 24/7, paused on on_hold.  Reply Mon 09:00 starts cycle 1;
    # solved 10:00 cancels it.  A message at 11:00 reopens; reply 12:00 starts cycle 2;
    # on_hold 13:00 -> open 17:00 (4h paused); as of 20:00 cycle 2 has run 1h + 3h = 4h.
    tk = gold(
        "2026-03-09 08:00",
        reply("2026-03-09 09:00"),
        status("2026-03-09 10:00", "solved"),
        msg("2026-03-09 11:00"),
        reply("2026-03-09 12:00"),
        status("2026-03-09 13:00", "on_hold"),
        status("2026-03-09 17:00", "open"),
    )
    pu = evaluation(tk, "2026-03-09 20:00", RULES).metrics["periodic_update"]
    first, second = pu.cycles
    check(first, status="cancelled")
    check(second, status="running", elapsed=4 * H, due_at="2026-03-10 00:00")
    check(pu, status="running", paused=4 * H)


def test_a_target_pause_on_wins_over_the_entry_and_resolution_keeps_its_own():
    # americas (New York, -05:00 before Sun 03-08, -04:00 after): first_response 2h, paused
    # on pending and on_hold by its target.  Mon 03-09 08:00 NY; on_hold 08:30 -> open 10:30;
    # reply 12:00: running 08:00-08:30 + 10:30-12:00 = 2h -> met.
    # Resolution pauses on awaiting_vendor alone, so on_hold does not stop it: 08:00 -> 12:00
    # is 4h of the 2bd target.
    tk = ticket(
        "2026-03-09T08:00:00-04:00",
        status("2026-03-09T08:30:00-04:00", "on_hold"),
        status("2026-03-09T10:30:00-04:00", "open"),
        reply("2026-03-09T12:00:00-04:00"),
        tier="americas",
        priority="normal",
    )
    result = evaluation(tk, "2026-03-09T12:00:00-04:00", RULES)
    check(result.metrics["first_response"], status="met", elapsed=2 * H, paused=2 * H)
    check(result.metrics["resolution"], status="running", elapsed=4 * H, paused=timedelta(0))
    assert (
        POLICY.evaluate(tk, at("2026-03-09T12:00:00-04:00")).metrics["resolution"].paused == 2 * H
    )


def _americas(created: str, *events: dict) -> dict:
    return ticket(created, *events, tier="americas", priority="normal")


def test_next_response_cycles_from_every_customer_message_start_at_creation():
    # americas next_response 2h, start: customer_message.  Mon 03-09 08:00 New York
    # (-04:00): cycle 1 runs from creation to the reply at 09:00 (the message at 08:30 is in
    # it): 1h, met.  The message at 10:00 starts cycle 2, replied 11:00: 1h, met.  Under
    # policy.yaml the 08:30 message, before any reply, starts nothing: one cycle.
    tk = _americas(
        "2026-03-09T08:00:00-04:00",
        msg("2026-03-09T08:30:00-04:00"),
        reply("2026-03-09T09:00:00-04:00"),
        msg("2026-03-09T10:00:00-04:00"),
        reply("2026-03-09T11:00:00-04:00"),
    )
    nr = evaluation(tk, "2026-03-09T12:00:00-04:00", RULES).metrics["next_response"]
    assert [(c.status, c.started_at, c.elapsed) for c in nr.cycles] == [
        ("met", at("2026-03-09T08:00:00-04:00"), H),
        ("met", at("2026-03-09T10:00:00-04:00"), H),
    ]
    plain = evaluation(tk, "2026-03-09T12:00:00-04:00").metrics["next_response"]
    assert [c.started_at for c in plain.cycles] == [at("2026-03-09T10:00:00-04:00")]


def test_a_message_after_a_solve_without_a_reply_starts_a_cycle():
    # Solved 08:20 without a reply: cycle 1 (from creation) stops there, met with 20m.  The
    # message at 09:00 reopens the ticket and starts cycle 2; unanswered as of 13:30 it has
    # run 09:00-12:00 and 13:00-13:30 = 3h30m of 2h: breached at 11:00, where it was due.
    # Under policy.yaml no reply ever came, so next_response has not started.
    tk = _americas(
        "2026-03-09T08:00:00-04:00",
        status("2026-03-09T08:20:00-04:00", "solved"),
        msg("2026-03-09T09:00:00-04:00"),
    )
    as_of = "2026-03-09T13:30:00-04:00"
    nr = evaluation(tk, as_of, RULES).metrics["next_response"]
    first, second = nr.cycles
    check(first, status="met", elapsed=20 * M, completed_at="2026-03-09T08:20:00-04:00")
    check(second, status="breached", elapsed=210 * M, due_at="2026-03-09T11:00:00-04:00")
    check(second, breached_at="2026-03-09T11:00:00-04:00")
    check(nr, status="breached")
    check(evaluation(tk, as_of).metrics["next_response"], status="not_started")


# -- start rules, on data/evaluate/start-rules.yaml: gold's first response is owed from the
# first customer message (paused on pending), its resolution starts 30 minutes of open time
# after creation; americas' first response starts 15 minutes after creation, its resolution
# at the first internal note.

START = load_policy(DATA / "evaluate" / "start-rules.yaml")


def test_a_first_response_owed_from_the_first_customer_message():
    # gold normal 4h.  An agent writes first (Mon 09:10); the customer answers 10:00, and the
    # reply at 11:00 is the first response: 1h, met.  Before 10:00 it has not started.
    tk = gold(
        "2026-03-09 09:00",
        reply("2026-03-09 09:10"),
        msg("2026-03-09 10:00"),
        reply("2026-03-09 11:00"),
    )
    fr = evaluation(tk, "2026-03-09 12:00", START).metrics["first_response"]
    check(fr, status="met", started_at="2026-03-09 10:00", completed_at="2026-03-09 11:00")
    check(fr, elapsed=H, due_at="2026-03-09 14:00")
    early = evaluation(tk, "2026-03-09 09:30", START).metrics["first_response"]
    check(early, status="not_started")


def test_a_resolution_that_starts_after_30_minutes_of_open_time():
    # gold normal 2bd, start_after 30m.  Created Mon 16:45: 15m open to 17:00, 15m more from
    # Tue 09:00: it starts Tue 09:15.  Mon 18:00: not started.  Solved Tue 10:15: 1h, met.
    tk = gold(
        "2026-03-09 16:45",
        reply("2026-03-09 16:50"),
        status("2026-03-10 10:15", "solved"),
    )
    check(evaluation(tk, "2026-03-09 18:00", START).metrics["resolution"], status="not_started")
    res = evaluation(tk, "2026-03-10 12:00", START).metrics["resolution"]
    check(res, status="met", started_at="2026-03-10 09:15", elapsed=H)


def test_a_reply_before_the_offset_ends_is_met_with_nothing_elapsed():
    # americas first_response 2h, start_after 15m: created Mon 08:00 New York, it would start
    # 08:15; the reply at 08:10 comes first: met, elapsed 0.
    tk = ticket(
        "2026-03-09T08:00:00-04:00",
        reply("2026-03-09T08:10:00-04:00"),
        tier="americas",
        priority="normal",
    )
    fr = evaluation(tk, "2026-03-09T09:00:00-04:00", START).metrics["first_response"]
    check(fr, status="met", elapsed=timedelta(0), completed_at="2026-03-09T08:10:00-04:00")
    check(fr, started_at="2026-03-09T08:15:00-04:00")


def test_a_resolution_that_starts_at_an_event():
    # americas resolution 2bd from the first internal note: none yet, not started; the note at
    # 09:00 starts it, solved 10:00: 1h, met.
    created = "2026-03-09T08:00:00-04:00"
    tk = ticket(created, tier="americas", priority="normal")
    check(
        evaluation(tk, "2026-03-09T12:00:00-04:00", START).metrics["resolution"],
        status="not_started",
    )
    tk["events"] = [
        ev("2026-03-09T09:00:00-04:00", "internal_note"),
        status("2026-03-09T10:00:00-04:00", "solved"),
    ]
    res = evaluation(tk, "2026-03-09T12:00:00-04:00", START).metrics["resolution"]
    check(res, status="met", elapsed=H, started_at="2026-03-09T09:00:00-04:00")


def _stop_policy(rules: str):
    text = (DATA / "evaluate" / "policy.yaml").read_text(encoding="utf-8")
    return load_policy_text(
        text.replace(
            "    escalation: gold-path\n",
            f"    clock_rules: {rules}\n    escalation: gold-path\n",
            1,
        )
    )


def test_a_first_response_that_a_callback_ends():
    # gold normal 4h, a response is a 'callback' event.  The agent's written reply at 10:00
    # does not end it; the callback at 14:00 does: 5h of 4h, breached at 13:00.
    policy = _stop_policy("{first_response: {stop: {event: callback}}}")
    tk = gold("2026-03-09 09:00", reply("2026-03-09 10:00"), ev("2026-03-09 14:00", "callback"))
    fr = evaluation(tk, "2026-03-09 15:00", policy).metrics["first_response"]
    check(fr, status="breached", elapsed=5 * H, completed_at="2026-03-09 14:00")
    check(fr, breached_at="2026-03-09 13:00")


def test_next_response_cycles_answered_by_a_status():
    # gold next_response 3h, a response is a change to 'waiting_on_customer'.  Mon 09:00; the
    # reply at 09:30 is no response, so the message at 10:00 starts nothing; waiting at 10:30
    # is the first response; the message at 11:00 starts a cycle (the agent sets the ticket
    # open again), and waiting at 12:00 ends it: 1h, met.  A message does not change the
    # status by itself, so a status stop rule needs the status to change back.
    policy = _stop_policy("{next_response: {stop: {status: [waiting_on_customer]}}}")
    tk = gold(
        "2026-03-09 09:00",
        reply("2026-03-09 09:30"),
        msg("2026-03-09 10:00"),
        status("2026-03-09 10:30", "waiting_on_customer"),
        msg("2026-03-09 11:00"),
        status("2026-03-09 11:05", "open"),
        status("2026-03-09 12:00", "waiting_on_customer"),
    )
    nr = evaluation(tk, "2026-03-09 13:00", policy).metrics["next_response"]
    assert [(c.status, c.started_at, c.completed_at) for c in nr.cycles] == [
        ("met", at("2026-03-09 11:00"), at("2026-03-09 12:00"))
    ]


def test_a_first_response_that_only_a_public_agent_message_ends():
    # stop: {event: agent_reply, actor: agent, public: true}.  A private reply at 10:00 and a
    # bot's public one at 11:00 do not count; the agent's public reply at 12:00 does: 3h, met.
    policy = _stop_policy(
        "{first_response: {stop: {event: agent_reply, actor: agent, public: true}}}"
    )
    tk = gold(
        "2026-03-09 09:00",
        {**reply("2026-03-09 10:00"), "actor": "agent", "public": False},
        {**reply("2026-03-09 11:00"), "actor": "system", "public": True},
        {**reply("2026-03-09 12:00"), "actor": "agent", "public": True, "channel": "email"},
    )
    fr = evaluation(tk, "2026-03-09 15:00", policy).metrics["first_response"]
    check(fr, status="met", elapsed=3 * H, completed_at="2026-03-09 12:00")
    # without the rule, the first reply of any kind ends it
    plain = evaluation(tk, "2026-03-09 15:00").metrics["first_response"]
    check(plain, status="met", completed_at="2026-03-09 10:00")


def test_an_entry_chosen_by_the_first_message_channel_and_subject():
    # start-rules.yaml's first entry, gold-chat, applies when the first customer message came
    # by chat with a subject starting "urgent" (any case): first response 15m.  The same
    # ticket by email, or with another subject, is plain gold (first response owed from the
    # first customer message, 4h).
    def first_message(channel: str, subject: str) -> dict:
        message = {**msg("2026-03-09 09:05"), "channel": channel, "subject": subject}
        return gold("2026-03-09 09:00", message, reply("2026-03-09 09:30"))

    chat = evaluation(first_message("chat", "URGENT: site down"), "2026-03-09 10:00", START)
    assert chat.policy == "gold-chat"
    check(chat.metrics["first_response"], status="breached", target="15m", elapsed=30 * M)
    for channel, subject in (("email", "URGENT: site down"), ("chat", "A question")):
        other = evaluation(first_message(channel, subject), "2026-03-09 10:00", START)
        assert other.policy == "gold", (channel, subject)
        check(other.metrics["first_response"], status="met", elapsed=25 * M)


def test_an_offset_in_real_time_on_another_calendar():
    # gold first_response 4h from creation plus 30 minutes of 24/7 time: created Sat 03-07
    # 10:00, it starts Sat 10:30 (real time) and runs on the office calendar from Mon 09:00:
    # due Mon 13:00.  With the offset in office time it would start Mon 09:30.
    rules = '{first_response: {start_after: {span: 30m, calendar: "24/7"}}}'
    tk = gold("2026-03-07 10:00")
    fr = evaluation(tk, "2026-03-09 10:00", _stop_policy(rules)).metrics["first_response"]
    check(fr, status="running", started_at="2026-03-07 10:30", due_at="2026-03-09 13:00")
    office = evaluation(
        tk, "2026-03-09 10:00", _stop_policy("{first_response: {start_after: 30m}}")
    )
    check(office.metrics["first_response"], started_at="2026-03-09 09:30")
