"""``--jobs`` on ``compare`` and ``refund``: the bytes of one process, on any number of
processes and in any chunk size; and a run stopped by a signal takes its workers with it."""

from __future__ import annotations

import importlib
import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicepolicy import load_policy
from servicepolicy._reports.compare import Comparison, _Bounded
from servicepolicy._tickets.streams import read_deferred, read_tickets
from servicepolicy.cli import main
from servicepolicy.cli._parallel import in_chunks
from servicepolicy.cli._shared import TicketBatch
from servicepolicy.cli.compare import _comparing, compare_tickets
from servicepolicy.cli.refund import _deciding, write_refunds
from tests.cli.test_jobs import _corpus
from tests.paths import EXAMPLES

SAAS = EXAMPLES / "saas-support.yaml"
SHOP = EXAMPLES / "ecommerce.yaml"
AS_OF = "2026-12-31T12:00:00+01:00"
NOW = datetime(2026, 12, 31, tzinfo=UTC)
# The module (the package names a function ``compare`` too), for its MAX_IDS.
compare_module = importlib.import_module("servicepolicy._reports.compare")


@pytest.fixture(scope="module")
def tighter(tmp_path_factory) -> Path:
    """saas-support with tighter first-response targets: tickets flip and due times move."""
    text = SAAS.read_text(encoding="utf-8")
    swaps = [
        ("name: Acme SaaS support", "name: Acme SaaS tighter"),
        (
            "first_response: {urgent: 30m, high: 1h, normal: 4h, low: 8h}",
            "first_response: {urgent: 15m, high: 15m, normal: 4h, low: 8h}",
        ),
    ]
    for old, new in swaps:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path_factory.mktemp("policies") / "tighter.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _refund_corpus(count: int, seed: int) -> bytes:
    """The malformed corpus (ids repeated), with the ecommerce example's tickets among it
    under new ids: some refunds are due, some are not, some lines cannot be read."""
    shop = (EXAMPLES / "ecommerce.tickets.jsonl").read_text(encoding="utf-8").splitlines()
    rng = random.Random(seed)
    lines = _corpus(count, seed).splitlines(keepends=True)
    for n in range(count // 3):
        ticket = json.loads(rng.choice(shop))
        ticket["id"] = f"S-{n}"
        lines.append(json.dumps(ticket).encode() + b"\n")
    rng.shuffle(lines)
    return b"".join(lines)


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--as-of", AS_OF], stdout=out, stderr=err, environ={}, now=NOW)
    return code, out.getvalue(), err.getvalue()


def _records_in(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(1 for _ in read_tickets(stream, "auto", str(path)))


# -- the command line: the bytes of --jobs 1 ---------------------------------------------------


@pytest.mark.parametrize("output", ["text", "json", "jsonl"])
def test_refunds_on_two_and_three_processes_are_the_bytes_of_one(tmp_path, output):
    path = tmp_path / "tickets.jsonl"
    path.write_bytes(_refund_corpus(600, 21))
    one = _cli("refund", str(SHOP), str(path), "--format", output, "--jobs", "1")
    for jobs in ("2", "3"):
        assert _cli("refund", str(SHOP), str(path), "--format", output, "--jobs", jobs) == one
    code, out, err = one
    records = _records_in(path)
    assert err.startswith(f"{records} tickets in, ")  # records in: every line that is one
    if output == "jsonl":
        decided = [json.loads(line) for line in out.splitlines()]
        assert len(decided) == records  # ... is one record out
        assert any(d.get("eligible") for d in decided)
        assert any("error" in d and d["error"].startswith("line ") for d in decided)
        assert code == 1


@pytest.mark.parametrize("output", ["table", "json"])
@pytest.mark.parametrize("by", [[], ["--by", "priority,week"]])
def test_a_comparison_on_two_processes_is_the_bytes_of_one(tmp_path, tighter, output, by):
    path = tmp_path / "tickets.jsonl"
    path.write_bytes(_corpus(700, 22))
    argv = ["compare", str(SAAS), str(tighter), str(path), "--format", output, *by]
    one = _cli(*argv, "--jobs", "1")
    assert _cli(*argv, "--jobs", "2") == one
    code, out, err = one
    assert code == 1 and err.count("\n") > 100  # failed tickets, each said in input order
    assert f"\n{_records_in(path)} tickets in, " in err
    if output == "json":
        diff = json.loads(out)
        assert diff["tickets"] == _records_in(path)
        assert any(change["became_breached_count"] for change in diff["changes"])
        assert any(change["due_moved_count"] for change in diff["changes"])


def test_tickets_without_a_line_or_an_id_are_numbered_by_position_on_any_process(tmp_path, tighter):
    tickets, expected = [], []
    for n in range(700):
        ticket = {"id": f"A-{n}", "created_at": "2026-11-20T10:00:00+01:00"}
        if n % 97 == 0:
            del ticket["id"]
        if n % 13 == 0:
            ticket["created_at"] = "not an instant"
        if n % 97 == 0 or n % 13 == 0:
            expected.append(ticket.get("id", f"#{n + 1}"))  # the n+1-th ticket of the input
        tickets.append(ticket)
    path = tmp_path / "tickets.json"
    path.write_text(json.dumps(tickets, indent=1))  # an array: its tickets have no line
    argv = ["compare", str(SAAS), str(tighter), str(path), "--format", "json"]
    one = _cli(*argv, "--jobs", "1")
    assert _cli(*argv, "--jobs", "2") == one
    diff = json.loads(one[1])
    assert (diff["failed"], diff["tickets"]) == (expected, 700)


def test_the_workers_do_the_work_not_the_main_process(tmp_path, tighter):
    path = tmp_path / "tickets.jsonl"
    path.write_bytes(_corpus(700, 24))
    old, new = load_policy(SAAS), load_policy(tighter)
    as_of = datetime.fromisoformat(AS_OF)
    works = {
        "compare": partial(_comparing, old, new, as_of, ["priority"], timedelta(hours=1)),
        "refund": partial(_deciding, load_policy(SHOP), as_of),
    }
    for name, work in works.items():
        with path.open("rb") as stream:
            records = read_deferred(stream, "auto", str(path))
            items = enumerate(records, 1) if name == "compare" else records
            sent_back = [done is not None for _, done in in_chunks(items, jobs=2, make_work=work)]
        chunks = -(-_records_in(path) // 256)
        assert sent_back == [True] * chunks, name  # every chunk from a worker


# -- any chunk size, any number of processes --------------------------------------------------


def _batch(path: Path, stream, policy, out, err) -> TicketBatch:
    return TicketBatch(policy, stream, str(path), "auto", datetime.fromisoformat(AS_OF), out, err)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 10_000),
    count=st.integers(1, 60),
    jobs=st.integers(2, 3),
    chunk=st.integers(1, 9),
    output=st.sampled_from(["text", "json", "jsonl"]),
)
def test_refunds_in_any_chunk_size_are_the_bytes_of_one_process(
    tmp_path, seed, count, jobs, chunk, output
):
    path = tmp_path / f"r{seed}.jsonl"
    path.write_bytes(_refund_corpus(count, seed))
    policy = load_policy(SHOP)

    def written(n: int) -> tuple[str, str, int]:
        out, err = io.StringIO(), io.StringIO()
        with path.open("rb") as stream:
            done = write_refunds(_batch(path, stream, policy, out, err), output, n, chunk=chunk)
        return out.getvalue(), done.message, done.status

    assert written(jobs) == written(1)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 10_000),
    count=st.integers(1, 60),
    jobs=st.integers(2, 3),
    chunk=st.integers(1, 9),
    cap=st.integers(1, 5),
)
def test_partial_comparisons_merge_into_the_comparison_of_one_process(
    tmp_path, tighter, seed, count, jobs, chunk, cap
):
    path = tmp_path / f"c{seed}.jsonl"
    path.write_bytes(_corpus(count, seed))
    old, new = load_policy(SAAS), load_policy(tighter)
    as_of = datetime.fromisoformat(AS_OF)

    def compared(n: int) -> tuple[dict, str]:
        comparison = Comparison(old, new, as_of, ["priority", "week"], timedelta(0))
        err = io.StringIO()
        with path.open("rb") as stream:
            compare_tickets(comparison, stream, str(path), "auto", err, jobs=n, chunk=chunk)
        return comparison.result().model_dump(mode="json"), err.getvalue()

    # A few ids per list, so that the lists fill up within a chunk or across chunks (the
    # workers are forked with the same cap).
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compare_module, "MAX_IDS", cap)
        one = compared(1)
        assert compared(jobs) == one
    assert len(one[0]["failed"]) == min(cap, one[0]["failed_count"])


