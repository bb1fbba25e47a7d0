"""Round trip: random valid policies -> YAML -> Policy -> model_dump -> YAML -> an equal Policy."""

from __future__ import annotations

import string
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from servicepolicy import Condition, Policy, parse_policy
from tests.paths import ROOT

EXAMPLE = ROOT / "policies" / "examples" / "saas-support.yaml"
DUMP_OPTIONS: dict[str, Any] = {"mode": "json", "by_alias": True, "exclude_none": True}


class _QuotingDumper(yaml.SafeDumper):
    """``safe_dump`` that double-quotes every string, so none can be read back as another type
    (safe_dump leaves e.g. ``1e3`` plain, which a YAML 1.2 reader takes for a number)."""


_QuotingDumper.add_representer(
    str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
)


_QuotingDumper.add_representer(
    Decimal, lambda dumper, number: dumper.represent_scalar("tag:yaml.org,2002:float", str(number))
)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_QuotingDumper, sort_keys=False, allow_unicode=True)


# -- strategies --------------------------------------------------------------------------------

# strings a YAML 1.1 reader (or a careless one) would turn into something else
TRICKY = [
    "NO", "no", "on", "Off", "yes", "y", "true", "False", "null", "~", "", " ", "17:30",
    "1:30:00", "1.10", "1e3", "0x1F", "0o17", "007", "1_000", ".inf", ".nan", "2026-01-01",
    "<<", "*alias", "&anchor", "!tag", "!!python/object", "#", "- x", "a: b", "{}", "[]",
    "'", '"', "\\", "line\nbreak", "tab\there", "24/7", "é", "日本", "\u2028", "\x85",
]  # fmt: skip
IDENT = st.text(string.ascii_lowercase + string.digits + "-_", min_size=1, max_size=10)
TEXT = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
)
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
METRICS = ["first_response", "next_response", "periodic_update", "resolution"]
RRULES = [
    "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25",
    "FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO",
    "RRULE:FREQ=MONTHLY;BYDAY=1FR",
]


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def day_windows(draw: st.DrawFn, *, required: bool = False, overnight: bool = True) -> list[str]:
    """Disjoint windows from 06:00 on, and perhaps one running past midnight up to 06:00
    (so the spill never meets the next day's windows)."""
    count = draw(st.integers(1 if required else 0, 3))
    bounds = sorted(draw(st.sets(st.integers(24, 96), min_size=2 * count, max_size=2 * count)))
    windows = [(bounds[i] * 15, bounds[i + 1] * 15) for i in range(0, len(bounds), 2)]
    texts = [f"{hhmm(s)}-{'24:00' if e == 1440 else hhmm(e)}" for s, e in windows]
    last_end = windows[-1][1] if windows else 360
    if overnight and last_end < 1440 and draw(st.booleans()):
        start = draw(st.integers(last_end // 15, 95)) * 15
        end = draw(st.integers(0, 24)) * 15
        texts.append(f"{hhmm(start)}-{hhmm(end)}")
    return texts


@st.composite
def weekly_hours(draw: st.DrawFn, *, overnight: bool = True) -> dict[str, list[str]]:
    layout = draw(st.sampled_from(["daily", "weekdays", "single", "wrapping"]))
    if layout == "daily":
        keys = ["daily"]
    elif layout == "weekdays":
        keys = ["mon-fri", *draw(st.lists(st.sampled_from(["sat", "sun"]), unique=True))]
    elif layout == "wrapping":
        keys = ["sun-thu", *draw(st.lists(st.sampled_from(["fri", "sat"]), unique=True))]
    else:
        days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        keys = draw(st.lists(st.sampled_from(days), min_size=1, max_size=7, unique=True))
    return {
        key: draw(day_windows(required=i == 0, overnight=overnight)) for i, key in enumerate(keys)
    }


@st.composite
def holidays(draw: st.DrawFn) -> list[dict[str, Any]]:
    days = draw(st.lists(st.dates(date(2020, 1, 1), date(2035, 12, 31)), max_size=3, unique=True))
    out: list[dict[str, Any]] = []
    for day in days:
        holiday: dict[str, Any] = {"date": day.isoformat()}
        if draw(st.booleans()):
            holiday["name"] = draw(TEXT)
        if draw(st.booleans()):
            holiday["hours"] = draw(day_windows(overnight=False))
        out.append(holiday)
    for rule in draw(st.lists(st.sampled_from(RRULES), max_size=2, unique=True)):
        out.append({"rrule": rule, "name": draw(TEXT)})
    return out


@st.composite
def seasons(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(0, 2))
    days = sorted(
        draw(
            st.lists(
                st.dates(date(2024, 1, 1), date(2030, 12, 31)),
                min_size=2 * count,
                max_size=2 * count,
                unique=True,
            )
        )
    )
    out = []
    for i in range(count):
        season: dict[str, Any] = {
            "from": days[2 * i].isoformat(),
            "to": days[2 * i + 1].isoformat(),
            "hours": draw(weekly_hours()),
        }
        if draw(st.booleans()):
            season["name"] = draw(TEXT)
        out.append(season)
    return out


@st.composite
def calendars(draw: st.DrawFn) -> dict[str, Any]:
    cal: dict[str, Any] = {"timezone": draw(st.sampled_from(ZONES)), "hours": draw(weekly_hours())}
    if draw(st.booleans()):
        cal["holidays"] = draw(holidays())
    if draw(st.booleans()):
        cal["seasons"] = draw(seasons())
    return cal


def spans() -> st.SearchStrategy[str]:
    n = st.integers(0, 500)
    return st.one_of(
        st.builds(lambda a, u: f"{a}{u}", n, st.sampled_from("wdhms")),
        st.builds(lambda h, m: f"{h}h{m}m", n, st.integers(0, 59)),
        st.builds(lambda d: f"{d}bd", st.integers(0, 300)),
        st.builds(lambda h: f"PT{h}H", n),
        st.builds(lambda d, h: f"P{d}DT{h}H", st.integers(0, 30), st.integers(0, 23)),
        st.builds(lambda w: f"P{w}W", st.integers(0, 60)),
    )


DECIMAL = st.decimals(min_value=-(10**6), max_value=10**6, places=2)
SCALAR = st.one_of(TEXT, st.integers(-(10**6), 10**6), DECIMAL, st.booleans(), st.none())
NEEDLE = st.one_of(TEXT, st.integers(-(10**6), 10**6), DECIMAL, st.booleans(), st.none())
OPERATORS = ["eq", "ne", "in", "not_in", "contains", "gt", "gte", "lt", "lte", "exists"]


@st.composite
def field_tests(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(["value", "list", "ops"]))
    if kind == "value":
        return draw(SCALAR)
    if kind == "list":
        return draw(st.lists(SCALAR, max_size=3))
    ops = draw(st.lists(st.sampled_from(OPERATORS), min_size=1, max_size=3, unique=True))
    out: dict[str, Any] = {}
    for op in ops:
        if op in ("in", "not_in"):
            out[op] = draw(st.lists(SCALAR, max_size=3))
        elif op in ("gt", "gte", "lt", "lte"):
            out[op] = draw(st.one_of(st.integers(-1000, 10**6), DECIMAL))
        elif op == "exists":
            out[op] = draw(st.booleans())
        elif op == "contains":
            out[op] = draw(NEEDLE)
        else:
            out[op] = draw(SCALAR)
    return out


# few field names, so that generated tickets meet the conditions' fields
FIELD = st.sampled_from(["tier", "channel", "fee", "tags", "country", "x-1"])


def conditions() -> st.SearchStrategy[dict[str, Any]]:
    leaf = st.dictionaries(FIELD, field_tests(), min_size=1, max_size=3)
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.builds(lambda items: {"any_of": items}, st.lists(inner, min_size=1, max_size=2)),
            st.builds(lambda items: {"all_of": items}, st.lists(inner, min_size=1, max_size=2)),
            st.builds(lambda item: {"not": item}, inner),
        ),
        max_leaves=4,
    )


