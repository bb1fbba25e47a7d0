"""Jira Service Management: fixture pages built from the documented shapes of the Jira Cloud
platform and service desk REST APIs, imported and evaluated end to end under the hand-written
policy (JSM exports no SLA configuration), with the expectations worked out by hand.

Calendar sample-9-5: Europe/Berlin Mon-Fri 09:00-17:00 (UTC+1 until 29 March 2026, UTC+2
after), with Good Friday (3 April) and Easter Monday (6 April 2026) as holidays. Monday is
2026-03-09; as_of is Friday 2026-04-10 12:00 (UTC+2). Goals: first response Highest 30m,
High 1h, Medium 4h; next response 4h; resolution Highest 4h, High 8h, Medium 16h.
"""

from __future__ import annotations

import copy
import io
import json
import random
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from servicepolicy import Ticket, UnreadTicket, load_policy
from servicepolicy.adapters import _jsm_pages as jsm_pages
from servicepolicy.adapters import jsm
from servicepolicy.adapters._common import ImportLog, Recorded
from servicepolicy.cli import main

DATA = Path(__file__).parent.parent / "data" / "adapters" / "jsm"
POLICY = DATA / "policy.yaml"
TICKET_PAGES = [
    DATA / "search.json",
    DATA / "issue-ITS-5.json",
    DATA / "comments.jsonl",
    DATA / "request-ITS-3-comments.json",
]
RECORDED_PAGES = [DATA / "search.json", DATA / "issue-ITS-5.json", DATA / "request-ITS-5-sla.json"]
CET, CEST = timezone(timedelta(hours=1)), timezone(timedelta(hours=2))
AS_OF = datetime(2026, 4, 10, 12, 0, tzinfo=CEST)


def cli(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main([str(a) for a in argv], stdout=out, stderr=err, environ={}, now=AS_OF)
    return status, out.getvalue(), err.getvalue()


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CET if month == 3 else CEST)


def hours(h: float) -> timedelta:
    return timedelta(hours=h)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """policy.yaml, the imported tickets.jsonl and policy.tests.yaml in a folder."""
    folder = tmp_path_factory.mktemp("jsm")
    status, _, err = cli("import", "jsm", *TICKET_PAGES, "-o", folder / "tickets.jsonl")
    assert status == 1, err  # issue 10099 has comments and no issue page: an error record
    shutil.copy(POLICY, folder / "policy.yaml")
    shutil.copy(DATA / "policy.tests.yaml", folder / "policy.tests.yaml")
    return folder


def tickets_by_id(
    pages: list[Path] = TICKET_PAGES, log: ImportLog | None = None, **options: Any
) -> dict[str, Ticket | UnreadTicket]:
    found = jsm.read_tickets(pages, log=log, **options)
    return {str(t.id if isinstance(t, Ticket) else t.ticket_id): t for t in found}


@pytest.fixture(scope="module")
def evaluations() -> dict[str, Any]:
    policy = load_policy(POLICY)
    return {
        tid: policy.evaluate(t, AS_OF)
        for tid, t in tickets_by_id().items()
        if isinstance(t, Ticket)
    }


