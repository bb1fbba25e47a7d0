"""Holiday rules, fuzzed: RRULE text with valid and invalid frequencies, intervals, BY* parts
in and out of range, BYEASTER, COUNT and UNTIL, DTSTART lines and garbage, as a holiday of a
calendar that may also have seasons.  Validating gives a located finding or a calendar; a
calendar that comes back answers clock queries and evaluates tickets within the hang guard."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from servicepolicy import Calendar, ServicePolicyError, check_policy_text, parse_policy
from servicepolicy._calendar.recurrence import FREQUENCIES, RANGES
from tests.fuzz.support import (
    BAD_TICKETS,
    HANG_GUARD_SECONDS,
    assert_evaluates,
    assert_well_formed,
    hang_guard,
)

OTHER_FREQUENCIES = ("HOURLY", "MINUTELY", "SECONDLY", "yearly", "Monthly", "", "FORTNIGHTLY")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _numbers(part: str) -> st.SearchStrategy[str]:
    """A list of numbers for ``part``: mostly in range, some outside it, some not numbers."""
    low, high, negative = RANGES[part]
    if part == "COUNT":
        high = 1000  # a count in the thousands is expanded like any other
    if negative:
        inside = st.one_of(st.integers(low, high), st.integers(-high, -low))
    else:
        inside = st.integers(low, high)
    outside = st.one_of(
        st.integers(high + 1, high + 1000),
        st.integers(-high - 1000, -high - 1) if negative else st.integers(low - 1000, low - 1),
        st.sampled_from((10**30, -(10**30), 2**63)),
    )
    if negative:
        outside = st.one_of(outside, st.just(0))
    garbage = st.sampled_from(("", "x", "1.5", " 3", "+2", "\u0663", "1e3", "0x10", "--1"))
    one = st.one_of(*[inside.map(str)] * 12, outside.map(str), garbage)
    return st.lists(one, min_size=1, max_size=3).map(",".join)


_WEEKDAY = st.builds(
    lambda sign, n, day: f"{sign}{n}{day}",
    st.sampled_from(("", "", "+", "-")),
    st.one_of(st.just(""), st.just(""), st.integers(0, 60).map(str)),
    st.sampled_from((*DAYS, *DAYS, "XX", "mo", "")),
)
_UNTIL = st.sampled_from(
    (
        "20261231",
        "20261231T000000",
        "20261231T000000Z",
        "21991231",
        "99991231",
        "19000101",
        "18000101",
        "00010101",
        "20260230",
        "2026",
        "garbage",
        "",
    )
)
_GARBAGE_PART = st.one_of(
    st.sampled_from(("garbage", "=", "X=1", "BYMONTH", "FREQ", "RRULE:FREQ=DAILY", "WKST=XX")),
    st.text(max_size=8),
)


@st.composite
def _rrule_texts(draw) -> str:
    """An RRULE for a holiday: mostly well formed, with parts in and out of range."""
    frequency = draw(st.sampled_from((*FREQUENCIES * 5, *OTHER_FREQUENCIES)))
    parts = [] if draw(st.integers(0, 30)) == 0 else [f"FREQ={frequency}"]
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from((*RANGES, "BYDAY", "BYWEEKDAY", "UNTIL", "WKST", "junk")))
        if kind == "junk" and draw(st.booleans()):
            continue
        if kind in RANGES:
            parts.append(f"{kind}={draw(_numbers(kind))}")
        elif kind in ("BYDAY", "BYWEEKDAY"):
            days = st.lists(_WEEKDAY, min_size=1, max_size=3).map(",".join)
            parts.append(f"{kind}={draw(days)}")
        elif kind == "UNTIL":
            parts.append(f"UNTIL={draw(_UNTIL)}")
        elif kind == "WKST":
            parts.append(f"WKST={draw(st.sampled_from(DAYS))}")
        else:
            parts.append(draw(_GARBAGE_PART))
    parts = draw(st.permutations(parts))
    rule = ";".join(parts)
    if draw(st.booleans()):
        rule = rule.lower() if draw(st.integers(0, 5)) == 0 else rule
    wrap = draw(st.sampled_from(("plain", "plain", "plain", "prefix", "dtstart", "exdate", "two")))
    if wrap == "prefix":
        rule = "RRULE:" + rule
    elif wrap == "dtstart":
        start = draw(
            st.sampled_from(
                (
                    *("20200101", "19000101", "21000101", "20200101T000000", "20200101T000000Z"),
                    *("00010101", "99991231", "x", ""),
                )
            )
        )
        rule = f"DTSTART:{start}\nRRULE:{rule}"
    elif wrap == "exdate":
        rule += "\nEXDATE:20260101"
    elif wrap == "two":
        rule += "\nRRULE:" + rule
    return rule


def rrules() -> st.SearchStrategy[str]:
    """Holiday rules, mostly well formed."""
    return _rrule_texts()


def _instants() -> st.SearchStrategy[datetime]:
    """Instants anywhere in the supported years, and a few just outside them."""
    inside = st.datetimes(
        min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30), timezones=st.just(UTC)
    )
    edges = st.sampled_from(
        (
            datetime(1900, 1, 1, tzinfo=UTC),
            datetime(2199, 12, 31, 23, 59, tzinfo=UTC),
            datetime(1899, 12, 31, tzinfo=UTC),
            datetime(2200, 1, 1, tzinfo=UTC),
            datetime(2026, 4, 5, 12, tzinfo=UTC),
        )
    )
    return st.one_of(inside, inside, edges)


_SEASONS = st.lists(
    st.builds(
        lambda year, hours: {
            "from": f"{year}-06-01",
            "to": f"{year}-08-31",
            "hours": {"daily": [hours]},
        },
        st.integers(1990, 2060),
        st.sampled_from(("10:00-16:00", "08:00-20:00", "22:00-06:00")),
    ),
    max_size=2,
    unique_by=lambda season: season["from"],
)


def _calendar(rule: str, hours: list[str] | None, seasons: list[dict]) -> dict:
    holiday: dict = {"rrule": rule, "name": "fuzzed"}
    if hours is not None:
        holiday["hours"] = hours
    return {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": ["09:00-17:00"]},
        "holidays": [{"date": "2026-12-25"}, holiday],
        "seasons": seasons,
    }


_HOLIDAY_HOURS = st.sampled_from((None, None, ["10:00-12:00"], ["00:00-24:00"]))


@given(
    rule=rrules(),
    hours=_HOLIDAY_HOURS,
    seasons=_SEASONS,
    base=_instants(),
    offsets=st.lists(st.integers(-60 * 24 * 60, 60 * 24 * 60), min_size=1, max_size=3),
    minutes=st.sampled_from((0, 1, 60, 600, 10_000, 1_000_000)),
    days=st.sampled_from((0, 1, 5, 100)),
)
def test_a_holiday_rule_gives_a_calendar_or_a_validation_error(
    rule, hours, seasons, base, offsets, minutes, days
):
    # The instants asked about lie within weeks of each other: a clock covers the years
    # between the instants it is asked about, and all of them would cost a second each.
    moments = [base + timedelta(minutes=offset) for offset in offsets]
    with hang_guard():
        try:
            calendar = Calendar.model_validate(_calendar(rule, hours, seasons))
        except ValidationError as exc:
            assert exc.errors()
            return
        for moment in moments:
            try:
                calendar.is_open(moment)
                calendar.next_open(moment)
                calendar.add(moment, timedelta(minutes=minutes))
                calendar.elapsed(moment, moment + timedelta(days=40))
                calendar.add_business_days(moment, days)
            except ServicePolicyError:  # outside the supported years, or never open again
                pass


POLICY = """\
servicepolicy: "1"
name: fuzzed holidays
calendars:
  office:
    timezone: Europe/Berlin
    hours:
      mon-fri: ["09:00-17:00"]
    holidays:
      - {{rrule: {rule}, name: fuzzed{hours}}}
    seasons: {seasons}
