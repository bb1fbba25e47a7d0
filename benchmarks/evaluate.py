"""Benchmark ticket evaluation: end to end through the CLI, and through the Python API.

    .venv/bin/python benchmarks/evaluate.py --n 100000
    .venv/bin/python benchmarks/evaluate.py --n 1000000 --skip-api

Generates N synthetic tickets (about 8 events each: replies, customer messages, pending
stretches, reopens, priority changes) into a JSON Lines file, then

* times ``servicepolicy evaluate POLICY FILE --format jsonl -o OUT`` in a subprocess and reads
  its peak memory (max RSS of the child);
* times the public Python API over already-parsed tickets: ``Policy.evaluate`` in a loop,
  ``evaluate_many``, ``evaluate_many_json`` (the same as JSON text, without models), and
  ``Policy.evaluate`` followed by ``model_dump_json``.

Targets: 1,000,000 tickets in under 60 s end to end, peak memory under 300 MB and flat in N,
and at least 30,000 tickets/s through the API.

``--python PATH`` (repeatable) runs the same timings under other interpreters on the same
tickets, e.g. a virtual environment with the compiled build next to the default one:

    .venv/bin/python benchmarks/evaluate.py --n 100000 \
        --python .venv/bin/python --python .venv-compiled/bin/python
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "examples" / "saas-support.yaml"
AS_OF = "2026-12-31T12:00:00+01:00"
TIERS = ["enterprise", "business", "pro", "free"]
PRIORITIES = ["urgent", "high", "normal", "low"]
CHANNELS = ["email", "chat", "phone", "forum"]


def synthetic_ticket(rng: random.Random, number: int) -> dict[str, object]:
    """A ticket with about eight events: a realistic mix, all before the benchmark's as_of."""
    created = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 500_000))
    t = created
    events: list[dict[str, object]] = []

    def at(minutes: int) -> str:
        nonlocal t
        t = t + timedelta(minutes=minutes)
        return t.isoformat()

    events.append({"at": at(rng.randrange(5, 600)), "type": "agent_reply"})
    for _ in range(rng.randrange(1, 4)):
        events.append({"at": at(rng.randrange(30, 2000)), "type": "customer_message"})
        if rng.random() < 0.4:
            events.append({"at": at(rng.randrange(5, 300)), "type": "status", "status": "pending"})
            events.append({"at": at(rng.randrange(60, 3000)), "type": "status", "status": "open"})
        events.append({"at": at(rng.randrange(10, 900)), "type": "agent_reply"})
    if rng.random() < 0.2:
        events.append(
            {
                "at": at(rng.randrange(5, 600)),
                "type": "field",
                "field": "priority",
                "value": rng.choice(PRIORITIES),
            }
        )
    if rng.random() < 0.8:
        events.append({"at": at(rng.randrange(10, 900)), "type": "status", "status": "solved"})
        if rng.random() < 0.15:
            events.append({"at": at(rng.randrange(60, 3000)), "type": "customer_message"})
            events.append({"at": at(rng.randrange(10, 900)), "type": "agent_reply"})
            events.append({"at": at(rng.randrange(10, 900)), "type": "status", "status": "solved"})
    return {
        "id": f"T-{number}",
        "created_at": created.isoformat(),
        "fields": {
            "priority": rng.choice(PRIORITIES),
            "tier": rng.choice(TIERS),
            "channel": rng.choice(CHANNELS),
            "monthly_fee": "1200.00",
        },
        "events": events,
    }


def write_tickets(path: Path, n: int, seed: int) -> float:
    rng = random.Random(seed)
    events = 0
    with path.open("w", encoding="utf-8") as out:
        for number in range(n):
            ticket = synthetic_ticket(rng, number)
            events += len(ticket["events"])  # type: ignore[arg-type]
            out.write(json.dumps(ticket) + "\n")
    return events / n


def run_cli(
    python: str, tickets: Path, output: Path, command_name: str = "evaluate", fmt: str = "jsonl"
) -> tuple[float, float, str]:
    """Run a servicepolicy command; returns its seconds, its own peak RSS (MB), its stderr."""
    command = [
        python,
        "-m",
        "servicepolicy",
        command_name,
        str(POLICY),
        str(tickets),
        "--as-of",
        AS_OF,
        "--format",
        fmt,
        "-o",
        str(output),
    ]
    if command_name == "report":
        command += ["--by", "priority,tier,week"]
    start = time.perf_counter()
    with tempfile.TemporaryFile(mode="w+") as err:
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        err.seek(0)
        stderr = err.read().strip()
    if child.returncode not in (0, 1):
        sys.exit(f"{command_name} failed: {stderr}")
    return seconds, usage.ru_maxrss / 1024, stderr


