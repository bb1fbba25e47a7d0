"""``evaluate --fields`` and ``--summary``: compact records that agree with the full ones."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from servicepolicy.cli import main
from servicepolicy.cli._fields import select
from tests.paths import EXAMPLES

POLICY = str(EXAMPLES / "saas-support.yaml")
TICKETS = str(EXAMPLES / "saas-support.tickets.jsonl")
AS_OF = "2026-11-30T13:00:00+01:00"


def _evaluate(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["evaluate", POLICY, TICKETS, "--as-of", AS_OF, *argv],
        stdout=out,
        stderr=err,
        environ={},
        now=datetime(2026, 11, 30, tzinfo=UTC),
    )
    return code, out.getvalue(), err.getvalue()


def _full() -> list[dict]:
    return [json.loads(line) for line in _evaluate("--format", "jsonl")[1].splitlines()]


def test_a_summary_record_is_the_full_records_id_line_policy_and_metric_figures():
    full = _full()
    code, out, _ = _evaluate("--format", "jsonl", "--summary")
    assert code == 0
    summaries = [json.loads(line) for line in out.splitlines()]
    assert len(summaries) == len(full) == 7
    for short, whole in zip(summaries, full, strict=True):
        assert list(short) == ["ticket_id", "policy", "metrics", "errors", "line"]
        assert (short["ticket_id"], short["line"]) == (whole["ticket_id"], whole["line"])
        for name, metric in short["metrics"].items():
            wanted = ("status", "due_at", "breached_at", "elapsed_seconds")
            assert metric == {key: whole["metrics"][name][key] for key in wanted}
        assert len(json.dumps(short, separators=(",", ":"))) <= 600


def test_fields_keep_the_paths_asked_for_with_star_for_every_key_and_item():
    full = _full()
    spec = "ticket_id,metrics.*.status,escalations.*.level"
    records = [
        json.loads(line)
        for line in _evaluate("--format", "jsonl", "--fields", spec)[1].splitlines()
    ]
    for short, whole in zip(records, full, strict=True):
        assert short["ticket_id"] == whole["ticket_id"]
        assert short["metrics"] == {n: {"status": m["status"]} for n, m in whole["metrics"].items()}
        assert short["escalations"] == [{"level": e["level"]} for e in whole["escalations"]]
        assert set(short) == {"ticket_id", "metrics", "escalations"}
    assert any(r["escalations"] for r in records)  # the sample fires escalations


def test_json_output_with_fields_is_an_array_of_the_same_records():
    spec = "ticket_id,metrics.resolution.due_at"
    lines = [
        json.loads(x) for x in _evaluate("--format", "jsonl", "--fields", spec)[1].splitlines()
    ]
    assert json.loads(_evaluate("--format", "json", "--fields", spec)[1]) == lines


def test_csv_fields_are_columns_and_the_csv_summary_is_one_row_per_ticket():
    full = list(csv.DictReader(io.StringIO(_evaluate("--format", "csv")[1])))
    _, out, _ = _evaluate("--format", "csv", "--fields", "ticket_id,metric,status")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows == [{k: r[k] for k in ("ticket_id", "metric", "status")} for r in full]
    _, out, _ = _evaluate("--format", "csv", "--summary")
    summary = list(csv.DictReader(io.StringIO(out)))
    assert len(summary) == 7
    by_metric = {(r["ticket_id"], r["metric"]): r for r in full}
    for row in summary:
        for metric in ("first_response", "resolution"):
            whole = by_metric[(row["ticket_id"], metric)]
            assert row[f"{metric}.status"] == whole["status"]
            assert row[f"{metric}.due_at"] == whole["due_at"]
            assert row[f"{metric}.elapsed_seconds"] == whole["elapsed_seconds"]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--format", "jsonl", "--fields", "metrics.*.stauts"], "did you mean 'status'?"),
        (["--format", "jsonl", "--fields", "tiket_id"], "did you mean 'ticket_id'?"),
        (["--format", "jsonl", "--fields", "metrics.resolutoin"], "is no metric"),
        (["--format", "csv", "--fields", "stat"], "is no CSV column"),
        (["--fields", "ticket_id"], "not a table"),
        (["--format", "jsonl", "--fields", "ticket_id", "--summary"], "not allowed with"),
    ],
)
def test_a_field_that_is_not_there_is_a_usage_error(argv, said):
    code, out, err = _evaluate(*argv)
    assert (code, out) == (2, "") and said in err


def test_select_keeps_nesting_and_order():
    doc = {"a": 1, "b": {"x": [{"p": 1, "q": 2}, {"p": 3}], "y": 2}, "c": None}
    assert select(doc, [("b", "x", "*", "p"), ("a",)]) == {"a": 1, "b": {"x": [{"p": 1}, {"p": 3}]}}
    assert select(doc, [("b", "*")]) == {"b": doc["b"]}
    assert select(doc, [("c",)]) == {"c": None}
