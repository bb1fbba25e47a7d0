"""The SLA entry index: the same first match as testing every entry in order, and a cost
that does not grow with the number of entries a ticket cannot match."""

from __future__ import annotations

import gc
from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from servicepolicy import SlaPolicy, evaluate_many, parse_policy
from servicepolicy._common.memo import LIMIT, BoundedMemo
from servicepolicy._evaluation.selection import EntrySelector, equality_key, required_values

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
VALUES = ("a", "b", "A", "1", "1.0", " 1 ", "01", "x1", "", "true", "null", "2")
PLAIN = st.one_of(
    st.sampled_from(VALUES),
    st.sampled_from((0, 1, 2, True, False, None)),
    st.sampled_from((Decimal("1"), Decimal("1.00"), Decimal("2.5"))),
)
FIELD_NAMES = ("tier", "plan", "region")


def entry(number: int, when: dict | None) -> SlaPolicy:
    return SlaPolicy.model_validate(
        {"name": f"e{number}", "when": when, "calendar": "24/7", "targets": {"resolution": "1h"}}
    )


def scan(entries: list[SlaPolicy], fields: dict) -> int | None:
    for number, sla in enumerate(entries):
        if sla.when is None or sla.when.matches(fields):
            return number
    return None


def field_tests() -> st.SearchStrategy[object]:
    values = st.lists(PLAIN, max_size=3)
    return st.one_of(
        PLAIN,
        values,
        st.builds(lambda v: {"eq": v}, PLAIN),
        st.builds(lambda v: {"in": v}, values),
        st.builds(lambda v: {"ne": v}, PLAIN),
        st.builds(lambda v: {"not_in": v}, values),
        st.builds(lambda v: {"in": v, "ne": "b"}, values),
        st.sampled_from(({"gte": 1}, {"exists": True}, {"exists": False}, {"contains": "a"})),
    )


conditions = st.recursive(
    st.dictionaries(st.sampled_from(FIELD_NAMES), field_tests(), max_size=2),
    lambda inner: st.one_of(
        st.builds(lambda c: {"not": c}, inner),
        st.builds(lambda cs: {"any_of": cs}, st.lists(inner, min_size=1, max_size=2)),
        st.builds(lambda c, d: {**d, "all_of": [c]}, inner, inner),
    ),
    max_leaves=4,
)
ticket_fields = st.dictionaries(
    st.sampled_from(FIELD_NAMES),
    st.one_of(PLAIN, st.just(["a"]), st.just({"k": "a"}), st.floats(allow_nan=True)),
    max_size=3,
)


@given(st.lists(st.one_of(st.none(), conditions), min_size=1, max_size=12), ticket_fields)
def test_the_index_finds_the_first_entry_a_scan_finds(whens, fields):
    entries = [entry(n, when) for n, when in enumerate(whens)]
    assert EntrySelector(entries).first(fields) == scan(entries, fields)


def test_values_that_conditions_find_equal_share_a_key():
    same = [("1", 1, Decimal("1.00"), " 1 ", "1e0"), (True,), (None,), ("a",)]
    for group in same:
        assert len({equality_key(v) for v in group}) == 1, group
    keys = [equality_key(v) for v in (1, True, None, "None", "a", "A", 0, False)]
    assert len(set(keys)) == len(keys)
    assert equality_key(["a"]) is None and equality_key({"a": 1}) is None


def test_which_conditions_are_filed_under_a_field():
    assert required_values({"tier": "gold"}) == ("tier", [(str, "gold")])
    assert required_values({"tier": {"in": [1, "x"]}}) == (
        "tier",
        [(Decimal, Decimal(1)), (str, "x")],
    )
    assert required_values({"tier": {"eq": True, "ne": False}}) == ("tier", [(bool, True)])
    assert required_values({"fee": {"gte": 1}, "tier": ["a"]}) == ("tier", [(str, "a")])
    for unindexed in ({}, {"fee": {"gte": 1}}, {"any_of": [{"tier": "a"}]}, {"not": {"t": 1}}):
        assert required_values(unindexed) is None


def test_order_decides_between_an_indexed_entry_and_an_unindexed_one():
    entries = [
        entry(0, {"fee": {"gte": 100}}),
        entry(1, {"customer": "acme"}),
        entry(2, {"customer": "acme", "fee": {"lt": 100}}),
        entry(3, None),
    ]
    selector = EntrySelector(entries)
    assert selector.first({"customer": "acme", "fee": 500}) == 0
    assert selector.first({"customer": "acme", "fee": 5}) == 1
    assert selector.first({"customer": "other", "fee": 5}) == 3
    assert selector.first({"customer": ["acme"], "fee": 5}) == 3  # a list equals no value


MANY = 3000


def _many_entries_policy() -> str:
    lines = [
        'servicepolicy: "1"\nname: many\n'
        'calendars:\n  office: {timezone: Europe/Berlin, hours: {mon-fri: ["09:00-17:00"]}}\nsla:\n'
    ]
    lines += [
        f"  - {{name: e{k}, when: {{customer: c{k}}}, calendar: office, "
        "targets: {first_response: 4h}}\n"
        for k in range(MANY)
    ]
    lines.append("  - {name: rest, calendar: office, targets: {first_response: 8h}}\n")
    return "".join(lines)


def test_many_entries_and_distinct_values_keep_every_memo_bounded():
    policy = parse_policy(_many_entries_policy())
    tickets = [
        {"id": str(k), "created_at": "2026-11-20T09:00:00Z", "fields": {"customer": f"c{k}"}}
        for k in range(0, 2 * MANY, 2)
    ]
    results = list(evaluate_many(policy, tickets, NOW))
    assert [r.policy for r in results[:3]] == ["e0", "e2", "e4"]
    assert results[-1].policy == "rest"
    gc.collect()
    memos = [m for m in gc.get_objects() if isinstance(m, BoundedMemo)]
    assert all(len(m) <= m.limit for m in memos)
    # A memo per entry, each holding the values it was tested with, held 3,000 times more.
    assert sum(len(m) for m in memos) <= 20 * LIMIT
