"""Where an evaluation's time goes: each step of the CLI and API paths timed alone.

    .venv/bin/python benchmarks/evaluate_pieces.py --n 20000

Uses the tickets of ``benchmarks/evaluate.py`` and the SaaS example policy.  Each step runs
over all N tickets with the inputs it needs made beforehand and the garbage collector frozen
after set-up, so no step pays collections for another's objects; its results are dropped as
they come, as in the CLI.  Run it under another interpreter (a compiled build) to compare.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import time
from collections.abc import Callable, Iterable
from datetime import datetime

from evaluate import AS_OF, POLICY, synthetic_ticket
from pydantic_core import to_json

from servicepolicy import Ticket, load_policy
from servicepolicy._common import COMPILED
from servicepolicy._evaluation import JsonWriter, prepared, to_evaluation
from servicepolicy._tickets import read_parts, scanned


def per_item(step: Callable[[object], object], items: Iterable[object], n: int) -> float:
    """Microseconds per item of ``step`` over ``items``, with the collector frozen: the best
    of three passes, as this machine's speed varies from one second to the next."""
    gc.collect()
    gc.freeze()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for item in items:
            step(item)
        best = min(best, time.perf_counter() - start)
    gc.unfreeze()
    return best / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="tickets (default 20000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    build = "compiled" if COMPILED else "plain Python"
    print(f"{args.n} tickets, servicepolicy build: {build}")

    rng = random.Random(args.seed)
    lines = [json.dumps(synthetic_ticket(rng, number)) for number in range(args.n)]
    data = [json.loads(line) for line in lines]
    parts = [read_parts(item) for item in data]
    tickets = [Ticket.from_dict(item) for item in data]
    evaluator = prepared(load_policy(POLICY))
    as_of = datetime.fromisoformat(AS_OF)
    outcomes = [evaluator.outcome(ticket, as_of) for ticket in tickets]
    # The floor under the JSON writer: the same records as dicts of ready-made values.
    outcome_json = JsonWriter().outcome_json  # one writer, as a batch keeps one
    records = [json.loads(outcome_json(outcome)) for outcome in outcomes]

    steps: list[tuple[str, Callable[[object], object], list[object]]] = [
        ("reading the line's JSON", scanned, lines),
        ("reading the ticket (parts)", read_parts, data),
        ("evaluation of the parts", lambda t: evaluator.outcome_of(t, as_of), parts),
        ("Ticket.from_dict", Ticket.from_dict, data),
        ("evaluation of a Ticket", lambda t: evaluator.outcome(t, as_of), tickets),
        ("JSON line from the outcome", outcome_json, outcomes),
        ("public models from the outcome", to_evaluation, outcomes),
        ("serializer alone, values ready", to_json, records),
    ]
    for name, step, items in steps:
        print(f"{name:32s} {per_item(step, items, args.n):6.1f} µs per ticket")


if __name__ == "__main__":
    main()
