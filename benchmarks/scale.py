"""Scale figures in one run: ``--jobs`` ratios, bytes per ticket of each output shape, and
``report``/``compare``/``explain`` against ``evaluate``, through the command line; then the
command line against Dask (and, with ``--spark``, Spark) on two processes each.

    python benchmarks/scale.py [--n 30000] [--policy policies/examples/saas-support.yaml]
    python benchmarks/scale.py --n 20000 --clusters-only [--spark]

Each command runs in a child process on the same synthetic tickets (``benchmarks/evaluate.py``);
the wall time is the best of ``--repeats`` runs. ``--jobs`` is tried at 1, 2 and every core.

The cluster comparison (needs ``servicepolicy[dask]``, and ``servicepolicy[spark]`` with Java
for ``--spark``) puts ``servicepolicy evaluate --jobs 2 --format parquet`` and ``report --jobs 2
--format json`` beside ``servicepolicy.dask`` on a ``LocalCluster`` of two worker processes
(one thread each) and ``servicepolicy.spark`` on ``local[2]``, on the same tickets: the bag of
their JSON Lines, or the tickets and events as Parquet files (eight of each), rows written as
Parquet.  A cluster's start is timed once, apart; the runs after it are timed warm.  Each run's
row count or report is checked against the command line's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate import write_tickets

AS_OF = "2026-12-31T12:00:00+01:00"


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _timed(command: list[str], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        subprocess.run(command, check=False, capture_output=True)
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30_000)
    parser.add_argument("--policy", default="policies/examples/saas-support.yaml")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument(
        "--clusters-only", action="store_true", help="only the Dask (and Spark) comparison"
    )
    parser.add_argument("--spark", action="store_true", help="add Spark (local[2])")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "servicepolicy"]
    work = Path(tempfile.mkdtemp(prefix="servicepolicy-scale-"))
    tickets = work / "tickets.jsonl"
    write_tickets(tickets, args.n, 1)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"{args.n} tickets, {_cores()} cores, load average {load:.2f} at the start")
    base = [tickets.as_posix(), "--as-of", AS_OF]
    if not args.clusters_only:
        _one_machine(args, cli, work, base)
    _clusters(args, cli, work, tickets)


def _one_machine(args: argparse.Namespace, cli: list[str], work: Path, base: list[str]) -> None:
    print("\n| run | wall s | ratio to --jobs 1 |\n|---|---:|---:|")
    for command, extra in (("evaluate", ["--format", "jsonl"]), ("report", ["--format", "json"])):
        one = 0.0
        for jobs in sorted({1, 2, _cores()}):
            run = [*cli, command, args.policy, *base, *extra, "--jobs", str(jobs)]
            wall = _timed([*run, "-o", str(work / "out")], args.repeats)
            one = one or wall
            print(f"| {command} --jobs {jobs} | {wall:.2f} | {one / wall:.2f}x |")

    print("\n| shape | bytes per ticket |\n|---|---:|")
    shapes = {
        "jsonl": ["--format", "jsonl"],
        "jsonl --summary": ["--format", "jsonl", "--summary"],
        "jsonl --fields ticket_id,metrics.*.status,metrics.*.due_at": [
            "--format",
            "jsonl",
            "--fields",
            "ticket_id,metrics.*.status,metrics.*.due_at",
        ],
        "csv": ["--format", "csv"],
        "csv --summary": ["--format", "csv", "--summary"],
    }
    for name, extra in shapes.items():
        out = work / "shape"
        run = [*cli, "evaluate", args.policy, *base, *extra, "-o", str(out)]
        subprocess.run(run, check=False, capture_output=True)
        print(f"| {name} | {out.stat().st_size / args.n:.0f} |")

    print("\n| command, --jobs 1 | wall s | ratio to evaluate |\n|---|---:|---:|")
    single = ["--jobs", "1"]
    evaluate = _timed(
        [*cli, "evaluate", args.policy, *base, "--format", "jsonl", *single, "-o", str(work / "e")],
        args.repeats,
    )
    runs = {
        "evaluate --format jsonl": evaluate,
        "report --format json": _timed(
            [*cli, "report", args.policy, *base, "--format", "json", *single, "-o", f"{work}/r"],
            args.repeats,
        ),
        "explain": _timed(
            [*cli, "explain", args.policy, *base, *single, "-o", str(work / "x")], args.repeats
        ),
        "compare (same policy twice)": _timed(
            [*cli, "compare", args.policy, args.policy, *base, "--format", "json"], args.repeats
        ),
    }
    for name, wall in runs.items():
        print(f"| {name} | {wall:.2f} | {wall / evaluate:.2f}x |")


# -- the command line against Dask and Spark -------------------------------------------------

BY = "priority,week"
PARTS = 8


def _best(run, repeats: int) -> tuple[float, object]:
    """The best wall time of ``repeats`` calls of ``run``, and what the last call gave."""
    best, made = float("inf"), None
    for _ in range(repeats):
        began = time.perf_counter()
        made = run()
        best = min(best, time.perf_counter() - began)
    return best, made


def _parquet_pair(tickets: Path, work: Path) -> tuple[Path, Path]:
    """The tickets of a JSON Lines file as the two Parquet tables, ``PARTS`` files each:
    tickets (``id``, ``created_at``, the fields) and events in long form."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = [json.loads(line) for line in tickets.read_text().splitlines()]
    names = sorted({name for ticket in data for name in ticket["fields"]})
    keys = ("type", "status", "field", "value")
    folders = work / "tickets-parquet", work / "events-parquet"
    size = -(-len(data) // PARTS)
    for number in range(PARTS):
        part = data[number * size : (number + 1) * size]
        columns = {"id": [t["id"] for t in part], "created_at": [t["created_at"] for t in part]}
        columns |= {name: [t["fields"].get(name) for t in part] for name in names}
        events = [
            {"ticket_id": t["id"], "at": e["at"]} | {key: e.get(key) for key in keys}
            for t in part
            for e in t["events"]
        ]
        schema = pa.schema([(name, pa.string()) for name in ("ticket_id", "at", *keys)])
        for folder, table in zip(
            folders, (pa.table(columns), pa.Table.from_pylist(events, schema=schema)), strict=True
        ):
            folder.mkdir(exist_ok=True)
            pq.write_table(table, folder / f"part-{number:02d}.parquet")
    return folders


def _clusters(args: argparse.Namespace, cli: list[str], work: Path, tickets: Path) -> None:
    import pyarrow.parquet as pq

    single = [args.policy, tickets.as_posix(), "--as-of", AS_OF, "--jobs", "2"]
    out = work / "cli.parquet"
    evaluate = [*cli, "evaluate", *single, "--format", "parquet", "-o", str(out)]
    report = [*cli, "report", *single, "--format", "json", "--by", BY, "-o", str(work / "r.json")]
    walls = {"evaluate": _timed(evaluate, args.repeats), "report": _timed(report, args.repeats)}
    rows = pq.read_metadata(out).num_rows
    expected = json.loads((work / "r.json").read_text())
    print(f"\n{args.n} tickets, {rows} rows; the command line and the clusters on 2 processes")
    print("\n| run | wall s | ratio to the command line |\n|---|---:|---:|")
    print(f"| CLI evaluate --jobs 2 --format parquet | {walls['evaluate']:.2f} | 1.00x |")
    print(f"| CLI report --jobs 2 --format json --by {BY} | {walls['report']:.2f} | 1.00x |")
    folders = _parquet_pair(tickets, work)
    _dask(args, work, tickets, folders, walls, rows, expected)
    if args.spark:
        _spark(args, work, tickets, walls, rows, expected)


def _same_report(made, expected: dict) -> bool:
    return made.model_dump(mode="json", exclude={"as_of"}) == {
        key: value for key, value in expected.items() if key != "as_of"
    }


def _line(name: str, wall: float, base: float, check: bool) -> None:
    said = "" if check else " (DIFFERS from the command line)"
    print(f"| {name}{said} | {wall:.2f} | {base / wall:.2f}x |")


def _dask(args, work, tickets, folders, walls, rows, expected) -> None:
    try:
        import dask.bag as db
        import dask.dataframe as dd
        import pyarrow.parquet as pq
        from distributed import Client, LocalCluster
    except ImportError:
        print("| Dask | (not installed: pip install 'servicepolicy[dask]') | |")
        return
    from decimal import Decimal

    from servicepolicy import dask as on_dask
    from servicepolicy import load_policy

    policy = load_policy(args.policy)
    as_of = datetime.fromisoformat(AS_OF)
    began = time.perf_counter()
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as c,
        Client(c),
    ):
        print(f"| Dask LocalCluster start (2 processes) | {time.perf_counter() - began:.2f} | |")
        blocksize = max(1, tickets.stat().st_size // PARTS + 1)

        def bag():
            lines = db.read_text(tickets.as_posix(), blocksize=blocksize)
            return lines.map(json.loads, parse_float=Decimal)

        def written(frame, name: str) -> int:
            target = work / name
            frame.to_parquet(target, write_index=False, overwrite=True)
            return pq.ParquetDataset(target).read().num_rows

        wall, made = _best(
            lambda: written(on_dask.evaluate(bag(), policy, as_of), "dask-bag"), args.repeats
        )
        _line("Dask evaluate, bag of JSON Lines, to Parquet", wall, walls["evaluate"], made == rows)
        frames = {
            "tickets": dd.read_parquet(str(folders[0])),
            "events": dd.read_parquet(str(folders[1])),
        }
        wall, made = _best(
            lambda: written(
                on_dask.evaluate(frames["tickets"], policy, as_of, events=frames["events"]),
                "dask-frames",
            ),
            args.repeats,
        )
        _line("Dask evaluate, Parquet tickets and events", wall, walls["evaluate"], made == rows)
        by = BY.split(",")
        wall, made = _best(lambda: on_dask.report(bag(), policy, as_of, by=by), args.repeats)
        _line("Dask report, bag of JSON Lines", wall, walls["report"], _same_report(made, expected))
        wall, made = _best(
            lambda: on_dask.report(
                frames["tickets"], policy, as_of, events=frames["events"], by=by
            ),
            args.repeats,
        )
        _line(
            "Dask report, Parquet tickets and events",
            wall,
            walls["report"],
            _same_report(made, expected),
        )


def _spark(args, work, tickets, walls, rows, expected) -> None:
    try:
        from pyspark.sql import SparkSession
        from pyspark.sql import functions as F
    except ImportError:
        print("| Spark | (not installed: pip install 'servicepolicy[spark]') | |")
        return
    import warnings

    from servicepolicy import load_policy
    from servicepolicy import spark as on_spark

    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    policy = load_policy(args.policy)
    as_of = datetime.fromisoformat(AS_OF)
    began = time.perf_counter()
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.shuffle.partitions", str(PARTS))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    print(f"| Spark session start (local[2]) | {time.perf_counter() - began:.2f} | |")
    try:
        raw = spark.read.json(tickets.as_posix())
        frame = raw.select("id", "created_at", "fields.*")
        events = raw.select(F.col("id").alias("ticket_id"), F.explode("events").alias("e"))
        events = events.select("ticket_id", "e.*")

        def written() -> int:
            target = (work / "spark-rows").as_posix()
            on_spark.evaluate(frame, policy, as_of, events=events).write.mode("overwrite").parquet(
                target
            )
            return spark.read.parquet(target).count()

        wall, made = _best(written, args.repeats)
        _line("Spark evaluate, JSON Lines, to Parquet", wall, walls["evaluate"], made == rows)
        by = BY.split(",")
        wall, made = _best(
            lambda: on_spark.report(frame, policy, as_of, events=events, by=by), args.repeats
        )
        _line("Spark report, JSON Lines", wall, walls["report"], _same_report(made, expected))
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
