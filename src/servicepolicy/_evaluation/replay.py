"""A ticket's history replayed into what the metrics need.

One pass over the events (time order, stable; nothing after ``as_of``) gives the status
stretches, the first-response stop, the reply cycles, the field changes and the event counts.
Instants are integer microseconds since the epoch.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any, Final

from .._common.errors import printable
from .._common.instants import to_micros
from .._common.vocabulary import (
    AGENT_REPLY,
    CLOSED,
    CUSTOMER_MESSAGE,
    FIELD,
    INITIAL_STATUS,
    REOPENED,
    STATUS,
    TERMINAL,
)
from .._tickets.read import TicketParts

Stretch = tuple[str, int, int]
"""``(kind, start, end)``: kind is ``running``, ``paused`` or ``solved``."""


class Cycle:
    """A reply cycle: ``[start, stop)``; ``stop`` is None while open.

    This and :class:`History` are plain classes, not dataclasses: see ``_common/records.py``.
    """

    __slots__ = ("cancelled", "start", "stop")

    def __init__(self, start: int, stop: int | None = None, cancelled: bool = False) -> None:
        self.start = start
        self.stop = stop
        self.cancelled = cancelled


class History:
    """A ticket's events replayed up to ``as_of`` (instants in microseconds)."""

    __slots__ = (
        "as_of",
        "change_times",
        "created",
        "event_attributes",
        "event_times",
        "field_changes",
        "fields",
        "first_response_stop",
        "next_cycles",
        "periodic_cycles",
        "rows",
        "statuses",
        "warning_kinds",
        "warnings",
    )

    def __init__(
        self, created: int, as_of: int, fields: dict[str, Any], statuses: list[tuple[int, str]]
    ) -> None:
        self.created = created
        self.as_of = as_of
        self.fields = fields
        self.statuses = statuses
        self.field_changes: list[tuple[int, str, Any]] = []
        self.change_times: list[int] = []  # the instant of each field change, in order
        self.first_response_stop: int | None = None
        self.next_cycles: list[Cycle] = []
        self.periodic_cycles: list[Cycle] = []
        self.event_times: dict[str, list[int]] = {}
        # Beside event_times, each message's attributes, once any message has them.
        self.event_attributes: dict[str, list[Any]] = {}
        self.warnings: list[str] = []
        self.warning_kinds: list[str] = []
        self.rows: list[Any] = []  # the ticket's event rows, as read

    def version_at(self, moment: int) -> int:
        """How many field changes had happened by ``moment`` (inclusive)."""
        return bisect_right(self.change_times, moment)

    def fields_at(self, moment: int) -> dict[str, Any]:
        """The ticket's fields as they stood at ``moment`` (changes at ``moment`` included)."""
        if not self.field_changes:
            return self.fields
        current = dict(self.fields)
        for at, name, value in self.field_changes:
            if at > moment:
                break
            current[name] = value
        return current


