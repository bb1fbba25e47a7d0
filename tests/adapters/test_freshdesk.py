"""Freshdesk: fixture pages built from the API's documented shapes, imported and evaluated end
to end under the imported policy, with the expectations worked out by hand.

Calendars: Berlin office Mon-Fri 09:00-17:00 (UTC+1 in March 2026, the default business hours
and those of group 7001); Support Americas Mon-Fri 08:00-20:00 (UTC-5 until 8 March 2026,
group 7002). Monday is 2026-03-02; as_of is Friday 2026-03-06 12:00Z.
"""

from __future__ import annotations

import io
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from servicepolicy import Ticket, UnreadTicket, parse_policy
from servicepolicy.adapters import freshdesk
from servicepolicy.adapters._common import ImportLog
from servicepolicy.cli import main

DATA = Path(__file__).parent.parent / "data" / "adapters" / "freshdesk"
TICKET_PAGES = [
    DATA / "tickets.json",
    DATA / "ticket-102.json",
    DATA / "conversations.jsonl",
    DATA / "activities.json",
]
POLICY_PAGES = [
    DATA / "sla_policies.json",
    DATA / "business_hours.json",
    DATA / "groups.json",
    DATA / "ticket_fields.json",
]
RECORDED_PAGES = [DATA / "tickets.json", DATA / "ticket-102.json"]
AS_OF = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main([*map(str, argv)], stdout=out, stderr=err, environ={}, now=AS_OF)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """policy.yaml, tickets.jsonl and policy.tests.yaml in a folder, through the CLI."""
    folder = tmp_path_factory.mktemp("freshdesk")
    status, _, err = cli("import-policy", "freshdesk", *POLICY_PAGES, "-o", folder / "policy.yaml")
    assert status == 0, err
    status, _, err = cli("import", "freshdesk", *TICKET_PAGES, "-o", folder / "tickets.jsonl")
    assert status == 1, err  # ticket 999 has a conversation and no ticket page: an error record
    shutil.copy(DATA / "policy.tests.yaml", folder / "policy.tests.yaml")
    return folder


def tickets_by_id(log: ImportLog | None = None) -> dict[str, Ticket | UnreadTicket]:
    found = freshdesk.read_tickets(TICKET_PAGES, log=log)
    return {str(t.id if isinstance(t, Ticket) else t.ticket_id): t for t in found}


def evaluations() -> dict[str, object]:
    policy = parse_policy(freshdesk.read_policy(POLICY_PAGES).text, "policy.yaml")
    return {
        tid: policy.evaluate(t, AS_OF)
        for tid, t in tickets_by_id().items()
        if isinstance(t, Ticket)
    }


def test_records_in_equal_records_out_and_an_orphan_conversation_is_an_error_record():
    found = tickets_by_id()
    assert sorted(found) == ["101", "102", "103", "104", "999"]
    orphan = found["999"]
    assert isinstance(orphan, UnreadTicket)
    assert orphan.error == "freshdesk: events for ticket 999, which is in no ticket file"


