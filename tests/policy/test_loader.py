"""The policy loader against a corpus of broken files, and its guards against hostile input.

``tests/data/bad_policies/`` holds one defect per file; ``expected.json`` maps each file name to the
finding it must produce: line, column, code, path, a piece of the message, the severity when
it is not ``error``, and ``xfail`` (why) while a known bug keeps it from doing so.  Inputs that
are awkward to commit (binary, NUL bytes, huge files) are written from the tests.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from decimal import Decimal

import pytest

from servicepolicy import (
    Finding,
    PolicyError,
    check_policy_file,
    check_policy_text,
    load_policy,
    parse_policy,
)
from servicepolicy._policy import loader
from tests.paths import DATA

BAD = DATA / "bad_policies"
EXPECTED: dict[str, dict[str, str | int]] = json.loads(
    (BAD / "expected.json").read_text(encoding="utf-8")
)
HANG_GUARD_SECONDS = 5.0

VALID = """\
servicepolicy: "1"
name: test
calendars:
  office:
    timezone: Europe/Berlin
    hours:
      mon-fri: ["09:00-17:00"]
sla:
  - name: default
    calendar: office
    targets:
      first_response: 4h
"""


def _corpus_params() -> list[object]:
    params = []
    for name, expected in sorted(EXPECTED.items()):
        marks = []
        if "xfail" in expected:
            marks.append(pytest.mark.xfail(strict=True, reason=str(expected["xfail"])))
        params.append(pytest.param(name, expected, id=name, marks=marks))
    return params


def _assert_finding(findings: list[Finding], expected: dict[str, str | int]) -> None:
    assert len(findings) == 1, "one defect, one finding:\n" + "\n".join(map(str, findings))
    (found,) = findings
    assert (found.line, found.column) == (expected["line"], expected["column"]), str(found)
    assert found.code == expected["code"], str(found)
    assert found.path == expected["path"], str(found)
    assert str(expected["message_contains"]) in found.message, str(found)
    assert found.severity == expected.get("severity", "error"), str(found)


def test_corpus_and_expectations_match():
    files = {p.name for p in BAD.glob("*.yaml")}
    assert files == set(EXPECTED), "every corpus file needs an entry in expected.json"


@pytest.mark.parametrize(("name", "expected"), _corpus_params())
def test_bad_policy_file(name, expected):
    started = time.perf_counter()
    policy, findings = check_policy_file(BAD / name)
    assert time.perf_counter() - started < HANG_GUARD_SECONDS
    _assert_finding(findings, expected)
    for finding in findings:
        assert finding.file == str(BAD / name)
    if expected.get("severity") == "warning":
        assert policy is not None
        assert load_policy(BAD / name).name == policy.name
    else:
        assert policy is None
        with pytest.raises(PolicyError) as info:
            load_policy(BAD / name)
        assert info.value.findings == findings


@pytest.mark.parametrize(("name", "expected"), _corpus_params())
def test_bad_policy_text_gives_the_same_finding(name, expected):
    text = (BAD / name).read_text(encoding="utf-8")
    _, findings = check_policy_text(text, "policy.yaml")
    _assert_finding(findings, expected)
    assert all(f.file == "policy.yaml" for f in findings)


def test_finding_str_is_file_line_column():
    _, (finding,) = check_policy_file(BAD / "unknown-calendar.yaml")
    assert str(finding) == (
        f"{BAD / 'unknown-calendar.yaml'}:10:15: error: unknown calendar 'offcie'; "
        "did you mean 'office'? (at sla[0].calendar) [unknown-calendar]"
    )


# -- bytes that are not a YAML text -----------------------------------------------------------

BYTE_CASES = {
    "binary-garbage": (bytes(range(256)) * 4, 2, 118, "not-text"),
    "png-header": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1, 1, "not-text"),
    "latin-1": (VALID.replace("name: test", "name: caf\xe9").encode("latin-1"), 2, 10, "not-text"),
    "nul-in-value": (VALID.replace("name: test", "name: te\0st").encode(), 2, 9, "not-text"),
    "nul-at-start": (b"\0" + VALID.encode(), 1, 1, "not-text"),
    "control-character": (VALID.replace("name: test", "name: te\x07st").encode(), 2, 9, "not-text"),
}


@pytest.mark.parametrize(("name", "case"), BYTE_CASES.items(), ids=list(BYTE_CASES))
def test_bytes_that_are_not_text(tmp_path, name, case):
    raw, line, column, code = case
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(raw)
    policy, findings = check_policy_file(path)
    assert policy is None
    assert [(f.line, f.column, f.code) for f in findings] == [(line, column, code)]


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + VALID.encode())
    policy, findings = check_policy_file(path)
    assert findings == []
    assert policy is not None
    assert policy.name == "test"


def test_missing_file_is_a_finding_not_an_exception(tmp_path):
    policy, findings = check_policy_file(tmp_path / "nope.yaml")
    assert policy is None
    assert [f.code for f in findings] == ["unreadable"]


# -- scalars keep the meaning they are written with --------------------------------------------


def test_unquoted_time_stays_a_string_in_a_window():
    _, (finding,) = check_policy_file(BAD / "sexagesimal-window.yaml")
    assert "'17:30'" in finding.message
    assert "1050" not in finding.message


def test_no_and_on_stay_strings_and_decimals_keep_their_digits():
    text = VALID.replace(
        "calendar: office\n",
        "calendar: office\n    when: {country: NO, mode: on, fee: 1.10, vip: true}\n",
    )
    text += "  - name: rest\n    calendar: office\n    targets:\n      first_response: 8h\n"
    policy = parse_policy(text)
    spec = policy.sla[0].when.spec
    assert spec == {"country": "NO", "mode": "on", "fee": Decimal("1.10"), "vip": True}
    assert str(spec["fee"]) == "1.10"
    assert policy.sla[0].when.matches({"country": "NO", "mode": "on", "fee": "1.1", "vip": True})
    assert not policy.sla[0].when.matches({"country": False, "mode": True, "fee": 1.1})


# -- several defects: all of them in one run ---------------------------------------------------

SCHEMA_ERRORS = """\
servicepolicy: "1"
name: test
calendars:
  office:
    timezone: Europe/Berln
    hours:
      mon-fir: ["09:00-17:00"]
    holidays:
      - {dates: 2026-01-01}
