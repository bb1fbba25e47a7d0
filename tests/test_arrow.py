"""The Arrow API: evaluate_table gives the rows of the CSV and JSON outputs, typed; pandas and
polars give the same; a missing pyarrow says what to install."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from decimal import Decimal

import pytest

pa = pytest.importorskip("pyarrow")

import servicepolicy as sp  # noqa: E402
from servicepolicy import arrow  # noqa: E402
from tests.missing import without  # noqa: E402
from tests.paths import EXAMPLES  # noqa: E402

POLICY = sp.load_policy(EXAMPLES / "saas-support.yaml")
TICKETS = EXAMPLES / "saas-support.tickets.jsonl"
AS_OF = datetime.fromisoformat("2026-11-23T13:00:00+01:00")


def example_tickets() -> list[dict]:
    return [json.loads(line) for line in TICKETS.read_text().splitlines() if line.strip()]


def tables(tickets: list[dict]):
    """The tickets as a tickets table (typed instants) and an events table in long form."""
    names = sorted({name for t in tickets for name in t.get("fields", {})})
    columns = {
        "id": [t["id"] for t in tickets],
        "created_at": pa.array(
            [datetime.fromisoformat(t["created_at"]) for t in tickets],
            pa.timestamp("us", tz="UTC"),
        ),
    }
    for name in names:
        columns[name] = [t.get("fields", {}).get(name) for t in tickets]
    keys = ["type", "status", "field", "value", "actor"]
    rows = [
        {"ticket_id": t["id"], "at": datetime.fromisoformat(e["at"])} | {k: e.get(k) for k in keys}
        for t in tickets
        for e in t.get("events", [])
    ]
    schema = pa.schema(
        [("ticket_id", pa.string()), ("at", pa.timestamp("us", tz="UTC"))]
        + [(k, pa.string()) for k in keys]
    )
    return pa.table(columns), pa.Table.from_pylist(rows, schema=schema)


def expected_rows(tickets) -> list[dict]:
    rows = []
    for line, evaluation in enumerate(sp.evaluate_many(POLICY, tickets, AS_OF), start=1):
        owed: dict[str, Decimal] = {}
        for award in evaluation.compensation:
            if award.amount is not None and award.currency is not None:
                owed[award.currency] = owed.get(award.currency, Decimal(0)) + award.amount
        for row in evaluation.to_rows():
            rows.append({**row, "line": line, "compensation_owed": list(owed.items())})
    return rows


def test_the_table_has_the_rows_of_to_rows_typed():
    tickets = example_tickets()
    table = arrow.evaluate_table(*tables(tickets), POLICY, AS_OF)
    assert table.schema == arrow.result_schema()
    assert table.schema.names == [*arrow.ROW_COLUMNS, "compensation_owed"]
    assert table.schema.field("due_at").type == pa.timestamp("us", tz="UTC")
    owed = table.schema.field("compensation_owed").type
    assert owed == pa.map_(pa.string(), pa.decimal128(38, 4))
    assert table.schema.field("elapsed_seconds").type == pa.float64()
    assert table.schema.field("cycles").type == pa.int64()
    assert table.to_pylist() == expected_rows(tickets)


def test_the_table_equals_the_json_output():
    tickets = example_tickets()
    table = arrow.evaluate_table(*tables(tickets), POLICY, AS_OF)
    by_key = {(r["ticket_id"], r["metric"]): r for r in table.to_pylist()}
    for evaluation in sp.evaluate_many(POLICY, tickets, AS_OF):
        data = json.loads(evaluation.model_dump_json())
        for name, metric in data["metrics"].items():
            row = by_key[(data["ticket_id"], name)]
            assert row["status"] == metric["status"]
            for key in ("due_at", "breached_at", "started_at", "completed_at"):
                want = metric.get(key)
                got = row[key]
                assert (got is None and want is None) or got == datetime.fromisoformat(want)


def test_bad_rows_are_error_rows_with_their_id_and_row():
    _, events = tables(example_tickets()[:2])
    bad = pa.table(
        {
            "id": ["OK", "NAIVE", None],
            "created_at": pa.array(
                [datetime(2026, 11, 20, 9), datetime(2026, 11, 20, 9), datetime(2026, 11, 20, 9)],
                pa.timestamp("us"),
            ),
        }
    )
    table = arrow.evaluate_table(bad, events, POLICY, AS_OF)
    rows = table.to_pylist()
    assert {r["status"] for r in rows} == {"error"}
    assert [r["ticket_id"] for r in rows] == ["OK", "NAIVE", None]
    assert [r["line"] for r in rows] == [1, 2, 3]
    assert all("line" in r["error"] and r["metric"] is None for r in rows)


def test_decimals_ints_and_floats_read_as_json_numbers():
    data = {
        "id": "D",
        "created_at": "2026-11-20T09:00:00+01:00",
        "fields": {"tier": "pro", "monthly_fee": Decimal("1200.00"), "n": 3, "f": Decimal("0.1")},
        "events": [],
    }
    table = pa.table(
        {
            "id": ["D"],
            "created_at": ["2026-11-20T09:00:00+01:00"],
            "tier": ["pro"],
            "monthly_fee": pa.array([Decimal("1200.00")], pa.decimal128(10, 2)),
            "n": [3],
            "f": [0.1],
        }
    )
    (made,) = arrow.ticket_dicts(table.to_batches()[0], {})
    assert made == data
    assert json.loads(arrow.ticket_json(made), parse_float=Decimal) == data


def test_events_may_be_in_any_order_and_without_events_none():
    tickets = example_tickets()
    ticket_table, events = tables(tickets)
    shuffled = events.take(list(reversed(range(events.num_rows))))
    assert arrow.evaluate_table(ticket_table, shuffled, POLICY, AS_OF).equals(
        arrow.evaluate_table(ticket_table, events, POLICY, AS_OF)
    )
    bare = arrow.evaluate_table(ticket_table, None, POLICY, AS_OF)
    assert bare.num_rows and set(bare.column("ticket_id").to_pylist()) == {t["id"] for t in tickets}


def test_a_table_without_its_columns_is_refused():
    with pytest.raises(ValueError, match="tickets table lacks column"):
        arrow.evaluate_table(pa.table({"id": ["A"]}), None, POLICY, AS_OF)


def test_pandas_gives_the_table():
    pytest.importorskip("pandas")
    ticket_table, events = tables(example_tickets())
    frame = arrow.evaluate_frame(ticket_table.to_pandas(), events.to_pandas(), POLICY, AS_OF)
    table = arrow.evaluate_table(ticket_table, events, POLICY, AS_OF)
    back = pa.Table.from_pandas(frame, schema=table.schema, preserve_index=False)
    assert back.to_pylist() == table.to_pylist()


def test_polars_gives_the_table():
    pl = pytest.importorskip("polars")
    ticket_table, events = tables(example_tickets())
    frame = arrow.evaluate_polars(pl.from_arrow(ticket_table), pl.from_arrow(events), POLICY, AS_OF)
    assert isinstance(frame, pl.DataFrame)
    table = arrow.evaluate_table(ticket_table, events, POLICY, AS_OF)
    # polars gives a map as a dict (pyarrow as a list of pairs)
    rows = [
        {**row, "compensation_owed": list(row["compensation_owed"].items())}
        for row in frame.to_dicts()
    ]
    assert rows == table.to_pylist()
    assert any(row["compensation_owed"] for row in rows)


def test_without_pyarrow_the_error_says_what_to_install(monkeypatch):
    without(monkeypatch, "pyarrow")
    with pytest.raises(ImportError, match=r"pip install 'servicepolicy\[arrow\]'"):
        arrow.evaluate_table(None, None, POLICY, AS_OF)


def test_the_core_does_not_import_pyarrow():
    code = (
        "import sys, servicepolicy, servicepolicy.arrow, servicepolicy.cli; "
        "print('pyarrow' in sys.modules)"
    )
    import subprocess

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_as_of_is_utc_in_the_table():
    table = arrow.evaluate_table(*tables(example_tickets()), POLICY, AS_OF)
    assert set(table.column("as_of").to_pylist()) == {AS_OF.astimezone(UTC)}


def test_an_amount_too_large_for_decimal128_is_null_and_the_text_keeps_it():
    # no cap: 39 nines of monthly fee give an award of 34 digits or more before the point
    policy = sp.parse_policy(
        (EXAMPLES / "saas-support.yaml")
        .read_text(encoding="utf-8")
        .replace('  cap_per_ticket: "1000.00"\n', "")
        .replace('        max: "500.00"\n', "")
    )
    tickets = example_tickets()
    for ticket in tickets:
        ticket.setdefault("fields", {})["monthly_fee"] = "9" * 39
    table = arrow.evaluate_table(*tables(tickets), policy, AS_OF)
    rows = table.to_pylist()
    huge = [r for r in rows if r["compensation"] and r["compensation_owed"] is None]
    assert huge, "some ticket is owed a huge amount"
    assert all(len(r["compensation"].split(".")[0]) >= 34 for r in huge)