def test_ticket_101_exact_json(imported: Path):
    lines = [json.loads(line) for line in (imported / "tickets.jsonl").read_text().splitlines()]
    ticket = next(t for t in lines if t.get("id") == "101")
    customer = {"actor": "customer", "public": True}
    agent = {"actor": "agent", "public": True}
    assert ticket == {
        "id": "101",
        "created_at": "2026-03-02T08:00:00+00:00",
        "fields": {
            "priority": "medium",
            "group_id": 7001,
            "company_id": None,
            "product_id": None,
            "type": "Question",
            "source": 1,
            "requester_id": 5050,
            "tags": ["billing"],
            "cf_plan": "standard",
        },
        "events": [
            {
                "at": "2026-03-02T08:30:00+00:00",
                "type": "internal_note",
                "actor": "agent",
                "public": False,
            },
            {"at": "2026-03-02T09:00:00+00:00", "type": "agent_reply", **agent},
            {"at": "2026-03-02T09:00:00+00:00", "type": "status", "status": "pending"},
            {"at": "2026-03-03T09:00:00+00:00", "type": "customer_message", **customer},
            {"at": "2026-03-03T09:00:00+00:00", "type": "status", "status": "open"},
            # the CC'd end-user (user 5055, not the requester) is a customer too
            {"at": "2026-03-03T09:30:00+00:00", "type": "customer_message", **customer},
            {"at": "2026-03-03T10:00:00+00:00", "type": "agent_reply", **agent},
            {"at": "2026-03-03T10:00:00+00:00", "type": "status", "status": "solved"},
            {"at": "2026-03-04T08:00:00+00:00", "type": "customer_message", **customer},
            {"at": "2026-03-04T08:00:00+00:00", "type": "status", "status": "open"},
            {"at": "2026-03-04T09:00:00+00:00", "type": "agent_reply", **agent},
            {"at": "2026-03-04T09:00:00+00:00", "type": "status", "status": "solved"},
        ],
    }


def test_ticket_102_exact_json_keeps_the_creation_priority(imported: Path):
    lines = [json.loads(line) for line in (imported / "tickets.jsonl").read_text().splitlines()]
    ticket = next(t for t in lines if t.get("id") == "102")
    assert ticket == {
        "id": "102",
        "created_at": "2026-03-02T15:00:00+00:00",
        # the ticket page says urgent; the activity export's new_ticket entry says high
        "fields": {
            "priority": "high",
            "group_id": 7001,
            "company_id": 3001,
            "product_id": None,
            "type": "Incident",
            "source": 7,
            "requester_id": 5080,
            "tags": ["checkout"],
            "cf_plan": "enterprise",
        },
        "events": [
            {
                "at": "2026-03-02T16:00:00+00:00",
                "type": "field",
                "field": "priority",
                "value": "urgent",
            },
            {
                "at": "2026-03-02T16:00:00+00:00",
                "type": "field",
                "field": "tags",
                "value": ["checkout", "outage"],
            },
            # inline conversation of a ticket fetched with ?include=conversations
            {
                "at": "2026-03-02T16:10:00+00:00",
                "type": "agent_reply",
                "actor": "agent",
                "public": True,
            },
            {"at": "2026-03-02T18:00:00+00:00", "type": "status", "status": "solved"},
        ],
    }


def test_ticket_101_end_to_end():
    result = evaluations()["101"]
    assert result.policy == "Default SLA Policy"
    fr, nr, res = (result.metrics[m] for m in ("first_response", "next_response", "resolution"))
    assert fr.status == "met"
    assert fr.elapsed == timedelta(hours=1)  # Mon 09:00-10:00 Berlin; the private note is not one
    assert fr.due_at == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # Mon 09:00 + 4h = 13:00 Berlin
    assert nr.status == "met"
    # Tue 10:00 requester -> 11:00 reply (the CC'd message at 10:30 is inside that cycle);
    # Wed 09:00 reopen by the requester -> 10:00 reply
    assert [c.elapsed for c in nr.cycles] == [timedelta(hours=1), timedelta(hours=1)]
    assert res.status == "met"
    assert res.elapsed == timedelta(hours=3)  # Mon 09-10, Tue 10-11, Wed 09-10
    assert res.paused == timedelta(days=1)  # pending Mon 10:00 -> Tue 10:00 (customer reply)
    # 24h target: 21h left after Wed 10:00 = Wed 7h, Thu 8h, Fri 09:00 + 6h = 15:00 Berlin
    assert res.due_at == datetime(2026, 3, 6, 14, 0, tzinfo=UTC)


