"""Policy tests (``servicepolicy test``): the example test files, the comparison rules, the
messages and their lines, the output formats, exit codes and discovery."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest

from servicepolicy._reports import (
    CaseResult,
    PolicyTestError,
    compare,
    find_test_files,
    parse_path,
    run_test_file,
)
from servicepolicy.cli import main
from tests.paths import DATA, ROOT

EXAMPLES = ROOT / "policies" / "examples"
FIXTURES = DATA / "policytests"
DESK = FIXTURES / "desk.yaml"
FAILING = FIXTURES / "failing.cases.yaml"
EXAMPLE_POLICIES = sorted(
    p for p in EXAMPLES.glob("*.yaml") if not p.name.endswith((".tests.yaml", ".tests.yml"))
)


def line_of(path: Path, text: str) -> int:
    """1-based number of the first line of ``path`` that contains ``text``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def cli(*argv: str, environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    code = main(["test", *argv], stdout=out, stderr=err, environ={} if environ is None else environ)
    return code, out.getvalue(), err.getvalue()


def write_tests(tmp_path: Path, text: str, name: str = "desk.tests.yaml") -> Path:
    """A test file in ``tmp_path`` beside a copy of the desk policy and its tickets."""
    shutil.copy(DESK, tmp_path / "desk.yaml")
    shutil.copy(FIXTURES / "desk.tickets.jsonl", tmp_path / "desk.tickets.jsonl")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def one_case(tmp_path: Path, case: str, head: str = "") -> CaseResult:
    text = f"{head}cases:\n{case}"
    results = run_test_file(write_tests(tmp_path, text))
    assert len(results) == 1
    return results[0]


LATE = """\
  - name: late
    as_of: 2026-11-24T13:00:00+01:00
    ticket_file: desk.tickets.jsonl
    ticket_id: T-1
    expect:
"""


def failures_of(tmp_path: Path, expect: str) -> list[str]:
    return one_case(tmp_path, LATE + expect).failures


# --- the examples ---------------------------------------------------------------------------


def test_every_example_policy_has_a_test_file():
    assert EXAMPLE_POLICIES
    for policy in EXAMPLE_POLICIES:
        assert policy.with_name(policy.stem + ".tests.yaml").is_file(), policy.name


@pytest.mark.parametrize("policy", EXAMPLE_POLICIES, ids=[p.stem for p in EXAMPLE_POLICIES])
def test_example_tests_pass(policy):
    tests = policy.with_name(policy.stem + ".tests.yaml")
    results = run_test_file(tests)
    assert 4 <= len(results) <= 8
    assert [(r.name, r.failures) for r in results if not r.passed] == []
    assert len({r.name for r in results}) == len(results)
    text = tests.read_text(encoding="utf-8")
    if policy.with_name(policy.stem + ".tickets.jsonl").is_file():
        assert "ticket_id:" in text and "ticket" + "_file: " + policy.stem in text


def test_the_examples_directory_passes_through_the_command():
    code, out, err = cli(str(EXAMPLES))
    assert (code, err) == (0, "")
    total = sum(len(run_test_file(p)) for p in find_test_files([str(EXAMPLES)]))
    assert out == f"{total} passed, 0 failed\n"


def test_a_wrong_expectation_in_an_example_fails(tmp_path):
    source = EXAMPLES / "saas-support.tests.yaml"
    text = source.read_text(encoding="utf-8").replace(
        "resolution.elapsed: 5h45m", "resolution.elapsed: 5h44m"
    )
    for name in ("saas-support.yaml", "saas-support.tickets.jsonl"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    copy = tmp_path / "saas-support.tests.yaml"
    copy.write_text(text, encoding="utf-8")
    failed = [r for r in run_test_file(copy) if not r.passed]
    assert [(r.name, r.failures) for r in failed] == [
        (
            "enterprise ticket solved after a pending weekend",
            ["resolution.elapsed: expected 5h44m, got PT5H45M (5h45m)"],
        )
    ]
    assert failed[0].line == line_of(copy, "- name: enterprise ticket solved")


# --- the fixtures: passing and failing cases, their lines and messages -----------------------


def test_fixture_cases_pass():
    results = run_test_file(FIXTURES / "desk.tests.yaml")
    assert [(r.name, r.passed, r.failures) for r in results] == [
        ("late resolution", True, []),
        ("in time", True, []),
        ("case 3", True, []),
    ]
    assert results[0].line == line_of(FIXTURES / "desk.tests.yaml", "- name: late resolution")


def test_failing_cases_say_what_and_where():
    results = run_test_file(FAILING)
    assert [r.passed for r in results] == [True, False, False]
    wrong, several = results[1], results[2]
    assert wrong.file == str(FAILING)
    assert wrong.line == line_of(FAILING, "- name: wrong status")
    assert wrong.failures == ["resolution.status: expected met, got breached"]
    assert several.line == line_of(FAILING, "- name: several wrong values")
    assert several.failures[0] == "resolution.elapsed: expected 10h, got PT11H (11h)"
    assert several.failures[1] == "compensation[0].amount: expected 100.00, got 120.00"
    assert several.failures[2].startswith(
        "resolution.duee_at: no such field 'duee_at' in metrics.resolution, known: status, "
    )
    assert several.failures[2].endswith("; did you mean 'due_at'?")
    assert several.failures[3] == "escalations: expected 1 item(s), got 2"
    assert len(several.failures) == 4


# --- comparison rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        ("2026-11-23T14:15:00+01:00", "2026-11-23T14:15:00+01:00"),
        ("2026-11-23T13:15:00Z", "2026-11-23T14:15:00+01:00"),
        ("2026-11-23T08:15:00-05:00", "2026-11-23T14:15:00+01:00"),
        ("5h45m", "PT5H45M"),
        ("PT5H45M", "PT5H45M"),
        ("345m", "PT5H45M"),
        ("2d30m", "P2DT30M"),
        ("-2h25m", "-PT2H25M"),
        ("-PT3H", "-PT3H"),
        ("0m", "PT0S"),
        ("120.00", "120.00"),
        (120, "120.00"),
        (Decimal("120.0"), "120.00"),
        (3600, 3600.0),
        ("met", "met"),
        (True, True),
        (None, None),
        ("T-1001", "T-1001"),
        (1001, "1001"),
        ([], []),
        (["a", "b"], ["a", "b"]),
        ({"level": 0}, {"level": 0, "path": "p", "metric": "resolution"}),
        ([{"metric": "resolution"}], [{"metric": "resolution", "level": 1}]),
        ({"cycles": [{"status": "met"}]}, {"cycles": [{"status": "met", "x": 1}], "y": 2}),
    ],
)
def test_equal_by_meaning(expected, actual):
    assert compare(expected, actual, "x") == []


