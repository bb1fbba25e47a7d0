"""``servicepolicy schema``: the JSON Schema of policy files."""

from __future__ import annotations

import argparse

from .._policy.schema import policy_schema_text
from ._output import add_output_argument, output_to
from ._shared import OK, Context

HELP = "print the JSON Schema of policy files"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``servicepolicy schema``."""
    add_output_argument(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Print (or write) the schema."""
    with output_to(args.output, ctx.stdout) as out:
        out.write(policy_schema_text())
    return OK