TICKET_VALUE = st.one_of(
    SCALAR,
    st.sampled_from(["a10b", "v1.10", "1.1", "1.10", " 7 ", "07", "NO", "enterprise"]),
    st.lists(SCALAR, max_size=3),
)
TICKETS = st.lists(st.dictionaries(FIELD, TICKET_VALUE, max_size=5), min_size=1, max_size=5)


@st.composite
def targets(draw: st.DrawFn, priorities: list[str], calendar_names: list[str]) -> dict[str, Any]:
    metrics = draw(st.lists(st.sampled_from(METRICS), min_size=1, max_size=4, unique=True))
    out: dict[str, Any] = {}
    for metric in metrics:
        if draw(st.booleans()):
            out[metric] = draw(spans())
            continue
        target: dict[str, Any] = {"default": draw(spans())}
        for priority in draw(st.lists(st.sampled_from(priorities), unique=True)):
            target[priority] = draw(spans())
        if draw(st.booleans()):
            target["calendar"] = draw(st.sampled_from(calendar_names))
        out[metric] = target
    return out


@st.composite
def levels(draw: st.DrawFn, priorities: list[str]) -> list[dict[str, Any]]:
    """Escalation levels in firing order: rising percentages, breach, then breach + offsets,
    mixed with event-count levels whose counts rise per event."""
    percents = sorted(draw(st.sets(st.integers(1, 100), max_size=3)))
    points = [f"{p}%" for p in percents]
    if draw(st.booleans()):
        points.append("breach")
    offsets = sorted(draw(st.sets(st.integers(1, 48), max_size=2)))
    points += [f"breach + {h}h" for h in offsets]
    counts: dict[str, int] = {}
    out = []
    for point in points:
        out.append({"at": point})
        while draw(st.integers(0, 3)) == 0:
            event = draw(st.sampled_from(["reopened", "customer_reply", "reassigned"]))
            counts[event] = counts.get(event, 0) + draw(st.integers(1, 3))
            level: dict[str, Any] = {"on_event": event}
            if counts[event] > 1 or draw(st.booleans()):
                level["count"] = counts[event]
            out.append(level)
    if not out:
        out.append({"on_event": "reopened"})
    for level in out:
        if draw(st.booleans()):
            level["name"] = draw(TEXT)
        if draw(st.booleans()):
            level["notify"] = draw(st.lists(TEXT, max_size=3))
        if draw(st.booleans()):
            level["set_priority"] = draw(st.sampled_from(priorities))
        if draw(st.booleans()):
            level["reassign"] = draw(TEXT)
        if draw(st.booleans()):
            level["actions"] = draw(st.lists(TEXT, max_size=2))
        if draw(st.booleans()):
            level["metrics"] = draw(st.lists(st.sampled_from(METRICS), max_size=4, unique=True))
    return out


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {"servicepolicy": "1", "name": draw(TEXT)}
    if draw(st.booleans()):
        doc["description"] = draw(TEXT)
    priority_name = IDENT.filter(lambda name: name not in ("default", "calendar"))
    if draw(st.booleans()):
        doc["priorities"] = draw(st.lists(priority_name, min_size=1, max_size=4, unique=True))
    priorities = doc.get("priorities", ["urgent", "high", "normal", "low"])
    cal_names = draw(
        st.lists(IDENT.filter(lambda n: n != "24/7"), min_size=0, max_size=2, unique=True)
    )
    if cal_names or draw(st.booleans()):
        doc["calendars"] = {name: draw(calendars()) for name in cal_names}
    all_cals = [*cal_names, "24/7"]
    paths = draw(st.lists(IDENT, max_size=2, unique=True))
    if paths or draw(st.booleans()):
        doc["escalations"] = {name: draw(levels(priorities)) for name in paths}
    sla_names = draw(st.lists(TEXT, min_size=1, max_size=3, unique=True))
    doc["sla"] = []
    for i, name in enumerate(sla_names):
        entry: dict[str, Any] = {"name": name}
        if i < len(sla_names) - 1 or draw(st.booleans()):
            entry["when"] = draw(conditions())
        entry["calendar"] = draw(st.sampled_from(all_cals))
        if draw(st.booleans()):
            entry["pause_on"] = draw(st.lists(TEXT, max_size=3))
        if draw(st.booleans()):
            whole = draw(st.integers(1, 100))
            entry["warn_at"] = (
                f"{whole}%" if whole == 100 else f"{whole}.{draw(st.integers(0, 9))}%"
            )
        entry["targets"] = draw(targets(priorities, all_cals))
        if paths and draw(st.booleans()):
            entry["escalation"] = draw(st.sampled_from(paths))
        doc["sla"].append(entry)
    return doc


