"""The committed JSON Schema is current, valid, and agrees with the loader on examples."""

from __future__ import annotations

import copy
import json
from io import StringIO

import jsonschema
import pytest
from pydantic import ValidationError

from servicepolicy import Policy, policy_schema
from servicepolicy._policy import read_yaml
from servicepolicy.cli import main
from tests.paths import ROOT

SCHEMA_FILE = ROOT / "schema" / "servicepolicy.schema.json"
EXAMPLES_DIR = ROOT / "policies" / "examples"
EXAMPLES = sorted(
    p for p in EXAMPLES_DIR.rglob("*.yaml") if not p.name.endswith((".tests.yaml", ".tests.yml"))
)
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

MINIMAL = {
    "servicepolicy": "1",
    "name": "test",
    "calendars": {"office": {"timezone": "Europe/Berlin", "hours": {"mon-fri": ["09:00-17:00"]}}},
    "sla": [{"name": "default", "calendar": "office", "targets": {"first_response": "4h"}}],
}


def with_window(window: object) -> dict[str, object]:
    doc = copy.deepcopy(MINIMAL)
    doc["calendars"]["office"]["hours"]["mon-fri"] = [window]
    return doc


def with_target(target: object) -> dict[str, object]:
    doc = copy.deepcopy(MINIMAL)
    doc["sla"][0]["targets"]["first_response"] = target
    return doc


def test_committed_schema_is_current():
    out = StringIO()
    assert main(["schema"], stdout=out, stderr=StringIO(), environ={}) == 0
    assert SCHEMA_FILE.read_text(encoding="utf-8") == out.getvalue(), (
        "schema/servicepolicy.schema.json is out of date; regenerate it with "
        "`servicepolicy schema -o schema/servicepolicy.schema.json`"
    )


def test_schema_command_writes_a_file(tmp_path):
    target = tmp_path / "schema.json"
    assert main(["schema", "-o", str(target)], stdout=StringIO(), environ={}) == 0
    assert json.loads(target.read_text(encoding="utf-8")) == policy_schema()


def test_schema_is_a_valid_draft_2020_12_schema():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert jsonschema.validators.validator_for(SCHEMA) is jsonschema.Draft202012Validator


@pytest.mark.parametrize(
    "path", EXAMPLES, ids=[p.relative_to(EXAMPLES_DIR).as_posix() for p in EXAMPLES]
)
def test_examples_validate_under_the_schema(path):
    data = read_yaml(path.read_text(encoding="utf-8")).data
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(data)]
    assert errors == []


@pytest.mark.parametrize(
    "path", EXAMPLES, ids=[p.relative_to(EXAMPLES_DIR).as_posix() for p in EXAMPLES]
)
def test_examples_validate_under_the_generated_schema(path):
    data = read_yaml(path.read_text(encoding="utf-8")).data
    validator = jsonschema.Draft202012Validator(policy_schema())
    assert [e.message for e in validator.iter_errors(data)] == []


def test_there_are_examples():
    assert EXAMPLES


def test_minimal_policy_validates():
    VALIDATOR.validate(MINIMAL)


@pytest.mark.parametrize("window", ["09:00-17:00", "00:00-24:00", "22:00-06:00", "23:59-00:00"])
def test_good_windows(window):
    assert VALIDATOR.is_valid(with_window(window))


@pytest.mark.parametrize(
    "window", ["9-5", "9:00-17:00", "25:00-26:00", "09:60-17:00", "24:00-24:00", "17:30", 1050, ""]
)
def test_bad_windows(window):
    assert not VALIDATOR.is_valid(with_window(window))


@pytest.mark.parametrize(
    "target",
    ["4h", "30m", "1h30m", "2d", "3bd", "PT4H", "P1DT2H", {"urgent": "30m", "default": "4h"},
     {"high": "1h", "calendar": "24/7"}],
)  # fmt: skip
def test_good_targets(target):
    assert VALIDATOR.is_valid(with_target(target))


@pytest.mark.parametrize("target", ["4x", "4", 4, "4 hours", {"urgent": "soon"}, {"urgent": 30}])
def test_bad_targets(target):
    assert not VALIDATOR.is_valid(with_target(target))


@pytest.mark.parametrize(
    ("change", "valid"),
    [
        ({"servicepolicy": "2"}, False),
        ({"servicepolicy": 1}, False),
        ({"colour": "blue"}, False),
        ({"sla": []}, False),
        ({"priorities": []}, False),
        ({"escalations": {"p": [{"at": "50%", "notify": ["lead"]}]}}, True),
    ],
)
def test_top_level(change, valid):
    doc = {**copy.deepcopy(MINIMAL), **change}
    assert VALIDATOR.is_valid(doc) is valid


def test_missing_required_key():
    doc = copy.deepcopy(MINIMAL)
    del doc["name"]
    assert not VALIDATOR.is_valid(doc)


def _model_accepts(doc: dict[str, object]) -> bool:
    try:
        Policy.model_validate(doc)
    except ValidationError:
        return False
    return True


SPANS = [
    "4h", "1h 30m", " 4h ", "4 h", "3 bd", "10bd ", "0m", "1w2d3h4m5s", "5s4m", "P1D", "P0D",
    "PT0S", "PT1.5S", "PT0.000001S", "PT4H30M", "P1WT1H",
    "P", "PT", "P1DT", "PT0.0000001S", "4H", "pt4h", "P1Y", "P1M", "1.5h", "-4h", "4", "",
]  # fmt: skip
WINDOWS = [
    "09:00-17:00", "22:00-06:00", "00:00-24:00", "23:59-00:00", "09:00-09:00", "00:00-00:00",
    " 09:00-17:00", "09:00-17:00 ", "9:00-17:00", "24:00-24:00", "09:00 - 17:00", "09:60-17:00",
    "25:00-26:00", "09:00-24:01",
]  # fmt: skip


@pytest.mark.parametrize(
    "doc",
    [pytest.param(with_target(t), id=f"span-{t!r}") for t in SPANS]
    + [pytest.param(with_window(w), id=f"window-{w!r}") for w in WINDOWS],
)
def test_schema_and_loader_agree_on_spans_and_windows(doc):
    assert VALIDATOR.is_valid(doc) == _model_accepts(doc)
