"""The Dask door: a bag of tickets, or tickets and events as DataFrames, evaluated on a local
cluster of two worker processes, give the rows of ``servicepolicy evaluate --format parquet``
and the report of ``servicepolicy report --format json`` on the same tickets; a missing extra
says what to install.

Without dask the module is skipped, saying why; with ``SERVICEPOLICY_REQUIRE_DASK=1`` (CI) a
missing dask fails instead.
"""

from __future__ import annotations

import copyreg
import importlib.util
import io
import itertools
import json
import os
import re
import subprocess
import sys
import types
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REQUIRED = os.environ.get("SERVICEPOLICY_REQUIRE_DASK") == "1"
_PICKLED_BEFORE = dict(copyreg.dispatch_table)
try:
    import dask
    import dask.bag as db
    import dask.dataframe as dd
    import distributed
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError as missing:
    if REQUIRED:
        pytest.fail(f"SERVICEPOLICY_REQUIRE_DASK=1 but {missing}", pytrace=False)
    pytest.skip(
        f"the dask extra is not installed ({missing}): pip install 'servicepolicy[dask]'",
        allow_module_level=True,
    )


def _exceptions_pickle_plainly() -> None:
    """Importing dask.bag or distributed makes every exception class known at the time pickle
    through tblib, for the whole process (``tblib.pickling_support.install``): a
    servicepolicy error's pickle would then name tblib (tests/test_pickles.py).  This process
    pickles no tracebacks for the cluster, so the plain pickling is put back."""
    for kind in [kind for kind in copyreg.dispatch_table if kind not in _PICKLED_BEFORE]:
        if kind is types.TracebackType or (
            isinstance(kind, type) and issubclass(kind, BaseException)
        ):
            del copyreg.dispatch_table[kind]


_exceptions_pickle_plainly()

import servicepolicy as sp  # noqa: E402
from servicepolicy import arrow  # noqa: E402
from servicepolicy import dask as spd  # noqa: E402
from servicepolicy.cli import main  # noqa: E402
from tests import strategies  # noqa: E402
from tests.missing import without  # noqa: E402
from tests.paths import EXAMPLES, ROOT  # noqa: E402

POLICY_PATH = EXAMPLES / "saas-support.yaml"
POLICY = sp.load_policy(POLICY_PATH)
AS_OF_TEXT = "2026-12-31T12:00:00+01:00"
AS_OF = datetime.fromisoformat(AS_OF_TEXT)
EVENT_KEYS = ("type", "status", "field", "value", "actor")
BY = ["priority", "week"]


