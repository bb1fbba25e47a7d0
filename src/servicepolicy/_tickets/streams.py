"""Reading tickets from JSON Lines, a JSON array (or one object) and CSV, one record at a time.

Every record comes out as a :class:`TicketRecord`: the ticket's JSON shape, or the reason it
could not be read, with its line number.  A bad line never stops a batch: a line that is not
UTF-8 text, not JSON or nested too deep, an element of a JSON array that cannot be read, a CSV
row that cannot be: each is one error record, and reading goes on with the next.

Lines end at ``\\n`` alone (an ``\\r`` before it is dropped): other Unicode line separators are
text inside a line.  A byte-order mark at the start of the input is skipped.  Binary streams are
read line by line and each line is decoded on its own, so an error names its line and byte.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, Final, cast

from .._common.errors import ServicePolicyError, printable

FORMATS = ("auto", "json", "jsonl", "csv")
_CSV_TIMES = ("first_response_at", "resolved_at")
_BLANK: Final = " \t\r\n"  # JSON's whitespace: a line of only these is blank
_BOM: Final = "\ufeff"
_ESCAPED_SURROGATE: Final = "\\u"  # where a lone surrogate can come from in a decoded line


class UnreadableTickets(ServicePolicyError):
    """The tickets stream broke off: reading it failed."""


@dataclass(slots=True)
class TicketRecord:
    """One input record: ``data`` (a ticket's JSON shape) or ``error``; ``line`` is 1-based."""

    line: int | None
    data: Any = None
    error: str | None = None
    ticket_id: str | None = None


# One decoder for every line: json.loads with an option builds a new decoder per call.
_DECODER = json.JSONDecoder(parse_float=Decimal)


# The C scanner the decoder was built with (its attribute since Python 2.6, not in the stubs).
_scan: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]
_UNREAD = object()
_NOT_JSON = (json.JSONDecodeError, RecursionError, ValueError)  # ValueError: a huge integer


def scanned(text: str) -> Any:
    """The JSON value of ``text``, or ``_UNREAD`` when it is not one JSON value (then
    :func:`_why_not_json` says why).  The scanner alone costs half of ``decode``, which skips
    JSON's whitespace by regular expressions around it."""
    value = text.strip(_BLANK)
    try:
        data, end = _scan(value, 0)
    except (StopIteration, *_NOT_JSON):
        return _UNREAD
    return data if end == len(value) else _UNREAD


def _why_not_json(text: str) -> str:
    """Why ``text`` is not one JSON value, in words."""
    try:
        _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        return exc.msg
    except RecursionError:
        return "nested too deeply"
    except ValueError as exc:  # an integer past Python's limit for its digits
        return str(exc).split(";")[0]
    return "not one JSON value"


def _lone_surrogates(data: Any) -> bool:
    """Whether the JSON value holds text that is not valid Unicode (``"\\ud800"`` alone)."""
    try:
        json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_LONGEST_ID: Final = 200  # a guessed id longer than this is no id


def _guess_id(text: str) -> str | None:
    """The id of a ticket whose line cannot be read, when it can be seen in the text."""
    marker = text.find('"id"')
    if marker < 0:
        return None
    rest = text[marker + 4 :].lstrip(" :")
    if rest.startswith('"'):
        end = rest.find('"', 1)
        return printable(rest[1:end]) if 0 < end <= _LONGEST_ID else None
    digits = ""
    for char in rest[: _LONGEST_ID + 1]:
        if not char.isdigit():
            break
        digits += char
    return digits if 0 < len(digits) <= _LONGEST_ID else None


@dataclass(slots=True)
class _Line:
    """A line of input: its number, its text, and why it is not UTF-8 text (if it is not)."""

    number: int
    text: str
    problem: str | None = None


