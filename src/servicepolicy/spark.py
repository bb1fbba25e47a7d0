"""Evaluation and compliance reports on Apache Spark: the rows of ``servicepolicy evaluate
--format parquet`` as a Spark DataFrame, and the report of ``servicepolicy report --format
json``, computed on the executors.

Needs the optional extra: ``pip install 'servicepolicy[spark]'`` (pyspark, pandas and
pyarrow; Spark itself needs Java).  This module can be imported without it; each function
raises :class:`ImportError` saying what to install.

The tickets are two DataFrames, as :mod:`servicepolicy.arrow` reads two tables (docs/scale.md):
the tickets (``id``, ``created_at``, one column per field) and, as ``events``, their events in
long form (``ticket_id``, ``at``, ``type``, ``status``, ``field``, ``value``, ``actor``).  How
they meet, all in Spark's own engine but for the evaluation:

1. each ticket is given its ``line``, its 1-based row in the tickets DataFrame, its partitions
   in order (one small job counts the rows of each partition when :func:`evaluate` or
   :func:`report` is called), and the line of the first ticket with its id;
2. the events are grouped by ticket id into one list per ticket, each event with its place in
   the events DataFrame, and joined to the tickets by id (compared as text);
3. ``mapInArrow`` evaluates each ticket with its events, on the executors, with the evaluator
   of one machine.

So each ticket meets all its events, in their order, wherever they were, and a repeated id is
warned on naming the line of its first ticket: the rows are those of the command line on the
same tickets, and the report's figures too.  Spark keeps no row order: sort the rows by
``line`` for the input's.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from functools import partial
from typing import Any, Final

from ._distributed import (
    PartialReport,
    checked_arguments,
    merged,
    row_batches,
    with_first_lines,
)
from ._policy.model import Policy
from ._policy.versions import PolicySet
from ._reports.figures import ComplianceReport
from .arrow import (
    EVENT_COLUMNS,
    TICKET_COLUMNS,
    check_columns,
    plain,
    result_schema,
    ticket_dicts,
)

__all__ = ["INSTALL", "evaluate", "report"]

INSTALL: Final = "pip install 'servicepolicy[spark]'"
"""What to install for this module."""

_PREFIX: Final = "__servicepolicy_"
_ROW: Final = _PREFIX + "row"
_LINE: Final = _PREFIX + "line"
_FIRST: Final = _PREFIX + "first"
_KEY: Final = _PREFIX + "key"
_PLACE: Final = _PREFIX + "place"
_EVENTS: Final = _PREFIX + "events"
_EVENT: Final = _PREFIX + "event"
_HELPERS: Final = (_LINE, _FIRST, _KEY, _EVENTS)
_SPARK_TYPES: Final = {
    "string": "string",
    "int64": "bigint",
    "double": "double",
    "timestamp[us, tz=UTC]": "timestamp",
    "map<string, decimal128(38, 4)>": "map<string, decimal(38,4)>",
}
"""Spark's name for each type of ``result_schema()``."""
_ROW_BITS: Final = 33
"""``monotonically_increasing_id()`` holds the partition above these bits, the row below."""


class _Modules:
    """The optional modules this module works with, imported when first needed."""

    def __init__(self) -> None:
        try:
            import pandas  # type: ignore[import-untyped, unused-ignore]  # for mapInArrow
            import pyarrow  # type: ignore[import-untyped, unused-ignore]
            import pyspark.sql
            import pyspark.sql.functions
            import pyspark.sql.window
        except ImportError as exc:
            raise ImportError(f"servicepolicy.spark needs pyspark: {INSTALL}") from exc
        self.pandas: Any = pandas
        self.pyarrow: Any = pyarrow
        self.sql: Any = pyspark.sql
        self.functions: Any = pyspark.sql.functions
        self.window: Any = pyspark.sql.window


def evaluate(
    tickets: Any, policy: Policy | PolicySet, as_of: datetime, *, events: Any = None
) -> Any:
    """Evaluate the tickets of a Spark DataFrame (``id``, ``created_at``, one column per field)
    with their ``events`` (a DataFrame in long form, or None for no events) at ``as_of``: a
    Spark DataFrame of the rows of ``servicepolicy evaluate --format parquet``, one per ticket
    and metric, whose schema is ``servicepolicy.arrow.result_schema()`` in Spark's types.

    The rows come in no particular order, each ticket's together: sort by ``line`` for the
    input's.  A ticket that cannot be read or evaluated is one row with ``status``
    ``"error"``; a DataFrame without the columns it needs is a :class:`ValueError`.
    """
    modules = _Modules()
    checked_arguments(policy, as_of)
    joined = _joined(modules, tickets, events)
    return joined.mapInArrow(partial(_evaluated, policy, as_of), _spark_schema())


def report(
    tickets: Any,
    policy: Policy | PolicySet,
    as_of: datetime,
    *,
    events: Any = None,
    by: Sequence[str] = (),
) -> ComplianceReport:
    """The compliance report of the tickets of a Spark DataFrame and their ``events`` at
    ``as_of``, grouped by ``by`` (ticket fields as they stand at ``as_of``, or ``week``): the
    figures of ``servicepolicy report --format json`` and of ``servicepolicy.report``.  Each
    partition is folded into a report on the executors; the reports come back to the driver
    and are merged, so the figures are exactly those of one report over every ticket.  A
    ticket that cannot be read or evaluated counts as failed."""
    modules = _Modules()
    checked_arguments(policy, as_of)
    grouping = tuple(by)
    joined = _joined(modules, tickets, events)
    schema = f"{_PREFIX}report binary"
    parts = joined.mapInArrow(partial(_reported, policy, as_of, grouping), schema).collect()
    return merged((pickle.loads(row[0]) for row in parts), grouping, as_of).to_report()