@pytest.fixture(scope="module")
def client():
    """A local cluster of two worker processes, one thread each, for the whole module."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as connected,
    ):
        yield connected


# -- the tickets -----------------------------------------------------------------------------


def _write_tickets():
    spec = importlib.util.spec_from_file_location(
        "_bench_evaluate", ROOT / "benchmarks" / "evaluate.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.write_tickets


def _read(path: Path) -> list:
    return [json.loads(line, parse_float=Decimal) for line in path.read_text().splitlines()]


def _with_oddities(tickets: list[dict], far_repeat: bool) -> list[dict]:
    """The synthetic tickets with, spread over the input: tickets that cannot be evaluated, a
    ticket without an id, one whose events share an instant, a ticket repeated on the next
    line and, with ``far_repeat``, one repeated some thousand lines later."""
    made = list(tickets)
    at = "2026-06-01T09:00:00+02:00"
    made.insert(2, {"id": "BAD-NAIVE", "created_at": "2026-06-01T09:00:00", "events": []})
    made.insert(10, {**made[9], "fields": {**made[9]["fields"], "priority": "urgent"}})
    made.insert(
        700,
        {
            "id": "SAME-INSTANT",
            "created_at": "2026-06-01T08:00:00+02:00",
            "fields": {"priority": "high", "tier": "pro", "channel": "chat"},
            "events": [
                {"at": at, "type": "status", "status": "pending", "actor": "agent"},
                {"at": at, "type": "agent_reply", "actor": "agent"},
                {"at": at, "type": "status", "status": "open"},
            ],
        },
    )
    made.insert(1100, {"id": "BAD-TIME", "created_at": "yesterday", "events": []})
    made.insert(1500, {"created_at": "2026-06-01T09:00:00+02:00", "fields": {}, "events": []})
    if far_repeat:
        made.insert(1800, {**made[5], "fields": {**made[5]["fields"], "tier": "free"}})
    return made


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    path = tmp_path_factory.mktemp("synthetic") / "tickets.jsonl"
    _write_tickets()(path, 2000, 11)
    return _read(path)


def _jsonl(tickets: list, path: Path) -> Path:
    path.write_text("".join(arrow.ticket_json(ticket) + "\n" for ticket in tickets))
    return path


def _frames(tickets: list[dict]) -> tuple:
    """The tickets as a tickets frame (instants as text, so offsets stay) and an events frame
    in long form, one ticket's events far apart: the first event of every ticket, then the
    second of every ticket, and so on.  Tickets of one id share their events in long form, so
    a repeated ticket holds the events of the first, which are written once."""
    names = sorted({name for ticket in tickets for name in ticket.get("fields", {})})
    frame = pd.DataFrame(
        {
            "id": [ticket.get("id") for ticket in tickets],
            "created_at": [ticket["created_at"] for ticket in tickets],
            **{name: [t.get("fields", {}).get(name) for t in tickets] for name in names},
        }
    )
    rows = []
    firsts = list({ticket["id"]: ticket for ticket in reversed(tickets) if "id" in ticket}.values())
    for first in firsts:
        assert all(t["events"] == first["events"] for t in tickets if t.get("id") == first["id"])
    deepest = max(len(ticket["events"]) for ticket in tickets)
    for index in range(deepest):
        for ticket in reversed(firsts):
            if index < len(ticket["events"]):
                event = ticket["events"][index]
                rows.append(
                    {"ticket_id": ticket["id"], "at": _utc(event["at"])}
                    | {key: event.get(key) for key in EVENT_KEYS}
                )
    rows.append({"ticket_id": "GHOST", "at": _utc(AS_OF_TEXT), "type": "agent_reply"})
    return frame, pd.DataFrame(rows)


def _utc(text: str):
    return pd.Timestamp(text).tz_convert("UTC")


# -- what one machine gives ------------------------------------------------------------------


def _cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(), stdout=out, stderr=err, environ={})
    assert code in (0, 1), err.getvalue()
    return code, out.getvalue()


def _cli_rows(tickets: Path, tmp_path: Path) -> list[dict]:
    out = tmp_path / "cli.parquet"
    _cli(
        *("evaluate", str(POLICY_PATH), str(tickets), "--as-of", AS_OF_TEXT),
        *("--format", "parquet", "-o", str(out), "--jobs", "1"),
    )
    return pq.read_table(out).to_pylist()


def _cli_report(tickets: Path) -> dict:
    _, out = _cli(
        *("report", str(POLICY_PATH), str(tickets), "--as-of", AS_OF_TEXT),
        *("--format", "json", "--by", ",".join(BY), "--jobs", "1"),
    )
    return json.loads(out)


def _rows(frame) -> list[dict]:
    """A computed result as rows, checked to have the Parquet output's schema."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    assert table.schema.equals(arrow.result_schema(), check_metadata=False)
    return table.to_pylist()


def _same_report(made: sp.ComplianceReport, expected: dict) -> None:
    assert made.as_of == datetime.fromisoformat(expected.pop("as_of"))
    assert made.model_dump(mode="json", exclude={"as_of"}) == expected


# -- a bag of tickets ------------------------------------------------------------------------


def test_a_bag_gives_the_command_lines_rows_in_its_order(client, synthetic, tmp_path):
    tickets = _with_oddities(synthetic, far_repeat=False)
    tickets.insert(1300, ["not", "a", "ticket"])
    expected = _cli_rows(_jsonl(tickets, tmp_path / "tickets.jsonl"), tmp_path)
    bag = db.from_sequence(tickets, npartitions=4)
    assert bag.npartitions > 1
    rows = spd.evaluate(bag, POLICY, AS_OF)
    assert list(rows.columns) == list(arrow.RESULT_COLUMNS)
    got = _rows(rows.compute())
    assert got == expected
    errors = [row for row in got if row["status"] == "error"]
    assert [row["line"] for row in errors] == [3, 1101, 1301, 1502]
    assert any("seen before in this input (first at line 10)" in (r["warnings"] or "") for r in got)


