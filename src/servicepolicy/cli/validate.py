"""``servicepolicy validate``: check policy files and report every problem."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from .._common.errors import Finding
from .._policy.loader import (
    check_policy_file,
    check_policy_text,
    policy_files,
    version_findings,
)
from .._policy.model import Policy
from ._output import add_output_argument, output_to
from ._render import render_findings
from ._shared import (
    FINDINGS,
    OK,
    USAGE,
    Context,
    UsageError,
    add_language_arguments,
    language_of,
    read_limited,
)

HELP = "check policy files and report every problem"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``servicepolicy validate``."""
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="FILE_OR_DIR",
        help="policy files, directories to search for *.yaml, or - for stdin",
    )
    parser.add_argument(
        "--format",
        choices=["text", "json", "github"],
        help="output format (default: github when GITHUB_ACTIONS=true, else text)",
    )
    parser.add_argument("--strict", action="store_true", help="warnings fail too")
    add_language_arguments(parser, dates=False)
    add_output_argument(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Check every file; 0 all valid, 1 findings, 2 a file that cannot be read."""
    words = language_of(args)
    fmt = args.format or ("github" if ctx.environ.get("GITHUB_ACTIONS") == "true" else "text")
    files = _policy_files(args.paths)
    findings: list[Finding] = []
    unreadable = False
    by_directory: dict[Path, list[tuple[Path, Policy]]] = {}
    for name in files:
        if name == "-":
            policy, found = check_policy_text(read_limited(ctx.stdin), "<stdin>")
        else:
            policy, found = check_policy_file(name)
            if policy is not None:
                by_directory.setdefault(Path(name).parent, []).append((Path(name), policy))
        unreadable |= any(f.code == "unreadable" for f in found)
        findings += found
    for versions in by_directory.values():
        findings += version_findings(versions)
    with output_to(args.output, ctx.stdout, args.paths) as out:
        out.write(render_findings(findings, files, fmt, strict=args.strict, lang=words))
    if unreadable:
        return USAGE
    failing = [f for f in findings if f.severity == "error" or args.strict]
    return FINDINGS if failing else OK


def _policy_files(paths: Sequence[str]) -> list[str]:
    files: list[str] = []
    for name in paths:
        path = Path(name)
        if name == "-" or (path.exists() and not path.is_dir()):  # a device or a pipe too
            files.append(name)
        elif path.is_dir():
            found = [str(p) for p in policy_files(path, recursive=True)]
            if not found:
                raise UsageError(f"{name}: no policy files (*.yaml, *.yml) in this directory")
            files += found
        else:
            raise UsageError(f"{name}: cannot read: No such file or directory")
    return files
