"""What the commands share: exit codes, usage errors, the arguments that name tickets, reading
the policy, the tickets and ``--as-of``, and the summary line (said once the output is
written: see ``_output.py``).

Only the command line reads the environment and the current time; it hands both to a command
in a :class:`Context`, so a run in-process with string buffers sees exactly what it is given.
"""

from __future__ import annotations

import argparse
import contextlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TextIO

from .._calendar.sources import hijri_module
from .._common.errors import PolicyError, TicketError
from .._common.instants import outside, supported, to_micros
from .._i18n import LANGUAGES, Language, language
from .._policy.loader import load_policy, load_policy_or_set
from .._policy.model import Policy
from .._policy.safe_yaml import MAX_BYTES
from .._policy.versions import PolicySet
from .._tickets.streams import FORMATS
from ._output import output_to

OK, FINDINGS, USAGE = 0, 1, 2
"""Exit codes: ok; findings (an invalid policy, a failing case, tickets that failed); usage
errors, unreadable input, or a policy that does not load for a command that needs it."""

_TICKET_SUFFIXES = (".jsonl", ".json", ".csv", ".ndjson")


class UsageError(Exception):
    """A mistake on the command line or an input that cannot be read: one line, exit 2."""


def cannot_read(name: str, exc: OSError) -> str:
    """The one wording of an input that cannot be opened or read: ``PATH: cannot read: why``."""
    return f"{name}: cannot read: {exc.strerror or exc}"


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors by exception instead of exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: error: {message}")


@dataclass(frozen=True, slots=True)
class Context:
    """What a command may use besides its arguments: the streams, the environment, and the
    moment that stands for "now" (the default ``--as-of``)."""

    stdin: TextIO
    stdout: TextIO | None  # None: standard output is closed
    stderr: TextIO
    environ: Mapping[str, str]
    now: datetime


def instant_option(text: str, option: str) -> datetime:
    """An instant given on the command line (``--as-of``); the error suggests a fixed spelling."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise TicketError(f"{option} {text!r} is not an ISO 8601 instant") from None
    if value.tzinfo is None:
        example = value.replace(tzinfo=UTC).isoformat().replace("+00:00", "+01:00")
        raise TicketError(f"{option} {text!r} has no UTC offset; add one, e.g. {example}")
    if not supported(to_micros(value)):
        raise TicketError(outside(value, option))
    return value


def instant_argument(text: str, option: str) -> datetime:
    """:func:`instant_option`, a mistake being a :class:`UsageError`."""
    try:
        return instant_option(text, option)
    except TicketError as exc:
        raise UsageError(exc.message) from None


def add_ticket_arguments(parser: argparse.ArgumentParser) -> None:
    """The command-line arguments that name tickets to read: TICKETS, --as-of, --input-format."""
    parser.add_argument(
        "tickets",
        metavar="TICKETS",
        help="tickets: JSON array, JSON Lines or CSV file, or - for stdin",
    )
    parser.add_argument("--as-of", help="ISO 8601 instant to evaluate at (default: now)")
    parser.add_argument(
        "--input-format",
        choices=list(FORMATS),
        default="auto",
        help="ticket format (default: by content, or CSV for a *.csv file)",
    )


def add_strict_input(parser: argparse.ArgumentParser) -> None:
    """``--strict-input``, for the commands that evaluate tickets."""
    parser.add_argument(
        "--strict-input",
        action="store_true",
        help="a ticket with data the policy does not know (a value, status or event type it "
        "never names, a repeated id) is an error record, not a warning",
    )


def add_language_arguments(parser: argparse.ArgumentParser, *, dates: bool = True) -> None:
    """``--lang en|ar``, and ``--hijri`` where the output shows dates."""
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default="en",
        help="language of the text: en (default) or ar, Arabic (needs servicepolicy[i18n])",
    )
    if dates:
        parser.add_argument(
            "--hijri",
            action="store_true",
            help="show each date in the Umm al-Qura calendar too (needs servicepolicy[hijri])",
        )


def language_of(args: argparse.Namespace) -> Language:
    """The language ``--lang`` and ``--hijri`` ask for; a missing package is a usage error
    naming the extra to install."""
    try:
        words = language(args.lang, hijri=getattr(args, "hijri", False))
        if words.hijri:
            hijri_module()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return words


def add_policy_and_tickets(parser: argparse.ArgumentParser) -> None:
    """POLICY (a file or a directory of dated versions) and the tickets' arguments."""
    parser.add_argument(
        "policy", metavar="POLICY", help="policy file, or a directory of dated versions"
    )
    add_ticket_arguments(parser)


