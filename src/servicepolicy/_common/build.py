"""Which build is loaded: the plain Python sources, or the same sources compiled by mypyc.

This module is compiled with the evaluation core (docs/performance.md), so it can tell which
build is running from its own file; nothing else in the package asks.  The few choices that
depend on the build are made here too.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Final

COMPILED: Final = not __file__.endswith(".py")
"""True when the evaluation core runs compiled."""

STEPPING_SEARCH: Final = COMPILED
"""Whether the clock's searches first step over a few sorted values near the answer before
they bisect.  Compiled, a step costs a fraction of a ``bisect`` call and the searches start
next to their answer (the first interval of an instant's day, the interval holding a start):
evaluating a ticket takes 16 µs stepping against 21 µs bisecting (``benchmarks/
evaluate_pieces.py`` on a compiled build of each).  Interpreted, the bisect (written in C) is
faster than any Python-level stepping."""

_STEPS: Final = 8  # values a stepping search steps over before it falls back to bisection


def bisect_right_near(values: list[int], x: int, lo: int) -> int:
    """``bisect_right(values, x, lo)``, for a search that starts near its answer; with
    :data:`STEPPING_SEARCH` it first steps over a few values from ``lo``."""
    if not STEPPING_SEARCH:
        return bisect_right(values, x, lo)
    i = lo
    last = min(lo + _STEPS, len(values))
    while i < last and values[i] <= x:
        i += 1
    if i < last or i == len(values):
        return i
    return bisect_right(values, x, i)
