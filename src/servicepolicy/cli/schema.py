"""``servicepolicy schema``: the JSON Schema of policy files."""

from __future__ import annotations

import argparse
from pathlib import Path

from .._policy.schema import policy_schema_text
from ._shared import OK, Context, UsageError

HELP = "print the JSON Schema of policy files"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``servicepolicy schema``."""
    parser.add_argument("-o", "--output", help="write to this file instead of stdout")


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Print (or write) the schema."""
    text = policy_schema_text()
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{args.output}: cannot write: {exc.strerror}") from None
    else:
        ctx.stdout.write(text)
    return OK
