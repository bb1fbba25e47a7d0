"""servicepolicy: customer-service policy and SLA rules as files and a program."""

from ._calendar_model import Calendar, Holiday, Season
from ._conditions import Condition
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
from ._loader import check_policy_file, check_policy_text, load_policy, parse_policy
from ._model import EscalationLevel, Policy, SlaPolicy, Target, Targets
from ._schema import policy_schema

__version__ = "0.1.0"

__all__ = [
    "BusinessDays",
    "Calendar",
    "CalendarError",
    "Condition",
    "DurationError",
    "EscalationLevel",
    "Finding",
    "Holiday",
    "NaiveDatetimeError",
    "Policy",
    "PolicyError",
    "Season",
    "ServicePolicyError",
    "SlaPolicy",
    "Target",
    "Targets",
    "TicketError",
    "check_policy_file",
    "check_policy_text",
    "format_duration",
    "iso_duration",
    "load_policy",
    "parse_duration",
    "parse_policy",
    "parse_span",
    "policy_schema",
]
