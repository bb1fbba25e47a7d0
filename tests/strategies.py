"""Hypothesis strategies shared by several test modules.

Tickets are random, minute-aligned, and live within a few days in March 2026 (a holiday on
Wednesday 2026-03-11, the DST change on Sunday 2026-03-29), against
``data/evaluate/policy.yaml``: gold (office calendar, its own pause set, warn_at, a 24/7
periodic_update target, an escalation path), americas (a New York split-shift calendar with a
Saturday overnight window across the US DST change of 2026-03-08) and standard (default pauses,
no periodic_update target, no warn_at); tier changes move a ticket between them. Events:
messages, replies, notes, pauses, reopens, solves, closes, priority and tier changes, a custom
``abuse_warning``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from servicepolicy import load_policy
from tests.paths import DATA

POLICY = load_policy(DATA / "evaluate" / "policy.yaml")
BASE = datetime(2026, 3, 4, tzinfo=UTC)  # a Wednesday
BERLIN = ZoneInfo("Europe/Berlin")
ZONES = (UTC, BERLIN, timezone(timedelta(hours=-5)))
STATUSES = (
    "new",
    "open",
    "pending",
    "on_hold",
    "awaiting_vendor",
    "in_progress",
    "solved",
    "solved",
    "closed",
)
PRIORITIES = ("urgent", "high", "normal", "low")
TIERS = ("gold", "gold", "silver", "americas")
SPAN = 3 * 24 * 60  # minutes of history after created_at


def stamp(moment: datetime, zone) -> str:
    return moment.astimezone(zone).isoformat()


@st.composite
def event_bodies(draw) -> dict:
    kind = draw(
        st.sampled_from(
            (
                "customer_message",
                "customer_message",
                "customer_message",
                "agent_reply",
                "agent_reply",
                "agent_reply",
                "internal_note",
                "status",
                "status",
                "status",
                "field",
                "field",
                "abuse_warning",
            )
        )
    )
    if kind == "status":
        return {"type": kind, "status": draw(st.sampled_from(STATUSES))}
    if kind == "field":
        name = draw(st.sampled_from(("priority", "priority", "tier")))
        values = PRIORITIES if name == "priority" else TIERS
        return {"type": kind, "field": name, "value": draw(st.sampled_from(values))}
    body: dict = {"type": kind}
    if kind == "customer_message" and draw(st.booleans()):
        body["channel"] = draw(st.sampled_from(("email", "chat")))
        body["subject"] = draw(st.sampled_from(("Refund please", "A question", "URGENT: down")))
    if kind in ("agent_reply", "internal_note") and draw(st.booleans()):
        body["actor"] = draw(st.sampled_from(("agent", "system", "customer")))
        body["public"] = draw(st.booleans())
    return body


@st.composite
def tickets(draw, lo: int = 3, hi: int = 10) -> tuple[dict, datetime]:
    """A minute-aligned ticket and a minute-aligned as_of at or after its creation."""
    day = BASE + timedelta(days=draw(st.integers(0, 26)))
    if draw(st.booleans()):  # often in or near office hours (07:00-18:00 UTC)
        created = day + timedelta(minutes=draw(st.integers(7 * 60, 18 * 60)))
    else:
        created = day + timedelta(minutes=draw(st.integers(0, 24 * 60 - 1)))
    fields: dict = {"tier": draw(st.sampled_from(TIERS))}
    priority = draw(st.sampled_from((*PRIORITIES, None)))
    if priority is not None:
        fields["priority"] = priority
    offsets = st.one_of(
        st.integers(0, SPAN),
        st.integers(0, 600),
        st.sampled_from((0, 30, 60, 240, 480, 1440, 2880)),
    )
    events = []
    times = []
    for _ in range(draw(st.integers(lo, hi))):
        at = created + timedelta(minutes=draw(offsets))
        times.append(at)
        events.append({"at": stamp(at, draw(st.sampled_from(ZONES))), **draw(event_bodies())})
    if draw(st.booleans()):
        as_of = draw(st.sampled_from(times))
    else:
        as_of = created + timedelta(minutes=draw(st.integers(0, SPAN + 1440)))
    ticket = {"id": "T-1", "created_at": stamp(created, BERLIN), "fields": fields}
    ticket["events"] = events
    return ticket, as_of


@st.composite
def loose_tickets(draw) -> tuple[dict, datetime]:
    """Anything well-formed: seconds and microseconds, events before creation, unknown types,
    odd statuses and fields, as_of before creation, many events at one instant."""
    created = BASE + timedelta(seconds=draw(st.integers(0, 40 * 86400)))
    created += timedelta(microseconds=draw(st.integers(0, 999_999)))
    events = []
    for _ in range(draw(st.integers(0, 12))):
        at = created + timedelta(seconds=draw(st.integers(-86400, 5 * 86400)))
        body = draw(
            st.one_of(
                event_bodies(),
                st.builds(lambda s: {"type": "status", "status": s}, st.text(min_size=1)),
                st.builds(
                    lambda f, v: {"type": "field", "field": f, "value": v},
                    st.sampled_from(("priority", "tier", "x")),
                    st.one_of(st.none(), st.integers(), st.text(max_size=5)),
                ),
                st.builds(
                    lambda t: {"type": t},
                    st.text(min_size=1, max_size=8).filter(lambda t: t not in ("status", "field")),
                ),
            )
        )
        events.append({"at": stamp(at, draw(st.sampled_from(ZONES))), **body})
    fields = draw(
        st.dictionaries(
            st.sampled_from(("tier", "priority", "channel")),
            st.one_of(st.sampled_from(("gold", "silver", *PRIORITIES)), st.integers(), st.none()),
        )
    )
    as_of = created + timedelta(seconds=draw(st.integers(-3600, 8 * 86400)))
    return {"id": 7, "created_at": created.isoformat(), "fields": fields, "events": events}, as_of
