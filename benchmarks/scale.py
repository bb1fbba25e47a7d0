"""Scale figures in one run: ``--jobs`` ratios, bytes per ticket of each output shape, and
``report``/``compare``/``explain`` against ``evaluate``, through the command line.

    python benchmarks/scale.py [--n 30000] [--policy policies/examples/saas-support.yaml]

Each command runs in a child process on the same synthetic tickets (``benchmarks/evaluate.py``);
the wall time is the best of ``--repeats`` runs. ``--jobs`` is tried at 1, 2 and every core.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
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
    args = parser.parse_args()
    cli = [sys.executable, "-m", "servicepolicy"]
    work = Path(tempfile.mkdtemp(prefix="servicepolicy-scale-"))
    tickets = work / "tickets.jsonl"
    write_tickets(tickets, args.n, 1)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"{args.n} tickets, {_cores()} cores, load average {load:.2f} at the start")
    base = [tickets.as_posix(), "--as-of", AS_OF]

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


if __name__ == "__main__":
    main()