@given(
    items=st.lists(st.integers(), max_size=60),
    cuts=st.lists(st.integers(0, 60), max_size=6),
    cap=st.integers(1, 20),
)
def test_bounded_lists_merge_into_the_list_of_one(items, cuts, cap):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compare_module, "MAX_IDS", cap)
        whole: _Bounded[int] = _Bounded()
        for item in items:
            whole.add(item)
        merged: _Bounded[int] = _Bounded()
        edges = sorted({0, len(items), *(cut for cut in cuts if cut <= len(items))})
        for start, end in pairwise(edges):
            part: _Bounded[int] = _Bounded()
            for item in items[start:end]:
                part.add(item)
            merged.merge(part)
    assert (merged.items, merged.count) == (items[:cap], len(items))
    assert (whole.items, whole.count) == (items[:cap], len(items))


# -- stopped by a signal -----------------------------------------------------------------------

SCRIPT = [sys.executable, "-c", "from servicepolicy.cli import entry_point; entry_point()"]


def _leftovers(folder: Path) -> list[Path]:
    return [path for path in folder.iterdir() if path.name.endswith(".part")]


@pytest.mark.parametrize("command", ["refund", "evaluate"])
def test_an_interrupted_run_on_two_processes_stops_its_workers_and_writes_no_file(
    tmp_path, command
):
    target = tmp_path / "out.jsonl"
    argv = [command, str(SAAS), "-", "--as-of", AS_OF, "--format", "jsonl", "--jobs", "2"]
    child = subprocess.Popen(
        [*SCRIPT, *argv, "-o", str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its workers too, for the clean-up below
    )
    try:
        assert child.stdin is not None
        child.stdin.write(_corpus(3000, 23))  # then the input stays open: it waits for more
        child.stdin.flush()
        deadline = time.monotonic() + 60
        # Records written to the unfinished file: the workers have sent results back.
        while time.monotonic() < deadline and not any(
            path.stat().st_size for path in _leftovers(tmp_path)
        ):
            time.sleep(0.05)
        assert any(path.stat().st_size for path in _leftovers(tmp_path)), "never wrote"
        child.send_signal(signal.SIGINT)
        # Ends only once every process holding its stdout and stderr (the workers) has ended.
        _, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None or _group_alive(child.pid):
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    assert child.returncode == 130
    assert not target.exists() and _leftovers(tmp_path) == []
    assert b"Traceback" not in err


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True
