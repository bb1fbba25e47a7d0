"""The Spark door: tickets and events as Spark DataFrames, evaluated by a local Spark
(``local[2]``), give the rows of ``servicepolicy evaluate --format parquet`` and the report of
``servicepolicy report --format json`` on the same tickets; a missing extra says what to
install.

Without pyspark or Java the module is skipped, saying why; with
``SERVICEPOLICY_REQUIRE_SPARK=1`` (CI) a missing one fails instead.  One Spark session serves
the whole module.
"""

from __future__ import annotations

import importlib.util
import io
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

REQUIRED = os.environ.get("SERVICEPOLICY_REQUIRE_SPARK") == "1"


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


try:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyspark.sql import SparkSession
except ImportError as missing:
    if REQUIRED:
        pytest.fail(f"SERVICEPOLICY_REQUIRE_SPARK=1 but {missing}", pytrace=False)
    pytest.skip(
        f"the spark extra is not installed ({missing}): pip install 'servicepolicy[spark]'",
        allow_module_level=True,
    )
if _java() is None:
    if REQUIRED:
        pytest.fail("SERVICEPOLICY_REQUIRE_SPARK=1 but Java is not installed", pytrace=False)
    pytest.skip("Spark needs Java, which is not installed", allow_module_level=True)

import servicepolicy as sp  # noqa: E402
from servicepolicy import arrow  # noqa: E402
from servicepolicy import spark as sps  # noqa: E402
from servicepolicy.cli import main  # noqa: E402
from tests.missing import without  # noqa: E402
from tests.paths import EXAMPLES, ROOT  # noqa: E402

pytestmark = pytest.mark.filterwarnings(
    # pyspark 4 says so on every pandas conversion under pandas 3; nothing here relies on it.
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)

POLICY_PATH = EXAMPLES / "saas-support.yaml"
POLICY = sp.load_policy(POLICY_PATH)
AS_OF_TEXT = "2026-12-31T12:00:00+01:00"
AS_OF = datetime.fromisoformat(AS_OF_TEXT)
EVENT_KEYS = ("type", "status", "field", "value", "actor")
BY = ["priority", "week"]


