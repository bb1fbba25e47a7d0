"""Time zone names, fuzzed: random text, folders of the zone database ("Europe"), very long
names, paths that climb out of it, names with NUL, real names bent out of shape.  A calendar
takes a real zone and refuses anything else as ``unknown time zone``, at the ``timezone``
key of a policy; no other exception comes out."""

from __future__ import annotations

from zoneinfo import available_timezones

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from pydantic import ValidationError

from servicepolicy import Calendar, check_policy_text
from tests.fuzz.support import assert_well_formed, hang_guard

ZONES = sorted(available_timezones())
FOLDERS = (
    "Europe",
    "America",
    "America/Argentina",
    "America/Indiana",
    "Asia",
    "Etc",
    "US",
    "posix",
    "right",
    "Antarctica",
    "Pacific",
)
ODD = (
    "",
    " ",
    ".",
    "..",
    "/",
    "//",
    "\\",
    "~",
    "\x00",
    "UTC\x00",
    "Europe/Berlin\x00.txt",
    "/etc/passwd",
    "../../../../etc/passwd",
    "Europe/../Europe/Berlin",
    "./UTC",
    "UTC/",
    "Europe//Berlin",
    "Europe\\Berlin",
    "/usr/share/zoneinfo/UTC",
    "zone.tab",
    "zone1970.tab",
    "tzdata.zi",
    "leapseconds",
    "iso3166.tab",
    "__init__.py",
    "__pycache__",
    "Europe/__init__.py",
    "+01:00",
    "Z",
    "utc",
    "EUROPE/BERLIN",
    "Europe/Berlín",
    "\ud800",
    "Europe/\udc80",
    "a" * 255,
    "a" * 256,
    "a/" * 2000,
)
HUGE = "x" * 100_000  # too long for a policy file to spell out escaped

_REAL = st.sampled_from(ZONES)
_NAMES = st.one_of(
    _REAL,
    st.sampled_from(FOLDERS),
    st.sampled_from(ODD),
    st.text(),
    st.text(st.characters(codec="ascii"), max_size=30),
    st.text(min_size=200, max_size=3000),
    st.builds(lambda zone: zone.lower(), _REAL),
    st.builds(lambda zone, n: "../" * n + zone, _REAL, st.integers(1, 8)),
    st.builds(lambda zone, n: zone[:n] + "\x00" + zone[n:], _REAL, st.integers(0, 20)),
    st.builds(lambda folder, rest: f"{folder}/{rest}", st.sampled_from(FOLDERS), st.text()),
    st.builds(lambda zone, n: zone * n, _REAL, st.integers(2, 200)),
)

_HOURS = {"mon-fri": ["09:00-17:00"]}


def _refusal(name: str) -> list[dict] | None:
    """The errors of a calendar in zone ``name``, or None when it is a calendar."""
    try:
        Calendar.model_validate({"timezone": name, "hours": _HOURS})
    except ValidationError as exc:
        return exc.errors()
    return None


def _is_unknown_zone(errors: list[dict]) -> bool:
    return [e["loc"] for e in errors] == [("timezone",)] and str(errors[0]["msg"]).startswith(
        "Value error, unknown time zone "
    )


@given(st.one_of(_NAMES, st.just(HUGE)))
def test_a_zone_name_gives_a_calendar_or_unknown_time_zone(name):
    with hang_guard():
        errors = _refusal(name)
    event("a calendar" if errors is None else "refused")
    if name in ZONES:
        assert errors is None
    else:
        assert errors is None or _is_unknown_zone(errors), errors


def _yaml_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar, every character escaped."""
    return '"' + "".join(f"\\U{ord(char):08x}" for char in text) + '"'


POLICY = """\
servicepolicy: "1"
name: zones
calendars:
  office:
    timezone: {zone}
    hours:
      mon-fri: ["09:00-17:00"]
sla:
  - name: everyone
    calendar: office
    targets: {{first_response: 4h}}
"""


@given(_NAMES)
def test_a_zone_name_in_a_policy_gives_a_policy_or_a_finding_at_its_key(name):
    text = POLICY.format(zone=_yaml_quoted(name))
    with hang_guard():
        policy, findings = check_policy_text(text)
    assert_well_formed(findings, text)
    if _refusal(name) is None:
        assert policy is not None, findings
        assert findings == []
    else:
        assert policy is None
        assert [(f.line, f.path, f.code) for f in findings] == [
            (5, "calendars.office.timezone", "invalid-value")
        ]
        assert findings[0].message.startswith("unknown time zone ")


@pytest.mark.parametrize("name", [*FOLDERS, *ODD, HUGE], ids=lambda name: ascii(name)[:40])
def test_folders_paths_and_odd_names_are_unknown_time_zones(name):
    errors = _refusal(name)
    assert errors is not None
    assert _is_unknown_zone(errors), errors
