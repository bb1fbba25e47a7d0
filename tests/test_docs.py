"""The documentation names only public things (no user-facing page sends a reader into a
private module; docs/design.md, the maintainers' page, says where things live), and it runs:
every ``>>>`` example, and every command shown with its output."""

from __future__ import annotations

import doctest
import io
import re
import shlex
from datetime import UTC, datetime

import pytest

from servicepolicy.cli import main
from tests.paths import ROOT

MAINTAINERS = {"design.md"}
PRIVATE = re.compile(
    r"servicepolicy\._|(?<![\w/])_(common|calendar|tickets|policy|evaluation|reports)\b"
)
PAGES = [
    page
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
    if page.name not in MAINTAINERS
]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_a_public_page_names_no_private_module(page):
    text = page.read_text(encoding="utf-8")
    named = sorted({m.group(0) for m in PRIVATE.finditer(text)})
    assert not named, f"{page.name} names private modules: {named}"


def test_the_design_page_says_where_things_live():
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    assert "## Where things live" in text
    for package in ("_common", "_calendar", "_tickets", "_policy", "_evaluation", "_reports"):
        assert f"{package}/" in text, package


# -- documentation that runs -------------------------------------------------------------------

EXAMPLE_PAGES = [
    page
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
    if ">>> " in page.read_text(encoding="utf-8")
]
CONSOLE = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_the_readme_has_a_python_example_to_run():
    assert ROOT / "README.md" in EXAMPLE_PAGES


@pytest.mark.parametrize("page", EXAMPLE_PAGES, ids=[p.name for p in EXAMPLE_PAGES])
def test_every_python_example_in_a_page_runs_as_shown(page, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)  # the examples name files relative to a checkout
    failed, attempted = doctest.testfile(
        str(page), module_relative=False, optionflags=doctest.ELLIPSIS, encoding="utf-8"
    )
    report = capsys.readouterr().out
    assert attempted > 0
    assert failed == 0, report


def _transcripts() -> list[tuple[str, int, str]]:
    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]:
        text = page.read_text(encoding="utf-8")
        for match in CONSOLE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append((page.name, line, match.group(1)))
    return found


TRANSCRIPTS = _transcripts()


def test_the_command_line_pages_show_transcripts():
    assert {name for name, _, _ in TRANSCRIPTS} >= {"cli.md", "policy-format.md"}


@pytest.mark.parametrize(
    "transcript", TRANSCRIPTS, ids=[f"{name}:{line}" for name, line, _ in TRANSCRIPTS]
)
def test_every_command_shown_in_the_docs_prints_what_is_shown(transcript, monkeypatch):
    """Each ``$ servicepolicy ...`` line of a ```console block runs, from the root of a
    checkout, and prints (standard output, then standard error) the lines under it; ``...``
    stands for any text.  ``$ echo $?`` shows the exit status of the command before it."""
    monkeypatch.chdir(ROOT)
    checker = doctest.OutputChecker()
    status = None
    steps = re.split(r"^\$ ", transcript[2], flags=re.MULTILINE)[1:]
    assert steps, "a console block starts with a command"
    for step in steps:
        command, _, shown = step.partition("\n")
        if command == "echo $?":
            assert f"{status}\n" == shown, f"exit status of the command before {command!r}"
            continue
        argv = shlex.split(command)
        assert argv[0] == "servicepolicy", command
        out, err = io.StringIO(), io.StringIO()
        status = main(argv[1:], stdin=io.StringIO(), stdout=out, stderr=err, environ={}, now=NOW)
        printed = out.getvalue() + err.getvalue()
        assert checker.check_output(shown, printed, doctest.ELLIPSIS), (
            f"$ {command}\nshown:\n{shown}\nprinted:\n{printed}"
        )