sla:
  - name: default
    calendar: office
    warn_at: 175%
    targets:
      first_response: 4x
    escalation: standard
escalations:
  standard:
    - {at: breach, notfy: [lead]}
    - {at: soon}
    - {on_event: reopened, count: on}
colour: blue
"""

SEMANTIC_ERRORS = """\
servicepolicy: "1"
name: test
calendars:
  office:
    timezone: Europe/Berlin
    hours:
      mon-fri: ["09:00-17:00"]
sla:
  - name: everyone
    calendar: offcie
    targets:
      first_response: {urgent: 0m, default: 4h, low: 400d}
    escalation: standrd
  - name: vip
    when: {tier: enterprise}
    calendar: office
    targets: {}
escalations:
  standard:
    - {at: breach}
    - {at: 50%, set_priority: urgentt}
"""

YAML_ERRORS = """\
servicepolicy: "1"
name: !!python/object:os.system {}
name: again
calendars:
  a: &x {timezone: UTC}
  b:
    <<: *x
    tz: !zone UTC
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            SCHEMA_ERRORS,
            [
                (5, 15, "invalid-value", "calendars.office.timezone"),
                (7, 7, "invalid-value", "calendars.office.hours.mon-fir"),
                (9, 10, "unknown-key", "calendars.office.holidays[0].dates"),
                (13, 14, "invalid-value", "sla[0].warn_at"),
                (15, 23, "invalid-value", "sla[0].targets.first_response.default"),
                (19, 20, "unknown-key", "escalations.standard[0].notfy"),
                (20, 12, "invalid-value", "escalations.standard[1].at"),
                (21, 35, "wrong-type", "escalations.standard[2].count"),
                (22, 1, "unknown-key", "colour"),
            ],
            id="schema",
        ),
        pytest.param(
            SEMANTIC_ERRORS,
            [
                (9, 5, "unreachable-policy", "sla[0]"),
                (10, 15, "unknown-calendar", "sla[0].calendar"),
                (12, 32, "zero-duration", "sla[0].targets.first_response.urgent"),
                (12, 54, "long-duration", "sla[0].targets.first_response.low"),
                (13, 17, "unknown-escalation", "sla[0].escalation"),
                (17, 14, "no-targets", "sla[1].targets"),
                (21, 12, "escalation-order", "escalations.standard[1].at"),
                (21, 31, "unknown-priority", "escalations.standard[1].set_priority"),
            ],
            id="semantic",
        ),
        pytest.param(
            YAML_ERRORS,
            [
                (2, 7, "unsupported-tag", "name"),
                (3, 1, "duplicate-key", "name"),
                (7, 5, "unsupported-merge", "calendars.b"),
                (8, 9, "unsupported-tag", "calendars.b.tz"),
            ],
            id="yaml",
        ),
    ],
)
def test_every_error_is_reported_in_one_run(text, expected):
    policy, findings = check_policy_text(text, "multi.yaml")
    assert policy is None
    assert [(f.line, f.column, f.code, f.path) for f in findings] == expected
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "multi.yaml")
    assert info.value.findings == findings
    assert f"{sum(f.severity == 'error' for f in findings)} error(s)" in str(info.value)


