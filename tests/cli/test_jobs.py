"""``--jobs``: the same bytes on any number of processes, in any chunk size."""

from __future__ import annotations

import io
import json
import random
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicepolicy import load_policy
from servicepolicy._tickets.streams import read_deferred
from servicepolicy.cli import main
from servicepolicy.cli._parallel import jobs_argument, rendered_in_parallel, report_in_parallel
from servicepolicy.cli._shared import WarningTally
from servicepolicy.cli.evaluate import _RENDERERS
from tests.cli.test_evaluate import _BreaksOff
from tests.paths import EXAMPLES

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from malformed_tickets import malformed_line

POLICY = EXAMPLES / "saas-support.yaml"
AS_OF = "2026-12-31T12:00:00+01:00"


def _corpus(count: int, seed: int) -> bytes:
    """Malformed and good lines, with some ids repeated (a duplicate-id warning each)."""
    rng = random.Random(seed)
    lines = [malformed_line(rng, n) for n in range(count)]
    lines += [lines[i] for i in rng.sample(range(count), count // 10)]  # repeated ids
    rng.shuffle(lines)
    return b"".join(line if line.endswith(b"\n") else line + b"\n" for line in lines)


def _command(command: str, path: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [command, str(POLICY), str(path), "--as-of", AS_OF, *argv],
        stdout=out,
        stderr=err,
        environ={},
        now=datetime(2026, 12, 31, tzinfo=UTC),
    )
    return code, out.getvalue(), err.getvalue()


def _run(path: Path, *argv: str) -> tuple[int, str, str]:
    return _command("evaluate", path, *argv)


@pytest.mark.parametrize("output", ["jsonl", "json", "csv", "table"])
@pytest.mark.parametrize("strict", [False, True])
def test_two_and_three_processes_write_the_bytes_of_one(tmp_path, output, strict):
    path = tmp_path / "tickets.jsonl"
    path.write_bytes(_corpus(700, 11))
    extra = ["--strict-input"] if strict else []
    one = _run(path, "--format", output, "--jobs", "1", *extra)
    assert "was seen before in this input" in one[1]  # the corpus repeats ids
    for jobs in ("2", "3"):
        assert _run(path, "--format", output, "--jobs", jobs, *extra) == one


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
    strict=st.booleans(),
)
def test_any_chunk_size_and_number_of_processes_give_the_same_records(
    tmp_path, seed, count, jobs, chunk, strict
):
    path = tmp_path / f"t{seed}.jsonl"
    path.write_bytes(_corpus(count, seed))
    policy = load_policy(POLICY)
    as_of = datetime.fromisoformat(AS_OF)

    def rendered(n: int, size: int) -> list[tuple[str, bool, tuple[str, ...]]]:
        with path.open("rb") as stream:
            records = read_deferred(stream, "auto", str(path))
            return [
                (r.text, r.failed, r.warning_kinds)
                for r in rendered_in_parallel(
                    records,
                    policy,
                    as_of,
                    strict=strict,
                    make_render=_RENDERERS["jsonl"],
                    jobs=n,
                    chunk=size,
                )
            ]

    assert rendered(jobs, chunk) == rendered(1, chunk)


def test_jobs_takes_a_positive_number_or_auto(tmp_path):
    assert jobs_argument("auto") >= 1
    assert jobs_argument("3") == 3
    for bad in ("0", "-1", "many"):
        with pytest.raises(ValueError, match="--jobs must be a positive number or auto"):
            jobs_argument(bad)
    path = tmp_path / "t.jsonl"
    path.write_text("")
    code, _, err = _run(path, "--jobs", "0")
    assert code == 2 and "--jobs must be a positive number or auto, got '0'" in err


def test_a_stream_that_breaks_off_keeps_every_record_read_before_on_any_number_of_processes():
    for jobs in ("1", "2"):
        out, err = io.StringIO(), io.StringIO()
        argv = ["evaluate", str(POLICY), "-", "--as-of", AS_OF, "--format", "jsonl"]
        code = main(
            [*argv, "--jobs", jobs],
            stdin=_BreaksOff(700),
            stdout=out,
            stderr=err,
            environ={},
            now=datetime(2026, 12, 31, tzinfo=UTC),
        )
        assert code == 2 and "cannot read: not UTF-8 text" in err.getvalue()
        ids = [json.loads(line)["ticket_id"] for line in out.getvalue().splitlines()]
        assert ids == [f"B-{i}" for i in range(700)]


def _report(path: Path, *argv: str) -> tuple[int, str, str]:
    return _command("report", path, *argv)


@pytest.mark.parametrize("output", ["json", "table", "csv", "html"])
@pytest.mark.parametrize("strict", [False, True])
def test_a_report_on_two_processes_is_the_report_of_one(tmp_path, output, strict):
    path = tmp_path / "tickets.jsonl"
    path.write_bytes(_corpus(900, 12))
    extra = ["--strict-input"] if strict else []
    one = _report(path, "--format", output, "--by", "priority,week", "--jobs", "1", *extra)
    assert _report(path, "--format", output, "--by", "priority,week", "--jobs", "2", *extra) == one


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 10_000),
    count=st.integers(1, 60),
    chunk=st.integers(1, 9),
    strict=st.booleans(),
)
def test_partial_reports_merge_into_the_report_of_one_process(tmp_path, seed, count, chunk, strict):
    path = tmp_path / f"r{seed}.jsonl"
    path.write_bytes(_corpus(count, seed))
    policy = load_policy(POLICY)
    as_of = datetime.fromisoformat(AS_OF)

    def figures(jobs: int) -> tuple[dict, str]:
        tally = WarningTally()
        with path.open("rb") as stream:
            report = report_in_parallel(
                read_deferred(stream, "auto", str(path)),
                policy,
                as_of,
                strict=strict,
                by=("priority", "week"),
                tally=tally,
                jobs=jobs,
                chunk=chunk,
            )
        return report.to_dict(), tally.line()

    assert figures(2) == figures(1)


def _explain(path: Path, *argv: str) -> tuple[int, str, str]:
    return _command("explain", path, *argv)


@pytest.mark.parametrize("extra", [[], ["--strict-input"], ["--id", "T-400"], ["--id", "nobody"]])
def test_explanations_on_two_processes_are_those_of_one(tmp_path, extra):
    path = tmp_path / "tickets.jsonl"
    path.write_bytes(_corpus(700, 13))
    one = _explain(path, "--jobs", "1", *extra)
    assert _explain(path, "--jobs", "2", *extra) == one
    if extra == ["--id", "T-400"]:
        assert one[1].startswith("ticket T-400 ")