@pytest.mark.parametrize(
    ("expected", "actual", "message"),
    [
        ("met", "breached", "x: expected met, got breached"),
        (
            "2026-11-23T14:15:00Z",
            "2026-11-23T14:15:00+01:00",
            "x: expected 2026-11-23T14:15:00Z, got 2026-11-23T14:15:00+01:00",
        ),
        (
            "2026-11-23T14:15:00",
            "2026-11-23T14:15:00+01:00",
            "x: expected 2026-11-23T14:15:00, got 2026-11-23T14:15:00+01:00 (expected "
            "2026-11-23T14:15:00 has no UTC offset; add one, e.g. 2026-11-23T14:15:00+01:00)",
        ),
        ("5h", "PT5H45M", "x: expected 5h, got PT5H45M (5h45m)"),
        ("2h", "-PT2H", "x: expected 2h, got -PT2H (-2h)"),
        (
            "soon",
            "PT5H",
            "x: expected soon, got PT5H (not a duration such as 5h45m or PT5H45M)",
        ),
        ("120.01", "120.00", "x: expected 120.01, got 120.00"),
        (0, False, "x: expected 0, got false"),
        ("true", True, "x: expected true, got true"),
        (None, "met", "x: expected null, got met"),
        ("met", None, "x: expected met, got null"),
        ("", "met", 'x: expected "", got met'),
        ("met", {"status": "met"}, "x: expected met, got a mapping"),
        ({"status": "met"}, [1], "x: expected a mapping, got a list"),
        (["met"], "met", "x: expected a list, got met"),
        (["a"], ["a", "b"], 'x: expected 1 item(s), got 2: ["a", "b"]'),
        ([{"a": 1}], [{"a": 1}, {"a": 2}], "x: expected 1 item(s), got 2"),
        ([{"level": 1}], [{"level": 0}], "x[0].level: expected 1, got 0"),
        (
            {"levle": 1},
            {"level": 0},
            "x: no such field 'levle', known: level; did you mean 'level'?",
        ),
    ],
)
def test_different(expected, actual, message):
    assert compare(expected, actual, "x") == [message]


