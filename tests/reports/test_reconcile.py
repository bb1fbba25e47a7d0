"""Reconciling recorded SLA figures with the policy's verdicts, on ``policy.yaml``: office
Mon-Fri 09:00-17:00 Berlin, Wednesday 2026-03-11 a holiday; gold: first_response 4h (normal),
1h (urgent), pauses resolution on pending, on_hold and awaiting_vendor."""

from __future__ import annotations

from servicepolicy import Ticket, UnreadTicket
from servicepolicy.adapters import Recorded, reconcile
from tests.evaluation.test_cases import POLICY, at, field, gold, msg, reply, status

AS_OF = at("2026-03-13 12:00")


def _ticket(tk: dict, ticket_id: str) -> Ticket:
    return Ticket.from_dict({**tk, "id": ticket_id})


def _run(tickets, recorded):
    return reconcile(POLICY, tickets, recorded, as_of=AS_OF, source="zendesk")


def test_figures_that_agree_to_the_minute_are_counted_as_agreeing():
    # Mon 09:00 + 4h = 13:00, replied 10:00: met.
    tk = _ticket(gold("2026-03-09 09:00", reply("2026-03-09 10:00")), "1")
    figure = Recorded("1", "first_response", due_at=at("2026-03-09 13:00:30"), breached=False)
    result = _run([tk], [figure])
    assert result.differences == []
    assert result.agreement() == {"first_response": 100.0}


def test_a_holiday_in_one_calendar_only_is_named():
    # Tue 16:00 + 4h: Tue 16-17, Wed holiday, Thu 09-12 -> Thu 12:00; the helpdesk, without the
    # holiday, says Wed 12:00.
    tk = _ticket(gold("2026-03-10 16:00"), "2")
    figure = Recorded("2", "first_response", due_at=at("2026-03-11 12:00"), detail="event 9")
    (difference,) = _run([tk], [figure]).differences
    assert (difference.what, difference.ours) == ("due_at", at("2026-03-12 12:00").isoformat())
    assert difference.reason.startswith("2026-03-11 (Test holiday) is a holiday of the policy's")
    assert difference.detail == "event 9"


def test_a_status_unknown_to_the_policy_is_named_as_a_possible_pause():
    # waiting_on_vendor is not a status of policy.yaml: the clock runs through it here; the
    # helpdesk paused and says the breach came later, and that it was not breached.
    tk = _ticket(
        gold(
            "2026-03-09 09:00",
            status("2026-03-09 10:00", "waiting_on_vendor"),
            status("2026-03-09 16:00", "open"),
        ),
        "3",
    )
    figure = Recorded("3", "first_response", due_at=at("2026-03-09 19:00"), breached=False)
    result = _run([tk], [figure])
    kinds = [d.what for d in result.differences]
    assert kinds == ["breached", "due_at"]
    assert result.differences[0].ours.startswith("breached")
    assert "status 'waiting_on_vendor'" in result.differences[0].reason
    assert result.agreement() == {"first_response": 0.0}


def test_a_target_changed_mid_life_is_named():
    # normal (4h) at creation, urgent (1h) from 09:30: breached at 10:00 here; the helpdesk
    # kept 4h and says 13:00, not breached.
    tk = _ticket(
        gold("2026-03-09 09:00", field("2026-03-09 09:30", "priority", "urgent")),
        "4",
    )
    figure = Recorded("4", "first_response", due_at=at("2026-03-09 13:00"), breached=False)
    (breached, due) = _run([tk], [figure]).differences
    assert "priority changed to 'urgent'" in breached.reason
    assert "target changed mid-life" in due.reason


def test_a_gap_the_size_of_a_pause_is_named():
    # gold resolution 2bd from Mon 09:00 (16h), pending Mon 10:00 -> 12:00 moves the due time
    # 2h later; a helpdesk that does not pause says 2h earlier.
    tk = _ticket(
        gold(
            "2026-03-09 09:00",
            reply("2026-03-09 09:30"),
            status("2026-03-09 10:00", "pending"),
            status("2026-03-09 12:00", "open"),
        ),
        "5",
    )
    ours = POLICY.evaluate(tk, AS_OF).metrics["resolution"].due_at
    earlier = Recorded("5", "resolution", due_at=ours.replace(hour=ours.hour - 2))
    (difference,) = _run([tk], [earlier]).differences
    assert difference.reason.startswith("the due times differ by the time paused (2h)")


