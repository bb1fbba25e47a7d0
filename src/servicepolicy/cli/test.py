"""``servicepolicy test``: run the policy test files (``*.tests.yaml``) beside the policies.

``servicepolicy test [--format text|json|github] [FILE_OR_DIR ...]`` runs the given files and
every ``*.tests.yaml``/``*.tests.yml`` below the given directories (default ``.``), prints each
failing case with its file and line, then ``N passed, N failed``.  Exit status: 0 all passed,
1 a case failed, 2 a path that does not exist, no test files, or a file that could not be run.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from .._reports.policy_tests import CaseResult, PolicyTestError, find_test_files, run_test_file
from ._output import add_output_argument, output_to
from ._render import escape_data, escape_property
from ._shared import FINDINGS, OK, USAGE, Context

HELP = "run policy test files (*.tests.yaml)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``servicepolicy test``: paths and ``--format``."""
    parser.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="FILE_OR_DIR",
        help="test files, or directories to search for *.tests.yaml (default: .)",
    )
    parser.add_argument(
        "--format",
        choices=["text", "json", "github"],
        default=None,
        help="output format (default: github when GITHUB_ACTIONS=true, else text)",
    )
    add_output_argument(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Run the test files of ``args.paths``; 0 all passed, 1 a case failed, 2 bad input."""
    stdout, stderr = ctx.stdout, ctx.stderr
    fmt = args.format or ("github" if ctx.environ.get("GITHUB_ACTIONS") == "true" else "text")
    try:
        files = find_test_files(args.paths)
    except PolicyTestError as exc:
        stderr.write(f"servicepolicy: error: {exc}\n")
        return USAGE
    if not files:
        where = ", ".join(args.paths)
        stderr.write(
            f"servicepolicy: error: no test files (*.tests.yaml, *.tests.yml) in {where}\n"
        )
        return USAGE
    results: list[CaseResult] = []
    errors: list[PolicyTestError] = []
    for path in files:
        try:
            results += run_test_file(path)
        except PolicyTestError as exc:
            errors.append(exc)
    with output_to(args.output, stdout, args.paths) as out:
        out.write(render(results, errors, fmt))
    if errors:
        return USAGE
    return FINDINGS if any(not r.passed for r in results) else OK


def render(results: Sequence[CaseResult], errors: Sequence[PolicyTestError], fmt: str) -> str:
    """The report of a run in ``text``, ``json`` or ``github`` form."""
    passed = sum(r.passed for r in results)
    failed = len(results) - passed
    if fmt == "json":
        doc = {
            "passed": passed,
            "failed": failed,
            "errors": [{"file": e.file, "line": e.line, "message": e.message} for e in errors],
            "cases": [
                {
                    "file": r.file,
                    "line": r.line,
                    "name": r.name,
                    "passed": r.passed,
                    "failures": r.failures,
                }
                for r in results
            ],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    lines: list[str] = []
    for error in errors:
        if fmt == "github":
            lines.append(_annotation(error.file, error.line, error.message))
        else:
            where = f"{error.file}:{error.line}" if error.line else error.file
            lines.append(f"{where}: ERROR: {error.message}")
    for result in results:
        if result.passed:
            continue
        head = f"case {result.name!r}"
        if fmt == "github":
            lines.append(
                _annotation(result.file, result.line, f"{head}: " + "\n".join(result.failures))
            )
        elif len(result.failures) == 1:
            lines.append(f"{result.file}:{result.line}: FAILED {head}: {result.failures[0]}")
        else:
            lines.append(f"{result.file}:{result.line}: FAILED {head}:")
            lines += [f"    {failure}" for failure in result.failures]
    summary = f"{passed} passed, {failed} failed"
    if errors:
        summary += f", {len(errors)} file(s) could not be run"
    return "\n".join([*lines, summary]) + "\n"


def _annotation(file: str, line: int, message: str) -> str:
    props = f"file={escape_property(file)}" + (f",line={line}" if line else "")
    return f"::error {props}::{escape_data(message)}"
