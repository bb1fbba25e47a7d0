"""Benchmark a policy of many SLA entries against one of three, side by side in one run.

    .venv/bin/python benchmarks/many_entries.py [--entries 3000] [--n 20000]
    .venv/bin/python benchmarks/many_entries.py --python .venv/bin/python \
        --python .venv-compiled/bin/python

Writes two policies that differ only in their number of entries: ``--entries`` entries, each
``when: {customer: cust-K}``, and the same with three entries, each followed by a catch-all.
Every one of ``--n`` tickets has a customer of its own, so no memo of field values helps: the
first ``--entries`` tickets match an entry of the large policy (spread over all of them), the
rest match none and fall to the catch-all.  Each policy is loaded and evaluated with
``evaluate_many_json`` in a child process of each interpreter, which reports its load time,
its milliseconds per ticket and its own peak RSS.  Prints a Markdown table with the ratio of
each policy's cost per ticket to the three-entry one's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

AS_OF = "2026-12-31T12:00:00+01:00"
HEAD = """\
servicepolicy: "1"
name: many entries
calendars:
  office: {timezone: Europe/Berlin, hours: {mon-fri: ["09:00-17:00"]}}
sla:
"""


def write_policy(path: Path, entries: int) -> None:
    lines = [HEAD]
    for k in range(entries):
        lines.append(
            f"  - {{name: e{k}, when: {{customer: cust-{k}}}, calendar: office, "
            "targets: {first_response: 4h, resolution: 2bd}}\n"
        )
    lines.append(
        "  - {name: rest, calendar: office, targets: {first_response: 8h, resolution: 5bd}}\n"
    )
    path.write_text("".join(lines), encoding="utf-8")


def write_tickets(path: Path, n: int, entries: int, seed: int) -> None:
    """``n`` tickets, each with a customer of its own; the first ``entries`` of them name an
    entry of the large policy, in a shuffled order."""
    rng = random.Random(seed)
    customers = [f"cust-{k}" for k in range(entries)]
    rng.shuffle(customers)
    customers += [f"other-{k}" for k in range(n - entries)]
    with path.open("w", encoding="utf-8") as out:
        for number, customer in enumerate(customers[:n]):
            created = datetime(2026, 3, 2, 8, tzinfo=UTC) + timedelta(
                minutes=rng.randrange(0, 400_000)
            )
            reply = created + timedelta(minutes=rng.randrange(5, 3000))
            ticket = {
                "id": f"T-{number}",
                "created_at": created.isoformat(),
                "fields": {"customer": customer, "priority": "normal"},
                "events": [{"at": reply.isoformat(), "type": "agent_reply"}],
            }
            out.write(json.dumps(ticket) + "\n")


def child(policy_path: str, tickets_path: str) -> None:
    """Load and evaluate in this process; print the figures as JSON."""
    import resource

    from servicepolicy import evaluate_many_json, load_policy

    with Path(tickets_path).open(encoding="utf-8") as source:
        tickets = [json.loads(line) for line in source]
    start = time.perf_counter()
    policy = load_policy(policy_path)
    loaded = time.perf_counter() - start
    as_of = datetime.fromisoformat(AS_OF)
    start = time.perf_counter()
    count = sum(1 for _ in evaluate_many_json(policy, tickets, as_of))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"load_s": loaded, "ms": 1000 * seconds / count, "rss_mb": peak}))


def measure(python: str, policy: Path, tickets: Path) -> dict[str, float]:
    command = [python, __file__, "--child", str(policy), str(tickets)]
    found = subprocess.run(command, capture_output=True, text=True, check=False)
    if found.returncode != 0:
        sys.exit(f"{python}: {found.stderr.strip()}")
    figures: dict[str, float] = json.loads(found.stdout)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=3000)
    parser.add_argument("--n", type=int, default=20000, help="tickets")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--python", action="append", help="interpreter(s) to time")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    pythons = args.python or [sys.executable]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        small, large = folder / "three.yaml", folder / "many.yaml"
        write_policy(small, 3)
        write_policy(large, args.entries)
        tickets = folder / "tickets.jsonl"
        write_tickets(tickets, args.n, args.entries, args.seed)
        print(f"{args.n} tickets, each with a customer of its own; load {os.getloadavg()[0]:.2f}")
        print()
        print("| interpreter | entries | load (s) | ms/ticket | peak RSS (MB) | x 3 entries |")
        print("|---|---:|---:|---:|---:|---:|")
        for python in pythons:
            base = measure(python, small, tickets)
            rows = [(3, base), (args.entries, measure(python, large, tickets))]
            for entries, figures in rows:
                print(
                    f"| {python} | {entries:,} | {figures['load_s']:.2f} | {figures['ms']:.3f} "
                    f"| {figures['rss_mb']:.0f} | {figures['ms'] / base['ms']:.2f} |"
                )


if __name__ == "__main__":
    main()
