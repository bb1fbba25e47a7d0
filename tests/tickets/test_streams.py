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


def test_a_byte_order_mark_starting_the_input_is_skipped():
    records = list(read_tickets(io.StringIO('\ufeff{"id": "T-1"}\n\ufeff{"id": "T-2"}\n')))
    assert records[0].error is None and records[0].data == {"id": "T-1"}
    assert records[1].error == "line 2: not valid JSON: Expecting value"  # not at the start


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
    if not line.strip(" \t\r\n"):  # JSON's whitespace only: a blank line
        assert got == []
        return
    try:
        expected = json.JSONDecoder(parse_float=Decimal).decode(line)
    except json.JSONDecodeError as exc:
        assert [(r.data, r.error) for r in got] == [(None, f"line 2: not valid JSON: {exc.msg}")]
    else:
        assert [(r.data, r.error) for r in got] == [(expected, None)]


# -- every bad line costs one record, and reading goes on --------------------------------------

GOOD = b'{"id": "G", "created_at": "2026-11-23T09:00:00Z"}\n'


def binary(data: bytes, fmt="auto", name=""):
    return list(read_tickets(io.BytesIO(data), fmt, name))


def test_a_line_that_is_not_utf8_is_one_error_record_with_its_line_and_byte():
    bad = '{"id": "Café", "created_at": "2026-11-23T09:00:00Z"}\n'.encode("latin-1")
    got = binary(GOOD * 2 + bad + GOOD)
    assert [r.error is None for r in got] == [True, True, False, True]
    offset = 2 * len(GOOD) + bad.index(b"\xe9")
    assert got[2].line == 3
    assert got[2].error == f"line 3: not UTF-8 text (byte {offset}: invalid continuation byte)"
    assert got[2].ticket_id == "Caf\\udce9"  # the bytes it could not read, escaped


@given(
    st.lists(
        st.one_of(
            st.just(GOOD),
            st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"") + b"\n"),
            st.just(b"\xff\xfe\n"),
            st.just("\u2028\n".encode()),
        ),
        max_size=12,
    )
)
def test_records_in_are_lines_in(lines):
    got = binary(b"".join(lines), "jsonl")
    filled = [n for n, line in enumerate(lines, 1) if line.strip(b" \t\r\n")]
    assert [r.line for r in got] == filled
    # a record holds data or an error, never both; a line of JSON null is data None
    assert all(r.data is None or r.error is None for r in got)
    assert all(
        r.error is not None or r.data is not None or line.strip() == b"null"
        for r, line in zip(got, [x for x in lines if x.strip(b" \t\r\n")], strict=True)
    )


def test_lines_end_at_newline_only():
    text = '{"id": "A\u2028B", "note": "x\u2029y\x85z"}\n\u2028\n{"id": "C"}\n'
    got = binary(text.encode())
    assert [r.line for r in got] == [1, 2, 3]
    assert got[0].data["id"] == "A\u2028B"
    assert got[1].error == "line 2: not valid JSON: Expecting value"
    assert got[2].data == {"id": "C"}


def test_a_byte_order_mark_before_a_json_array_or_a_csv_header_is_skipped():
    array = binary(b'\xef\xbb\xbf[{"id": "A"}, {"id": "B"}]\n')
    assert [r.data for r in array] == [{"id": "A"}, {"id": "B"}]
    table = binary(b"\xef\xbb\xbfid,created_at\nA,2026-11-23T09:00:00Z\n", name="t.csv")
    assert [r.data["id"] for r in table] == ["A"]


def test_a_bad_element_of_a_json_array_costs_that_element_only():
    text = (
        b'[\n {"id": "A"},\n {"id": oops},\n {"id": "C", "x": [1, {"y": "]"}]},\n {"id": "D"}\n]\n'
    )
    got = binary(text)
    assert [r.data for r in got if r.error is None] == [
        {"id": "A"},
        {"id": "C", "x": [1, {"y": "]"}]},
        {"id": "D"},
    ]
    assert [r.error for r in got if r.error] == [
        "line 3: element 2 of the array is not valid JSON: Expecting value"
    ]


def test_a_json_array_that_cannot_be_read_to_its_end_says_where():
    unclosed = binary(b'[{"id": "A"},\n {"id": "B\n')
    assert unclosed[0].data == {"id": "A"}
    assert "line 2: element 2 of the array and what follows it cannot be read" in unclosed[1].error
    trailing = binary(b'[\n {"id": "A"}\n] more\n')
    assert trailing[1].error == "line 3: text after the array ends"
    json_lines = binary(b'[{"id": "A"}]\nmore\n')  # a whole array on line 1: JSON Lines
    assert json_lines[1].error == "line 2: not valid JSON: Expecting value"
    open_end = binary(b'[{"id": "A"},\n')
    assert open_end[1].error == "line 1: the array does not end (no ']')"


def test_an_element_of_a_json_array_that_is_not_utf8_costs_that_element():
    got = binary(b'[{"id": "A"},\n {"id": "B\xe9"},\n {"id": "C"}]\n')
    assert [r.data for r in got if r.error is None] == [{"id": "A"}, {"id": "C"}]
    assert got[1].error.startswith("line 2: element 2 of the array is not UTF-8 text (byte ")


def test_a_first_line_that_is_a_whole_json_array_starts_json_lines():
    got = binary(b'["not a ticket"]\n{"id": "B"}\n')
    assert [(r.line, r.data) for r in got] == [(1, ["not a ticket"]), (2, {"id": "B"})]
    assert [r.data for r in binary(b'[{"id": "A"}, {"id": "B"}]\n')] == [{"id": "A"}, {"id": "B"}]


def test_a_bad_csv_row_costs_that_row_only():
    big = "x" * 200_000
    text = f"id,created_at,note\nA,2026-11-23T09:00:00Z,ok\nB,2026-11-23T09:00:00Z,{big}\n"
    text += "C,2026-11-23T09:00:00Z,fine\n"
    last = "D,2026-11-23T09:00:00Z,Caf\xe9\n".encode("latin-1")
    got = binary(text.encode() + last, name="t.csv")
    offset = len(text.encode()) + last.index(b"\xe9")
    assert [(r.line, r.data["id"] if r.data else r.error) for r in got] == [
        (2, "A"),
        (3, "line 3: not a CSV row: field larger than field limit (131072)"),
        (4, "C"),
        (5, f"line 5: not UTF-8 text (byte {offset}: invalid continuation byte)"),
    ]
    assert got[3].ticket_id == "D"


def test_numbers_past_the_digit_limit_and_deep_nesting_are_one_error_record_each():
    huge = b'{"id": 1' + b"1" * 5000 + b"}\n"
    deep = b'{"id": "D", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}\n"
    got = binary(huge + deep + GOOD)
    assert got[0].error.startswith("line 1: not valid JSON: Exceeds the limit (4300 digits)")
    assert got[0].ticket_id is None  # no id past 200 characters is guessed
    assert got[1].error == "line 2: not valid JSON: nested too deeply"
    assert got[1].ticket_id == "D"
    assert got[2].data["id"] == "G"


def test_a_lone_surrogate_makes_an_error_record_with_a_printable_id():
    got = binary(b'{"id": "\\ud800x"}\n{"id": "ok", "note": "\\ud83d\\ude00"}\n')
    assert got[0].error == "line 1: holds text that is not valid Unicode (a lone surrogate)"
    assert got[0].ticket_id == "\\ud800x"
    assert got[1].data == {"id": "ok", "note": "\U0001f600"}  # a pair is a character
