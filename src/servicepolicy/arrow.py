"""Columnar evaluation: tickets and events as Apache Arrow tables in, one row per ticket and
metric out (the rows of ``servicepolicy evaluate --format csv``, typed), with thin wrappers for
pandas and polars.

Needs the optional extra: ``pip install 'servicepolicy[arrow]'`` (pyarrow).  This module can
be imported without it; each function raises :class:`ImportError` saying what to install.

The input is two tables (docs/scale.md):

- **tickets**: ``id``, ``created_at`` and one column per field (a null cell: the ticket does
  not have that field);
- **events**, in long form: ``ticket_id``, ``at``, ``type`` and, where an event has them,
  ``status``, ``field``, ``value``, ``actor`` (any other column, such as ``public`` or
  ``channel``, is another key of the event; a null cell is a key the event does not have).
  The events may be in any order: each ticket gets every event row whose ``ticket_id`` is
  its ``id`` (compared as text), in table order, and the evaluator sorts them by time.

Every cell is read as the JSON shape of a ticket (docs/tickets.md) would have it: a timestamp
column is an ISO 8601 instant (a zone-less one is refused, as in JSON), a decimal or a float is
a decimal (floats by their shortest text), an integer an integer, text text.  So a tickets
table and its events give the same evaluations as the same tickets in JSON Lines; ``line`` is
the ticket's 1-based row in the tickets table, as a ticket's line is in JSON Lines.

The output (:func:`result_schema`) has the columns of :data:`RESULT_COLUMNS`: instants as
``timestamp[us, tz=UTC]`` (the same instants as the JSON's, whose offsets are the ticket's),
seconds as ``float64``, ``line``, ``cycles`` and ``escalations`` as ``int64``, and text as
``string``; ``compensation`` stays the CSV's text (``"120.00 EUR; 15.00 USD"``) and
``compensation_owed`` holds the same money exactly, a map from currency to
``decimal128(38, 4)`` (null for a ticket owed an amount of 34 digits or more before the point,
which that type cannot hold).  A ticket that
cannot be read or evaluated is one row with ``status`` ``"error"`` and ``error``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Final

from ._common.instants import to_micros
from ._evaluation.engine import evaluator_for, outcome_or_record
from ._evaluation.evaluation import ROW_COLUMNS, Evaluation, compensation_owed, rows_of
from ._evaluation.hygiene import SeenIds
from ._evaluation.outcome import Outcome, to_evaluation
from ._policy.model import Policy
from ._policy.versions import PolicySet

__all__ = [
    "INSTALL",
    "MONEY_SCALE",
    "RESULT_COLUMNS",
    "ROW_COLUMNS",
    "evaluate_frame",
    "evaluate_polars",
    "evaluate_table",
    "result_schema",
]

INSTALL: Final = "pip install 'servicepolicy[arrow]'"
"""What to install for this module."""

TICKET_BATCH: Final = 10_000
"""Tickets read, given their events, and evaluated at a time."""

TICKET_COLUMNS: Final = ("id", "created_at")
EVENT_COLUMNS: Final = ("ticket_id", "at", "type")
"""The columns the tickets and the events tables must have."""

RESULT_COLUMNS: Final = (*ROW_COLUMNS, "compensation_owed")
"""The columns of the rows: those of the CSV output (:data:`ROW_COLUMNS`), then
``compensation_owed``, the money owed by currency as exact decimals."""

MONEY_SCALE: Final = 4
"""Decimal places of ``compensation_owed``: the most minor units of an ISO 4217 currency."""

_MOST_OWED: Final = Decimal(10) ** (38 - MONEY_SCALE)
"""Amounts from here up do not fit decimal128(38, 4): such a ticket's ``compensation_owed``
is null (its ``compensation`` text still says the amount)."""

_TIMES: Final = frozenset({"as_of", "started_at", "due_at", "completed_at", "breached_at"})
_FLOATS: Final = frozenset(
    {"elapsed_seconds", "remaining_seconds", "paused_seconds", "paused_business_seconds"}
)
_INTS: Final = frozenset({"line", "cycles", "escalations"})


def pyarrow_module() -> Any:
    """The ``pyarrow`` module; an :class:`ImportError` saying what to install without it."""
    try:
        import pyarrow  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ImportError(f"servicepolicy.arrow needs pyarrow: {INSTALL}") from exc
    return pyarrow


def result_schema() -> Any:
    """The ``pyarrow.Schema`` of the rows: the columns of :data:`RESULT_COLUMNS`, typed;
    ``compensation_owed`` is a map from currency to ``decimal128(38, 4)``."""
    pa = pyarrow_module()
    instant = pa.timestamp("us", tz="UTC")

    def kind(name: str) -> Any:
        if name in _TIMES:
            return instant
        if name in _FLOATS:
            return pa.float64()
        if name in _INTS:
            return pa.int64()
        if name == "compensation_owed":
            return pa.map_(pa.string(), pa.decimal128(38, MONEY_SCALE))
        return pa.string()

    return pa.schema([pa.field(name, kind(name)) for name in RESULT_COLUMNS])


# -- the rows out ----------------------------------------------------------------------------


def row_cells(evaluation: Evaluation) -> list[list[Any]]:
    """The rows of one evaluation as lists of plain values in :data:`RESULT_COLUMNS` order,
    each instant as microseconds since the epoch (what the timestamp columns hold), the money
    owed as ``[currency, amount text]`` pairs (JSON can carry them to another process)."""
    totals = compensation_owed(evaluation)
    owed = (
        None
        if any(abs(amount) >= _MOST_OWED for amount in totals.values())
        else [[currency, str(amount)] for currency, amount in totals.items()]
    )
    return [
        [
            *(
                to_micros(value) if isinstance(value, datetime) else value
                for value in (row[name] for name in ROW_COLUMNS)
            ),
            owed,
        ]
        for row in rows_of(evaluation)
    ]


def outcome_cells_json(outcome: Outcome) -> str:
    """:func:`row_cells` of an outcome as JSON text (how a worker process hands rows back)."""
    return json.dumps(row_cells(to_evaluation(outcome)), separators=(",", ":"))


class RowBuffer:
    """Rows gathered column by column until they are taken as one ``pyarrow.RecordBatch``."""

    def __init__(self) -> None:
        self.schema = result_schema()
        self.columns: list[list[Any]] = [[] for _ in RESULT_COLUMNS]
        self.rows = 0

    def add(self, rows: Iterable[list[Any]]) -> None:
        """Add rows of :func:`row_cells`."""
        columns = self.columns
        for row in rows:
            for column, value in zip(columns, row, strict=True):
                column.append(value)
            self.rows += 1

    def take(self) -> Any:
        """The rows gathered, as a record batch of :func:`result_schema`; the buffer empties."""
        pa = pyarrow_module()
        self.columns[-1] = [
            None if owed is None else [(currency, Decimal(amount)) for currency, amount in owed]
            for owed in self.columns[-1]
        ]
        arrays = [
            pa.array(column, type=field.type)
            for column, field in zip(self.columns, self.schema, strict=True)
        ]
        self.columns = [[] for _ in RESULT_COLUMNS]
        self.rows = 0
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)


# -- the tickets in --------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A cell as the JSON shape of a ticket has it: instants and dates as ISO text, floats as
    decimals (by their shortest text), lists and structs of the same."""
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def check_columns(names: Iterable[str], needed: Iterable[str], what: str) -> None:
    """A :class:`ValueError` naming the columns of ``needed`` that ``names`` lacks."""
    missing = [name for name in needed if name not in set(names)]
    if missing:
        raise ValueError(f"the {what} table lacks column(s): {', '.join(missing)}")


