"""Numbers as the policy and tickets write them: decimals, never floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Final

MAX_DIGITS: Final = 60
"""Most digits of a number the library takes from a policy or as an amount: enough for any
amount, count or percentage, and few enough that money arithmetic stays exact
(:data:`~.money.MONEY`)."""
MAX_EXPONENT: Final = 40
"""The largest power of ten, either way, of such a number (``1e40``, ``1e-40``)."""


def within_bounds(number: Decimal) -> bool:
    """Whether a finite ``number`` has at most :data:`MAX_DIGITS` digits and its power of ten
    lies within :data:`MAX_EXPONENT` either way."""
    _, digits, exponent = number.as_tuple()
    return (
        isinstance(exponent, int)
        and len(digits) <= MAX_DIGITS
        and -MAX_EXPONENT <= exponent <= MAX_EXPONENT
    )


def as_number(value: Any) -> Decimal | None:
    """``value`` as a Decimal when it is a number or a numeric string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None
