"""Evaluation and compliance reports on Dask: the rows of ``servicepolicy evaluate --format
parquet`` as a Dask DataFrame, and the report of ``servicepolicy report --format json``,
computed partition by partition on any Dask scheduler (a ``distributed`` cluster included).

Needs the optional extra: ``pip install 'servicepolicy[dask]'`` (dask's DataFrame, pandas and
pyarrow).  This module can be imported without it; each function raises :class:`ImportError`
saying what to install.

The tickets come in one of two shapes (docs/scale.md):

- a ``dask.bag.Bag`` of tickets in their JSON shape (docs/tickets.md; ``Ticket`` objects
  too), such as ``dask.bag.read_text("tickets-*.jsonl").map(json.loads,
  parse_float=Decimal)`` (numbers read as the command line reads them): each ticket's
  ``line`` is its 1-based place in the bag, its partitions in order.  The partitions are
  evaluated where they are, in order, with no shuffle; a repeated ticket id is warned on when
  it repeats within a partition;
- a ``dask.dataframe.DataFrame`` of tickets (``id``, ``created_at``, one column per field) and,
  as ``events``, one of events in long form (``ticket_id``, ``at``, ``type``, ``status``,
  ``field``, ``value``, ``actor``), read cell by cell as :mod:`servicepolicy.arrow` reads
  tables.  Each ticket's ``line`` is its 1-based row in the tickets DataFrame, its partitions
  in order; events keep their order in the events DataFrame.  Both are shuffled once, by ticket
  id, so that every ticket meets its events and the tickets of one id meet each other: a
  repeated id is warned on wherever it repeats, as on one machine.

Each ticket is evaluated by the one-machine evaluator with the line it has in the whole input
(the partition lengths are counted lazily, in the graph), so the rows and the report are those
of the command line on the same tickets.  Neither function computes anything before it is
asked to: :func:`evaluate` returns a lazy DataFrame; :func:`report` computes one partial report
per partition and merges them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from ._distributed import PartialReport, checked_arguments, in_order, merged, row_batches
from ._policy.model import Policy
from ._policy.versions import PolicySet
from ._reports.figures import ComplianceReport
from .arrow import (
    EVENT_COLUMNS,
    TICKET_COLUMNS,
    check_columns,
    event_rows,
    result_schema,
    ticket_dicts,
    ticket_json,
)

__all__ = ["INSTALL", "evaluate", "report"]

INSTALL: Final = "pip install 'servicepolicy[dask]'"
"""What to install for this module."""

_MERGED: Final = 8
"""How many partial reports one task merges."""

_KEY, _ORDER, _KIND, _JSON = "ticket_key", "order", "kind", "json"
_TICKET, _EVENTS = 0, 1
"""The columns of the shuffled frame: for a ticket, its id as text, its line, ``_TICKET`` and
its JSON shape without events; for the events of one id in one partition of the events, that
id, the partition's number, ``_EVENTS`` and ``{"events": [...]}`` in JSON."""


class _Modules:
    """The optional modules this module works with, imported when first needed."""

    def __init__(self) -> None:
        try:
            import dask
            import dask.bag
            import dask.dataframe
            import pandas  # type: ignore[import-untyped, unused-ignore]
            import pyarrow  # type: ignore[import-untyped, unused-ignore]
        except ImportError as exc:
            raise ImportError(f"servicepolicy.dask needs dask[dataframe]: {INSTALL}") from exc
        self.dask: Any = dask
        self.bag: Any = dask.bag
        self.dataframe: Any = dask.dataframe
        self.pandas: Any = pandas
        self.pyarrow: Any = pyarrow


