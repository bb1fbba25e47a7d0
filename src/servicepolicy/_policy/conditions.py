"""``when:`` conditions: which tickets a rule applies to.

A condition is a mapping; every entry must hold::

    {tier: enterprise}                        # equals
    {tier: [enterprise, business]}            # one of
    {monthly_fee: {gte: 1000, lt: 5000}}      # operators: eq ne in not_in contains
                                              #   matches gt gte lt lte exists
    {any_of: [{tier: enterprise}, {channel: phone}]}
    {all_of: [...]}   {not: {tier: free}}

Numbers compare as decimals, so ``"1200.00"`` in a ticket equals ``1200`` in a policy.
A field the ticket does not have matches only ``ne``, ``not_in`` and ``exists: false``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from .._common.field_memo import MISSING, memoized
from .._common.numbers import as_number
from .._i18n import N_

Fields = Mapping[str, Any]
_OPERATORS = (
    "eq",
    "ne",
    "in",
    "not_in",
    "contains",
    "matches",
    "gt",
    "gte",
    "lt",
    "lte",
    "exists",
)
MATCHED_LENGTH = 1000
"""How much of a text ``matches`` searches: its first characters, so that no pattern costs
more than a bounded text allows."""
_SCALARS = (str, int, Decimal, bool, type(None))

# The messages of a malformed condition, in English; ``validate --lang ar`` finds each again
# by its shape.  A finding shows them with the braces of a mapping turned into parentheses
# (see ``SpecValue._validate``), so a mapping given as an example is a value (``{example}``),
# never text of the template.
NOT_A_MAPPING = N_("a condition must be a mapping such as {example}")
_NEEDS_LIST = N_("{operator} needs a list of values")
_NEEDS_NUMBER = N_("{operator} needs a number, got {value}")
_NEEDS_BOOLEAN = N_("'exists' needs true or false")
_NEEDS_PATTERN_TEXT = N_("'matches' needs a regular expression as text")
_NEEDS_PATTERN = N_("'matches' needs a regular expression: {error}")
_NEEDS_SINGLE_VALUE = N_("{operator} needs a single value")
_PLAIN_VALUES = N_("a list of values may hold only plain values")
_NO_OPERATOR = N_("an operator mapping needs at least one operator")
_UNKNOWN_OPERATOR = N_("unknown operator {operator}; use one of {operators}")
_NEEDS_CONDITIONS = N_("{key} needs a non-empty list of conditions")


class ConditionError(ValueError):
    """A malformed condition; ``subpath`` says where inside it."""

    def __init__(
        self, message: str, subpath: tuple[str | int, ...] = (), *, on_key: bool = False
    ) -> None:
        super().__init__(message)
        self.subpath = subpath
        self.on_key = on_key


def _equal(actual: Any, expected: Any) -> bool:
    if actual is MISSING:
        return False
    a, b = as_number(actual), as_number(expected)
    if a is not None and b is not None:
        return a == b
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    return bool(actual == expected)


def _compare(op: str, bound: Decimal) -> Callable[[Any], bool]:
    def test(actual: Any) -> bool:
        number = as_number(actual)
        if number is None:
            return False
        if op == "gt":
            return number > bound
        if op == "gte":
            return number >= bound
        if op == "lt":
            return number < bound
        return number <= bound

    return test


def _contains(needle: Any) -> Callable[[Any], bool]:
    text = needle if isinstance(needle, str) else _number_text(needle)

    def test(actual: Any) -> bool:
        if isinstance(actual, str):
            return text is not None and text in actual
        if isinstance(actual, list | tuple | set | frozenset):
            return any(_equal(item, needle) for item in actual)
        return False

    return test


Test = Callable[[Any], bool]
Predicate = Callable[[Fields], bool]


def _operator(op: str, arg: Any, where: tuple[str | int, ...]) -> Test:
    if op in ("in", "not_in"):
        if not isinstance(arg, list) or not all(isinstance(x, _SCALARS) for x in arg):
            raise ConditionError(_NEEDS_LIST.format(operator=repr(op)), where)
        options = list(arg)
        inside: Test = lambda v: any(_equal(v, o) for o in options)  # noqa: E731
        return inside if op == "in" else (lambda v: not inside(v))
    if op in ("gt", "gte", "lt", "lte"):
        bound = as_number(arg)
        if bound is None:
            raise ConditionError(_NEEDS_NUMBER.format(operator=repr(op), value=repr(arg)), where)
        return _compare(op, bound)
    if op == "exists":
        if not isinstance(arg, bool):
            raise ConditionError(_NEEDS_BOOLEAN, where)
        return lambda v: (v is not MISSING) == arg
    if op == "matches":
        if not isinstance(arg, str):
            raise ConditionError(_NEEDS_PATTERN_TEXT, where)
        try:
            pattern = re.compile(arg)
        except re.error as exc:
            raise ConditionError(_NEEDS_PATTERN.format(error=exc), where) from None
        return lambda v: isinstance(v, str) and pattern.search(v[:MATCHED_LENGTH]) is not None
    if not isinstance(arg, _SCALARS):
        raise ConditionError(_NEEDS_SINGLE_VALUE.format(operator=repr(op)), where)
    if op == "eq":
        return lambda v: _equal(v, arg)
    if op == "ne":
        return lambda v: not _equal(v, arg)
    return _contains(arg)


def _field_test(spec: Any, where: tuple[str | int, ...]) -> Test:
    if isinstance(spec, list):
        if not all(isinstance(x, _SCALARS) for x in spec):
            raise ConditionError(_PLAIN_VALUES, where)
        return lambda v: any(_equal(v, o) for o in spec)
    if isinstance(spec, dict):
        if not spec:
            raise ConditionError(_NO_OPERATOR, where)
        tests = []
        for op, arg in spec.items():
            if op not in _OPERATORS:
                raise ConditionError(
                    _UNKNOWN_OPERATOR.format(operator=repr(op), operators=", ".join(_OPERATORS)),
                    (*where, op),
                    on_key=True,
                )
            tests.append(_operator(op, arg, (*where, op)))
        return lambda v: all(t(v) for t in tests)
    return lambda v: _equal(v, spec)


def compile_condition(spec: Any, where: tuple[str | int, ...] = ()) -> Predicate:
    """Turn a ``when:`` mapping into a predicate on ticket fields (or :class:`ConditionError`)."""
    if not isinstance(spec, dict):
        raise ConditionError(NOT_A_MAPPING.format(example="{tier: enterprise}"), where)
    parts: list[Predicate] = []
    for key, value in spec.items():
        here = (*where, key)
        if key in ("any_of", "all_of"):
            if not isinstance(value, list) or not value:
                raise ConditionError(_NEEDS_CONDITIONS.format(key=repr(key)), here)
            subs = [compile_condition(item, (*here, i)) for i, item in enumerate(value)]
            parts.append(_any(subs) if key == "any_of" else _all(subs))
        elif key == "not":
            parts.append(_negate(compile_condition(value, here)))
        else:
            parts.append(_on_field(key, _field_test(value, here)))
    return _all(parts)


def _any(subs: list[Predicate]) -> Predicate:
    return lambda fields: any(s(fields) for s in subs)


def _all(subs: list[Predicate]) -> Predicate:
    return lambda fields: all(s(fields) for s in subs)


def _negate(sub: Predicate) -> Predicate:
    return lambda fields: not sub(fields)


def _on_field(name: str, test: Test) -> Predicate:
    return lambda fields: test(fields.get(name, MISSING))


def _number_text(value: Any) -> str | None:
    """A number as the text it was written with (``Decimal("1.10")`` -> ``"1.10"``)."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    return str(value)