sla:
  - name: everyone
    calendar: office
    targets: {{first_response: 4h, resolution: 2bd}}
"""
HOLIDAY_LINE = 9


def _tickets(base: datetime, hours: list[int]) -> list:
    """Tickets created near ``base`` (a clock covers the years between the instants it is
    asked about, so they stay close together), and some that cannot be evaluated."""
    tickets = []
    for n, offset in enumerate(hours):
        created = base + timedelta(hours=offset)
        reply = created + timedelta(hours=30)
        tickets.append(
            {
                "id": f"R-{n}",
                "created_at": created.isoformat(),
                "fields": {"priority": "high"},
                "events": [{"at": reply.isoformat(), "type": "agent_reply"}],
            }
        )
    return tickets + BAD_TICKETS


@given(
    rule=rrules(),
    hours=_HOLIDAY_HOURS,
    seasons=_SEASONS,
    base=_instants(),
    offsets=st.lists(st.integers(-48, 200), min_size=1, max_size=4),
)
def test_a_holiday_rule_in_a_policy_gives_a_policy_or_a_finding_at_the_rule(
    rule, hours, seasons, base, offsets
):
    windows = "" if hours is None else f", hours: {json.dumps(hours)}"
    text = POLICY.format(rule=json.dumps(rule), hours=windows, seasons=json.dumps(seasons))
    with hang_guard():
        policy, findings = check_policy_text(text)
        assert_well_formed(findings, text)
        errors = [f for f in findings if f.severity == "error"]
        assert (policy is None) == bool(errors)
        for finding in findings:
            # A finding is on the holiday's rule, or on the calendar or a season it clashes with.
            assert finding.path.startswith("calendars.office"), finding
            if finding.path.endswith(".rrule"):
                assert finding.line == HOLIDAY_LINE, finding
        if policy is not None:
            assert parse_policy(text) == policy
            assert_evaluates(policy, _tickets(base, offsets), base + timedelta(days=5))


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYEASTER=0",
        "FREQ=YEARLY;BYEASTER=-2",
        "FREQ=YEARLY;BYEASTER=1",
        "FREQ=YEARLY;BYEASTER=50",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=YEARLY;BYWEEKNO=53;BYDAY=MO",
        "FREQ=WEEKLY;INTERVAL=1000",
        "DTSTART:21000101\nRRULE:FREQ=YEARLY",
        "FREQ=YEARLY;UNTIL=19000101",
        "FREQ=DAILY;COUNT=1",
    ],
)
def test_rules_at_the_edges_validate_and_answer(rule):
    with hang_guard():
        for year in (1900, 2026, 2199):
            # A calendar for each year: a clock covers the years between the instants asked.
            calendar = Calendar.model_validate(_calendar(rule, None, []))
            calendar.is_open(datetime(year, 6, 1, 12, tzinfo=UTC))
            calendar.add(datetime(year, 6, 1, 12, tzinfo=UTC), timedelta(hours=100))


# -- found by the tests above, and kept as regression tests ------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYEASTER=300",  # dateutil's mask of Easter's year is too short for it
        "FREQ=MONTHLY;BYDAY=8MO",  # dateutil looks the 8th Monday up past its table
        "FREQ=YEARLY;BYEASTER=-120",  # dateutil wraps it onto a December date
    ],
)
def test_a_rule_that_dateutil_cannot_expand_rightly_is_a_finding_at_the_rule(rule):
    text = POLICY.format(rule=json.dumps(rule), hours="", seasons="[]")
    policy, findings = check_policy_text(text)
    assert policy is None
    assert [(f.line, f.code) for f in findings] == [(HOLIDAY_LINE, "invalid-value")]


# Each case runs in a child process, so that a hang is cut off at the guard; all of them start
# together, so that the module waits for the guard once, not once per case.
_SECONDS = ",".join(str(n) for n in range(60))
_HOURS = ",".join(str(n) for n in range(24))
HANGS = {
    # A daily rule with one instant a day has no second one: dateutil would search for one to
    # the year 9999 (5 s), once for each date next to each season of the calendar.
    "no-dates": """