def test_warnings_do_not_stop_loading():
    policy = load_policy(BAD / "zero-duration.yaml")
    assert policy.sla[0].targets.first_response.default == "0m"


# -- hostile input is refused quickly ----------------------------------------------------------


def _timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    elapsed = time.perf_counter() - started
    assert elapsed < HANG_GUARD_SECONDS, f"took {elapsed:.1f}s"
    return result


def test_fifty_megabyte_file_is_refused_quickly(tmp_path):
    path = tmp_path / "huge.yaml"
    chunk = b"- " + b"x" * 1021 + b"\n"
    with path.open("wb") as out:
        out.write(b'servicepolicy: "1"\nrefunds:\n')
        for _ in range(50 * 1024):
            out.write(chunk)
    assert path.stat().st_size > 50 * 1024 * 1024
    policy, findings = _timed(check_policy_file, path)
    assert policy is None
    assert [f.code for f in findings] == ["too-large"]
    assert "at most" in findings[0].message
    with pytest.raises(PolicyError):
        _timed(load_policy, path)


def test_oversized_text_is_refused_quickly():
    text = 'servicepolicy: "1"\n' + "#" * (50 * 1024 * 1024) + "\n"
    policy, findings = _timed(check_policy_text, text)
    assert policy is None
    assert [(f.line, f.column, f.code) for f in findings] == [(1, 1, "too-large")]
    with pytest.raises(PolicyError):
        _timed(parse_policy, text)


def test_alias_bomb_is_refused_quickly():
    _, findings = _timed(check_policy_file, BAD / "alias-bomb.yaml")
    assert [f.code for f in findings] == ["too-large"]


