"""A hardened YAML reader for policy files.

Plain ``yaml.safe_load`` reads YAML 1.1: ``17:30`` becomes 1050, ``NO`` becomes ``False``,
``1.10`` becomes ``1.1``, a duplicate key silently keeps the last value, and an alias bomb or
deep nesting costs memory or crashes.  This reader:

* resolves plain scalars the YAML 1.2 core way, narrowed: ``true``/``false`` are booleans,
  ``null``/``~``/empty are null, decimal integers are ``int``, decimal fractions are
  :class:`~decimal.Decimal` read from the source text, and everything else is a string; a
  number of more than :data:`MAX_DIGITS` digits or a power of ten past :data:`MAX_EXPONENT` is
  refused where it stands;
* refuses duplicate keys, non-string keys, explicit tags other than ``!!str``, nesting deeper
  than :data:`MAX_DEPTH`, documents of more than :data:`MAX_VALUES` values, and documents
  whose aliases add more than :data:`MAX_NODES` nodes;
* records where every value and every key starts, by field path, for error messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .._common.errors import FieldPath
from .._common.messages import N_
from .._common.numbers import MAX_DIGITS, MAX_EXPONENT, within_bounds

MAX_DEPTH = 50
MAX_NODES = 100_000
MAX_VALUES = 250_000
MAX_BYTES = 2 * 1024 * 1024

_TOO_MANY_VALUES = N_(
    "the document holds more than {most} values (keys, items and collections); split the policy"
)
_TOO_DEEP = N_("nesting deeper than {most} levels")
_RECURSIVE_ALIAS = N_("an alias refers to itself")
_ALIASES_TOO_LARGE = N_("aliases add more than {most} nodes to this document")
_ALIASES_TOO_DEEP = N_("aliases nest this document deeper than {most} levels")
_NUMBER_OUT_OF_RANGE = N_(
    "the number {number} is beyond what a policy holds: at most {digits} digits, and a power "
    "of ten from -{exponent} to {exponent}"
)
_TAG = N_("the tag {tag} is not allowed in a policy file; remove it")
_MERGE = N_("merge keys ('<<') are not supported; write the keys out")
_KEY_NOT_TEXT = N_("a key must be a plain string")
_DUPLICATE_KEY = N_("duplicate key {key} (first at line {line}, column {column})")
_SYNTAX = N_("YAML syntax: {problem}")
_NO_SUCH_CHARACTER = N_("YAML syntax: an escape names no Unicode character")
_CHARACTER = N_("character {character} is not allowed in a YAML file")
_TEXT_TOO_LONG = N_("text is longer than {size} MiB")
_EMPTY = N_("the file is empty")
_FILE_TOO_LARGE = N_("file is larger than {size} MiB")
_NOT_UTF8 = N_("the file is not UTF-8 text")

_PLAIN = "tag:servicepolicy,plain"
_STR = "tag:yaml.org,2002:str"
_ALLOWED_TAGS = {_PLAIN, _STR, "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}
_INT = re.compile(r"[-+]?[0-9]+")
_DECIMAL = re.compile(
    r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+"
)


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """A problem found while reading YAML: 1-based line and column, path, code, message."""

    line: int
    column: int
    path: FieldPath
    code: str
    message: str


@dataclass(slots=True)
class Document:
    """The data of a YAML document and where each part of it starts."""

    data: Any
    value_marks: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: FieldPath, *, key: bool = False) -> tuple[int, int]:
        """Line and column of ``path`` (its key with ``key=True``), else of its nearest parent."""
        marks = (self.key_marks, self.value_marks) if key else (self.value_marks, self.key_marks)
        probe = path
        while True:
            for table in marks:
                if probe in table:
                    return table[probe]
            if not probe:
                return (1, 1)
            probe = probe[:-1]


class YamlError(Exception):
    """The text is not a readable policy document; ``problems`` says where and why."""

    def __init__(self, problems: list[YamlProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))

    @classmethod
    def at(cls, line: int, column: int, code: str, message: str) -> YamlError:
        """The error of one problem of the whole document at ``line``:``column``."""
        return cls([YamlProblem(line, column, (), code, message)])


class _Resolver(yaml.resolver.BaseResolver):
    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode and implicit[0]:
            return _PLAIN
        tag: str = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        return tag


class _Loader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    yaml.constructor.BaseConstructor,
    _Resolver,
):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.BaseConstructor.__init__(self)
        _Resolver.__init__(self)


_CParser: Any
try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # PyYAML built without libyaml
    _CParser = None

if _CParser is not None:

    class _FastLoader(_CParser, _Resolver):  # type: ignore[misc]
        """libyaml's parser and composer with this module's resolver: the same nodes as
        :class:`_Loader`, about twenty times sooner.  Its error messages differ, so a
        document it refuses is read again by :class:`_Loader` for the message."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _Resolver.__init__(self)


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _check_shape(loader: Any) -> tuple[int, bool]:
    """Refuse deep nesting and too many values before composing (the composer recurses once
    per level and builds a node per value); the number of values and whether there are
    aliases."""
    depth = values = 0
    aliases = False
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                aliases = True
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                continue
            if not isinstance(event, yaml.NodeEvent):
                continue
            values += 1
            if values > MAX_VALUES:
                raise YamlError.at(
                    *_event_mark(event),
                    "too-large",
                    _TOO_MANY_VALUES.format(most=MAX_VALUES),
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlError.at(
                        *_event_mark(event), "too-deep", _TOO_DEEP.format(most=MAX_DEPTH)
                    )
    finally:
        loader.dispose()
    return values, aliases


def _event_mark(event: yaml.Event) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(root: Node, values: int) -> None:
    """Refuse documents whose aliases add more than :data:`MAX_NODES` nodes to its ``values``
    or nest it past :data:`MAX_DEPTH` levels, and aliases that refer to themselves.

    Walks the node graph without recursion (aliases can nest deeper than the stack).
    """
    sizes: dict[int, tuple[int, int]] = {}  # node -> (expanded nodes, depth)
    active: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            parts = [sizes[id(child)] for child in _children(node)]
            total = min(1 + sum(p[0] for p in parts), values + MAX_NODES + 1)
            depth = 1 + max((p[1] for p in parts), default=0)
            sizes[key] = (total, depth)
            continue
        if key in sizes:
            continue
        if key in active:
            raise YamlError.at(*_mark(node), "recursive-alias", _RECURSIVE_ALIAS)
        active.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    total, depth = sizes[id(root)]
    if total > values + MAX_NODES:
        raise YamlError.at(*_mark(root), "too-large", _ALIASES_TOO_LARGE.format(most=MAX_NODES))
    if depth > MAX_DEPTH + 1:
        raise YamlError.at(*_mark(root), "too-deep", _ALIASES_TOO_DEEP.format(most=MAX_DEPTH))


def _scalar(node: ScalarNode, path: FieldPath, problems: list[YamlProblem]) -> Any:
    if node.tag == _STR:
        return node.value
    text = node.value
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    number = _INT.fullmatch(text) or _DECIMAL.fullmatch(text)
    if number is None:
        return text
    value = Decimal(text)
    if not within_bounds(value):
        shown = text if len(text) <= 24 else f"{text[:20]}..."
        problems.append(
            YamlProblem(
                *_mark(node),
                path,
                "number-out-of-range",
                _NUMBER_OUT_OF_RANGE.format(number=shown, digits=MAX_DIGITS, exponent=MAX_EXPONENT),
            )
        )
        return None
    return int(text) if _INT.fullmatch(text) else value


def _build(node: Node, path: FieldPath, doc: Document, problems: list[YamlProblem]) -> Any:
    doc.value_marks.setdefault(path, _mark(node))
    if node.tag not in _ALLOWED_TAGS:
        problems.append(
            YamlProblem(
                *_mark(node),
                path,
                "unsupported-tag",
                _TAG.format(tag=repr(node.tag)),
            )
        )
        return None
    if isinstance(node, ScalarNode):
        return _scalar(node, path, problems)
    if isinstance(node, SequenceNode):
        return [_build(child, (*path, i), doc, problems) for i, child in enumerate(node.value)]
    assert isinstance(node, MappingNode)
    out: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge" or (
            isinstance(key_node, ScalarNode) and key_node.tag == _PLAIN and key_node.value == "<<"
        ):
            problems.append(
                YamlProblem(
                    *_mark(key_node),
                    path,
                    "unsupported-merge",
                    _MERGE,
                )
            )
            continue
        if not isinstance(key_node, ScalarNode):
            problems.append(YamlProblem(*_mark(key_node), path, "bad-key", _KEY_NOT_TEXT))
            continue
        if key_node.tag not in (_PLAIN, _STR):
            problems.append(
                YamlProblem(
                    *_mark(key_node),
                    path,
                    "unsupported-tag",
                    _TAG.format(tag=repr(key_node.tag)),
                )
            )
            continue
        key = key_node.value
        child = (*path, key)
        if key in out:
            first = doc.key_marks[child]
            problems.append(
                YamlProblem(
                    *_mark(key_node),
                    child,
                    "duplicate-key",
                    _DUPLICATE_KEY.format(key=repr(key), line=first[0], column=first[1]),
                )
            )
            continue
        doc.key_marks[child] = _mark(key_node)
        out[key] = _build(value_node, child, doc, problems)
    return out


