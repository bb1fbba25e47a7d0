"""``servicepolicy due`` and ``servicepolicy elapsed``: the clock of one of a policy's
calendars, from the command line."""

from __future__ import annotations

import argparse
import json
from datetime import datetime

from .._calendar.model import Calendar
from .._common.durations import BusinessDays, format_duration, iso_duration, parse_span
from .._policy.loader import parse_policy
from ._output import add_output_argument, output_to
from ._shared import (
    OK,
    Context,
    UsageError,
    instant_argument,
    load_policy_file_argument,
    read_limited,
)

DUE_HELP = "when a duration of business time after START ends"
ELAPSED_HELP = "business time between START and END"


def _clock_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("policy", metavar="POLICY", help="policy file (or - for stdin)")
    parser.add_argument("--calendar", required=True, help="calendar name (24/7 is built in)")
    parser.add_argument("--start", required=True, help="ISO 8601 instant with UTC offset")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    add_output_argument(parser)


class _Before(argparse.Action):
    """``--before``: stands in for ``--after``, which is required only without it (so that
    a ``due`` given neither still says ``required: --start, --after``)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        for action in parser._actions:
            if action.dest == "after":
                action.required = False
        setattr(namespace, self.dest, values)


def add_due_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``servicepolicy due``."""
    _clock_arguments(parser)
    parser.add_argument("--after", required=True, help="duration: 4h, 1h30m, PT4H, or 3bd")
    parser.add_argument(
        "--before",
        action=_Before,
        metavar="SPAN",
        help="instead of --after: the deadline this duration of business time before START "
        "(4h, 1h30m, PT4H; not business days)",
    )


def add_elapsed_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``servicepolicy elapsed``."""
    _clock_arguments(parser)
    parser.add_argument("--end", required=True, help="ISO 8601 instant with UTC offset")


def _calendar(args: argparse.Namespace, ctx: Context) -> tuple[Calendar, datetime]:
    if args.policy == "-":
        policy = parse_policy(read_limited(ctx.stdin), "<stdin>")
    else:
        order = f"servicepolicy {args.command} POLICY --calendar NAME --start ISO"
        policy = load_policy_file_argument(args.policy, order)
    try:
        calendar = policy.calendar(args.calendar)
    except KeyError:
        known = ", ".join([*policy.calendars, "24/7"])
        raise UsageError(f"no calendar {args.calendar!r} in the policy (known: {known})") from None
    return calendar, instant_argument(args.start, "--start")


def run_due(args: argparse.Namespace, ctx: Context) -> int:
    """Print when ``--after`` of business time after ``--start`` ends."""
    if args.before is not None:
        return _due_before(args, ctx)
    calendar, start = _calendar(args, ctx)
    try:
        span = parse_span(args.after)
    except ValueError as exc:
        raise UsageError(f"--after: {exc}") from None
    return _show_due(args, ctx, start, "after", calendar.add_span(start, span))


def _due_before(args: argparse.Namespace, ctx: Context) -> int:
    """Print when ``--before`` of business time before ``--start`` begins."""
    if args.after is not None:
        raise UsageError("give --after or --before, not both")
    calendar, start = _calendar(args, ctx)
    try:
        span = parse_span(args.before)
    except ValueError as exc:
        raise UsageError(f"--before: {exc}") from None
    if isinstance(span, BusinessDays):
        raise UsageError(f"--before: business days ({args.before!r}) cannot be subtracted")
    return _show_due(args, ctx, start, "before", calendar.subtract(start, span))


def _show_due(
    args: argparse.Namespace, ctx: Context, start: datetime, way: str, due: datetime
) -> int:
    """Write ``due`` (with the question, in JSON), ``way`` being ``after`` or ``before``."""
    if args.format == "json":
        shown = {
            "calendar": args.calendar,
            "start": start.isoformat(),
            way: getattr(args, way),
            "due": due.isoformat(),
        }
        return _write(args, ctx, json.dumps(shown) + "\n")
    return _write(args, ctx, due.isoformat() + "\n")


def run_elapsed(args: argparse.Namespace, ctx: Context) -> int:
    """Print the business time between ``--start`` and ``--end``."""
    calendar, start = _calendar(args, ctx)
    end = instant_argument(args.end, "--end")
    spent = calendar.elapsed(start, end)
    if args.format == "json":
        shown = {
            "calendar": args.calendar,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "elapsed": iso_duration(spent),
            "elapsed_seconds": spent.total_seconds(),
        }
        return _write(args, ctx, json.dumps(shown) + "\n")
    return _write(args, ctx, format_duration(spent) + "\n")


def _write(args: argparse.Namespace, ctx: Context, text: str) -> int:
    with output_to(args.output, ctx.stdout, (args.policy,)) as out:
        out.write(text)
    return OK
