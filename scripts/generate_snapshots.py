"""Rebuild tests/snapshots/: every example policy evaluated on its example tickets.

    .venv/bin/python scripts/generate_snapshots.py

Any change to the evaluation rules then shows up as a reviewable diff.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from servicepolicy.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "policies" / "examples"
SNAPSHOTS = ROOT / "tests" / "data" / "snapshots"
AS_OF = ("2026-11-23T13:00:00+01:00", "2026-12-30T13:00:00+01:00")


def snapshot_text(policy: Path, tickets: Path, as_of: str) -> str:
    """The JSON Lines output of ``servicepolicy evaluate`` for one example and moment."""
    out, err = io.StringIO(), io.StringIO()
    main(
        ["evaluate", str(policy), str(tickets), "--as-of", as_of, "--format", "jsonl"],
        stdout=out,
        stderr=err,
        now=datetime.fromisoformat(as_of),
    )
    return out.getvalue()


def snapshot_cases() -> list[tuple[Path, Path, str, Path]]:
    """(policy, tickets, as_of, snapshot file) for every example with tickets."""
    cases = []
    for tickets in sorted(EXAMPLES.glob("*.tickets.jsonl")):
        policy = EXAMPLES / (tickets.name.removesuffix(".tickets.jsonl") + ".yaml")
        for as_of in AS_OF:
            name = f"{policy.stem}@{as_of[:10]}.jsonl"
            cases.append((policy, tickets, as_of, SNAPSHOTS / name))
    return cases


if __name__ == "__main__":
    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    for policy, tickets, as_of, target in snapshot_cases():
        target.write_text(snapshot_text(policy, tickets, as_of), encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")
