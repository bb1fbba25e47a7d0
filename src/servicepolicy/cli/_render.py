"""Rendering findings for people, programs and GitHub Actions: pure string building."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from .._common.errors import Finding
from .._i18n import ENGLISH, N_, Language

_SEVERITIES = (N_("error"), N_("warning"))


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


def finding_text(finding: Finding, lang: Language = ENGLISH) -> str:
    """``file:line:col: severity: message (at path) [code]`` in ``lang``: the file, the
    path and the code stay as they are, for tools and searches."""
    if lang is ENGLISH:
        return str(finding)
    where = f"{finding.file}:{finding.line}:{finding.column}" if finding.line else finding.file
    at = lang.t(" (at {path})", path=finding.path) if finding.path else ""
    return f"{where}: {lang.t(finding.severity)}: {lang.made(finding.message)}{at} [{finding.code}]"


def render_findings(
    findings: Sequence[Finding],
    files: Iterable[str],
    fmt: str,
    *,
    strict: bool = False,
    lang: Language = ENGLISH,
) -> str:
    """All findings of a ``validate`` run in ``text``, ``json`` or ``github`` form; the text
    form in ``lang`` (JSON and GitHub annotations are read by programs: English)."""
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
        lines = [finding_text(f, lang) for f in findings]
    if fmt == "github":
        lang = ENGLISH
    summary = (
        lang.t(
            "{files} file(s) checked: {errors} error(s), {warnings} warning(s)",
            files=lang.number(len(checked)),
            errors=lang.number(errors),
            warnings=lang.number(warnings),
        )
        if findings
        else lang.t("{files} file(s) checked: all valid", files=lang.number(len(checked)))
    )
    return "\n".join([*lines, summary]) + "\n"
