"""The JSON Lines writer reads outcomes directly; it must equal the models' own JSON."""

from __future__ import annotations

import copy
import json
import pickle
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import TypeAdapter
from pydantic_core import to_json

from servicepolicy import Condition, load_policy, parse_policy
from servicepolicy._common import instant, to_micros
from servicepolicy._evaluation import (
    Evaluator,
    JsonWriter,
    error_outcome,
    outcome_json,
    outcome_or_record,
    prepared,
    seconds_text,
    to_evaluation,
)
from tests.paths import ROOT
from tests.strategies import POLICY, loose_tickets, tickets

EXAMPLES = ROOT / "policies" / "examples"
# One writer for the whole module, as a long batch keeps one: its memos carry over from
# example to example, so both the first text and the remembered one are checked.
WRITER = JsonWriter()
duration_text = WRITER.duration_text
instant_text = WRITER.instant_text


def _same(outcome) -> None:
    expected = to_evaluation(outcome).model_dump_json()
    assert WRITER.outcome_json(outcome) == expected
    assert outcome_json(outcome) == expected  # a writer of its own


@given(tickets())
def test_outcome_json_equals_the_models_json(case):
    ticket, as_of = case
    _same(outcome_or_record(Evaluator(POLICY), ticket, as_of))


@given(loose_tickets())
def test_outcome_json_equals_the_models_json_on_loose_tickets(case):
    ticket, as_of = case
    _same(outcome_or_record(Evaluator(POLICY), ticket, as_of))


@pytest.mark.parametrize("name", ["saas-support", "ecommerce"])
@pytest.mark.parametrize("as_of", ["2026-11-23T13:00:00+01:00", "2027-02-01T00:00:00Z"])
def test_outcome_json_equals_the_models_json_on_the_examples(name, as_of):
    evaluator = Evaluator(load_policy(EXAMPLES / f"{name}.yaml"))
    moment = datetime.fromisoformat(as_of)
    lines = (EXAMPLES / f"{name}.tickets.jsonl").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        outcome = outcome_or_record(evaluator, json.loads(line), moment, number)
        _same(outcome)
    assert lines


def test_the_examples_exercise_compensation_in_the_writer():
    evaluator = Evaluator(load_policy(EXAMPLES / "saas-support.yaml"))
    moment = datetime.fromisoformat("2027-02-01T00:00:00Z")
    lines = (EXAMPLES / "saas-support.tickets.jsonl").read_text(encoding="utf-8").splitlines()
    outcomes = [outcome_or_record(evaluator, json.loads(line), moment) for line in lines]
    assert any(o.compensation for o in outcomes)
    assert any(o.escalations for o in outcomes)


def test_error_outcome_json_equals_the_models_json():
    as_of = datetime.fromisoformat("2026-11-23T13:00:00+01:00")
    _same(error_outcome("line 3: bad 'at' \u00e9\n", as_of, "T-\u00e9", 3))
    _same(error_outcome("x", as_of))


def test_equal_as_of_instants_in_other_zones_keep_their_own_text():
    for stamp in ("2026-11-23T12:00:00Z", "2026-11-23T13:00:00+01:00", "2026-11-23T12:00:00Z"):
        _same(error_outcome("x", datetime.fromisoformat(stamp)))


def test_a_policy_keeps_its_evaluator_and_stays_equal_to_a_fresh_load():
    path = EXAMPLES / "saas-support.yaml"
    used, fresh = load_policy(path), load_policy(path)
    as_of = datetime.fromisoformat("2026-11-23T13:00:00+01:00")
    ticket = {"id": "A", "created_at": "2026-11-20T10:00:00+01:00", "fields": {"tier": "pro"}}
    first = used.evaluate(ticket, as_of)
    assert used.evaluate(ticket, as_of) == first
    assert used == fresh
    assert used != fresh.model_copy(update={"name": "another"})
    assert fresh.evaluate(ticket, as_of) == first


@given(st.integers(min_value=-(10**17), max_value=10**17))
def test_duration_text_is_pydantics_text(micros):
    expected = TypeAdapter(timedelta).dump_json(timedelta(microseconds=micros)).decode()
    assert duration_text(micros) == expected[1:-1]
    assert duration_text(micros) == expected[1:-1]  # and again from the memo


