"""Unit tests of the hardened YAML reader: how plain scalars resolve, where things are, and
what is refused.  Every test runs with libyaml's parser and with the pure-Python one: the
reader must give the same data, marks and problems with either."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest

from servicepolicy._policy import MAX_BYTES, MAX_DEPTH, YamlError, decode, read_yaml, safe_yaml
from tests.paths import DATA, EXAMPLES

HANG_GUARD_SECONDS = 20


@pytest.fixture(autouse=True, params=["libyaml", "pure"])
def parser(request, monkeypatch):
    if request.param == "pure":
        monkeypatch.setattr(safe_yaml, "_CParser", None)
    elif safe_yaml._CParser is None:
        pytest.skip("this PyYAML was built without libyaml")
    return request.param


def value(text: str) -> object:
    """The value of ``v`` in ``v: <text>``."""
    return read_yaml(f"v: {text}\n").data["v"]


def problems(text: str) -> list[tuple[int, int, tuple[str | int, ...], str]]:
    with pytest.raises(YamlError) as info:
        read_yaml(text)
    return [(p.line, p.column, p.path, p.code) for p in info.value.problems]


# -- scalars -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["true", "True", "TRUE"])
def test_true(text):
    assert value(text) is True


@pytest.mark.parametrize("text", ["false", "False", "FALSE"])
def test_false(text):
    assert value(text) is False


@pytest.mark.parametrize("text", ["", "~", "null", "Null", "NULL"])
def test_null(text):
    assert value(text) is None


@pytest.mark.parametrize(
    "text",
    # YAML 1.1 booleans, sexagesimals, octals, hex, underscores, dates and specials: strings here
    [
        "yes", "no", "Yes", "NO", "on", "off", "On", "OFF", "y", "n", "Y", "N",
        "17:30", "1:30:00", "09:00-17:00", "0x1F", "0o17", "1_000", "1,000",
        ".inf", "-.inf", ".nan", ".NaN", "2026-01-01", "2026-01-01T10:00:00Z",
        "4h", "75%", "24/7", "tRUE", "nULL", "+", ".", "1.2.3", "1e", "e3",
    ],
)  # fmt: skip
def test_everything_else_is_a_string(text):
    assert value(text) == text
    assert isinstance(value(text), str)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("42", 42),
        ("-5", -5),
        ("+5", 5),
        ("007", 7),
        ("-0", 0),
        ("10" * 20, int("10" * 20)),
    ],
)
def test_integers(text, expected):
    result = value(text)
    assert type(result) is int
    assert result == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.10", "1.10"),
        ("1.0", "1.0"),
        ("0.1", "0.1"),
        ("-0.5", "-0.5"),
        (".5", "0.5"),
        ("+1.5e-3", "0.0015"),
        ("1e3", "1E+3"),
        ("1.5E3", "1.5E+3"),
        ("12345678901234567890.123456789", "12345678901234567890.123456789"),
    ],
)
def test_decimals_are_read_from_the_source_text(text, expected):
    result = value(text)
    assert type(result) is Decimal
    assert str(result) == expected


def test_decimal_keeps_trailing_zero():
    assert value("1.10") == Decimal("1.10")
    assert str(value("1.10")) == "1.10"
    assert value("1.10").as_tuple() == Decimal("1.10").as_tuple()


@pytest.mark.parametrize(
    "text", ['"17:30"', "'17:30'", "!!str 17:30", "! 17:30", '"1.10"', '"true"', "'null'", '"5"']
)
def test_quoted_and_str_tagged_scalars_are_strings(text):
    result = value(text)
    assert isinstance(result, str)
    assert result == text.split()[-1].strip("'\"")


def test_block_scalars_are_strings():
    assert read_yaml("v: |\n  17:30\n  more\n").data == {"v": "17:30\nmore\n"}
    assert read_yaml("v: >-\n  1.10\n").data == {"v": "1.10"}


def test_keys_are_the_text_written():
    data = read_yaml("1: a\ntrue: b\nnull: c\n1.10: d\n17:30: e\n").data
    assert data == {"1": "a", "true": "b", "null": "c", "1.10": "d", "17:30": "e"}


def test_collections():
    doc = read_yaml("a: [1, b, {c: 1.5}]\nd:\n  - x\n  - y: z\n")
    assert doc.data == {"a": [1, "b", {"c": Decimal("1.5")}], "d": ["x", {"y": "z"}]}


def test_aliases_are_expanded():
    assert read_yaml("a: &x [1, 2]\nb: *x\n").data == {"a": [1, 2], "b": [1, 2]}


# -- marks -------------------------------------------------------------------------------------


def test_value_and_key_marks_are_one_based():
    doc = read_yaml("a:\n  b: [1, {c: d}]\ne: f\n")
    assert doc.value_marks[()] == (1, 1)
    assert doc.key_marks[("a",)] == (1, 1)
    assert doc.value_marks[("a",)] == (2, 3)
    assert doc.key_marks[("a", "b")] == (2, 3)
    assert doc.value_marks[("a", "b")] == (2, 6)
    assert doc.value_marks[("a", "b", 0)] == (2, 7)
    assert doc.value_marks[("a", "b", 1)] == (2, 10)
    assert doc.key_marks[("a", "b", 1, "c")] == (2, 11)
    assert doc.value_marks[("a", "b", 1, "c")] == (2, 14)
    assert doc.key_marks[("e",)] == (3, 1)
    assert doc.value_marks[("e",)] == (3, 4)


def test_marks_count_characters_not_bytes():
    doc = read_yaml("é: [ü, x]\n")
    assert doc.value_marks[("é", 1)] == (1, 8)


def test_block_sequence_marks():
    doc = read_yaml("items:\n  - one\n  - {k: v}\n")
    assert doc.value_marks[("items", 0)] == (2, 5)
    assert doc.value_marks[("items", 1)] == (3, 5)
    assert doc.key_marks[("items", 1, "k")] == (3, 6)


def test_locate_falls_back_to_the_nearest_parent():
    doc = read_yaml("a:\n  b: 1\n")
    assert doc.locate(("a", "b")) == (2, 6)
    assert doc.locate(("a", "b"), key=True) == (2, 3)
    assert doc.locate(("a", "b", "missing", 3)) == (2, 6)
    assert doc.locate(("a", "nope")) == (2, 3)
    assert doc.locate(("zzz",)) == (1, 1)
    assert doc.locate(()) == (1, 1)


def test_alias_marks_point_at_the_anchor():
    doc = read_yaml("a: &x {k: 1}\nb: *x\n")
    assert doc.value_marks[("b",)] == (1, 4)
    assert doc.value_marks[("b", "k")] == (1, 11)


# -- refusals ----------------------------------------------------------------------------------


def test_duplicate_keys_are_refused_with_both_places():
    with pytest.raises(YamlError) as info:
        read_yaml("a: 1\nb:\n  c: 2\n  c: 3\n'a': 4\n")
    found = [(p.line, p.column, p.path, p.code, p.message) for p in info.value.problems]
    assert found == [
        (4, 3, ("b", "c"), "duplicate-key", "duplicate key 'c' (first at line 3, column 3)"),
        (5, 1, ("a",), "duplicate-key", "duplicate key 'a' (first at line 1, column 1)"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "v: !!python/object/apply:os.system ['true']",
        "v: !!python/name:os.system ''",
        "v: !!int 5",
        "v: !!float 1.5",
        "v: !!bool yes",
        "v: !!binary aGVsbG8=",
        "v: !!set {a, b}",
        "v: !!timestamp 2026-01-01",
        "v: !custom x",
        "v: !<tag:example.com,2026:x> x",
    ],
)
def test_tags_other_than_str_are_refused(text):
    assert problems(text + "\n") == [(1, 4, ("v",), "unsupported-tag")]


@pytest.mark.parametrize("tag", ["!!python/object:os.system", "!!binary", "!!int", "!custom"])
def test_tags_on_keys_are_refused(tag):
    assert problems(f"{tag} name: x\n") == [(1, 1, (), "unsupported-tag")]
    assert problems(f"a:\n  {tag} b: 1\n") == [(2, 3, ("a",), "unsupported-tag")]


def test_str_tag_on_a_key_is_allowed():
    assert read_yaml("!!str 1: x\n").data == {"1": "x"}


def test_merge_keys_are_refused():
    text = "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n"
    assert problems(text) == [(3, 3, ("other",), "unsupported-merge")]
    assert problems("a: {<<: {x: 1}}\n") == [(1, 5, ("a",), "unsupported-merge")]


def test_quoted_double_angle_key_is_an_ordinary_key():
    assert read_yaml("'<<': x\n").data == {"<<": "x"}


def test_non_scalar_keys_are_refused():
    assert problems("? [a, b]\n: 1\n") == [(1, 3, (), "bad-key")]
    assert problems("{a: 1}: 2\n") == [(1, 1, (), "bad-key")]


def test_every_problem_is_reported():
    text = "a: !!int 1\nb: 2\nb: 3\nc: {<<: {}}\n"
    assert [p[3] for p in problems(text)] == [
        "unsupported-tag",
        "duplicate-key",
        "unsupported-merge",
    ]


def test_recursive_alias_is_refused():
    assert problems("a: &a [*a]\n") == [(1, 4, (), "recursive-alias")]


def test_alias_bomb_is_refused():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    lines += [
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    assert problems("\n".join(lines) + "\n") == [(1, 1, (), "too-large")]


@pytest.fixture
def limit(parser, monkeypatch) -> int:
    """The value limit: the real one with libyaml; a smaller one for the slower pure parser."""
    if parser == "pure":
        monkeypatch.setattr(safe_yaml, "MAX_VALUES", 20_000)
    return safe_yaml.MAX_VALUES


def test_a_document_of_too_many_values_is_refused_where_they_run_over(limit):
    items = limit - 3  # with the root mapping, its key and the list: the limit
    text = "v:\n" + "- x\n" * items
    assert len(read_yaml(text).data["v"]) == items
    started = time.perf_counter()
    found = problems(text + "- x\n")
    assert time.perf_counter() - started < HANG_GUARD_SECONDS
    assert found == [(items + 2, 3, (), "too-large")]
    with pytest.raises(YamlError, match=f"holds more than {limit} values"):
        read_yaml(text + "- x\n")


def test_aliases_may_add_nodes_up_to_the_limit():
    nine = ", ".join(["*a"] * 9)
    text = 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n'
    text += "".join(f"b{i}: [{nine}]\n" for i in range(1000))  # 1000 * 9 * 10 = 90,000
    assert len(read_yaml(text).data) == 1001
    assert problems(text + f"c: [{nine}, {nine}]\n" * 120)[0][3] == "too-large"


def test_read_yaml_refuses_too_long_text():
    with pytest.raises(YamlError) as info:
        read_yaml("#" * (MAX_BYTES + 1))
    assert [(p.line, p.column, p.code) for p in info.value.problems] == [(1, 1, "too-large")]


def _aliased(inner: int, outer: int) -> str:
    """``inner`` sequences behind an anchor, used from inside ``outer`` more sequences."""
    return f"a: &a {'[' * inner}0{']' * inner}\nb: {'[' * outer}*a{']' * outer}\n"


def test_depth_limit_counts_levels_reached_through_aliases():
    assert read_yaml(_aliased(25, 24)).data["a"] is not None  # root + 49 levels, as written
    assert problems(_aliased(25, 25)) == [(1, 1, (), "too-deep")]
    assert problems(_aliased(1, MAX_DEPTH)) == [(2, 3 + MAX_DEPTH, (), "too-deep")]


def test_depth_limit():
    ok = "v: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert read_yaml(ok).data["v"] is not None
    too_deep = "v: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    assert problems(too_deep) == [(1, 3 + MAX_DEPTH, (), "too-deep")]


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a: [1, 2\n", 2, 1),
        ("a: 'open\n", 2, 1),
        ("a: b: c\n", 1, 5),
        ("a:\n  - x\n  y: z\n", 3, 3),
        ("a: 1\n---\nb: 2\n", 2, 1),
        ("a: *nope\n", 1, 4),
        ("\tv: 1\n", 1, 1),
    ],
)
def test_syntax_errors(text, line, column):
    assert problems(text) == [(line, column, (), "yaml-syntax")]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "\ufeff"])
def test_empty_documents(text):
    assert problems(text) == [(1, 1, (), "empty")]


@pytest.mark.parametrize("text", ["---\n", "--- # c\n...\n", "~\n"])
def test_explicit_empty_document_is_null(text):
    assert read_yaml(text).data is None


@pytest.mark.parametrize(
    ("text", "line", "column", "char"),
    [("a: \0\n", 1, 4, "\0"), ("a: 1\nb: x\x07y\n", 2, 5, "\x07"), ("\x1b[31m", 1, 1, "\x1b")],
)
def test_non_printable_characters(text, line, column, char):
    with pytest.raises(YamlError) as info:
        read_yaml(text)
    (problem,) = info.value.problems
    assert (problem.line, problem.column, problem.code) == (line, column, "not-text")
    assert repr(char) in problem.message


def test_yaml_error_message_joins_problems():
    with pytest.raises(YamlError) as info:
        read_yaml("a: 1\na: 2\nb: !x y\n")
    assert str(info.value) == "; ".join(p.message for p in info.value.problems)
    assert len(info.value.problems) == 2


# -- decode ------------------------------------------------------------------------------------


def test_decode_strips_a_byte_order_mark():
    assert decode(b"\xef\xbb\xbfa: 1\n") == "a: 1\n"
    assert decode("é: ü\n".encode()) == "é: ü\n"


def test_decode_refuses_too_many_bytes():
    assert decode(b"#" * MAX_BYTES) == "#" * MAX_BYTES
    with pytest.raises(YamlError) as info:
        decode(b"#" * (MAX_BYTES + 1))
    assert [(p.line, p.column, p.code) for p in info.value.problems] == [(1, 1, "too-large")]


@pytest.mark.parametrize(
    ("raw", "line", "column"),
    [(b"\xff", 1, 1), (b"a: 1\nb: caf\xe9\n", 2, 7), (b"a\r\nb\n\x80", 3, 1)],
)
def test_decode_names_the_first_bad_byte(raw, line, column):
    with pytest.raises(YamlError) as info:
        decode(raw)
    assert [(p.line, p.column, p.code) for p in info.value.problems] == [(line, column, "not-text")]


def test_decode_column_counts_characters():
    with pytest.raises(YamlError) as info:
        decode("name: é".encode() + b"\xff")
    assert [(p.line, p.column) for p in info.value.problems] == [(1, 8)]


@pytest.mark.parametrize(
    "path",
    sorted(EXAMPLES.glob("*.yaml")) + sorted((DATA / "bad_policies").glob("*.yaml")),
    ids=lambda p: p.name,
)
def test_both_parsers_read_every_shipped_file_alike(path: Path, monkeypatch):
    text = path.read_text(encoding="utf-8", errors="replace")

    def outcome() -> object:
        try:
            doc = read_yaml(text)
        except YamlError as exc:
            return exc.problems
        return doc.data, doc.value_marks, doc.key_marks

    fast = outcome()
    monkeypatch.setattr(safe_yaml, "_CParser", None)
    assert outcome() == fast