def test_ten_thousand_deep_nesting_is_refused_quickly(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("servicepolicy: " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    _, findings = _timed(check_policy_file, path)
    assert [(f.line, f.column, f.code) for f in findings] == [(1, 65, "too-deep")]


def test_thousand_deep_block_nesting_is_refused_quickly():
    text = "".join(" " * i + f"k{i}:\n" for i in range(1000))
    _, findings = _timed(check_policy_text, text)
    assert [(f.line, f.column, f.code) for f in findings] == [(51, 51, "too-deep")]


def _alias_chain(links: int, depth: int = 48) -> str:
    """Anchors each nesting ``depth`` levels around an alias to the previous one: shallow as
    written, ``links * depth`` deep once expanded, and well under the node limit."""
    lines = []
    for i in range(links):
        inner = f"*a{i - 1}" if i else "0"
        lines.append(f"k{i}: &a{i} " + "[" * depth + inner + "]" * depth)
    return "\n".join(lines) + "\n"


def test_nesting_through_aliases_is_refused():
    _, findings = _timed(check_policy_text, _alias_chain(60))
    assert [(f.line, f.column, f.code) for f in findings] == [(1, 1, "too-deep")]


def test_loading_a_policy_does_not_read_its_example_tickets(tmp_path, monkeypatch):
    policy = tmp_path / "p.yaml"
    policy.write_text(VALID, encoding="utf-8")
    (tmp_path / "p.tickets.jsonl").write_text('{"id": "A", "fields": {"x": 1}}\n', encoding="utf-8")
    read = []
    monkeypatch.setattr(loader, "example_fields", lambda file: read.append(file) or set())
    load_policy(policy)
    assert read == []
    check_policy_file(policy)
    assert read == [policy]


# -- numbers past what a policy holds (found by fuzzing) ----------------------------------------

_NUMBERS_POLICY = """\
servicepolicy: "1"
name: numbers
sla:
  - name: all
    calendar: 24/7
    targets: {{resolution: 4h}}
escalations:
  path:
    - {{on_event: x, count: {count}}}
compensation:
  currency: EUR
  rounding: half_even
  cap_per_ticket: {cap}
"""


@pytest.mark.parametrize(
    ("count", "cap", "where"),
    [
        ("9" * 4301, "100.00", (9, 28)),
        ("2", "1e999999999", (13, 19)),
        ("2", "0.1e-999999999", (13, 19)),
        ("1" + "0" * 60, "100.00", (9, 28)),
    ],
    ids=["4301-digit count", "huge exponent", "tiny exponent", "61 digits"],
)
def test_a_number_past_what_a_policy_holds_is_a_located_finding(count, cap, where):
    policy, findings = _timed(check_policy_text, _NUMBERS_POLICY.format(count=count, cap=cap))
    assert policy is None
    (finding,) = [f for f in findings if f.code == "number-out-of-range"]
    assert (finding.line, finding.column) == where
    assert "at most 60 digits" in finding.message
    assert len(finding.message) < 200


def test_an_amount_written_as_text_is_bounded_too():
    text = _NUMBERS_POLICY.format(count=2, cap='"1e999999999"')
    policy, findings = check_policy_text(text)
    assert policy is None
    assert any("has more digits than an amount may" in f.message for f in findings)


# -- holiday rules (found by fuzzing: crashes, hangs, rules that never occur) -------------------

_RULE_POLICY = """\
servicepolicy: "1"
name: rules
calendars:
  office:
    timezone: Europe/Berlin
    hours: {{mon-fri: ["09:00-17:00"]}}
    holidays:
      - {{rrule: "{rule}"}}
sla:
  - {{name: all, calendar: office, targets: {{resolution: 4h}}}}
"""


@pytest.mark.parametrize(
    ("rule", "why"),
    [
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH=13: 13 is outside 1..12"),
        ("FREQ=YEARLY;BYHOUR=25", "BYHOUR=25: 25 is outside 0..23"),
        ("FREQ=YEARLY;BYMINUTE=61", "BYMINUTE=61: 61 is outside 0..59"),
        ("FREQ=YEARLY;BYMONTHDAY=0", "BYMONTHDAY=0: 0 is outside 1..31 or -31..-1"),
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL=0: 0 is outside 1..1000"),
        ("FREQ=MINUTELY", "FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY"),
        ("FREQ=SECONDLY", "FREQ must be YEARLY, MONTHLY, WEEKLY or DAILY"),
        ("FREQ=YEARLY;BYDAY=+60MO", "BYDAY=+60MO: '+60MO' counts past the last such weekday"),
        ("FREQ=DAILY;COUNT=2;UNTIL=20261231", "COUNT and UNTIL exclude each other"),
        ("FREQ=MONTHLY;BYDAY=8MO", "BYDAY=8MO: '8MO' counts past the last such weekday"),
        ("FREQ=YEARLY;BYDAY=MX", "BYDAY=MX: 'MX' is not a weekday such as MO or -1FR"),
        ("FREQ=YEARLY;BYEASTER=300", "BYEASTER=300: 300 is outside -80..250"),
        ("FREQ=YEARLY;BYEASTER=-120", "BYEASTER=-120: -120 is outside -80..250"),
        ("FREQ=DAILY;BYHOUR=9,10", "BYHOUR=9,10: a holiday is a date, so give one hour at most"),
        ("FREQ=YEARLY;BYSOMETHING=1", "'BYSOMETHING=1' is not a rule part"),
        ("FREQ=YEARLY;BYMONTH=x", "BYMONTH=X: 'X' is not a whole number"),
    ],
)
def test_a_holiday_rule_that_is_not_one_for_dates_is_a_located_error(rule, why):
    policy, findings = _timed(check_policy_text, _RULE_POLICY.format(rule=rule))
    assert policy is None
    (finding,) = findings
    assert (finding.line, finding.column, finding.code) == (8, 17, "invalid-value")
    assert f"rrule {rule!r} is not a holiday rule: {why}" in finding.message


@pytest.mark.parametrize("start", ["18991231", "22000101", "00010101"])
def test_a_holiday_rule_starting_outside_the_supported_years_is_a_located_error(start):
    rule = f"DTSTART:{start}\\nRRULE:FREQ=YEARLY"
    policy, findings = check_policy_text(_RULE_POLICY.format(rule=rule))
    assert policy is None
    (finding,) = findings
    assert (finding.line, finding.code) == (8, "invalid-value")
    assert "DTSTART must be a date from 1900 to 2199" in finding.message


def test_a_holiday_rule_without_dates_is_a_warning_when_validating_only():
    text = _RULE_POLICY.format(rule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30")
    policy, findings = check_policy_text(text)
    assert policy is not None
    assert [(f.code, f.severity, f.line) for f in findings] == [
        ("rrule-without-dates", "warning", 8)
    ]
    assert check_policy_text(text, warnings=False)[1] == []  # loading does not pay for it


def test_a_good_easter_rule_evaluates():
    text = _RULE_POLICY.format(rule="FREQ=YEARLY;BYEASTER=-2")  # Good Friday
    policy = parse_policy(text)
    good_friday = datetime.fromisoformat("2026-04-03T10:00:00+02:00")
    assert not policy.calendar("office").is_open(good_friday)


@pytest.mark.parametrize(
    ("zone", "said"),
    [
        ("Europe", "unknown time zone 'Europe'; did you mean"),
        ("x" * 300, "unknown time zone 'xxxxxxxxxx"),
        ("../../etc/passwd", "unknown time zone '../../etc/passwd'"),
    ],
    ids=["a folder of the zone database", "300 characters", "a path"],
)
def test_a_zone_name_that_is_no_zone_is_an_unknown_time_zone(zone, said):
    text = VALID.replace("Europe/Berlin", zone)
    policy, findings = _timed(check_policy_text, text)
    assert policy is None
    (finding,) = findings
    assert finding.code == "invalid-value" and said in finding.message
    assert len(finding.message) < 200


@pytest.mark.parametrize("escape", ["U00110000", "U80000000", "UFFFFFFFF"])
def test_an_escape_past_unicode_is_a_located_syntax_error(escape):
    policy, findings = check_policy_text(f'servicepolicy: "1"\nname: "caf\\{escape}"\n')
    assert policy is None
    assert [(f.line, f.column, f.code) for f in findings] == [(2, 11, "yaml-syntax")]
    assert findings[0].message == "YAML syntax: an escape names no Unicode character"


def test_an_empty_when_is_a_catch_all_that_may_come_last():
    text = (BAD / "empty-when-not-last.yaml").read_text(encoding="utf-8")
    text = text.replace("    when: {}\n", "    when: {tier: gold}\n").replace(
        "  - name: rest\n", "  - name: rest\n    when: {}\n"
    )
    policy = parse_policy(text)
    assert policy.sla[1].when is not None
    ticket = {"id": "t", "created_at": "2026-11-20T09:00:00Z", "fields": {"tier": "bronze"}}
    evaluation = policy.evaluate(ticket, datetime.fromisoformat("2026-11-20T10:00:00+00:00"))
    assert evaluation.policy == "rest"