def evaluate(
    tickets: Any, policy: Policy | PolicySet, as_of: datetime, *, events: Any = None
) -> Any:
    """Evaluate ``tickets`` at ``as_of``: a lazy ``dask.dataframe.DataFrame`` of the rows of
    ``servicepolicy evaluate --format parquet`` (one per ticket and metric; the columns and
    types of ``servicepolicy.arrow.result_schema()``, as pandas ``ArrowDtype``s).

    ``tickets`` is a ``dask.bag.Bag`` of tickets in their JSON shape, whose rows come in its
    order; or a ``dask.dataframe.DataFrame`` of tickets, with ``events`` a DataFrame of their
    events in long form (or None for no events), whose rows come grouped by ticket id, each
    ticket's rows together: sort by ``line`` for the input's order.  A ticket that cannot be
    read or evaluated is one row with ``status`` ``"error"``.
    """
    modules = _Modules()
    checked_arguments(policy, as_of)
    meta = _frame(modules, [])
    policy_in_graph = modules.dask.delayed(policy, pure=True)
    if isinstance(tickets, modules.bag.Bag):
        _no_events(events)
        parts = [
            modules.dask.delayed(_bag_frame)(part, first, policy_in_graph, as_of)
            for part, first in _numbered(modules, tickets.to_delayed())
        ]
        return modules.dataframe.from_delayed(parts, meta=meta, verify_meta=False)
    shuffled = _shuffled(modules, tickets, events)
    return shuffled.map_partitions(_packed_frame, policy_in_graph, as_of, meta=meta)


def report(
    tickets: Any,
    policy: Policy | PolicySet,
    as_of: datetime,
    *,
    events: Any = None,
    by: Sequence[str] = (),
) -> ComplianceReport:
    """The compliance report of ``tickets`` at ``as_of``, grouped by ``by`` (ticket fields as
    they stand at ``as_of``, or ``week``): the figures of ``servicepolicy report --format
    json`` and of ``servicepolicy.report``.  ``tickets`` and ``events`` are as for
    :func:`evaluate`.  Each partition is folded into a report where it lies, and the reports
    are merged on the workers, a few at a time, into the one that comes back: every figure is
    a count, a sum or a histogram, so they are those of one report over every ticket.  A
    ticket that cannot be read or evaluated counts as failed."""
    modules = _Modules()
    checked_arguments(policy, as_of)
    grouping = tuple(by)
    policy_in_graph = modules.dask.delayed(policy, pure=True)
    if isinstance(tickets, modules.bag.Bag):
        _no_events(events)
        parts = [
            modules.dask.delayed(_bag_report)(part, first, policy_in_graph, as_of, grouping)
            for part, first in _numbered(modules, tickets.to_delayed())
        ]
    else:
        parts = [
            modules.dask.delayed(_packed_report)(part, policy_in_graph, as_of, grouping)
            for part in _shuffled(modules, tickets, events).to_delayed()
        ]
    while len(parts) > 1:  # merged on the workers, a few neighbours at a time
        parts = [
            modules.dask.delayed(_merged)(grouping, as_of, *parts[start : start + _MERGED])
            for start in range(0, len(parts), _MERGED)
        ]
    (computed,) = modules.dask.compute(*parts)
    whole: PartialReport = computed
    return whole.to_report()


def _merged(by: Sequence[str], as_of: datetime, *parts: PartialReport) -> PartialReport:
    return merged(parts, by, as_of)


def _no_events(events: Any) -> None:
    if events is not None:
        raise TypeError(
            "events go with a DataFrame of tickets; a bag holds each ticket with its events"
        )


def _numbered(modules: _Modules, parts: list[Any]) -> Iterator[tuple[Any, Any]]:
    """Each partition with the line of its first ticket: a task that waits for the lengths of
    the partitions before it, so nothing is computed until the result is."""
    first: Any = 1
    for part in parts:
        yield part, first
        first = modules.dask.delayed(_after)(first, part)


def _after(first: int, part: Any) -> int:
    return first + len(part)


def _frame(modules: _Modules, batches: Iterable[Any]) -> Any:
    """Record batches of ``result_schema()`` as one pandas DataFrame of ``ArrowDtype``s."""
    table = modules.pyarrow.Table.from_batches(list(batches), schema=result_schema())
    return table.to_pandas(types_mapper=modules.pandas.ArrowDtype)


# -- a bag of tickets ------------------------------------------------------------------------


def _bag_frame(part: list[Any], first: int, policy: Policy | PolicySet, as_of: datetime) -> Any:
    done = in_order(enumerate(part, start=first), policy, as_of)
    return _frame(_Modules(), row_batches(done))


def _bag_report(
    part: list[Any], first: int, policy: Policy | PolicySet, as_of: datetime, by: Sequence[str]
) -> PartialReport:
    done = in_order(enumerate(part, start=first), policy, as_of)
    return PartialReport(by, as_of).add_all(done)


# -- tickets and events as DataFrames --------------------------------------------------------


