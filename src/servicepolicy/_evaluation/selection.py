"""Which SLA entry applies to a ticket: the first whose ``when`` matches, found by index.

A policy may hold thousands of entries keyed on a customer field.  Testing them in order
costs a ticket time in proportion to their number, and no memo helps when every ticket has a
value of its own.  So an entry whose ``when`` requires a field to equal one of some values
(``{customer: acme}``, ``{tier: [gold, silver]}``, ``{tier: {in: [...]}}``,
``{tier: {eq: gold}}``) is filed under those values: it is a candidate only for tickets whose
field holds one of them.  Every other entry is a candidate for every ticket.  Candidates are
tested in the policy's order, so the answer is the one a test of every entry in order gives.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from decimal import Decimal
from heapq import merge
from typing import Any, Final

from .._common.field_memo import MISSING
from .._common.numbers import as_number
from .._policy.conditions import compile_condition
from .._policy.model import SlaPolicy

_SCALARS: Final = (str, int, Decimal, bool, type(None))

Fields = Mapping[str, Any]


def equality_key(value: Any) -> Hashable | None:
    """A key such that two values a condition finds equal have equal keys, and values it
    finds unequal have different ones; None for a value without one (a container, an
    object of another type), which must be tested."""
    if isinstance(value, bool):
        return (bool, value)
    number = as_number(value)
    if number is not None:
        return (Decimal, number)  # equal numbers hash alike: 1 == Decimal("1.00")
    if value is None or isinstance(value, str):
        return (str, value)
    return None


def required_values(spec: Any) -> tuple[str, list[Hashable]] | None:
    """A field a ``when`` mapping requires to equal one of some values, with their keys; None
    when it requires none."""
    if not isinstance(spec, dict):
        return None
    for name, test in spec.items():
        if name in ("any_of", "all_of", "not"):
            continue
        values: Any = None
        if isinstance(test, list):
            values = test
        elif isinstance(test, dict):
            if "eq" in test:
                values = [test["eq"]]
            elif "in" in test:
                values = test["in"]
        else:
            values = [test]
        if isinstance(values, list) and all(isinstance(v, _SCALARS) for v in values):
            keys = [equality_key(v) for v in values]
            if all(key is not None for key in keys):
                return name, keys
    return None


class EntrySelector:
    """The first SLA entry whose ``when`` matches a ticket's fields, found by index."""

    def __init__(self, entries: list[SlaPolicy]) -> None:
        self._tests: list[Callable[[Fields], bool] | None] = []
        self._always: list[int] = []
        self._by_field: dict[str, dict[Hashable, list[int]]] = {}
        for number, entry in enumerate(entries):
            spec = entry.when.spec if entry.when is not None else None
            self._tests.append(compile_condition(spec) if spec else None)
            required = required_values(spec)
            if required is None:
                self._always.append(number)
                continue
            name, keys = required
            table = self._by_field.setdefault(name, {})
            for key in dict.fromkeys(keys):  # a value listed twice files the entry once
                table.setdefault(key, []).append(number)

    def first(self, fields: Fields) -> int | None:
        """The position of the first entry whose ``when`` matches ``fields``, or None."""
        found: list[list[int]] = [self._always]
        for name, table in self._by_field.items():
            value = fields.get(name, MISSING)
            if value is MISSING:
                continue  # a missing field equals nothing
            key = equality_key(value)
            if key is None:
                return self._test(fields, range(len(self._tests)))
            numbers = table.get(key)
            if numbers is not None:
                found.append(numbers)
        return self._test(fields, found[0] if len(found) == 1 else merge(*found))

    def _test(self, fields: Fields, numbers: Iterable[int]) -> int | None:
        for number in numbers:
            test = self._tests[number]
            if test is None or test(fields):
                return number
        return None
