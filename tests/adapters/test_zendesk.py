"""The Zendesk adapter: ticket histories, the imported policy and reconcile, end to end.

Fixtures (tests/data/adapters/zendesk/) follow the payloads the Zendesk Support API documents;
the calendar is Monday to Friday 09:00-17:00 Europe/Amsterdam (+01:00 in March 2026), closed
on Thursday 2026-03-12.  Expected values are worked out by hand in the comments.
"""

from __future__ import annotations

import io
import json
import random
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from servicepolicy import parse_policy
from servicepolicy._tickets.model import Ticket, UnreadTicket
from servicepolicy.adapters import zendesk
from servicepolicy.adapters._common import ImportLog, Recorded, read_pages
from servicepolicy.cli import main

DATA = Path(__file__).parent.parent / "data" / "adapters" / "zendesk"
TICKET_PAGES = ["tickets.json", "users.json", "custom_statuses.json", "audits.jsonl"]
TICKET_PAGES += ["ticket_events.json"]
POLICY_PAGES = ["sla_policies.json", "schedules.json", "holidays.json", "custom_statuses.json"]
NOW = datetime(2026, 3, 16, 11, 0, tzinfo=UTC)  # Monday 12:00 in Amsterdam
AS_OF = datetime.fromisoformat("2026-03-16T12:00:00+01:00")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, environ={}, now=NOW)
    return code, out.getvalue(), err.getvalue()


