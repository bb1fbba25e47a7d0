"""Reading policy files: the only module that opens a file.

``check_policy_text`` runs the whole pipeline (safe YAML, the files a policy names, schema,
semantic checks) and returns every finding located by file, line and column; ``parse_policy``
and ``load_policy`` raise one :class:`PolicyError` carrying all of them.

A holiday entry may name an iCalendar file (``ics: holidays.ics``).  The loader reads it, by a
path relative to the policy file (to the current directory for text without a file), and puts
its text beside the path (``ics_text``) before the schema runs, so the model reads no file.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .._common.errors import FieldPath, Finding, PolicyError, did_you_mean, render_path
from .._i18n import N_
from .checks import check_model
from .model import Policy
from .safe_yaml import MAX_BYTES, Document, YamlError, decode, read_yaml
from .versions import PolicySet

_CODES = {
    "missing": "missing-key",
    "extra_forbidden": "unknown-key",
    "literal_error": "invalid-value",
    "value_error": "invalid-value",
    "assertion_error": "invalid-value",
}

_UNKNOWN_KEY = N_("unknown key {key}")
_MISSING_KEY = N_("missing required key {key}")
_NOT_A_MAPPING = N_("a policy file must be a mapping with keys such as 'servicepolicy'")
_FEED_TEXT_KEY = N_("unknown key {key}; the loader reads the file named by 'ics'")
_FEED_IS_DIRECTORY = N_("the iCalendar file {path} is a directory")
_FEED_UNREADABLE = N_("cannot read the iCalendar file {path}: {reason}")
_FEED_BAD_PATH = N_("cannot read the iCalendar file {path}: not a valid path")
_FEED_TOO_LARGE = N_("the iCalendar file {path} has more than {most} bytes, the most it may have")
_FEED_NOT_UTF8 = N_("the iCalendar file {path} is not UTF-8 text (byte {byte})")
_POLICY_TOO_LARGE = N_("a policy file may have at most {most} bytes")
_POLICY_SIZE = N_("file is {size} bytes; a policy file may have at most {most} bytes")
_IS_A_DIRECTORY = N_(
    "is a directory: this command takes one policy file (evaluate, explain, refund and report "
    "also take a directory of dated versions)"
)
_UNREADABLE = N_("cannot read: {reason}")
_NO_POLICIES = N_("no policy files (*.yaml, *.yml) in this directory")
_UNDATED = N_("several policy files, none with effective_from: a policy set needs dated versions")


FEED_KEY = "ics"
FEED_TEXT_KEY = "ics_text"
MAX_FEED_BYTES = MAX_BYTES
"""The most bytes an iCalendar file may have (as many as a policy file)."""

_NOT_FILE_KEYS = frozenset({FEED_TEXT_KEY})  # model fields the loader fills in, never a file


def _unwrap(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def _keys_at(path: FieldPath) -> list[str]:
    """The keys a model accepts at ``path`` inside a policy, for "did you mean"."""
    candidates: list[Any] = [Policy]
    for part in path:
        following: list[Any] = []
        for ann in candidates:
            for kind in _unwrap(ann):
                origin = get_origin(kind)
                if isinstance(kind, type) and issubclass(kind, BaseModel) and isinstance(part, str):
                    for name, field in kind.model_fields.items():
                        if part in (name, field.alias):
                            following.append(field.annotation)
                elif origin in (dict, list):
                    following.append(get_args(kind)[-1])
        candidates = following
    keys: list[str] = []
    for ann in candidates:
        for kind in _unwrap(ann):
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                keys += [
                    field.alias or name
                    for name, field in kind.model_fields.items()
                    if name not in _NOT_FILE_KEYS
                ]
    return keys


def _schema_findings(error: ValidationError, doc: Document, source: str) -> list[Finding]:
    findings = []
    for item in error.errors():
        loc: FieldPath = tuple(
            p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-"))
        )
        on_key = bool(loc) and loc[-1] == "[key]"
        if on_key:
            loc = loc[:-1]
        ctx = item.get("ctx") or {}
        loc = (*loc, *ctx.get("subpath", ()))
        on_key = on_key or bool(ctx.get("on_key"))
        kind = item["type"]
        code = _CODES.get(kind, kind if "-" in kind else "wrong-type")
        message = str(item["msg"]).removeprefix("Value error, ")
        if kind == "extra_forbidden":
            name = str(loc[-1])
            message = _UNKNOWN_KEY.format(key=repr(name)) + did_you_mean(name, _keys_at(loc[:-1]))
            on_key = True
        elif kind == "missing":
            message = _MISSING_KEY.format(key=repr(loc[-1]))
        line, column = doc.locate(loc, key=on_key)
        findings.append(Finding(source, line, column, render_path(loc), code, message))
    return findings


def check_policy_text(
    text: str,
    source: str = "<string>",
    known_fields: set[str] | None = None,
    *,
    warnings: bool = True,
    base: str | Path | None = None,
) -> tuple[Policy | None, list[Finding]]:
    """Check a policy's text; returns the policy (None when it has errors) and every finding.

    ``known_fields``: the ticket fields the policy's example tickets use, if any.  Without
    ``warnings``, checks that can only warn are skipped (loading a policy, which needs only
    its errors, does so).  ``base``: the folder that a relative ``ics:`` path starts from
    (the policy file's folder when it comes from a file); None means the current directory.
    """
    try:
        doc = read_yaml(text)
    except YamlError as exc:
        return None, [
            Finding(source, p.line, p.column, render_path(p.path), p.code, p.message)
            for p in exc.problems
        ]
    if not isinstance(doc.data, dict):
        return None, [
            Finding(
                source,
                1,
                1,
                "",
                "not-a-mapping",
                _NOT_A_MAPPING,
            )
        ]
    data, findings = _with_feeds(doc, source, Path() if base is None else Path(base))
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        unread = {f.path for f in findings}  # already reported: the file could not be read
        findings += [
            f
            for f in _schema_findings(exc, doc, source)
            if not (f.code == "ics-not-read" and f.path in unread)
        ]
        return None, sorted(findings, key=_order)
    for issue in check_model(policy, known_fields, warnings=warnings):
        line, column = doc.locate(issue.path, key=issue.on_key)
        findings.append(
            Finding(
                source,
                line,
                column,
                render_path(issue.path),
                issue.code,
                issue.message,
                issue.severity,
            )
        )
    findings.sort(key=_order)
    has_errors = any(f.severity == "error" for f in findings)
    return (None if has_errors else policy), findings


def _order(finding: Finding) -> tuple[int, int, str]:
    return finding.line, finding.column, finding.code


def _holiday_entries(data: dict[Any, Any]) -> Iterator[tuple[str, int, dict[Any, Any]]]:
    """Every holiday entry that is a mapping, with its calendar's name and its index."""
    calendars = data.get("calendars")
    if not isinstance(calendars, dict):
        return
    for name, calendar in calendars.items():
        holidays = calendar.get("holidays") if isinstance(calendar, dict) else None
        for i, entry in enumerate(holidays if isinstance(holidays, list) else []):
            if isinstance(entry, dict):
                yield name, i, entry


def _with_feeds(doc: Document, source: str, base: Path) -> tuple[Any, list[Finding]]:
    """The document's data with the text of each iCalendar file its holidays name, and a
    finding for each file that cannot be read (and each ``ics_text`` written in the file)."""
    if not isinstance(doc.data, dict):
        return doc.data, []
    findings: list[Finding] = []
    texts: dict[Path, str | tuple[str, str]] = {}
    filled: dict[tuple[str, int], dict[Any, Any]] = {}
    for calendar_name, i, entry in _holiday_entries(doc.data):
        path: FieldPath = ("calendars", calendar_name, "holidays", i)
        entry = dict(entry)
        if FEED_TEXT_KEY in entry:
            where = (*path, FEED_TEXT_KEY)
            line, column = doc.locate(where, key=True)
            message = _FEED_TEXT_KEY.format(key=repr(FEED_TEXT_KEY))
            findings.append(
                Finding(source, line, column, render_path(where), "unknown-key", message)
            )
            del entry[FEED_TEXT_KEY]
            filled[calendar_name, i] = entry
        name = entry.get(FEED_KEY)
        if isinstance(name, str) and name:
            filled[calendar_name, i] = entry
            file = Path(name) if Path(name).is_absolute() else base / name
            read = texts.get(file)
            if read is None:
                read = texts[file] = read_feed(file)
            if isinstance(read, str):
                entry[FEED_TEXT_KEY] = read
            else:
                where = (*path, FEED_KEY)
                line, column = doc.locate(where, key=True)
                findings.append(Finding(source, line, column, render_path(where), *read))
    if not filled:
        return doc.data, findings
    data = dict(doc.data)
    calendars = data["calendars"] = dict(data["calendars"])
    for (name, i), entry in filled.items():
        calendar = calendars[name] = dict(calendars[name])
        holidays = calendar["holidays"] = list(calendar["holidays"])
        holidays[i] = entry
    return data, findings


def read_feed(file: Path) -> str | tuple[str, str]:
    """The text of an iCalendar file, or the code and message that say why it cannot be
    read: a missing or unreadable file, one over :data:`MAX_FEED_BYTES`, one not UTF-8."""
    shown = repr(str(file))
    if file.is_dir():
        return "unreadable", _FEED_IS_DIRECTORY.format(path=shown)
    try:
        with file.open("rb") as stream:
            raw = stream.read(MAX_FEED_BYTES + 1)
    except OSError as exc:
        return "unreadable", _FEED_UNREADABLE.format(path=shown, reason=exc.strerror)
    except ValueError:  # a path with a NUL character
        return "unreadable", _FEED_BAD_PATH.format(path=shown)
    if len(raw) > MAX_FEED_BYTES:
        return "too-large", _FEED_TOO_LARGE.format(path=shown, most=MAX_FEED_BYTES)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return "not-text", _FEED_NOT_UTF8.format(path=shown, byte=exc.start + 1)


def read_policy_bytes(path: Path) -> bytes:
    """The bytes of a policy file, refusing one too large to be a policy: a regular file by its
    size before reading it, a device or a pipe once it has given more than a policy may have."""
    size = path.stat().st_size
    if size <= MAX_BYTES:
        with path.open("rb") as source:
            raw = source.read(MAX_BYTES + 1)
        if len(raw) <= MAX_BYTES:
            return raw
    if size > MAX_BYTES:
        message = _POLICY_SIZE.format(size=size, most=MAX_BYTES)
    else:
        message = _POLICY_TOO_LARGE.format(most=MAX_BYTES)
    raise PolicyError([Finding(str(path), 0, 0, "", "too-large", message)])


def check_policy_file(
    path: str | Path, *, examples: bool = True, warnings: bool = True
) -> tuple[Policy | None, list[Finding]]:
    """:func:`check_policy_text` for a file; unreadable files become a finding too.

    With ``examples`` (the default), field names are also checked against the example tickets
    beside the file (``NAME.tickets.jsonl``); that check only ever warns, so loading skips it,
    as it skips every check that can only warn (``warnings=False``).
    """
    file = Path(path)
    if file.is_dir():
        return None, [
            Finding(
                str(path),
                0,
                0,
                "",
                "unreadable",
                _IS_A_DIRECTORY,
            )
        ]
    try:
        raw = read_policy_bytes(file)
    except PolicyError as exc:
        return None, exc.findings
    except OSError as exc:
        message = _UNREADABLE.format(reason=exc.strerror)
        return None, [Finding(str(path), 0, 0, "", "unreadable", message)]
    try:
        text = decode(raw)
    except YamlError as exc:
        return None, [
            Finding(str(path), p.line, p.column, "", p.code, p.message) for p in exc.problems
        ]
    known = example_fields(file) if examples else None
    return check_policy_text(text, str(path), known, warnings=warnings, base=file.parent)


EXAMPLE_LINES = 1000


def example_fields(policy_file: Path) -> set[str] | None:
    """Field names used by the example tickets beside a policy (``NAME.tickets.jsonl``)."""
    tickets = policy_file.with_name(policy_file.stem + ".tickets.jsonl")
    if not tickets.is_file():
        return None
    names: set[str] = set()
    try:
        with tickets.open(encoding="utf-8") as source:
            for number, line in enumerate(source):
                if number >= EXAMPLE_LINES:
                    break
                try:
                    data = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(data, dict):
                    names |= set(data.get("fields") or {})
                    names |= {
                        str(e["field"])
                        for e in data.get("events") or []
                        if isinstance(e, dict) and isinstance(e.get("field"), str)
                    }
    except (OSError, UnicodeDecodeError):
        return None
    return names


def parse_policy(text: str, source: str = "<string>", *, base: str | Path | None = None) -> Policy:
    """Parse a policy from YAML text; raises :class:`PolicyError` with every error found.

    A relative ``ics:`` path starts from ``base``, or from the current directory when None.
    """
    policy, findings = check_policy_text(text, source, warnings=False, base=base)
    if policy is None:
        raise PolicyError(findings)
    return policy


POLICY_SUFFIXES = (".yaml", ".yml")
TEST_SUFFIXES = (".tests.yaml", ".tests.yml")


def policy_files(directory: Path, *, recursive: bool = False) -> list[Path]:
    """The policy files in ``directory`` (``*.yaml``/``*.yml``, not ``*.tests.yaml``)."""
    found = directory.rglob("*") if recursive else directory.glob("*")
    return sorted(
        p
        for p in found
        if p.is_file()
        and p.name.endswith(POLICY_SUFFIXES)
        and not p.name.endswith(TEST_SUFFIXES)
        and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    )


def version_findings(policies: list[tuple[Path, Policy]]) -> list[Finding]:
    """Gaps and overlaps between dated versions, located at the later file's effective_from.

    Files count as versions of one policy when any of them is dated.
    """
    if not any(p.effective_from or p.effective_until for _, p in policies):
        return []
    versions = PolicySet([p for _, p in policies], [str(path) for path, _ in policies])
    findings = []
    for problem in versions.problems():
        source = versions.sources[problem.index]
        try:
            doc = read_yaml(decode(read_policy_bytes(Path(source))))
            line, column = doc.locate((problem.field,), key=True)
        except (OSError, YamlError, PolicyError):
            line, column = 0, 0
        findings.append(Finding(source, line, column, problem.field, problem.code, problem.message))
    return findings


def load_policy_set(path: str | Path) -> PolicySet:
    """Load every version of a policy: the policy files of a directory (or one file).

    Raises :class:`PolicyError` with every finding of every file, and every gap or overlap
    between the versions' ``effective_from``/``effective_until``.
    """
    root = Path(path)
    files = policy_files(root) if root.is_dir() else [root]
    if not files:
        raise PolicyError(
            [
                Finding(
                    str(root),
                    0,
                    0,
                    "",
                    "no-policies",
                    _NO_POLICIES,
                )
            ]
        )
    loaded: list[tuple[Path, Policy]] = []
    findings: list[Finding] = []
    for file in files:
        policy, found = check_policy_file(file, examples=False, warnings=False)
        findings += [f for f in found if f.severity == "error"]
        if policy is not None:
            loaded.append((file, policy))
    if len(loaded) > 1 and not any(p.effective_from or p.effective_until for _, p in loaded):
        findings.append(
            Finding(
                str(root),
                0,
                0,
                "effective_from",
                "undated-versions",
                _UNDATED,
            )
        )
    findings += version_findings(loaded)
    if findings:
        raise PolicyError(findings)
    return PolicySet([p for _, p in loaded], [str(f) for f, _ in loaded])


def load_policy(path: str | Path) -> Policy:
    """Load a policy file; raises :class:`PolicyError` with every error found."""
    policy, findings = check_policy_file(path, examples=False, warnings=False)
    if policy is None:
        raise PolicyError(findings)
    return policy


def load_policy_or_set(path: str | Path) -> Policy | PolicySet:
    """A policy file, or a directory of dated versions of one policy (:func:`load_policy_set`)."""
    return load_policy_set(path) if Path(path).is_dir() else load_policy(path)