# -- properties --------------------------------------------------------------------------------


def assert_reads_as_written(policy: Policy, doc: dict[str, Any]) -> None:
    assert policy.name == doc["name"]
    assert policy.description == doc.get("description", "")
    for name, cal in doc.get("calendars", {}).items():
        assert policy.calendars[name].hours == cal["hours"]
        assert policy.calendars[name].timezone == cal["timezone"]
    for entry, sla in zip(doc["sla"], policy.sla, strict=True):
        assert sla.name == entry["name"]
        assert (sla.when.spec if sla.when else None) == entry.get("when")
        assert sla.warn_at == entry.get("warn_at")
    for name, written in doc.get("escalations", {}).items():
        for level, parsed in zip(written, policy.escalations[name], strict=True):
            assert {key: getattr(parsed, key) for key in level} == level


@given(policies(), TICKETS)
def test_roundtrip(doc, tickets):
    policy = parse_policy(dump(doc))
    assert_reads_as_written(policy, doc)  # no string turned into a number, boolean or null

    dumped = policy.model_dump(**DUMP_OPTIONS)
    again = parse_policy(dump(dumped))
    assert again == policy
    assert again.model_dump(**DUMP_OPTIONS) == dumped

    for before, after in zip(policy.sla, again.sla, strict=True):
        if before.when is not None:
            assert after.when is not None
            for fields in tickets:
                assert after.when.matches(fields) == before.when.matches(fields), fields


