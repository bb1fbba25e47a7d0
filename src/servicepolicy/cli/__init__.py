"""The ``servicepolicy`` command line.

``main(argv, stdin, stdout, stderr) -> int`` is the whole program and never exits; only the
console entry point turns its result into the exit status.  Exit codes: 0 ok, 1 findings,
2 usage or unreadable input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from contextlib import ExitStack, redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from .. import __version__
from .._common.durations import format_duration, iso_duration, parse_span
from .._common.errors import Finding, PolicyError, ServicePolicyError, TicketError
from .._policy.loader import (
    check_policy_file,
    check_policy_text,
    load_policy,
    load_policy_or_set,
    parse_policy,
    policy_files,
    version_findings,
)
from .._policy.model import Policy
from .._policy.safe_yaml import MAX_BYTES
from .._policy.schema import policy_schema_text
from .._policy.versions import PolicySet
from .._reports import policy_tests
from .._tickets.model import instant_option
from .._tickets.streams import add_ticket_arguments, open_tickets
from . import compare as compare_command
from ._batch import run_evaluate, run_explain, run_refund, run_report
from ._render import render_findings

OK, FINDINGS, USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors by exception instead of exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: error: {message}")


class _UsageError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``servicepolicy`` command."""
    parser = _Parser(prog="servicepolicy", description="Customer-service policy and SLA rules.")
    parser.add_argument("--version", action="version", version=f"servicepolicy {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    validate = commands.add_parser("validate", help="check policy files and report every problem")
    validate.add_argument(
        "paths",
        nargs="+",
        metavar="FILE_OR_DIR",
        help="policy files, directories to search for *.yaml, or - for stdin",
    )
    validate.add_argument(
        "--format",
        choices=["text", "json", "github"],
        help="output format (default: github when GITHUB_ACTIONS=true, else text)",
    )
    validate.add_argument("--strict", action="store_true", help="warnings fail too")

    schema = commands.add_parser("schema", help="print the JSON Schema of policy files")
    schema.add_argument("-o", "--output", help="write to this file instead of stdout")

    due = commands.add_parser("due", help="when a duration of business time after START ends")
    _clock_args(due)
    due.add_argument("--after", required=True, help="duration: 4h, 1h30m, PT4H, or 3bd")

    elapsed = commands.add_parser("elapsed", help="business time between START and END")
    _clock_args(elapsed)
    elapsed.add_argument("--end", required=True, help="ISO 8601 instant with UTC offset")

    evaluate = commands.add_parser("evaluate", help="SLA status of every ticket in a file")
    _ticket_args(evaluate)
    evaluate.add_argument("--format", choices=["table", "json", "jsonl", "csv"], default="table")
    evaluate.add_argument("-o", "--output", help="write here instead of stdout")

    report = commands.add_parser("report", help="compliance report: attainment, breaches, causes")
    _ticket_args(report)
    report.add_argument(
        "--by",
        default="",
        help="group by fields and/or week, comma separated (priority,channel,week)",
    )
    report.add_argument("--format", choices=["table", "csv", "json", "html"], default="table")
    report.add_argument("-o", "--output", help="write here instead of stdout")

    test = commands.add_parser("test", help="run policy test files (*.tests.yaml)")
    policy_tests.add_arguments(test)

    compare = commands.add_parser(
        "compare", help="what-if: replay tickets under an old and a new policy"
    )
    compare_command.add_arguments(compare)

    refund = commands.add_parser("refund", help="decide refund requests under the policy")
    _ticket_args(refund)
    refund.add_argument("--format", choices=["text", "json", "jsonl"], default="text")

    explain = commands.add_parser("explain", help="explain the evaluation of tickets in words")
    _ticket_args(explain)
    explain.add_argument("--id", dest="ticket_id", help="explain only the ticket with this id")
    return parser


def _ticket_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "policy", metavar="POLICY", help="policy file, or a directory of dated versions"
    )
    add_ticket_arguments(parser)


def _clock_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("policy", metavar="POLICY", help="policy file (or - for stdin)")
    parser.add_argument("--calendar", required=True, help="calendar name (24/7 is built in)")
    parser.add_argument("--start", required=True, help="ISO 8601 instant with UTC offset")
    parser.add_argument("--format", choices=["text", "json"], default="text")


