"""The Python API gives what the command line gives, with no private module: tickets read
from files, reports, what-if comparisons and flat rows; and wrong arguments say what to
pass."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

import servicepolicy as sp
from servicepolicy.cli import main
from tests.paths import EXAMPLES

POLICY_PATH = EXAMPLES / "saas-support.yaml"
TICKETS_PATH = EXAMPLES / "saas-support.tickets.jsonl"
POLICY = sp.load_policy(POLICY_PATH)
AS_OF = datetime.fromisoformat("2026-11-23T13:00:00+01:00")
GOOD = '{"id": "A", "created_at": "2026-11-20T09:00:00+01:00", "fields": {"tier": "pro"}}'


def cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(), stdout=out, stderr=err, environ={}, now=AS_OF)
    return code, out.getvalue()


@pytest.fixture
def mixed(tmp_path):
    """A ticket file of a good ticket, a line that is not JSON, a ticket with a naive
    created_at, a line that is not UTF-8, and another good ticket."""
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        b"\n".join(
            [
                GOOD.encode(),
                b"{not json",
                b'{"id": "N", "created_at": "2026-11-20T09:00:00"}',
                b'{"id": "L", "created_at": "2026-11-20T09:00:00Z", "fields": {"x": "\xe9"}}',
                GOOD.replace('"A"', '"B"').encode(),
            ]
        )
        + b"\n"
    )
    return path


def test_read_tickets_streams_tickets_and_unread_records_one_per_line(mixed):
    records = list(sp.read_tickets(mixed))
    assert [type(r).__name__ for r in records] == [
        "Ticket",
        "UnreadTicket",
        "UnreadTicket",
        "UnreadTicket",
        "Ticket",
    ]
    assert [r.line for r in records if isinstance(r, sp.UnreadTicket)] == [2, 3, 4]
    naive = records[2]
    assert isinstance(naive, sp.UnreadTicket)
    assert naive.ticket_id == "N" and naive.error.startswith("line 3: ticket 'N': ")
    assert "not UTF-8 text (byte" in records[3].error  # type: ignore[union-attr]


def test_read_tickets_takes_open_files_and_a_format(mixed):
    with mixed.open("rb") as binary:
        assert len(list(sp.read_tickets(binary))) == 5
        assert not binary.closed
    text = io.StringIO(GOOD + "\n" + GOOD.replace('"A"', '"B"') + "\n")
    assert [t.id for t in sp.read_tickets(text, format="jsonl")] == ["A", "B"]  # type: ignore[union-attr]
    array = io.StringIO("[" + GOOD + "]")
    assert [t.id for t in sp.read_tickets(array, format="json")] == ["A"]  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="format must be one of 'json', 'jsonl', 'csv' or None"):
        list(sp.read_tickets(mixed, format="yaml"))
    with pytest.raises(OSError):
        list(sp.read_tickets(mixed.with_name("missing.jsonl")))


def test_evaluating_what_read_tickets_yields_gives_the_command_lines_records(mixed):
    code, out = cli("evaluate", str(POLICY_PATH), str(mixed), "--format", "jsonl")
    expected = [json.loads(line) for line in out.splitlines()]
    got = [
        json.loads(text) for text in sp.evaluate_many_json(POLICY, sp.read_tickets(mixed), AS_OF)
    ]
    assert code == 1 and len(got) == len(expected) == 5
    for record in expected:  # the command line also says on which line a good ticket was
        if not record["errors"]:
            record["line"] = None
    assert got == expected


def test_report_gives_the_command_lines_json():
    code, out = cli(
        "report", str(POLICY_PATH), str(TICKETS_PATH), "--by", "tier,week", "--format", "json"
    )
    assert code == 0
    made = sp.report(POLICY, sp.read_tickets(TICKETS_PATH), AS_OF, by=["tier", "week"])
    assert isinstance(made, sp.ComplianceReport)
    expected = json.loads(out)
    assert made.as_of == datetime.fromisoformat(expected.pop("as_of"))
    assert made.model_dump(mode="json", exclude={"as_of"}) == expected
    assert made.total.metrics["first_response"].tickets > 0


def test_report_counts_unread_tickets_as_failed(mixed):
    made = sp.report(POLICY, sp.read_tickets(mixed), AS_OF)
    assert (made.tickets, made.evaluated, made.failed) == (5, 2, 3)


def test_compare_policies_gives_the_command_lines_json(tmp_path):
    stricter = tmp_path / "stricter.yaml"
    stricter.write_text(
        POLICY_PATH.read_text(encoding="utf-8").replace("normal: 8h,", "normal: 1m,"),
        encoding="utf-8",
    )
    code, out = cli(
        "compare", str(POLICY_PATH), str(stricter), str(TICKETS_PATH), "--format", "json"
    )
    assert code in (0, 1)
    diff = sp.compare_policies(
        POLICY, sp.load_policy(stricter), sp.read_tickets(TICKETS_PATH), AS_OF
    )
    assert isinstance(diff, sp.PolicyDiff)
    assert diff.model_dump(mode="json") == json.loads(out)
    assert not diff.unchanged


def test_compare_policies_counts_unread_tickets_by_id_or_line(mixed):
    diff = sp.compare_policies(POLICY, POLICY, sp.read_tickets(mixed), AS_OF)
    assert (diff.tickets, diff.compared) == (5, 2)
    assert diff.failed == ["line 2", "N", "L"]


def test_to_rows_are_the_csv_rows_with_typed_values():
    ticket = next(iter(sp.read_tickets(TICKETS_PATH)))
    evaluation = POLICY.evaluate(ticket, AS_OF)
    rows = evaluation.to_rows()
    assert [row["metric"] for row in rows] == list(evaluation.metrics)
    first = next(row for row in rows if row["metric"] == "resolution")
    assert first["ticket_id"] == evaluation.ticket_id and first["as_of"] == AS_OF
    assert first["status"] == evaluation.metrics["resolution"].status
    assert first["started_at"] == evaluation.metrics["resolution"].started_at is not None
    assert isinstance(first["elapsed_seconds"], float) and isinstance(first["escalations"], int)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(first), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    assert len(buffer.getvalue().splitlines()) == 1 + len(rows)


def test_to_rows_have_the_csv_columns_and_an_error_row(tmp_path):
    (bad,) = sp.evaluate_many(POLICY, [{"id": "X", "created_at": "soon"}], AS_OF)
    (row,) = bad.to_rows()
    assert row["status"] == "error" and row["ticket_id"] == "X"
    assert row["error"] == "; ".join(bad.errors) and row["metric"] is None
    _, out = cli("evaluate", str(POLICY_PATH), str(TICKETS_PATH), "--format", "csv")
    assert out.splitlines()[0].split(",") == list(row)


def test_calendar_add_reads_duration_text_and_says_what_to_pass():
    calendar = POLICY.calendars["support-eu"]
    start = datetime(2026, 11, 23, 10, tzinfo=UTC)
    assert calendar.add(start, "4h") == calendar.add(start, timedelta(hours=4))
    assert calendar.add(start, "3bd") == calendar.add_business_days(start, 3)
    with pytest.raises(TypeError, match="duration must be a timedelta or duration text"):
        calendar.add(start, 4)  # type: ignore[arg-type]
    with pytest.raises(sp.DurationError, match="cannot read duration 'x'"):
        calendar.add(start, "x")
    with pytest.raises(TypeError, match="days must be a whole number, got str"):
        calendar.add_business_days(start, "3")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("A", "2026-11-20T09:00:00Z"), "Ticket created_at must be an aware datetime, got str"),
        ((7, AS_OF), "Ticket id must be a string, got int"),
        (("A", AS_OF, []), "Ticket fields must be a mapping, got list"),
        (("A", AS_OF, {}, [{"type": "agent_reply"}]), "Ticket events must be Event objects"),
    ],
)
def test_a_ticket_made_with_wrong_arguments_says_what_it_needs(args, said):
    with pytest.raises(TypeError, match=said) as info:
        sp.Ticket(*args)
    assert "Ticket.from_dict reads a ticket in its JSON shape" in str(info.value)


def test_a_ticket_takes_its_events_as_a_list_too():
    event = sp.Event(AS_OF, "agent_reply")
    assert sp.Ticket("A", AS_OF - timedelta(hours=1), {}, [event]).events == (event,)  # type: ignore[arg-type]