def test_paths():
    assert parse_path("resolution.status") == ["resolution", "status"]
    assert parse_path("escalations[0].notify[-1]") == ["escalations", 0, "notify", -1]
    assert parse_path("metrics.next_response.cycles[1][2]") == [
        "metrics",
        "next_response",
        "cycles",
        1,
        2,
    ]
    for bad in ("", "a..b", "a[x]", "[0]", "a b", "a.[0]", "a[0"):
        assert parse_path(bad) is None, bad


def test_metric_names_lead_paths_and_indexes_count_from_the_end(tmp_path):
    assert (
        failures_of(
            tmp_path,
            "      metrics.resolution.status: breached\n"
            "      resolution.status: breached\n"
            "      escalations[-1].level: 1\n"
            "      escalations[0]: {level: 0}\n"
            "      as_of: 2026-11-24T12:00:00Z\n"
            "      ticket_id: T-1\n"
            "      warnings: []\n",
        )
        == []
    )


def test_missing_paths_name_what_exists(tmp_path):
    failures = failures_of(
        tmp_path,
        "      resolution.state: met\n"
        "      first_reply.status: met\n"
        "      escalations[5].level: 0\n"
        "      resolution.status.code: 1\n"
        "      resolution[0]: 1\n"
        "      resolution.cycles[0]: {status: met}\n",
    )
    assert failures[0].startswith(
        "resolution.state: no such field 'state' in metrics.resolution, known: status, started_at"
    )
    assert failures[0].endswith("; did you mean 'status'?")
    assert failures[1].startswith("first_reply.status: no such field 'first_reply', known: ")
    assert "first_response" in failures[1] and "refund" in failures[1]
    assert failures[2] == "escalations[5].level: no such field: escalations has 2 item(s)"
    assert failures[3] == (
        "resolution.status.code: no such field: metrics.resolution.status is breached, "
        "not a mapping"
    )
    assert failures[4] == (
        "resolution[0]: no such field: metrics.resolution is a mapping, not a list"
    )
    assert (
        failures[5]
        == "resolution.cycles[0]: no such field: metrics.resolution.cycles is null, not a list"
    )
    assert len(failures) == 6


def test_the_refund_decision(tmp_path):
    assert failures_of(tmp_path, "      refund: {eligible: true, amount: 50}\n") == []
    assert failures_of(tmp_path, "      refund.eligible: false\n") == [
        "refund.eligible: expected false, got true"
    ]


