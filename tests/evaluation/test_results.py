"""The models of an evaluation serialise as documented."""

import json
from datetime import UTC, datetime, timedelta

from servicepolicy import Evaluation, MetricResult

WHEN = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_json_shape_has_iso_durations_and_seconds():
    metric = MetricResult.model_validate(
        {
            "status": "breached",
            "started_at": WHEN,
            "due_at": WHEN + timedelta(hours=1),
            "breached_at": WHEN + timedelta(hours=1),
            "elapsed": timedelta(hours=2),
            "remaining": -timedelta(hours=1),
            "target_time": timedelta(hours=1),
            "policy": "default",
            "target": "1h",
            "clock": "24/7",
        }
    )
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
