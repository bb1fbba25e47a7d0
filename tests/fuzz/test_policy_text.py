"""Policy text, fuzzed: the example policies with characters deleted, inserted and replaced,
odd YAML spliced in (huge numbers, escapes past Unicode, tabs, deep brackets, anchors and
aliases, tags), and random documents built from data.  Checking one returns a policy or
located findings, never an exception; a policy that comes back evaluates tickets."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from servicepolicy import PolicyError, check_policy_text, parse_policy
from tests.fuzz.support import (
    BAD_TICKETS,
    EXAMPLE_TICKETS,
    POLICY_TEXTS,
    assert_evaluates,
    assert_well_formed,
    hang_guard,
)

SPLICES = (
    "9" * 5000,
    "-" + "9" * 400,
    "1e999999999",
    "-1e999999999",
    "1e-999999999",
    "0." + "0" * 300 + "1",
    '"\\U00110000"',
    '"\\ud800"',
    '"\\x00"',
    '"\\',
    "\t",
    "\t\t- x",
    "[" * 60,
    "]" * 60,
    "{" * 60,
    "[" * 400 + "]" * 400,
    "&a ",
    "*a",
    "*nowhere",
    "&a [x, *a]",
    "<<: *a",
    "? ",
    "- ",
    ": ",
    ",",
    "!!str ",
    "!!int 5",
    "!!binary aGk=",
    "!!python/object/apply:os.system ['true']",
    "!custom x",
    "%YAML 1.1\n---\n",
    "\n---\n",
    "\n...\n",
    "|\n  text",
    ">-\n  text",
    "'",
    '"',
    "#",
    "\x00",
    "\x7f",
    "\ufeff",
    "\u2028",
    "\x85",
    "\r",
    "\r\n",
    "\ud800",
    "\U0001f600",
    "日本語",
    "0x1F",
    "0o17",
    "1_000",
    ".inf",
    "-.inf",
    ".nan",
    "NaN",
    "~",
    "null",
    "yes",
    "off",
    "2026-02-30",
    "2026-13-01",
    "10000-01-01",
    "0000-01-01",
    "1899-12-31",
    "2200-01-01",
    "12:30",
    "24:00-24:00",
    "23:59-00:00",
    "00:00-24:00",
    "09:00-09:00",
    "P1000Y",
    "PT0S",
    "-1h",
    "0h",
    "0bd",
    "99999999999bd",
    "1e3h",
    "100%",
    "101%",
    "-5%",
    "breach + 99999999h",
    "24/7",
    "daily",
    "mon-mon",
    "FREQ=DAILY",
    "Europe",
    "../../etc/passwd",
)

_TEXT = st.text(max_size=12)
_FRAGMENTS = st.one_of(
    st.sampled_from(SPLICES),
    _TEXT,
    st.integers().map(str),
    st.floats().map(repr),
)


@st.composite
def mutated_policy_texts(draw) -> str:
    """An example policy with a few edits: deletions, insertions, replaced characters,
    replaced values, and lines repeated or swapped."""
    text = draw(st.sampled_from(POLICY_TEXTS))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(("delete", "insert", "char", "value", "value", "line")))
        at = draw(st.integers(0, len(text)))
        if kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        elif kind == "insert":
            text = text[:at] + draw(_FRAGMENTS) + text[at:]
        elif kind == "char":
            text = text[:at] + draw(st.characters()) + text[at + 1 :]
        elif kind == "value":  # the value after the next "key: "
            colon = text.find(": ", at)
            if colon >= 0:
                end = text.find("\n", colon)
                end = len(text) if end < 0 else end
                text = text[: colon + 2] + draw(_FRAGMENTS) + text[end:]
        else:
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            if draw(st.booleans()):
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


# -- documents built from data ----------------------------------------------------------------

KEYS = (
    "servicepolicy",
    "name",
    "description",
    "calendars",
    "timezone",
    "hours",
    "holidays",
    "seasons",
    "date",
    "rrule",
    "from",
    "to",
    "sla",
    "when",
    "calendar",
    "pause_on",
    "warn_at",
    "targets",
    "first_response",
    "next_response",
    "periodic_update",
    "resolution",
    "default",
    "urgent",
    "escalation",
    "escalations",
    "at",
    "notify",
    "metrics",
    "compensation",
    "currency",
    "rules",
    "credit",
    "of",
    "tiers",
    "percent",
    "refunds",
    "not_in",
    "mon-fri",
    "clock_rules",
    "semantics",
    "start",
    "start_after",
    "pause_on",
    "deadline_on_close",
    "event",
    "statuses",
)
WORDS = (
    "1",
    "2",
    "24/7",
    "Europe/Berlin",
    "UTC",
    "09:00-17:00",
    "mon-fri",
    "4h",
    "2bd",
    "75%",
    "breach",
    "urgent",
    "enterprise",
    "EUR",
    "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1",
    "zammad",
    "freshdesk",
    "next_open",
    "customer_message",
    "first_customer_message",
    "after_agent_reply",
    "pending",
    "closed",
)

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**30),
    st.floats(),
    st.text(max_size=10),
    st.dates(),
    st.sampled_from(WORDS),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), _TEXT), children, max_size=4),
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place inside a document's data: dictionary keys and list indexes."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def structured_policy_texts(draw) -> str:
    """YAML dumped from data: an example policy's data with values replaced, keys removed
    or added; or a document of random data under policy keys."""
    if draw(st.integers(0, 4)) == 0:
        data: Any = draw(st.dictionaries(st.sampled_from(KEYS), _VALUES, max_size=6))
    else:
        data = yaml.safe_load(draw(st.sampled_from(POLICY_TEXTS)))
        for _ in range(draw(st.integers(1, 3))):
            path = draw(st.sampled_from(_paths(data)))
            if not path:
                continue
            parent = data
            for part in path[:-1]:
                parent = parent[part]
            kind = draw(st.sampled_from(("replace", "replace", "remove", "add")))
            if kind == "replace":
                parent[path[-1]] = draw(_VALUES)
            elif kind == "remove":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw(st.one_of(st.sampled_from(KEYS), _TEXT))] = draw(_VALUES)
            else:
                parent.append(draw(_VALUES))
    return yaml.safe_dump(
        data,
        allow_unicode=draw(st.booleans()),
        sort_keys=False,
        default_flow_style=draw(st.sampled_from((None, True, False))),
    )


def _check(text: str) -> None:
    with hang_guard():
        policy, findings = check_policy_text(text)
        assert_well_formed(findings, text)
        errors = [f for f in findings if f.severity == "error"]
        assert (policy is None) == bool(errors)
        try:
            parsed = parse_policy(text)
        except PolicyError as exc:
            assert policy is None
            assert exc.findings
            assert_well_formed(exc.findings, text)
        else:
            assert policy is not None
            assert parsed == policy
        if policy is not None:
            assert_evaluates(policy, [*EXAMPLE_TICKETS, *BAD_TICKETS])


@given(mutated_policy_texts())
def test_a_mutated_example_policy_gives_a_policy_or_located_findings(text):
    _check(text)


@given(structured_policy_texts())
def test_a_document_built_from_data_gives_a_policy_or_located_findings(text):
    _check(text)


@pytest.mark.parametrize("splice", [*SPLICES, '"\\UFFFFFFFF"'])
def test_every_splice_in_place_of_a_value_gives_a_policy_or_located_findings(splice):
    for text in POLICY_TEXTS:
        for key in ("name: ", "timezone: ", "first_response: ", "date: "):
            if key in text:
                start = text.index(key) + len(key)
                end = text.find("\n", start)
                _check(text[:start] + splice + text[end:])


@pytest.mark.parametrize("text", POLICY_TEXTS)
def test_an_example_policy_dumped_from_its_data_still_loads(text):
    # Documents built from data start from this dump: unmutated, it is the same policy.
    dumped = yaml.safe_dump(yaml.safe_load(text), sort_keys=False, allow_unicode=True)
    assert parse_policy(dumped) == parse_policy(text)
