"""Property tests of ticket evaluation against ``oracles/reference_evaluator.py`` and against
itself, on the random tickets of ``tests/strategies.py``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st

from servicepolicy import Policy, Ticket, evaluate_many, evaluate_many_json, load_policy
from tests.oracles import reference_evaluator as ref
from tests.paths import DATA
from tests.strategies import BERLIN, POLICY, loose_tickets, tickets

KEYS = ("status", "started_at", "due_at", "completed_at", "breached_at", "elapsed")
MORE_KEYS = ("target_time", "remaining")
RULE_KEYS = ("policy", "target", "clock")


def _differences(fast, want, where: str, *, cycle: bool = False) -> list[str]:
    out = []
    keys = KEYS + MORE_KEYS + (() if cycle else RULE_KEYS)
    if want.status in ("not_applicable", "not_started"):
        keys = ("status", "started_at", "completed_at") if want.started_at else ("status",)
    for key in keys:
        got, expected = getattr(fast, key), getattr(want, key)
        if got != expected:
            out.append(f"{where}.{key}: code {got} != reference {expected}")
    return out


def compare(evaluation, want: ref.RefEvaluation) -> list[str]:
    problems = []
    if evaluation.policy != want.policy:
        problems.append(f"policy: code {evaluation.policy} != reference {want.policy}")
    for name in ref.METRICS:
        fast, expected = evaluation.metrics[name], want.metrics[name]
        if expected.cycles is None:
            problems += _differences(fast, expected, name)
            for key in ("paused", "paused_business"):
                if getattr(fast, key) != getattr(expected, key):
                    problems.append(
                        f"{name}.{key}: code {getattr(fast, key)} != {getattr(expected, key)}"
                    )
            continue
        if fast.status != expected.status and not expected.unspecified:
            problems.append(f"{name}.status: code {fast.status} != {expected.status}")
        cycles = fast.cycles or []
        if len(cycles) != len(expected.cycles):
            problems.append(f"{name}: code {len(cycles)} cycles != {len(expected.cycles)}")
            continue
        for i, (got, cycle) in enumerate(zip(cycles, expected.cycles, strict=True)):
            problems += _differences(got, cycle, f"{name}.cycles[{i}]", cycle=True)
        problems += _deciding_cycle_pauses(name, fast, expected)
    return problems


def _deciding_cycle_pauses(name: str, fast, expected: ref.RefEvaluation) -> list[str]:
    """A cycle metric's pauses are those of the cycle that decides its status."""
    for got, cycle in zip(fast.cycles or [], expected.cycles or [], strict=True):
        if (got.started_at, got.completed_at, got.status) == (
            fast.started_at,
            fast.completed_at,
            fast.status,
        ):
            want = (cycle.paused, cycle.paused_business)
            if (fast.paused, fast.paused_business) != want:
                return [f"{name}: paused code {fast.paused, fast.paused_business} != {want}"]
            return []
    return []


def escalation_differences(evaluation, want: ref.RefEvaluation) -> list[str]:
    got = sorted(
        ((f.level, f.metric, f.cycle, f.at, f.due_at) for f in evaluation.escalations),
        key=lambda f: (f[3], f[0], f[1] or "", f[2] or 0),
    )
    for f in evaluation.escalations:
        if f.retroactive != (f.due_at < f.at):
            return [f"level {f.level} {f.metric}: retroactive {f.retroactive}, due {f.due_at}"]
    problems = []
    if got != want.escalations:
        problems.append(f"escalations: code {got} != reference {want.escalations}")
    if evaluation.next_escalation_at != want.next_escalation_at:
        problems.append(
            f"next_escalation_at: code {evaluation.next_escalation_at} "
            f"!= reference {want.next_escalation_at}"
        )
    ats = [f.at for f in evaluation.escalations]
    if ats != sorted(ats):
        problems.append("escalations are not in time order")
    return problems


# -- (a) the code against the reference ------------------------------------------------------


@given(tickets())
def test_metrics_match_the_reference(case):
    ticket, as_of = case
    note(f"ticket={ticket!r} as_of={as_of.isoformat()}")
    problems = compare(POLICY.evaluate(ticket, as_of), ref.evaluate(POLICY, ticket, as_of))
    assert not problems, "\n".join(problems)