def id_text(value: Any) -> str | None:
    """A ticket id as the text events are matched by (a number is its text)."""
    return None if value is None else str(value)


def event_rows(batches: Iterable[Any], ids: set[str]) -> dict[str, list[dict[str, Any]]]:
    """The events of the tickets ``ids`` from record batches of the events table, by ticket
    id, in table order; rows of other tickets are dropped as each batch is read."""
    pa = pyarrow_module()
    compute = _compute()
    wanted = pa.array(sorted(ids), type=pa.string())
    found: dict[str, list[dict[str, Any]]] = {}
    for batch in batches:
        keys = compute.cast(batch.column("ticket_id"), pa.string())
        kept = batch.filter(compute.is_in(keys, value_set=wanted))
        if not kept.num_rows:
            continue
        names = [name for name in kept.schema.names if name != "ticket_id"]
        kept_keys = compute.cast(kept.column("ticket_id"), pa.string()).to_pylist()
        columns = [kept.column(name).to_pylist() for name in names]
        for row, key in enumerate(kept_keys):
            event = {
                name: plain(column[row])
                for name, column in zip(names, columns, strict=True)
                if column[row] is not None
            }
            found.setdefault(key, []).append(event)
    return found


def ticket_dicts(
    batch: Any, events: Mapping[str, list[dict[str, Any]]]
) -> Iterator[dict[str, Any]]:
    """Each row of a record batch of the tickets table as a ticket's JSON shape, with its
    ``events``; a null ``id`` or ``created_at`` is kept, for the evaluator to refuse."""
    names = list(batch.schema.names)
    columns = {name: batch.column(name).to_pylist() for name in names}
    fields = [name for name in names if name not in TICKET_COLUMNS]
    for row in range(batch.num_rows):
        ticket_id = columns["id"][row]
        yield {
            "id": plain(ticket_id),
            "created_at": plain(columns["created_at"][row]),
            "fields": {
                name: plain(columns[name][row]) for name in fields if columns[name][row] is not None
            },
            "events": list(events.get(id_text(ticket_id) or "", ())),
        }