def replay(ticket: TicketParts, as_of: int) -> History:
    """Replay a ticket's events (time order, stable) up to and including ``as_of``."""
    created = to_micros(ticket.created_at, "created_at")
    history = History(created, as_of, dict(ticket.fields), [(created, INITIAL_STATUS)])
    history.rows = ticket.events
    status = INITIAL_STATUS
    replied = False
    open_next: Cycle | None = None
    open_periodic: Cycle | None = None
    closed_at: int | None = None
    # A row starts with (instant, position), which is unique: the sort compares no more.
    for at, _, moment, kind, event_status, field, value, attributes in sorted(ticket.events):
        if at > as_of:
            break
        if at < created:
            history.warnings.append(
                f"{printable(kind)} at {moment.isoformat()} is before created_at; "
                "counted at creation"
            )
            history.warning_kinds.append("event-before-creation")
            at = created
        if closed_at is not None:
            history.warnings.append(
                f"{printable(kind)} at {moment.isoformat()} comes after the ticket was closed; "
                "ignored"
            )
            history.warning_kinds.append("event-after-close")
            continue
        times = history.event_times.setdefault(kind, [])
        times.append(at)
        if attributes is not None or history.event_attributes:
            # Kept beside the instants only once some message has attributes.
            kept = history.event_attributes.setdefault(kind, [None] * (len(times) - 1))
            kept.append(attributes)
        if kind == CUSTOMER_MESSAGE:
            if status in TERMINAL:
                status = REOPENED
                history.statuses.append((at, status))
            if replied and open_next is None:
                open_next = Cycle(at)
                history.next_cycles.append(open_next)
        elif kind == AGENT_REPLY:
            if not replied:
                replied = True
                if history.first_response_stop is None:
                    history.first_response_stop = at
            if open_next is not None:
                open_next.stop, open_next = at, None
            if open_periodic is not None:
                open_periodic.stop, open_periodic = at, None
            if status not in TERMINAL:
                open_periodic = Cycle(at)
                history.periodic_cycles.append(open_periodic)
        elif kind == STATUS:
            assert event_status is not None
            if event_status == status:
                continue
            status = event_status
            history.statuses.append((at, status))
            if status in TERMINAL:
                if history.first_response_stop is None:
                    history.first_response_stop = at
                if open_next is not None:
                    open_next.stop, open_next = at, None
                if open_periodic is not None:
                    open_periodic.stop, open_periodic.cancelled = at, True
                    open_periodic = None
                if status == CLOSED:
                    closed_at = at
        elif kind == FIELD:
            assert field is not None
            history.field_changes.append((at, field, value))
            history.change_times.append(at)
    return history


def resolution_stretches(history: History, pause_on: frozenset[str]) -> list[Stretch]:
    """Stretches of the resolution clock: running, paused (a ``pause_on`` status) or solved."""
    stretches: list[Stretch] = []
    marks = history.statuses
    for i, (at, status) in enumerate(marks):
        end = marks[i + 1][0] if i + 1 < len(marks) else history.as_of
        kind = "solved" if status in TERMINAL else ("paused" if status in pause_on else "running")
        if end > at:
            stretches.append((kind, at, end))
    return stretches


def response_stretches(
    history: History, start: int, end: int, pause_on: frozenset[str]
) -> list[Stretch]:
    """Stretches of a response clock over ``[start, end)``: running, or paused while the
    status is one of ``pause_on`` (a response clock stops at a solve, so none is solved)."""
    if not pause_on:
        return [("running", start, end)]
    stretches: list[Stretch] = []
    marks = history.statuses
    for i, (at, status) in enumerate(marks):
        until = marks[i + 1][0] if i + 1 < len(marks) else history.as_of
        lo, hi = max(at, start), min(until, end)
        if hi > lo:
            stretches.append(("paused" if status in pause_on else "running", lo, hi))
    return stretches or [("running", start, end)]


def start_instant(history: History, start: Any) -> int | None:
    """When a metric's start rule says it starts (before ``start_after``): the ticket's
    creation (None), its ``first_customer_message``, or the first event of ``{event: TYPE}``;
    None when that has not happened by ``as_of``."""
    if start is None:
        return history.created
    kind = CUSTOMER_MESSAGE if start == "first_customer_message" else start["event"]
    times = history.event_times.get(kind)
    return times[0] if times else None


def first_stop_from(history: History, moment: int, stop: Any = None) -> int | None:
    """Where a first response owed from ``moment`` stops: the first response at or after it
    (an agent reply, or what the ``stop`` rule names), or the first change to solved or closed
    at or after it, or ``moment`` itself when the ticket is solved or closed just before it
    (or, for a status stop rule, in one of its statuses); None when none has happened."""
    ending = TERMINAL if stop is None or "status" not in stop else TERMINAL | stop["status"]
    found = None
    if stop is None or "event" in stop:
        kind = AGENT_REPLY if stop is None else stop["event"]
        times = history.event_times.get(kind, [])
        i = bisect_left(times, moment)
        if stop is not None and len(stop) > 1:  # only messages with the attributes asked for
            attributes = history.event_attributes.get(kind) or [None] * len(times)
            while i < len(times) and not message_matches(stop, attributes[i]):
                i += 1
        found = times[i] if i < len(times) else None
    before = None  # the status in force just before moment
    for at, status in history.statuses:
        if at < moment:
            before = status
        elif status in ending:
            found = at if found is None else min(found, at)
            break
    if before in ending:
        found = moment
    return found


