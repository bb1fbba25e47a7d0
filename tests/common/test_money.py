"""``_money``: ISO 4217 minor units, Decimal parsing that refuses floats, explicit rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from servicepolicy._common import (
    decimals_of,
    known_currencies,
    minor_units,
    money_text,
    quantize,
    to_decimal,
)


@pytest.mark.parametrize(
    ("currency", "places"),
    [("EUR", 2), ("USD", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3), ("BHD", 3), ("CLF", 4)],
)
def test_minor_units(currency, places):
    assert minor_units(currency) == places
    assert currency in known_currencies()


@pytest.mark.parametrize("currency", ["EUX", "eur", "", "XXX"])
def test_unknown_currency_is_a_key_error(currency):
    with pytest.raises(KeyError):
        minor_units(currency)


def test_known_currencies_sorted_and_unique():
    codes = known_currencies()
    assert codes == sorted(set(codes))
    assert all(len(code) == 3 and code.isupper() for code in codes)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.30", Decimal("12.30")),
        (" 7.5 ", Decimal("7.5")),
        ("0", Decimal(0)),
        (1200, Decimal(1200)),
        (Decimal("0.505"), Decimal("0.505")),
        ("-3.20", Decimal("-3.20")),
    ],
)
def test_to_decimal_accepts_text_int_and_decimal(value, expected):
    got = to_decimal(value)
    assert got == expected
    # the written places survive: "12.30" stays two places
    assert str(got) == str(expected)


@pytest.mark.parametrize(
    "value",
    [
        1200.0,  # a float has already lost what the user wrote
        0.1,
        True,  # bool is an int subclass, but no amount
        False,
        None,
        "twelve",
        "",
        "NaN",
        "Infinity",
        "-inf",
        Decimal("NaN"),
        Decimal("Infinity"),
        ["1.00"],
        {"amount": "1.00"},
    ],
)
def test_to_decimal_refuses(value):
    assert to_decimal(value) is None


@pytest.mark.parametrize(
    ("amount", "currency", "half_even", "half_up"),
    [
        # 5% of 10.10 = 0.505: an exact half at the cent
        ("0.505", "EUR", "0.50", "0.51"),
        ("0.515", "EUR", "0.52", "0.52"),  # odd cent below: both round up
        ("0.504", "EUR", "0.50", "0.50"),
        ("0.5051", "EUR", "0.51", "0.51"),
        # JPY has no minor unit: 50.5 -> 50 (even) / 51
        ("50.5", "JPY", "50", "51"),
        ("51.5", "JPY", "52", "52"),
        # KWD has three places: 0.50050 -> 0.500 (even) / 0.501
        ("0.5005", "KWD", "0.500", "0.501"),
        ("12", "EUR", "12.00", "12.00"),  # quantize also pads to the minor unit
        ("-0.505", "EUR", "-0.50", "-0.51"),
    ],
)
def test_quantize_both_roundings(amount, currency, half_even, half_up):
    even = quantize(Decimal(amount), currency, "half_even")
    up = quantize(Decimal(amount), currency, "half_up")
    assert str(even) == half_even
    assert str(up) == half_up
    assert decimals_of(even) == minor_units(currency)


def test_quantize_refuses_an_unknown_rounding():
    with pytest.raises(KeyError):
        quantize(Decimal("1.005"), "EUR", "ceiling")


@pytest.mark.parametrize(
    ("text", "places"),
    [("1.10", 2), ("12.345", 3), ("10", 0), ("10.5", 1), ("0.000", 3), ("1E+2", 0), ("1E-4", 4)],
)
def test_decimals_of(text, places):
    assert decimals_of(Decimal(text)) == places


def test_money_text_is_plain_notation():
    assert money_text(Decimal("120.00"), "EUR") == "120.00 EUR"
    assert money_text(Decimal("1E+3"), "JPY") == "1000 JPY"
