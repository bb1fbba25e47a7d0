"""``servicepolicy reconcile``: the SLA figures a helpdesk recorded against the policy's own
verdicts, ticket by ticket and metric by metric, with the likely reason of each difference."""

from __future__ import annotations

import argparse
import json

from .._reports.reconcile import Reconciliation, reconcile
from .._tickets.files import read_tickets
from ..adapters import SOURCES, ImportLog, adapter
from ._output import add_output_argument, output_to
from ._shared import (
    FINDINGS,
    OK,
    Context,
    instant_argument,
    load_policy_argument,
)
from .imports import readable_files

HELP = "compare a helpdesk's recorded SLA figures with the policy's verdicts"
ORDER = "servicepolicy reconcile POLICY TICKETS --source SOURCE RECORDED..."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``servicepolicy reconcile``."""
    parser.add_argument(
        "policy", metavar="POLICY", help="policy file, or a directory of dated versions"
    )
    parser.add_argument(
        "tickets", metavar="TICKETS", help="tickets (JSON Lines, JSON or CSV), as imported"
    )
    parser.add_argument("--source", required=True, choices=SOURCES, help=" | ".join(SOURCES))
    parser.add_argument(
        "recorded",
        metavar="RECORDED",
        nargs="+",
        help="pages of what the helpdesk recorded (metric events, tickets with due times)",
    )
    parser.add_argument("--as-of", help="ISO 8601 instant to evaluate at (default: now)")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    add_output_argument(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Compare; 0 when every figure agrees, 1 when any differs."""
    as_of = ctx.now if args.as_of is None else instant_argument(args.as_of, "--as-of")
    policy = load_policy_argument(args.policy, ORDER)
    readable_files([args.tickets])
    files = readable_files(args.recorded)
    log = ImportLog()
    recorded = adapter(args.source).read_recorded(files, log=log)
    result = reconcile(
        policy, read_tickets(args.tickets), recorded, as_of=as_of, source=args.source
    )
    with output_to(args.output, ctx.stdout, [args.tickets, *files]) as out:
        if args.format == "json":
            out.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
        else:
            out.write(render_text(result))
    for line in log.summary():
        ctx.stderr.write(f"servicepolicy: warning: {line}\n")
    return FINDINGS if result.differences else OK


def render_text(result: Reconciliation) -> str:
    """One paragraph per difference, then the agreement per metric."""
    lines = []
    for d in result.differences:
        lines.append(
            f"{d.ticket_id} {d.metric}: {d.what} differs: servicepolicy {d.ours}; "
            f"{result.source} {d.theirs}"
        )
        if d.reason:
            lines.append(f"  reason: {d.reason}")
        if d.detail:
            lines.append(f"  recorded: {d.detail}")
    parts = [
        f"{metric} {percent:.2f}% ({result.agreed[metric]} of {result.compared[metric]})"
        for metric, percent in result.agreement().items()
        if percent is not None
    ]
    lines.append("agreement: " + (", ".join(parts) if parts else "nothing to compare"))
    if result.unmatched:
        shown = ", ".join(result.unmatched[:10])
        more = f" and {len(result.unmatched) - 10} more" if len(result.unmatched) > 10 else ""
        lines.append(f"recorded for tickets not found or not evaluated: {shown}{more}")
    return "\n".join(lines) + "\n"