_MESSAGE_TESTS: Final = (("actor", 0), ("public", 1), ("channel", 2))


FIRST_MESSAGE: Final = "first_message."
_FIRST_MESSAGE_FIELDS: Final = ("actor", "public", "channel", "subject")


def with_first_message(ticket: TicketParts, as_of: int) -> TicketParts:
    """``ticket`` with the attributes of its first customer message (by as_of) as fields named
    ``first_message.actor``, ``.public``, ``.channel`` and ``.subject``, from its creation on:
    a ticket's first message is part of how it came in."""
    messages = [row for row in ticket.events if row[3] == CUSTOMER_MESSAGE and row[0] <= as_of]
    first = min(messages)[7] if messages else None
    if first is None or not isinstance(ticket.fields, dict):
        return ticket
    fields = dict(ticket.fields)
    for name, value in zip(_FIRST_MESSAGE_FIELDS, first, strict=True):
        if value is not None:
            fields[FIRST_MESSAGE + name] = value
    return TicketParts(ticket.id, ticket.created_at, fields, ticket.events)


def message_matches(stop: dict[str, Any], attributes: Any) -> bool:
    """Whether a message with ``attributes`` (``(actor, public, channel)`` or None) has every
    attribute the ``stop`` rule asks for."""
    for name, place in _MESSAGE_TESTS:
        if name in stop and (attributes is None or attributes[place] != stop[name]):
            return False
    return True


def response_cycles(history: History, stop: Any, contact: bool) -> list[Cycle]:
    """next_response's cycles under other rules than the default ones :func:`replay` builds:
    each starts at a customer message once a response has been given (with ``contact``, at
    the ticket's creation and at any customer message), while none is open, and stops at the
    next response (an agent reply, or what the ``stop`` rule names) or a change to solved or
    closed.  The events are read as :func:`replay` reads them."""
    created, as_of = history.created, history.as_of
    cycles: list[Cycle] = []
    open_cycle: Cycle | None = None
    if contact:
        open_cycle = Cycle(created)
        cycles.append(open_cycle)
    status = INITIAL_STATUS
    responded = False
    for at, _, _, kind, new_status, _, _, attributes in sorted(history.rows):
        if at > as_of or status == CLOSED:
            break
        at = max(at, created)
        changed = False
        if kind == CUSTOMER_MESSAGE and status in TERMINAL:
            status = REOPENED
        elif kind == STATUS:
            if new_status == status:
                continue
            status, changed = new_status, True
        if stop is None:
            responds = kind == AGENT_REPLY
        elif "event" in stop:
            responds = kind == stop["event"] and message_matches(stop, attributes)
        else:
            responds = changed and status in stop["status"]
        if kind == CUSTOMER_MESSAGE and open_cycle is None and (contact or responded):
            open_cycle = Cycle(at)
            cycles.append(open_cycle)
        if responds:
            responded = True
        if open_cycle is not None and (responds or (changed and status in TERMINAL)):
            open_cycle.stop, open_cycle = at, None
    return cycles


def clipped(stretches: list[Stretch], start: int) -> list[Stretch]:
    """``stretches`` from ``start`` on."""
    return [(kind, max(s, start), e) for kind, s, e in stretches if e > start]


def status_at(history: History, moment: int) -> str:
    """The ticket's status at ``moment`` (a change at ``moment`` included)."""
    status = history.statuses[0][1]
    for at, name in history.statuses:
        if at > moment:
            break
        status = name
    return status


def resolution_completed(history: History) -> int | None:
    """When resolution finished: the start of the final solved/closed stretch, if any."""
    completed = None
    for at, status in reversed(history.statuses):
        if status not in TERMINAL:
            break
        completed = at
    return completed
