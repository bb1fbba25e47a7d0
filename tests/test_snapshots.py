"""The example policies evaluated on their example tickets match the committed snapshots."""

import sys

import pytest

from tests.paths import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from generate_snapshots import snapshot_cases, snapshot_text

CASES = snapshot_cases()


def test_there_are_snapshots():
    assert CASES


@pytest.mark.parametrize(
    ("policy", "tickets", "as_of", "snapshot"), CASES, ids=[c[3].name for c in CASES]
)
def test_snapshot_is_current(policy, tickets, as_of, snapshot):
    expected = snapshot.read_text(encoding="utf-8")
    assert snapshot_text(policy, tickets, as_of) == expected, (
        f"{snapshot.name} is out of date: if the change is intended, run "
        "`.venv/bin/python scripts/generate_snapshots.py` and review the diff"
    )
