"""Compliance reports: the numbers, every format, and the HTML page in a real browser."""

import io
import json
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from servicepolicy._reports import MinuteHistogram
from servicepolicy.cli import main
from tests.chromium import chromium, screenshot

POLICY = "policies/examples/saas-support.yaml"
TICKETS = "policies/examples/saas-support.tickets.jsonl"
AS_OF = "2026-11-30T13:00:00+01:00"


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["report", POLICY, TICKETS, "--as-of", AS_OF, *argv],
        stdout=out,
        stderr=err,
        environ={},
        now=datetime(2026, 11, 30, tzinfo=UTC),
    )
    return code, out.getvalue(), err.getvalue()


def test_json_totals_hand_checked():
    code, out, err = run("--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert (doc["tickets"], doc["evaluated"], doc["failed"]) == (7, 7, 0)
    first = doc["total"]["metrics"]["first_response"]
    # T-1001 met, T-1002 met, T-1003 breached, T-1004 met, T-1005 met, T-1007 breached;
    # T-1006 is created after as_of - 2026-12-23 - so it is not counted.
    assert (first["tickets"], first["met"], first["breached"]) == (6, 4, 2)
    assert first["attainment"] == 66.67
    assert doc["total"]["compensation"] == {"EUR": "800.00"}
    assert "7 tickets in, 7 evaluated, 0 failed" in err


def test_paused_time_totals_are_the_sums_of_the_evaluated_tickets():
    out = io.StringIO()
    main(
        ["evaluate", POLICY, TICKETS, "--as-of", AS_OF, "--format", "jsonl"],
        stdout=out,
        stderr=io.StringIO(),
        environ={},
    )
    evaluated = [json.loads(line) for line in out.getvalue().splitlines()]
    _, report, _ = run("--format", "json")
    total = json.loads(report)["total"]["metrics"]["resolution"]
    for key in ("paused_seconds", "paused_business_seconds"):
        assert total[key] == sum(e["metrics"]["resolution"][key] for e in evaluated)
    # pauses span nights and weekends in this sample: the business part is smaller
    assert 0 < total["paused_business_seconds"] < total["paused_seconds"]


def test_groups_by_field_and_week():
    _, out, _ = run("--format", "json", "--by", "tier,week")
    groups = {tuple(g["group"].values()): g for g in json.loads(out)["groups"]}
    assert ("enterprise", "2026-W47") in groups
    assert groups[("enterprise", "2026-W47")]["tickets"] == 2
    assert sum(g["tickets"] for g in groups.values()) == 7


def test_csv_and_table():
    _, out, _ = run("--format", "csv", "--by", "priority")
    header, *rows = out.splitlines()
    assert header.startswith("group,metric,tickets,met,breached")
    assert any(r.startswith("all,first_response,6,4,2,") for r in rows)
    _, table, _ = run("--by", "priority")
    assert "priority=urgent" in table and "breach causes" in table


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self._row, self._in_td = {}, None, False
        self.data = ""
        self._in_data = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-metric" in attrs:
            self._row = (attrs["data-group"], attrs["data-metric"])
            self.rows[self._row] = []
        elif tag == "td" and self._row:
            self._in_td = True
        elif tag == "script" and attrs.get("id") == "report-data":
            self._in_data = True

    def handle_endtag(self, tag):
        if tag == "tr":
            self._row = None
        elif tag == "td":
            self._in_td = False
        elif tag == "script":
            self._in_data = False

    def handle_data(self, data):
        if self._in_td and self._row:
            self.rows[self._row].append(data)
        if self._in_data:
            self.data += data


def test_html_numbers_match_the_json_report():
    _, page, _ = run("--format", "html", "--by", "priority")
    _, raw, _ = run("--format", "json", "--by", "priority")
    doc = json.loads(raw)
    cells = _Cells()
    cells.feed(page)
    assert "http" not in page.split("<body>", 1)[1].split('id="report-data"')[0]
    for group in doc["groups"]:
        label = ", ".join(f"{k}={v}" for k, v in group["group"].items())
        for metric, stats in group["metrics"].items():
            row = cells.rows[(label, metric)]
            assert row[2:5] == [str(stats["tickets"]), str(stats["met"]), str(stats["breached"])]
    assert json.loads(cells.data) == doc


def test_report_counts_failed_tickets():
    out, err = io.StringIO(), io.StringIO()
    stdin = io.StringIO('{"id": "bad", "created_at": "2026-11-23T09:00:00"}\n')
    code = main(
        ["report", POLICY, "-", "--as-of", AS_OF, "--format", "json"],
        stdin=stdin,
        stdout=out,
        stderr=err,
        environ={},
    )
    assert code == 1
    assert json.loads(out.getvalue())["failed_ids"] == ["bad"]


def test_minute_histogram_quantiles_are_nearest_rank():
    histogram = MinuteHistogram()
    for minutes in (1, 2, 3, 4, 10):
        histogram.add(timedelta(minutes=minutes, seconds=59))
    assert histogram.quantile(0.5) == timedelta(minutes=3)
    assert histogram.quantile(0.9) == timedelta(minutes=10)
    assert MinuteHistogram().quantile(0.5) is None


def test_html_renders_in_headless_chromium_without_console_errors(tmp_path):
    chromium()
    page = tmp_path / "report.html"
    _, html, _ = run("--format", "html", "--by", "priority")
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / "report.png"
    assert screenshot(page, shot) == []
    assert shot.stat().st_size > 10_000


def test_a_true_field_is_written_the_same_in_groups_and_breach_counts():
    from servicepolicy import load_policy
    from servicepolicy._reports import Report

    as_of = datetime.fromisoformat(AS_OF)
    ticket = {
        "id": "B",
        "created_at": "2026-11-02T10:00:00+01:00",
        "fields": {"priority": "urgent", "channel": True},
    }
    report = Report(["channel"], as_of).add_all([load_policy(POLICY).evaluate(ticket, as_of)])
    assert list(report.groups) == [("true",)]
    assert set(report.breaches_by["channel"]) == {"true"}
