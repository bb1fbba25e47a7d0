"""Money: Decimal amounts, ISO 4217 minor units, explicit rounding.  Never a float.

Every computation with money (a percentage of an amount, a difference, a sum) runs in
:data:`MONEY`, wide enough to be exact for every amount and percentage the library accepts
(at most :data:`~.numbers.MAX_DIGITS` digits each), so that an amount is rounded once, by
:func:`quantize`, to its currency's minor unit.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from typing import Any, Final

from .memo import BoundedMemo
from .numbers import as_number, within_bounds

# ISO 4217 minor units (the list of current codes, as published by the maintenance agency).
_ZERO_PLACES = """
BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF
"""
_THREE_PLACES = "BHD IQD JOD KWD LYD OMR TND"
_FOUR_PLACES = "CLF UYW"
_TWO_PLACES = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD
CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD
MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP
PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS
TMT TOP TRY TTD TWD TZS UAH USD UZS VES WST XCD YER ZAR ZMW ZWG
"""
_MINOR_UNITS: dict[str, int] = {
    code: places
    for text, places in ((_ZERO_PLACES, 0), (_TWO_PLACES, 2), (_THREE_PLACES, 3), (_FOUR_PLACES, 4))
    for code in text.split()
}

ROUNDING = {"half_even": ROUND_HALF_EVEN, "half_up": ROUND_HALF_UP}


def minor_units(currency: str) -> int:
    """Decimal places of ``currency`` (EUR 2, JPY 0, KWD 3); KeyError when unknown."""
    return _MINOR_UNITS[currency]


def known_currencies() -> list[str]:
    """Every ISO 4217 code this library knows the minor units of."""
    return sorted(_MINOR_UNITS)


_LARGEST = Decimal("1e40")


def amount_of(value: Any) -> Decimal | None:
    """A money amount from a ticket field: a :func:`to_decimal` that is not negative, below
    1e40 and within the bounds of an accepted number, or None."""
    number = to_decimal(value)
    if number is None or not within_bounds(number):
        return None
    return number if Decimal(0) <= number < _LARGEST else None


def to_decimal(value: Any) -> Decimal | None:
    """A finite Decimal from a Decimal, int or numeric string; None for anything else.

    Floats are refused: a float has already lost the amount the user wrote.
    """
    return None if isinstance(value, float) else as_number(value)


MONEY: Final = Context(prec=150)
"""The context of money arithmetic: a product of two accepted numbers has at most 120 digits,
so nothing is rounded before :func:`quantize` rounds the result."""
_HUNDRED: Final = Decimal(100)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``amount``, exactly."""
    return MONEY.divide(MONEY.multiply(amount, percent), _HUNDRED)


def decimals_of(amount: Decimal) -> int:
    """How many decimal places ``amount`` is written with (``"1.10"`` has 2)."""
    exponent = amount.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


_STEPS: Final[BoundedMemo[str, Decimal]] = BoundedMemo()  # a currency -> Decimal("0.01")


def quantize(amount: Decimal, currency: str, rounding: str) -> Decimal:
    """``amount`` rounded to the minor unit of ``currency`` with ``rounding``."""
    step = _STEPS.get(currency)
    if step is None:
        step = _STEPS.put(currency, Decimal(1).scaleb(-minor_units(currency)))
    return amount.quantize(step, rounding=ROUNDING[rounding], context=MONEY)


def money_text(amount: Decimal, currency: str) -> str:
    """``"120.00 EUR"``: as written, or, when written with more decimals than the currency
    has, rounded (half-even) to them, so that no amount is shown longer than it needs."""
    places = _MINOR_UNITS.get(currency)
    if places is not None and decimals_of(amount) > places:
        amount = quantize(amount, currency, "half_even")
    return f"{amount:f} {currency}"