# -- on the driver: the plan -----------------------------------------------------------------


def _joined(modules: _Modules, tickets: Any, events: Any) -> Any:
    """One row per ticket: its columns, its line, the line of the first ticket with its id,
    its id as text, and the list of its events."""
    if not isinstance(tickets, modules.sql.DataFrame):
        raise TypeError(f"tickets must be a Spark DataFrame, got {type(tickets).__name__}")
    check_columns(tickets.columns, TICKET_COLUMNS, "tickets")
    _check_names(tickets.columns, "tickets")
    F = modules.functions
    window = modules.window.Window.partitionBy(_KEY)
    keyed = (
        _lined(modules, tickets)
        .withColumn(_KEY, F.coalesce(F.col("id").cast("string"), F.lit("")))
        .withColumn(_FIRST, F.min(_LINE).over(window))
    )
    if events is None:
        return keyed.withColumn(_EVENTS, F.lit(None))
    if not isinstance(events, modules.sql.DataFrame):
        raise TypeError(f"events must be a Spark DataFrame or None, got {type(events).__name__}")
    check_columns(events.columns, EVENT_COLUMNS, "events")
    _check_names(events.columns, "events")
    keys = [F.col(f"`{name}`") for name in events.columns if name != "ticket_id"]
    grouped = (
        events.where(F.col("ticket_id").isNotNull())
        .select(
            F.col("ticket_id").cast("string").alias(_KEY),
            F.struct(F.monotonically_increasing_id().alias(_PLACE), *keys).alias(_EVENT),
        )
        .groupBy(_KEY)
        .agg(F.collect_list(_EVENT).alias(_EVENTS))
    )
    return keyed.join(grouped, on=_KEY, how="left")


def _lined(modules: _Modules, tickets: Any) -> Any:
    """The tickets with their 1-based row, their partitions in order: one job counts the rows
    of each partition."""
    F = modules.functions
    part = F.shiftright(F.col(_ROW), _ROW_BITS)
    numbered = tickets.withColumn(_ROW, F.monotonically_increasing_id())
    counts = sorted(tuple(row) for row in numbered.groupBy(part.alias("part")).count().collect())
    starts: list[Any] = []
    first = 1
    for number, count in counts:
        starts += [F.lit(number), F.lit(first)]
        first += count
    start = F.element_at(F.create_map(*starts), part) if starts else F.lit(None)
    row = F.col(_ROW).bitwiseAND((1 << _ROW_BITS) - 1)
    return numbered.withColumn(_LINE, (start + row).cast("long")).drop(_ROW)


def _spark_schema() -> str:
    """``result_schema()`` in Spark's words: the same columns, of the same types."""
    return ", ".join(f"{field.name} {_SPARK_TYPES[str(field.type)]}" for field in result_schema())


def _check_names(names: Iterable[str], what: str) -> None:
    taken = [name for name in names if name.startswith(_PREFIX)]
    if taken:
        raise ValueError(f"the {what} DataFrame has column(s) named as servicepolicy's: {taken}")


# -- on the executors ------------------------------------------------------------------------


def _tickets(batches: Iterable[Any]) -> Iterator[tuple[int, Any, int | None]]:
    """Each ticket of the joined rows, as its JSON shape with its events, with its line and
    the line of the first ticket with its id."""
    for batch in batches:
        names = [name for name in batch.schema.names if name not in _HELPERS]
        lines = batch.column(_LINE).to_pylist()
        firsts = batch.column(_FIRST).to_pylist()
        events = batch.column(_EVENTS).to_pylist()
        dicts = ticket_dicts(batch.select(names), {})
        for data, line, first, found in zip(dicts, lines, firsts, events, strict=True):
            data["events"] = [_event(event) for event in sorted(found or (), key=_place)]
            yield line, data, first


def _place(event: dict[str, Any]) -> int:
    place: int = event[_PLACE]
    return place


def _event(event: dict[str, Any]) -> dict[str, Any]:
    """An event's JSON shape, as ``servicepolicy.arrow`` reads a row of the events table."""
    return {
        name: plain(value) for name, value in event.items() if name != _PLACE and value is not None
    }


def _evaluated(policy: Policy | PolicySet, as_of: datetime, batches: Iterable[Any]) -> Any:
    return row_batches(with_first_lines(_tickets(batches), policy, as_of))


def _reported(
    policy: Policy | PolicySet, as_of: datetime, by: Sequence[str], batches: Iterable[Any]
) -> Iterator[Any]:
    import pyarrow  # type: ignore[import-untyped, unused-ignore]

    done = PartialReport(by, as_of).add_all(with_first_lines(_tickets(batches), policy, as_of))
    schema = pyarrow.schema([pyarrow.field(f"{_PREFIX}report", pyarrow.binary())])
    yield pyarrow.RecordBatch.from_pylist([{f"{_PREFIX}report": pickle.dumps(done)}], schema)
