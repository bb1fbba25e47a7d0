"""``servicepolicy import`` and ``import-policy``: a helpdesk's tickets and SLA policies, read
from the pages its REST API returned, as the project's ticket JSON Lines and a policy file."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from .._tickets.model import UnreadTicket
from ..adapters import SOURCES, ImportLog, adapter
from ..adapters._common import load_status_map
from ._output import add_output_argument, output_to
from ._shared import FINDINGS, OK, Context, UsageError, cannot_read

IMPORT_HELP = "import a helpdesk's ticket histories as ticket JSON Lines"
IMPORT_POLICY_HELP = "import a helpdesk's SLA policies and business hours as a policy file"


def _add_source_and_files(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("source", metavar="SOURCE", choices=SOURCES, help=" | ".join(SOURCES))
    parser.add_argument(
        "files",
        metavar="FILE",
        nargs="+",
        help=f"{what}: JSON response bodies, one per file or one per line (JSON Lines)",
    )
    add_output_argument(parser)


def add_import_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``servicepolicy import``."""
    _add_source_and_files(parser, "pages of tickets, comments, audits, events or history")
    parser.add_argument(
        "--status-map",
        metavar="FILE",
        help="YAML or JSON mapping of the helpdesk's statuses to ticket statuses; its entries "
        "win over the source's own map (see docs/adapters/)",
    )


def add_import_policy_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``servicepolicy import-policy``."""
    _add_source_and_files(parser, "pages of SLA policies, business hours, holidays, calendars")


def readable_files(files: Sequence[str]) -> list[str]:
    """The named files, each checked to be a readable file: a :class:`UsageError` if not."""
    for name in files:
        path = Path(name)
        if path.is_dir():
            raise UsageError(f"{name}: cannot read: it is a directory")
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            raise UsageError(cannot_read(name, exc)) from None
    return list(files)


def run_import(args: argparse.Namespace, ctx: Context) -> int:
    """Write every ticket as a JSON line; 0 all imported, 1 some could not be."""
    files = readable_files(args.files)
    source = adapter(args.source)
    status_map = None
    if args.status_map is not None:
        try:
            # The file's entries win over the source's own map, which keeps the rest.
            status_map = {**source.DEFAULT_STATUS_MAP, **load_status_map(args.status_map)}
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    log = ImportLog()
    total = failed = 0
    with output_to(args.output, ctx.stdout, files) as out:
        for record in source.read_tickets(files, status_map=status_map, log=log):
            total += 1
            if isinstance(record, UnreadTicket):
                failed += 1
                ctx.stderr.write(f"error: ticket {record.ticket_id or '?'}: {record.error}\n")
                continue
            out.write(json.dumps(record.to_dict(), ensure_ascii=False, default=_json_value))
            out.write("\n")
    _write_warnings(ctx, log)
    ctx.stderr.write(f"{total} tickets in, {total - failed} imported, {failed} failed\n")
    return FINDINGS if failed else OK


def run_import_policy(args: argparse.Namespace, ctx: Context) -> int:
    """Write the policy; what it could not express is printed as warnings (exit 0)."""
    files = readable_files(args.files)
    log = ImportLog()
    try:
        imported = adapter(args.source).read_policy(files, log=log)
    except ValueError as exc:
        raise UsageError(f"{args.source}: {exc}") from None
    with output_to(args.output, ctx.stdout, files) as out:
        out.write(imported.text)
    for warning in imported.warnings:
        ctx.stderr.write(f"servicepolicy: warning: {warning}\n")
    _write_warnings(ctx, log)
    return OK


def _write_warnings(ctx: Context, log: ImportLog) -> None:
    for line in log.summary():
        ctx.stderr.write(f"servicepolicy: warning: {line}\n")


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")