def test_ticket_102_end_to_end_urgent_on_calendar_hours():
    result = evaluations()["102"]
    assert result.policy == "Enterprise (calendar hours)"  # company 3001, urgent at as_of
    fr, nr, res = (result.metrics[m] for m in ("first_response", "next_response", "resolution"))
    assert fr.status == "breached"  # urgent 30m on 24/7: 15:00Z -> 16:10Z
    assert fr.elapsed == timedelta(hours=1, minutes=10)
    assert fr.due_at == datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    assert nr.status == "not_applicable"  # Enterprise has no every-response target
    assert res.status == "met"
    assert res.elapsed == timedelta(hours=3)  # 15:00Z -> 18:00Z resolved
    assert res.due_at == datetime(2026, 3, 2, 19, 0, tzinfo=UTC)  # urgent 4h


def test_ticket_103_end_to_end_custom_paused_status_on_americas_hours():
    result = evaluations()["103"]
    assert result.policy == "Default SLA Policy (support-americas)"  # group 7002
    fr, nr, res = (result.metrics[m] for m in ("first_response", "next_response", "resolution"))
    assert fr.status == "met"
    assert fr.elapsed == timedelta(hours=1)  # Mon 09:00 -> 10:00 EST
    assert fr.due_at == datetime(2026, 3, 2, 22, 0, tzinfo=UTC)  # 09:00 + 8h (low) = 17:00 EST
    assert nr.status == "not_started"  # no customer message after the reply
    assert res.status == "running"
    # Mon 09-10 (1h), waiting on third party until Tue 09:00, Tue 09-20 (11h), Wed, Thu (12h each)
    assert res.elapsed == timedelta(hours=36)
    assert res.paused == timedelta(hours=23)
    # 48h target: 12h left from Fri 08:00 EST = Fri 20:00 EST
    assert res.due_at == datetime(2026, 3, 7, 1, 0, tzinfo=UTC)


def test_ticket_104_end_to_end_an_unknown_status_runs_the_clock():
    result = evaluations()["104"]
    fr, nr, res = (result.metrics[m] for m in ("first_response", "next_response", "resolution"))
    assert fr.status == "met"
    assert fr.elapsed == timedelta(minutes=30)  # Tue 09:00 -> 09:30 Berlin
    assert nr.status == "not_started"
    assert res.status == "met"
    # 'awaiting_parts' is no status of the policy: the clock runs there. Tue 09-17 + Wed 09-13
    assert res.elapsed == timedelta(hours=12)
    assert res.due_at == datetime(2026, 3, 5, 16, 0, tzinfo=UTC)  # Tue, Wed, Thu 8h: Thu 17:00


def test_unknown_activity_kind_is_a_warning_not_a_crash():
    log = ImportLog()
    tickets_by_id(log)
    assert log.counts == {"unknown-event-kind": 1}
    assert "'satisfaction_survey_sent'" in log.samples["unknown-event-kind"]


def test_page_order_does_not_change_the_tickets():
    forward = list(freshdesk.read_tickets(TICKET_PAGES))
    backward = list(freshdesk.read_tickets(list(reversed(TICKET_PAGES))))
    assert sorted(map(repr, forward)) == sorted(map(repr, backward))


def test_a_bad_timestamp_makes_that_ticket_an_error_record(tmp_path):
    page = json.loads((DATA / "ticket-102.json").read_text())
    page["conversations"][0]["created_at"] = "02/03/2026 16:10"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(page))
    (found,) = freshdesk.read_tickets([bad])
    assert isinstance(found, UnreadTicket)
    assert found.ticket_id == "102"
    assert "02/03/2026 16:10" in found.error


def test_an_unknown_page_is_a_warning(tmp_path):
    page = tmp_path / "other.json"
    page.write_text('{"results": [{"foo": 1}]}\n')
    log = ImportLog()
    assert list(freshdesk.read_tickets([page], log=log)) == []
    assert log.counts == {"unknown-page": 1}