@given(tickets())
def test_escalations_match_the_reference(case):
    ticket, as_of = case
    note(f"ticket={ticket!r} as_of={as_of.isoformat()}")
    evaluation = POLICY.evaluate(ticket, as_of)
    want = ref.evaluate(POLICY, ticket, as_of)
    problems = escalation_differences(evaluation, want)
    assert not problems, "\n".join(problems)


@given(tickets(), st.integers(0, 2 * 24 * 60), st.sampled_from(["urgent", "high", "gold"]))
def test_escalations_after_a_late_change_match_the_reference(case, before, value):
    # A priority raised (or a tier changed) late makes rules apply that put levels in the
    # past: they fire when the change came, retroactively.
    ticket, as_of = case
    change_at = max(as_of - timedelta(minutes=before), datetime.fromisoformat(ticket["created_at"]))
    field = "tier" if value == "gold" else "priority"
    events = [*ticket["events"], {"at": change_at.isoformat(), "type": "field", "field": field}]
    events[-1]["value"] = value
    ticket = {**ticket, "events": events}
    note(f"ticket={ticket!r} as_of={as_of.isoformat()}")
    evaluation = POLICY.evaluate(ticket, as_of)
    want = ref.evaluate(POLICY, ticket, as_of)
    problems = escalation_differences(evaluation, want)
    assert not problems, "\n".join(problems)


# -- (b) well-formed tickets never make evaluation raise --------------------------------------


@given(loose_tickets())
def test_evaluation_never_raises_on_well_formed_tickets(case):
    ticket, as_of = case
    evaluation = POLICY.evaluate(ticket, as_of)
    evaluation.model_dump(mode="json")
    evaluation.explain()
    assert set(evaluation.metrics) == set(ref.METRICS)
    (record,) = evaluate_many(POLICY, [ticket], as_of)
    assert record.ok, record.errors


@given(loose_tickets())
def test_a_ticket_and_its_json_shape_evaluate_alike(case):
    ticket, as_of = case
    from_shape = POLICY.evaluate(ticket, as_of)
    from_ticket = POLICY.evaluate(Ticket.from_dict(ticket), as_of)
    assert from_ticket == from_shape
    assert from_ticket.explain() == from_shape.explain()


# -- (c) the resolution clock's time adds up -------------------------------------------------


@given(tickets())
def test_resolution_segments_cover_the_life(case):
    """running wall time + paused + solved == [created_at, completed_at or as_of]; business
    time never exceeds wall time.  (All in UTC: datetimes sharing a ZoneInfo subtract as wall
    clocks, which is wrong across a DST change.)"""
    ticket, as_of = case
    result = POLICY.evaluate(ticket, as_of).metrics["resolution"]
    created = datetime.fromisoformat(ticket["created_at"]).astimezone(UTC)
    spans = [(s.kind, s.start.astimezone(UTC), s.end.astimezone(UTC), s) for s in result.segments]
    if as_of > created:  # contiguous, in order, from created_at to as_of
        assert spans[0][1] == created
        assert spans[-1][2] == as_of
    for before, after in pairwise(spans):
        assert before[2] == after[1]
    end = (result.completed_at or as_of).astimezone(UTC)
    covered = sum(
        (max(timedelta(0), min(e, end) - max(b, created)) for _, b, e, _ in spans), timedelta(0)
    )
    assert covered == end - created
    running_wall = sum((e - b for kind, b, e, _ in spans if kind == "running"), timedelta(0))
    paused = sum((e - b for kind, b, e, _ in spans if kind == "paused"), timedelta(0))
    business = sum((s.business for *_, s in spans), timedelta(0))
    assert business == result.elapsed
    assert business <= running_wall
    assert paused == result.paused
    for kind, b, e, s in spans:
        assert timedelta(0) <= s.business <= e - b
        if kind != "running":
            assert s.business == timedelta(0)


# -- (d) more pending time never turns a met resolution into a breach ------------------------


