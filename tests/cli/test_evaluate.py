"""``servicepolicy evaluate`` and ``explain`` through main(), in process."""

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from servicepolicy.cli import main

POLICY = "policies/examples/saas-support.yaml"
TICKETS = "policies/examples/saas-support.tickets.jsonl"
AS_OF = "2026-11-23T13:00:00+01:00"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def run(*argv, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err, environ={}, now=NOW)
    return code, out.getvalue(), err.getvalue()


def test_jsonl_one_record_per_ticket_in_order():
    code, out, err = run("evaluate", POLICY, TICKETS, "--as-of", AS_OF, "--format", "jsonl")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    ids = [json.loads(line)["id"] for line in Path(TICKETS).read_text().splitlines()]
    assert [r["ticket_id"] for r in records] == ids
    assert all(r["as_of"] == AS_OF for r in records)
    assert "7 tickets in, 7 evaluated, 0 failed" in err
    first = records[0]["metrics"]["first_response"]
    assert first["status"] == "met"
    assert first["elapsed_seconds"] == 1500


def test_as_of_defaults_to_now_and_is_echoed():
    code, out, err = run("evaluate", POLICY, TICKETS, "--format", "jsonl")
    assert code == 0
    assert json.loads(out.splitlines()[0])["as_of"] == "2026-11-23T12:00:00Z"
    assert "2026-11-23T12:00:00+00:00" in err


def test_json_array_output_parses():
    code, out, _ = run("evaluate", POLICY, TICKETS, "--as-of", AS_OF, "--format", "json")
    assert code == 0
    assert len(json.loads(out)) == 7