class _Input:
    """The lines of a binary or text stream, numbered; a byte-order mark starting it is
    skipped.  A line that is not UTF-8 text is read with its undecodable bytes escaped, and
    says where the first of them is."""

    def __init__(self, stream: IO[Any] | Iterable[Any]) -> None:
        self.raw = iter(stream)
        self.number = 0
        self.offset = 0  # bytes read before the next line
        self.ahead: list[_Line] = []  # lines read ahead and put back

    def line(self, raw: bytes | str) -> _Line:
        """The next line, from its raw bytes or text."""
        self.number += 1
        problem = None
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                text = raw.decode("utf-8", "surrogateescape")
                problem = f"not UTF-8 text (byte {self.offset + exc.start}: {exc.reason})"
            self.offset += len(raw)
        else:
            text = raw
        if self.number == 1 and text.startswith(_BOM):
            text = text[1:]
        return _Line(self.number, text, problem)

    def __iter__(self) -> Iterator[_Line]:
        while self.ahead:
            yield self.ahead.pop(0)
        for raw in self.raw:
            yield self.line(raw)

    def first_filled(self) -> _Line | None:
        """The next line that is not blank (or not text)."""
        return next((line for line in self if line.problem or line.text.strip(_BLANK)), None)


@dataclass(slots=True)
class RawLine:
    """A line of JSON Lines that is UTF-8 text and not blank, not yet read as JSON: see
    :func:`read_tickets`' ``defer``; :func:`line_record` reads it."""

    number: int
    text: str


def line_record(line: RawLine) -> TicketRecord:
    """The record of a :class:`RawLine`, exactly as :func:`read_tickets` would have made it."""
    data = scanned(line.text)
    if data is not _UNREAD:
        if _ESCAPED_SURROGATE in line.text:
            return _record(line.number, data, line.text)
        return TicketRecord(line.number, data)
    return _line_record(_Line(line.number, line.text)) or TicketRecord(line.number)


def read_tickets(
    stream: IO[Any] | Iterable[Any], fmt: str = "auto", name: str = ""
) -> Iterator[TicketRecord]:
    """Yield the records of ``stream`` (binary or text lines); ``fmt`` is ``auto`` (by
    content), ``json``, ``jsonl`` or ``csv``.

    A stream whose reading fails (an I/O error, or a text stream that meets bytes it cannot
    decode: only a binary stream can go on past them) raises :class:`UnreadableTickets`
    naming ``name``.
    """
    return cast(Iterator[TicketRecord], _guarded(stream, fmt, name, defer=False))


def read_deferred(
    stream: IO[Any] | Iterable[Any], fmt: str = "auto", name: str = ""
) -> Iterator[TicketRecord | RawLine]:
    """:func:`read_tickets`, but most lines of JSON Lines come as :class:`RawLine`, for
    :func:`line_record` to read elsewhere (in another process)."""
    return _guarded(stream, fmt, name, defer=True)


def _guarded(
    stream: IO[Any] | Iterable[Any], fmt: str, name: str, *, defer: bool
) -> Iterator[TicketRecord | RawLine]:
    try:
        yield from _records(_Input(stream), fmt, name, defer)
    except (OSError, UnicodeDecodeError) as exc:
        if isinstance(exc, UnicodeDecodeError):
            reason = f"not UTF-8 text ({exc.reason})"
        else:
            reason = exc.strerror or str(exc)
        raise UnreadableTickets(f"{name or '<stream>'}: cannot read: {reason}") from None


def _records(
    source: _Input, fmt: str, name: str, defer: bool = False
) -> Iterator[TicketRecord | RawLine]:
    if fmt == "auto" and name.endswith(".csv"):
        fmt = "csv"
    if fmt == "csv":
        yield from _read_csv(source)
        return
    first = source.first_filled()
    if first is None:
        return
    head = first.text.lstrip(_BLANK)
    if fmt == "auto" and not head.startswith(("[", "{")) and "created_at" in first.text.split(","):
        # A CSV header line, whatever the file is called.
        source.ahead.append(first)
        yield from _read_csv(source)
        return
    if fmt == "auto" and head.startswith("["):
        # One JSON value on the first line and more lines after it: JSON Lines.  Otherwise the
        # array spans the file (or is the whole of it).
        if first.problem is None and scanned(first.text) is not _UNREAD:
            second = source.first_filled()
            if second is not None:
                source.ahead += [first, second]
                yield from _read_lines(source, defer)
                return
        fmt = "json"
    if fmt == "json":
        source.ahead.insert(0, first)
        yield from _read_document(source)
        return
    if fmt == "auto" and first.problem is None and scanned(first.text) is _UNREAD:
        # A JSON object spread over lines, or JSON Lines whose first line is broken.
        rest = list(source)
        whole = "".join([first.text, *(line.text for line in rest)])
        data = _UNREAD if any(line.problem for line in rest) else scanned(whole)
        if data is not _UNREAD:
            yield _record(first.number, data, whole)
            return
        source.ahead += rest
    source.ahead.insert(0, first)
    yield from _read_lines(source, defer)


