"""The parts every adapter shares: pages, the ticket store, status names, timestamps, drafts."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from servicepolicy import Ticket, UnreadTicket, check_policy_text
from servicepolicy.adapters import SOURCES, adapter
from servicepolicy.adapters._common import (
    ImportLog,
    PolicyDraft,
    TicketStore,
    iso,
    load_status_map,
    read_pages,
    status_name,
)


def test_a_file_of_one_document_is_one_page_and_json_lines_one_page_per_line(tmp_path):
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"tickets": [{"id": 1}]}, indent=2))
    lines = tmp_path / "pages.jsonl"
    lines.write_text('{"tickets": []}\n\n{"audits": []}\nnot json\n')
    pages = list(read_pages([one, lines]))
    assert [(p.path, p.line) for p in pages] == [
        (str(one), None),
        (str(lines), 1),
        (str(lines), 3),
        (str(lines), 4),
    ]
    assert pages[0].data == {"tickets": [{"id": 1}]}
    assert pages[3].data is None and pages[3].error.startswith("not JSON")
    assert pages[3].where == f"{lines}:4"


def test_an_unreadable_or_broken_file_is_a_page_with_an_error(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "tickets": [\n')
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe{}")
    pages = list(read_pages([broken, binary, tmp_path / "missing.json"]))
    assert [p.data for p in pages] == [None, None, None]
    assert pages[0].error.startswith("not JSON")
    assert pages[1].error == "cannot read: not UTF-8 text"
    assert pages[2].error.startswith("cannot read")


def _event(at: str, kind: str = "customer_message", **extra) -> dict:
    return {"at": at, "type": kind, **extra}


def test_the_store_sorts_events_by_instant_then_order_key_and_keeps_ticket_order():
    with TicketStore("test") as store:
        store.add_ticket("2", {"id": "2", "created_at": "2026-03-09T09:00:00+01:00"})
        store.add_ticket("1", {"id": "1", "created_at": "2026-03-09T08:00:00Z"})
        # 09:30+01:00 is 08:30Z: before the 09:00Z one, whatever the page order
        store.add_event("1", _event("2026-03-09T09:00:00Z", "agent_reply"), "b")
        store.add_event("1", _event("2026-03-09T09:30:00+01:00"), "z")
        store.add_event("1", _event("2026-03-09T09:00:00Z", "internal_note"), "a")
        store.add_event("1", _event("2026-03-09T09:00:00Z", "internal_note"), "a")  # again
        out = list(store.tickets())
    assert [t.id for t in out] == ["2", "1"]
    assert [e.type for e in out[1].events] == ["customer_message", "internal_note", "agent_reply"]


def test_a_later_header_replaces_the_earlier_and_orphans_are_error_records():
    with TicketStore("zendesk") as store:
        store.add_ticket("1", {"id": "1", "created_at": "2026-03-09T08:00:00Z"})
        store.add_event("7", _event("2026-03-09T09:00:00Z"))
        store.add_ticket("1", {"id": "1", "created_at": "2026-03-09T07:00:00Z", "fields": {}})
        store.add_ticket("3", {"id": "3", "created_at": "yesterday"})
        out = list(store.tickets())
    assert isinstance(out[0], Ticket) and out[0].created_at.hour == 7
    assert isinstance(out[1], UnreadTicket) and out[1].ticket_id == "3"
    assert out[1].error.startswith("zendesk: ")
    assert out[2] == UnreadTicket(
        error="zendesk: events for ticket 7, which is in no ticket file", ticket_id="7"
    )


@given(st.permutations(range(6)))
def test_the_order_events_are_added_in_never_changes_a_ticket(order):
    events = [
        (_event(f"2026-03-09T{9 + i // 2:02d}:00:00Z", "field", field="n", value=i), f"{i:03d}")
        for i in range(6)
    ]
    with TicketStore("test") as store:
        store.add_ticket("1", {"id": "1", "created_at": "2026-03-09T08:00:00Z"})
        for i in order:
            store.add_event("1", *events[i])
        (ticket,) = store.tickets()
    assert [e.value for e in ticket.events] == [0, 1, 2, 3, 4, 5]


def test_status_names_go_through_the_map_then_lower_case_with_underscores():
    mapping = {"Waiting for customer": "pending", "hold": "on_hold"}
    assert status_name("Waiting for customer", mapping) == "pending"
    assert status_name("HOLD", mapping) == "on_hold"
    assert status_name("Waiting on 3rd-party", mapping) == "waiting_on_3rd_party"


def test_a_status_map_file_must_map_names_to_names(tmp_path):
    good = tmp_path / "map.yaml"
    good.write_text("Waiting for customer: pending\nhold: on_hold\n")
    assert load_status_map(good) == {"Waiting for customer": "pending", "hold": "on_hold"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("- pending\n")
    with pytest.raises(ValueError, match="a status map is a mapping"):
        load_status_map(bad)


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        ("2026-03-09T10:00:00Z", "2026-03-09T10:00:00+00:00"),
        ("2026-03-09T10:00:00.000+0100", "2026-03-09T10:00:00+01:00"),
        ("2026-03-09T10:00:00.123Z", "2026-03-09T10:00:00.123000+00:00"),
        (1773050400, "2026-03-09T10:00:00+00:00"),
        (1773050400000, "2026-03-09T10:00:00+00:00"),
    ],
)
def test_timestamps_of_every_helpdesk(given_value, expected):
    assert iso(given_value) == expected
    assert datetime.fromisoformat(iso(given_value)).tzinfo is not None


@pytest.mark.parametrize("bad", ["2026-03-09T10:00:00", "soon", True, None])
def test_a_naive_or_unreadable_timestamp_is_a_value_error(bad):
    with pytest.raises(ValueError, match=r"timestamp|offset"):
        iso(bad)


def test_a_draft_is_a_valid_policy_with_comments_and_its_unsupported_parts_commented_out():
    draft = PolicyDraft("Imported", "zendesk", "Zendesk", "Two SLA policies")
    draft.status("waiting_on_vendor", "paused")
    draft.calendar(
        "office",
        {"timezone": "Europe/Berlin", "hours": {"mon-fri": ["09:00-17:00"]}},
        "Zendesk schedule 360001",
    )
    draft.entry(
        {"name": "urgent", "calendar": "office", "targets": {"first_response": "1h"}},
        "Zendesk SLA policy 25 (position 1)",
    )
    draft.unsupported("SLA policy 26: condition on organization_id", {"filter": {"all": []}})
    imported = draft.build()
    assert imported.warnings == ["not imported: SLA policy 26: condition on organization_id"]
    assert "  # Zendesk schedule 360001\n  office:\n" in imported.text
    assert "# Not imported: SLA policy 26: condition on organization_id\n# filter:\n" in (
        imported.text
    )
    policy, findings = check_policy_text(imported.text)
    assert policy is not None and findings == []
    assert yaml.safe_load(imported.text)["semantics"] == "zendesk"


def test_the_log_counts_warnings_by_kind_with_the_first_detail():
    log = ImportLog()
    log.warn("unknown-event-kind", "audit 5 event Foo")
    log.warn("unknown-event-kind", "audit 6 event Bar")
    assert log.summary() == ["2 unknown-event-kind (first: audit 5 event Foo)"]


def test_every_source_has_an_adapter_module_with_the_protocols_functions():
    for source in SOURCES:
        module = adapter(source)
        assert source == module.SOURCE
        for name in ("read_tickets", "read_policy", "read_recorded"):
            assert callable(getattr(module, name)), (source, name)
    with pytest.raises(ValueError, match="unknown source 'kayako'"):
        adapter("kayako")


def test_a_ticket_round_trips_through_its_json_shape():
    ticket = Ticket.from_dict(
        {
            "id": "T-1",
            "created_at": "2026-03-09T09:00:00+01:00",
            "fields": {"priority": "high"},
            "events": [
                {"at": "2026-03-09T09:30:00+01:00", "type": "customer_message", "public": True},
                {"at": "2026-03-09T10:00:00+01:00", "type": "field", "field": "x", "value": None},
                {"at": "2026-03-09T11:00:00+01:00", "type": "status", "status": "pending"},
            ],
        }
    )
    data = ticket.to_dict()
    assert data["events"][1] == {
        "at": "2026-03-09T10:00:00+01:00",
        "type": "field",
        "field": "x",
        "value": None,
    }
    assert Ticket.from_dict(json.loads(json.dumps(data))) == ticket
    assert ticket.created_at.astimezone(UTC).hour == 8


def test_one_event_through_two_endpoints_is_kept_once_with_the_keys_of_both():
    with TicketStore("test") as store:
        store.add_ticket("1", {"id": "1", "created_at": "2026-03-09T08:00:00Z"})
        # the same reply, as an audit gives it and as an export gives it (other offset)
        reply = {"at": "2026-03-09T09:00:00Z", "type": "agent_reply", "public": True}
        store.add_event("1", {**reply, "channel": "web"}, "a7")
        store.add_event("1", {**reply, "at": "2026-03-09T10:00:00+01:00", "actor": "agent"}, "a7")
        # two changes in one update share its order key but are two events
        store.add_event("1", _event("2026-03-09T09:00:00Z", "field", field="x", value=1), "a7")
        store.add_event("1", _event("2026-03-09T09:00:00Z", "field", field="y", value=2), "a7")
        store.add_event("1", _event("2026-03-09T09:00:00Z", "status", status="open"), "a7")
        store.add_event("1", _event("2026-03-09T09:00:00Z", "status", status="pending"), "a7")
        (ticket,) = store.tickets()
    replies = [e for e in ticket.events if e.type == "agent_reply"]
    assert len(replies) == 1
    assert (replies[0].channel, replies[0].actor, replies[0].public) == ("web", "agent", True)
    assert sorted(e.field for e in ticket.events if e.type == "field") == ["x", "y"]
    assert sorted(e.status for e in ticket.events if e.type == "status") == ["open", "pending"]


@pytest.mark.parametrize("huge", [1e300, 10**400, -(10**20), float("inf")])
def test_a_timestamp_past_the_calendar_is_a_value_error(huge):
    with pytest.raises(ValueError, match="not a timestamp"):
        iso(huge)
