"""The public surface: ``servicepolicy.__all__`` is exactly the public names, sorted, each
documented and each saying it is servicepolicy's own."""

from __future__ import annotations

import inspect
from pathlib import Path

import servicepolicy

PUBLIC = [
    "Award",
    "BreachCauses",
    "BusinessDays",
    "Calendar",
    "CalendarError",
    "ClockRules",
    "ComplianceReport",
    "Condition",
    "DueMove",
    "DurationError",
    "EscalationLevel",
    "Evaluation",
    "Event",
    "Finding",
    "FiredEscalation",
    "GroupFigures",
    "Holiday",
    "Measurement",
    "MetricChange",
    "MetricClockRules",
    "MetricFigures",
    "MetricResult",
    "NaiveDatetimeError",
    "Policy",
    "PolicyDiff",
    "PolicyError",
    "PolicySet",
    "RefundDecision",
    "Season",
    "Segment",
    "ServicePolicyError",
    "SlaPolicy",
    "Target",
    "Targets",
    "Ticket",
    "TicketError",
    "UnreadTicket",
    "check_policy_file",
    "check_policy_text",
    "compare_policies",
    "evaluate_many",
    "evaluate_many_json",
    "format_duration",
    "iso_duration",
    "load_policy",
    "load_policy_set",
    "parse_duration",
    "parse_policy",
    "parse_span",
    "policy_schema",
    "read_tickets",
    "report",
]


def test_all_is_the_public_names_sorted():
    assert servicepolicy.__all__ == PUBLIC
    assert servicepolicy.__all__ == sorted(servicepolicy.__all__)


def test_the_package_shows_no_other_public_name():
    shown = {name for name in vars(servicepolicy) if not name.startswith("_")}
    # public modules, imported on their own
    subpackages = {"adapters", "arrow", "cli", "dask", "spark"}
    assert shown - subpackages == set(PUBLIC)


def test_every_public_name_has_a_docstring():
    for name in servicepolicy.__all__:
        assert inspect.getdoc(getattr(servicepolicy, name)), f"{name} has no docstring"


def test_every_public_name_says_it_is_servicepolicys():
    # Reprs, docs and pickles then never name a private module.  (Public functions are plain
    # Python in both builds: a compiled function would keep its own module and no docstring.)
    for name in servicepolicy.__all__:
        obj = getattr(servicepolicy, name)
        assert not inspect.isbuiltin(obj), f"{name} is compiled"
        assert obj.__module__ == "servicepolicy", name
        if inspect.isclass(obj):
            assert repr(obj) == f"<class 'servicepolicy.{name}'>"


def test_py_typed_is_shipped():
    assert (Path(servicepolicy.__file__).parent / "py.typed").exists()