def _record(number: int | None, data: Any, text: str) -> TicketRecord:
    """The record of a value read from ``text``; text that is not valid Unicode (a lone
    surrogate, only ever written as an escape) makes it an error record."""
    if _ESCAPED_SURROGATE in text and _lone_surrogates(data):
        where = f"line {number}: " if number is not None else ""
        return TicketRecord(
            number,
            error=f"{where}holds text that is not valid Unicode (a lone surrogate)",
            ticket_id=printable(str(data.get("id"))) if isinstance(data, dict) else None,
        )
    return TicketRecord(number, data)


def _read_lines(source: _Input, defer: bool = False) -> Iterator[TicketRecord | RawLine]:
    for line in source.ahead:
        record = _line_record(line)
        if record is not None:
            yield record
    source.ahead.clear()
    # Every line of a batch passes here: the bytes of a line are decoded, and its JSON read,
    # without a record of the line in between.
    number, offset = source.number, source.offset
    for raw in source.raw:
        number += 1
        if raw.__class__ is bytes:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                source.number, source.offset = number - 1, offset
                yield _line_record(source.line(raw)) or TicketRecord(number)
                offset += len(raw)
                continue
            offset += len(raw)
        else:
            text = raw
        if defer:
            if text.strip(_BLANK):
                yield RawLine(number, text)
            continue
        data = scanned(text)
        if data is not _UNREAD:
            yield (
                _record(number, data, text)
                if _ESCAPED_SURROGATE in text
                else TicketRecord(number, data)
            )
        elif text.strip(_BLANK):
            yield _line_record(_Line(number, text)) or TicketRecord(number)


def _line_record(line: _Line) -> TicketRecord | None:
    """The record of one line of JSON Lines; None for a blank line."""
    if line.problem is None:
        data = scanned(line.text)
        if data is not _UNREAD:
            return _record(line.number, data, line.text)
        if not line.text.strip(_BLANK):
            return None
        problem = f"not valid JSON: {_why_not_json(line.text)}"
    else:
        problem = line.problem
    return TicketRecord(
        line.number, error=f"line {line.number}: {problem}", ticket_id=_guess_id(line.text)
    )


class _LineCounter:
    """The input line of a position in a document's text, counted on as positions grow."""

    def __init__(self, text: str, first_line: int) -> None:
        self.text = text
        self.first_line = first_line
        self.position = 0
        self.line = first_line

    def at(self, position: int) -> int:
        if position < self.position:
            self.position, self.line = 0, self.first_line
        self.line += self.text.count("\n", self.position, position)
        self.position = position
        return self.line


def _read_document(lines: Iterable[_Line]) -> Iterator[TicketRecord]:
    """A JSON document: an array of tickets, read element by element, or one ticket."""
    numbered = list(lines)
    text = "".join(line.text for line in numbered)
    counter = _LineCounter(text, numbered[0].number if numbered else 1)
    bad_lines = {line.number: line.problem for line in numbered if line.problem}
    body = text.lstrip(_BLANK)
    if not body.startswith("["):
        yield from _read_value(text, len(text) - len(body), len(text), counter, bad_lines)
        return
    yield from _read_array(text, text.index("["), counter, bad_lines)