def test_parsing_twice_gives_equal_policies():
    text = EXAMPLE.read_text(encoding="utf-8")
    assert parse_policy(text) == parse_policy(text)


def test_example_roundtrip():
    policy = parse_policy(EXAMPLE.read_text(encoding="utf-8"))
    again = parse_policy(dump(policy.model_dump(**DUMP_OPTIONS)))
    assert again == policy
    assert again.escalations["enterprise-path"][0].count is None


def test_roundtrip_keeps_decimal_condition_values():
    text = (
        'servicepolicy: "1"\n'
        "name: decimals\n"
        "sla:\n"
        "  - {name: all, when: {fee: 1.10}, calendar: 24/7, targets: {first_response: 4h}}\n"
    )
    policy = parse_policy(text)
    assert policy.sla[0].when.spec == {"fee": Decimal("1.10")}
    again = parse_policy(dump(policy.model_dump(**DUMP_OPTIONS)))
    assert again.sla[0].when == policy.sla[0].when
    assert again.sla[0].when.matches({"fee": "1.1"})


CONTAINS_DECIMAL = (
    'servicepolicy: "1"\n'
    "name: contains\n"
    "sla:\n"
    "  - {name: all, when: {v: {contains: 1.10}}, calendar: 24/7, targets: {first_response: 4h}}\n"
)


def test_roundtrip_keeps_decimal_contains_needle():
    policy = parse_policy(CONTAINS_DECIMAL)
    again = parse_policy(dump(policy.model_dump(**DUMP_OPTIONS)))
    assert again == policy
    ticket = {"v": "release 1.10"}
    assert again.sla[0].when.matches(ticket) == policy.sla[0].when.matches(ticket)


@pytest.mark.parametrize(
    ("first", "second", "value"), [("10", 10, "a10b"), ("1.0", "1.00", "v1.0")]
)
def test_equal_conditions_match_the_same_tickets(first, second, value):
    a = Condition({"t": {"contains": first}})
    b = Condition({"t": {"contains": second}})
    assert a != b or a.matches({"t": value}) == b.matches({"t": value})
