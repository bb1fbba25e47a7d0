from datetime import timedelta

import pytest

from servicepolicy import (
    BusinessDays,
    DurationError,
    format_duration,
    iso_duration,
    parse_duration,
    parse_span,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("4h", timedelta(hours=4)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("90m", timedelta(minutes=90)),
        ("2d", timedelta(hours=48)),
        ("1w", timedelta(days=7)),
        ("45s", timedelta(seconds=45)),
        ("PT4H", timedelta(hours=4)),
        ("PT1H30M", timedelta(minutes=90)),
        ("P1DT2H", timedelta(hours=26)),
        ("P1W", timedelta(days=7)),
        ("PT0.5S", timedelta(milliseconds=500)),
        ("0m", timedelta(0)),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "4", "4x", "h4", "1h1h", "P1Y", "P1M", "PT", "P", "-4h", "3bd"]
)
def test_parse_duration_refuses(text):
    with pytest.raises(DurationError):
        parse_duration(text)


def test_parse_duration_refuses_numbers():
    with pytest.raises(DurationError, match="must be a string"):
        parse_duration(240)  # type: ignore[arg-type]


def test_business_days_are_a_span_not_a_duration():
    assert parse_span("3bd") == BusinessDays(3)
    assert parse_span("4h") == timedelta(hours=4)
    with pytest.raises(DurationError, match="business days"):
        parse_duration("3bd")


@pytest.mark.parametrize(
    ("value", "compact", "iso"),
    [
        (timedelta(hours=1, minutes=30), "1h30m", "PT1H30M"),
        (timedelta(0), "0m", "PT0S"),
        (-timedelta(hours=2), "-2h", "-PT2H"),
        (timedelta(days=3, hours=4), "3d4h", "PT76H"),
        (timedelta(seconds=5, microseconds=250000), "5.25s", "PT5.25S"),
    ],
)
def test_format(value, compact, iso):
    assert format_duration(value) == compact
    assert iso_duration(value) == iso
    if value >= timedelta(0):
        assert parse_duration(iso) == value
