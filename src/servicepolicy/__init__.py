"""servicepolicy: customer-service policy and SLA rules as files and a program.

The public surface is re-exported here; every other module is private.
"""

from ._calendar.model import Calendar, Holiday, Season
from ._common.durations import (
    BusinessDays,
    format_duration,
    iso_duration,
    parse_duration,
    parse_span,
)
from ._common.errors import (
    CalendarError,
    DurationError,
    Finding,
    NaiveDatetimeError,
    PolicyError,
    ServicePolicyError,
    TicketError,
)
from ._evaluation.api import evaluate_many, evaluate_many_json
from ._evaluation.evaluation import Evaluation
from ._evaluation.results import (
    Award,
    FiredEscalation,
    Measurement,
    MetricResult,
    RefundDecision,
    Segment,
)
from ._policy.conditions import Condition
from ._policy.loader import (
    check_policy_file,
    check_policy_text,
    load_policy,
    load_policy_set,
    parse_policy,
)
from ._policy.model import (
    ClockRules,
    EscalationLevel,
    MetricClockRules,
    Policy,
    SlaPolicy,
    Target,
    Targets,
)
from ._policy.model import _restore_policy as _restore_policy  # where pickles find it
from ._policy.schema import policy_schema
from ._policy.versions import PolicySet
from ._reports.compare import DueMove, MetricChange, PolicyDiff, compare_policies
from ._reports.figures import (
    BreachCauses,
    ComplianceReport,
    GroupFigures,
    MetricFigures,
    report,
)
from ._tickets.files import read_tickets
from ._tickets.model import Event, Ticket, UnreadTicket

__version__ = "0.1.0"

__all__ = [
    "Award",
    "BreachCauses",
    "BusinessDays",
    "Calendar",
    "CalendarError",
    "ClockRules",
    "ComplianceReport",
    "Condition",
    "DueMove",
    "DurationError",
    "EscalationLevel",
    "Evaluation",
    "Event",
    "Finding",
    "FiredEscalation",
    "GroupFigures",
    "Holiday",
    "Measurement",
    "MetricChange",
    "MetricClockRules",
    "MetricFigures",
    "MetricResult",
    "NaiveDatetimeError",
    "Policy",
    "PolicyDiff",
    "PolicyError",
    "PolicySet",
    "RefundDecision",
    "Season",
    "Segment",
    "ServicePolicyError",
    "SlaPolicy",
    "Target",
    "Targets",
    "Ticket",
    "TicketError",
    "UnreadTicket",
    "check_policy_file",
    "check_policy_text",
    "compare_policies",
    "evaluate_many",
    "evaluate_many_json",
    "format_duration",
    "iso_duration",
    "load_policy",
    "load_policy_set",
    "parse_duration",
    "parse_policy",
    "parse_span",
    "policy_schema",
    "read_tickets",
    "report",
]

# Exported names say they are servicepolicy's: reprs, docs and pickles never show a private
# module, so a pickle made by one release and build loads in another (docs/design.md).
for _name in (*__all__, "_restore_policy"):
    globals()[_name].__module__ = __name__
del _name