def test_a_bag_from_json_lines_written_as_parquet_has_the_outputs_schema(client, tmp_path):
    path = EXAMPLES / "saas-support.tickets.jsonl"
    bag = db.read_text(str(path), blocksize=1000).map(json.loads, parse_float=Decimal)
    assert bag.npartitions > 1
    spd.evaluate(bag, POLICY, AS_OF).to_parquet(tmp_path / "rows", write_index=False)
    written = pq.read_table(tmp_path / "rows")
    assert written.schema.equals(arrow.result_schema(), check_metadata=False)
    assert written.to_pylist() == _cli_rows(path, tmp_path)


def test_a_bags_report_is_the_command_lines(client, synthetic, tmp_path):
    tickets = _with_oddities(synthetic, far_repeat=False)
    expected = _cli_report(_jsonl(tickets, tmp_path / "tickets.jsonl"))
    made = spd.report(db.from_sequence(tickets, npartitions=5), POLICY, AS_OF, by=BY)
    assert made.failed == 3 and made.failed_ids == ["BAD-NAIVE", "BAD-TIME", "?"]
    _same_report(made, expected)


# -- tickets and events as DataFrames --------------------------------------------------------


def test_dataframes_give_the_command_lines_rows(client, synthetic, tmp_path):
    tickets = _with_oddities(synthetic, far_repeat=True)
    expected = _cli_rows(_jsonl(tickets, tmp_path / "tickets.jsonl"), tmp_path)
    frame, events = _frames(tickets)
    rows = spd.evaluate(
        dd.from_pandas(frame, npartitions=3),
        POLICY,
        AS_OF,
        events=dd.from_pandas(events, npartitions=4),
    )
    got = rows.compute()
    assert rows.npartitions > 1 and list(got["line"]) != sorted(got["line"])
    in_order = _rows(got.sort_values("line", kind="stable"))
    assert in_order == expected
    repeated = [row for row in in_order if row["line"] == 1801]
    assert "seen before in this input (first at line 6)" in repeated[0]["warnings"]


def test_dataframes_report_is_the_command_lines(client, synthetic, tmp_path):
    tickets = _with_oddities(synthetic, far_repeat=True)
    expected = _cli_report(_jsonl(tickets, tmp_path / "tickets.jsonl"))
    frame, events = _frames(tickets)
    made = spd.report(
        dd.from_pandas(frame, npartitions=4),
        POLICY,
        AS_OF,
        events=dd.from_pandas(events, npartitions=3),
        by=BY,
    )
    _same_report(made, expected)


def test_a_reports_failed_ids_are_the_first_thousand_by_line(client):
    """More tickets fail than a report names, in every partition: the ids named are those of
    the first 1,000 failed tickets by line, as one process names them."""
    tickets = [
        {"id": f"F-{n}", "created_at": "2026-12-30T09:00:00" + ("+01:00" if n % 3 else "")}
        for n in range(4000)
    ]
    expected = sp.report(POLICY, tickets, AS_OF)
    assert expected.failed > 1000
    frame = pd.DataFrame(tickets)
    made = spd.report(dd.from_pandas(frame, npartitions=4), POLICY, AS_OF)
    assert made == expected
    assert made.failed_ids[:2] == ["F-0", "F-3"]


def test_without_events_the_tickets_have_none(client):
    frame = pd.DataFrame(
        {"id": ["A", "B"], "created_at": ["2026-12-30T09:00:00+01:00"] * 2, "tier": ["pro", None]}
    )
    rows = spd.evaluate(dd.from_pandas(frame, npartitions=2), POLICY, AS_OF).compute()
    expected = arrow.evaluate_table(pa.Table.from_pandas(frame), None, POLICY, AS_OF)
    assert _rows(rows.sort_values("line", kind="stable")) == expected.to_pylist()


