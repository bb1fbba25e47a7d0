"""Pickles of the public types are stable: one pinned pickle per type, made by an earlier
release, loads in this one, on either build, and equals the same object made now.

A pickle names ``servicepolicy`` and the standard library only, never a private module, so
moving code inside the package cannot break one; what a calendar or a policy compiles (its
clock, its prepared evaluator) is left out and made again on first use.

After a deliberate change of a pickled type, rewrite the pinned files with
``.venv/bin/python -m tests.test_pickles`` and say why in the commit.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import servicepolicy
from servicepolicy import (
    BusinessDays,
    Calendar,
    ClockRules,
    Condition,
    Event,
    Finding,
    MetricClockRules,
    NaiveDatetimeError,
    PolicyError,
    PolicySet,
    Ticket,
    TicketError,
    load_policy,
)
from servicepolicy._calendar import clock_of
from tests.paths import DATA, EXAMPLES

PINNED = DATA / "pickles"
PROTOCOL = 4
AS_OF = datetime.fromisoformat("2026-11-23T13:00:00+01:00")
STDLIB = {"builtins", "copyreg", "datetime", "decimal", "zoneinfo", "_codecs"}


def _policy() -> servicepolicy.Policy:
    return load_policy(EXAMPLES / "saas-support.yaml")


def _shop() -> servicepolicy.Policy:
    return load_policy(EXAMPLES / "ecommerce.yaml")  # compensation and refund rules


def _ticket() -> Ticket:
    return Ticket.from_dict(
        {
            "id": "T-1",
            "created_at": "2026-11-20T16:45:00+01:00",
            "fields": {"tier": "enterprise", "priority": "high", "monthly_fee": "1200.00"},
            "events": [
                {"at": "2026-11-20T17:30:00+01:00", "type": "agent_reply"},
                {"at": "2026-11-21T09:00:00+01:00", "type": "status", "status": "pending"},
                {"at": "2026-11-23T10:00:00+01:00", "type": "customer_message"},
            ],
        }
    )


def _evaluation() -> servicepolicy.Evaluation:
    return _policy().evaluate(_ticket(), AS_OF)


def _calendar() -> Calendar:
    return Calendar.model_validate(
        {
            "name": "office",
            "timezone": "Europe/Berlin",
            "hours": {"mon-fri": ["09:00-12:30", "13:30-17:00"], "sat": ["22:00-02:00"]},
            "holidays": [
                {"date": "2026-12-25", "name": "Christmas Day"},
                {"rrule": "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1", "name": "New Year"},
                {"date": "2026-12-24", "hours": ["09:00-12:00"]},
            ],
            "seasons": [{"from": "2026-07-01", "to": "2026-08-31", "hours": {"mon-fri": []}}],
        }
    )


def _report() -> servicepolicy.ComplianceReport:
    tickets = servicepolicy.read_tickets(EXAMPLES / "saas-support.tickets.jsonl")
    return servicepolicy.report(_policy(), tickets, AS_OF, by=["tier"])


def _diff() -> servicepolicy.PolicyDiff:
    stricter = servicepolicy.parse_policy(
        (EXAMPLES / "saas-support.yaml")
        .read_text(encoding="utf-8")
        .replace("normal: 8h, low: 1bd", "normal: 1m, low: 1bd")
    )
    tickets = servicepolicy.read_tickets(EXAMPLES / "saas-support.tickets.jsonl")
    return servicepolicy.compare_policies(_policy(), stricter, tickets, AS_OF, by=["tier"])


def _moved() -> servicepolicy.MetricChange:
    return next(c for c in _diff().changes if c.due_moved)


SAMPLES: dict[str, Callable[[], Any]] = {
    "Award": lambda: (
        load_policy(EXAMPLES / "saas-support.yaml")
        .evaluate(
            {
                "id": "late",
                "created_at": "2026-11-02T09:00:00+01:00",
                "fields": {"tier": "enterprise", "priority": "urgent", "monthly_fee": "1200.00"},
            },
            AS_OF,
        )
        .compensation[0]
    ),
    "BreachCauses": lambda: _report().total.metrics["first_response"].breach_causes,
    "BusinessDays": lambda: BusinessDays(3),
    "Calendar": _calendar,
    "CalendarError": lambda: servicepolicy.CalendarError("never open"),
    "ComplianceReport": _report,
    "ClockRules": lambda: ClockRules(pause_on=["pending"], deadline_on_close="next_open"),
    "Condition": lambda: Condition({"tier": ["enterprise", "business"], "monthly_fee": {"gte": 5}}),
    "DueMove": lambda: _moved().due_moved[0],
    "DurationError": lambda: servicepolicy.DurationError("cannot read '4x'"),
    "EscalationLevel": lambda: _policy().escalations["enterprise-path"][0],
    "Evaluation": _evaluation,
    "Event": lambda: Event(datetime.fromisoformat("2026-11-20T17:30:00+01:00"), "agent_reply"),
    "Finding": lambda: Finding("p.yaml", 3, 7, "sla[0]", "unknown-key", "unknown key 'x'"),
    "FiredEscalation": lambda: (
        load_policy(EXAMPLES / "saas-support.yaml")
        .evaluate(
            {
                "id": "E",
                "created_at": "2026-11-16T09:00:00+01:00",
                "fields": {"tier": "enterprise", "priority": "urgent"},
            },
            AS_OF,
        )
        .escalations[0]
    ),
    "GroupFigures": lambda: _report().groups[0],
    "Holiday": lambda: _calendar().holidays[1],
    "Measurement": lambda: _evaluation().metrics["next_response"].cycles[0],  # type: ignore[index]
    "MetricChange": _moved,
    "MetricClockRules": lambda: MetricClockRules(
        first_response=ClockRules(pause_on=["pending"]),
        resolution=ClockRules(deadline_on_close="next_open"),
    ),
    "MetricFigures": lambda: _report().total.metrics["resolution"],
    "MetricResult": lambda: _evaluation().metrics["resolution"],
    "NaiveDatetimeError": lambda: NaiveDatetimeError(datetime(2026, 11, 23, 13, 0), "as_of"),
    "Policy": _shop,
    "PolicyDiff": _diff,
    "PolicyError": lambda: PolicyError(
        [Finding("p.yaml", 3, 7, "sla[0]", "unknown-key", "unknown key 'x'")]
    ),
    "PolicySet": lambda: PolicySet([_policy()], ["saas-support.yaml"]),
    "RefundDecision": lambda: _shop().refund(
        {
            "id": "R-1",
            "created_at": "2026-11-20T10:00:00+01:00",
            "fields": {
                "category": "return",
                "delivered_at": "2026-11-01T12:00:00+01:00",
                "order_total": "89.90",
            },
        },
        AS_OF,
    ),
    "Season": lambda: _calendar().seasons[0],
    "Segment": lambda: _evaluation().metrics["resolution"].segments[0],
    "ServicePolicyError": lambda: servicepolicy.ServicePolicyError("something"),
    "SlaPolicy": lambda: _policy().sla[0],
    "Target": lambda: _policy().sla[0].targets.resolution,
    "Targets": lambda: _policy().sla[0].targets,
    "Ticket": _ticket,
    "TicketError": lambda: TicketError("'events' must be a list", "T-9", 12),
    "UnreadTicket": lambda: servicepolicy.UnreadTicket("line 2: Expecting value", 2, "T-2"),
}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Exception):
        return type(a) is type(b) and str(a) == str(b) and vars(a) == vars(b)
    if isinstance(a, PolicySet):
        return (a.versions, a.sources) == (b.versions, b.sources)
    return bool(a == b)


class _Recorder(pickle.Unpickler):
    """An unpickler that notes every class and function a pickle refers to."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self.named: set[str] = set()

    def find_class(self, module: str, name: str) -> Any:
        self.named.add(module)
        return super().find_class(module, name)


