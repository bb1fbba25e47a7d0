"""Tickets: the model (:mod:`.model`), reading one from its JSON shape into the parts the
evaluator reads (:mod:`.read`), and reading streams of them as JSON, JSON Lines or CSV
(:mod:`.streams`)."""

from .model import Event, Ticket
from .read import TicketParts, read_parts, ticket_parts
from .streams import TicketRecord, UnreadableTickets, read_tickets, scanned

__all__ = [
    "Event",
    "Ticket",
    "TicketParts",
    "TicketRecord",
    "UnreadableTickets",
    "read_parts",
    "read_tickets",
    "scanned",
    "ticket_parts",
]
