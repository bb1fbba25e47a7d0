"""Write a seeded JSON Lines file of malformed tickets, for comparing the two builds' bytes.

Each line starts from a synthetic ticket (``benchmarks/evaluate.py``) and most are then broken
in one or a few ways: values of the wrong type, instants without an offset or outside the
supported years, numbers past Python's limits, lone surrogates, deep nesting, events of odd
shapes, unknown keys, cut or garbled JSON, bytes that are not UTF-8, line separators inside a
line. The same seed writes the same bytes.

    python scripts/malformed_tickets.py OUT.jsonl [--count 3000] [--seed 7]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from evaluate import synthetic_ticket

ODD_VALUES: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    1.5,
    10**30,
    "",
    "x",
    "\ud800",
    "a\u2028b",
    "\x00",
    [],
    ["x"],
    {},
    {"a": 1},
    "2026-11-20T10:00:00",
    "2026-11-20",
    "1899-12-31T23:59:59+00:00",
    "2200-01-01T00:00:00+00:00",
    "2026-02-30T10:00:00Z",
    "9999-12-31T23:59:59-23:59",
)
EVENT_TYPES = ("customer_message", "agent_reply", "internal_note", "status", "field", "abuse")


def _odd(rng: random.Random) -> Any:
    # A copy: a list or mapping of the table, once placed in a ticket, may be broken further,
    # and a shared one would carry that (even a reference to itself) into later tickets.
    return copy.deepcopy(rng.choice(ODD_VALUES))


def _break_top(rng: random.Random, ticket: dict[str, Any]) -> None:
    ticket[rng.choice(("id", "created_at", "fields", "events"))] = _odd(rng)


def _break_field(rng: random.Random, ticket: dict[str, Any]) -> None:
    fields = ticket.get("fields")
    if isinstance(fields, dict):
        fields[rng.choice(("priority", "tier", "monthly_fee", "channel", ""))] = _odd(rng)


def _break_event(rng: random.Random, ticket: dict[str, Any]) -> None:
    events = ticket.get("events")
    if not isinstance(events, list):
        return
    shape = rng.randrange(4)
    dicts = [event for event in events if isinstance(event, dict)]
    if shape == 0 or not dicts:
        events.append(_odd(rng))
    elif shape == 1:
        events.append({"at": _odd(rng), "type": rng.choice(EVENT_TYPES)})
    elif shape == 2:  # a reply carrying parts of another kind of event
        rng.choice(dicts)[rng.choice(("status", "field", "value", "type", "at"))] = _odd(rng)
    else:
        events.insert(0, dict(rng.choice(dicts)))  # out of order, perhaps before creation


def _drop(rng: random.Random, ticket: dict[str, Any]) -> None:
    ticket.pop(rng.choice(("id", "created_at", "fields", "events")), None)


def _unknown_key(rng: random.Random, ticket: dict[str, Any]) -> None:
    ticket[rng.choice(("author", "Id", "\ud800", "evnets"))] = _odd(rng)


def _deep(rng: random.Random, ticket: dict[str, Any]) -> None:
    ticket["nested"] = rng.choice((50, 900, 3000))  # how deep: written by hand below


BREAKS: tuple[Callable[[random.Random, dict[str, Any]], None], ...] = (
    _break_top,
    _break_field,
    _break_field,
    _break_event,
    _break_event,
    _break_event,
    _drop,
    _unknown_key,
    _deep,
)


def _garble(rng: random.Random, line: bytes) -> bytes:
    """Bytes that are not one JSON value: cut, spliced, or not UTF-8."""
    at = rng.randrange(len(line))
    kind = rng.randrange(5)
    if kind == 0:
        return line[:at]
    if kind == 1:
        return line[:at] + rng.choice((b"\xff", b"\xc0\x80", b"\xed\xa0\x80")) + line[at:]
    if kind == 2:
        return line[:at] + b"\xe2\x80\xa8" + line[at:]  # U+2028 inside a line
    if kind == 3:
        return line + line  # two values on one line
    return rng.choice((b"null", b"[]", b"1", b'"t"', b"{", b" \t", b"[" * 5000, b"{'id': 1}"))


def malformed_line(rng: random.Random, number: int) -> bytes:
    """One line: a good ticket (one in five), a broken one, or bytes that are no ticket."""
    ticket = synthetic_ticket(rng, number)
    kind = rng.randrange(10)
    if kind >= 2:
        for _ in range(rng.randint(1, 3)):
            rng.choice(BREAKS)(rng, ticket)
    depth = ticket.pop("nested", None)
    text = json.dumps(ticket, ensure_ascii=rng.random() < 0.7)
    if kind == 9 and number % 7 == 0:  # an integer past Python's limit for its digits
        text = text[:-1] + ', "monthly_fee": ' + "9" * 5000 + "}"
    elif depth is not None:  # lists in lists, perhaps past Python's recursion limit
        text = text[:-1] + ', "nested": ' + "[" * depth + "]" * depth + "}"
    line = text.encode("utf-8", "surrogatepass")
    if kind == 1:
        line = _garble(rng, line)
    return line


def write_malformed(path: Path, count: int, seed: int) -> None:
    """Write ``count`` lines to ``path``, the same bytes for the same seed."""
    rng = random.Random(seed)
    with path.open("wb") as out:
        for number in range(count):
            out.write(malformed_line(rng, number) + b"\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_malformed(args.out, args.count, args.seed)


if __name__ == "__main__":
    main()
