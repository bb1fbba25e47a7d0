"""What-if replay of a policy change: ``compare_policies`` and the ``compare`` command hooks."""

import importlib.util
import io
import json
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from servicepolicy import Ticket, load_policy
from servicepolicy._reports import MAX_IDS, PolicyDiff, compare_policies
from servicepolicy.cli import main
from tests.paths import ROOT

EXAMPLES = ROOT / "policies" / "examples"
SAAS = EXAMPLES / "saas-support.yaml"
SAAS_TICKETS = EXAMPLES / "saas-support.tickets.jsonl"
SHOP = EXAMPLES / "ecommerce.yaml"
SHOP_TICKETS = EXAMPLES / "ecommerce.tickets.jsonl"
AS_OF = datetime.fromisoformat("2026-12-31T12:00:00+01:00")
NOW = datetime(2026, 12, 31, 11, 0, tzinfo=UTC)


def _edited(source: Path, target: Path, *swaps: tuple[str, str]) -> Path:
    text = source.read_text(encoding="utf-8")
    for old, new in swaps:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    target.write_text(text, encoding="utf-8")
    return target


@pytest.fixture
def tighter(tmp_path):
    """The saas example with tighter first-response targets (enterprise high, business normal)."""
    return _edited(
        SAAS,
        tmp_path / "tighter.yaml",
        ("name: Acme SaaS support", "name: Acme SaaS tighter"),
        (
            "first_response: {urgent: 30m, high: 1h, normal: 4h, low: 8h}",
            "first_response: {urgent: 15m, high: 15m, normal: 4h, low: 8h}",
        ),
        (
            "first_response: {urgent: 1h, high: 2h, normal: 8h, low: 1bd}",
            "first_response: {urgent: 1h, high: 2h, normal: 1h, low: 1bd}",
        ),
    )


@pytest.fixture
def stingier(tmp_path):
    """The ecommerce example paying 10 % instead of 20 % for a delivery fix a day late."""
    return _edited(
        SHOP,
        tmp_path / "stingier.yaml",
        ("{late_from: 1bd, percent: 20}", "{late_from: 1bd, percent: 10}"),
    )