def _shuffled(modules: _Modules, tickets: Any, events: Any) -> Any:
    """The tickets (numbered) and the events as one DataFrame of JSON texts, shuffled by ticket
    id: every partition holds all the tickets of its ids and all their events."""
    if not isinstance(tickets, modules.dataframe.DataFrame):
        raise TypeError(
            "tickets must be a dask.bag.Bag of tickets or a dask.dataframe.DataFrame, "
            f"got {type(tickets).__name__}"
        )
    check_columns(list(tickets.columns), TICKET_COLUMNS, "tickets")
    delayed = modules.dask.delayed
    packed = [
        delayed(_packed_tickets)(part, first)
        for part, first in _numbered(modules, tickets.to_delayed())
    ]
    if events is not None:
        if not isinstance(events, modules.dataframe.DataFrame):
            raise TypeError(
                f"events must be a dask.dataframe.DataFrame or None, got {type(events).__name__}"
            )
        check_columns(list(events.columns), EVENT_COLUMNS, "events")
        packed += [
            delayed(_packed_events)(part, number) for number, part in enumerate(events.to_delayed())
        ]
    meta = _packed_frame_of(modules, [], [], [], [])
    frame = modules.dataframe.from_delayed(packed, meta=meta, verify_meta=False)
    return frame.shuffle(on=_KEY)


def _packed_frame_of(
    modules: _Modules, keys: list[str], order: list[int], kinds: list[int], texts: list[str]
) -> Any:
    pd, pa = modules.pandas, modules.pyarrow
    text = pd.ArrowDtype(pa.string())
    return pd.DataFrame(
        {
            _KEY: pd.Series(keys, dtype=text),
            _ORDER: pd.Series(order, dtype="int64"),
            _KIND: pd.Series(kinds, dtype="int8"),
            _JSON: pd.Series(texts, dtype=text),
        }
    )


def _keys(modules: _Modules, column: Any) -> list[str]:
    """Ticket ids as the text they are matched by (as ``servicepolicy.arrow`` matches them);
    a missing id is ``""``."""
    pa = modules.pyarrow
    import pyarrow.compute  # type: ignore[import-untyped, unused-ignore]

    return [key or "" for key in pyarrow.compute.cast(column, pa.string()).to_pylist()]


def _packed_tickets(frame: Any, first: int) -> Any:
    modules = _Modules()
    table = modules.pyarrow.Table.from_pandas(frame, preserve_index=False)
    keys = _keys(modules, table.column("id"))
    texts = []
    for batch in table.to_batches():
        for data in ticket_dicts(batch, {}):
            del data["events"]
            texts.append(ticket_json(data))
    lines = list(range(first, first + len(keys)))
    return _packed_frame_of(modules, keys, lines, [_TICKET] * len(keys), texts)


def _packed_events(frame: Any, number: int) -> Any:
    modules = _Modules()
    table = modules.pyarrow.Table.from_pandas(frame, preserve_index=False)
    ids = {key for key in _keys(modules, table.column("ticket_id")) if key}
    grouped = event_rows(table.to_batches(), ids) if ids else {}
    keys = list(grouped)
    texts = [ticket_json({"events": grouped[key]}) for key in keys]
    return _packed_frame_of(modules, keys, [number] * len(keys), [_EVENTS] * len(keys), texts)


def _unpacked(frame: Any) -> Iterator[tuple[int, Any]]:
    """The tickets of a shuffled partition, in line order, each with its events."""
    events = frame[frame[_KIND] == _EVENTS].sort_values(_ORDER, kind="stable")
    found: dict[str, list[Any]] = {}
    for key, text in zip(events[_KEY], events[_JSON], strict=True):
        found.setdefault(key, []).extend(json.loads(text, parse_float=Decimal)["events"])
    tickets = frame[frame[_KIND] == _TICKET].sort_values(_ORDER, kind="stable")
    for key, line, text in zip(tickets[_KEY], tickets[_ORDER], tickets[_JSON], strict=True):
        data = json.loads(text, parse_float=Decimal)
        data["events"] = list(found.get(key, ()))
        yield int(line), data


def _packed_frame(frame: Any, policy: Policy | PolicySet, as_of: datetime) -> Any:
    done = in_order(_unpacked(frame), policy, as_of)
    return _frame(_Modules(), row_batches(done))


def _packed_report(
    frame: Any, policy: Policy | PolicySet, as_of: datetime, by: Sequence[str]
) -> PartialReport:
    return PartialReport(by, as_of).add_all(in_order(_unpacked(frame), policy, as_of))