# --- malformed cases fail, the others run ---------------------------------------------------


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (
            "  - name: c\n    ticket: {created_at: 2026-11-24T12:00:00+01:00}\n"
            "    expect: {ticket_id: c}\n",
            "the case has no 'as_of' (an ISO 8601 instant with a UTC offset)",
        ),
        (
            "  - name: c\n    as_of: 2026-11-24T13:00:00\n"
            "    ticket: {created_at: 2026-11-24T12:00:00+01:00}\n    expect: {ticket_id: c}\n",
            "as_of 2026-11-24T13:00:00 has no UTC offset; add one, e.g. 2026-11-24T13:00:00+01:00",
        ),
        (
            "  - name: c\n    as_of: 2026-11-24\n"
            "    ticket: {created_at: 2026-11-24T12:00:00+01:00}\n    expect: {ticket_id: c}\n",
            "as_of 2026-11-24 has no UTC offset; add one, e.g. 2026-11-24+01:00",
        ),
        (
            "  - name: c\n    as_of: tomorrow\n"
            "    ticket: {created_at: 2026-11-24T12:00:00+01:00}\n    expect: {ticket_id: c}\n",
            "as_of 'tomorrow' is not an ISO 8601 instant",
        ),
        (
            "  - name: c\n    as_of: 2026-11-24T13:00:00+01:00\n    expect: {ticket_id: c}\n",
            "the case has no ticket: give 'ticket', or 'ticket_id' of a ticket",
        ),
        (
            "  - name: c\n    as_of: 2026-11-24T13:00:00+01:00\n    ticket_id: T-1\n"
            "    expect: {ticket_id: T-1}\n",
            "'ticket_id: T-1' needs a 'ticket_file' to look in",
        ),
        (
            "  - name: c\n    as_of: 2026-11-24T13:00:00+01:00\n    ticket: [1]\n"
            "    expect: {ticket_id: c}\n",
            "'ticket' must be a mapping (id, created_at, fields, events)",
        ),
        (
            "  - name: c\n    as_of: 2026-11-24T13:00:00+01:00\n    ticket: {}\n"
            "    ticket_id: T-1\n    expect: {ticket_id: c}\n",
            "give either 'ticket' or 'ticket_id', not both",
        ),
        (
            "  - name: c\n    as_of: 2026-11-24T13:00:00+01:00\n"
            "    ticket: {created_at: 2026-11-24T12:00:00+01:00}\n",
            "the case has no 'expect' mapping of paths to values",
        ),
        (
            "  - name: c\n    as_of: 2026-11-24T13:00:00+01:00\n"
            "    ticket: {created_at: 2026-11-24T12:00:00+01:00}\n    expect: {}\n",
            "the case has no 'expect' mapping of paths to values",
        ),
        (
            "  - name: c\n    as_of: 2026-11-24T13:00:00+01:00\n"
            "    ticket: {created_at: 2026-11-24T12:00:00+01:00}\n    expect: {'a..b': 1}\n",
            "'a..b' is not a path such as 'resolution.status'",
        ),
        (
            "  - name: c\n    as_of: 2026-11-24T13:00:00+01:00\n"
            "    ticket: {created_at: 2026-11-24T12:00:00}\n    expect: {ticket_id: c}\n",
            "the ticket cannot be evaluated: ticket 'c': created_at 2026-11-24T12:00:00 has no "
            "UTC offset (e.g. +01:00 or Z)",
        ),
        (
            "  - 42\n",
            "a case must be a mapping",
        ),
    ],
)
def test_malformed_cases_fail_with_a_reason(tmp_path, case, message):
    result = one_case(tmp_path, case)
    assert (result.passed, result.failures) == (False, [message])
    assert result.line == 2


def test_unknown_keys_are_named_with_their_line(tmp_path):
    result = one_case(
        tmp_path,
        "  - name: c\n    as_of: 2026-11-24T13:00:00+01:00\n"
        "    ticket: {created_at: 2026-11-24T12:00:00+01:00}\n    expected: {ticket_id: c}\n",
    )
    assert result.failures == [
        "line 5: unknown key 'expected' in the case; did you mean 'expect'?",
        "the case has no 'expect' mapping of paths to values",
    ]


def test_ticket_file_problems(tmp_path):
    head = "as_of: 2026-11-24T13:00:00+01:00\nticket_file: desk.tickets.jsonl\n"
    text = (
        f"{head}cases:\n"
        "  - {name: unknown, ticket_id: T-404, expect: {ticket_id: T-404}}\n"
        "  - {name: broken line, ticket_id: T-9, expect: {ticket_id: T-9}}\n"
        "  - {name: missing file, ticket_id: T-1, ticket_file: nope.jsonl, expect: {policy: x}}\n"
        "  - {name: found, ticket_id: T-1, expect: {ticket_id: T-1}}\n"
    )
    results = run_test_file(write_tests(tmp_path, text))
    assert [r.failures for r in results] == [
        ["no ticket 'T-404' in ticket_file 'desk.tickets.jsonl' (ids: T-1, T-2, T-9)"],
        [
            "ticket_file 'desk.tickets.jsonl': line 3: not valid JSON: Expecting property name "
            "enclosed in double quotes"
        ],
        ["ticket_file 'nope.jsonl': cannot read: No such file or directory"],
        [],
    ]
    assert [r.line for r in results] == [4, 5, 6, 7]


def test_evaluation_errors_fail_unless_expected(tmp_path, monkeypatch):
    from servicepolicy import Evaluation, Policy

    def with_errors(self, ticket, as_of):
        return Evaluation(ticket_id="x", as_of=as_of, errors=["boom"])

    monkeypatch.setattr(Policy, "evaluate", with_errors)
    case = (
        "  - name: c\n    as_of: 2026-11-24T13:00:00+01:00\n"
        "    ticket: {created_at: 2026-11-24T12:00:00+01:00}\n    expect: {EXPECT}\n"
    )
    assert one_case(tmp_path, case.replace("EXPECT", "policy: standard")).failures == [
        "the ticket cannot be evaluated: boom"
    ]
    assert one_case(tmp_path, case.replace("EXPECT", "errors: [boom]")).passed


