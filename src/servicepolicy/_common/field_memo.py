"""Remembering a predicate's answers per combination of the ticket fields it reads.

Every ticket asks which SLA entry and which compensation rules apply to its fields, and most
tickets share their values, so the compiled build (docs/performance.md) compiles this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final, TypeVar

from .memo import BoundedMemo

MISSING: Final = object()
"""The value of a field a ticket does not have."""

_T = TypeVar("_T")
_PLAIN: Final = frozenset({str, int, float, Decimal, bool, type(None), object})  # object: MISSING


def memoized(
    predicate: Callable[[Mapping[str, Any]], _T], names: set[str]
) -> Callable[[Mapping[str, Any]], _T]:
    """``predicate`` (any function of fields) remembering its answer per combination of the
    values of ``names``.

    A predicate looks only at the fields in ``names``, so equal values give equal answers.
    Only plain values (strings, numbers, booleans, None, a missing field) are remembered, keyed
    with their type (``True`` and ``1`` match differently); containers are not.
    """
    ordered = tuple(sorted(names))
    memo: BoundedMemo[tuple[Any, ...], _T] = BoundedMemo()

    def test(fields: Mapping[str, Any]) -> _T:
        values = [fields.get(n, MISSING) for n in ordered]
        for value in values:
            if type(value) not in _PLAIN:  # containers: (True,) == (1,), yet they match apart
                return predicate(fields)
        key = tuple([(type(v), v) for v in values])
        try:
            return memo[key]  # None is a possible answer: a miss is a KeyError
        except KeyError:
            pass
        except TypeError:  # an unhashable plain value: a signalling NaN
            return predicate(fields)
        return memo.put(key, predicate(fields))

    return test
