"""Compact shapes of ``evaluate``'s output: ``--fields`` (the parts of each record to keep)
and ``--summary`` (one short record per ticket).

In JSON and JSON Lines a field is a dotted path into the record, ``*`` standing for every key
of a mapping or every item of a list (``metrics.*.status``); the record keeps its nesting with
only the paths asked for.  In CSV a field is a column.  ``--summary`` is a fixed choice: the
ticket, its line and policy, and each metric's status, due, breach and elapsed time, written
from the outcome (``JsonWriter.summary_json``) rather than cut from the full record.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from .._common.errors import did_you_mean
from .._common.vocabulary import METRICS
from .._evaluation.evaluation import ROW_COLUMNS, Evaluation
from .._evaluation.outcome import Outcome
from .._evaluation.outcome_json import JsonWriter
from .._evaluation.results import MetricResult

Path = tuple[str, ...]

# The keys of a record and of a metric in the JSON output, as the models write them.
_RECORD_KEYS: Final = tuple(Evaluation.model_fields)
_METRIC_KEYS: Final = (*MetricResult.model_fields, *MetricResult.model_computed_fields)
SUMMARY_METRIC_KEYS: Final = ("status", "due_at", "breached_at", "elapsed_seconds")
SUMMARY_COLUMNS: Final = (
    "ticket_id",
    "line",
    "policy",
    *(f"{metric}.{key}" for metric in METRICS for key in SUMMARY_METRIC_KEYS),
    "error",
)


def json_paths(spec: str) -> tuple[Path, ...]:
    """The paths of ``--fields`` for JSON output; ``ValueError`` naming an unknown key."""
    paths = []
    for text in spec.split(","):
        if not text.strip():
            continue
        path = tuple(part.strip() for part in text.strip().split("."))
        _check_path(path, text.strip())
        paths.append(path)
    if not paths:
        raise ValueError("--fields names no field")
    return tuple(paths)


def _check_path(path: Path, text: str) -> None:
    head = path[0]
    if head not in _RECORD_KEYS:
        hint = did_you_mean(head, _RECORD_KEYS)
        raise ValueError(f"--fields: {text!r}: no record has {head!r}{hint}")
    if head == "metrics" and len(path) >= 2:
        if path[1] != "*" and path[1] not in METRICS:
            hint = did_you_mean(path[1], (*METRICS, "*"))
            raise ValueError(f"--fields: {text!r}: {path[1]!r} is no metric{hint}")
        if len(path) >= 3 and path[2] not in _METRIC_KEYS:
            hint = did_you_mean(path[2], _METRIC_KEYS)
            raise ValueError(f"--fields: {text!r}: a metric has no {path[2]!r}{hint}")


def csv_columns(spec: str) -> tuple[str, ...]:
    """The columns of ``--fields`` for CSV output; ``ValueError`` naming an unknown one."""
    columns = tuple(part.strip() for part in spec.split(",") if part.strip())
    if not columns:
        raise ValueError("--fields names no column")
    for column in columns:
        if column not in ROW_COLUMNS:
            hint = did_you_mean(column, ROW_COLUMNS)
            raise ValueError(f"--fields: {column!r} is no CSV column{hint}")
    return columns


def select(value: Any, paths: Sequence[Path]) -> Any:
    """``value`` with only the parts ``paths`` name, nesting kept, in the value's own order."""
    if not paths or any(not path for path in paths):
        return value
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            below = [p[1:] for p in paths if p[0] in (key, "*")]
            if below:
                kept[key] = select(item, below)
        return kept
    if isinstance(value, list):
        below = [p[1:] for p in paths if p[0] == "*"]
        return [select(item, below) for item in value] if below else []
    return None


def render_summary(newline: bool) -> Any:
    """The renderer of ``--summary`` JSON records (one per line when ``newline``), written
    from the outcome without the full record."""
    summary_json = JsonWriter().summary_json
    if not newline:
        return summary_json
    return lambda outcome: summary_json(outcome) + "\n"


def render_selected(paths: tuple[Path, ...], newline: bool) -> Any:
    """The renderer of JSON records keeping only ``paths`` (one per line when ``newline``)."""
    outcome_json = JsonWriter().outcome_json
    end = "\n" if newline else ""

    def render(outcome: Outcome) -> str:
        record = select(json.loads(outcome_json(outcome)), paths)
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + end

    return render


def render_csv_columns(columns: tuple[str, ...], rows: Any) -> Any:
    """The renderer of CSV rows with only ``columns``; ``rows`` gives an outcome's full rows."""
    index = [ROW_COLUMNS.index(column) for column in columns]

    def render(outcome: Outcome) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows([row[i] for i in index] for row in rows(outcome))
        return buffer.getvalue()

    return render


def render_csv_summary() -> Any:
    """The renderer of one CSV row per ticket (:data:`SUMMARY_COLUMNS`)."""
    summary_json = JsonWriter().summary_json

    def render(outcome: Outcome) -> str:
        record = json.loads(summary_json(outcome))
        row: list[Any] = [record["ticket_id"], record["line"], record["policy"]]
        metrics = record["metrics"]
        for metric in METRICS:
            found = metrics.get(metric, {})
            row += [found.get(key) for key in SUMMARY_METRIC_KEYS]
        row.append("; ".join(record["errors"]))
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow([csv_cell(v) for v in row])
        return buffer.getvalue()

    return render


def csv_cell(value: Any) -> str:
    """A value as a CSV cell: nothing for None, ISO 8601 for an instant, a whole float without
    its ``.0``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value == int(value) else repr(value)
    return str(value)