def _read_value(
    text: str,
    start: int,
    end: int,
    counter: _LineCounter,
    bad_lines: Mapping[int, str],
    element: int | None = None,
) -> Iterator[TicketRecord]:
    """The record of the JSON value in ``text[start:end]``: one ticket of a document."""
    first, last = counter.at(start), counter.at(max(end - 1, start))
    what = f"element {element} of the array" if element is not None else "the document"
    problems = [bad_lines[n] for n in range(first, last + 1) if n in bad_lines]
    if problems:
        yield TicketRecord(first, error=f"line {first}: {what} is {problems[0]}")
        return
    data = scanned(text[start:end])
    if data is _UNREAD:
        reason = _why_not_json(text[start:end])
        yield TicketRecord(
            first,
            error=f"line {first}: {what} is not valid JSON: {reason}",
            ticket_id=_guess_id(text[start:end]),
        )
        return
    yield _record(None, data, text[start:end])


def _read_array(
    text: str, opening: int, counter: _LineCounter, bad_lines: Mapping[int, str]
) -> Iterator[TicketRecord]:
    position, element = opening + 1, 0
    while True:
        while position < len(text) and text[position] in _BLANK:
            position += 1
        if position >= len(text):
            line = counter.at(len(text) - 1)
            yield TicketRecord(line, error=f"line {line}: the array does not end (no ']')")
            return
        if text[position] == "]":
            rest = text[position + 1 :].strip(_BLANK)
            if rest:
                line = counter.at(position + 1 + text[position + 1 :].index(rest[0]))
                yield TicketRecord(line, error=f"line {line}: text after the array ends")
            return
        element += 1
        end = _element_end(text, position)
        if end is None:  # an unterminated string or bracket: nothing after it can be told apart
            line = counter.at(position)
            yield TicketRecord(
                line,
                error=f"line {line}: element {element} of the array and what follows it "
                "cannot be read (a string or bracket is never closed)",
                ticket_id=_guess_id(text[position : position + 200]),
            )
            return
        yield from _read_value(text, position, end, counter, bad_lines, element)
        position = end + 1 if end < len(text) and text[end] == "," else end


def _element_end(text: str, start: int) -> int | None:
    """Where the array element starting at ``start`` ends: the position of the ``,`` or
    ``]`` after it at the array's own depth, or None when strings or brackets never close."""
    depth, in_string, escaped = 0, False, False
    for position in range(start, len(text)):
        char = text[position]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            if depth == 0:
                return position
            depth -= 1
        elif char == "," and depth == 0:
            return position
    return None


def _read_csv(lines: Iterable[_Line]) -> Iterator[TicketRecord]:
    problems: dict[int, str] = {}

    def texts() -> Iterator[str]:
        for line in lines:
            if line.problem is not None:
                problems[line.number] = line.problem
            yield line.text

    reader = csv.DictReader(texts())
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        yield TicketRecord(1, error=f"line 1: the CSV header cannot be read: {exc}")
        return
    missing = {"id", "created_at"} - set(header or ())
    if missing:
        yield TicketRecord(1, error=f"CSV header lacks column(s): {', '.join(sorted(missing))}")
        return
    if problems:
        yield TicketRecord(1, error=f"line 1: the CSV header is {problems[1]}")
        return
    while True:
        first = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield TicketRecord(first, error=f"line {first}: not a CSV row: {exc}")
            continue
        line = reader.line_num
        ticket_id = printable(row["id"]) if isinstance(row.get("id"), str) else None
        bad = [problems[n] for n in range(first, line + 1) if n in problems]
        if bad:
            yield TicketRecord(line, error=f"line {line}: {bad[0]}", ticket_id=ticket_id)
        elif None in row:
            yield TicketRecord(
                line, error=f"line {line}: more values than columns", ticket_id=ticket_id
            )
        else:
            yield TicketRecord(line, csv_ticket(row))


def csv_ticket(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row (``id, created_at, <fields...>, first_response_at, resolved_at``) as a ticket."""
    events = []
    if row.get("first_response_at"):
        events.append({"at": row["first_response_at"], "type": "agent_reply"})
    if row.get("resolved_at"):
        events.append({"at": row["resolved_at"], "type": "status", "status": "solved"})
    fields = {
        key: value
        for key, value in row.items()
        if key not in ("id", "created_at", *_CSV_TIMES) and value != ""
    }
    return {"id": row["id"], "created_at": row["created_at"], "fields": fields, "events": events}
