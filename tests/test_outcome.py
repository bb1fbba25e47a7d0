"""The JSON Lines writer reads outcomes directly; it must equal the models' own JSON."""

from __future__ import annotations

import copy
import json
import pickle
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from servicepolicy import Condition, load_policy
from servicepolicy._evaluate import Evaluator, outcome_or_record, prepared
from servicepolicy._outcome import duration_text, error_outcome, outcome_json, to_evaluation
from test_evaluate_properties import POLICY, loose_tickets, tickets

EXAMPLES = Path(__file__).parent.parent / "policies" / "examples"


def _same(outcome) -> None:
    assert outcome_json(outcome) == to_evaluation(outcome).model_dump_json()


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
