"""``evaluate --format parquet`` and Parquet tickets in: the same values as CSV and JSON for the
same tickets, error rows, row groups as it streams, and the usage errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from servicepolicy.cli import _parquet, main  # noqa: E402
from servicepolicy.cli._fields import csv_cell  # noqa: E402
from tests.paths import EXAMPLES  # noqa: E402
from tests.test_arrow import example_tickets, tables  # noqa: E402

POLICY = str(EXAMPLES / "saas-support.yaml")
TICKETS = str(EXAMPLES / "saas-support.tickets.jsonl")
AS_OF = "2026-11-23T13:00:00+01:00"
NOW = datetime.fromisoformat(AS_OF)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(), stdout=out, stderr=err, environ={}, now=NOW)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def parquet_tickets(tmp_path):
    """The example tickets as tickets.parquet and events.parquet."""
    ticket_table, events = tables(example_tickets())
    pq.write_table(ticket_table, tmp_path / "tickets.parquet")
    pq.write_table(events, tmp_path / "events.parquet")
    return str(tmp_path / "tickets.parquet"), str(tmp_path / "events.parquet")


def test_parquet_output_is_typed_and_has_the_csv_values(tmp_path):
    target = tmp_path / "out.parquet"
    code, out, err = run("evaluate", POLICY, TICKETS, "--format", "parquet", "-o", str(target))
    assert (code, out) == (0, "")
    assert err.startswith("7 tickets in, 7 evaluated, 0 failed")
    table = pq.read_table(target)
    assert table.schema.field("due_at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("remaining_seconds").type == pa.float64()
    assert table.schema.field("escalations").type == pa.int64()
    assert table.schema.field("status").type == pa.string()
    _, text, _ = run("evaluate", POLICY, TICKETS, "--format", "csv")
    expected = list(csv.DictReader(io.StringIO(text)))
    rows = table.to_pylist()
    assert len(rows) == len(expected)
    for row, want in zip(rows, expected, strict=True):
        for name, value in want.items():
            got = row[name]
            if isinstance(got, datetime):
                assert got == datetime.fromisoformat(value), name
            else:
                assert csv_cell(got) == value, name


def test_parquet_output_has_the_json_values(tmp_path):
    target = tmp_path / "out.parquet"
    run("evaluate", POLICY, TICKETS, "--format", "parquet", "-o", str(target))
    rows = {(r["ticket_id"], r["metric"]): r for r in pq.read_table(target).to_pylist()}
    _, text, _ = run("evaluate", POLICY, TICKETS, "--format", "jsonl")
    for record in map(json.loads, text.splitlines()):
        for name, metric in record["metrics"].items():
            row = rows[(record["ticket_id"], name)]
            assert row["line"] == record["line"]
            assert row["status"] == metric["status"]
            assert row["due_at"] == (metric["due_at"] and datetime.fromisoformat(metric["due_at"]))


def test_money_owed_is_exact_decimals_by_currency(tmp_path):
    target = tmp_path / "out.parquet"
    run("evaluate", POLICY, TICKETS, "--format", "parquet", "-o", str(target))
    table = pq.read_table(target)
    assert table.schema.field("compensation_owed").type == pa.map_(
        pa.string(), pa.decimal128(38, 4)
    )
    owed_in_parquet = {r["ticket_id"]: r["compensation_owed"] for r in table.to_pylist()}
    _, text, _ = run("evaluate", POLICY, TICKETS, "--format", "jsonl")
    seen_money = False
    for record in map(json.loads, text.splitlines()):
        owed: dict[str, Decimal] = {}
        for award in record["compensation"]:
            if award.get("amount") is not None:
                owed[award["currency"]] = owed.get(award["currency"], Decimal(0)) + Decimal(
                    award["amount"]
                )
        assert owed_in_parquet[record["ticket_id"]] == list(owed.items())
        seen_money |= bool(owed)
        for _, amount in owed_in_parquet[record["ticket_id"]]:
            assert isinstance(amount, Decimal)
    assert seen_money


def test_parquet_output_is_the_same_on_several_processes(tmp_path):
    one, four = tmp_path / "1.parquet", tmp_path / "4.parquet"
    many = tmp_path / "many.jsonl"
    lines = Path(TICKETS).read_text().splitlines()
    many.write_text("\n".join(line.replace('"T-', f'"T{i}-') for i in range(80) for line in lines))
    run("evaluate", POLICY, str(many), "--format", "parquet", "-o", str(one), "--jobs", "1")
    run("evaluate", POLICY, str(many), "--format", "parquet", "-o", str(four), "--jobs", "4")
    assert pq.read_table(one).equals(pq.read_table(four))


def test_rows_are_written_in_row_groups(tmp_path, monkeypatch):
    monkeypatch.setattr(_parquet, "ROW_GROUP", 5)
    target = tmp_path / "out.parquet"
    run("evaluate", POLICY, TICKETS, "--format", "parquet", "-o", str(target), "--jobs", "1")
    metadata = pq.ParquetFile(target).metadata
    assert metadata.num_row_groups > 1
    assert max(metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)) <= 8


def test_error_records_are_error_rows(tmp_path):
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(
        '{"id": "N", "created_at": "2026-11-20T09:00:00"}\n{not json\n'
        + Path(TICKETS).read_text().splitlines(keepends=True)[0]
    )
    target = tmp_path / "out.parquet"
    code, _, err = run("evaluate", POLICY, str(tickets), "--format", "parquet", "-o", str(target))
    assert code == 1 and "2 failed" in err
    rows = pq.read_table(target).to_pylist()
    errors = [r for r in rows if r["status"] == "error"]
    assert [(r["ticket_id"], r["line"]) for r in errors] == [("N", 1), (None, 2)]
    assert all(r["error"] for r in errors)
    _, text, _ = run("evaluate", POLICY, str(tickets), "--format", "csv")
    csv_errors = [r for r in csv.DictReader(io.StringIO(text)) if r["status"] == "error"]
    assert [r["error"] for r in csv_errors] == [r["error"] for r in errors]


@pytest.mark.parametrize("output", [None, "-"])
def test_parquet_needs_a_file(output):
    argv = ["evaluate", POLICY, TICKETS, "--format", "parquet"]
    code, out, err = run(*argv, *(["-o", output] if output else []))
    assert code == 2 and out == ""
    assert "-o FILE.parquet" in err


def test_fields_and_summary_do_not_shape_parquet(tmp_path):
    target = str(tmp_path / "o.parquet")
    code, _, err = run(
        "evaluate", POLICY, TICKETS, "--format", "parquet", "--summary", "-o", target
    )
    assert code == 2 and "not parquet" in err


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json", "table"])
def test_parquet_input_equals_jsonl_input(parquet_tickets, fmt):
    tickets, events = parquet_tickets
    want = run("evaluate", POLICY, TICKETS, "--format", fmt)
    got = run("evaluate", POLICY, tickets, "--events", events, "--format", fmt)
    assert got == want


def test_parquet_in_and_out(parquet_tickets, tmp_path):
    tickets, events = parquet_tickets
    one, two = tmp_path / "a.parquet", tmp_path / "b.parquet"
    run("evaluate", POLICY, TICKETS, "--format", "parquet", "-o", str(one))
    code, _, _ = run(
        "evaluate", POLICY, tickets, "--events", events, "--format", "parquet", "-o", str(two)
    )
    assert code == 0
    assert pq.read_table(one).equals(pq.read_table(two))


def test_input_format_parquet_without_the_suffix(parquet_tickets, tmp_path):
    tickets, events = parquet_tickets
    renamed = tmp_path / "tickets.data"
    renamed.write_bytes(Path(tickets).read_bytes())
    want = run("evaluate", POLICY, TICKETS, "--format", "jsonl")
    got = run(
        "evaluate",
        POLICY,
        str(renamed),
        "--input-format",
        "parquet",
        "--events",
        events,
        "--format",
        "jsonl",
    )
    assert got == want


def test_sorted_events_in_small_row_groups_are_read_by_their_statistics(tmp_path):
    ticket_table, events = tables(example_tickets())
    pq.write_table(ticket_table, tmp_path / "t.parquet")
    pq.write_table(events.sort_by("ticket_id"), tmp_path / "e.parquet", row_group_size=2)
    event_file = pq.ParquetFile(tmp_path / "e.parquet")
    batches = list(_parquet._event_batches(event_file, {"T-1002"}))
    assert 0 < sum(b.num_rows for b in batches) < events.num_rows
    want = run("evaluate", POLICY, TICKETS, "--format", "csv")
    got = run(
        "evaluate",
        POLICY,
        str(tmp_path / "t.parquet"),
        "--events",
        str(tmp_path / "e.parquet"),
        "--format",
        "csv",
    )
    assert got == want


def test_bad_parquet_rows_are_error_records_with_their_ids(tmp_path):
    pq.write_table(
        pa.table({"id": ["A", "B", None], "created_at": ["2026-11-20T09:00:00Z", "soon", None]}),
        tmp_path / "t.parquet",
    )
    code, out, err = run("evaluate", POLICY, str(tmp_path / "t.parquet"), "--format", "jsonl")
    assert code == 1 and "3 tickets in, 1 evaluated, 2 failed" in err
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["ticket_id"], r["line"], bool(r["errors"])) for r in records] == [
        ("A", 1, False),
        ("B", 2, True),
        (None, 3, True),
    ]


def test_usage_errors_of_parquet_input(tmp_path, parquet_tickets):
    tickets, events = parquet_tickets
    code, _, err = run("evaluate", POLICY, TICKETS, "--events", events)
    assert code == 2 and "--events goes with Parquet tickets" in err
    code, _, err = run("evaluate", POLICY, str(tmp_path / "none.parquet"))
    assert code == 2 and "cannot read" in err
    code, _, err = run("evaluate", POLICY, TICKETS, "--input-format", "parquet")
    assert code == 2 and "not a Parquet file" in err
    code, _, err = run("evaluate", POLICY, tickets, "--events", tickets)
    assert code == 2 and "events table lacks column(s): ticket_id, at, type" in err


def test_a_failed_parquet_run_keeps_the_old_file(tmp_path):
    target = tmp_path / "out.parquet"
    target.write_bytes(b"old")
    code, _, _ = run(
        "evaluate", POLICY, str(tmp_path / "none.jsonl"), "--format", "parquet", "-o", str(target)
    )
    assert code == 2 and target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