def _modules_named(data: bytes) -> set[str]:
    recorder = _Recorder(data)
    recorder.load()
    return recorder.named


def test_every_public_class_has_a_pinned_pickle():
    classes = {n for n in servicepolicy.__all__ if isinstance(getattr(servicepolicy, n), type)}
    assert set(SAMPLES) == classes
    assert {path.stem for path in PINNED.glob("*.pickle")} == classes


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_a_pinned_pickle_loads_as_the_object_made_now(name):
    loaded = pickle.loads((PINNED / f"{name}.pickle").read_bytes())
    assert type(loaded) is getattr(servicepolicy, name)
    assert _same(loaded, SAMPLES[name]())


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_a_pickle_names_servicepolicy_and_the_standard_library_only(name):
    data = pickle.dumps(SAMPLES[name](), protocol=PROTOCOL)
    assert _modules_named(data) <= {"servicepolicy", *STDLIB}
    assert _modules_named((PINNED / f"{name}.pickle").read_bytes()) <= {"servicepolicy", *STDLIB}
    assert _same(pickle.loads(data), SAMPLES[name]())


def test_a_calendar_pickles_without_its_clock():
    calendar = _calendar()
    start = datetime.fromisoformat("2026-12-23T16:00:00+01:00")
    due = calendar.add(start, timedelta(hours=30))  # fills the clock's interval index
    copied = pickle.loads(pickle.dumps(calendar))
    assert clock_of(calendar)._index is not None
    assert clock_of(copied)._index is None
    assert copied == calendar
    assert copied.add(start, timedelta(hours=30)) == due


