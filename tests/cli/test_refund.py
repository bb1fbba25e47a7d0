"""``servicepolicy refund`` through main(), in process, on the ecommerce example.

Expected decisions at 2026-11-23T13:00+01:00 (ecommerce.yaml: 30-day window from
delivered_at, full within 14d, then 50% less a 10% restocking fee, half_up):

* S-501 delivered 11-16, asked 11-18 (2 days): full 189.90
* S-502 delivered 11-19, asked 11-20: full 64.50
* S-503 delivered 11-01 10:00, asked 11-22 20:00 (21 days; window to the end of 12-01):
  40% of 39.99 = 15.996 -> 16.00
* S-504 delivered 10-01 10:00+02:00: window closed 11-01T00:00+02:00 (10-31T22:00Z); asked
  11-23T10:00+01:00 (09:00Z), 22d11h later -> "by 23 day(s)"
* S-505 condition used: excluded
* S-506 delivered 11-18 09:00, asked 11-19: full 899.00
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from servicepolicy.cli import main

POLICY = "policies/examples/ecommerce.yaml"
TICKETS = "policies/examples/ecommerce.tickets.jsonl"
AS_OF = "2026-11-23T13:00:00+01:00"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SUMMARY = f"6 tickets in, 6 decided, 0 failed (as of {AS_OF})\n"

EXPECTED_TEXT = [
    "S-501: eligible 189.90 EUR [physical-goods]: full refund of 189.90 EUR: requested within "
    "14d of delivered_at",
    "S-502: eligible 64.50 EUR [physical-goods]: full refund of 64.50 EUR: requested within "
    "14d of delivered_at",
    "S-503: eligible 16.00 EUR [physical-goods]: partial refund: 50% of 39.99 EUR less a 10% "
    "restocking fee = 16.00 EUR (after the 14d full-refund period)",
    "S-504: not eligible [physical-goods]: outside the refund window by 23 day(s): it closed "
    "2026-11-01T00:00:00+02:00",
    "S-505: not eligible [physical-goods]: excluded because condition=used",
    "S-506: eligible 899.00 EUR [physical-goods]: full refund of 899.00 EUR: requested within "
    "14d of delivered_at",
]


def run(*argv, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err, environ={}, now=NOW)
    return code, out.getvalue(), err.getvalue()


def test_text_is_the_default_format():
    code, out, err = run("refund", POLICY, TICKETS, "--as-of", AS_OF)
    assert code == 0
    assert out.splitlines() == EXPECTED_TEXT
    assert err == SUMMARY


def test_json_array():
    code, out, err = run("refund", POLICY, TICKETS, "--as-of", AS_OF, "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [r["ticket_id"] for r in rows] == [f"S-50{i}" for i in range(1, 7)]
    assert [r["amount"] for r in rows] == ["189.90", "64.50", "16.00", None, None, "899.00"]
    assert [r["eligible"] for r in rows] == [True, True, True, False, False, True]
    assert [r["full"] for r in rows] == [True, True, False, False, False, True]
    assert {r["currency"] for r in rows} == {"EUR"}
    # window from 11-16T14:00+01:00: end of 11-16 + 30 days = 12-17T00:00+01:00
    assert rows[0]["window_ends_at"] == "2026-12-17T00:00:00+01:00"
    assert rows[3]["window_ends_at"] == "2026-11-01T00:00:00+02:00"
    assert rows[4]["window_ends_at"] is None  # excluded before the window is looked at
    assert err == SUMMARY


def test_jsonl_one_line_per_ticket():
    code, out, err = run("refund", POLICY, TICKETS, "--as-of", AS_OF, "--format", "jsonl")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    ids = [json.loads(line)["id"] for line in Path(TICKETS).read_text().splitlines()]
    assert [r["ticket_id"] for r in records] == ids
    assert records[2] == {
        "ticket_id": "S-503",
        "eligible": True,
        "rule": "physical-goods",
        "amount": "16.00",
        "currency": "EUR",
        "full": False,
        "window_ends_at": "2026-12-02T00:00:00+01:00",
        "reason": "partial refund: 50% of 39.99 EUR less a 10% restocking fee = 16.00 EUR "
        "(after the 14d full-refund period)",
    }
    assert err == SUMMARY


def test_tickets_from_stdin():
    code, out, _ = run("refund", POLICY, "-", "--as-of", AS_OF, stdin=Path(TICKETS).read_text())
    assert code == 0
    assert out.splitlines() == EXPECTED_TEXT


def test_as_of_defaults_to_now():
    # requests are created_at; only the fields and the summary depend on as_of
    code, out, err = run("refund", POLICY, TICKETS)
    assert code == 0
    assert out.splitlines() == EXPECTED_TEXT
    assert err == "6 tickets in, 6 decided, 0 failed (as of 2026-11-23T12:00:00+00:00)\n"


def bad_batch(tmp_path: Path) -> Path:
    lines = Path(TICKETS).read_text().splitlines()
    bad = [
        lines[0],
        "{not json",
        json.dumps({"id": "B-2", "fields": {}}),  # no created_at
        # a JSON number price is read as a Decimal, not a float: 64.50 EUR
        json.dumps(
            {
                "id": "S-9",
                "created_at": "2026-11-20T10:00:00+01:00",
                "fields": {"category": "return", "delivered_at": "2026-11-19T11:00:00+01:00"},
            }
        ).replace('"fields": {', '"fields": {"order_total": 64.50, '),
    ]
    path = tmp_path / "tickets.jsonl"
    path.write_text("\n".join(bad) + "\n", encoding="utf-8")
    return path


def test_bad_lines_give_error_entries_and_exit_1(tmp_path):
    path = bad_batch(tmp_path)
    code, out, err = run("refund", POLICY, str(path), "--as-of", AS_OF)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 4
    assert lines[0] == EXPECTED_TEXT[0]
    assert lines[1].startswith("?: error: line 2: not valid JSON")
    assert lines[2] == "B-2: error: line 3: ticket 'B-2': created_at is missing or not a string"
    assert lines[3].startswith("S-9: eligible 64.50 EUR [physical-goods]: full refund")
    assert err == f"4 tickets in, 2 decided, 2 failed (as of {AS_OF})\n"


def test_bad_lines_in_jsonl(tmp_path):
    code, out, _ = run(
        "refund", POLICY, str(bad_batch(tmp_path)), "--as-of", AS_OF, "--format", "jsonl"
    )
    assert code == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["ticket_id"] for r in records] == ["S-501", None, "B-2", "S-9"]
    assert ["error" in r for r in records] == [False, True, True, False]
    assert records[1]["error"].startswith("line 2: not valid JSON")
    assert records[3]["amount"] == "64.50"


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["refund", POLICY, TICKETS, "--as-of", "2026-11-23T13:00:00"], "has no UTC offset"),
        (["refund", POLICY, TICKETS, "--as-of", "soon"], "is not an ISO 8601 instant"),
        (["refund", POLICY, "no/such/tickets.jsonl", "--as-of", AS_OF], "cannot read"),
        (["refund", POLICY, TICKETS, "--format", "csv"], "invalid choice"),
        (["refund", POLICY], "required"),
    ],
)
def test_usage_errors_exit_2(argv, words):
    code, out, err = run(*argv)
    assert code == 2
    assert out == ""
    assert words in err


def test_unloadable_policy_exits_2(tmp_path):
    policy = tmp_path / "bad.yaml"
    policy.write_text('servicepolicy: "1"\nname: x\nsla: []\n', encoding="utf-8")
    code, out, err = run("refund", str(policy), TICKETS, "--as-of", AS_OF)
    assert code == 2
    assert out == ""
    assert str(policy) in err


def overflow_batch(tmp_path: Path, fields: dict) -> Path:
    good = Path(TICKETS).read_text().splitlines()[0]
    odd = {"id": "X-1", "created_at": "2026-11-20T10:00:00+01:00", "fields": fields}
    path = tmp_path / "tickets.jsonl"
    path.write_text(json.dumps(odd) + "\n" + good + "\n", encoding="utf-8")
    return path


def test_window_past_year_9999_is_an_entry_not_a_crash(tmp_path):
    fields = {
        "category": "return",
        "order_total": "10.00",
        "delivered_at": "9999-12-31T10:00:00+01:00",
    }
    code, out, _ = run("refund", POLICY, str(overflow_batch(tmp_path, fields)), "--as-of", AS_OF)
    assert code in (0, 1)
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("X-1: ")
    assert lines[1] == EXPECTED_TEXT[0]


def test_huge_price_is_an_entry_not_a_crash(tmp_path):
    fields = {
        "category": "return",
        "order_total": "1e30",
        "delivered_at": "2026-11-19T10:00:00+01:00",
    }
    code, out, _ = run("refund", POLICY, str(overflow_batch(tmp_path, fields)), "--as-of", AS_OF)
    assert code in (0, 1)
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("X-1: ")
    assert lines[1] == EXPECTED_TEXT[0]


@pytest.mark.parametrize("command", ["evaluate", "explain", "refund", "report"])
def test_a_line_that_is_not_utf8_costs_that_line_only(tmp_path, command):
    good = b'{"id": "A", "created_at": "2026-11-20T10:00:00+01:00"}\n'
    bad = '{"id": "Café", "created_at": "2026-11-20T10:00:00+01:00"}\n'.encode("latin-1")
    tickets = tmp_path / "tickets.jsonl"
    tickets.write_bytes(good * 2499 + bad + good * 2500)
    code, out, err = run(command, POLICY, str(tickets), "--as-of", AS_OF)
    assert code == 1
    assert "Traceback" not in err
    offset = len(good) * 2499 + bad.index(b"\xe9")
    reason = f"line 2500: not UTF-8 text (byte {offset}: invalid continuation byte)"
    if command == "explain":
        assert reason in out and out.count("ticket A as of") == 4999
    elif command == "report":
        assert "5000 tickets in, 4999 evaluated, 1 failed" in err
    else:
        assert reason in out
        done = "decided" if command == "refund" else "evaluated"
        assert f"5000 tickets in, 4999 {done}, 1 failed" in err


def test_failed_records_carry_the_id_as_text_as_evaluate_does(tmp_path):
    tickets = tmp_path / "t.jsonl"
    tickets.write_text('{"id": 7, "created_at": "soon"}\n{"id": null}\n', encoding="utf-8")
    ids = {}
    for command in ("refund", "evaluate"):
        code, out, _ = run(command, POLICY, str(tickets), "--as-of", AS_OF, "--format", "jsonl")
        assert code == 1
        ids[command] = [json.loads(line)["ticket_id"] for line in out.splitlines()]
    assert ids == {"refund": ["7", None], "evaluate": ["7", None]}
