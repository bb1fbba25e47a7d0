"""Policy tests: example tickets with the evaluation a policy must give them, checked in CI.

A test file sits beside its policy (``NAME.tests.yaml`` beside ``NAME.yaml``)::

    policy: saas-support.yaml        # optional: the file's name without ".tests"
    as_of: 2026-11-23T13:00:00+01:00 # optional: the default of every case
    ticket_file: saas-support.tickets.jsonl   # optional: the default of every case
    cases:
      - name: enterprise reply in time
        as_of: 2026-11-23T13:00:00+01:00
        ticket: {id: T-1, created_at: "2026-11-20T16:45:00+01:00", fields: {}, events: []}
        # or: ticket_id: T-1001 (from ticket_file: JSON Lines, a JSON array or CSV)
        expect:
          policy: enterprise
          first_response.status: met
          resolution.due_at: 2026-11-23T14:15:00+01:00
          resolution.elapsed: 5h45m
          compensation[0].amount: "120.00"
          escalations: [{path: enterprise-path, level: 0, metric: resolution}]
          refund.eligible: true

Paths are relative to the test file.  A case needs an ``as_of`` with a UTC offset, and a
ticket: inline under ``ticket`` (its ``id`` defaults to the case's name) or ``ticket_id`` of a
ticket in ``ticket_file``.  ``name`` defaults to ``case N``.

Each key of ``expect`` is a path into the evaluation's JSON output (``Evaluation``:
``ticket_id``, ``policy``, ``as_of``, ``metrics``, ``escalations``, ``next_escalation_at``,
``compensation``, ``warnings``, ``errors``): dotted keys and ``[N]`` list indexes (``[-1]`` is
the last item).  A metric name may lead the path (``resolution.status`` is
``metrics.resolution.status``), and ``refund`` is the refund decision (``Policy.refund``).
Values compare by meaning:

* instants as instants, in any UTC offset (``13:00+01:00`` equals ``12:00Z``);
* durations as durations (``5h45m`` equals ``PT5H45M``; ``-2h`` for a negative remainder);
* numbers and amounts as decimals (``"120.00"`` equals ``120``);
* a list must have as many items as expected, each compared in turn; a mapping matches when
  every key it gives matches (other keys are not compared);
* anything else (strings, booleans, null) by equality.

A path that does not exist fails the case, naming the fields that do exist.  A case that cannot
run (no ``as_of``, an unknown key, no ticket, an unknown ``ticket_id``, a ticket that cannot be
evaluated) fails with the reason; an evaluation with ``errors`` fails unless the case expects
``errors``.  A file that cannot be run at all (unreadable, not YAML, no cases, a policy that
does not load) raises :class:`PolicyTestError`.

``servicepolicy test`` (``cli/test.py``) runs the given files and every test file below the
given directories.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .._common.errors import PolicyError, ServicePolicyError, did_you_mean
from .._policy.loader import TEST_SUFFIXES, load_policy_or_set
from .._policy.model import Policy
from .._policy.safe_yaml import MAX_BYTES, Document, YamlError, decode, read_yaml
from .._policy.versions import PolicySet
from .._tickets.streams import read_tickets
from .expectations import (
    compare,
    full_path,
    instant_value,
    parse_path,
    resolve,
)

_SKIP_DIRS = frozenset({".venv"})
_FILE_KEYS = ("policy", "as_of", "ticket_file", "cases")
_CASE_KEYS = ("name", "as_of", "ticket", "ticket_file", "ticket_id", "expect")
_HINT_IDS = 10


@dataclass(frozen=True, slots=True)
class CaseResult:
    """The outcome of one case: where it is written, its name, and why it failed (if it did)."""

    file: str
    line: int
    name: str
    passed: bool
    failures: list[str] = field(default_factory=list)


class PolicyTestError(ServicePolicyError):
    """A test file that cannot be run at all; ``line`` is 0 when unknown."""

    def __init__(self, file: str, line: int, message: str) -> None:
        self.file, self.line, self.message = file, line, message
        super().__init__(f"{file}:{line}: {message}" if line else f"{file}: {message}")


@dataclass(slots=True)
class _Case:
    line: int
    name: str
    as_of: datetime | None = None
    ticket: Any = None
    ticket_file: Path | None = None
    ticket_id: str | None = None
    expect: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _TicketFile:
    tickets: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    some_ids: list[str] = field(default_factory=list)
    unreadable: str | None = None


# --- finding test files ---------------------------------------------------------------------


def find_test_files(paths: Sequence[str]) -> list[Path]:
    """The test files named by ``paths``: files as given, and every ``*.tests.yaml`` or
    ``*.tests.yml`` below a directory (hidden directories and ``.venv`` are skipped).

    Raises :class:`PolicyTestError` for a path that does not exist.
    """
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += _walk(path)
        elif path.exists():  # a file, or a device or pipe to read
            found.append(path)
        else:
            raise PolicyTestError(name, 0, "cannot read: No such file or directory")
    unique: list[Path] = []
    seen: set[Path] = set()
    for path in found:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def _walk(root: Path) -> list[Path]:
    out: list[Path] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir():
                hidden = entry.name.startswith(".") or entry.name in _SKIP_DIRS
                if not hidden and not entry.is_symlink():
                    pending.append(entry)
            elif entry.name.endswith(TEST_SUFFIXES) and entry.is_file():
                out.append(entry)
    return sorted(out, key=lambda p: p.parts)


# --- reading a test file --------------------------------------------------------------------


def _read_document(path: Path, name: str) -> Document:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise PolicyTestError(name, 0, f"cannot read: {exc.strerror}") from None
    try:
        doc = read_yaml(decode(raw))
    except YamlError as exc:
        first = exc.problems[0]
        raise PolicyTestError(
            name, first.line, "; ".join(p.message for p in exc.problems)
        ) from None
    if not isinstance(doc.data, dict):
        raise PolicyTestError(name, 1, "a test file is a mapping with 'cases:'")
    if "servicepolicy" in doc.data and "cases" not in doc.data:
        raise PolicyTestError(
            name,
            doc.locate(("servicepolicy",), key=True)[0],
            "this is a policy file, not a test file: `servicepolicy test` runs the cases of "
            "NAME.tests.yaml files (beside NAME.yaml), or of a directory holding them",
        )
    for key in doc.data:
        if key not in _FILE_KEYS:
            line = doc.locate((key,), key=True)[0]
            hint = did_you_mean(key, _FILE_KEYS)
            raise PolicyTestError(name, line, f"unknown key {key!r}{hint}")
    cases = doc.data.get("cases")
    if not isinstance(cases, list) or not cases:
        line = doc.locate(("cases",))[0]
        raise PolicyTestError(name, line, "'cases' must be a non-empty list of cases")
    return doc


def _policy_path(path: Path, name: str, doc: Document) -> Path:
    given = doc.data.get("policy")
    if given is None:
        for suffix in TEST_SUFFIXES:
            if path.name.endswith(suffix):
                return path.with_name(path.name[: -len(suffix)] + suffix[len(".tests") :])
        raise PolicyTestError(
            name, 1, "cannot tell which policy this file tests; name it with 'policy: FILE'"
        )
    if not isinstance(given, str) or not given:
        raise PolicyTestError(name, doc.locate(("policy",))[0], "'policy' must be a file name")
    return path.parent / given


def _load(path: Path, name: str, doc: Document) -> Policy | PolicySet:
    policy_file = _policy_path(path, name, doc)
    try:
        return load_policy_or_set(policy_file)
    except PolicyError as exc:
        line = doc.locate(("policy",))[0] if "policy" in doc.data else 1
        errors = [str(f) for f in exc.findings if f.severity == "error"]
        detail = "\n".join(f"  {text}" for text in errors)
        raise PolicyTestError(
            name, line, f"policy {str(policy_file)!r} does not load:\n{detail}"
        ) from None


def _parse_case(doc: Document, index: int, base: Path, defaults: dict[str, Any]) -> _Case:
    item = doc.data["cases"][index]
    line = doc.locate(("cases", index))[0]
    if not isinstance(item, dict):
        return _Case(line, f"case {index + 1}", problems=["a case must be a mapping"])
    raw_name = item.get("name")
    case = _Case(line, str(raw_name) if raw_name is not None else f"case {index + 1}")
    for key in item:
        if key not in _CASE_KEYS:
            where = doc.locate(("cases", index, key), key=True)[0]
            case.problems.append(
                f"line {where}: unknown key {key!r} in the case{did_you_mean(key, _CASE_KEYS)}"
            )
    as_of = item.get("as_of", defaults.get("as_of"))
    if as_of is None:
        case.problems.append("the case has no 'as_of' (an ISO 8601 instant with a UTC offset)")
    else:
        case.as_of, problem = instant_value(as_of, "as_of")
        case.problems += [problem] if problem else []
    _parse_ticket(item, base, defaults, case)
    expect = item.get("expect")
    if not isinstance(expect, dict) or not expect:
        case.problems.append("the case has no 'expect' mapping of paths to values")
    else:
        case.expect = expect
        bad = [key for key in expect if parse_path(key) is None]
        case.problems += [f"{key!r} is not a path such as 'resolution.status'" for key in bad]
    return case


def _parse_ticket(item: dict[str, Any], base: Path, defaults: dict[str, Any], case: _Case) -> None:
    if "ticket" in item:
        if "ticket_id" in item or "ticket_file" in item:
            case.problems.append("give either 'ticket' or 'ticket_id', not both")
        elif not isinstance(item["ticket"], dict):
            case.problems.append("'ticket' must be a mapping (id, created_at, fields, events)")
        else:
            case.ticket = {"id": case.name, **item["ticket"]}
        return
    ticket_id = item.get("ticket_id")
    ticket_file = item.get("ticket_file", defaults.get("ticket_file"))
    if ticket_id is None or isinstance(ticket_id, bool | dict | list):
        case.problems.append("the case has no ticket: give 'ticket', or 'ticket_id' of a ticket")
    elif not isinstance(ticket_file, str) or not ticket_file:
        case.problems.append(f"'ticket_id: {ticket_id}' needs a 'ticket_file' to look in")
    else:
        case.ticket_id, case.ticket_file = str(ticket_id), base / ticket_file


def _read_ticket_file(path: Path, wanted: set[str]) -> _TicketFile:
    out = _TicketFile()
    try:
        with path.open(encoding="utf-8") as source:
            for record in read_tickets(source, "auto", path.name):
                data = record.data
                found = str(data["id"]) if isinstance(data, dict) and "id" in data else None
                found = found if found is not None else record.ticket_id
                if found is None:
                    continue
                if len(out.some_ids) < _HINT_IDS:
                    out.some_ids.append(found)
                if found in wanted and found not in out.tickets and found not in out.errors:
                    if record.error is not None:
                        out.errors[found] = record.error
                    else:
                        out.tickets[found] = data
                    if len(out.tickets) + len(out.errors) == len(wanted):
                        break
    except (OSError, ValueError, RecursionError) as exc:
        out.unreadable = f"cannot read: {getattr(exc, 'strerror', None) or exc}"
    return out


def _attach_tickets(cases: list[_Case]) -> None:
    wanted: dict[Path, set[str]] = {}
    for case in cases:
        if case.ticket_file is not None and case.ticket_id is not None:
            wanted.setdefault(case.ticket_file, set()).add(case.ticket_id)
    files = {path: _read_ticket_file(path, ids) for path, ids in wanted.items()}
    for case in cases:
        if case.ticket_file is None or case.ticket_id is None:
            continue
        source = files[case.ticket_file]
        shown = f"ticket_file {case.ticket_file.name!r}"
        if source.unreadable is not None:
            case.problems.append(f"{shown}: {source.unreadable}")
        elif case.ticket_id in source.errors:
            case.problems.append(f"{shown}: {source.errors[case.ticket_id]}")
        elif case.ticket_id in source.tickets:
            case.ticket = source.tickets[case.ticket_id]
        else:
            some = ", ".join(source.some_ids) or "none"
            more = ", ..." if len(source.some_ids) >= _HINT_IDS else ""
            case.problems.append(f"no ticket {case.ticket_id!r} in {shown} (ids: {some}{more})")


def run_test_file(path: str | Path) -> list[CaseResult]:
    """Run every case of one test file, in order.

    Raises :class:`PolicyTestError` when the file cannot be run at all.
    """
    file = Path(path)
    name = str(path)
    doc = _read_document(file, name)
    policy = _load(file, name, doc)
    defaults = {key: doc.data[key] for key in ("as_of", "ticket_file") if key in doc.data}
    if "as_of" in defaults:
        _, problem = instant_value(defaults["as_of"], "as_of")
        if problem:
            raise PolicyTestError(name, doc.locate(("as_of",))[0], problem)
    cases = [_parse_case(doc, i, file.parent, defaults) for i in range(len(doc.data["cases"]))]
    _attach_tickets(cases)
    results = []
    for case in cases:
        failures = case.problems or _run_case(policy, case)
        results.append(CaseResult(name, case.line, case.name, not failures, failures))
    return results


# --- running a case -------------------------------------------------------------------------


def _run_case(policy: Policy | PolicySet, case: _Case) -> list[str]:
    assert case.as_of is not None
    try:
        evaluation = policy.evaluate(case.ticket, as_of=case.as_of)
    except (ServicePolicyError, ValueError, TypeError, OverflowError) as exc:
        return [f"the ticket cannot be evaluated: {exc}"]
    actual: dict[str, Any] = evaluation.model_dump(mode="json")
    actual.pop("line", None)
    paths = {key: full_path(parse_path(key) or [], actual) for key in case.expect}
    roots = {parts[0] for parts in paths.values() if parts}
    if evaluation.errors and "errors" not in roots:
        return ["the ticket cannot be evaluated: " + "; ".join(evaluation.errors)]
    failures: list[str] = []
    if "refund" in roots:
        try:
            actual["refund"] = policy.refund(case.ticket, as_of=case.as_of).model_dump(mode="json")
        except (ServicePolicyError, ValueError, TypeError, OverflowError) as exc:
            failures.append(f"the refund cannot be decided: {exc}")
    for key, expected in case.expect.items():
        if paths[key][0] not in actual and paths[key][0] == "refund":
            continue  # the refund could not be decided: said once above
        value, missing = resolve(actual, paths[key], key)
        failures += [missing] if missing else compare(expected, value, key)
    return failures
