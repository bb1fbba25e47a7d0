"""Nothing measured as nothing in silence: ticket data the policy does not know is a warning on
its ticket (in every output, counted by kind in the summary), an error record under
``--strict-input``; and a policy's vocabulary resolves aliases, case and its own statuses."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest

from servicepolicy import evaluate_many, parse_policy
from servicepolicy.cli import main
from tests.paths import EXAMPLES

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
CREATED = "2026-11-20T09:00:00+01:00"
POLICY_TEXT = """\
servicepolicy: "1"
name: desk
calendars:
  office: {timezone: Europe/Berlin, hours: {mon-fri: ["09:00-17:00"]}}
sla:
  - name: gold
    when: {tier: gold, monthly_fee: {gte: 100}}
    calendar: office
    targets: {first_response: {urgent: 1h, high: 2h, default: 4h}, resolution: 2bd}
    escalation: path
  - name: rest
    when: {channel: {not_in: [forum]}}
    calendar: office
    targets: {first_response: 8h, resolution: 5bd}
escalations:
  path:
    - {on_event: abuse_warning, notify: [lead]}
"""
POLICY = parse_policy(POLICY_TEXT)
VOCABULARY = """
fields:
  priority: {values: [urgent, high, normal, low], aliases: {P1: urgent}, case: insensitive}
  tier: [gold, silver]