def open_tickets(name: str, stdin: TextIO, stack: ExitStack) -> IO[Any]:
    """The stream of tickets named on the command line, read as bytes where it can be (each
    line is then decoded on its own): ``-`` is ``stdin``; a file is opened on ``stack``
    (``OSError`` when it cannot be)."""
    if name == "-":
        binary: IO[bytes] | None = getattr(stdin, "buffer", None)
        return binary if binary is not None else stdin
    return stack.enter_context(Path(name).open("rb"))


@dataclass(frozen=True, slots=True)
class Done:
    """How a command's work ended: its exit status, and what it has to say on stderr once
    its output is safely written (the summary line)."""

    status: int
    message: str = ""


def summary(
    total: int,
    failed: int,
    as_of: datetime,
    done: str = "evaluated",
    tally: WarningTally | None = None,
) -> Done:
    """``N tickets in, M <done>, K failed (as of ...)``, then the warnings ``tally`` counts,
    with the exit status of a command over tickets: 1 when any failed, else 0."""
    line = f"{total} tickets in, {total - failed} {done}, {failed} failed "
    warned = tally.line() if tally is not None else ""
    return Done(FINDINGS if failed else OK, f"{line}(as of {as_of.isoformat()})\n{warned}")


@contextlib.contextmanager
def _a_policy_not_tickets(name: str, order: str) -> Iterator[None]:
    """A policy that does not load, named like a tickets file: the arguments are swapped."""
    try:
        yield
    except PolicyError as exc:
        if name.endswith(_TICKET_SUFFIXES):
            raise UsageError(
                f"{name} looks like a tickets file, not a policy: the policy comes first ({order})"
            ) from exc
        raise


def load_policy_argument(
    name: str, order: str = "servicepolicy COMMAND POLICY TICKETS"
) -> Policy | PolicySet:
    """A policy file, or a directory of dated versions of one policy; a tickets file in its
    place is a :class:`UsageError` saying the order of the arguments."""
    with _a_policy_not_tickets(name, order):
        return load_policy_or_set(name)


def load_policy_file_argument(name: str, order: str) -> Policy:
    """:func:`load_policy_argument` for a command that takes one policy file."""
    with _a_policy_not_tickets(name, order):
        return load_policy(name)


def read_limited(stdin: TextIO) -> str:
    """A policy read from standard input, refused when larger than a policy file may be."""
    text = stdin.read(MAX_BYTES + 1)
    if len(text) > MAX_BYTES:
        raise UsageError(f"<stdin>: a policy may have at most {MAX_BYTES} bytes")
    return text


class WarningTally:
    """How many tickets had warnings, in all and by kind."""

    def __init__(self) -> None:
        self.tickets = 0
        self.kinds: Counter[str] = Counter()

    def add(self, kinds: list[str]) -> None:
        """Count one ticket's warnings (by their kinds)."""
        if kinds:
            self.tickets += 1
            self.kinds.update(set(kinds))

    def line(self) -> str:
        """``3 tickets with warnings: 2 unknown-value, 1 duplicate-id``, or ``""``."""
        if not self.tickets:
            return ""
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.kinds.items()))
        return f"{self.tickets} tickets with warnings: {kinds}\n"


@dataclass(frozen=True, slots=True)
class TicketBatch:
    """What a command over tickets works on: the policy, the tickets (a stream, the name it
    was given and its ``--input-format``), the moment, and where output and messages go."""

    policy: Policy | PolicySet
    source: IO[Any]
    name: str
    input_format: str
    as_of: datetime
    out: TextIO
    err: TextIO
    strict_input: bool = False
    tally: WarningTally = field(default_factory=WarningTally)


def over_tickets(
    args: argparse.Namespace, ctx: Context, work: Callable[[TicketBatch], Done]
) -> int:
    """Load POLICY, read ``--as-of``, open TICKETS and the output (``-o``, when the command
    has it); run ``work`` on them; then, the output written, say what the work has to say.
    A file that cannot be opened is a :class:`UsageError`."""
    policy = load_policy_argument(args.policy)
    as_of = ctx.now if args.as_of is None else instant_argument(args.as_of, "--as-of")
    with ExitStack() as stack:
        try:
            source = open_tickets(args.tickets, ctx.stdin, stack)
        except OSError as exc:
            raise UsageError(cannot_read(args.tickets, exc)) from None
        inputs = (args.policy, args.tickets)
        with output_to(getattr(args, "output", None), ctx.stdout, inputs) as out:
            batch = TicketBatch(
                policy,
                source,
                args.tickets,
                args.input_format,
                as_of,
                out,
                ctx.stderr,
                getattr(args, "strict_input", False),
            )
            done = work(batch)
    ctx.stderr.write(done.message)
    return done.status