def test_imported_policy_passes_validate_strict(imported: Path):
    text = (imported / "policy.yaml").read_text()
    assert "semantics: freshdesk" in text
    assert yaml.safe_load(text)["priorities"] == ["urgent", "high", "medium", "low"]
    assert "waiting_on_third_party: paused" in text  # stop_sla_timer in the ticket fields page
    assert "# Freshdesk SLA policy 9001 (position 1), calendar hours" in text
    assert "# Freshdesk business hours 5002 (time zone Eastern Time (US & Canada))" in text
    assert "timezone: America/New_York" in text
    status, out, err = cli("validate", "--strict", imported / "policy.yaml")
    assert status == 0, out + err


def test_unsupported_parts_are_commented_out_and_warned_of():
    imported = freshdesk.read_policy(POLICY_PAGES)
    assert imported.warnings == [
        "not imported: SLA policy 9001 'Enterprise': escalation",
        "not imported: SLA policy 9002 'VIP contacts': condition 'contact_segments'",
    ]
    assert "# Not imported: SLA policy 9002 'VIP contacts': condition 'contact_segments'" in (
        imported.text
    )
    assert "name: VIP contacts" not in imported.text.replace("# name: VIP contacts", "")


def test_imported_policy_passes_its_policy_tests(imported: Path):
    status, out, err = cli("test", imported / "policy.tests.yaml")
    assert status == 0, out + err


def test_reconcile_finds_the_planted_disagreement_and_names_its_reason(imported: Path):
    status, out, err = cli(
        "reconcile",
        imported / "policy.yaml",
        imported / "tickets.jsonl",
        "--source",
        "freshdesk",
        *RECORDED_PAGES,
        "--as-of",
        "2026-03-06T12:00:00Z",
        "--format",
        "json",
    )
    assert status == 1, err
    result = json.loads(out)
    (difference,) = result["differences"]
    assert difference["ticket_id"] == "104"
    assert difference["metric"] == "resolution"
    assert difference["what"] == "due_at"
    # Freshdesk stopped its timer in 'Awaiting Parts' (Tue 09:30 -> Wed 09:00): 23h30m left
    # from Wed 09:00 = Wed 8h, Thu 8h, Fri 7h30m -> Fri 16:30 Berlin; ours is Thu 17:00
    assert difference["helpdesk"] == "2026-03-06T15:30:00+00:00"
    assert difference["servicepolicy"] == "2026-03-05T17:00:00+01:00"
    assert "status 'awaiting_parts'" in difference["reason"]
    assert "unknown to the policy" in difference["reason"]
    assert result["agreement"]["first_response"] == {"compared": 4, "agreed": 4, "percent": 100.0}


def test_recorded_figures():
    figures = {(r.ticket_id, r.metric): r for r in freshdesk.read_recorded(RECORDED_PAGES)}
    assert sorted(figures) == [
        ("101", "first_response"),
        ("101", "next_response"),
        ("101", "resolution"),
        ("102", "first_response"),
        ("102", "resolution"),
        ("103", "first_response"),
        ("103", "resolution"),
        ("104", "first_response"),
        ("104", "resolution"),
    ]
    first = figures["102", "first_response"]
    assert first.due_at == datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    assert first.breached is True  # fr_escalated
    assert first.completed_at == datetime(2026, 3, 2, 16, 10, tzinfo=UTC)  # stats
    assert figures["101", "next_response"].due_at is None  # nr_due_by null, nr_escalated false
    assert figures["101", "next_response"].breached is False


def test_a_status_map_file_wins_over_the_default_map_which_keeps_its_other_entries(tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("Awaiting Parts: on_hold\n")
    out = tmp_path / "tickets.jsonl"
    status, _, err = cli("import", "freshdesk", *TICKET_PAGES, "--status-map", mapping, "-o", out)
    assert status == 1, err
    statuses = {
        json.loads(line)["id"]: [e["status"] for e in json.loads(line)["events"] if "status" in e]
        for line in out.read_text().splitlines()
    }
    assert "on_hold" in statuses["104"] and "awaiting_parts" not in statuses["104"]
    assert "solved" in statuses["101"]  # Resolved, through the default map