def batch_ids(batch: Any) -> set[str]:
    """The ids of a record batch of the tickets table, as text."""
    pa = pyarrow_module()
    keys = _compute().cast(batch.column("id"), pa.string()).to_pylist()
    return {key for key in keys if key is not None}


def _compute() -> Any:
    pyarrow_module()
    import pyarrow.compute  # type: ignore[import-untyped]

    return pyarrow.compute


def _table_tickets(tickets: Any, events: Any) -> Iterator[dict[str, Any]]:
    """The tickets of two in-memory tables, a batch of tickets at a time."""
    for batch in tickets.to_batches(max_chunksize=TICKET_BATCH):
        ids = batch_ids(batch)
        grouped = event_rows(events.to_batches(), ids) if events is not None and ids else {}
        yield from ticket_dicts(batch, grouped)


# -- the public functions --------------------------------------------------------------------


def evaluate_table(tickets: Any, events: Any, policy: Policy | PolicySet, as_of: datetime) -> Any:
    """Evaluate the tickets of a ``pyarrow.Table`` (``id``, ``created_at``, one column per
    field) with their events (a ``pyarrow.Table`` in long form: ``ticket_id``, ``at``,
    ``type``, ``status``, ``field``, ``value``, ``actor``; or None for no events) at
    ``as_of``; a ``pyarrow.Table`` of :func:`result_schema`, one row per ticket and metric, as
    ``servicepolicy evaluate --format parquet`` writes it.

    A ticket that cannot be read or evaluated is one row with ``status`` ``"error"``, its id
    and its row (``line``), so tickets in equal tickets out.  A table without the columns
    it needs is a :class:`ValueError`.
    """
    pa = pyarrow_module()
    check_columns(tickets.schema.names, TICKET_COLUMNS, "tickets")
    if events is not None:
        check_columns(events.schema.names, EVENT_COLUMNS, "events")
    evaluator = evaluator_for(policy)
    seen = SeenIds()
    buffer = RowBuffer()
    batches = []
    for line, data in enumerate(_table_tickets(tickets, events), start=1):
        outcome = seen.check(outcome_or_record(evaluator, data, as_of, line))
        buffer.add(row_cells(to_evaluation(outcome)))
        if buffer.rows >= TICKET_BATCH:
            batches.append(buffer.take())
    batches.append(buffer.take())
    return pa.Table.from_batches(batches, schema=buffer.schema)


def evaluate_frame(tickets: Any, events: Any, policy: Policy | PolicySet, as_of: datetime) -> Any:
    """:func:`evaluate_table` for ``pandas.DataFrame`` tickets and events (None for no
    events): a ``pandas.DataFrame`` of its rows (instants as ``datetime64[us, UTC]``)."""
    pa = pyarrow_module()
    ticket_table = pa.Table.from_pandas(tickets, preserve_index=False)
    event_table = None if events is None else pa.Table.from_pandas(events, preserve_index=False)
    return evaluate_table(ticket_table, event_table, policy, as_of).to_pandas()


def evaluate_polars(tickets: Any, events: Any, policy: Policy | PolicySet, as_of: datetime) -> Any:
    """:func:`evaluate_table` for ``polars.DataFrame`` tickets and events (None for no
    events): a ``polars.DataFrame`` of its rows."""
    pyarrow_module()
    try:
        import polars  # type: ignore[import-not-found, unused-ignore]
    except ImportError as exc:
        raise ImportError("evaluate_polars needs polars: pip install polars") from exc
    event_table = None if events is None else events.to_arrow()
    return polars.from_arrow(evaluate_table(tickets.to_arrow(), event_table, policy, as_of))


def ticket_json(data: Mapping[str, Any]) -> str:
    """A ticket's JSON shape as one line of JSON Lines, decimals written as JSON numbers
    (read back as the same decimals)."""
    return _json(data)


def _json(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else json.dumps(str(value))
    if isinstance(value, Mapping):
        items = (f"{json.dumps(str(key))}:{_json(item)}" for key, item in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_json(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)
