"""The supported years, 1900-2199: every surface refuses an instant outside them, quickly and
with the same words, and accepts both ends."""

from __future__ import annotations

import io
import json
import re
import time
from datetime import UTC, datetime, timedelta

import pytest

from servicepolicy import CalendarError, Event, Ticket, TicketError, evaluate_many, load_policy
from servicepolicy.cli import main
from tests.paths import DATA, EXAMPLES

POLICY = load_policy(EXAMPLES / "saas-support.yaml")
CALENDAR = POLICY.calendars["support-eu"]
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
HANG_GUARD_SECONDS = 20


def outside(text: str) -> str:
    return f"{text} is outside the supported years 1900-2199"


def pattern(text: str) -> str:
    return re.escape(outside(text))


@pytest.mark.parametrize(
    ("created", "error"),
    [
        ("1001-01-01T00:00:00Z", outside("created_at 1001-01-01T00:00:00+00:00")),
        ("8990-06-01T00:00:00Z", outside("created_at 8990-06-01T00:00:00+00:00")),
        ("1899-12-31T23:59:59Z", outside("created_at 1899-12-31T23:59:59+00:00")),
        ("2200-01-01T00:00:00Z", outside("created_at 2200-01-01T00:00:00+00:00")),
    ],
)
def test_a_ticket_outside_the_years_is_an_error_record_and_the_batch_goes_on(created, error):
    tickets = [
        {"id": "far", "created_at": created},
        {"id": "near", "created_at": "2026-11-20T09:00:00Z"},
    ]
    started = time.perf_counter()
    far, near = evaluate_many(POLICY, tickets, NOW)
    # A hang guard, not a timing: a far year once built every year's calendar in between.
    assert time.perf_counter() - started < HANG_GUARD_SECONDS
    assert far.errors == [f"ticket 'far': {error}"]
    assert near.errors == [] and near.metrics["first_response"].status == "running"


def test_an_event_outside_the_years_names_its_index():
    ticket = {
        "id": "t",
        "created_at": "2026-11-20T09:00:00Z",
        "events": [
            {"at": "2026-11-20T10:00:00Z", "type": "agent_reply"},
            {"at": "2400-01-01T00:00:00Z", "type": "agent_reply"},
        ],
    }
    (result,) = evaluate_many(POLICY, [ticket], NOW)
    assert result.errors == [f"ticket 't': {outside('events[1].at 2400-01-01T00:00:00+00:00')}"]


def test_both_ends_of_the_range_are_accepted():
    first = datetime(1900, 1, 1, tzinfo=UTC)
    last = datetime(2199, 12, 31, 23, 59, tzinfo=UTC)
    for created, as_of in ((first, first + timedelta(days=1)), (last - timedelta(days=1), last)):
        result = POLICY.evaluate(Ticket("edge", created), as_of)
        assert result.errors == []
    assert CALENDAR.add(first, timedelta(hours=1)).year == 1900


def test_the_models_refuse_far_instants_when_built():
    with pytest.raises(TicketError, match=pattern("created_at 1001-01-01T00:00:00+00:00")):
        Ticket("a", datetime(1001, 1, 1, tzinfo=UTC))
    with pytest.raises(TicketError, match=pattern("event at 9000-01-01T00:00:00+00:00")):
        Event(datetime(9000, 1, 1, tzinfo=UTC), "agent_reply")


def test_an_as_of_outside_the_years_is_an_error_record():
    (result,) = evaluate_many(
        POLICY,
        [{"id": "t", "created_at": "2026-11-20T09:00:00Z"}],
        datetime(8990, 1, 2, tzinfo=UTC),
    )
    assert result.errors == [f"ticket 't': {outside('as_of 8990-01-02T00:00:00+00:00')}"]


def test_the_clock_refuses_far_instants_and_answers_past_the_last_year():
    with pytest.raises(CalendarError, match=pattern("the instant 1001-01-01T00:00:00+00:00")):
        CALENDAR.add(datetime(1001, 1, 1, tzinfo=UTC), timedelta(hours=4))
    with pytest.raises(CalendarError, match="after 2199, the last supported year"):
        CALENDAR.add(datetime(2199, 12, 1, tzinfo=UTC), timedelta(days=100))


def test_the_command_line_refuses_a_far_as_of_as_a_usage_error():
    out, err = io.StringIO(), io.StringIO()
    tickets = str(EXAMPLES / "saas-support.tickets.jsonl")
    code = main(
        ["evaluate", str(EXAMPLES / "saas-support.yaml"), tickets, "--as-of", "8990-01-01T00:00Z"],
        stdin=io.StringIO(),
        stdout=out,
        stderr=err,
        environ={},
        now=NOW,
    )
    assert (code, out.getvalue()) == (2, "")
    assert err.getvalue() == (
        f"servicepolicy: error: {outside('--as-of 8990-01-01T00:00:00+00:00')}\n"
    )


def test_the_command_line_reports_a_far_ticket_as_one_error_row(tmp_path):
    lines = [
        json.dumps({"id": "far", "created_at": "1001-01-01T00:00:00Z"}),
        json.dumps({"id": "near", "created_at": "2026-11-20T09:00:00Z"}),
    ]
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(lines) + "\n")
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["evaluate", str(EXAMPLES / "saas-support.yaml"), str(path), "--format", "jsonl"],
        stdin=io.StringIO(),
        stdout=out,
        stderr=err,
        environ={},
        now=NOW,
    )
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert code == 1
    assert [r["ticket_id"] for r in records] == ["far", "near"]
    assert records[0]["errors"] and not records[1]["errors"]


def test_a_calendar_whose_open_days_are_past_says_so_rather_than_blaming_the_years():
    policy = load_policy(DATA / "bad_policies" / "calendar-ends.yaml")
    ticket = {"id": "t", "created_at": "2026-11-20T09:00:00Z"}
    started = time.perf_counter()
    (result,) = evaluate_many(policy, [ticket], NOW)
    assert time.perf_counter() - started < HANG_GUARD_SECONDS
    (error,) = result.errors
    assert "calendar 'once' has no open time in the 30 years after" in error