@given(tickets(), st.data())
def test_more_pending_time_never_breaches_a_resolution(case, data):
    """Insert a pending .. open pair inside a running stretch: elapsed can only shrink, so a
    met (or running) resolution cannot become breached, and the finish does not move."""
    ticket, as_of = case
    if data.draw(st.booleans()):  # often solve at as_of, to get finished resolutions
        solve = {"at": as_of.isoformat(), "type": "status", "status": "solved"}
        ticket = {**ticket, "events": [*ticket["events"], solve]}
    before = POLICY.evaluate(ticket, as_of).metrics["resolution"]
    spans = [(s.start.astimezone(UTC), s.end.astimezone(UTC)) for s in before.segments]
    running = [
        (b, e)
        for (b, e), s in zip(spans, before.segments, strict=True)
        if s.kind == "running" and e - b >= timedelta(minutes=2)
    ]
    assume(running)
    begin, end = data.draw(st.sampled_from(running))
    length = ref.as_minutes(end - begin)
    a = data.draw(st.integers(0, length - 2))
    b = data.draw(st.integers(a + 1, length - 1))
    start = begin + timedelta(minutes=a)
    stop = begin + timedelta(minutes=b)
    longer = {
        **ticket,
        "events": [
            *ticket["events"],
            {"at": start.isoformat(), "type": "status", "status": "pending"},
            {"at": stop.isoformat(), "type": "status", "status": "open"},
        ],
    }
    note(f"status before: {before.status}; inserted pending {start} .. open {stop}")
    after = POLICY.evaluate(longer, as_of).metrics["resolution"]
    assert after.elapsed <= before.elapsed
    assert after.completed_at == before.completed_at
    assert after.target_time == before.target_time
    if before.status == "met":
        assert after.status == "met"
    if before.status != "breached":
        assert after.status != "breached"


# -- (e) the input order of events does not matter; events after as_of are ignored ------------


@given(tickets(), st.randoms(use_true_random=False))
def test_event_order_in_the_input_does_not_matter(case, rnd):
    ticket, as_of = case
    seen, events = set(), []
    for event in ticket["events"]:
        at = datetime.fromisoformat(event["at"])
        if at not in seen:
            seen.add(at)
            events.append(event)
    shuffled = list(events)
    rnd.shuffle(shuffled)
    one = POLICY.evaluate({**ticket, "events": events}, as_of)
    two = POLICY.evaluate({**ticket, "events": shuffled}, as_of)
    assert one.model_dump() == two.model_dump()
    for name in ref.METRICS:
        assert one.metrics[name].segments == two.metrics[name].segments


@given(tickets())
def test_events_after_as_of_are_ignored(case):
    ticket, as_of = case
    kept = [e for e in ticket["events"] if datetime.fromisoformat(e["at"]) <= as_of]
    full = POLICY.evaluate(ticket, as_of)
    cut = POLICY.evaluate({**ticket, "events": kept}, as_of)
    assert full.model_dump() == cut.model_dump()


# -- a few checks that need no reference -----------------------------------------------------


@given(tickets())
def test_remaining_is_target_minus_elapsed(case):
    ticket, as_of = case
    evaluation = POLICY.evaluate(ticket, as_of)
    for name in ref.METRICS:
        metric = evaluation.metrics[name]
        for m in [metric, *(metric.cycles or [])]:
            if m.target_time is not None:
                assert m.remaining == m.target_time - m.elapsed
            if m.status == "breached":
                assert m.elapsed > m.target_time
                assert m.breached_at is not None and m.breached_at >= m.due_at
            if m.status == "met":
                assert m.elapsed <= m.target_time


@pytest.mark.parametrize("minutes", [0, 1, 59, 60, 61])
def test_reference_agrees_on_a_plain_reply(minutes):
    """The reference itself: a reply ``minutes`` after a Monday 10:00 creation (gold, urgent,
    target 1h)."""
    created = datetime(2026, 3, 9, 10, 0, tzinfo=BERLIN)
    reply = created + timedelta(minutes=minutes)
    ticket = {
        "id": "R",
        "created_at": created.isoformat(),
        "fields": {"tier": "gold", "priority": "urgent"},
        "events": [{"at": reply.isoformat(), "type": "agent_reply"}],
    }
    want = ref.evaluate(POLICY, ticket, reply)
    first = want.metrics["first_response"]
    assert first.elapsed == timedelta(minutes=minutes)
    assert first.due_at == created + timedelta(hours=1)
    assert first.status == ("met" if minutes <= 60 else "breached")
    assert first.breached_at == (created + timedelta(hours=1) if minutes > 60 else None)
    assert not compare(POLICY.evaluate(ticket, reply), want)