def _tickets(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _synthetic():
    spec = importlib.util.spec_from_file_location(
        "_bench_evaluate", ROOT / "benchmarks" / "evaluate.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.synthetic_ticket


def _change(diff: PolicyDiff, metric: str, **group: str):
    (found,) = [c for c in diff.changes if c.metric == metric and c.group == group]
    return found


# -- Python API --------------------------------------------------------------------------------


def test_a_policy_compared_with_itself_is_unchanged_on_many_tickets():
    synthetic_ticket = _synthetic()
    rng = random.Random(7)
    policy = load_policy(SAAS)
    tickets = (synthetic_ticket(rng, number) for number in range(2000))  # a generator: streamed
    diff = compare_policies(policy, policy, tickets, AS_OF, by=["priority", "tier"])
    assert diff.unchanged
    assert (diff.tickets, diff.compared, diff.failed_count) == (2000, 2000, 0)
    assert len(diff.changes) == 4 * 4 * 4  # priorities x tiers x metrics
    assert sum(c.tickets for c in diff.changes) == 2000 * 4
    for change in diff.changes:
        assert change.became_breached_count == change.became_met_count == 0
        assert change.due_moved_count == 0
        assert change.attainment_before == change.attainment_after
    assert any(c.breached_before for c in diff.changes)  # the data does exercise breaches
    assert diff.compensation_before == diff.compensation_after
    assert Decimal(diff.compensation_before["EUR"]) > 0
    assert diff.compensation_change == {"EUR": "0.00"}


def test_a_tighter_target_flips_the_expected_tickets(tighter):
    diff = compare_policies(load_policy(SAAS), load_policy(tighter), _tickets(SAAS_TICKETS), AS_OF)
    assert (diff.old_policy, diff.new_policy) == ("Acme SaaS support", "Acme SaaS tighter")
    assert not diff.unchanged
    first = _change(diff, "first_response")
    assert first.became_breached == ["T-1001", "T-1002", "T-1005"]
    assert first.became_breached_count == 3
    assert first.became_met == []
    assert (first.met_before, first.breached_before) == (5, 2)
    assert (first.met_after, first.breached_after) == (2, 5)
    assert first.attainment_before == 71.43 and first.attainment_after == 28.57
    # only T-1002's due time moves by more than the default hour (a Friday → the Monday before)
    (move,) = first.due_moved
    assert move.ticket_id == "T-1002" and move.metric == "first_response"
    assert move.before.isoformat() == "2026-11-23T16:30:00+01:00"
    assert move.after.isoformat() == "2026-11-20T16:30:00+01:00"
    assert move.shift_seconds == -3 * 86400
    for metric in ("next_response", "periodic_update", "resolution"):
        assert not _change(diff, metric).changed
    # T-1001 (enterprise) now also earns the late-first-response credit: 2 % of 1200.00
    assert diff.compensation_before == {"EUR": "800.00"}
    assert diff.compensation_after == {"EUR": "824.00"}
    assert diff.compensation_change == {"EUR": "24.00"}


def test_the_threshold_filters_due_moves(tighter):
    old, new, tickets = load_policy(SAAS), load_policy(tighter), _tickets(SAAS_TICKETS)

    def moved(threshold):
        diff = compare_policies(old, new, tickets, AS_OF, threshold=threshold)
        return {(m.ticket_id, m.shift_seconds) for m in _change(diff, "first_response").due_moved}

    assert moved(timedelta(minutes=30)) == {
        ("T-1001", -2700.0),
        ("T-1002", -259200.0),
        ("T-1005", -2700.0),
    }
    assert moved(timedelta(minutes=45)) == {("T-1002", -259200.0)}  # strictly more than
    assert moved(timedelta(days=3)) == set()
    assert moved(timedelta(0)) == moved(timedelta(minutes=30))


def test_grouping_by_priority_uses_fields_at_as_of(tighter):
    old, new, tickets = load_policy(SAAS), load_policy(tighter), _tickets(SAAS_TICKETS)
    diff = compare_policies(old, new, tickets, AS_OF, by=["priority"])
    groups = {c.group["priority"] for c in diff.changes}
    assert groups == {"urgent", "high", "normal", "low"}
    # T-1001 was raised to urgent on 2026-11-23: at as_of it counts as urgent
    assert _change(diff, "first_response", priority="urgent").became_breached == ["T-1001"]
    assert _change(diff, "first_response", priority="high").became_breached == ["T-1005"]
    assert _change(diff, "first_response", priority="normal").became_breached == ["T-1002"]
    assert _change(diff, "first_response", priority="low").became_breached == []
    assert _change(diff, "resolution", priority="normal").tickets == 3
    # before the priority change, T-1001 is still high
    early = compare_policies(
        old, new, tickets, datetime(2026, 11, 23, 9, 0, tzinfo=UTC), by=["priority"]
    )
    assert "T-1001" in _change(early, "first_response", priority="high").became_breached


def test_grouping_by_week_and_a_missing_field(tighter):
    old, new, tickets = load_policy(SAAS), load_policy(tighter), _tickets(SAAS_TICKETS)
    diff = compare_policies(old, new, tickets, AS_OF, by=["week", "region"])
    weeks = {c.group["week"]: c.tickets for c in diff.changes if c.metric == "resolution"}
    assert weeks == {"2026-W47": 4, "2026-W48": 2, "2026-W52": 1}
    assert {c.group["region"] for c in diff.changes} == {"(none)"}
    assert list(diff.changes[0].group) == ["week", "region"]
    w47 = _change(diff, "first_response", week="2026-W47", region="(none)")
    assert w47.became_breached == ["T-1001", "T-1002", "T-1005"]


def test_a_different_percent_changes_the_compensation(stingier):
    diff = compare_policies(load_policy(SHOP), load_policy(stingier), _tickets(SHOP_TICKETS), AS_OF)
    assert not diff.unchanged
    assert all(not c.changed for c in diff.changes)  # only the money differs
    assert diff.compensation_before == {"EUR": "105.88"}
    assert diff.compensation_after == {"EUR": "80.44"}
    assert diff.compensation_change == {"EUR": "-25.44"}


def test_bad_tickets_are_counted_and_the_rest_go_on():
    policy = load_policy(SAAS)
    tickets = [
        *_tickets(SAAS_TICKETS)[:2],
        {"id": "BAD-1", "created_at": "2026-11-23T09:00:00"},  # no offset
        {"created_at": "2026-11-23T09:00:00Z"},  # no id
        Ticket.from_dict(_tickets(SAAS_TICKETS)[2]),
    ]
    diff = compare_policies(policy, policy, tickets, AS_OF)
    assert (diff.tickets, diff.compared, diff.failed_count) == (5, 3, 2)
    assert diff.failed == ["BAD-1", "#4"]
    assert diff.unchanged


def test_id_lists_are_bounded_with_full_counts(tighter):
    old, new = load_policy(SAAS), load_policy(tighter)
    template = _tickets(SAAS_TICKETS)[1]  # T-1002 flips to breached
    tickets = ({**template, "id": f"X-{n}"} for n in range(MAX_IDS + 5))
    diff = compare_policies(old, new, tickets, AS_OF, threshold=timedelta(0))
    first = _change(diff, "first_response")
    assert first.became_breached_count == first.due_moved_count == MAX_IDS + 5
    assert len(first.became_breached) == len(first.due_moved) == MAX_IDS
    assert first.became_breached[:2] == ["X-0", "X-1"]


def test_the_diff_round_trips_through_json(tighter):
    diff = compare_policies(load_policy(SAAS), load_policy(tighter), _tickets(SAAS_TICKETS), AS_OF)
    data = diff.model_dump(mode="json")
    assert data["unchanged"] is False
    again = PolicyDiff.model_validate(data)
    assert again.model_dump(mode="json") == data


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": ["week", "week"]}, "twice"),
        ({"by": [""]}, "non-empty"),
        ({"threshold": timedelta(hours=-1)}, "negative"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, message):
    policy = load_policy(SAAS)
    with pytest.raises(ValueError, match=message):
        compare_policies(policy, policy, [], AS_OF, **kwargs)


def test_a_naive_as_of_is_refused():
    policy = load_policy(SAAS)
    with pytest.raises(ValueError, match="no time zone"):
        compare_policies(policy, policy, [], datetime(2026, 12, 31, 12))


# -- command line ------------------------------------------------------------------------------


def _cli(*argv, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    arguments = ["compare", *(str(a) for a in argv)]
    code = main(arguments, stdin=io.StringIO(stdin), stdout=out, stderr=err, now=NOW)
    return code, out.getvalue(), err.getvalue()


def test_cli_table(tighter):
    code, out, err = _cli(SAAS, tighter, SAAS_TICKETS, "--by", "priority", "--threshold", "30m")
    assert code == 0
    assert out.startswith("Acme SaaS support -> Acme SaaS tighter, as of 2026-12-31T11:00:00+00:00")
    assert "7 of 7 tickets compared, 0 failed" in out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("priority"))
    assert header.split()[:4] == ["priority", "metric", "tickets", "before"]
    row = next(line for line in lines if line.startswith("normal") and "first_response" in line)
    assert row.split()[2:6] == ["3", "66.67%", "(2/3)", "33.33%"]
    assert row.split()[7:] == ["-33.33", "1", "0", "1"]
    assert "  first_response [priority=urgent] (1): T-1001" in lines
    assert "breached -> met: none" in lines
    assert "    T-1002: 2026-11-23T16:30:00+01:00 -> 2026-11-20T16:30:00+01:00 (-3d)" in lines
    assert "    T-1005: 2026-11-16T09:00:00+01:00 -> 2026-11-16T08:15:00+01:00 (-45m)" in lines
    assert any(line.split() == ["EUR", "800.00", "824.00", "+24.00"] for line in lines)
    assert lines[-1] == "changed"
    assert max(map(len, lines)) <= 110
    assert "7 tickets in, 7 compared, 0 failed (as of 2026-12-31T11:00:00+00:00)" in err


def test_cli_json(tighter):
    code, out, _ = _cli(SAAS, tighter, SAAS_TICKETS, "--as-of", AS_OF.isoformat(), "--format=json")
    assert code == 0
    data = json.loads(out)
    expected = compare_policies(
        load_policy(SAAS), load_policy(tighter), _tickets(SAAS_TICKETS), AS_OF
    )
    assert data == expected.model_dump(mode="json")
    assert data["as_of"] == "2026-12-31T12:00:00+01:00"
    assert data["threshold_seconds"] == 3600


def test_cli_same_policy_is_unchanged():
    code, out, _ = _cli(SAAS, SAAS, SAAS_TICKETS)
    assert code == 0
    assert out.splitlines()[-1] == "unchanged"
    assert "met -> breached: none" in out
    assert "due times moved by more than 1h: none" in out


def test_cli_bad_line_counts_as_failed_and_the_rest_go_on(tighter):
    lines = SAAS_TICKETS.read_text(encoding="utf-8").splitlines()
    stdin = "\n".join([lines[0], "not json", lines[1], '{"id": "N", "created_at": "x"}']) + "\n"
    code, out, err = _cli(SAAS, tighter, "-", "--format", "json", stdin=stdin)
    assert code == 1
    data = json.loads(out)
    assert (data["tickets"], data["compared"], data["failed_count"]) == (4, 2, 2)
    assert data["failed"] == ["line 2", "N"]
    assert data["changes"][0]["became_breached"] == ["T-1001", "T-1002"]
    assert "line 2: not valid JSON" in err
    assert "line 4: ticket 'N': created_at 'x' is not an ISO 8601 instant" in err
    assert "4 tickets in, 2 compared, 2 failed" in err


def test_cli_csv_input():
    stdin = (
        "id,created_at,priority,tier,first_response_at,resolved_at\n"
        "X1,2026-11-23T09:00:00+01:00,high,business,2026-11-23T09:30:00+01:00,\n"
    )
    code, out, _ = _cli(SAAS, SAAS, "-", "--input-format", "csv", "--format", "json", stdin=stdin)
    assert code == 0
    assert json.loads(out)["compared"] == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--as-of", "2026-12-31T12:00:00"], "has no UTC offset"),
        (["--as-of", "yesterday"], "is not an ISO 8601 instant"),
        (["--threshold", "3bd"], "business days"),
        (["--threshold", "soon"], "cannot read duration"),
        (["--by", "week,week"], "given twice"),
    ],
)
def test_cli_usage_errors_exit_2_with_one_line(extra, message):
    code, out, err = _cli(SAAS, SAAS, SAAS_TICKETS, *extra)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and message in err
    assert err.startswith("servicepolicy: error: ")


