"""The bounded memo: answers kept up to a limit, then started over."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from servicepolicy._common import MISSING, BoundedMemo, memoized


def test_a_memo_gives_back_what_it_was_given_and_none_for_the_rest():
    memo: BoundedMemo[str, int] = BoundedMemo()
    assert memo.get("a") is None
    assert memo.put("a", 1) == 1
    assert memo.get("a") == 1
    assert len(memo) == 1
    assert repr(memo) == "BoundedMemo(1 of 4096)"
    assert isinstance(memo, dict)  # looked up as a dict, in both builds


@given(st.lists(st.integers(0, 50)), st.integers(1, 8))
def test_a_memo_never_holds_more_than_its_limit(keys, limit):
    memo: BoundedMemo[int, int] = BoundedMemo(limit)
    for key in keys:
        if memo.get(key) is None:
            memo.put(key, key * 2)
        assert len(memo) <= limit
        assert memo.get(key) == key * 2  # the last answer put is always kept


def test_a_memoized_predicate_remembers_none_and_tells_types_apart():
    calls = []

    def predicate(fields):
        calls.append(dict(fields))
        return None if fields.get("tier") == "free" else fields.get("tier") is True

    test = memoized(predicate, {"tier"})
    assert test({"tier": "free"}) is None
    assert test({"tier": "free"}) is None
    assert len(calls) == 1  # None is an answer, kept like any other
    assert test({"tier": True}) is True
    assert test({"tier": 1}) is False  # 1 == True, yet they are different values
    assert test({}) is False
    assert test({"tier": Decimal("sNaN")}) is False  # unhashable: asked every time
    assert test({"tier": Decimal("sNaN")}) is False
    assert len(calls) == 6
    assert MISSING is not None


def test_a_memoized_predicate_asks_again_for_containers():
    calls = []
    test = memoized(lambda fields: calls.append(1) or True, {"tags"})
    test({"tags": ["a"]})
    test({"tags": ["a"]})
    assert len(calls) == 2