def paths(names: list[str]) -> list[str]:
    return [str(DATA / name) for name in names]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with tickets.jsonl and policy.yaml imported by the command line."""
    folder = tmp_path_factory.mktemp("zendesk")
    code, _, err = run(
        "import", "zendesk", *paths(TICKET_PAGES), "-o", str(folder / "tickets.jsonl")
    )
    assert code == 1, err  # ticket 1999 has an audit and no ticket page
    assert "7 tickets in, 6 imported, 1 failed" in err
    code, _, err = run(
        "import-policy", "zendesk", *paths(POLICY_PAGES), "-o", str(folder / "policy.yaml")
    )
    assert code == 0, err
    return folder


def tickets(folder: Path) -> dict[str, dict[str, Any]]:
    lines = (folder / "tickets.jsonl").read_text(encoding="utf-8").splitlines()
    return {record["id"]: record for record in map(json.loads, lines)}


def test_records_in_equal_records_out() -> None:
    log = ImportLog()
    records = list(zendesk.read_tickets(paths(TICKET_PAGES), log=log))
    read = [r.id for r in records if isinstance(r, Ticket)]
    assert read == ["1001", "1002", "1003", "1004", "1005", "1006"]  # the ticket page's order
    unread = [r for r in records if isinstance(r, UnreadTicket)]
    assert [(u.ticket_id, u.error) for u in unread] == [
        ("1999", "zendesk: events for ticket 1999, which is in no ticket file")
    ]


def test_an_unknown_event_kind_is_a_warning() -> None:
    log = ImportLog()
    list(zendesk.read_tickets(paths(TICKET_PAGES), log=log))
    # ticket 1005's update 80052 has a child event "SmartSuggestion", documented nowhere;
    # Notification, Cc and the Create events are documented and pass silently.
    assert dict(log.counts) == {"unknown-event-kind": 1}
    assert log.samples["unknown-event-kind"] == "ticket 1005 update 80052 event SmartSuggestion"


def test_imported_ticket_1001_exactly(imported: Path) -> None:
    customer = {"actor": "customer", "public": True, "channel": "email"}
    agent = {"actor": "agent", "public": True, "channel": "web"}
    assert tickets(imported)["1001"] == {
        "id": "1001",
        "created_at": "2026-03-09T08:30:00+00:00",
        # values at creation, from the Create audit events (audit values are text)
        "fields": {
            "priority": "high",
            "type": "question",
            "group_id": "20001",
            "tags": ["vip"],
            "custom_fields_360005551": "billing",
            "channel": "email",
        },
        "events": [
            {"at": "2026-03-09T08:30:00+00:00", "type": "customer_message", **customer,
             "subject": "Invoice shows the wrong VAT number"},
            {"at": "2026-03-09T09:15:00+00:00", "type": "agent_reply", **agent},
            {"at": "2026-03-09T09:15:00+00:00", "type": "status", "status": "open"},
            {"at": "2026-03-09T12:00:00+00:00", "type": "customer_message", **customer},
            {"at": "2026-03-09T12:10:00+00:00", "type": "internal_note", **agent, "public": False},
            {"at": "2026-03-09T13:30:00+00:00", "type": "agent_reply", **agent},
            {"at": "2026-03-09T13:30:00+00:00", "type": "status", "status": "solved"},
        ],
    }  # fmt: skip


def test_imported_ticket_1004_exactly(imported: Path) -> None:
    customer = {"actor": "customer", "public": True, "channel": "email"}
    agent = {"actor": "agent", "public": True, "channel": "web"}
    record = tickets(imported)["1004"]
    assert record["fields"]["priority"] == "normal"
    assert record["events"] == [
        {"at": "2026-03-10T13:00:00+00:00", "type": "customer_message", **customer,
         "subject": "Export to CSV is missing columns"},
        {"at": "2026-03-10T13:30:00+00:00", "type": "agent_reply", **agent},
        # custom status 900001 "Waiting on vendor" (category hold) instead of status "hold"
        {"at": "2026-03-10T13:30:00+00:00", "type": "status", "status": "waiting_on_vendor"},
        # Chloé (503) is CC'd, an end-user: her public comment is the customer's
        {"at": "2026-03-11T09:00:00+00:00", "type": "customer_message", **customer},
        {"at": "2026-03-11T10:00:00+00:00", "type": "agent_reply", **agent},
        {"at": "2026-03-11T10:00:00+00:00", "type": "status", "status": "in_progress"},
        {"at": "2026-03-11T14:00:00+00:00", "type": "agent_reply", **agent},
        {"at": "2026-03-11T14:00:00+00:00", "type": "status", "status": "solved"},
    ]  # fmt: skip


def test_priority_raised_mid_life_is_a_field_event(imported: Path) -> None:
    record = tickets(imported)["1003"]
    assert record["fields"]["priority"] == "low"  # at creation; the ticket page says urgent
    changes = [e for e in record["events"] if e["type"] == "field"]
    assert changes == [
        {
            "at": "2026-03-10T09:00:00+00:00",
            "type": "field",
            "field": "priority",
            "value": "urgent",
        },
        {"at": "2026-03-10T09:00:00+00:00", "type": "field", "field": "tags", "value": ["outage"]},
    ]


def _hours(text: str) -> timedelta:
    hours, _, minutes = text.partition("h")
    return timedelta(hours=int(hours or 0), minutes=int(minutes.rstrip("m") or 0))


# ticket, metric, status, due_at (Amsterdam), elapsed; the reasoning beside each row.
EXPECTED = [
    # 1001 VIP high: reply 09:30 -> 10:15; target 1h
    ("1001", "first_response", "met", "2026-03-09T10:30", "0h45m"),
    # question 13:00 -> answer 14:30; target 2h
    ("1001", "next_response", "met", "2026-03-09T15:00", "1h30m"),
    # 16h of requester wait: Mon 7h30m + Tue 8h + Wed 30m; solved after 5h
    ("1001", "resolution", "met", "2026-03-11T09:30", "5h"),
    # 1002 Standard normal: 11:00 -> 12:00, target 4h
    ("1002", "first_response", "met", "2026-03-09T15:00", "1h"),
    # two cycles of 1h; the last (Wed 09:30 -> 10:30, due +4h) decides
    ("1002", "next_response", "met", "2026-03-11T13:30", "1h"),
    # 3h run, pending not counted; 21h more from Wed 10:30 skipping Thursday -> Mon 15:30
    ("1002", "resolution", "met", "2026-03-16T15:30", "3h"),
    # 1003: urgent from 10:00, so 1h from 09:00; answered 10:40
    ("1003", "first_response", "breached", "2026-03-10T10:00", "1h40m"),
    # question 11:30 -> answer 11:50; urgent next reply 1h
    ("1003", "next_response", "met", "2026-03-10T12:30", "0h20m"),
    # 09:00 -> 11:50 of agent work; urgent 8h -> 17:00
    ("1003", "resolution", "met", "2026-03-10T17:00", "2h50m"),
    # 1004 normal: 14:00 -> 14:30; 4h: Tue 3h + Wed 1h
    ("1004", "first_response", "met", "2026-03-11T10:00", "0h30m"),
    # Chloé's question Wed 10:00 -> 11:00; 4h
    ("1004", "next_response", "met", "2026-03-11T14:00", "1h"),
    # 30m + 4h (waiting_on_vendor pauses); 19h30m more -> Tue 17th 10:30
    ("1004", "resolution", "met", "2026-03-17T10:30", "4h30m"),
    # 1005 urgent: 09:00 -> 09:20; 1h
    ("1005", "first_response", "met", "2026-03-11T10:00", "0h20m"),
    # 10:00 -> 10:30; 1h
    ("1005", "next_response", "met", "2026-03-11T11:00", "0h30m"),
    # 09:00 -> 10:30; 8h -> 17:00
    ("1005", "resolution", "met", "2026-03-11T17:00", "1h30m"),
    # 1006 VIP low: 4h from Wed 15:00 = Wed 2h + (Thursday closed) Fri 2h
    ("1006", "first_response", "met", "2026-03-13T11:00", "3h30m"),
    # no question after the reply
    ("1006", "next_response", "not_started", None, "0h"),
    # 40h: Wed 2h, Fri 8h, Mon 8h, Tue 8h, Wed 8h, Thu 19th 6h -> 15:00
    ("1006", "resolution", "met", "2026-03-19T15:00", "3h30m"),
]


@pytest.mark.parametrize(("ticket_id", "metric", "status", "due", "elapsed"), EXPECTED)
def test_each_ticket_evaluated_under_the_imported_policy(
    imported: Path, ticket_id: str, metric: str, status: str, due: str | None, elapsed: str
) -> None:
    policy = parse_policy((imported / "policy.yaml").read_text(encoding="utf-8"), "policy.yaml")
    ticket = Ticket.from_dict(tickets(imported)[ticket_id])
    result = policy.evaluate(ticket, AS_OF).metrics[metric]
    assert result.status == status
    expected_due = None if due is None else datetime.fromisoformat(due + ":00+01:00")
    assert result.due_at == expected_due
    assert result.elapsed == _hours(elapsed)


def test_the_imported_policy(imported: Path) -> None:
    text = (imported / "policy.yaml").read_text(encoding="utf-8")
    assert "semantics: zendesk" in text
    assert "# Zendesk SLA policy 360001001 'VIP' (position 1)" in text
    assert "# Zendesk schedule 36000088 'Amsterdam office', time zone 'Amsterdam'" in text
    policy = parse_policy(text, "policy.yaml")
    assert [entry.name for entry in policy.sla] == ["VIP", "Standard"]  # by position
    assert str(policy.calendar("amsterdam-office").zone) == "Europe/Amsterdam"
    assert dict(policy.statuses) == {"waiting_on_vendor": "paused", "in_progress": "open"}
    # requester wait time pauses on pending only; agent work time on pending and on-hold
    assert list(policy.sla[0].pause_on) == ["pending"]
    assert list(policy.sla[1].pause_on) == ["pending", "on_hold", "waiting_on_vendor"]
    # "Old incidents" (position 3) comes after the catch-all: written out, commented
    assert "# Not imported: Zendesk SLA policy 360001003 'Old incidents' (position 3)" in text


def test_the_imported_policy_validates_strictly(imported: Path) -> None:
    code, out, err = run("validate", "--strict", str(imported / "policy.yaml"))
    assert (code, out) == (0, "1 file(s) checked: all valid\n"), err


def test_import_policy_warns_of_what_it_leaves_out() -> None:
    code, _, err = run("import-policy", "zendesk", *paths(POLICY_PAGES))
    assert code == 0
    assert "warning: not imported: Zendesk SLA policy 360001003 'Old incidents'" in err


def test_the_policy_tests_pass_on_the_imported_policy(imported: Path) -> None:
    shutil.copy(DATA / "policy.tests.yaml", imported / "policy.tests.yaml")
    code, out, err = run("test", str(imported / "policy.tests.yaml"))
    assert code == 0, out + err
    assert out.endswith("6 passed, 0 failed\n")


def test_reconcile_names_the_planted_disagreement(imported: Path) -> None:
    code, out, err = run(
        "reconcile", str(imported / "policy.yaml"), str(imported / "tickets.jsonl"),
        "--source", "zendesk", str(DATA / "ticket_metric_events.json"), "--format", "json",
    )  # fmt: skip
    assert code == 1, err
    result = json.loads(out)
    # Zendesk set ticket 1006's breach at Thursday 11:00 before 12 March became a holiday;
    # this library counts the holiday and finds the reply on Friday 10:30 in time.
    assert [(d["ticket_id"], d["metric"], d["what"]) for d in result["differences"]] == [
        ("1006", "first_response", "breached"),
        ("1006", "first_response", "due_at"),
    ]
    reason = result["differences"][0]["reason"]
    assert reason.startswith("2026-03-12 (Company day) is a holiday of the policy's calendar")
    assert result["differences"][1]["helpdesk"] == "2026-03-12T10:00:00+00:00"
    # everything else agrees: 1001's three figures and 1003's breach after the priority rise
    assert result["agreement"]["first_response"] == {"compared": 3, "agreed": 2, "percent": 66.67}
    assert result["agreement"]["next_response"]["agreed"] == 1
    assert result["agreement"]["resolution"]["agreed"] == 1


def test_recorded_figures() -> None:
    figures = {
        (f.ticket_id, f.metric): f
        for f in zendesk.read_recorded(paths(["ticket_metric_events.json"]))
    }
    # 1003's agent work time had no SLA applied (no apply_sla): nothing recorded for it
    assert sorted(figures) == [
        ("1001", "first_response"), ("1001", "next_response"), ("1001", "resolution"),
        ("1003", "first_response"), ("1006", "first_response"),
    ]  # fmt: skip
    # the second apply_sla (urgent, 1h) replaced the first (low, 8h, its breach deleted)
    rise = figures[("1003", "first_response")]
    assert (rise.due_at, rise.breached) == (datetime(2026, 3, 10, 9, 0, tzinfo=UTC), True)
    # a deleted breach is the due time of a target met: fulfilled 10:15 before 10:30
    first = figures[("1001", "first_response")]
    assert (first.due_at, first.breached) == (datetime(2026, 3, 9, 9, 30, tzinfo=UTC), False)
    assert first.completed_at == datetime(2026, 3, 9, 9, 15, tzinfo=UTC)


def write(folder: Path, name: str, data: Any) -> str:
    path = folder / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_a_bad_timestamp_makes_an_error_record_and_the_rest_goes_on(tmp_path: Path) -> None:
    page = {
        "tickets": [
            {"id": 1, "created_at": "2026-03-09T09:00:00Z", "requester_id": 9, "status": "open"},
            {"id": 2, "created_at": "2026/03/09 10:00:00 +0100", "requester_id": 9},
        ],
        "audits": [
            {"id": 5, "ticket_id": 1, "created_at": "yesterday", "author_id": 9,
             "events": [{"id": 6, "type": "Comment", "public": True, "author_id": 9}]},
        ],
    }  # fmt: skip
    records = list(zendesk.read_tickets([write(tmp_path, "p.json", page)]))
    assert isinstance(records[0], UnreadTicket)
    assert records[0].ticket_id == "1"
    assert "yesterday" in records[0].error
    # the older "2011/09/25 22:35:44 -0700" form of the API is read
    assert isinstance(records[1], Ticket)
    assert records[1].created_at == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def test_unknown_pages_and_authors_are_warnings(tmp_path: Path) -> None:
    log = ImportLog()
    page = {
        "tickets": [{"id": 3, "created_at": "2026-03-09T09:00:00Z", "requester_id": 9}],
        "audits": [
            {"id": 7, "ticket_id": 3, "created_at": "2026-03-09T10:00:00Z", "author_id": 77,
             "events": [{"id": 8, "type": "Comment", "public": True}]},
        ],
    }  # fmt: skip
    files = [write(tmp_path, "p.json", page), write(tmp_path, "q.json", {"groups": []})]
    (ticket,) = zendesk.read_tickets(files, log=log)
    assert isinstance(ticket, Ticket)
    assert ticket.events[0].type == "customer_message"  # user 77 is in no users page
    assert set(log.counts) == {"unknown-page", "unknown-author"}


def test_a_status_map_file_renames_custom_statuses(tmp_path: Path) -> None:
    status_map = tmp_path / "map.yaml"
    status_map.write_text("Waiting on vendor: on_hold\n", encoding="utf-8")
    out = tmp_path / "t.jsonl"
    run("import", "zendesk", *paths(TICKET_PAGES), "--status-map", str(status_map), "-o", str(out))
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    record = next(r for r in lines if r["id"] == "1004")
    statuses = [e["status"] for e in record["events"] if e["type"] == "status"]
    assert statuses == ["on_hold", "in_progress", "solved"]


def test_what_the_policy_format_cannot_hold_is_written_out(tmp_path: Path) -> None:
    every = ("urgent", "high", "normal", "low")

    def targets(metric: str, minutes: int, priorities: tuple[str, ...] = every) -> list[Any]:
        return [
            {"priority": p, "metric": metric, "target": minutes, "business_hours": True}
            for p in priorities
        ]

    by_requester = {"all": [{"field": "requester_id", "operator": "is", "value": 5}]}
    pages = {
        "sla_policies": [
            {"id": 1, "title": "By requester", "position": 1, "filter": by_requester,
             "policy_metrics": targets("first_reply_time", 30)},
            {"id": 2, "title": "Urgent only", "position": 2,
             "filter": {"all": [{"field": "type", "operator": "is", "value": "incident"}]},
             "policy_metrics": targets("first_reply_time", 30, ("urgent",))},
            {"id": 3, "title": "Everyone", "position": 3, "filter": {"all": [], "any": []},
             "policy_metrics": targets("first_reply_time", 90)
             + targets("requester_wait_time", 600) + targets("agent_work_time", 480)},
        ],
        "schedules": [
            {"id": 11, "name": "Day", "time_zone": "Eastern Time (US & Canada)",
             "intervals": [{"start_time": 1980, "end_time": 2460}]},
            {"id": 12, "name": "Night", "time_zone": "Atlantis/Lost", "intervals": []},
        ],
    }  # fmt: skip
    imported = zendesk.read_policy([write(tmp_path, "p.json", pages)])
    policy = parse_policy(imported.text, "p.yaml")
    (entry,) = policy.sla
    assert entry.name == "Everyone"
    assert list(entry.pause_on) == ["pending"]  # requester wait time, the first given
    assert str(policy.calendar("day").zone) == "America/New_York"
    notes = " | ".join(imported.warnings)
    assert "policy 1 'By requester' (position 1): condition requester_id is 5" in notes
    assert "policy 2 'Urgent only' (position 2): targets for urgent only" in notes
    assert "agent_work_time and requester_wait_time both measure resolution" in notes
    assert "Zendesk schedule 12: unknown time zone" in notes
    assert "which schedule a ticket uses is set per ticket by triggers" in notes
    assert len(imported.warnings) == 5  # one each, not one per priority


def test_nothing_to_import_is_an_error(tmp_path: Path) -> None:
    code, out, err = run("import-policy", "zendesk", write(tmp_path, "s.json", {"schedules": []}))
    assert (code, out) == (2, "")
    assert "no SLA policy could be imported (of 0)" in err


# --- Review findings: wrong types, tickets without an id, page order, priority ranges ----

_ODD_VALUES: list[Any] = [None, [], {}, 10**400, "x"]
_FUZZ_FILES = sorted(p.name for p in DATA.iterdir() if p.suffix in (".json", ".jsonl"))


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value inside ``value`` (not ``value`` itself)."""
    found: list[tuple[Any, ...]] = []
    if isinstance(value, dict | list):
        for name, inner in value.items() if isinstance(value, dict) else enumerate(value):
            found.append((*path, name))
            found += _places(inner, (*path, name))
    return found


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replaced(value[path[0]], path[1:], new)
    return copy


