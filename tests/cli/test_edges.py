"""Small defects of the command line found by trying it as a new user would."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from servicepolicy.cli import main
from tests.paths import EXAMPLES

POLICY = str(EXAMPLES / "saas-support.yaml")
TICKETS = str(EXAMPLES / "saas-support.tickets.jsonl")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err, environ={}, now=NOW)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("command", ["evaluate", "explain", "refund", "report"])
def test_an_empty_as_of_is_refused_not_taken_for_now(command):
    code, out, err = run(command, POLICY, TICKETS, "--as-of", "")
    assert (code, out) == (2, "")
    assert err == "servicepolicy: error: --as-of '' is not an ISO 8601 instant\n"


def test_compare_refuses_an_empty_as_of_too():
    code, _, err = run("compare", POLICY, POLICY, TICKETS, "--as-of", "")
    assert code == 2 and "--as-of '' is not an ISO 8601 instant" in err


def test_validate_reads_a_device_as_a_file():
    code, out, _ = run("validate", "/dev/null")
    assert code == 1
    assert out.startswith("/dev/null:1:1: error: the file is empty [empty]")


def test_explain_names_a_ticket_without_an_id_by_its_line():
    code, out, _ = run("explain", POLICY, "-", stdin='{"created_at": "x"}\n')
    assert code == 1
    assert out.startswith("ticket (no id, line 1) as of 2026-11-23T12:00:00+00:00\n")


def test_test_says_a_policy_is_not_a_test_file():
    code, out, _ = run("test", POLICY)
    assert code == 2
    assert "this is a policy file, not a test file: `servicepolicy test` runs the cases" in out


def _ticket(ticket_id: str) -> str:
    return json.dumps({"id": ticket_id, "created_at": "2026-11-20T10:00:00+01:00"}) + "\n"


def test_the_table_never_cuts_an_id_short():
    long_a, long_b = "ACME-SUPPORT-2026-000017", "ACME-SUPPORT-2026-000018"
    code, out, _ = run("evaluate", POLICY, "-", stdin=_ticket(long_a) + _ticket(long_b))
    assert code == 0
    rows = out.splitlines()[2:]
    assert {row.split()[0] for row in rows} == {long_a, long_b}


def test_the_report_table_never_cuts_a_group_short(tmp_path: Path):
    tickets = "".join(
        json.dumps(
            {
                "id": f"T-{n}",
                "created_at": "2026-11-20T10:00:00+01:00",
                "fields": {"tier": "pro", "team": f"tier-two-escalations-{n}", "priority": "high"},
            }
        )
        + "\n"
        for n in range(2)
    )
    code, out, _ = run("report", POLICY, "-", "--by", "team,priority", stdin=tickets)
    assert code == 0
    assert "team=tier-two-escalations-0, priority=high first_response" in out
    assert "team=tier-two-escalations-1, priority=high first_response" in out