def canonical(spec: Any, *, substring: bool = False) -> Any:
    """``spec`` with values in the form that decides matching: numbers as normalised Decimals,
    except ``contains`` arguments, which match as text.  Two conditions with equal canonical
    forms match exactly the same tickets."""
    if isinstance(spec, dict):
        return {
            key: canonical(value, substring=key in ("contains", "matches"))
            for key, value in spec.items()
        }
    if isinstance(spec, list):
        return [canonical(value) for value in spec]
    if substring:
        return ("text", _number_text(spec) or spec)
    number = as_number(spec)
    return number.normalize() if number is not None else spec


def condition_fields(spec: Any) -> set[str]:
    """The ticket field names a condition looks at."""
    found: set[str] = set()
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in ("any_of", "all_of") and isinstance(value, list):
                for item in value:
                    found |= condition_fields(item)
            elif key == "not":
                found |= condition_fields(value)
            else:
                found.add(key)
    return found


class SpecValue:
    """A value written as a mapping in a policy file and built by ``cls(spec)``.

    Subclasses raise :class:`ConditionError` for a bad spec; pydantic then reports it with the
    path inside the mapping, and serialises the value back to its spec.
    """

    __slots__ = ()
    spec: dict[str, Any]
    schema_description = ""

    def __init__(self, spec: dict[str, Any]) -> None:
        raise NotImplementedError

    def __reduce__(self) -> tuple[type[SpecValue], tuple[dict[str, Any]]]:
        # Compiled predicates are closures: pickle the spec and compile again.
        return (type(self), (self.spec,))

    @classmethod
    def _validate(cls, value: Any) -> SpecValue:
        if isinstance(value, cls):
            return value
        try:
            return cls(value)
        except ConditionError as exc:
            raise PydanticCustomError(
                "invalid-condition",
                str(exc).replace("{", "(").replace("}", ")"),
                {"subpath": list(exc.subpath), "on_key": exc.on_key},
            ) from None

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda c: c.spec),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "object", "description": cls.schema_description}


class Condition(SpecValue):
    """A validated ``when:`` mapping; call :meth:`matches` with a ticket's fields."""

    __slots__ = ("_predicate", "spec")
    schema_description = (
        "Field conditions: {field: value}, {field: [values]}, "
        "{field: {op: arg}} with eq ne in not_in contains matches gt gte lt lte exists; "
        "any_of / all_of / not combine conditions."
    )

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self._predicate = memoized(compile_condition(spec), condition_fields(spec))

    def matches(self, fields: Fields) -> bool:
        """Whether the fields satisfy the condition."""
        return self._predicate(fields)

    def __repr__(self) -> str:
        return f"Condition({self.spec!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Condition) and canonical(other.spec) == canonical(self.spec)

    def __hash__(self) -> int:
        return hash(repr(canonical(self.spec)))