_OUT_OF_UNICODE = re.compile(r"\\U(0*[1-9a-fA-F][0-9a-fA-F]{6,}|0*11[0-9a-fA-F]{4})")


def _position(text: str, found: re.Match[str] | None) -> tuple[int, int]:
    """The line and column of a match in ``text`` (1, 1 when there is none)."""
    if found is None:
        return 1, 1
    before = text[: found.start()]
    return before.count("\n") + 1, found.start() - (before.rfind("\n") + 1) + 1


def _compose(text: str, loader_type: Any) -> tuple[int, bool, Node | None]:
    """The number of values, whether there are aliases, and the root node of ``text``."""
    yaml.reader.Reader(text)  # refuses unprintable characters, as the pure reader does
    values, aliases = _check_shape(loader_type(text))
    loader = loader_type(text)
    try:
        return values, aliases, loader.get_single_node()
    finally:
        loader.dispose()


def _located(text: str) -> tuple[int, bool, Node | None]:
    """:func:`_compose` with the pure reader, whose messages the findings use."""
    try:
        return _compose(text, _Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise YamlError.at(line, column, "yaml-syntax", _SYNTAX.format(problem=message)) from None
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line, column = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise YamlError.at(
            line, column, "not-text", _CHARACTER.format(character=repr(char))
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError.at(1, 1, "yaml-syntax", _SYNTAX.format(problem=exc)) from None
    except (ValueError, OverflowError):  # an escape past Unicode: "\U00110000", "\UFFFFFFFF"
        line, column = _position(text, _OUT_OF_UNICODE.search(text))
        raise YamlError.at(line, column, "yaml-syntax", _NO_SUCH_CHARACTER) from None


def read_yaml(text: str) -> Document:
    """Read one YAML document; raises :class:`YamlError` listing every problem found."""
    if len(text) > MAX_BYTES:
        raise YamlError.at(
            1, 1, "too-large", _TEXT_TOO_LONG.format(size=MAX_BYTES // (1024 * 1024))
        )
    try:
        values, aliases, root = _compose(text, _FastLoader if _CParser is not None else _Loader)
    except (yaml.YAMLError, ValueError, OverflowError):
        values, aliases, root = _located(text)
    if root is None:
        raise YamlError.at(1, 1, "empty", _EMPTY)
    if aliases:
        _check_expansion(root, values)
    doc = Document(None)
    problems: list[YamlProblem] = []
    doc.data = _build(root, (), doc, problems)
    if problems:
        raise YamlError(problems)
    return doc


def decode(raw: bytes) -> str:
    """Decode file bytes as UTF-8 text; raises :class:`YamlError` naming the first bad byte."""
    if len(raw) > MAX_BYTES:
        raise YamlError.at(
            1, 1, "too-large", _FILE_TOO_LARGE.format(size=MAX_BYTES // (1024 * 1024))
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before[before.rfind(b"\n") + 1 :]
        column = len(line_start.decode("utf-8", errors="replace")) + 1
        raise YamlError.at(line, column, "not-text", _NOT_UTF8) from None
