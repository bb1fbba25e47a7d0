"""Leaf utilities shared by every layer: errors, durations, instants, numbers and money, the
bounded memo, pydantic's internals, the domain's vocabulary, and which build is loaded.

Nothing here imports from the rest of the package.
"""

from .build import COMPILED, STEPPING_SEARCH, bisect_right_near
from .fastmodel import PRIVATE_STATE, build_model, private_value, set_private_value, state_without
from .field_memo import MISSING, memoized
from .instants import from_micros, instant, to_micros
from .memo import BoundedMemo
from .money import decimals_of, known_currencies, minor_units, money_text, quantize, to_decimal
from .numbers import as_number

__all__ = [
    "COMPILED",
    "MISSING",
    "PRIVATE_STATE",
    "STEPPING_SEARCH",
    "BoundedMemo",
    "as_number",
    "bisect_right_near",
    "build_model",
    "decimals_of",
    "from_micros",
    "instant",
    "known_currencies",
    "memoized",
    "minor_units",
    "money_text",
    "private_value",
    "quantize",
    "set_private_value",
    "state_without",
    "to_decimal",
    "to_micros",
]
