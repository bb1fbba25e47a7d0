"""servicepolicy: customer-service policy and SLA rules as files and a program."""

from ._calendar_model import Calendar, Holiday, Season
from ._durations import BusinessDays, format_duration, iso_duration, parse_duration, parse_span
from ._errors import (
    CalendarError,
    DurationError,
    Finding,
    NaiveDatetimeError,
    PolicyError,
    ServicePolicyError,
    TicketError,
)

__all__ = [
    "BusinessDays",
    "Calendar",
    "CalendarError",
    "DurationError",
    "Finding",
    "Holiday",
    "NaiveDatetimeError",
    "PolicyError",
    "Season",
    "ServicePolicyError",
    "TicketError",
    "format_duration",
    "iso_duration",
    "parse_duration",
    "parse_span",
]