TICKET_LISTS = st.lists(
    st.tuples(
        strategies.tickets(lo=1, hi=5), st.sampled_from(["A", "B", "C", None, "own"]), st.booleans()
    ),
    min_size=1,
    max_size=10,
)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=TICKET_LISTS, parts=st.tuples(st.integers(1, 4), st.integers(1, 4)), data=st.data())
def test_any_partitions_give_the_rows_of_one_table(drawn, parts, data):
    """However tickets and events fall into partitions, and in whatever order the events come,
    the rows are those of ``servicepolicy.arrow`` over the same two tables: each ticket meets
    its events in their order, and a repeated id is warned on naming its first line."""
    tickets = []
    for number, ((ticket, _), name, bare) in enumerate(drawn):
        ticket_id = f"T-{number}" if name == "own" else name
        tickets.append({**ticket, "id": ticket_id, "events": [] if bare else ticket["events"]})
    as_of = strategies.BASE.replace(day=31)
    frame = pd.DataFrame(
        {
            "id": [ticket["id"] for ticket in tickets],
            "created_at": [ticket["created_at"] for ticket in tickets],
            "tier": [ticket["fields"]["tier"] for ticket in tickets],
            "priority": [ticket["fields"].get("priority") for ticket in tickets],
        }
    )
    keys = ("at", "type", "status", "field", "value", "actor", "public", "channel", "subject")
    rows = [
        {"ticket_id": ticket["id"], **{key: event.get(key) for key in keys}}
        for ticket in tickets
        for event in ticket["events"]
    ]
    rows = data.draw(st.permutations(rows)) if rows else rows
    columns = ["ticket_id", *keys]
    events = pd.DataFrame(rows, columns=columns).astype({"public": "boolean"})
    expected = arrow.evaluate_table(
        pa.Table.from_pandas(frame, preserve_index=False),
        pa.Table.from_pandas(events, preserve_index=False),
        strategies.POLICY,
        as_of,
    )
    # In this process, without the cluster: the shuffle is dask's task-based one.
    with dask.config.set({"scheduler": "sync", "dataframe.shuffle.method": "tasks"}):
        made = spd.evaluate(
            dd.from_pandas(frame, npartitions=parts[0]),
            strategies.POLICY,
            as_of,
            events=dd.from_pandas(events, npartitions=parts[1]),
        )
        got = made.compute().sort_values("line", kind="stable")
    assert _rows(got) == expected.to_pylist()


def _documented(marker: str) -> tuple[str, str]:
    """The ``python`` block of docs/scale.md holding ``marker``, and the ``text`` block after it
    (what it prints)."""
    blocks = re.findall(r"```(\w+)\n(.*?)```", (ROOT / "docs" / "scale.md").read_text(), re.DOTALL)
    for (kind, code), (next_kind, shown) in itertools.pairwise(blocks):
        if kind == "python" and marker in code:
            assert next_kind == "text", "the example is followed by what it prints"
            return code, shown
    raise AssertionError(f"docs/scale.md has no example with {marker!r}")


def test_the_documented_example_prints_what_the_docs_show(client, monkeypatch, capsys):
    code, shown = _documented("from servicepolicy.dask import")
    monkeypatch.chdir(ROOT)  # the example names files relative to a checkout
    exec(compile(code, "docs/scale.md", "exec"), {"__name__": "docs_example"})
    assert capsys.readouterr().out == shown


# -- mistakes and the missing extra ----------------------------------------------------------


def test_wrong_arguments_are_said_before_any_work():
    bag = db.from_sequence([{}])
    with pytest.raises(sp.NaiveDatetimeError):
        spd.evaluate(bag, POLICY, datetime(2026, 12, 31, 12))
    with pytest.raises(TypeError, match="policy must be a Policy or a PolicySet"):
        spd.report(bag, "policies/examples/saas-support.yaml", AS_OF)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="events go with a DataFrame of tickets"):
        spd.evaluate(bag, POLICY, AS_OF, events=bag)
    with pytest.raises(TypeError, match=r"a dask\.bag\.Bag of tickets or a dask\.dataframe"):
        spd.evaluate([{}], POLICY, AS_OF)
    tickets = dd.from_pandas(pd.DataFrame({"id": ["A"]}), npartitions=1)
    with pytest.raises(ValueError, match=re.escape("tickets table lacks column(s): created_at")):
        spd.report(tickets, POLICY, AS_OF)


def test_without_dask_the_error_says_what_to_install(monkeypatch):
    without(monkeypatch, "dask")
    with pytest.raises(ImportError, match=re.escape("pip install 'servicepolicy[dask]'")):
        spd.evaluate(None, POLICY, AS_OF)
    with pytest.raises(ImportError, match=re.escape("pip install 'servicepolicy[dask]'")):
        spd.report(None, POLICY, AS_OF)


def test_importing_the_module_imports_no_dask():
    code = "import sys, servicepolicy.dask; print('dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