from datetime import UTC, datetime
from servicepolicy import Calendar
seasons = [
    {"from": f"{2030 + 2 * i}-06-01", "to": f"{2030 + 2 * i}-08-31",
     "hours": {"daily": ["10:00-12:00"]}}
    for i in range(3)
]
calendar = Calendar.model_validate({
    "timezone": "UTC", "hours": {"mon-fri": ["09:00-17:00"]},
    "holidays": [{"rrule": "FREQ=DAILY;BYSETPOS=2"}], "seasons": seasons,
})
assert calendar.is_open(datetime(2026, 6, 1, 12, tzinfo=UTC))
""",
    # Every second of every day, 86,400 instants a day: refused, a holiday is a date.
    "every-second": f"""
from pydantic import ValidationError
from servicepolicy import Calendar
rule = "FREQ=DAILY;BYHOUR={_HOURS};BYMINUTE={_SECONDS};BYSECOND={_SECONDS}"
try:
    Calendar.model_validate({{
        "timezone": "UTC", "hours": {{"mon-fri": ["09:00-17:00"]}}, "holidays": [{{"rrule": rule}}],
    }})
except ValidationError as exc:
    assert "a holiday is a date" in str(exc)
else:
    raise AssertionError("accepted")
""",
    # The last supported years, every day a holiday: 84,000 dates, expanded once.
    "every-day": """
from datetime import UTC, datetime, timedelta
from servicepolicy import Calendar
calendar = Calendar.model_validate({
    "timezone": "UTC", "hours": {"daily": ["09:00-17:00"]},
    "holidays": [{"rrule": "FREQ=DAILY;BYMONTHDAY=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15"}],
})
for year in (1970, 2026, 2199):
    assert calendar.add(datetime(year, 1, 1, tzinfo=UTC), timedelta(hours=8)).day == 16
""",
}


@pytest.fixture(scope="module")
def hangs():
    """The child processes of :data:`HANGS`, started together, and when they started."""
    started = time.perf_counter()
    children = {
        name: subprocess.Popen(
            [sys.executable, "-I", "-c", code],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, code in HANGS.items()
    }
    yield children, started
    for child in children.values():
        if child.poll() is None:
            child.kill()
        child.communicate()


@pytest.mark.parametrize("name", HANGS)
def test_a_holiday_rule_answers_within_the_hang_guard(hangs, name):
    children, started = hangs
    child = children[name]
    left = HANG_GUARD_SECONDS - (time.perf_counter() - started)
    try:
        child.wait(timeout=max(left, 0.001))
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: no answer within {HANG_GUARD_SECONDS} s")
    assert child.returncode == 0, child.stderr.read() if child.stderr else ""
