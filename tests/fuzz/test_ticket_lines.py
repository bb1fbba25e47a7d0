"""Ticket lines, fuzzed: random bytes, broken JSON, and JSON of odd shapes (ids as lists,
huge numbers, deep nesting, lone surrogates, events of the wrong shape, instants without an
offset or outside the supported years), as a JSON Lines file through ``servicepolicy
evaluate`` and as values through ``evaluate_many``.  Nothing raises, and counts in equal
counts out: one record for every line that is not blank.

Lines end at ``\\n`` alone; a line of JSON's whitespace only (space, tab, ``\\r``) is blank
and gives no record; a byte-order mark starting the file is skipped
(``servicepolicy._tickets.streams``)."""

from __future__ import annotations

import io
import json
import tempfile
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from servicepolicy import load_policy
from servicepolicy.cli import main
from tests.fuzz.support import AS_OF, assert_evaluates, hang_guard
from tests.paths import EXAMPLES

POLICY_FILE = EXAMPLES / "saas-support.yaml"
POLICY = load_policy(POLICY_FILE)
GOOD_LINES = [
    line.encode("utf-8")
    for path in sorted(EXAMPLES.glob("*.tickets.jsonl"))
    for line in path.read_text(encoding="utf-8").splitlines()
    if line.strip()
]
BLANK = b" \t\r\n"  # JSON's whitespace
BOM = b"\xef\xbb\xbf"

INSTANTS = (
    "2026-11-20T10:00:00+01:00",
    "2026-11-20T10:00:00Z",
    "2026-11-20T10:00:00",
    "2026-11-20",
    "2026-11-20T10:00:00+23:59",
    "2026-11-20T10:00:00+24:00",
    "2026-02-30T10:00:00Z",
    "2026-11-20T25:00:00Z",
    "0001-01-01T00:00:00+00:00",
    "1899-12-31T23:59:59+00:00",
    "1900-01-01T00:00:00+00:00",
    "2199-12-31T23:59:59+00:00",
    "2200-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59-23:59",
    "now",
    "",
)
SPECIAL_LINES = (
    b"",
    b" ",
    b"\t",
    b"\r",
    b" \t \r",
    b"\x0c",
    b"\x00",
    b"\xc2\xa0",
    BOM,
    b"\xe2\x80\xa8",
    b"\xff",
    b"\xc0\x80",
    b"\xed\xa0\x80",
    b'{"id": "\xe2\x82"}',
    b"null",
    b"1",
    b'"ticket"',
    b"[]",
    b"{}",
    b"[{}]",
    b"{",
    b"}",
    b"]",
    b'{"id": "a"}{"id": "b"}',
    b'{"id": "a",}',
    b"{'id': 'a'}",
    b'{"id": NaN, "created_at": Infinity}',
    b'{"id": ' + b"9" * 5000 + b', "created_at": "2026-11-20T10:00:00+01:00"}',
    b'{"id": 1e999999, "created_at": "2026-11-20T10:00:00+01:00"}',
    b'{"id": "x", "created_at": "2026-11-20T10:00:00+01:00", "fields": {"monthly_fee": 1e999999999,'
    b' "tier": "enterprise", "priority": "urgent"}}',
    b'{"id": "\\ud800", "created_at": "2026-11-20T10:00:00+01:00"}',
    b'{"id": "d", "fields": {"x": ' + b"[" * 3000 + b"]" * 3000 + b"}}",
    b"[" * 5000,
    b'{"id": "' + b"i" * 10_000 + b'"}',
)

_TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(("\ud800", "a\udfff", "\u2028", "\x85", "\x00", "urgent", "enterprise")),
)
_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**20, max_value=10**300),
    st.floats(),
    _TEXT,
    st.sampled_from(INSTANTS),
)
_JSON = st.recursive(
    _LEAVES,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(
            st.one_of(st.sampled_from(("at", "type", "id")), _TEXT), children, max_size=3
        ),
    ),
    max_leaves=8,
)
_EVENT_KEYS = ("at", "type", "status", "field", "value", "author")
_EVENT_TYPES = ("customer_message", "agent_reply", "internal_note", "status", "field", "abuse")


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def ticket_values(draw, odd=_JSON) -> Any:
    """An example ticket's JSON data with a few parts given odd values, or an odd value alone."""
    ticket = json.loads(draw(st.sampled_from(GOOD_LINES)))
    for _ in range(draw(st.integers(0, 3))):
        slot = draw(
            st.sampled_from(
                ("id", "created_at", "fields", "field", "events", "event", "key", "all")
            )
        )
        if slot in ("id", "fields", "events"):
            ticket[slot] = draw(odd)
        elif slot == "created_at":
            ticket[slot] = draw(st.one_of(st.sampled_from(INSTANTS), odd))
        elif slot == "field" and isinstance(ticket.get("fields"), dict):
            name = draw(st.sampled_from(("priority", "tier", "channel", "monthly_fee", "")))
            ticket["fields"][name] = draw(st.one_of(odd, st.integers(0, 400).map(_nested)))
        elif slot == "event" and isinstance(ticket.get("events"), list):
            shape = draw(st.sampled_from(("part", "new", "odd")))
            if shape == "odd":
                ticket["events"].append(draw(odd))
            elif shape == "new":
                kind = draw(st.one_of(st.sampled_from(_EVENT_TYPES), odd))
                at = draw(st.one_of(st.sampled_from(INSTANTS), odd))
                ticket["events"].append({"at": at, "type": kind})
            elif ticket["events"] and isinstance(ticket["events"][0], dict):
                key = draw(st.sampled_from(_EVENT_KEYS))
                ticket["events"][0][key] = draw(st.one_of(st.sampled_from(INSTANTS), odd))
        elif slot == "key":
            ticket[draw(_TEXT)] = draw(odd)
        elif slot == "all":
            return draw(odd)
    return ticket


def _json_line(value: Any, ascii_only: bool) -> bytes:
    # A lone surrogate written without escapes is not UTF-8: the line is then bytes that are
    # not text, which is a case of its own.
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


@st.composite
def _truncated(draw) -> bytes:
    line = draw(st.sampled_from(GOOD_LINES))
    cut = draw(st.integers(0, len(line) - 1))
    return line[:cut] + line[cut + draw(st.integers(1, 10)) :]


LINES = st.one_of(
    st.sampled_from(GOOD_LINES),
    st.sampled_from(GOOD_LINES).map(lambda line: line + b"\r"),
    st.builds(_json_line, ticket_values(), st.booleans()),
    st.builds(_json_line, ticket_values(), st.booleans()),
    st.binary(max_size=40).map(lambda raw: raw.replace(b"\n", b"")),
    st.text(max_size=20).map(lambda text: text.replace("\n", "").encode("utf-8")),
    _truncated(),
    st.sampled_from(SPECIAL_LINES),
)


@st.composite
def jsonl_files(draw) -> bytes:
    """The bytes of a JSON Lines file: lines joined by ``\\n``, perhaps a byte-order mark
    before them, perhaps a ``\\n`` after the last."""
    lines = draw(st.lists(LINES, min_size=1, max_size=10))
    data = b"\n".join(lines)
    if draw(st.integers(0, 9)) == 0:
        data = BOM + data
    if draw(st.booleans()):
        data += b"\n"
    return data


def filled_lines(data: bytes) -> list[int]:
    """The numbers of the lines of ``data`` that are not blank: one record each."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    lines = data.split(b"\n")
    if lines[-1] == b"":  # what follows the last "\n" is no line
        lines.pop()
    return [number for number, line in enumerate(lines, 1) if line.strip(BLANK)]


def evaluate(data: bytes, *options: str) -> tuple[int, str, str]:
    """``servicepolicy evaluate`` of a file holding ``data``: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        tickets = Path(folder) / "tickets.jsonl"
        tickets.write_bytes(data)
        argv = ["evaluate", str(POLICY_FILE), str(tickets), "--as-of", AS_OF.isoformat()]
        code = main(
            [*argv, *options],
            stdin=io.StringIO(""),
            stdout=out,
            stderr=err,
            environ={},
            now=AS_OF,
        )
    return code, out.getvalue(), err.getvalue()