def run_api(tickets: Path, limit: int) -> dict[str, float]:
    """Tickets per second through the public API, over already-parsed tickets."""
    from servicepolicy import Ticket, evaluate_many, load_policy

    try:
        from servicepolicy import evaluate_many_json
    except ImportError:  # an earlier build, timed beside this one
        evaluate_many_json = None

    policy = load_policy(POLICY)
    as_of = datetime.fromisoformat(AS_OF)
    with tickets.open(encoding="utf-8") as source:
        parsed = [
            Ticket.from_dict(json.loads(line))
            for _, line in zip(range(limit), source, strict=False)
        ]
    policy.evaluate(parsed[0], as_of)  # prepares the policy, as any first call does
    # The parsed tickets are new objects: without this, the first timing below would also pay
    # the collector's passes over them as they age, which is the parsing's cost.
    gc.collect()
    rates = {}
    start = time.perf_counter()
    for ticket in parsed:
        policy.evaluate(ticket, as_of)
    rates["Policy.evaluate"] = len(parsed) / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in evaluate_many(policy, parsed, as_of):
        pass
    rates["evaluate_many"] = len(parsed) / (time.perf_counter() - start)
    if evaluate_many_json is not None:
        start = time.perf_counter()
        for _ in evaluate_many_json(policy, parsed, as_of):
            pass
        rates["evaluate_many_json"] = len(parsed) / (time.perf_counter() - start)
    start = time.perf_counter()
    for ticket in parsed:
        evaluation = policy.evaluate(ticket, as_of)
        evaluation.model_dump_json()
    rates["Policy.evaluate + model_dump_json"] = len(parsed) / (time.perf_counter() - start)
    return rates


def build_of(python: str) -> str:
    """Which build of servicepolicy ``python`` imports: compiled (mypyc) or plain Python."""
    probe = (
        "try:\n"
        "    from servicepolicy._common.build import COMPILED\n"
        "except ImportError:  # a release from before the build module, timed beside this one\n"
        "    import servicepolicy._evaluate as m\n"
        "    COMPILED = not m.__file__.endswith('.py')\n"
        "print(COMPILED)"
    )
    where = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True)
    return "compiled" if where.stdout.strip() == "True" else "plain Python"


def api_in(python: str, tickets: Path, limit: int) -> dict[str, float]:
    """:func:`run_api` under another interpreter (this script again, with ``--api-from``)."""
    command = [python, __file__, "--api-from", str(tickets), "--api-n", str(limit)]
    return json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def time_build(python: str, tickets: Path, output: Path, args: argparse.Namespace) -> dict:
    """Every timing of one interpreter; prints them as it goes and returns the rates."""
    print(f"== {python} ({build_of(python)})")
    seconds, peak_mb, summary = run_cli(python, tickets, output)
    rate = args.n / seconds
    rates = {"CLI evaluate": rate}
    print(
        f"CLI  evaluate jsonl -> jsonl: {seconds:.1f} s, {rate:,.0f} tickets/s, "
        f"peak RSS {peak_mb:.0f} MB  ({summary})"
    )
    print(
        f"     projected for 1,000,000 tickets: {1_000_000 / rate:.0f} s "
        f"(target < 60 s: {'PASS' if 1_000_000 / rate < 60 else 'FAIL'}); "
        f"memory target < 300 MB: {'PASS' if peak_mb < 300 else 'FAIL'}"
    )
    if args.report:
        seconds, peak_mb, _ = run_cli(python, tickets, output, "report", "json")
        rates["CLI report"] = args.n / seconds
        print(
            f"CLI  report --by priority,tier,week: {seconds:.1f} s, "
            f"{args.n / seconds:,.0f} tickets/s, peak RSS {peak_mb:.0f} MB"
        )
    if not args.skip_api:
        for path, api_rate in api_in(python, tickets, min(args.api_n, args.n)).items():
            rates[f"API {path}"] = api_rate
            verdict = "PASS" if api_rate >= 30_000 else "FAIL"
            print(f"API  {path}: {api_rate:,.0f} tickets/s (target >= 30,000: {verdict})")
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="tickets (default 100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--api-n", type=int, default=50_000, help="tickets for the API timing")
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--report", action="store_true", help="also time `servicepolicy report`")
    parser.add_argument(
        "--python",
        action="append",
        help="an interpreter to time (repeatable; default: this one)",
    )
    parser.add_argument("--api-from", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.api_from:  # the API timing, asked for by api_in under this interpreter
        print(json.dumps(run_api(args.api_from, args.api_n)))
        return
    pythons = args.python or [sys.executable]
    with tempfile.TemporaryDirectory() as tmp:
        tickets, output = Path(tmp) / "tickets.jsonl", Path(tmp) / "out.jsonl"
        per_ticket = write_tickets(tickets, args.n, args.seed)
        size = tickets.stat().st_size / 1e6
        print(f"{args.n} tickets, {per_ticket:.1f} events each, {size:.0f} MB of JSON Lines")
        results = [time_build(python, tickets, output, args) for python in pythons]
    if len(results) > 1:
        print(f"== speed relative to {pythons[0]}")
        for python, rates in zip(pythons[1:], results[1:], strict=True):
            ratios = ", ".join(
                f"{k} {v / results[0][k]:.2f}x" for k, v in rates.items() if k in results[0]
            )
            print(f"{python}: {ratios}")


if __name__ == "__main__":
    main()