@given(st.integers(min_value=-(10**11), max_value=10**11))
def test_duration_text_of_whole_seconds_is_pydantics_text(seconds):
    expected = TypeAdapter(timedelta).dump_json(timedelta(seconds=seconds)).decode()
    assert duration_text(seconds * 1_000_000) == expected[1:-1]


@given(st.integers(min_value=-(10**17), max_value=10**17))
@example(2**53 + 1)  # where dividing in floating point first is off in the last digit
def test_seconds_text_is_the_models_seconds(micros):
    def models(value: int) -> str:  # what MetricResult.elapsed_seconds and its kin compute
        return to_json(timedelta(microseconds=value).total_seconds()).decode()

    assert seconds_text(micros) == models(micros)
    whole = micros - micros % 1_000_000
    assert seconds_text(whole) == models(whole)


_ZONES = sorted(available_timezones())
_FIRST = int(datetime(1001, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000
_LAST = int(datetime(8999, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000
_RECENT = int(datetime(1900, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000


def _models_text(micros, zone) -> str:
    """An instant as the models write it: the datetime they hold, through pydantic-core."""
    return to_json(instant(micros, zone)).decode()


@st.composite
def _zones(draw):
    kind = draw(st.sampled_from(["iana", "fixed", "none"]))
    if kind == "iana":
        return ZoneInfo(draw(st.sampled_from(_ZONES)))
    if kind == "fixed":
        # Whole seconds, as in every zone of the tz database and every calendar's zone.
        return timezone(timedelta(seconds=draw(st.integers(min_value=-86_399, max_value=86_399))))
    return None


@given(
    st.one_of(
        st.integers(min_value=_FIRST, max_value=_LAST),
        st.integers(min_value=_RECENT, max_value=_RECENT + 200 * 365 * 86_400_000_000),
        st.integers(min_value=_RECENT // 60_000_000, max_value=4_000_000_000 // 60).map(
            lambda minutes: minutes * 60_000_000
        ),
    ),
    _zones(),
)
def test_instant_text_is_pydantics_datetime(micros, zone):
    assert instant_text(micros, zone) == _models_text(micros, zone)
    assert instant_text(micros, zone) == _models_text(micros, zone)  # memoized


@pytest.mark.parametrize("span", [-1, 0, 46, 47, 48])
@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/St_Johns", "Australia/Lord_Howe"])
def test_instant_text_at_the_edges_of_the_writers_offset_spans(span, zone):
    # The writer works a zone's offsets out 2**45 µs at a time; both sides of each edge.
    for micros in (span << 45, (span << 45) - 1, (span << 45) + 1):
        assert instant_text(micros, ZoneInfo(zone)) == _models_text(micros, ZoneInfo(zone))


@given(
    st.sampled_from(["Europe/Berlin", "America/St_Johns", "Australia/Lord_Howe", "UTC"]),
    st.integers(min_value=2024, max_value=2027),
    st.lists(st.integers(min_value=-3 * 86_400, max_value=3 * 86_400), min_size=2, max_size=30),
)
def test_instant_text_of_nearby_instants_in_one_zone(zone, year, seconds):
    # A ticket's instants lie close together: the writer reuses the offset stretch of the
    # last one, so here they cluster around each DST change of a year, in any order.
    tz = ZoneInfo(zone)
    for month in (3, 4, 10, 11):
        base = to_micros(datetime(year, month, 1 if month in (4, 11) else 28, tzinfo=UTC))
        for second in seconds:
            micros = base + second * 1_000_000
            assert instant_text(micros, tz) == _models_text(micros, tz)


@pytest.mark.parametrize(
    ("stamp", "zone"),
    [
        ("2026-03-29T01:00:00+00:00", "Europe/Berlin"),  # the spring-forward instant
        ("2026-10-25T00:59:59.999999+00:00", "Europe/Berlin"),  # just before falling back
        ("2026-10-25T01:00:00+00:00", "Europe/Berlin"),  # the second 02:00
        ("1850-01-01T00:00:00+00:00", "Europe/Amsterdam"),  # local mean time, +00:19:32
        ("2024-12-31T23:59:59+00:00", "Pacific/Kiritimati"),  # +14:00, the next year locally
        ("2024-02-29T12:00:00+00:00", "America/St_Johns"),  # a leap day, -03:30
    ],
)
def test_instant_text_on_transitions_and_odd_offsets(stamp, zone):
    micros = to_micros(datetime.fromisoformat(stamp))
    assert instant_text(micros, ZoneInfo(zone)) == _models_text(micros, ZoneInfo(zone))


@pytest.mark.parametrize("name", ["saas-support", "ecommerce", "telecom-callcentre"])
def test_a_policy_pickles_and_copies_before_and_after_evaluating(name):
    policy = load_policy(EXAMPLES / f"{name}.yaml")
    as_of = datetime.fromisoformat("2026-11-23T13:00:00+01:00")
    ticket = {"id": "A", "created_at": "2026-11-20T10:00:00+01:00", "fields": {"tier": "pro"}}
    assert pickle.loads(pickle.dumps(policy)) == policy
    first = policy.evaluate(ticket, as_of)
    for copied in (pickle.loads(pickle.dumps(policy)), copy.deepcopy(policy)):
        assert copied == policy
        assert copied.evaluate(ticket, as_of) == first


def test_remembered_condition_answers_keep_true_and_one_apart_inside_containers():
    condition = Condition({"flags": {"contains": True}})
    assert condition.matches({"flags": (True,)})
    assert not condition.matches({"flags": (1,)})
    assert not condition.matches({"flags": frozenset({1})})
    assert condition.matches({"flags": [True]})
    number = Condition({"flag": True})
    assert number.matches({"flag": True}) and not number.matches({"flag": 1})


def test_a_copy_changed_with_model_copy_is_evaluated_under_its_own_rules():
    policy = load_policy(EXAMPLES / "saas-support.yaml")
    as_of = datetime.fromisoformat("2026-11-23T13:00:00+01:00")
    ticket = {"id": "A", "created_at": "2026-11-20T10:00:00+01:00", "fields": {"tier": "pro"}}
    assert policy.evaluate(ticket, as_of).policy == "business"
    only = policy.sla[-1]
    for changed in (
        policy.model_copy(update={"sla": [only]}),
        policy.model_copy(update={"sla": [only]}, deep=True),
    ):
        assert changed.evaluate(ticket, as_of).policy == only.name
    assert copy.copy(policy) == policy


def test_a_deep_copy_of_a_policy_leaves_other_references_to_its_evaluator_alone():
    policy = load_policy(EXAMPLES / "saas-support.yaml")
    evaluator = prepared(policy)
    memo: dict[int, object] = {}
    copied, again = copy.deepcopy([policy, policy], memo)
    assert copied is again and copied == policy
    assert copied.__pydantic_private__["_evaluator"] is None
    assert policy.__pydantic_private__["_evaluator"] is evaluator
    assert id(evaluator) not in memo  # so another reference to it would be copied as usual


ESCALATING = """
servicepolicy: "1"
name: Escalation text
calendars:
  always: {timezone: Europe/Berlin, hours: {mon-sun: ["00:00-24:00"]}}
sla:
  - name: loud
    when: {tier: loud}
    calendar: always
    targets: {first_response: 2h, resolution: 4h}
    escalation: "p\\u00e4th \\"one\\""
  - name: quiet
    calendar: always
    targets: {first_response: 2h, resolution: 4h}
    escalation: two
escalations:
  "p\\u00e4th \\"one\\"":
    - {name: "Stufe \\u00ab1\\u00bb \\"eins\\"", at: 50%, notify: ["lead \\u2192 \\\\"],
       actions: ["page", "tab\\there"], set_priority: urgent}
    - {at: breach, notify: [], reassign: "tier-2\\n"}
  two:
    - {name: "Stufe \\u00ab1\\u00bb \\"eins\\"", at: 50%, notify: ["lead \\u2192 \\\\"],
       actions: ["page", "tab\\there"], set_priority: urgent}
    - {on_event: abuse_warning, count: 2, actions: [end_call]}
"""


@pytest.mark.parametrize("tier", ["loud", "quiet"])
def test_fired_escalations_with_names_actions_and_escapes_are_the_models_json(tier):
    evaluator = Evaluator(parse_policy(ESCALATING))
    as_of = datetime.fromisoformat("2026-11-23T18:00:00+01:00")
    events = [{"at": f"2026-11-23T10:0{n}:00+01:00", "type": "abuse_warning"} for n in (1, 2)]
    ticket = {"id": "E", "created_at": "2026-11-23T09:00:00+01:00", "fields": {"tier": tier}}
    for _ in range(2):  # the second time from the writer's remembered texts
        outcome = outcome_or_record(evaluator, {**ticket, "events": events}, as_of)
        assert len(outcome.escalations) >= 3
        _same(outcome)


def test_an_instant_met_again_in_another_zone_is_shown_in_that_zone():
    from servicepolicy._evaluation import model_instant, model_timedelta

    micros = to_micros(datetime(2026, 3, 29, 1, 30, tzinfo=UTC))
    berlin, tokyo = ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Tokyo")
    for zone in (berlin, tokyo, None, berlin, timezone(timedelta(hours=-3)), None):
        shown = model_instant(micros, zone)
        assert shown == instant(micros, zone)
        assert shown.tzinfo is (zone or UTC)
        assert shown.isoformat() == instant(micros, zone).isoformat()
    assert model_timedelta(90_000_001) == timedelta(seconds=90, microseconds=1)
    assert model_timedelta(-5) == timedelta(microseconds=-5)


@given(st.lists(loose_tickets(), min_size=1, max_size=4), st.integers(0, 4))
def test_evaluate_many_json_is_the_models_json_one_per_ticket_in_order(cases, broken_at):
    from servicepolicy import Ticket, evaluate_many, evaluate_many_json

    as_of = cases[0][1]
    tickets: list = [ticket for ticket, _ in cases]
    tickets[0] = Ticket.from_dict(tickets[0])  # a Ticket as well as JSON shapes
    tickets.insert(min(broken_at, len(tickets)), {"id": "bad", "created_at": "yesterday"})
    texts = list(evaluate_many_json(POLICY, tickets, as_of))
    assert texts == [e.model_dump_json() for e in evaluate_many(POLICY, tickets, as_of)]
    assert [json.loads(text)["errors"] != [] for text in texts].count(True) == 1


def test_batches_in_two_threads_write_what_each_writes_alone():
    # Each batch keeps its own writer: two batches in two threads, switching threads as often
    # as the interpreter allows, write the same texts as each does alone.
    import sys
    import threading

    as_of = datetime.fromisoformat("2026-12-31T12:00:00+01:00")
    lines = (EXAMPLES / "saas-support.tickets.jsonl").read_text(encoding="utf-8").splitlines()
    eastern = [json.loads(line) for line in lines] * 20
    western = [
        {
            **ticket,
            "created_at": datetime.fromisoformat(ticket["created_at"])
            .astimezone(timezone(timedelta(hours=-7)))
            .isoformat(),
        }
        for ticket in eastern
    ]
    batches = {"east": eastern, "west": western}
    policy = load_policy(EXAMPLES / "saas-support.yaml")
    from servicepolicy import evaluate_many_json

    alone = {
        name: list(evaluate_many_json(policy, batch, as_of)) for name, batch in batches.items()
    }
    together: dict[str, list[str]] = {}

    def run(name: str) -> None:
        together[name] = list(evaluate_many_json(policy, batches[name], as_of))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=run, args=(name,)) for name in batches]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert together == alone


def test_records_take_keywords_and_show_their_fields():
    from servicepolicy._evaluation import Outcome, Promise

    promise = Promise(status="met", start=1, due=2)
    assert repr(promise) == (
        "Promise(status='met', start=1, due=2, completed=None, breached=None, elapsed=0, "
        "target=None, zone=None, stretches=None, running=None, business=None, paused_now=False)"
    )
    outcome = error_outcome("bad", datetime(2026, 1, 1, tzinfo=UTC), "T-1", 3)
    assert repr(outcome).startswith("Outcome(ticket_id='T-1', policy=None, as_of=")
    assert isinstance(outcome, Outcome)
    with pytest.raises(TypeError):
        Promise("met")  # type: ignore[misc]
    with pytest.raises(TypeError):
        Outcome("T-1")  # type: ignore[misc]