def _fuzzed_file(tmp: Path, name: str, rng: random.Random) -> str:
    """A copy of fixture ``name`` with one to three values swapped for an odd one."""
    pages = [page.data for page in read_pages([DATA / name])]
    for _ in range(rng.randint(1, 3)):
        number = rng.randrange(len(pages))
        places = _places(pages[number])
        if places:
            place = rng.choice(places)
            pages[number] = _replaced(pages[number], place, rng.choice(_ODD_VALUES))
    path = tmp / name
    path.write_text("\n".join(json.dumps(page) for page in pages), encoding="utf-8")
    return str(path)


_FUZZ_READERS = {"ticket_metric_events.json": ["ticket_metric_events.json"]}
_FUZZ_READERS |= dict.fromkeys(POLICY_PAGES, POLICY_PAGES)
_FUZZ_READERS |= dict.fromkeys(TICKET_PAGES, TICKET_PAGES)


def _read_all(files: list[str], log: ImportLog) -> None:
    """Every reader on ``files``; each must give records of its kind and raise nothing but
    read_policy's documented ValueError."""
    records = list(zendesk.read_tickets(files, log=log))
    assert all(isinstance(r, Ticket | UnreadTicket) for r in records)
    assert all(isinstance(f, Recorded) for f in zendesk.read_recorded(files, log=log))
    try:
        zendesk.read_policy(files, log=log)
    except ValueError as error:
        assert str(error).startswith("no SLA policy could be imported"), error


