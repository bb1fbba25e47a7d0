"""Rendering findings for people, programs and GitHub Actions: pure string building."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from .._common.errors import Finding


def finding_as_dict(finding: Finding) -> dict[str, object]:
    """A finding as a JSON-ready mapping."""
    return {
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "path": finding.path,
        "severity": finding.severity,
        "code": finding.code,
        "message": finding.message,
    }


def escape_data(text: str) -> str:
    """Text escaped for the message of a GitHub workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Text escaped for a property (``file=...``) of a GitHub workflow command."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(finding: Finding) -> str:
    """``::error file=...,line=...,col=...,title=...::message`` (a workflow command)."""
    props = [f"file={escape_property(finding.file)}"]
    if finding.line:
        props += [f"line={finding.line}", f"col={finding.column}"]
    props.append(f"title={escape_property(finding.code)}")
    at = f" (at {finding.path})" if finding.path else ""
    return f"::{finding.severity} {','.join(props)}::{escape_data(finding.message + at)}"


def render_findings(
    findings: Sequence[Finding], files: Iterable[str], fmt: str, *, strict: bool = False
) -> str:
    """All findings of a ``validate`` run in ``text``, ``json`` or ``github`` form."""
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    checked = list(files)
    if fmt == "json":
        doc = {
            "files": checked,
            "errors": errors,
            "warnings": warnings,
            "valid": errors == 0 and not (strict and warnings),
            "findings": [finding_as_dict(f) for f in findings],
        }
        return json.dumps(doc, indent=2) + "\n"
    if fmt == "github":
        lines = [github_annotation(f) for f in findings]
    else:
        lines = [str(f) for f in findings]
    summary = (
        f"{len(checked)} file(s) checked: {errors} error(s), {warnings} warning(s)"
        if findings
        else f"{len(checked)} file(s) checked: all valid"
    )
    return "\n".join([*lines, summary]) + "\n"
