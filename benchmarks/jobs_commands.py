"""``--jobs`` on ``compare`` and ``refund``: wall time on 1, 2 and every core, through the
command line, and a check that every run wrote the bytes of ``--jobs 1``.

    python benchmarks/jobs_commands.py [--n 20000] [--repeats 3]

Each command runs in a child process on the same synthetic tickets (``benchmarks/evaluate.py``):
``compare`` replays them under saas-support twice (as ``benchmarks/scale.py`` does), ``refund``
decides them under ecommerce, each ticket given an order (category, total, delivery date,
condition) so that most decisions find a rule. The wall time is the best of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate import synthetic_ticket, write_tickets

ROOT = Path(__file__).resolve().parent.parent
SAAS = ROOT / "policies" / "examples" / "saas-support.yaml"
SHOP = ROOT / "policies" / "examples" / "ecommerce.yaml"
AS_OF = "2026-12-31T12:00:00+01:00"
CATEGORIES = ["return", "damaged", "delivery", "question"]
CONDITIONS = ["new", "new", "new", "used", "damaged_by_customer"]


def write_orders(path: Path, n: int, seed: int) -> None:
    """``n`` synthetic tickets, each about an order: what a refund decision reads."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for number in range(n):
            ticket = synthetic_ticket(rng, number)
            created = datetime.fromisoformat(str(ticket["created_at"]))
            delivered = created - timedelta(days=rng.randrange(0, 40))
            fields = ticket["fields"]
            assert isinstance(fields, dict)
            fields["category"] = rng.choice(CATEGORIES)
            fields["order_total"] = f"{rng.randrange(500, 50_000) / 100:.2f}"
            fields["delivered_at"] = delivered.isoformat()
            fields["condition"] = rng.choice(CONDITIONS)
            out.write(json.dumps(ticket) + "\n")


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _timed(command: list[str], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        done = subprocess.run(command, check=False, capture_output=True)
        best = min(best, time.perf_counter() - began)
        if done.returncode not in (0, 1):
            sys.exit(f"{' '.join(command)} failed: {done.stderr.decode()}")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "servicepolicy"]
    work = Path(tempfile.mkdtemp(prefix="servicepolicy-jobs-"))
    tickets, orders = work / "tickets.jsonl", work / "orders.jsonl"
    write_tickets(tickets, args.n, 1)
    write_orders(orders, args.n, 2)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"{args.n} tickets, {_cores()} cores, load average {load:.2f} at the start")
    runs = {
        "compare": [*cli, "compare", str(SAAS), str(SAAS), str(tickets), "--format", "json"],
        "refund": [*cli, "refund", str(SHOP), str(orders), "--format", "jsonl"],
    }
    print("\n| run | wall s | ratio to --jobs 1 | same bytes |\n|---|---:|---:|---|")
    for name, command in runs.items():
        one = 0.0
        for jobs in sorted({1, 2, _cores()}):
            out = work / f"{name}-{jobs}.out"
            run = [*command, "--as-of", AS_OF, "--jobs", str(jobs), "-o", str(out)]
            wall = _timed(run, args.repeats)
            one = one or wall
            same = filecmp.cmp(out, work / f"{name}-1.out", shallow=False)
            print(f"| {name} --jobs {jobs} | {wall:.2f} | {one / wall:.2f}x | {same} |")


if __name__ == "__main__":
    main()
