"""The ``servicepolicy`` command line.

``main(argv, stdin, stdout, stderr) -> int`` is the whole program and never exits; only the
console entry point turns its result into the exit status.  Exit codes: 0 ok, 1 findings,
2 usage or unreadable input.

Each command is a module of this package; :data:`COMMANDS` lists them in the order ``--help``
shows them, with the function that adds a command's arguments and the one that runs it.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import sys
from collections.abc import Callable, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from .. import __version__
from .._common.errors import PolicyError, ServicePolicyError
from . import (
    clock,
    compare,
    evaluate,
    explain,
    imports,
    reconcile,
    refund,
    report,
    schema,
    test,
    validate,
)
from ._output import abandon_outputs
from ._shared import USAGE, Context, Parser, UsageError

__all__ = ["COMMANDS", "Command", "build_parser", "entry_point", "main"]


@dataclass(frozen=True, slots=True)
class Command:
    """A subcommand: its one-line help, how it takes its arguments, and how it runs."""

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Context], int]


COMMANDS: dict[str, Command] = {
    "validate": Command(validate.HELP, validate.add_arguments, validate.run),
    "schema": Command(schema.HELP, schema.add_arguments, schema.run),
    "due": Command(clock.DUE_HELP, clock.add_due_arguments, clock.run_due),
    "elapsed": Command(clock.ELAPSED_HELP, clock.add_elapsed_arguments, clock.run_elapsed),
    "evaluate": Command(evaluate.HELP, evaluate.add_arguments, evaluate.run),
    "report": Command(report.HELP, report.add_arguments, report.run),
    "test": Command(test.HELP, test.add_arguments, test.run),
    "compare": Command(compare.HELP, compare.add_arguments, compare.run),
    "refund": Command(refund.HELP, refund.add_arguments, refund.run),
    "explain": Command(explain.HELP, explain.add_arguments, explain.run),
    "import": Command(imports.IMPORT_HELP, imports.add_import_arguments, imports.run_import),
    "import-policy": Command(
        imports.IMPORT_POLICY_HELP, imports.add_import_policy_arguments, imports.run_import_policy
    ),
    "reconcile": Command(reconcile.HELP, reconcile.add_arguments, reconcile.run),
}
"""Every subcommand by name, in the order ``servicepolicy --help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``servicepolicy`` command."""
    parser = Parser(prog="servicepolicy", description="Customer-service policy and SLA rules.")
    parser.add_argument("--version", action="version", version=f"servicepolicy {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True
    for name, command in COMMANDS.items():
        command.add_arguments(commands.add_parser(name, help=command.help))
    return parser


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
    out = stdout if stdout is not None else sys.stdout  # None when standard output is closed
    # With standard error closed there is nowhere to say anything: messages are dropped, and
    # the exit status alone tells how the run went.
    err = stderr if stderr is not None else (sys.stderr or io.StringIO())
    try:
        with redirect_stdout(out if out is not None else err), redirect_stderr(err):
            args = build_parser().parse_args(argv)
    except UsageError as exc:
        build_parser().print_usage(err)
        print(exc, file=err)
        return USAGE
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    ctx = Context(
        stdin=stdin or sys.stdin,
        stdout=out,
        stderr=err,
        environ=dict(os.environ) if environ is None else environ,
        now=now or datetime.now(UTC),
    )
    try:
        return COMMANDS[args.command].run(args, ctx)
    except UsageError as exc:
        print(f"servicepolicy: error: {exc}", file=err)
        return USAGE
    except PolicyError as exc:
        print("\n".join(str(f) for f in exc.findings), file=err)
        return USAGE
    except ServicePolicyError as exc:
        print(f"servicepolicy: error: {exc}", file=err)
        return USAGE


def _stop(status: int) -> Callable[[int, object], None]:
    """A signal handler that removes the unfinished ``-o`` files and exits with ``status``
    at once.  (Raising instead would unwind through the compiled build's native code, which
    may take an exception it did not expect for a failed allocation, and abort.)"""

    def handler(signum: int, frame: object) -> None:
        abandon_outputs()
        os._exit(status)

    return handler


def entry_point() -> None:
    """Console script: run :func:`main` and exit with its status.

    Interrupted (Ctrl-C, SIGTERM), it exits 130 or 143; an ``-o`` file is then left as it
    was, while what was written to standard output stays, so there the status is the only
    sign that the output is incomplete.
    """
    signal.signal(signal.SIGTERM, _stop(143))
    signal.signal(signal.SIGINT, _stop(130))
    try:
        status = main()
    except KeyboardInterrupt:  # before the handlers were in place
        status = 130
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except OSError:
        # The output went away (``| head``), which main has said: write the rest nowhere
        # rather than fail again as the interpreter exits.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        status = status or 2
    sys.exit(status)
