"""Reports over many evaluations: compliance figures (:mod:`.report`) and their rendering
(:mod:`.render`), what-if comparisons of two policies (:mod:`.compare`), and policy tests
(:mod:`.policy_tests`, with the expectations they compare, :mod:`.expectations`)."""

from .compare import MAX_IDS, Comparison, PolicyDiff, compare_policies
from .expectations import compare, parse_path
from .policy_tests import CaseResult, PolicyTestError, find_test_files, run_test_file
from .report import MinuteHistogram, Report

__all__ = [
    "MAX_IDS",
    "CaseResult",
    "Comparison",
    "MinuteHistogram",
    "PolicyDiff",
    "PolicyTestError",
    "Report",
    "compare",
    "compare_policies",
    "find_test_files",
    "parse_path",
    "run_test_file",
]