# --- files that cannot run ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("cases: [\n", 2, "YAML syntax"),
        ("- a\n", 1, "a test file is a mapping with 'cases:'"),
        ("case: []\n", 1, "unknown key 'case'; did you mean 'cases'?"),
        ("policy: desk.yaml\ncases: []\n", 2, "'cases' must be a non-empty list of cases"),
        ("policy: desk.yaml\n", 1, "'cases' must be a non-empty list of cases"),
        ("policy: [x]\ncases: [{}]\n", 1, "'policy' must be a file name"),
        ("policy: nope.yaml\ncases: [{}]\n", 1, "policy "),
        ("as_of: 2026-11-24\ncases: [{}]\n", 1, "as_of 2026-11-24 has no UTC offset"),
        ("a: 1\na: 2\n", 2, "duplicate key 'a'"),
    ],
)
def test_files_that_cannot_run(tmp_path, text, line, message):
    path = write_tests(tmp_path, text)
    with pytest.raises(PolicyTestError) as caught:
        run_test_file(path)
    assert caught.value.file == str(path)
    assert caught.value.line == line
    assert message in caught.value.message


def test_a_policy_with_errors_lists_them(tmp_path):
    (tmp_path / "broken.yaml").write_text("servicepolicy: '1'\nname: x\n", encoding="utf-8")
    path = tmp_path / "broken.tests.yaml"
    path.write_text("cases: [{}]\n", encoding="utf-8")
    with pytest.raises(PolicyTestError) as caught:
        run_test_file(path)
    assert caught.value.message.startswith(
        f"policy {str(tmp_path / 'broken.yaml')!r} does not load:"
    )
    assert "sla" in caught.value.message


def test_the_policy_must_be_named_when_the_file_name_does_not_tell(tmp_path):
    path = write_tests(tmp_path, "cases: [{}]\n", name="cases.yaml")
    with pytest.raises(PolicyTestError, match="name it with 'policy: FILE'"):
        run_test_file(path)


def test_a_yml_test_file_tests_the_yml_policy(tmp_path):
    shutil.copy(DESK, tmp_path / "desk.yml")
    path = tmp_path / "desk.tests.yml"
    path.write_text(
        "cases:\n  - {as_of: 2026-11-24T13:00:00+01:00, ticket: {created_at: "
        "'2026-11-24T12:00:00+01:00'}, expect: {policy: standard}}\n",
        encoding="utf-8",
    )
    assert [r.passed for r in run_test_file(path)] == [True]


def test_an_unreadable_file(tmp_path):
    with pytest.raises(PolicyTestError, match="cannot read"):
        run_test_file(tmp_path / "nope.tests.yaml")


# --- output formats and exit codes ----------------------------------------------------------


def test_text_output_and_exit_code_1():
    code, out, err = cli(str(FAILING))
    wrong = line_of(FAILING, "- name: wrong status")
    several = line_of(FAILING, "- name: several wrong values")
    lines = out.splitlines()
    assert (code, err) == (1, "")
    assert lines[0] == (
        f"{FAILING}:{wrong}: FAILED case 'wrong status': "
        "resolution.status: expected met, got breached"
    )
    assert lines[1] == f"{FAILING}:{several}: FAILED case 'several wrong values':"
    assert lines[2] == "    resolution.elapsed: expected 10h, got PT11H (11h)"
    assert lines[3] == "    compensation[0].amount: expected 100.00, got 120.00"
    assert lines[4].startswith("    resolution.duee_at: no such field")
    assert lines[5] == "    escalations: expected 1 item(s), got 2"
    assert lines[6] == "1 passed, 2 failed"
    assert len(lines) == 7


def test_json_output():
    code, out, _ = cli("--format", "json", str(FAILING))
    doc = json.loads(out)
    assert code == 1
    assert (doc["passed"], doc["failed"], doc["errors"]) == (1, 2, [])
    assert doc["cases"][1] == {
        "file": str(FAILING),
        "line": line_of(FAILING, "- name: wrong status"),
        "name": "wrong status",
        "passed": False,
        "failures": ["resolution.status: expected met, got breached"],
    }
    assert doc["cases"][0]["passed"] is True