# -- (e) clock rules: pauses on any clock, deadlines at the next opening ---------------------

CLOCK_RULES = load_policy(DATA / "evaluate" / "clock-rules.yaml")
START_RULES = load_policy(DATA / "evaluate" / "start-rules.yaml")


@pytest.mark.parametrize("policy", [CLOCK_RULES, START_RULES], ids=["clock", "start"])
@given(case=tickets())
def test_clock_rules_match_the_reference(policy, case):
    ticket, as_of = case
    note(f"ticket={ticket!r} as_of={as_of.isoformat()}")
    evaluation = policy.evaluate(ticket, as_of)
    want = ref.evaluate(policy, ticket, as_of)
    problems = compare(evaluation, want) + escalation_differences(evaluation, want)
    if evaluation.metrics["first_response"].paused != want.metrics["first_response"].paused:
        problems.append("first_response.paused differs")
    assert not problems, "\n".join(problems)


def _pausing_every_clock(policy: Policy) -> Policy:
    """``policy`` with every response clock of every SLA entry paused as resolution is."""
    rules = {"pause_on": ["pending", "on_hold", "awaiting_vendor"]}
    data = policy.model_dump(by_alias=True, exclude_unset=True)
    for entry in data["sla"]:
        entry["clock_rules"] = dict.fromkeys(
            ("first_response", "next_response", "periodic_update"), rules
        )
    return Policy.model_validate(data)


PAUSING = _pausing_every_clock(POLICY)


@given(tickets())
def test_pausing_a_clock_never_turns_a_met_promise_into_a_breach(case):
    ticket, as_of = case
    plain, paused = POLICY.evaluate(ticket, as_of), PAUSING.evaluate(ticket, as_of)
    for name, before in plain.metrics.items():
        after = paused.metrics[name]
        pairs = list(zip(before.cycles or [before], after.cycles or [after], strict=True))
        for one, two in pairs:
            assert two.elapsed <= one.elapsed, name
            assert two.completed_at == one.completed_at, name
            if one.status == "met":
                assert two.status == "met", name
            if one.status != "breached":
                assert two.status != "breached", name


# -- (f) named semantics -----------------------------------------------------------------------

PRESETS = ("servicepolicy", "zendesk", "freshdesk", "jsm", "zammad")


def _with_semantics(policy: Policy, name: str, **entries: str) -> Policy:
    """``policy`` under the named semantics, and SLA entries (by name) under their own."""
    data = policy.model_dump(by_alias=True, exclude_unset=True)
    data["semantics"] = name
    for entry in data["sla"]:
        if entry["name"] in entries:
            entry["semantics"] = entries[entry["name"]]
    return Policy.model_validate(data)


UNDER = {name: _with_semantics(POLICY, name, americas="zammad") for name in PRESETS}


@pytest.mark.parametrize("name", PRESETS)
@given(case=tickets())
def test_each_named_semantics_matches_the_reference(name, case):
    ticket, as_of = case
    policy = UNDER[name]
    evaluation, want = policy.evaluate(ticket, as_of), ref.evaluate(policy, ticket, as_of)
    problems = compare(evaluation, want) + escalation_differences(evaluation, want)
    assert not problems, "\n".join(problems)


SERVICEPOLICY = _with_semantics(POLICY, "servicepolicy")


@given(tickets())
def test_servicepolicy_semantics_changes_nothing(case):
    ticket, as_of = case
    plain = list(evaluate_many_json(POLICY, [ticket], as_of))
    assert list(evaluate_many_json(SERVICEPOLICY, [ticket], as_of)) == plain


def _every_rule_given(policy: Policy) -> Policy:
    """``policy`` with every rule a named semantics sets given in ``clock_rules``."""
    data = policy.model_dump(by_alias=True, exclude_unset=True)
    for entry in data["sla"]:
        entry["clock_rules"] = {
            "first_response": {"pause_on": ["on_hold"], "deadline_on_close": "next_open"},
            "next_response": {"pause_on": [], "start": "customer_message"},
            "periodic_update": {"pause_on": ["pending"], "deadline_on_close": "close"},
            "resolution": {"deadline_on_close": "close"},
        }
    return Policy.model_validate(data)