@pytest.fixture(scope="module")
def spark():
    """One local Spark session, two cores, small shuffles, no UI, for the whole module."""
    before = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = sys.executable  # the executors' Python is this one
    session = (
        SparkSession.builder.master("local[2]")
        .appName("servicepolicy-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # a JVM that lives for one module: the quick compiler alone starts it sooner
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    if before is None:
        del os.environ["PYSPARK_PYTHON"]
    else:
        os.environ["PYSPARK_PYTHON"] = before


# -- the tickets -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tickets(tmp_path_factory) -> list:
    """500 synthetic tickets with, spread over the input: tickets that cannot be evaluated, a
    ticket without an id, one whose events share an instant, and a ticket repeated on the next
    line and another some hundreds of lines later (with the events of the first: tickets of
    one id share their events in long form)."""
    spec = importlib.util.spec_from_file_location(
        "_bench_evaluate", ROOT / "benchmarks" / "evaluate.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = tmp_path_factory.mktemp("synthetic") / "tickets.jsonl"
    module.write_tickets(path, 500, 12)
    made = [json.loads(line, parse_float=Decimal) for line in path.read_text().splitlines()]
    at = "2026-06-01T09:00:00+02:00"
    made.insert(2, {"id": "BAD-NAIVE", "created_at": "2026-06-01T09:00:00", "events": []})
    made.insert(10, {**made[9], "fields": {**made[9]["fields"], "priority": "urgent"}})
    made.insert(
        200,
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
    made.insert(300, {"id": "BAD-TIME", "created_at": "yesterday", "events": []})
    made.insert(400, {"created_at": "2026-06-01T09:00:00+02:00", "fields": {}, "events": []})
    made.insert(450, {**made[5], "fields": {**made[5]["fields"], "tier": "free"}})
    return made


def _frames(spark, tickets: list[dict]) -> tuple:
    """The tickets as a Spark DataFrame (instants as text, so offsets stay) and their events
    in long form, one ticket's events far apart: the first event of every ticket, then the
    second of every ticket, and so on; the events of one id written once."""
    names = sorted({name for ticket in tickets for name in ticket.get("fields", {})})
    frame = pd.DataFrame(
        {
            "id": [ticket.get("id") for ticket in tickets],
            "created_at": [ticket["created_at"] for ticket in tickets],
            **{name: [t.get("fields", {}).get(name) for t in tickets] for name in names},
        }
    )
    firsts = list({ticket["id"]: ticket for ticket in reversed(tickets) if "id" in ticket}.values())
    for first in firsts:
        assert all(t["events"] == first["events"] for t in tickets if t.get("id") == first["id"])
    rows = []
    for index in range(max(len(ticket["events"]) for ticket in tickets)):
        for ticket in reversed(firsts):
            if index < len(ticket["events"]):
                event = ticket["events"][index]
                rows.append(
                    {"ticket_id": ticket["id"], "at": datetime.fromisoformat(event["at"])}
                    | {key: event.get(key) for key in EVENT_KEYS}
                )
    rows.append({"ticket_id": "GHOST", "at": AS_OF, "type": "agent_reply"})
    schema = pa.schema(
        [("ticket_id", pa.string()), ("at", pa.timestamp("us", tz="UTC"))]
        + [(key, pa.string()) for key in EVENT_KEYS]
    )
    events = pa.Table.from_pylist(rows, schema=schema)
    ticket_frame = spark.createDataFrame(pa.Table.from_pandas(frame, preserve_index=False))
    return ticket_frame, spark.createDataFrame(events)


def _jsonl(tickets: list, path: Path) -> Path:
    path.write_text("".join(arrow.ticket_json(ticket) + "\n" for ticket in tickets))
    return path


def _cli(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(), stdout=out, stderr=err, environ={})
    assert code in (0, 1), err.getvalue()
    return out.getvalue()


# -- the rows and the report -----------------------------------------------------------------


def test_dataframes_give_the_command_lines_rows(spark, tickets, tmp_path):
    out = tmp_path / "cli.parquet"
    _cli(
        *("evaluate", str(POLICY_PATH), str(_jsonl(tickets, tmp_path / "t.jsonl"))),
        *("--as-of", AS_OF_TEXT, "--format", "parquet", "-o", str(out), "--jobs", "1"),
    )
    ticket_frame, events = _frames(spark, tickets)
    assert ticket_frame.rdd.getNumPartitions() > 1 and events.rdd.getNumPartitions() > 1
    rows = sps.evaluate(ticket_frame, POLICY, AS_OF, events=events)
    table = rows.toArrow()
    assert table.schema.equals(arrow.result_schema(), check_metadata=False)
    got = table.to_pylist()
    in_order = sorted(got, key=lambda row: row["line"])  # stable: a ticket's rows stay in order
    assert in_order == pq.read_table(out).to_pylist()
    assert [row["line"] for row in in_order if row["status"] == "error"] == [3, 301, 401]
    (repeated,) = {row["warnings"] for row in in_order if row["line"] == 451}
    assert "seen before in this input (first at line 6)" in repeated


def test_dataframes_report_is_the_command_lines(spark, tickets, tmp_path):
    expected = json.loads(
        _cli(
            *("report", str(POLICY_PATH), str(_jsonl(tickets, tmp_path / "t.jsonl"))),
            *("--as-of", AS_OF_TEXT, "--format", "json", "--by", ",".join(BY), "--jobs", "1"),
        )
    )
    ticket_frame, events = _frames(spark, tickets)
    made = sps.report(ticket_frame, POLICY, AS_OF, events=events, by=BY)
    assert made.failed_ids == ["BAD-NAIVE", "BAD-TIME", "?"]
    assert made.as_of == datetime.fromisoformat(expected.pop("as_of"))
    assert made.model_dump(mode="json", exclude={"as_of"}) == expected


def test_a_reports_failed_ids_are_the_first_thousand_by_line(spark):
    """More tickets fail than a report names, in every partition: the ids named are those of
    the first 1,000 failed tickets by line, as one process names them."""
    tickets = [
        {"id": f"F-{n}", "created_at": "2026-12-30T09:00:00" + ("+01:00" if n % 3 else "")}
        for n in range(4000)
    ]
    expected = sp.report(POLICY, tickets, AS_OF)
    assert expected.failed > 1000
    made = sps.report(spark.createDataFrame(pa.Table.from_pylist(tickets)), POLICY, AS_OF)
    assert made == expected
    assert made.failed_ids[:2] == ["F-0", "F-3"]


def test_without_events_the_tickets_have_none(spark):
    frame = pa.table(
        {"id": ["A", "B"], "created_at": ["2026-12-30T09:00:00+01:00"] * 2, "tier": ["pro", None]}
    )
    got = sps.evaluate(spark.createDataFrame(frame), POLICY, AS_OF).toArrow().to_pylist()
    expected = arrow.evaluate_table(frame, None, POLICY, AS_OF).to_pylist()
    assert sorted(got, key=lambda row: row["line"]) == expected


def _documented(marker: str) -> tuple[str, str]:
    """The ``python`` block of docs/scale.md holding ``marker``, and the ``text`` block after it
    (what it prints)."""
    blocks = re.findall(r"```(\w+)\n(.*?)```", (ROOT / "docs" / "scale.md").read_text(), re.DOTALL)
    for (kind, code), (next_kind, shown) in itertools.pairwise(blocks):
        if kind == "python" and marker in code:
            assert next_kind == "text", "the example is followed by what it prints"
            return code, shown
    raise AssertionError(f"docs/scale.md has no example with {marker!r}")


def test_the_documented_example_prints_what_the_docs_show(spark, monkeypatch, capsys):
    code, shown = _documented("from servicepolicy.spark import")
    monkeypatch.chdir(ROOT)  # the example names files relative to a checkout
    exec(compile(code, "docs/scale.md", "exec"), {"__name__": "docs_example"})
    assert capsys.readouterr().out == shown


# -- mistakes and the missing extra ----------------------------------------------------------


def test_wrong_arguments_are_said_before_any_work(spark):
    tickets = spark.createDataFrame(pa.table({"id": ["A"], "created_at": ["2026-12-30T09:00Z"]}))
    with pytest.raises(sp.NaiveDatetimeError):
        sps.evaluate(tickets, POLICY, datetime(2026, 12, 31, 12))
    with pytest.raises(TypeError, match="policy must be a Policy or a PolicySet"):
        sps.report(tickets, None, AS_OF)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="tickets must be a Spark DataFrame"):
        sps.evaluate(pd.DataFrame({"id": ["A"]}), POLICY, AS_OF)
    with pytest.raises(ValueError, match=re.escape("tickets table lacks column(s): created_at")):
        sps.evaluate(tickets.drop("created_at"), POLICY, AS_OF)
    with pytest.raises(ValueError, match=re.escape("events table lacks column(s): at, type")):
        sps.evaluate(tickets, POLICY, AS_OF, events=tickets.withColumnRenamed("id", "ticket_id"))
    renamed = tickets.withColumnRenamed("created_at", "__servicepolicy_line")
    with pytest.raises(ValueError, match="named as servicepolicy's"):
        sps.evaluate(renamed.withColumn("created_at", renamed["id"]), POLICY, AS_OF)


def test_without_pyspark_the_error_says_what_to_install(monkeypatch):
    without(monkeypatch, "pyspark")
    with pytest.raises(ImportError, match=re.escape("pip install 'servicepolicy[spark]'")):
        sps.evaluate(None, POLICY, AS_OF)
    with pytest.raises(ImportError, match=re.escape("pip install 'servicepolicy[spark]'")):
        sps.report(None, POLICY, AS_OF)


def test_importing_the_module_imports_no_pyspark():
    code = "import sys, servicepolicy.spark; print('pyspark' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