def assert_one_record_per_line(data: bytes, *options: str) -> list[dict]:
    """The batch's JSON Lines records: one per filled line, in order, counted in the summary."""
    expected = filled_lines(data)
    with hang_guard():
        code, out, err = evaluate(data, "--format", "jsonl", *options)
    assert out == "" or out.endswith("\n")
    records = [json.loads(text) for text in out.split("\n")[:-1]]
    assert [record["line"] for record in records] == expected
    failed = sum(1 for record in records if record["errors"])
    evaluated = len(records) - failed
    summary = f"{len(expected)} tickets in, {evaluated} evaluated, {failed} failed "
    assert f"{summary}(as of {AS_OF.isoformat()})" in err.split("\n"), err
    assert code == (1 if failed else 0)
    return records


@given(jsonl_files())
def test_every_filled_line_of_a_jsonl_file_is_one_record(data):
    records = assert_one_record_per_line(data, "--input-format", "jsonl")
    with hang_guard():
        code, out, _ = evaluate(data, "--format", "json", "--input-format", "jsonl")
    assert code in (0, 1)
    assert json.loads(out) == records


@given(jsonl_files())
def test_a_jsonl_file_that_starts_with_a_ticket_is_read_as_jsonl(data):
    if data.startswith(BOM):
        data = data[len(BOM) :]
    assert_one_record_per_line(GOOD_LINES[0] + b"\n" + data)


@given(st.lists(st.one_of(ticket_values(), _JSON), max_size=8), st.sampled_from((None, 1)))
def test_every_element_of_a_json_array_is_one_record(values, indent):
    data = json.dumps(values, indent=indent).encode("utf-8", "surrogatepass")
    with hang_guard():
        code, out, err = evaluate(data, "--format", "jsonl", "--input-format", "json")
    records = [json.loads(text) for text in out.split("\n")[:-1]]
    assert len(records) == len(values)
    assert f"{len(values)} tickets in, " in err
    assert code in (0, 1)


# -- evaluate_many ----------------------------------------------------------------------------

_NOT_JSON = st.one_of(
    st.datetimes(timezones=st.none() | st.just(UTC)),
    st.dates(),
    st.binary(max_size=4),
    st.tuples(st.integers()),
    st.sampled_from(
        (
            Decimal("NaN"),
            Decimal("sNaN"),
            Decimal("-Infinity"),
            Decimal("1E+999999999"),
            float("nan"),
            -0.0,
            datetime(1, 1, 1, tzinfo=UTC),
            datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-23))),
            datetime(2026, 11, 20, 10),
            date(2026, 11, 20),
            frozenset({1}),
            object(),
        )
    ),
    st.integers(990, 3000).map(_nested),  # deeper than Python's recursion limit
)


@given(jsonl_files())
def test_the_values_of_fuzzed_lines_evaluate_one_by_one(data):
    values = []
    for line in data.split(b"\n"):
        try:
            values.append(json.loads(line, parse_float=Decimal))
        except (ValueError, RecursionError):
            continue
    with hang_guard():
        assert_evaluates(POLICY, values)


@given(st.lists(ticket_values(st.one_of(_JSON, _NOT_JSON)), min_size=1, max_size=6))
def test_tickets_of_odd_python_values_evaluate_one_by_one(tickets):
    with hang_guard():
        assert_evaluates(POLICY, tickets)


def test_integers_past_pythons_digit_limit_anywhere_in_a_ticket_evaluate_one_by_one():
    huge = 10**5000  # str() refuses it: past Python's limit for the digits of an integer
    base = json.loads(GOOD_LINES[0])
    tickets = [
        {**base, "id": huge},
        {**base, "fields": {**base["fields"], "monthly_fee": huge}},
        {**base, "fields": {**base["fields"], "priority": huge}},
        {
            **base,
            "events": [
                {"at": "2026-11-20T17:10:00+01:00", "type": "field", "field": "tier", "value": huge}
            ],
        },
        {**base, "events": [{"at": huge, "type": "agent_reply"}]},
        {**base, "events": [{"at": "2026-11-20T17:10:00+01:00", "type": huge}]},
        {**base, "created_at": huge},
    ]
    with hang_guard():
        assert_evaluates(POLICY, tickets)