def test_github_output_is_chosen_on_github_actions():
    code, out, _ = cli(str(FAILING), environ={"GITHUB_ACTIONS": "true"})
    lines = out.splitlines()
    file = str(FAILING).replace(":", "%3A").replace(",", "%2C")
    assert code == 1
    assert lines[0] == (
        f"::error file={file},line={line_of(FAILING, '- name: wrong status')}::"
        "case 'wrong status': resolution.status: expected met, got breached"
    )
    assert lines[1].startswith(f"::error file={file},line={line_of(FAILING, '- name: several')}::")
    assert "%0Acompensation[0].amount: expected 100.00, got 120.00%0A" in lines[1]
    assert lines[2] == "1 passed, 2 failed"
    assert len(lines) == 3
    code, text, _ = cli("--format", "text", str(FAILING), environ={"GITHUB_ACTIONS": "true"})
    assert text.startswith(f"{FAILING}:")


def test_all_passing_is_exit_0():
    assert cli(str(FIXTURES / "desk.tests.yaml")) == (0, "3 passed, 0 failed\n", "")


def test_unrunnable_files_are_reported_and_exit_2(tmp_path):
    shutil.copy(FIXTURES / "desk.tests.yaml", tmp_path / "desk.tests.yaml")
    write_tests(tmp_path, "cases: [\n", name="broken.tests.yaml")
    code, out, err = cli(str(tmp_path))
    assert (code, err) == (2, "")
    assert out.splitlines() == [
        f"{tmp_path / 'broken.tests.yaml'}:2: ERROR: YAML syntax: "
        + out.split("ERROR: YAML syntax: ")[1].splitlines()[0],
        "3 passed, 0 failed, 1 file(s) could not be run",
    ]
    code, out, _ = cli("--format", "github", str(tmp_path))
    assert out.startswith(f"::error file={tmp_path / 'broken.tests.yaml'},line=2::YAML syntax")
    code, out, _ = cli("--format", "json", str(tmp_path))
    doc = json.loads(out)
    assert (code, doc["passed"], doc["failed"]) == (2, 3, 0)
    assert doc["errors"][0]["line"] == 2


def test_usage_errors_exit_2(tmp_path):
    code, out, err = cli(str(tmp_path / "nope"))
    assert (code, out) == (2, "")
    assert (
        err
        == f"servicepolicy: error: {tmp_path / 'nope'}: cannot read: No such file or directory\n"
    )
    code, out, err = cli(str(tmp_path))
    assert (code, out) == (2, "")
    assert err == (
        f"servicepolicy: error: no test files (*.tests.yaml, *.tests.yml) in {tmp_path}\n"
    )


def test_the_default_path_is_the_current_directory(tmp_path, monkeypatch):
    shutil.copy(FIXTURES / "desk.tests.yaml", tmp_path / "desk.tests.yaml")
    write_tests(tmp_path, (FIXTURES / "desk.tests.yaml").read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    assert cli() == (0, "3 passed, 0 failed\n", "")


# --- discovery ------------------------------------------------------------------------------


def test_discovery(tmp_path):
    for name in (
        "a.tests.yaml",
        "b.tests.yml",
        "policy.yaml",
        "notes.tests.yaml.bak",
        "sub/c.tests.yaml",
        "sub/deeper/d.tests.yaml",
        ".hidden/e.tests.yaml",
        ".venv/lib/f.tests.yaml",
        "sub/.git/g.tests.yaml",
    ):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("cases: []\n", encoding="utf-8")
    found = find_test_files([str(tmp_path)])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a.tests.yaml",
        "b.tests.yml",
        "sub/c.tests.yaml",
        "sub/deeper/d.tests.yaml",
    ]
    direct = find_test_files([str(tmp_path / ".hidden" / "e.tests.yaml"), str(tmp_path / "sub")])
    assert [p.name for p in direct] == ["e.tests.yaml", "c.tests.yaml", "d.tests.yaml"]
    twice = find_test_files([str(tmp_path / "a.tests.yaml"), str(tmp_path)])
    assert [p.name for p in twice].count("a.tests.yaml") == 1
    with pytest.raises(PolicyTestError, match="cannot read: No such file or directory"):
        find_test_files([str(tmp_path / "missing")])


def test_discovery_from_the_repository_finds_every_example():
    found = {p.resolve() for p in find_test_files([str(ROOT / "policies")])}
    assert found >= {p.with_name(p.stem + ".tests.yaml").resolve() for p in EXAMPLE_POLICIES}
