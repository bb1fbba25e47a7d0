"""The command line, run in-process: ``validate``, ``due`` and ``elapsed``, exit codes, formats."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from io import StringIO

import pytest

from servicepolicy.cli import main
from tests.paths import DATA, ROOT

EXAMPLE = ROOT / "policies" / "examples" / "saas-support.yaml"
BAD = DATA / "bad_policies"
LOCATED = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): .+ \[[a-z-]+\]$"
)


@dataclass
class Run:
    code: int
    out: str
    err: str


def run(*argv: str, stdin: str = "", environ: dict[str, str] | None = None) -> Run:
    out, err = StringIO(), StringIO()
    code = main(
        list(argv),
        stdin=StringIO(stdin),
        stdout=out,
        stderr=err,
        environ={} if environ is None else environ,
    )
    result = Run(code, out.getvalue(), err.getvalue())
    assert "Traceback" not in result.out + result.err
    return result


# -- validate ----------------------------------------------------------------------------------


def test_valid_file():
    result = run("validate", str(EXAMPLE))
    assert result.code == 0
    assert result.out == "1 file(s) checked: all valid\n"
    assert result.err == ""


def test_bad_file_lists_located_findings():
    path = BAD / "unknown-calendar.yaml"
    result = run("validate", str(path))
    assert result.code == 1
    *lines, summary = result.out.splitlines()
    assert lines == [
        f"{path}:10:15: error: unknown calendar 'offcie'; did you mean 'office'? "
        "(at sla[0].calendar) [unknown-calendar]"
    ]
    assert summary == "1 file(s) checked: 1 error(s), 0 warning(s)"


def test_many_files_report_every_finding():
    names = ["bad-at.yaml", "unknown-top-key.yaml", "zero-duration.yaml"]
    result = run("validate", str(EXAMPLE), *(str(BAD / n) for n in names))
    assert result.code == 1
    *lines, summary = result.out.splitlines()
    assert summary == "4 file(s) checked: 2 error(s), 1 warning(s)"
    assert len(lines) == 3
    for line, name in zip(lines, names, strict=True):
        match = LOCATED.match(line)
        assert match, line
        assert match["file"] == str(BAD / name)


def test_missing_file_is_a_usage_error():
    result = run("validate", "does/not/exist.yaml")
    assert result.code == 2
    assert result.out == ""
    assert "does/not/exist.yaml: cannot read: No such file or directory" in result.err


def test_directory_is_searched_recursively(tmp_path):
    good = EXAMPLE.read_text(encoding="utf-8")
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "a.yaml").write_text(good, encoding="utf-8")
    (tmp_path / "sub" / "b.yml").write_text(good, encoding="utf-8")
    (tmp_path / "sub" / "deeper" / "c.yaml").write_text(good, encoding="utf-8")
    # test files, other extensions and a directory named like a policy are not policies
    (tmp_path / "a.tests.yaml").write_text("not: [a policy", encoding="utf-8")
    (tmp_path / "sub" / "b.tests.yml").write_text("not: [a policy", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not: [a policy", encoding="utf-8")
    (tmp_path / "dir.yaml").mkdir()
    result = run("validate", "--format", "json", str(tmp_path))
    assert result.code == 0, result.out
    doc = json.loads(result.out)
    assert doc["files"] == [
        str(tmp_path / "a.yaml"),
        str(tmp_path / "sub" / "b.yml"),
        str(tmp_path / "sub" / "deeper" / "c.yaml"),
    ]
    assert doc["valid"] is True

    (tmp_path / "sub" / "deeper" / "broken.yaml").write_text("servicepolicy: [", encoding="utf-8")
    result = run("validate", str(tmp_path))
    assert result.code == 1
    assert result.out.splitlines()[-1] == "4 file(s) checked: 1 error(s), 0 warning(s)"
    assert result.out.startswith(
        f"{tmp_path / 'sub' / 'deeper' / 'broken.yaml'}:1:17: error: YAML syntax"
    )


def test_directory_without_policies_is_a_usage_error(tmp_path):
    (tmp_path / "only.tests.yaml").write_text("x: 1\n", encoding="utf-8")
    result = run("validate", str(tmp_path))
    assert result.code == 2
    assert "no policy files" in result.err


def test_stdin():
    assert run("validate", "-", stdin=EXAMPLE.read_text(encoding="utf-8")).code == 0
    result = run("validate", "-", stdin=(BAD / "bad-percent.yaml").read_text(encoding="utf-8"))
    assert result.code == 1
    assert result.out.startswith("<stdin>:11:14: error: '175%' must be above 0%")


def test_json_format():
    path = BAD / "shrinking-target.yaml"
    result = run("validate", "--format", "json", str(EXAMPLE), str(BAD / "bad-at.yaml"), str(path))
    assert result.code == 1
    doc = json.loads(result.out)
    assert doc["files"] == [str(EXAMPLE), str(BAD / "bad-at.yaml"), str(path)]
    assert (doc["errors"], doc["warnings"], doc["valid"]) == (1, 1, False)
    assert doc["findings"][0] == {
        "file": str(BAD / "bad-at.yaml"),
        "line": 16,
        "column": 12,
        "path": "escalations.standard[0].at",
        "severity": "error",
        "code": "invalid-value",
        "message": "cannot read 'at: soon'; write '50%', 'breach', 'breach + 2h', "
        "'breach - 30m' or '2h'",
    }
    assert doc["findings"][1]["severity"] == "warning"
    assert doc["findings"][1]["code"] == "shrinking-target"


def test_json_format_valid():
    doc = json.loads(run("validate", "--format", "json", str(EXAMPLE)).out)
    assert doc == {
        "files": [str(EXAMPLE)],
        "errors": 0,
        "warnings": 0,
        "valid": True,
        "findings": [],
    }


GITHUB = re.compile(r"^::(error|warning) file=[^,]+,line=\d+,col=\d+,title=[a-z-]+::.+$")


def test_github_format():
    path = BAD / "unknown-escalation.yaml"
    result = run("validate", "--format", "github", str(path))
    assert result.code == 1
    first, summary = result.out.splitlines()
    assert GITHUB.match(first)
    assert first == (
        f"::error file={path},line=13,col=17,title=unknown-escalation::"
        "unknown escalation path 'standard-pth'; did you mean 'standard-path'? "
        "(at sla[0].escalation)"
    )
    assert summary == "1 file(s) checked: 1 error(s), 0 warning(s)"


def test_github_format_escapes_properties(tmp_path):
    path = tmp_path / "a,b:c.yaml"
    path.write_text((BAD / "zero-duration.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = run("validate", "--format", "github", str(path))
    assert result.code == 0
    line = result.out.splitlines()[0]
    assert line.startswith("::warning file=")
    assert "a%2Cb%3Ac.yaml,line=12,col=23,title=zero-duration::" in line


def test_github_actions_environment_selects_github():
    path = str(BAD / "bad-duration.yaml")
    result = run("validate", path, environ={"GITHUB_ACTIONS": "true"})
    assert result.code == 1
    assert result.out.startswith(f"::error file={path},line=12,col=23,title=invalid-value::")
    explicit = run("validate", "--format", "text", path, environ={"GITHUB_ACTIONS": "true"})
    assert LOCATED.match(explicit.out.splitlines()[0])
    other = run("validate", path, environ={"GITHUB_ACTIONS": "false"})
    assert LOCATED.match(other.out.splitlines()[0])


@pytest.mark.parametrize(
    "name", ["zero-duration.yaml", "long-duration.yaml", "shrinking-target.yaml"]
)
def test_strict_fails_on_warnings(name):
    path = str(BAD / name)
    relaxed = run("validate", path)
    assert relaxed.code == 0
    assert ": warning: " in relaxed.out
    assert run("validate", "--strict", path).code == 1
    doc = json.loads(run("validate", "--strict", "--format", "json", path).out)
    assert (doc["errors"], doc["warnings"], doc["valid"]) == (0, 1, False)
    assert run("validate", "--strict", str(EXAMPLE)).code == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["validate"], "the following arguments are required: FILE_OR_DIR"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["validate", "--format", "xml", "x.yaml"], "invalid choice: 'xml'"),
        (["validate", "--no-such-option", "x.yaml"], "unrecognized arguments: --no-such-option"),
        (["due", str(EXAMPLE), "--calendar", "24/7"], "required: --start, --after"),
        (["elapsed", str(EXAMPLE), "--calendar", "24/7", "--start", "x"], "required: --end"),
    ],
)
def test_usage_errors(argv, message):
    result = run(*argv)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("usage: servicepolicy")
    assert message in result.err


@pytest.mark.parametrize(
    ("argv", "text"),
    [
        (["--help"], "usage: servicepolicy [-h] [--version] COMMAND"),
        (["validate", "--help"], "usage: servicepolicy validate [-h]"),
        (["due", "-h"], "usage: servicepolicy due [-h]"),
        (["--version"], "servicepolicy 0.1.0"),
    ],
)
def test_help_and_version(argv, text, capsys):
    result = run(*argv)
    assert result.code == 0
    assert result.out.startswith(text)
    assert capsys.readouterr() == ("", ""), "help and version go to the stdout given to main()"


# -- due and elapsed ---------------------------------------------------------------------------

START = "2026-03-02T08:00:00+01:00"  # a Monday, an hour before the Berlin desk opens


@pytest.mark.parametrize(
    ("calendar", "after", "due"),
    [
        ("support-eu", "4h", "2026-03-02T14:00:00+01:00"),  # 09:00-12:30, then 13:30-14:00
        ("support-eu", "PT3H30M", "2026-03-02T12:30:00+01:00"),
        ("support-eu", "3bd", "2026-03-05T09:00:00+01:00"),
        ("extended", "4h", "2026-03-02T12:00:00+01:00"),  # opens 07:00
        ("24/7", "4h", "2026-03-02T11:00:00+00:00"),
        ("24/7", "1d", "2026-03-03T07:00:00+00:00"),
    ],
)
def test_due(calendar, after, due):
    result = run("due", str(EXAMPLE), "--calendar", calendar, "--start", START, "--after", after)
    assert (result.code, result.out, result.err) == (0, due + "\n", "")
    result = run(
        "due", str(EXAMPLE), "--calendar", calendar, "--start", START, "--after", after,
        "--format", "json",
    )  # fmt: skip
    assert result.code == 0
    assert json.loads(result.out) == {
        "calendar": calendar,
        "start": START,
        "after": after,
        "due": due,
    }


def test_due_start_in_another_offset():
    result = run("due", str(EXAMPLE), "--calendar", "support-eu", "--start",
                 "2026-03-02T10:00:00Z", "--after", "2h")  # fmt: skip
    assert result.out == "2026-03-02T14:00:00+01:00\n"  # 11:00-12:30 Berlin, lunch, 13:30-14:00


@pytest.mark.parametrize(
    ("calendar", "end", "text", "iso", "seconds"),
    [
        ("support-eu", "2026-03-03T12:00:00+01:00", "10h", "PT10H", 36000.0),
        ("support-eu", "2026-03-02T08:30:00+01:00", "0m", "PT0S", 0.0),
        ("24/7", "2026-03-03T09:30:00+01:00", "1d1h30m", "PT25H30M", 91800.0),
        ("support-eu", "2026-03-01T08:00:00+01:00", "0m", "PT0S", 0.0),
    ],
)
def test_elapsed(calendar, end, text, iso, seconds):
    args = ["elapsed", str(EXAMPLE), "--calendar", calendar, "--start", START, "--end", end]
    result = run(*args)
    assert (result.code, result.out, result.err) == (0, text + "\n", "")
    doc = json.loads(run(*args, "--format", "json").out)
    assert doc == {
        "calendar": calendar,
        "start": START,
        "end": end,
        "elapsed": iso,
        "elapsed_seconds": seconds,
    }


def test_elapsed_backwards_is_negative():
    result = run("elapsed", str(EXAMPLE), "--calendar", "support-eu",
                 "--start", "2026-03-03T12:00:00+01:00", "--end", START)  # fmt: skip
    assert result.out == "-10h\n"


def test_policy_from_stdin():
    result = run("due", "-", "--calendar", "support-eu", "--start", START, "--after", "4h",
                 stdin=EXAMPLE.read_text(encoding="utf-8"))  # fmt: skip
    assert (result.code, result.out) == (0, "2026-03-02T14:00:00+01:00\n")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--start", "2026-03-02T08:00", "--start '2026-03-02T08:00' has no UTC offset"),
        ("--start", "yesterday", "--start 'yesterday' is not an ISO 8601 instant"),
        ("--after", "4x", "--after: cannot read duration '4x'"),
        ("--after", "-4h", "--after: cannot read duration '-4h'"),
    ],
)
def test_due_bad_arguments(option, value, message):
    args = {"--start": START, "--after": "4h", option: value}
    options = [f"{key}={val}" for key, val in args.items()]
    result = run("due", str(EXAMPLE), "--calendar", "support-eu", *options)
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("servicepolicy: error: ")
    assert message in result.err


def test_naive_end_is_refused():
    result = run("elapsed", str(EXAMPLE), "--calendar", "24/7", "--start", START,
                 "--end", "2026-03-02T09:00")  # fmt: skip
    assert result.code == 2
    assert "--end '2026-03-02T09:00' has no UTC offset; add one" in result.err


@pytest.mark.parametrize("command", ["due", "elapsed"])
def test_unknown_calendar_lists_the_known_ones(command):
    extra = ["--after", "4h"] if command == "due" else ["--end", START]
    result = run(command, str(EXAMPLE), "--calendar", "support-us", "--start", START, *extra)
    assert result.code == 2
    assert result.err == (
        "servicepolicy: error: no calendar 'support-us' in the policy "
        "(known: support-eu, extended, 24/7)\n"
    )


def test_clock_with_an_invalid_policy_lists_its_findings():
    path = BAD / "bad-at.yaml"
    result = run("due", str(path), "--calendar", "24/7", "--start", START, "--after", "1h")
    assert result.code == 2
    assert result.err.startswith(f"{path}:16:12: error: cannot read 'at: soon'")


def test_clock_with_a_missing_policy():
    result = run("due", "nope.yaml", "--calendar", "24/7", "--start", START, "--after", "1h")
    assert result.code == 2
    assert "nope.yaml" in result.err
    assert "cannot read" in result.err


def test_clock_accepts_a_policy_with_warnings():
    result = run("due", str(BAD / "zero-duration.yaml"), "--calendar", "office",
                 "--start", START, "--after", "1h")  # fmt: skip
    assert (result.code, result.out) == (0, "2026-03-02T10:00:00+01:00\n")


def test_huge_file_is_refused_quickly(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as out:
        out.write(b'servicepolicy: "1"\n')
        out.truncate(50 * 1024 * 1024)
    started = time.perf_counter()
    result = run("validate", str(path))
    assert time.perf_counter() - started < 5.0
    assert result.code == 1
    assert result.out.startswith(f"{path}: error: file is 52428800 bytes; ")
    assert "[too-large]" in result.out


def test_huge_stdin_is_refused_quickly():
    text = 'servicepolicy: "1"\n' + "#" * (50 * 1024 * 1024)
    for argv in (
        ["validate", "-"],
        ["due", "-", "--calendar", "24/7", "--start", START, "--after", "1h"],
    ):
        started = time.perf_counter()
        result = run(*argv, stdin=text)
        assert time.perf_counter() - started < 5.0
        assert result.code == 2
        assert (
            result.err == "servicepolicy: error: <stdin>: a policy may have at most 2097152 bytes\n"
        )
