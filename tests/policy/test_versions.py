"""Dated policy versions: the version in force at a ticket's creation decides."""

import io
from datetime import datetime
from pathlib import Path

import pytest

from servicepolicy import (
    NaiveDatetimeError,
    PolicyError,
    TicketError,
    evaluate_many,
    load_policy_set,
)
from servicepolicy.cli import main

VERSIONS = Path("policies/examples/versioned")
AS_OF = datetime.fromisoformat("2026-07-02T12:00:00+02:00")

TEMPLATE = """servicepolicy: "1"
name: v
{dates}
sla:
  - name: all
    calendar: 24/7
    targets: {{first_response: {target}}}
"""


def write(tmp_path, name, dates, target="1h"):
    (tmp_path / name).write_text(TEMPLATE.format(dates=dates, target=target))


def test_each_ticket_uses_the_version_in_force_at_creation():
    versions = load_policy_set(VERSIONS)
    assert [v.name for v in versions] == ["Helpdesk (2026 H1)", "Helpdesk (2026 H2)"]
    tickets = [
        {"id": "old", "created_at": "2026-06-30T16:00:00+02:00", "fields": {"priority": "normal"}},
        {"id": "new", "created_at": "2026-07-01T00:00:00+02:00", "fields": {"priority": "normal"}},
        {"id": "before", "created_at": "2025-12-31T23:59:59+01:00"},
    ]
    old, new, before = evaluate_many(versions, tickets, AS_OF)
    assert old.metrics["first_response"].target == "8h"
    assert new.metrics["first_response"].target == "4h"
    assert before.errors and "no version" in before.errors[0]


def test_for_instant_edges():
    versions = load_policy_set(VERSIONS)
    h1, h2 = versions.versions
    assert versions.for_instant(datetime.fromisoformat("2026-01-01T00:00:00+01:00")) is h1
    assert versions.for_instant(datetime.fromisoformat("2026-06-30T23:59:59+02:00")) is h1
    assert versions.for_instant(datetime.fromisoformat("2026-07-01T00:00:00+02:00")) is h2
    with pytest.raises(TicketError):
        versions.for_instant(datetime.fromisoformat("2025-06-01T00:00:00+00:00"))


@pytest.mark.parametrize(
    ("first", "second", "code"),
    [
        (
            "effective_from: 2026-01-01T00:00:00Z\neffective_until: 2026-03-01T00:00:00Z",
            "effective_from: 2026-04-01T00:00:00Z",
            "version-gap",
        ),
        (
            "effective_from: 2026-01-01T00:00:00Z\neffective_until: 2026-05-01T00:00:00Z",
            "effective_from: 2026-04-01T00:00:00Z",
            "version-overlap",
        ),
        (
            "effective_from: 2026-01-01T00:00:00Z",
            "effective_from: 2026-01-01T00:00:00Z",
            "version-overlap",
        ),
        ("", "", "undated-versions"),
    ],
)
def test_gaps_and_overlaps_are_refused(tmp_path, first, second, code):
    write(tmp_path, "a.yaml", first)
    write(tmp_path, "b.yaml", second)
    with pytest.raises(PolicyError) as caught:
        load_policy_set(tmp_path)
    assert code in {f.code for f in caught.value.findings}


def test_validate_reports_version_problems_with_location(tmp_path):
    write(
        tmp_path,
        "a.yaml",
        "effective_from: 2026-01-01T00:00:00Z\neffective_until: 2026-03-01T00:00:00Z",
    )
    write(tmp_path, "b.yaml", "effective_from: 2026-04-01T00:00:00Z")
    out = io.StringIO()
    code = main(["validate", str(tmp_path)], stdout=out, stderr=io.StringIO(), environ={})
    assert code == 1
    assert f"{tmp_path / 'b.yaml'}:3:1: error: no version is in force" in out.getvalue()


def test_contiguous_versions_validate(tmp_path):
    write(
        tmp_path,
        "a.yaml",
        "effective_from: 2026-01-01T00:00:00Z\neffective_until: 2026-03-01T00:00:00Z",
    )
    write(tmp_path, "b.yaml", "effective_from: 2026-03-01T00:00:00Z")
    assert len(load_policy_set(tmp_path)) == 2


def test_until_before_from_is_refused(tmp_path):
    write(
        tmp_path,
        "a.yaml",
        "effective_from: 2026-03-01T00:00:00Z\neffective_until: 2026-01-01T00:00:00Z",
    )
    with pytest.raises(PolicyError, match="not after effective_from"):
        load_policy_set(tmp_path)


def test_evaluate_command_takes_a_directory():
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [
            "evaluate",
            str(VERSIONS),
            str(VERSIONS / "tickets.jsonl"),
            "--as-of",
            AS_OF.isoformat(),
            "--format",
            "jsonl",
        ],
        stdout=out,
        stderr=err,
        environ={},
    )
    assert code == 1  # V-3 predates every version
    assert "3 tickets in, 2 evaluated, 1 failed" in err.getvalue()


def test_a_set_refuses_bad_input_as_a_single_policy_does():
    versions = load_policy_set(VERSIONS)
    policy = versions.versions[-1]
    ticket = {"id": "t2", "created_at": "2026-08-01T10:00:00+02:00"}
    for target in (policy, versions):
        with pytest.raises(NaiveDatetimeError):
            target.evaluate(ticket, datetime(2027, 2, 2))
        with pytest.raises(TicketError) as caught:
            target.evaluate({"id": "t2"}, AS_OF)
        assert str(caught.value).count("t2") == 1