@pytest.mark.parametrize("count", [127, 128, 129, 300])
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_every_ticket_is_written_once_in_order_across_write_batches(fmt, count):
    lines = Path(TICKETS).read_text().splitlines()
    tickets = [{**json.loads(lines[i % len(lines)]), "id": f"B-{i}"} for i in range(count)]
    stdin = "".join(json.dumps(ticket) + "\n" for ticket in tickets)
    code, out, err = run("evaluate", POLICY, "-", "--as-of", AS_OF, "--format", fmt, stdin=stdin)
    records = json.loads(out) if fmt == "json" else [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [record["ticket_id"] for record in records] == [f"B-{i}" for i in range(count)]
    assert f"{count} tickets in, {count} evaluated, 0 failed" in err


def test_csv_rows_per_ticket_and_metric():
    code, out, _ = run("evaluate", POLICY, TICKETS, "--as-of", AS_OF, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 7 * 4
    assert rows[0]["ticket_id"] == "T-1001" and rows[0]["metric"] == "first_response"


def test_table_shows_as_of():
    code, out, _ = run("evaluate", POLICY, TICKETS, "--as-of", AS_OF)
    assert code == 0
    assert out.startswith(f"as of {AS_OF}")
    assert "T-1003" in out and "breached" in out


def test_swapped_arguments_are_named():
    code, _, err = run("evaluate", TICKETS, POLICY)
    assert code == 2
    assert "looks like a tickets file, not a policy: the policy comes first" in err
    assert "Traceback" not in err


def test_table_shows_warnings():
    ticket = json.dumps(
        {
            "id": "W-1",
            "created_at": "2026-11-23T09:00:00+01:00",
            "fields": {"tier": "pro"},
            "events": [{"at": "2026-11-23T08:00:00+01:00", "type": "agent_reply"}],
        }
    )
    code, out, _ = run("evaluate", POLICY, "-", "--as-of", AS_OF, stdin=ticket + "\n")
    assert code == 0
    assert "W-1            warning: agent_reply at 2026-11-23T08:00:00+01:00 is before" in out


def test_bad_records_become_error_rows_and_the_rest_go_on():
    stdin = (
        "\n".join(
            [
                '{"id": "A", "created_at": "2026-11-23T09:00:00+01:00",'
                ' "fields": {"priority": "high"}}',
                "not json at all",
                '{"id": "B", "created_at": "2026-11-23T09:00:00"}',
                '{"id": "C", "created_at": "2026-11-23T09:00:00Z", "events": [{"type": "status",'
                ' "at": "2026-11-23T10:00:00Z"}]}',
                '{"id": "D", "created_at": "2026-11-23T09:00:00+01:00"}',
            ]
        )
        + "\n"
    )
    code, out, err = run(
        "evaluate", POLICY, "-", "--as-of", AS_OF, "--format", "jsonl", stdin=stdin
    )
    assert code == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["ticket_id"] for r in records] == ["A", None, "B", "C", "D"]
    assert [bool(r["errors"]) for r in records] == [False, True, True, True, False]
    assert records[1]["line"] == 2 and "line 2" in records[1]["errors"][0]
    assert "no UTC offset" in records[2]["errors"][0]
    assert "5 tickets in, 2 evaluated, 3 failed" in err


def test_csv_input():
    stdin = (
        "id,created_at,priority,tier,first_response_at,resolved_at\n"
        "X1,2026-11-23T09:00:00+01:00,high,business,2026-11-23T09:30:00+01:00,\n"
        "X2,2026-11-23T09:00:00+01:00,low,free,,2026-11-23T12:00:00+01:00\n"
    )
    code, out, _ = run(
        "evaluate",
        POLICY,
        "-",
        "--as-of",
        AS_OF,
        "--format",
        "jsonl",
        "--input-format",
        "csv",
        stdin=stdin,
    )
    assert code == 0
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["metrics"]["first_response"]["status"] == "met"
    assert first["metrics"]["first_response"]["elapsed_seconds"] == 1800
    assert second["metrics"]["resolution"]["completed_at"] == "2026-11-23T12:00:00+01:00"


def test_output_file(tmp_path):
    target = tmp_path / "out.jsonl"
    code, out, _ = run(
        "evaluate", POLICY, TICKETS, "--as-of", AS_OF, "--format", "jsonl", "-o", str(target)
    )
    assert code == 0 and out == ""
    assert len(target.read_text().splitlines()) == 7


@pytest.mark.parametrize(
    "argv",
    [
        ["evaluate", POLICY, "missing.jsonl"],
        ["evaluate", "missing.yaml", TICKETS],
        ["evaluate", POLICY, TICKETS, "--as-of", "2026-11-23T13:00:00"],
        ["evaluate", POLICY, TICKETS, "--as-of", "yesterday"],
        ["evaluate", POLICY, TICKETS, "--format", "xml"],
    ],
)
def test_usage_and_input_errors_exit_2_without_traceback(argv):
    code, _, err = run(*argv)
    assert code == 2
    assert "Traceback" not in err


def test_explain_one_ticket():
    code, out, _ = run("explain", POLICY, TICKETS, "--as-of", AS_OF, "--id", "T-1001")
    assert code == 0
    assert out.startswith("ticket T-1001")
    assert "policy 'enterprise'" in out
    assert "paused 2026-11-21T09:30:00+01:00 -> 2026-11-23T10:00:00+01:00" in out


def test_explain_unknown_id():
    code, out, err = run("explain", POLICY, TICKETS, "--as-of", AS_OF, "--id", "nope")
    assert code == 1
    assert out == ""
    assert "no ticket with id 'nope'" in err


class _BreaksOff(io.StringIO):
    """A stream of ``count`` ticket lines whose next read fails, as undecodable bytes do."""

    def __init__(self, count):
        line = Path(TICKETS).read_text().splitlines()[0]
        super().__init__("".join(line.replace("T-1001", f"B-{i}") + "\n" for i in range(count)))

    def readline(self, *args):
        text = super().readline(*args)
        if not text:
            raise UnicodeDecodeError("utf-8", b"\xe9", 0, 1, "invalid continuation byte")
        return text

    def __next__(self):
        return self.readline()


@pytest.mark.parametrize("count", [1, 127, 128, 200])
def test_a_stream_that_breaks_off_keeps_the_records_read_before(count):
    out, err = io.StringIO(), io.StringIO()
    argv = ["evaluate", POLICY, "-", "--as-of", AS_OF, "--format", "jsonl"]
    code = main(argv, stdin=_BreaksOff(count), stdout=out, stderr=err, environ={}, now=NOW)
    assert code == 2 and "cannot read: not UTF-8 text" in err.getvalue()
    ids = [json.loads(line)["ticket_id"] for line in out.getvalue().splitlines()]
    assert ids == [f"B-{i}" for i in range(count)]
