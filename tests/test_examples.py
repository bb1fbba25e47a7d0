"""Every example policy loads, with no finding at all (not even a warning)."""

from __future__ import annotations

import pytest

from servicepolicy import Policy, check_policy_file, load_policy
from tests.paths import ROOT

EXAMPLES_DIR = ROOT / "policies" / "examples"
EXAMPLES = sorted(
    p for p in EXAMPLES_DIR.rglob("*.yaml") if not p.name.endswith((".tests.yaml", ".tests.yml"))
)
IDS = [p.relative_to(EXAMPLES_DIR).as_posix() for p in EXAMPLES]


def test_there_are_examples():
    assert EXAMPLES_DIR / "saas-support.yaml" in EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=IDS)
def test_example_loads(path):
    policy = load_policy(path)
    assert isinstance(policy, Policy)
    assert policy.sla


@pytest.mark.parametrize("path", EXAMPLES, ids=IDS)
def test_example_has_no_findings(path):
    policy, findings = check_policy_file(path)
    assert [str(f) for f in findings] == []
    assert policy is not None
    for sla in policy.sla:
        policy.calendar(sla.calendar)
