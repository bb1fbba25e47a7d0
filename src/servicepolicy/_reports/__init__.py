"""Reports over many evaluations: compliance reports, what-if comparisons, policy tests."""