statuses: {waiting_on_vendor: paused, done: solved, archived: closed}
events: [callback_requested]
"""


def ticket(fields: dict, *events: dict, ticket_id: str = "T") -> dict:
    return {"id": ticket_id, "created_at": CREATED, "fields": fields, "events": list(events)}


def event(kind: str, at: str = "2026-11-20T10:00:00+01:00", **more: str) -> dict:
    return {"at": at, "type": kind, **more}


def warnings_of(policy, *tickets: dict) -> list[list[str]]:
    return [e.warnings for e in evaluate_many(policy, tickets, NOW)]


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        (
            {"priority": "hgih"},
            "field 'priority' holds 'hgih', a value the policy never names; did you mean 'high'?",
        ),
        (
            {"priority": "High"},
            "field 'priority' holds 'High', a value the policy never names; did you mean 'high'?",
        ),
        (
            {"priority": 4},
            "field 'priority' holds 4, a value the policy never names",
        ),
        (
            {"tier": "Gold"},
            "field 'tier' holds 'Gold', a value the policy never names; did you mean 'gold'?",
        ),
    ],
)
def test_a_value_the_policy_never_names_is_a_warning(fields, said):
    assert warnings_of(POLICY, ticket(fields)) == [[said]]


def test_values_tested_otherwise_are_expected_to_vary():
    # not_in names the values it leaves out; gte names none
    assert warnings_of(POLICY, ticket({"channel": "email", "monthly_fee": "5"})) == [[]]


def test_an_unknown_event_type_and_status_are_warnings_once_each():
    found = warnings_of(
        POLICY,
        ticket(
            {"tier": "gold"},
            event("agent-reply"),
            event("agent-reply", at="2026-11-20T11:00:00+01:00"),
            event("status", status="Solved"),
            event("abuse_warning"),  # named by an on_event level
            event("status", status="pending"),
        ),
    )
    assert found == [
        [
            "event type 'agent-reply' is neither built in nor named by the policy; "
            "did you mean 'agent_reply'?",
            "status 'Solved' is neither built in nor named by the policy; did you mean 'solved'?",
        ]
    ]


def test_data_after_as_of_is_not_looked_at():
    late = event("agent-reply", at="2026-12-20T10:00:00+01:00")
    assert warnings_of(POLICY, ticket({"tier": "gold"}, late)) == [[]]


def test_a_repeated_id_is_a_warning_naming_the_first():
    found = warnings_of(POLICY, ticket({}), ticket({}, ticket_id="U"), ticket({}))
    assert found == [[], [], ["ticket id 'T' was seen before in this input"]]


def test_a_vocabulary_reads_aliases_and_case_and_names_values():
    policy = parse_policy(POLICY_TEXT + VOCABULARY)
    urgent, aliased, shouted = evaluate_many(
        policy,
        [
            ticket({"tier": "gold", "monthly_fee": 500, "priority": "urgent"}, ticket_id="A"),
            ticket({"tier": "gold", "monthly_fee": 500, "priority": "P1"}, ticket_id="B"),
            ticket({"tier": "gold", "monthly_fee": 500, "priority": "URGENT"}, ticket_id="C"),
        ],
        NOW,
    )
    target = urgent.metrics["first_response"].target
    assert target == "1h" and urgent.warnings == []
    assert aliased.metrics["first_response"].target == shouted.metrics["first_response"].target
    assert aliased.metrics["first_response"].target == target
    assert aliased.warnings == shouted.warnings == []
    (silver,) = evaluate_many(policy, [ticket({"tier": "silver"})], NOW)
    assert silver.warnings == []  # declared, though no condition names it


def test_a_vocabulary_gives_statuses_their_meaning():
    policy = parse_policy(POLICY_TEXT + VOCABULARY)
    solved, paused = evaluate_many(
        policy,
        [
            ticket({}, event("status", status="done"), ticket_id="S"),
            ticket({}, event("status", status="waiting_on_vendor"), ticket_id="P"),
        ],
        NOW,
    )
    assert solved.metrics["resolution"].status == "met"
    assert solved.metrics["resolution"].completed_at is not None
    assert paused.metrics["resolution"].status == "paused"
    assert solved.warnings == paused.warnings == []


def test_a_custom_solved_status_reopens_and_a_custom_closed_one_is_final():
    policy = parse_policy(POLICY_TEXT + VOCABULARY)
    reopened, archived = evaluate_many(
        policy,
        [
            ticket(
                {},
                event("status", status="done"),
                event("customer_message", at="2026-11-20T11:00:00+01:00"),
                ticket_id="R",
            ),
            ticket(
                {},
                event("status", status="archived"),
                event("customer_message", at="2026-11-20T11:00:00+01:00"),
                ticket_id="A",
            ),
        ],
        NOW,
    )
    # done: solved at 10:00, the message at 11:00 reopens it: running again, not completed
    assert reopened.metrics["resolution"].completed_at is None
    assert reopened.warnings == []
    # archived: closed at 10:00 for good; the message after it is ignored, with a warning
    assert archived.metrics["resolution"].status == "met"
    assert archived.metrics["resolution"].completed_at == datetime.fromisoformat(
        "2026-11-20T10:00:00+01:00"
    )
    assert archived.warnings == [
        "customer_message at 2026-11-20T11:00:00+01:00 comes after the ticket was closed; ignored"
    ]


def test_an_explicit_pause_on_is_not_extended_by_the_vocabulary():
    text = POLICY_TEXT.replace(
        "    targets: {first_response: 8h, resolution: 5bd}",
        "    pause_on: [pending]\n    targets: {first_response: 8h, resolution: 5bd}",
    )
    policy = parse_policy(text + VOCABULARY)
    (result,) = evaluate_many(
        policy, [ticket({"channel": "email"}, event("status", status="waiting_on_vendor"))], NOW
    )
    assert result.metrics["resolution"].status == "running"


# -- the command line ----------------------------------------------------------------------------


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(), stdout=out, stderr=err, environ={}, now=NOW)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path):
    policy = tmp_path / "desk.yaml"
    policy.write_text(POLICY_TEXT, encoding="utf-8")
    tickets = tmp_path / "t.jsonl"
    lines = [
        ticket({"priority": "hgih"}, ticket_id="A"),
        ticket({}, event("agent-reply"), ticket_id="B"),
        ticket({}, ticket_id="A"),
        ticket({"tier": "gold"}, ticket_id="C"),
    ]
    tickets.write_text("".join(json.dumps(t) + "\n" for t in lines), encoding="utf-8")
    return str(policy), str(tickets)


def test_the_summary_counts_tickets_with_warnings_by_kind(files):
    code, _, err = run("evaluate", *files, "--format", "jsonl")
    assert code == 0
    assert err.splitlines() == [
        f"4 tickets in, 4 evaluated, 0 failed (as of {NOW.isoformat()})",
        "3 tickets with warnings: 1 duplicate-id, 1 unknown-event, 1 unknown-value",
    ]


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv"])
def test_warnings_show_in_every_format(files, fmt):
    _, out, _ = run("evaluate", *files, "--format", fmt)
    assert "a value the policy never names" in out
    assert "was seen before in this input" in out


def test_warnings_show_in_explain(files):
    _, out, err = run("explain", *files)
    assert "warning: field 'priority' holds 'hgih'" in out
    assert err == "3 tickets with warnings: 1 duplicate-id, 1 unknown-event, 1 unknown-value\n"


def test_strict_input_makes_them_error_records_and_counts_still_match(files):
    code, out, err = run("evaluate", *files, "--format", "jsonl", "--strict-input")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and len(records) == 4
    assert [bool(r["errors"]) for r in records] == [True, True, True, False]
    assert records[0]["errors"] == [
        "line 1: field 'priority' holds 'hgih', a value the policy never names; "
        "did you mean 'high'?"
    ]
    assert records[2]["errors"] == [
        "line 3: ticket id 'A' was seen before in this input (first at line 1)"
    ]
    assert err.splitlines()[0] == f"4 tickets in, 1 evaluated, 3 failed (as of {NOW.isoformat()})"


def test_a_by_field_no_ticket_has_is_said(files):
    code, _, err = run("report", *files, "--by", "teir")
    assert code == 0
    assert err.splitlines()[0] == (
        "servicepolicy: warning: no ticket has the field 'teir' given to --by; did you mean 'tier'?"
    )
    assert run("report", *files, "--by", "teir", "--strict-input")[0] == 1
    assert "warning" not in run("report", *files, "--by", "tier,week")[2].splitlines()[0]


def test_the_shipped_examples_raise_no_warnings():
    for name in ("saas-support", "ecommerce"):
        code, out, err = run(
            "evaluate",
            str(EXAMPLES / f"{name}.yaml"),
            str(EXAMPLES / f"{name}.tickets.jsonl"),
            "--format",
            "jsonl",
            "--strict-input",
        )
        assert code == 0, (name, err)
        assert "warnings" not in err
        assert all(json.loads(line)["warnings"] == [] for line in out.splitlines())