def imported_json(folder: Path, ticket_id: str) -> dict[str, Any]:
    for line in (folder / "tickets.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["id"] == ticket_id:
            return dict(record)
    raise AssertionError(f"{ticket_id} not imported")


# -- tickets ------------------------------------------------------------------------------------


def test_records_in_equal_records_out_and_orphan_comments_are_an_error_record(imported: Path):
    found = tickets_by_id()
    assert sorted(found) == ["10099", "ITS-1", "ITS-2", "ITS-3", "ITS-4", "ITS-5"]
    orphan = found["10099"]
    assert isinstance(orphan, UnreadTicket)
    assert orphan.error == "jsm: events for ticket 10099, which is in no ticket file"
    lines = (imported / "tickets.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5


def test_ticket_its_1_exact_json(imported: Path):
    # Comments from the platform comment page (issue id 10001 in their self links); Colin is a
    # request participant with an Atlassian account: his public comment is the customer's.
    t = "2026-03-09T{}:00+01:00".format
    assert imported_json(imported, "ITS-1") == {
        "id": "ITS-1",
        "created_at": t("09:30"),
        "fields": {
            "priority": "Medium",
            "issuetype": "[System] Service request",
            "labels": ["vpn"],
            "customfield_10010": "Get IT help",
            "customfield_10050": "Gold",
        },
        "events": [
            {"at": t("09:30"), "type": "status", "status": "open"},  # Waiting for support
            {"at": t("10:15"), "type": "agent_reply", "actor": "agent", "public": True},
            {"at": t("10:40"), "type": "internal_note", "actor": "agent", "public": False},
            {"at": t("11:00"), "type": "customer_message", "actor": "customer", "public": True},
            {"at": t("13:00"), "type": "agent_reply", "actor": "agent", "public": True},
            {"at": t("13:30"), "type": "status", "status": "solved"},  # Resolved
        ],
    }


def test_ticket_its_2_exact_json_keeps_the_creation_priority_and_labels(imported: Path):
    # The issue says High and [hardware, laptop] now; its changelog says Low and [laptop] at
    # creation, changed at 10:00.
    t = "2026-03-10T{}:00+01:00".format
    assert imported_json(imported, "ITS-2") == {
        "id": "ITS-2",
        "created_at": t("09:00"),
        "fields": {
            "priority": "Low",
            "issuetype": "[System] Service request",
            "labels": ["laptop"],
            "customfield_10010": "Get IT help",
            "customfield_10050": "Silver",
        },
        "events": [
            {"at": t("09:00"), "type": "status", "status": "open"},
            {"at": t("09:05"), "type": "customer_message", "actor": "customer", "public": True},
            {"at": t("10:00"), "type": "field", "field": "priority", "value": "High"},
            {"at": t("10:00"), "type": "field", "field": "labels", "value": ["hardware", "laptop"]},
            {"at": t("11:30"), "type": "agent_reply", "actor": "agent", "public": True},
            {"at": t("16:00"), "type": "status", "status": "solved"},
        ],
    }


def test_ticket_its_3_statuses_and_service_desk_comments():
    ticket = tickets_by_id()["ITS-3"]
    assert isinstance(ticket, Ticket)
    seen = [(e.at, e.type, e.status or e.actor) for e in ticket.events]
    assert seen == [
        (at(11, 9), "status", "open"),
        (at(11, 9, 20), "agent_reply", "agent"),
        (at(11, 9, 25), "status", "pending"),  # Waiting for customer
        (at(12, 10), "customer_message", "customer"),  # the reporter, public: true
        (at(12, 10), "status", "open"),  # automation: back to Waiting for support
        (at(12, 10, 15), "internal_note", "agent"),  # public: false
        (at(12, 10, 30), "status", "open"),  # Waiting for vendor: in no map, category In Progress
        (at(12, 11), "agent_reply", "agent"),
        (at(12, 12), "status", "solved"),
        (at(13, 9, 30), "customer_message", "customer"),  # reopens
        (at(13, 9, 30), "status", "open"),
        (at(13, 10, 30), "agent_reply", "agent"),
        (at(13, 11), "status", "solved"),
    ]


def test_its_1_end_to_end(evaluations):
    e = evaluations["ITS-1"].metrics
    assert e["first_response"].status == "met"
    assert e["first_response"].elapsed == timedelta(minutes=45)  # 09:30 -> 10:15
    assert e["first_response"].due_at == at(9, 13, 30)  # Medium 4h
    cycle = e["next_response"].cycles[0]
    assert (cycle.status, cycle.started_at) == ("met", at(9, 11))  # the participant's message
    assert cycle.elapsed == hours(2)  # 11:00 -> 13:00
    assert cycle.due_at == at(9, 15)
    assert e["resolution"].status == "met"
    assert e["resolution"].elapsed == hours(4)  # 09:30 -> 13:30
    assert e["resolution"].due_at == at(11, 9, 30)  # 16h: Mon 7h30m, Tue 8h, Wed 30m


def test_its_2_end_to_end_priority_raised(evaluations):
    e = evaluations["ITS-2"].metrics
    assert e["first_response"].status == "breached"  # High's 1h applies at the 11:30 reply
    assert e["first_response"].elapsed == hours(2.5)
    assert e["first_response"].due_at == at(10, 10)
    assert e["next_response"].status == "not_started"  # 09:05 came before any reply
    assert e["resolution"].status == "met"
    assert e["resolution"].elapsed == hours(7)  # 09:00 -> 16:00
    assert e["resolution"].due_at == at(10, 17)  # High 8h


def test_its_3_end_to_end_pending_solved_reopened(evaluations):
    e = evaluations["ITS-3"].metrics
    assert e["first_response"].status == "met"
    assert e["first_response"].elapsed == timedelta(minutes=20)
    first, second = e["next_response"].cycles
    assert (first.elapsed, first.due_at) == (hours(1), at(12, 14))  # Thu 10:00 -> 11:00
    assert (second.elapsed, second.due_at) == (hours(1), at(13, 13, 30))  # Fri 09:30 -> 10:30
    assert e["next_response"].status == "met"
    r = e["resolution"]
    assert r.status == "met"
    # Wed 09:00-09:25 (25m) + Thu 10:00-12:00 (2h) + Fri 09:30-11:00 (1h30m)
    assert r.elapsed == timedelta(hours=3, minutes=55)
    assert r.paused == timedelta(hours=24, minutes=35)  # Wed 09:25 -> Thu 10:00
    assert r.due_at == at(13, 15, 5)  # 4h05m left after Fri 11:00
    assert r.completed_at == at(13, 11)


def test_its_4_end_to_end_late_incident(evaluations):
    e = evaluations["ITS-4"].metrics
    assert e["first_response"].status == "breached"
    assert e["first_response"].elapsed == timedelta(minutes=40)  # Mon 16:30-17:00, Tue -09:10
    assert e["first_response"].due_at == at(9, 17)  # 30m reached at Monday's close
    assert e["first_response"].breached_at == at(10, 9)
    assert e["next_response"].status == "not_started"
    assert e["resolution"].status == "breached"
    assert e["resolution"].due_at == at(10, 12, 30)  # Mon 30m + Tue 3h30m
    # Mon 30m; 21 working days from Tue 10 March to Thu 9 April (not 3 or 6 April) x 8h;
    # Fri 10 April 09:00-12:00
    assert e["resolution"].elapsed == timedelta(hours=21 * 8 + 3, minutes=30)


def test_its_5_end_to_end_over_easter(evaluations):
    e = evaluations["ITS-5"].metrics
    assert e["first_response"].status == "met"
    assert e["first_response"].due_at == at(2, 17, month=4)
    assert e["resolution"].status == "met"
    assert e["resolution"].elapsed == hours(3)  # Thu 16:00-17:00, Tue 09:00-11:00
    assert e["resolution"].due_at == at(7, 16, month=4)  # Thu 1h, Tue 7h


def test_an_unknown_change_kind_is_a_warning_not_a_crash():
    log = ImportLog()
    tickets_by_id(log=log)
    assert log.counts == {"unknown-event-kind": 1}
    assert log.samples["unknown-event-kind"] == "ITS-4: change of opsgenie field 'Linked alerts'"


def test_the_cli_prints_the_warning_and_the_counts():
    status, _, err = cli("import", "jsm", *TICKET_PAGES, "-o", "-")
    assert status == 1
    assert "1 unknown-event-kind (first: ITS-4: change of opsgenie field" in err
    assert "6 tickets in, 5 imported, 1 failed" in err


def test_page_order_and_a_page_read_twice_change_nothing():
    def shapes(found: dict[str, Ticket | UnreadTicket]) -> dict[str, Any]:
        return {k: v.to_dict() if isinstance(v, Ticket) else v for k, v in found.items()}

    forward = shapes(tickets_by_id())
    assert shapes(tickets_by_id([*reversed(TICKET_PAGES), DATA / "comments.jsonl"])) == forward


def test_a_given_status_map_replaces_the_default_one():
    log = ImportLog()
    by_map = tickets_by_id(status_map={"waiting for vendor": "on_hold"}, log=log)
    ticket = by_map["ITS-4"]
    assert isinstance(ticket, Ticket)
    # "Waiting for support" is not in the given map, and no issue is in it now, so its category
    # is unknown: it keeps its name, with a warning. "Waiting for vendor" is ITS-4's status now.
    assert [e.status for e in ticket.events if e.type == "status"] == [
        "waiting_for_support",
        "on_hold",
    ]
    assert log.samples["unmapped-status"] == (
        "'Waiting for support' is not in the status map; category unknown"
    )
    resolved = by_map["ITS-1"]
    assert isinstance(resolved, Ticket)
    # "Resolved" is in the map no more: its category (Done) makes it solved.
    assert resolved.events[-1].status == "solved"


def test_a_bad_timestamp_makes_that_ticket_an_error_record(tmp_path):
    page = json.loads((DATA / "issue-ITS-5.json").read_text(encoding="utf-8"))
    page["fields"]["created"] = "yesterday"
    (tmp_path / "bad.json").write_text(json.dumps(page), encoding="utf-8")
    found = tickets_by_id([DATA / "search.json", tmp_path / "bad.json"])
    bad = found["ITS-5"]
    assert isinstance(bad, UnreadTicket)
    assert "yesterday" in bad.error
    assert isinstance(found["ITS-1"], Ticket)


def test_unknown_and_unreadable_pages_are_warnings(tmp_path):
    (tmp_path / "other.jsonl").write_text('{"workflows": []}\nnot json\n', encoding="utf-8")
    log = ImportLog()
    found = tickets_by_id([tmp_path / "other.jsonl"], log=log)
    assert found == {}
    assert log.counts == {"unknown-page": 1, "unreadable-page": 1}


# -- policy ---------------------------------------------------------------------------------------


def test_import_policy_says_why_it_cannot():
    with pytest.raises(jsm.PolicyNotExportable, match="no public REST API") as caught:
        jsm.read_policy(RECORDED_PAGES)
    assert isinstance(caught.value, ValueError)
    assert "docs/adapters/jsm.md" in str(caught.value)
    status, out, err = cli("import-policy", "jsm", DATA / "search.json")
    assert (status, out) == (2, "")
    assert "exports SLA configuration" in err


def test_the_hand_written_policy_passes_validate_strict():
    status, out, _ = cli("validate", "--strict", POLICY)
    assert status == 0, out
    assert "semantics: jsm" in POLICY.read_text(encoding="utf-8")


def test_the_policy_passes_its_policy_tests(imported: Path):
    status, out, err = cli("test", imported / "policy.tests.yaml")
    assert status == 0, out + err
    assert "5 passed, 0 failed" in out + err


# -- recorded figures and reconcile -------------------------------------------------------------


def test_recorded_figures():
    log = ImportLog()
    figures = {(r.ticket_id, r.metric): r for r in jsm.read_recorded(RECORDED_PAGES, log=log)}
    assert len(figures) == 10 and not log.counts
    easter = figures["ITS-5", "resolution"]  # from the service desk SLA page (request 10005)
    assert easter.due_at == at(6, 16, month=4)
    assert (easter.breached, easter.completed_at) == (True, at(7, 11, month=4))
    reopened = figures["ITS-3", "resolution"]  # two cycles: no due time to compare
    assert (reopened.due_at, reopened.breached) == (None, False)
    assert reopened.completed_at == at(13, 11)
    ongoing = figures["ITS-4", "resolution"]
    assert (ongoing.due_at, ongoing.breached, ongoing.completed_at) == (at(10, 12, 30), True, None)


def test_reconcile_finds_the_planted_disagreement_and_names_its_reason(imported: Path):
    status, out, _ = cli(
        "reconcile", POLICY, imported / "tickets.jsonl", "--source", "jsm",
        *RECORDED_PAGES, "--as-of", AS_OF.isoformat(), "--format", "json",
    )  # fmt: skip
    assert status == 1
    result = json.loads(out)
    found = {(d["ticket_id"], d["metric"], d["what"]) for d in result["differences"]}
    assert found == {("ITS-5", "resolution", "breached"), ("ITS-5", "resolution", "due_at")}
    for difference in result["differences"]:
        assert difference["reason"].startswith("2026-04-06 (Easter Monday) is a holiday")
    due = next(d for d in result["differences"] if d["what"] == "due_at")
    assert (due["servicepolicy"], due["helpdesk"]) == (
        "2026-04-07T16:00:00+02:00",
        "2026-04-06T16:00:00+02:00",
    )
    assert result["agreement"]["first_response"]["agreed"] == 5
    assert result["agreement"]["resolution"] == {"compared": 5, "agreed": 4, "percent": 80.0}


# -- values of the wrong type, keyless issues, one event per comment -------------------------------


def write_pages(folder: Path, *pages: object) -> list[Path]:
    """Each page as a JSON file in ``folder``."""
    paths = []
    for number, page in enumerate(pages):
        path = folder / f"page-{number}.json"
        path.write_text(json.dumps(page), encoding="utf-8")
        paths.append(path)
    return paths


def search_page() -> dict[str, Any]:
    return dict(json.loads((DATA / "search.json").read_text(encoding="utf-8")))


def issue_its_1() -> dict[str, Any]:
    return dict(search_page()["issues"][0])


def comment_on_its_1(comment_id: object, author: object, created: object) -> dict[str, Any]:
    return {
        "self": f"https://acme-it.atlassian.net/rest/api/3/issue/10001/comment/{comment_id}",
        "id": comment_id,
        "author": author,
        "created": created,
        "jsdPublic": True,
    }


@pytest.mark.parametrize("account", [["qm:7c1e4a52-0001:rosa"], {"id": "rosa"}])
def test_an_author_account_id_that_is_a_list_or_object_is_a_warning(tmp_path, account):
    author = {"accountId": account, "accountType": "atlassian"}
    page = {"comments": [comment_on_its_1("20090", author, "2026-03-09T11:30:00.000+0100")]}
    log = ImportLog()
    found = tickets_by_id(write_pages(tmp_path, search_page(), page), log=log)
    ticket = found["ITS-1"]
    assert isinstance(ticket, Ticket)
    assert [(e.type, e.actor) for e in ticket.events if e.at == at(9, 11, 30)] == [
        ("agent_reply", "agent")
    ]
    assert log.counts["bad-value"] == 1


@pytest.mark.parametrize("comments", [True, 7, "none", {"id": "20009"}])
def test_embedded_comments_that_are_not_a_list_are_a_warning(tmp_path, comments):
    issue = issue_its_1()
    issue["fields"]["comment"] = {"comments": comments}
    log = ImportLog()
    found = tickets_by_id(write_pages(tmp_path, issue), log=log)
    assert isinstance(found["ITS-1"], Ticket)
    assert log.counts["bad-value"] == 1


def test_an_sla_value_that_is_no_object_is_a_warning(tmp_path):
    page = json.loads((DATA / "request-ITS-5-sla.json").read_text(encoding="utf-8"))
    page["values"] = [True, ["x"], *page["values"]]
    log = ImportLog()
    figures = list(
        jsm.read_recorded([DATA / "issue-ITS-5.json", *write_pages(tmp_path, page)], log=log)
    )
    assert {(r.ticket_id, r.metric) for r in figures} == {
        ("ITS-5", "first_response"),
        ("ITS-5", "resolution"),
    }
    assert log.counts["bad-value"] == 2


def test_field_names_that_are_not_text_are_left_out(tmp_path):
    page = search_page()
    page["names"]["customfield_10050"] = {"name": "Customer tier"}
    page["names"]["customfield_10051"] = ["Customer tier"]
    found = tickets_by_id(write_pages(tmp_path, page))
    assert all(isinstance(found[key], Ticket) for key in ("ITS-1", "ITS-2", "ITS-3", "ITS-4"))


def test_a_custom_field_id_that_is_not_text_goes_by_the_field_name(tmp_path):
    issue = issue_its_1()
    issue["changelog"]["histories"][0]["items"].append(
        {"field": "Customer tier", "fieldtype": "custom", "fieldId": ["customfield_10050"],
         "fromString": "Silver", "toString": "Gold"}
    )  # fmt: skip
    names = {"customfield_10050": "Customer tier"}
    found = tickets_by_id(write_pages(tmp_path, {"issues": [issue], "names": names}))
    ticket = found["ITS-1"]
    assert isinstance(ticket, Ticket)
    assert ticket.fields["customfield_10050"] == "Silver"
    assert [e.value for e in ticket.events if e.field == "customfield_10050"] == ["Gold"]


def test_issues_without_a_readable_key_are_error_records_never_merged(tmp_path):
    # Item 3: a missing or non-scalar key (or, without a key, id) is an error record each.
    page = search_page()
    fields = page["issues"][0]["fields"]
    page["issues"] += [
        {"fields": fields},
        {"fields": fields, "key": ""},
        {"id": "10008", "key": ["ITS-8"], "fields": fields},
        {"id": {"n": 10009}, "fields": fields},
    ]
    single = {"key": {"text": "ITS-7"}, "id": "10007", "fields": fields}
    paths = write_pages(tmp_path, page, single)
    found = list(jsm.read_tickets([*paths, paths[0]]))
    unread = [r for r in found if isinstance(r, UnreadTicket)]
    assert len(found) == 4 + 5 and len(unread) == 5
    assert {r.ticket_id for r in unread} == {None}
    assert len({r.error for r in unread}) == 5
    assert "an issue without a readable key or id (key ['ITS-8'], id '10008')" in unread[2].error
    assert "page-1.json" in unread[4].error
    status, _, err = cli("import", "jsm", *paths, "-o", tmp_path / "out.jsonl")
    assert status == 1
    assert "9 tickets in, 4 imported, 5 failed" in err


def test_an_issue_with_an_id_and_no_key_goes_by_its_id(tmp_path):
    issue = issue_its_1()
    del issue["key"]
    found = tickets_by_id(write_pages(tmp_path, issue))
    assert isinstance(found["10001"], Ticket)


def test_a_service_desk_date_object_keeps_the_milliseconds():
    both = {"iso8601": "2026-03-09T11:30:00+0100", "epochMillis": 1773052200250}
    assert jsm_pages.instant(both) == "2026-03-09T11:30:00.250000+01:00"
    jira = {"iso8601": "2026-03-09T11:30:00+0100", "jira": "2026-03-09T11:30:00.250+0100"}
    assert jsm_pages.instant(jira) == "2026-03-09T11:30:00.250000+01:00"
    assert jsm_pages.instant({"epochMillis": 1773052200250}) == "2026-03-09T10:30:00.250000+00:00"
    assert jsm_pages.instant({"iso8601": "2026-03-09T11:30:00+0100"}) == "2026-03-09T11:30:00+01:00"
    for bad in ({"epochMillis": 10**400}, {"jira": ["x"]}, {"friendly": "9/Mar/26"}):
        with pytest.raises(ValueError):
            jsm_pages.instant(bad)


def test_the_same_comment_from_both_apis_is_one_event(tmp_path):
    # A participant's guest account (a customer account, neither reporter nor participant) and
    # an app reply, each on the platform API (with milliseconds and the account type) and the
    # service desk API (iso8601 without milliseconds, no account type).
    base = [DATA / "search.json", DATA / "comments.jsonl"]
    guest, bot = {"accountId": "qm:guest"}, {"accountId": "61a0c0ffee00000000000b07"}
    platform = {
        "comments": [
            comment_on_its_1("20090", {**guest, "accountType": "customer"},
                             "2026-03-09T11:30:00.250+0100"),
            comment_on_its_1("20091", {**bot, "accountType": "app"},
                             "2026-03-09T11:45:00.500+0100"),
        ]
    }  # fmt: skip
    desk = {
        "values": [
            {"id": "20090", "public": True, "author": guest,
             "created": {"iso8601": "2026-03-09T11:30:00+0100", "epochMillis": 1773052200250},
             "_links": {"self": "https://acme-it.atlassian.net/rest/servicedeskapi/request/10001/comment/20090"}},
            {"id": 20091, "public": True, "author": bot,
             "created": {"iso8601": "2026-03-09T11:45:00+0100",
                         "jira": "2026-03-09T11:45:00.500+0100"},
             "_links": {"self": "https://acme-it.atlassian.net/rest/servicedeskapi/request/10001/comment/20091"}},
        ]
    }  # fmt: skip
    platform_page, desk_page = write_pages(tmp_path, platform, desk)

    def its_1(pages: list[Path]) -> dict[str, Any]:
        ticket = tickets_by_id(pages)["ITS-1"]
        assert isinstance(ticket, Ticket)
        return dict(ticket.to_dict())

    alone = its_1([*base, platform_page])
    assert its_1([*base, platform_page, desk_page]) == alone
    assert its_1([desk_page, *base, platform_page]) == alone
    added = [e for e in alone["events"] if e["at"].startswith("2026-03-09T11:")]
    assert added == [
        {"at": "2026-03-09T11:00:00+01:00", "type": "customer_message", "actor": "customer",
         "public": True},
        {"at": "2026-03-09T11:30:00.250000+01:00", "type": "customer_message",
         "actor": "customer", "public": True},
        {"at": "2026-03-09T11:45:00.500000+01:00", "type": "agent_reply", "actor": "system",
         "public": True},
    ]  # fmt: skip


def test_the_same_issue_on_a_search_and_an_issue_page_gives_its_events_once(tmp_path):
    (issue_page,) = write_pages(tmp_path, {**issue_its_1(), "names": search_page()["names"]})
    pages = [DATA / "search.json", DATA / "comments.jsonl"]
    one = tickets_by_id(pages)["ITS-1"]
    both = tickets_by_id([issue_page, *pages])["ITS-1"]
    assert isinstance(one, Ticket) and isinstance(both, Ticket)
    assert both.to_dict() == one.to_dict()


_FUZZ_FILES = sorted(p for p in DATA.iterdir() if p.suffix in (".json", ".jsonl"))
_WRONG: tuple[object, ...] = (None, [], {}, 10**400, "x")


def _documents(path: Path) -> list[Any]:
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [json.loads(path.read_text(encoding="utf-8"))]


def _spots(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value inside ``value`` (containers included), ``value`` itself too."""
    found = [at]
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for name, inner in items:
        found += _spots(inner, (*at, name))
    return found


def _swapped(value: Any, at: tuple[Any, ...], new: Any) -> Any:
    if not at:
        return copy.deepcopy(new)
    inner = value
    for name in at[:-1]:
        inner = inner[name]
    inner[at[-1]] = copy.deepcopy(new)
    return value


def _mutant(path: Path, rng: random.Random, folder: Path) -> Path:
    documents = _documents(path)
    for _ in range(rng.randint(1, 3)):
        spots = [(n, at) for n, doc in enumerate(documents) for at in _spots(doc)]
        number, at = rng.choice(spots)
        documents[number] = _swapped(documents[number], at, rng.choice(_WRONG))
    out = folder / path.name
    out.write_text("\n".join(json.dumps(doc) for doc in documents), encoding="utf-8")
    return out


def _import_all(paths: list[Path]) -> None:
    tickets = list(jsm.read_tickets(paths, log=ImportLog()))
    assert all(isinstance(r, Ticket | UnreadTicket) for r in tickets)
    assert all(isinstance(r, Recorded) for r in jsm.read_recorded(paths, log=ImportLog()))
    with pytest.raises(jsm.PolicyNotExportable):
        jsm.read_policy(paths, log=ImportLog())


@pytest.mark.parametrize("path", _FUZZ_FILES, ids=lambda p: p.name)
def test_fuzz_values_of_the_wrong_type_never_raise(path: Path, tmp_path: Path) -> None:
    # Item 2: each fixture file with 1 to 3 values (containers and the page itself included)
    # swapped for None, [], {}, 10**400 or "x"; 50 seeded variants a file, read with the issue
    # pages that key its comments and SLA values.
    rng = random.Random(f"jsm-{path.name}")
    issues = [p for p in (DATA / "search.json", DATA / "issue-ITS-5.json") if p != path]
    for number in range(50):
        folder = tmp_path / f"{number}"
        folder.mkdir()
        try:
            _import_all([*issues, _mutant(path, rng, folder)])
        except Exception as error:  # name the variant
            raise AssertionError(f"variant {number} of {path.name}") from error


def test_comments_without_an_id_are_not_merged(tmp_path):
    author = {"accountId": "61a0c0ffee0000000000a11a", "accountType": "atlassian"}
    created = "2026-03-09T11:30:00.000+0100"
    first, second = (comment_on_its_1(None, author, created) for _ in range(2))
    second["body"] = "another reply in the same second"
    page = {"comments": [first, second, {**second, "id": ["x"]}]}
    paths = write_pages(tmp_path, search_page(), page)
    ticket = tickets_by_id([*paths, paths[1]])["ITS-1"]  # the comment page read twice
    assert isinstance(ticket, Ticket)
    assert [e.type for e in ticket.events if e.at == at(9, 11, 30)] == ["agent_reply"] * 3
