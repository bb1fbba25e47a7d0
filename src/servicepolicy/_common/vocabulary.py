"""The domain's words, defined once: metrics, ticket statuses, event types, priorities."""

from __future__ import annotations

from typing import Final, Literal

METRICS: Final = ("first_response", "next_response", "periodic_update", "resolution")
"""The four metrics, in the order results list them."""
Metric = Literal["first_response", "next_response", "periodic_update", "resolution"]

DEFAULT_PRIORITIES: Final = ("urgent", "high", "normal", "low")

# Ticket statuses with a meaning of their own; any other status is kept as written.
INITIAL_STATUS: Final = "new"
REOPENED: Final = "open"  # the status a customer message gives a solved ticket
SOLVED: Final = "solved"
CLOSED: Final = "closed"
TERMINAL: Final = frozenset((SOLVED, CLOSED))
DEFAULT_PAUSE_ON: Final = ("pending", "on_hold")

# Event types with a meaning; any other type is kept and counted (``on_event:`` levels).
CUSTOMER_MESSAGE: Final = "customer_message"
AGENT_REPLY: Final = "agent_reply"
INTERNAL_NOTE: Final = "internal_note"
STATUS: Final = "status"
FIELD: Final = "field"
