"""Numbers as the policy and tickets write them: decimals, never floats."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


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
