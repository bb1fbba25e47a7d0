"""Reading ticket streams: JSON Lines, a JSON array, one object, CSV; bad lines kept."""

import io
import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from servicepolicy._tickets import read_tickets

ONE = '{"id": "A", "created_at": "2026-11-23T09:00:00Z", "fields": {"fee": 12.50}}'


def records(text, fmt="auto", name=""):
    return list(read_tickets(io.StringIO(text), fmt, name))


def test_jsonl_with_blank_and_bad_lines_keeps_line_numbers():
    got = records(ONE + "\n\n{broken\n" + ONE.replace('"A"', '"B"') + "\n")
    assert [(r.line, r.error is None) for r in got] == [(1, True), (3, False), (4, True)]
    assert got[0].data["fields"]["fee"] == Decimal("12.50")


def test_bad_line_guesses_the_id():
    got = records('{"id": "Z-9", "created_at": oops}\n')
    assert got[0].ticket_id == "Z-9" and got[0].error


def test_json_array_and_single_pretty_object():
    assert [r.data["id"] for r in records(f"[{ONE}, {ONE}]")] == ["A", "A"]
    pretty = '{\n  "id": "P",\n  "created_at": "2026-11-23T09:00:00Z"\n}\n'
    assert [r.data["id"] for r in records(pretty)] == ["P"]


def test_empty_input_has_no_records():
    assert records("") == []
    assert records("\n\n") == []


def test_csv_by_name_and_missing_columns():
    text = "id,created_at,priority\nA,2026-11-23T09:00:00Z,high\n"
    got = records(text, name="x.csv")
    assert got[0].data == {
        "id": "A",
        "created_at": "2026-11-23T09:00:00Z",
        "fields": {"priority": "high"},
        "events": [],
    }
    bad = records("name,priority\nA,high\n", fmt="csv")
    assert bad[0].error and "created_at" in bad[0].error


def test_csv_recognised_by_its_header_whatever_the_name():
    text = "id,created_at,priority\nA,2026-11-23T09:00:00Z,high\n"
    got = records(text, name="tickets.txt")
    assert [r.data["id"] for r in got] == ["A"]
    assert got[0].line == 2


def test_a_byte_order_mark_is_named_in_the_error():
    records = list(read_tickets(io.StringIO('\ufeff{"id": "T-1"}\n{"id": "T-2"}\n')))
    assert "BOM" in records[0].error and "utf-8-sig" in records[0].error
    assert records[1].error is None and records[1].data == {"id": "T-2"}


class _LinesOnly(io.StringIO):
    def read(self, size=-1):
        raise AssertionError("the whole stream was read at once")


def test_csv_found_by_its_header_streams_line_by_line():
    text = "id,created_at,tier\n" + "".join(
        f"T-{n},2026-11-20T10:00:00+01:00,pro\n" for n in range(3)
    )
    records = list(read_tickets(_LinesOnly(text)))
    assert [r.data["id"] for r in records] == ["T-0", "T-1", "T-2"]
    assert [r.line for r in records] == [2, 3, 4]


_SPACE = st.sampled_from([" ", "\t", "\r", "\xa0", "\u2003", "\x0c", "\x0b", "\ufeff", ""])
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.just(1.5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=8,
)


@given(
    st.dictionaries(st.sampled_from(["id", "created_at", "x"]), _VALUES) | _VALUES,
    st.lists(_SPACE, max_size=3),
    st.lists(_SPACE, max_size=3),
    st.sampled_from(["", "x", "}", " 1", "[", "{}"]),
)
def test_a_line_is_read_as_json_loads_reads_it(value, before, after, tail):
    line = "".join(before) + json.dumps(value) + "".join(after) + tail
    got = records(f"{ONE}\n{line}\n", "jsonl")[1:]
    if not line.strip():
        assert got == []
        return
    try:
        expected = json.loads(line, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        assert [(r.data, r.error) for r in got] == [(None, f"line 2: not valid JSON: {exc.msg}")]
    else:
        assert [(r.data, r.error) for r in got] == [(expected, None)]