GIVEN = {name: _every_rule_given(_with_semantics(POLICY, name)) for name in PRESETS}


@given(tickets())
def test_a_rule_given_wins_over_every_named_semantics(case):
    ticket, as_of = case
    alone = list(evaluate_many_json(GIVEN["servicepolicy"], [ticket], as_of))
    for name in PRESETS:
        assert list(evaluate_many_json(GIVEN[name], [ticket], as_of)) == alone, name


# -- (g) random clock rules against the reference ---------------------------------------------

_PAUSES = st.lists(st.sampled_from(("pending", "on_hold", "awaiting_vendor", "in_progress")))


@st.composite
def _clock_rules(draw) -> dict:
    rules: dict = {}
    for metric in ("first_response", "next_response", "periodic_update", "resolution"):
        entry: dict = {}
        if draw(st.booleans()):
            entry["pause_on"] = draw(_PAUSES)
        if draw(st.booleans()):
            entry["deadline_on_close"] = draw(st.sampled_from(("close", "next_open")))
        if metric == "next_response" and draw(st.booleans()):
            entry["start"] = draw(st.sampled_from(("after_agent_reply", "customer_message")))
        if metric in ("first_response", "next_response") and draw(st.booleans()):
            entry["stop"] = draw(
                st.sampled_from(
                    (
                        "agent_reply",
                        {"event": "internal_note"},
                        {"event": "agent_reply", "actor": "agent", "public": True},
                        {"event": "agent_reply", "public": False},
                        {"status": ["pending"]},
                        {"status": ["in_progress", "on_hold"]},
                    )
                )
            )
        if metric in ("first_response", "resolution"):
            if draw(st.booleans()):
                entry["start"] = draw(
                    st.sampled_from(
                        (
                            "created",
                            "first_customer_message",
                            {"event": "internal_note"},
                            {"event": "abuse_warning"},
                        )
                    )
                )
            if draw(st.booleans()):
                entry["start_after"] = draw(
                    st.sampled_from(
                        (
                            "0m",
                            "15m",
                            "2h",
                            "10h",
                            {"span": "30m", "calendar": "24/7"},
                            {"span": "1h", "calendar": "americas"},
                        )
                    )
                )
        start, stop = entry.get("start"), entry.get("stop")
        if isinstance(start, dict) and isinstance(stop, dict) and stop == start:
            del entry["stop"]  # refused: it could never be late
        if entry:
            rules[metric] = entry
    return rules


@st.composite
def _policies(draw) -> Policy:
    data = POLICY.model_dump(by_alias=True, exclude_unset=True)
    data["semantics"] = draw(st.sampled_from((*PRESETS, None)))
    if data["semantics"] is None:
        del data["semantics"]
    for entry in data["sla"]:
        entry["clock_rules"] = draw(_clock_rules())
        if draw(st.integers(0, 3)) == 0:
            entry["semantics"] = draw(st.sampled_from(PRESETS))
    return Policy.model_validate(data)


@settings(max_examples=200)
@given(policy=_policies(), case=tickets())
def test_random_clock_rules_match_the_reference(policy, case):
    ticket, as_of = case
    note(f"clock rules: {[entry.clock_rules for entry in policy.sla]}")
    evaluation, want = policy.evaluate(ticket, as_of), ref.evaluate(policy, ticket, as_of)
    problems = compare(evaluation, want) + escalation_differences(evaluation, want)
    assert not problems, "\n".join(problems)


@given(
    case=tickets(),
    channel=st.sampled_from(("chat", "email", None)),
    subject=st.sampled_from(("urgent: down", "Urgent", "not urgent", None)),
)
def test_an_entry_chosen_by_the_first_message_matches_the_reference(case, channel, subject):
    ticket, as_of = case
    first = {"at": ticket["created_at"], "type": "customer_message"}
    first |= {key: value for key, value in (("channel", channel), ("subject", subject)) if value}
    ticket = {**ticket, "fields": {**ticket["fields"], "tier": "gold"}}
    ticket["events"] = [first, *ticket["events"]]
    evaluation, want = START_RULES.evaluate(ticket, as_of), ref.evaluate(START_RULES, ticket, as_of)
    problems = compare(evaluation, want) + escalation_differences(evaluation, want)
    assert not problems, "\n".join(problems)
