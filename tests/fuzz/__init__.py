"""Bounded, deterministic fuzz tests (``HYPOTHESIS_PROFILE=ci`` derandomizes them): policy
text, holiday rules, time zone names and ticket lines, each fed to the public API or the
command line, which must answer with findings or error records, never an exception, and
within the hang guard."""
