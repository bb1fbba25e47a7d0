"""What the fuzz tests share: the hang guard, the example policies and tickets, and the
checks that every finding and every batch of evaluations must pass."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import Any

from servicepolicy import Evaluation, Finding, Policy, evaluate_many, evaluate_many_json
from tests.paths import EXAMPLES

HANG_GUARD_SECONDS = 20
AS_OF = datetime.fromisoformat("2026-11-23T13:00:00+01:00")

POLICY_FILES = sorted(
    path for path in EXAMPLES.glob("*.yaml") if not path.name.endswith(".tests.yaml")
)
POLICY_TEXTS = [path.read_text(encoding="utf-8") for path in POLICY_FILES]

# The example tickets, and a few that cannot be evaluated, for policies that load.
EXAMPLE_TICKETS: list[Any] = [
    json.loads(line, parse_float=Decimal)
    for path in sorted(EXAMPLES.glob("*.tickets.jsonl"))
    for line in path.read_text(encoding="utf-8").splitlines()
    if line.strip()
]
BAD_TICKETS: list[Any] = [
    {"id": "no-created-at"},
    {"id": ["a"], "created_at": "2026-11-20T10:00:00+01:00"},
    {"id": "naive", "created_at": "2026-11-20T10:00:00"},
    {"id": "far", "created_at": "2200-01-01T00:00:00+00:00"},
    {"id": "bad-events", "created_at": "2026-11-20T10:00:00+01:00", "events": [{"at": 1}]},
    "not a ticket",
]

# The line breaks of YAML: a finding's line counts every one of them.
_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


@contextmanager
def hang_guard() -> Iterator[None]:
    """Fail when the block takes longer than the hang guard: a hang, not a benchmark."""
    started = time.perf_counter()
    yield
    assert time.perf_counter() - started < HANG_GUARD_SECONDS


def assert_well_formed(findings: list[Finding], text: str) -> None:
    """Every finding has a code, a message, and a place: a line of the text (1-based, counting
    YAML's line breaks) or 0 for the file as a whole."""
    lines = len(_YAML_BREAK.findall(text)) + 1
    for finding in findings:
        assert finding.code, finding
        assert finding.message, finding
        assert finding.severity in ("error", "warning"), finding
        if finding.line == 0:
            assert finding.column == 0, finding
        else:
            assert 1 <= finding.line <= lines, (finding, lines)
            assert finding.column >= 1, finding


def assert_evaluates(policy: Policy, tickets: list[Any], as_of: datetime = AS_OF) -> None:
    """Each ticket gives one evaluation (an error record when it is bad), and the JSON texts
    are the evaluations' own ``model_dump_json()``."""
    evaluations: list[Evaluation] = list(evaluate_many(policy, tickets, as_of))
    texts = list(evaluate_many_json(policy, tickets, as_of))
    assert len(evaluations) == len(texts) == len(tickets)
    for evaluation, text in zip(evaluations, texts, strict=True):
        assert evaluation.model_dump_json() == text
        assert evaluation.ok == (not evaluation.errors)