def main(
    argv: Sequence[str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    environ: dict[str, str] | None = None,
    now: datetime | None = None,
) -> int:
    """Run the command line with ``argv``; returns the exit status.

    ``now`` is the default ``--as-of`` (the current time when not given).
    """
    out, err = stdout or sys.stdout, stderr or sys.stderr
    env = dict(os.environ) if environ is None else environ
    try:
        with redirect_stdout(out), redirect_stderr(err):
            args = build_parser().parse_args(argv)
    except _UsageError as exc:
        build_parser().print_usage(err)
        print(exc, file=err)
        return USAGE
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    try:
        if args.command == "validate":
            return _validate(args, stdin or sys.stdin, out, env)
        if args.command == "schema":
            return _schema(args, out)
        if args.command == "test":
            return policy_tests.run(args, out, err, env)
        if args.command == "compare":
            return compare_command.run(args, stdin or sys.stdin, out, err, now or datetime.now(UTC))
        if args.command in ("evaluate", "explain", "refund", "report"):
            moment = now or datetime.now(UTC)
            return _tickets(args, stdin or sys.stdin, out, err, moment)
        return _clock(args, stdin or sys.stdin, out, err)
    except _UsageError as exc:
        print(f"servicepolicy: error: {exc}", file=err)
        return USAGE
    except PolicyError as exc:
        print("\n".join(str(f) for f in exc.findings), file=err)
        return USAGE
    except ServicePolicyError as exc:
        print(f"servicepolicy: error: {exc}", file=err)
        return USAGE


def entry_point() -> None:
    """Console script: run :func:`main` and exit with its status."""
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as other command-line tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        status = 1
    except KeyboardInterrupt:
        status = 130
    sys.exit(status)


def _policy_files(paths: Sequence[str]) -> list[str]:
    files: list[str] = []
    for name in paths:
        path = Path(name)
        if name == "-" or path.is_file():
            files.append(name)
        elif path.is_dir():
            found = [str(p) for p in policy_files(path, recursive=True)]
            if not found:
                raise _UsageError(f"{name}: no policy files (*.yaml, *.yml) in this directory")
            files += found
        else:
            raise _UsageError(f"{name}: no such file or directory")
    return files


def _validate(args: argparse.Namespace, stdin: TextIO, out: TextIO, env: dict[str, str]) -> int:
    fmt = args.format or ("github" if env.get("GITHUB_ACTIONS") == "true" else "text")
    files = _policy_files(args.paths)
    findings: list[Finding] = []
    unreadable = False
    by_directory: dict[Path, list[tuple[Path, Policy]]] = {}
    for name in files:
        if name == "-":
            policy, found = check_policy_text(_read_limited(stdin), "<stdin>")
        else:
            policy, found = check_policy_file(name)
            if policy is not None:
                by_directory.setdefault(Path(name).parent, []).append((Path(name), policy))
        unreadable |= any(f.code == "unreadable" for f in found)
        findings += found
    for versions in by_directory.values():
        findings += version_findings(versions)
    out.write(render_findings(findings, files, fmt, strict=args.strict))
    if unreadable:
        return USAGE
    failing = [f for f in findings if f.severity == "error" or args.strict]
    return FINDINGS if failing else OK


def _schema(args: argparse.Namespace, out: TextIO) -> int:
    text = policy_schema_text()
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise _UsageError(f"{args.output}: cannot write: {exc.strerror}") from None
    else:
        out.write(text)
    return OK


_TICKET_SUFFIXES = (".jsonl", ".json", ".csv", ".ndjson")


def _load_policy_or_set(name: str) -> Policy | PolicySet:
    """A policy file, or a directory of dated versions of one policy."""
    try:
        return load_policy_or_set(name)
    except PolicyError as exc:
        if name.endswith(_TICKET_SUFFIXES):
            raise _UsageError(
                f"{name} looks like a tickets file, not a policy: the policy comes first "
                "(servicepolicy COMMAND POLICY TICKETS)"
            ) from exc
        raise


def _read_limited(stdin: TextIO) -> str:
    text = stdin.read(MAX_BYTES + 1)
    if len(text) > MAX_BYTES:
        raise _UsageError(f"<stdin>: a policy may have at most {MAX_BYTES} bytes")
    return text


def _instant(text: str, option: str) -> datetime:
    try:
        return instant_option(text, option)
    except TicketError as exc:
        raise _UsageError(exc.message) from None


def _clock(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    if args.policy == "-":
        policy = parse_policy(_read_limited(stdin), "<stdin>")
    else:
        policy = load_policy(args.policy)
    try:
        calendar = policy.calendar(args.calendar)
    except KeyError:
        known = ", ".join([*policy.calendars, "24/7"])
        raise _UsageError(f"no calendar {args.calendar!r} in the policy (known: {known})") from None
    start = _instant(args.start, "--start")
    if args.command == "due":
        try:
            span = parse_span(args.after)
        except ValueError as exc:
            raise _UsageError(f"--after: {exc}") from None
        due = calendar.add_span(start, span)
        if args.format == "json":
            out.write(
                json.dumps(
                    {
                        "calendar": args.calendar,
                        "start": start.isoformat(),
                        "after": args.after,
                        "due": due.isoformat(),
                    }
                )
                + "\n"
            )
        else:
            out.write(due.isoformat() + "\n")
        return OK
    end = _instant(args.end, "--end")
    spent = calendar.elapsed(start, end)
    if args.format == "json":
        out.write(
            json.dumps(
                {
                    "calendar": args.calendar,
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "elapsed": iso_duration(spent),
                    "elapsed_seconds": spent.total_seconds(),
                }
            )
            + "\n"
        )
    else:
        out.write(format_duration(spent) + "\n")
    return OK


def _tickets(
    args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO, now: datetime
) -> int:
    policy = _load_policy_or_set(args.policy)
    as_of = _instant(args.as_of, "--as-of") if args.as_of else now
    with ExitStack() as stack:
        try:
            source = open_tickets(args.tickets, stdin, stack)
        except OSError as exc:
            raise _UsageError(f"{args.tickets}: cannot read: {exc.strerror}") from None
        if args.command == "refund":
            return run_refund(
                policy, source, args.tickets, args.input_format, as_of, args.format, out, err
            )
        if args.command == "explain":
            return run_explain(
                policy, source, args.tickets, args.input_format, as_of, args.ticket_id, out, err
            )
        sink = out
        if args.output:
            try:
                sink = stack.enter_context(Path(args.output).open("w", encoding="utf-8"))
            except OSError as exc:
                raise _UsageError(f"{args.output}: cannot write: {exc.strerror}") from None
        if args.command == "report":
            by = [part.strip() for part in args.by.split(",") if part.strip()]
            return run_report(
                policy, source, args.tickets, args.input_format, as_of, by, args.format, sink, err
            )
        return run_evaluate(
            policy, source, args.tickets, args.input_format, as_of, args.format, sink, err
        )
