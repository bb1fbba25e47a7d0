"""Results built by the fast path equal validated models, and serialise as documented."""

import json
from datetime import UTC, datetime, timedelta

from servicepolicy import Evaluation, MetricResult
from servicepolicy._evaluation.outcome import build

WHEN = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _metric_values():
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
        "cycles": None,
    }


def test_build_equals_validation():
    built = build(MetricResult, _metric_values(), {"_source": None})
    validated = MetricResult.model_validate(_metric_values())
    assert built.model_dump(mode="json") == validated.model_dump(mode="json")
    assert built.model_dump_json() == validated.model_dump_json()
    assert built == validated


def test_json_shape_has_iso_durations_and_seconds():
    metric = MetricResult.model_validate(_metric_values())
    evaluation = Evaluation(
        ticket_id="T-1", policy="default", as_of=WHEN, metrics={"first_response": metric}
    )
    doc = json.loads(evaluation.model_dump_json())
    first = doc["metrics"]["first_response"]
    assert first["elapsed"] == "PT2H"
    assert first["elapsed_seconds"] == 7200
    assert first["remaining"] == "-PT1H"
    assert first["remaining_seconds"] == -3600
    assert first["due_at"] == "2026-11-23T10:00:00Z"
    assert set(doc) == {
        "ticket_id",
        "policy",
        "as_of",
        "metrics",
        "escalations",
        "next_escalation_at",
        "compensation",
        "warnings",
        "errors",
        "line",
    }