def test_unmatched_and_unreadable_tickets_are_listed_not_compared():
    tk = _ticket(gold("2026-03-09 09:00"), "6")
    unread = UnreadTicket(error="bad", ticket_id="7")
    figures = [
        Recorded("6", "first_response", due_at=at("2026-03-09 13:00")),
        Recorded("7", "first_response", due_at=at("2026-03-09 13:00")),
        Recorded("8", "resolution", breached=True),
    ]
    result = _run([tk, unread], figures)
    assert result.unmatched == ["7", "8"]
    assert result.compared == {"first_response": 1}
    doc = result.to_dict()
    assert doc["agreement"]["first_response"] == {"compared": 1, "agreed": 1, "percent": 100.0}


def test_a_figure_for_a_metric_with_no_target_is_a_missing_difference():
    # standard tier (no tier field) has no periodic_update target.
    tk = Ticket.from_dict(
        {"id": "9", "created_at": at("2026-03-09 09:00").isoformat(), "fields": {}}
    )
    figure = Recorded("9", "periodic_update", due_at=at("2026-03-09 17:00"))
    (difference,) = _run([tk], [figure]).differences
    assert difference.what == "missing"
    assert difference.ours.startswith("not_applicable")


def test_a_helpdesk_that_keeps_the_first_close_of_a_reopened_ticket_is_named():
    # solved Mon 11:00, reopened by the customer Mon 14:00, solved again Tue 10:00; the
    # helpdesk says resolution was fulfilled at the first close.
    tk = _ticket(
        gold(
            "2026-03-09 09:00",
            reply("2026-03-09 09:30"),
            status("2026-03-09 11:00", "solved"),
            msg("2026-03-09 14:00"),
            status("2026-03-10 10:00", "solved"),
        ),
        "10",
    )
    figure = Recorded("10", "resolution", completed_at=at("2026-03-09 11:00"))
    (difference,) = _run([tk], [figure]).differences
    assert difference.what == "completed_at"
    assert difference.reason.startswith("the ticket was solved at 2026-03-09T11:00:00+01:00")


def test_a_cycle_metric_compares_the_deciding_and_last_cycle_or_the_one_named():
    # gold next_response 3h: cycle 1 from 10:00 (due 13:00) answered 11:00; cycle 2 from 14:00
    # (due 17:00) never answered: it decides (breached) and is the last.
    tk = _ticket(
        gold(
            "2026-03-09 09:00",
            reply("2026-03-09 09:10"),
            msg("2026-03-09 10:00"),
            reply("2026-03-09 11:00"),
            msg("2026-03-09 14:00"),
        ),
        "11",
    )
    first = at("2026-03-09 13:00")
    (difference,) = _run([tk], [Recorded("11", "next_response", due_at=first)]).differences
    assert difference.ours == at("2026-03-09 17:00").isoformat()
    named = Recorded("11", "next_response", due_at=first, cycle=1)
    assert _run([tk], [named]).differences == []


def test_a_holiday_of_a_rule_is_named_too():
    from servicepolicy import parse_policy

    text = """\
servicepolicy: "1"
name: rule holidays
calendars:
  office:
    timezone: Europe/Berlin
    hours: {mon-fri: ["09:00-17:00"]}
    holidays:
      - {rrule: "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=11", name: Rule day}
      - {date: 2026-03-12, hours: ["09:00-10:00"], name: Short day}
sla:
  - name: all
    calendar: office
    targets: {first_response: 4h}
"""
    policy = parse_policy(text)
    # Tue 16:00 + 4h: Tue 16-17, Wed closed by the rule, Thu 09-10 (short day), Fri 09-11;
    # the helpdesk says Wed 12:00.  The short day is open, so it is not the reason.
    tk = _ticket({"created_at": "2026-03-10T16:00:00+01:00", "fields": {}, "events": []}, "R")
    figure = Recorded("R", "first_response", due_at=at("2026-03-11 12:00"))
    (difference,) = reconcile(policy, [tk], [figure], as_of=AS_OF, source="zendesk").differences
    assert difference.ours == at("2026-03-13 11:00").isoformat()
    assert difference.reason.startswith("2026-03-11 (Rule day) is a holiday of the policy's")
    # between Thursday (a short day, open) and Friday there is no closed holiday to name
    figure = Recorded("R", "first_response", due_at=at("2026-03-12 12:00"))
    (difference,) = reconcile(policy, [tk], [figure], as_of=AS_OF, source="zendesk").differences
    assert "holiday" not in difference.reason