def test_odd_values_never_stop_an_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seeded fuzzing (300 variants): one to three values of a fixture swapped for None, [],
    {}, 10**400 or "x" give warnings and error records, never an exception."""
    if Path("/dev/shm").is_dir():  # the ticket store's staging file, off the disk: fast
        monkeypatch.setattr(tempfile, "tempdir", "/dev/shm")
    rng = random.Random(20260309)
    names = sorted(_FUZZ_READERS)
    for variant in range(300):
        name = names[variant % len(names)]
        folder = tmp_path / str(variant)
        folder.mkdir()
        files = [_fuzzed_file(folder, name, rng)]
        files += [str(DATA / other) for other in _FUZZ_READERS[name] if other != name]
        if name in POLICY_PAGES and variant % 3:
            try:  # the policy pages under the policy reader only, two times in three
                zendesk.read_policy(files)
            except ValueError as error:
                assert str(error).startswith("no SLA policy could be imported"), error
        else:
            _read_all(files, ImportLog())


def test_values_of_the_wrong_type_are_warnings(tmp_path: Path) -> None:
    log = ImportLog()
    page = {
        "tickets": [{"id": 1, "created_at": "2026-03-09T08:30:00Z"},
                    {"id": 2, "created_at": "2026-03-09T08:30:00Z"}],
        "users": [{"id": 5, "role": ["agent"]}],  # a list: was a TypeError (unhashable)
        "audits": [{"id": 7, "ticket_id": 2, "created_at": "2026-03-09T09:00:00Z",
                    "events": 12}],  # a number: was a TypeError (not iterable)
    }  # fmt: skip
    records = list(zendesk.read_tickets([write(tmp_path, "p.json", page)], log=log))
    assert [r.id for r in records if isinstance(r, Ticket)] == ["1", "2"]
    assert log.counts["bad-value"] == 2
    metric = {"ticket_metric_events": [{"id": 1, "ticket_id": 1, "metric": "reply_time",
                                        "instance_id": 1, "type": {"a": 1}}]}  # fmt: skip
    assert list(zendesk.read_recorded([write(tmp_path, "m.json", metric)], log=log)) == []
    assert log.counts["unknown-event-kind"] == 1


def _policy(**changes: Any) -> dict[str, Any]:
    metrics = [{"priority": p, "metric": "first_reply_time", "target": 60, "business_hours": False}
               for p in ("urgent", "high", "normal", "low")]  # fmt: skip
    return {"id": 9, "title": "Odd", "position": 1, "policy_metrics": metrics, **changes}


@pytest.mark.parametrize(
    ("pages", "note"),
    [
        # an interval that is not a mapping: was an AttributeError
        ({"schedules": [{"id": 3, "name": "S", "time_zone": "UTC", "intervals": [5]}]},
         "Zendesk schedule 3: no business hours"),
        # a policy_metrics item that is not a mapping: was an AttributeError
        ({"sla_policies": [_policy(policy_metrics=[*_policy()["policy_metrics"], "x"])]},
         "a target that is not a mapping"),
        # the filter's all is a number: was a TypeError
        ({"sla_policies": [_policy(filter={"all": 5}), _policy(id=10, position=2)]},
         "the filter's 'all' is 5, not a list of conditions"),
        # target_in_seconds as text: was a TypeError
        ({"sla_policies": [_policy(policy_metrics=[
            {"priority": "urgent", "metric": "first_reply_time", "target_in_seconds": "60"}
        ]), _policy(id=10, position=2)]}, "no target this format can hold"),
    ],
)  # fmt: skip
def test_policy_parts_of_the_wrong_type_are_written_out(
    tmp_path: Path, pages: dict[str, Any], note: str
) -> None:
    pages.setdefault("sla_policies", [_policy(id=10, position=2)])
    imported = zendesk.read_policy([write(tmp_path, "p.json", pages)])
    assert note in " | ".join(imported.warnings)
    parse_policy(imported.text, "p.yaml")


def test_tickets_without_an_id_are_error_records_never_merged(tmp_path: Path) -> None:
    page = {"tickets": [
        {"created_at": "2026-03-09T08:30:00Z", "subject": "no id"},
        {"id": None, "created_at": "2026-03-09T09:30:00Z"},
        {"id": [4], "created_at": "2026-03-09T10:30:00Z"},
        {"id": 4, "created_at": "2026-03-09T11:30:00Z"},
    ]}  # fmt: skip
    records = list(zendesk.read_tickets([write(tmp_path, "p.json", page)]))
    assert [r.id for r in records if isinstance(r, Ticket)] == ["4"]
    unread = [r for r in records if isinstance(r, UnreadTicket)]
    assert [r.ticket_id for r in unread] == [None, None, None]  # one each, none "None"
    assert "id is missing" in unread[0].error and "2026-03-09T08:30:00Z" in unread[0].error
    assert "id is not an id ([4])" in unread[2].error
    code, _, err = run("import", "zendesk", write(tmp_path, "p.json", page))
    assert code == 1
    assert "4 tickets in, 1 imported, 3 failed" in err


_BOTH_RESOLUTION = [
    {"id": 1, "ticket_id": 7, "metric": "agent_work_time", "instance_id": 1,
     "type": "apply_sla", "time": "2026-03-09T08:00:00Z"},
    {"id": 2, "ticket_id": 7, "metric": "agent_work_time", "instance_id": 1,
     "type": "breach", "time": "2026-03-09T16:00:00Z"},
    {"id": 3, "ticket_id": 7, "metric": "requester_wait_time", "instance_id": 1,
     "type": "apply_sla", "time": "2026-03-09T08:00:00Z"},
    {"id": 4, "ticket_id": 7, "metric": "requester_wait_time", "instance_id": 1,
     "type": "breach", "time": "2026-03-09T18:00:00Z"},
]  # fmt: skip


@pytest.mark.parametrize("events", [_BOTH_RESOLUTION, _BOTH_RESOLUTION[::-1]])
def test_requester_wait_time_is_compared_whatever_the_page_order(
    tmp_path: Path, events: list[Any]
) -> None:
    log = ImportLog()
    pages = [{"ticket_metric_events": [event]} for event in events]
    files = [write(tmp_path, f"{n}.json", page) for n, page in enumerate(pages)]
    (figure,) = zendesk.read_recorded(files, log=log)
    assert figure.due_at == datetime(2026, 3, 9, 18, 0, tzinfo=UTC)
    assert figure.detail.startswith("ticket_metric_events requester_wait_time")
    assert log.samples["shared-metric"] == (
        "ticket 7: requester_wait_time and agent_work_time are both resolution"
    )


def test_the_imported_policy_keeps_requester_wait_time_whatever_the_order(
    tmp_path: Path,
) -> None:
    every = ("urgent", "high", "normal", "low")
    metrics = [{"priority": p, "metric": m, "target": 600, "business_hours": False}
               for m in ("agent_work_time", "requester_wait_time") for p in every]  # fmt: skip
    pages = {"sla_policies": [{"id": 1, "title": "All", "position": 1,
                               "policy_metrics": metrics}]}  # fmt: skip
    imported = zendesk.read_policy([write(tmp_path, "p.json", pages)])
    (entry,) = parse_policy(imported.text, "p.yaml").sla
    assert list(entry.pause_on) == ["pending"]  # requester wait time's, given second
    assert "agent_work_time and requester_wait_time both measure resolution; kept " + (
        "requester_wait_time"
    ) in " ".join(imported.warnings)


@pytest.mark.parametrize(
    ("operator", "value", "held"),
    [
        ("less_than", "high", ["low", "normal"]),
        ("greater_than", "normal", ["high", "urgent"]),
        ("less_than_equal", "normal", ["low", "normal"]),
        ("greater_than_equal", "urgent", ["urgent"]),
    ],
)
def test_a_priority_range_becomes_a_list_of_priorities(
    tmp_path: Path, operator: str, value: str, held: list[str]
) -> None:
    condition = {"field": "priority", "operator": operator, "value": value}
    pages = {"sla_policies": [_policy(filter={"all": [condition]}), _policy(id=10, position=2)]}
    path = tmp_path / "policy.yaml"
    path.write_text(zendesk.read_policy([write(tmp_path, "p.json", pages)]).text, "utf-8")
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["sla"][0]["when"] == {
        "priority": {"in": held}  # was {"priority": {"lt": "high"}}, refused by --strict
    }
    code, out, err = run("validate", "--strict", str(path))
    assert (code, out) == (0, "1 file(s) checked: all valid\n"), err


def test_a_priority_range_that_holds_for_none_is_written_out(tmp_path: Path) -> None:
    condition = {"field": "priority", "operator": "less_than", "value": "low"}
    pages = {"sla_policies": [_policy(filter={"all": [condition]}), _policy(id=10, position=2)]}
    imported = zendesk.read_policy([write(tmp_path, "p.json", pages)])
    assert "condition priority less_than low: no priority is" in " ".join(imported.warnings)


_UPDATE = {"id": 81001, "ticket_id": 1, "created_at": "2026-03-09T09:00:00Z"}
_AUDIT = {**_UPDATE, "author_id": 9, "via": {"channel": "email"}, "events": [
    {"id": 810010, "type": "Comment", "public": True, "author_id": 9},
    {"id": 810011, "type": "Change", "field_name": "group_id", "value": "20002"},
]}  # fmt: skip
_EXPORTED = {**_UPDATE, "timestamp": 1773046800, "updater_id": 9, "via": "Mail",
             "event_type": "Audit", "child_events": [
    {"id": 810010, "event_type": "Comment", "comment_present": True, "comment_public": True},
    {"id": 810011, "event_type": "Change", "group_id": 20002, "previous_value": 20001},
]}  # fmt: skip


@pytest.mark.parametrize("order", ["audit first", "export first"])
def test_an_update_from_both_endpoints_is_one_set_of_events(tmp_path: Path, order: str) -> None:
    tickets_page = {"tickets": [{"id": 1, "created_at": "2026-03-09T08:00:00Z",
                                 "requester_id": 9}]}  # fmt: skip
    pages = [{"audits": [_AUDIT]}, {"ticket_events": [_EXPORTED]}]
    pages = pages if order == "audit first" else pages[::-1]
    files = [write(tmp_path, f"{n}.json", p) for n, p in enumerate([tickets_page, *pages])]
    (ticket,) = zendesk.read_tickets(files)
    assert isinstance(ticket, Ticket)
    assert ticket.to_dict()["events"] == [
        {"at": "2026-03-09T09:00:00+00:00", "type": "customer_message", "actor": "customer",
         "public": True, "channel": "email"},
        # the export's 20002 is written as the audit's "20002": the same event
        {"at": "2026-03-09T09:00:00+00:00", "type": "field", "field": "group_id",
         "value": "20002"},
    ]  # fmt: skip


def test_creation_values_are_held_as_text_without_the_subject() -> None:
    state = zendesk.Pass(zendesk.DEFAULT_STATUS_MAP, ImportLog())
    for page in read_pages(paths(["audits.jsonl", "ticket_events.json"])):
        state.learn(page)
    assert all(isinstance(held, str) for held in state.created.values())
    assert not any("Invoice shows the wrong VAT number" in held for held in state.created.values())
    assert state.creation("1005") == {
        "priority": "urgent",
        "type": "question",
        "group_id": "20001",
        "tags": [],
    }