def test_a_loaded_evaluation_keeps_what_is_not_in_its_json():
    made = _evaluation()
    loaded = pickle.loads((PINNED / "Evaluation.pickle").read_bytes())
    assert (
        loaded.fields
        == made.fields
        == {
            "tier": "enterprise",
            "priority": "high",
            "monthly_fee": "1200.00",
        }
    )
    assert loaded.created_at == made.created_at
    assert loaded.metrics["resolution"].segments == made.metrics["resolution"].segments
    assert loaded.explain() == made.explain()


def test_a_loaded_policy_evaluates_as_the_file_does():
    loaded = pickle.loads((PINNED / "Policy.pickle").read_bytes())
    ticket = {
        "id": "R-2",
        "created_at": "2026-11-20T10:00:00+01:00",
        "fields": {"category": "return", "delivered_at": "2026-11-10T12:00:00+01:00"},
    }
    ticket["fields"]["order_total"] = "89.90"
    assert loaded.refund(ticket, AS_OF) == _shop().refund(ticket, AS_OF)
    assert loaded.refund(ticket, AS_OF).amount == Decimal("89.90")


EARLIER = DATA / "pickles-earlier"
# Fields added since the pickles in EARLIER were made, with the value an earlier one loads with.
_ADDED = {"paused_business": "PT0S", "paused_business_seconds": 0.0}


def _without_added(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_added(v) for k, v in value.items() if k not in _ADDED}
    if isinstance(value, list):
        return [_without_added(v) for v in value]
    return value


def _added_values(value: Any) -> list[Any]:
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k in _ADDED and v != _ADDED[k]]
        return found + [x for v in value.values() for x in _added_values(v)]
    if isinstance(value, list):
        return [x for v in value for x in _added_values(v)]
    return []


@pytest.mark.parametrize("path", sorted(EARLIER.glob("*.pickle")), ids=lambda p: p.stem)
def test_a_pickle_made_before_a_field_was_added_loads_with_its_default(path):
    loaded = pickle.loads(path.read_bytes())
    made = SAMPLES[path.stem]()
    assert type(loaded) is type(made)
    loaded_json = loaded.model_dump(mode="json")
    assert _added_values(loaded_json) == []
    assert _without_added(loaded_json) == _without_added(made.model_dump(mode="json"))
    assert _added_values(made.model_dump(mode="json")), "the sample no longer tells the two apart"


def _write_pinned() -> None:
    PINNED.mkdir(parents=True, exist_ok=True)
    for name, make in sorted(SAMPLES.items()):
        path = PINNED / f"{name}.pickle"
        path.write_bytes(pickle.dumps(make(), protocol=PROTOCOL))
        print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


if __name__ == "__main__":
    _write_pinned()
