"""Outputs never destroy data: ``-o`` is replaced only by a finished run, never over an input,
write errors are one line and exit 2, and the summary comes after the output is safe."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from servicepolicy.cli import main
from tests.paths import EXAMPLES

POLICY = str(EXAMPLES / "saas-support.yaml")
TICKETS = str(EXAMPLES / "saas-support.tickets.jsonl")
AS_OF = "2026-11-23T13:00:00+01:00"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
OLD = "the old report\n"


def run(*argv: str, stdin: str = "", stdout=None) -> tuple[int, str, str]:
    out = io.StringIO() if stdout is None else stdout
    err = io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err, environ={}, now=NOW)
    return code, out.getvalue() if stdout is None else "", err.getvalue()


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


@pytest.mark.parametrize("which", ["tickets", "policy"])
def test_an_output_that_is_an_input_is_refused_and_the_input_kept(tmp_path, which):
    policy, tickets = tmp_path / "p.yaml", tmp_path / "t.jsonl"
    policy.write_bytes(Path(POLICY).read_bytes())
    tickets.write_bytes(Path(TICKETS).read_bytes())
    target = tickets if which == "tickets" else policy
    before = target.read_bytes()
    code, _, err = run("evaluate", str(policy), str(tickets), "-o", str(target))
    assert code == 2
    assert err == f"servicepolicy: error: {target}: cannot write: it is the input {target}; " + (
        "write elsewhere\n"
    )
    assert target.read_bytes() == before
    assert "tickets in" not in err


def test_an_output_reached_by_another_name_is_still_the_input(tmp_path):
    tickets = tmp_path / "t.jsonl"
    tickets.write_bytes(Path(TICKETS).read_bytes())
    (tmp_path / "link.jsonl").symlink_to(tickets)
    code, _, err = run("evaluate", POLICY, str(tickets), "-o", str(tmp_path / "link.jsonl"))
    assert code == 2 and "it is the input" in err
    assert tickets.read_bytes() == Path(TICKETS).read_bytes()


def test_a_run_that_fails_leaves_the_old_output_as_it_was(tmp_path):
    target = tmp_path / "report.txt"
    target.write_text(OLD)
    code, _, err = run("evaluate", POLICY, str(tmp_path / "missing.jsonl"), "-o", str(target))
    assert code == 2 and "missing.jsonl: cannot read: No such file or directory" in err
    assert target.read_text() == OLD


class _Interrupted(io.StringIO):
    """Ticket lines, then Ctrl-C while the run reads on."""

    def __init__(self, lines: int) -> None:
        super().__init__((Path(TICKETS).read_text().splitlines()[0] + "\n") * lines)

    def __next__(self):
        line = self.readline()
        if not line:
            raise KeyboardInterrupt
        return line


def test_an_interrupted_run_leaves_the_old_output_and_no_temporary_file(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_text(OLD)
    err = io.StringIO()
    argv = ["evaluate", POLICY, "-", "--as-of", AS_OF, "--format", "jsonl", "-o", str(target)]
    with pytest.raises(KeyboardInterrupt):
        main(argv, stdin=_Interrupted(3), stdout=io.StringIO(), stderr=err, now=NOW)
    assert target.read_text() == OLD
    assert _leftovers(tmp_path) == []
    assert err.getvalue() == ""  # no summary claims success


def test_a_finished_run_replaces_the_output_and_keeps_its_mode(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_text(OLD)
    target.chmod(0o640)
    code, _, err = run(
        "evaluate", POLICY, TICKETS, "--as-of", AS_OF, "--format", "jsonl", "-o", str(target)
    )
    assert code == 0
    assert target.read_text().count("\n") == 7
    assert (target.stat().st_mode & 0o777) == 0o640
    assert _leftovers(tmp_path) == []
    assert err.startswith("7 tickets in, 7 evaluated, 0 failed")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("command", ["evaluate", "report", "explain", "refund"])
def test_a_full_device_is_one_line_exit_2_and_no_summary(command):
    code, _, err = run(command, POLICY, TICKETS, "--as-of", AS_OF, "-o", "/dev/full")
    assert code == 2
    assert err == "servicepolicy: error: /dev/full: cannot write: No space left on device\n"


class _BrokenPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_pipe_on_stdout_is_one_line_exit_2_and_no_summary():
    code, _, err = run("evaluate", POLICY, TICKETS, "--as-of", AS_OF, stdout=_BrokenPipe())
    assert code == 2
    assert err == "servicepolicy: error: <stdout>: cannot write: Broken pipe\n"


def test_an_unwritable_directory_is_one_line_exit_2(tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "out.csv"
    code, _, err = run("evaluate", POLICY, TICKETS, "--as-of", AS_OF, "-o", str(target))
    assert code == 2
    assert err == f"servicepolicy: error: {target}: cannot write: No such file or directory\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", POLICY],
        ["schema"],
        ["due", POLICY, "--calendar", "support-eu", "--start", AS_OF, "--after", "4h"],
        ["elapsed", POLICY, "--calendar", "support-eu", "--start", AS_OF, "--end", AS_OF],
        ["evaluate", POLICY, TICKETS, "--as-of", AS_OF],
        ["report", POLICY, TICKETS, "--as-of", AS_OF],
        ["explain", POLICY, TICKETS, "--as-of", AS_OF],
        ["refund", POLICY, TICKETS, "--as-of", AS_OF],
        ["compare", POLICY, POLICY, TICKETS, "--as-of", AS_OF],
        ["test", str(EXAMPLES)],
    ],
    ids=lambda argv: argv[0],
)
def test_every_command_that_writes_takes_o(tmp_path, argv):
    code, printed, _ = run(*argv)
    target = tmp_path / "out.txt"
    code_o, nothing, _ = run(*argv, "-o", str(target))
    assert (code_o, nothing) == (code, "")
    assert target.read_text() == printed and printed


@pytest.mark.parametrize(
    "argv",
    [
        ["compare", TICKETS, POLICY, TICKETS],
        ["due", TICKETS, "--calendar", "x", "--start", AS_OF, "--after", "4h"],
        ["elapsed", TICKETS, "--calendar", "x", "--start", AS_OF, "--end", AS_OF],
        ["evaluate", TICKETS, POLICY],
        ["refund", TICKETS, POLICY],
        ["explain", TICKETS, POLICY],
        ["report", TICKETS, POLICY],
    ],
    ids=lambda argv: argv[0],
)
def test_swapped_arguments_are_named_in_every_command(argv):
    code, _, err = run(*argv)
    assert code == 2
    assert f"{TICKETS} looks like a tickets file, not a policy: the policy comes first" in err
    assert err.count("\n") == 1


# -- the console script: signals and closed streams, in a process of its own -------------------

SCRIPT = [sys.executable, "-c", "from servicepolicy.cli import entry_point; entry_point()"]


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stopped_run_leaves_no_new_file_and_exits_128_plus_the_signal(tmp_path, signum, status):
    target = tmp_path / "out.jsonl"
    command = [*SCRIPT, "evaluate", POLICY, "-", "--as-of", AS_OF, "-o", str(target)]
    child = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert child.stdin is not None
    child.stdin.write(Path(TICKETS).read_bytes())  # then it waits for more
    child.stdin.flush()
    deadline = time.monotonic() + 30
    while not _leftovers(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _leftovers(tmp_path), "the run never started writing"
    child.send_signal(signum)
    _, err = child.communicate(timeout=30)
    assert child.returncode == status
    assert not target.exists()
    assert _leftovers(tmp_path) == []
    assert b"Traceback" not in err and b"tickets in" not in err


def test_a_closed_stdout_is_one_line_exit_2():
    child = subprocess.run(
        [*SCRIPT, "schema"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),
        timeout=60,
        check=False,
    )
    assert child.returncode == 2
    assert (
        child.stderr == b"servicepolicy: error: <stdout>: cannot write: standard output is closed\n"
    )


def test_a_closed_stderr_still_writes_the_whole_output(tmp_path):
    target = tmp_path / "out.jsonl"
    child = subprocess.run(
        [
            *SCRIPT,
            "evaluate",
            POLICY,
            TICKETS,
            "--as-of",
            AS_OF,
            "--format",
            "jsonl",
            "-o",
            str(target),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: os.close(2),
        timeout=60,
        check=False,
    )
    assert child.returncode == 0
    assert target.read_text().count("\n") == 7


def test_a_reader_that_goes_away_is_told_once_and_no_traceback():
    child = subprocess.Popen(
        [*SCRIPT, "evaluate", POLICY, TICKETS, "--as-of", AS_OF, "--format", "jsonl"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    child.stdout.close()  # as `| head -0` does
    _, err = child.communicate(timeout=60)
    assert child.returncode == 2
    assert err == b"servicepolicy: error: <stdout>: cannot write: Broken pipe\n"
