"""What ``_common/fastmodel.py`` relies on in pydantic holds: a pydantic release that changes
how a model instance is laid out fails here, not somewhere in an evaluation."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, PrivateAttr

from servicepolicy import Award, Evaluation, FiredEscalation, Measurement, MetricResult
from servicepolicy._common import (
    PRIVATE_STATE,
    build_model,
    private_value,
    set_private_value,
    state_without,
)

WHEN = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class _Cached(BaseModel):
    model_config = {"frozen": True}
    name: str
    _cache: Any = PrivateAttr(default=None)


def _metric_values() -> dict[str, Any]:
    return {
        "status": "breached",
        "started_at": WHEN,
        "due_at": WHEN + timedelta(hours=1),
        "completed_at": None,
        "breached_at": WHEN + timedelta(hours=1),
        "elapsed": timedelta(hours=2),
        "remaining": -timedelta(hours=1),
        "target_time": timedelta(hours=1),
        "policy": "default",
        "target": "1h",
        "clock": "24/7",
        "paused": timedelta(0),
        "paused_business": timedelta(0),
        "cycles": None,
    }


def test_every_model_has_the_slots_it_sets():
    for slot in ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__"):
        assert slot in BaseModel.__dict__, slot
        assert hasattr(BaseModel.__dict__[slot], "__set__"), slot
    assert hasattr(BaseModel.__dict__["__pydantic_private__"], "__set__")


def test_build_equals_validation():
    built = build_model(MetricResult, _metric_values(), {"_source": None})
    validated = MetricResult.model_validate(_metric_values())
    assert built.model_dump(mode="json") == validated.model_dump(mode="json")
    assert built.model_dump_json() == validated.model_dump_json()
    assert built == validated
    assert built.model_fields_set == validated.model_fields_set


@pytest.mark.parametrize(
    ("cls", "values"),
    [
        (Measurement, {k: v for k, v in _metric_values().items() if k in Measurement.model_fields}),
        (
            Award,
            {
                "rule": "r",
                "kind": "gesture",
                "amount": None,
                "currency": None,
                "gesture": "voucher",
                "tier": None,
                "approval_required": False,
                "reason": "why",
            },
        ),
        (
            FiredEscalation,
            {
                "path": "p",
                "level": 0,
                "name": None,
                "metric": "resolution",
                "cycle": None,
                "at": WHEN,
                "due_at": WHEN,
                "retroactive": False,
                "notify": ["lead"],
                "set_priority": None,
                "reassign": None,
                "actions": [],
            },
        ),
    ],
)
def test_build_equals_model_construct(cls, values):
    built = build_model(cls, dict(values), {"_source": None} if cls is Measurement else None)
    assert built == cls.model_construct(**values)
    assert built.model_dump_json() == cls.model_validate(values).model_dump_json()


def test_private_attributes_live_in_the_private_dict_by_name():
    model = _Cached(name="a")
    assert model.__pydantic_private__ == {"_cache": None}
    set_private_value(model, "_cache", 42)  # on a frozen model
    assert private_value(model, "_cache") == 42
    assert model._cache == 42  # what pydantic itself reads
    evaluation = build_model(Evaluation, {"ticket_id": None, "as_of": WHEN}, {"_fields": {"a": 1}})
    assert private_value(evaluation, "_fields") == {"a": 1}
    assert private_value(evaluation, "_created") is None


def test_a_pickle_state_keeps_private_attributes_under_their_key():
    model = _Cached(name="a")
    set_private_value(model, "_cache", object())
    state = model.__getstate__()
    assert PRIVATE_STATE in state
    assert "_cache" in state[PRIVATE_STATE]
    cleared = state_without(state, "_cache")
    assert cleared[PRIVATE_STATE]["_cache"] is None
    copy = _Cached.__new__(_Cached)
    copy.__setstate__(cleared)
    assert copy == _Cached(name="a") and copy._cache is None
    assert pickle.loads(pickle.dumps(_Cached(name="b"))).name == "b"


def test_a_pickle_without_a_newer_field_loads_with_its_default():
    from pydantic import BaseModel, Field

    from servicepolicy._common.fastmodel import FIELDS_STATE, state_with_defaults

    class Later(BaseModel):
        kept: int
        added: list[str] = Field(default_factory=list)

    state = Later(kept=1).__getstate__()
    assert set(state[FIELDS_STATE]) == {"kept", "added"}  # the fields' values, by name
    del state[FIELDS_STATE]["added"]  # as a pickle made before the field existed
    loaded = Later.__new__(Later)
    loaded.__setstate__(state_with_defaults(Later, state))
    assert loaded == Later(kept=1)
