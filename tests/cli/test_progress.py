"""The progress bar: on standard error when it is a terminal, never on the output, gone with
``--no-progress``, without tqdm, or on a run shorter than its delay."""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tqdm.std

from servicepolicy.cli import COMMANDS, _progress, main
from tests.cli.test_jobs import _corpus
from tests.paths import EXAMPLES

SAAS = str(EXAMPLES / "saas-support.yaml")
AS_OF = "2026-12-31T12:00:00+01:00"
NOW = datetime(2026, 12, 31, tzinfo=UTC)
COMMANDS_WITH_JOBS = ["evaluate", "explain", "report", "refund", "compare"]


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def at_once(monkeypatch):
    """The bar shows from the start and is drawn at every ticket."""
    monkeypatch.setattr(_progress, "DELAY", 0.0)
    monkeypatch.setattr(_progress, "EVERY", 0.0)


@pytest.fixture
def tickets(tmp_path) -> Path:
    path = tmp_path / "tickets.jsonl"
    path.write_bytes(_corpus(300, 31))  # more than a chunk, some lines broken
    return path


def _argv(command: str, tickets: str, *extra: str) -> list[str]:
    policies = [SAAS, SAAS] if command == "compare" else [SAAS]
    shape = ["--format", "jsonl"] if command in ("evaluate", "refund") else []
    return [command, *policies, tickets, "--as-of", AS_OF, *shape, *extra]


def _run(argv, *, err=None, out=None, stdin="") -> tuple[int, str, str]:
    out = out if out is not None else io.StringIO()
    err = err if err is not None else Terminal()
    code = main(argv, stdin=io.StringIO(stdin), stdout=out, stderr=err, environ={}, now=NOW)
    return code, out.getvalue(), err.getvalue()


def _on_screen(text: str) -> str:
    """What a terminal shows of ``text``: on each line, what the last carriage return left."""
    return "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))


@pytest.mark.usefixtures("at_once")
@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("command", COMMANDS_WITH_JOBS)
def test_a_terminal_shows_the_bar_and_nothing_else_changes(tickets, command, jobs):
    argv = _argv(command, str(tickets), "--jobs", jobs)
    plain = _run([*argv, "--no-progress"])
    code, out, err = _run(argv)
    assert (code, out) == plain[:2]  # the output, byte for byte
    assert "tickets.jsonl: " in err and "%|" in err and " tickets/s" in err  # with an ETA
    assert plain[2] == _on_screen(err)  # messages whole, the bar cleared before the summary
    assert "\r" not in plain[2] and "tickets/s" not in plain[2]
    assert _run(argv, err=io.StringIO()) == plain  # no terminal: no bar


@pytest.mark.usefixtures("at_once")
def test_messages_written_while_the_bar_shows_keep_their_lines(tickets):
    argv = _argv("compare", str(tickets), "--jobs", "1")  # a message as each ticket fails
    code, _, err = _run(argv)
    plain = _run([*argv, "--no-progress"])[2]
    failures = plain.splitlines()[:-1]
    assert code == 1 and len(failures) > 10
    for failure in failures:  # each on its own line, the bar cleared before it, drawn after
        assert f"\r{failure}\n\rtickets.jsonl: " in err
    assert _on_screen(err) == plain


@pytest.mark.usefixtures("at_once")
def test_without_a_file_the_bar_counts_tickets_with_no_eta():
    argv = _argv("report", "-")
    lines = (EXAMPLES / "saas-support.tickets.jsonl").read_text(encoding="utf-8")
    code, out, err = _run(argv, stdin=lines)
    assert "stdin: " in err and "7 tickets, " in err and "%|" not in err
    assert (code, out) == _run([*argv, "--no-progress"], stdin=lines)[:2]


@pytest.mark.usefixtures("at_once")
def test_an_output_written_to_the_terminal_as_the_run_goes_has_no_bar(tickets):
    for command in ("evaluate", "explain", "refund"):
        _, _, err = _run(_argv(command, str(tickets)), out=Terminal())
        assert "tickets/s" not in err, command
    _, _, err = _run(_argv("report", str(tickets)), out=Terminal())  # written at the end
    assert "tickets/s" in err


@pytest.mark.usefixtures("at_once")
def test_without_tqdm_there_is_no_bar_and_no_word_of_it(tickets, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm raises ImportError
    _progress._bar_class.cache_clear()
    try:
        argv = _argv("refund", str(tickets))
        assert _run(argv) == _run([*argv, "--no-progress"])
        assert _progress.progress_bar(Terminal(), None, "x") is None
    finally:
        _progress._bar_class.cache_clear()


def test_a_run_shorter_than_the_delay_shows_nothing(tmp_path, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(tqdm.std, "time", lambda: clock[0])  # tqdm's clock, for its delay
    monkeypatch.setattr(_progress, "EVERY", 0.0)
    path = tmp_path / "lines.txt"
    path.write_text("x\n" * 50)
    err = Terminal()
    with path.open("rb") as source:
        progress = _progress.progress_bar(err, source, str(path))
        assert progress is not None
        counted = progress.counted(source)
        for _ in range(20):
            next(counted)
            clock[0] += _progress.DELAY / 40
        progress.say("a message\n")
        assert err.getvalue() == "a message\n"  # half the delay: nothing drawn yet
        clock[0] += _progress.DELAY
        next(counted)
        next(counted)
        assert "lines.txt:  " in err.getvalue() and "21 tickets" in err.getvalue()
        counted.close()
    assert err.getvalue().endswith("\r")  # cleared


@pytest.mark.parametrize("command", COMMANDS_WITH_JOBS)
def test_every_command_with_jobs_has_no_progress_and_says_what_the_bar_needs(command):
    code, out, _ = _run([command, "--help"])
    words = " ".join(out.split())
    assert code == 0 and "--no-progress" in words
    assert "pip install 'servicepolicy[progress]'" in words


def test_the_commands_with_jobs_are_those_listed_here():
    have_jobs = []
    for name in COMMANDS:
        _, out, _ = _run([name, "--help"])
        if "--jobs" in out:
            have_jobs.append(name)
    assert sorted(have_jobs) == sorted(COMMANDS_WITH_JOBS)


@pytest.mark.usefixtures("at_once")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_parquet_output_shows_the_bar_and_writes_the_same_rows(tickets, tmp_path, jobs):
    pq = pytest.importorskip("pyarrow.parquet")
    shown, quiet = tmp_path / "shown.parquet", tmp_path / "quiet.parquet"
    base = [
        "evaluate",
        SAAS,
        str(tickets),
        "--as-of",
        AS_OF,
        "--format",
        "parquet",
        "--jobs",
        jobs,
    ]
    code, out, err = _run([*base, "-o", str(shown)])
    plain = _run([*base, "-o", str(quiet), "--no-progress"])
    assert (code, out) == plain[:2]
    assert "tickets.jsonl: " in err and " tickets/s" in err
    assert _on_screen(err) == plain[2]
    assert pq.read_table(shown).equals(pq.read_table(quiet))