def test_cli_missing_tickets_file_exits_2(tmp_path):
    code, _, err = _cli(SAAS, SAAS, tmp_path / "nope.jsonl")
    assert code == 2
    assert err.count("\n") == 1 and "cannot read" in err


def test_cli_bad_policy_prints_each_finding_and_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text('servicepolicy: "1"\nname: x\nsla: []\nbogus: 1\n', encoding="utf-8")
    code, out, err = _cli(SAAS, bad, SAAS_TICKETS)
    assert code == 2
    assert out == ""
    findings = err.splitlines()
    assert len(findings) >= 2
    assert all(line.startswith(str(bad)) for line in findings)


def test_cli_missing_policy_exits_2(tmp_path):
    code, _, err = _cli(tmp_path / "absent.yaml", SAAS, SAAS_TICKETS)
    assert code == 2
    assert "absent.yaml" in err


def test_cli_a_ticket_line_that_is_not_utf8_fails_alone(tmp_path):
    tickets = tmp_path / "tickets.jsonl"
    tickets.write_bytes(
        '{"id": "Café", "created_at": "2026-11-20T10:00:00+01:00"}\n'.encode("latin-1")
        + SAAS_TICKETS.read_bytes()
    )
    code, _, err = _cli(SAAS, SAAS, tickets)
    assert code == 1
    assert "line 1: not UTF-8 text (byte 11: invalid continuation byte)" in err
    assert "8 tickets in, 7 compared, 1 failed" in err
