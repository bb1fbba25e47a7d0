"""Rendering the outcomes of a batch of tickets on several cores, in input order.

The main process reads the records (so line numbers, error records and their order are those
of one process) and hands them out in chunks; each worker evaluates its chunk and renders every
outcome as text.  The main process writes the texts in input order.  A ticket id seen before
in the input is the one thing a worker cannot know: the main process evaluates that record
again itself, through the same steps as one process, so the output is byte-identical to
``--jobs 1``.  At most ``2 x jobs`` chunks are in flight, whatever the input's size.

:func:`in_chunks` is the same machinery for any work on a chunk (``compare``, ``refund``).

Stopping: interrupted in the console script (Ctrl-C, SIGTERM), the main process removes its
unfinished ``-o`` file and exits at once (``cli.entry_point``), with no time to tell its
workers; each worker watches its parent and leaves as soon as it is gone.  Interrupted within
Python (``KeyboardInterrupt``), the main process cancels the chunks not begun and waits for
the workers to end.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Final, TypeVar

from .._evaluation.engine import evaluator_for, outcome_or_record
from .._evaluation.hygiene import DUPLICATE_ID, SeenIds, strictly
from .._evaluation.outcome import Outcome, error_outcome, to_evaluation
from .._policy.model import Policy
from .._policy.versions import PolicySet
from .._reports.report import Report
from .._tickets.streams import RawLine, TicketRecord, line_record
from ._progress import add_progress_argument
from ._shared import WarningTally

CHUNK: Final = 256
"""Records per chunk handed to a worker."""
_WATCH_EVERY: Final = 0.25
"""Seconds between a worker's looks at whether its parent is still there."""
_I = TypeVar("_I")
_R = TypeVar("_R")

Render = Callable[[Outcome], str]


@dataclass(frozen=True, slots=True)
class Rendered:
    """One record's text and what the summary counts of it."""

    text: str
    failed: bool
    warning_kinds: tuple[str, ...]
    ticket_id: str | None = None

    @classmethod
    def of(cls, outcome: Outcome, render: Render) -> Rendered:
        """An outcome, rendered."""
        return cls(
            render(outcome), bool(outcome.errors), tuple(outcome.warning_kinds), outcome.ticket_id
        )


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def jobs_argument(text: str) -> int:
    """``--jobs``: a positive number, or ``auto`` for every available core."""
    if text == "auto":
        return available_cores()
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"--jobs must be a positive number or auto, got {text!r}")
    return value


def add_jobs_argument(parser: argparse.ArgumentParser) -> None:
    """``--jobs N|auto``, and ``--no-progress`` with it: a run long enough to want one wants
    the other."""
    parser.add_argument(
        "--jobs",
        type=_jobs_type,
        default="auto",
        metavar="N",
        help="processes to evaluate on: a number, or auto for every available core "
        "(default; a small input stays in one process). The output is the same for any N",
    )
    add_progress_argument(parser)


def _jobs_type(text: str) -> int:
    try:
        return jobs_argument(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


Item = TicketRecord | RawLine


def read_record(item: Item) -> TicketRecord:
    """The record of an item read from the input, its JSON read now if it was deferred."""
    return line_record(item) if isinstance(item, RawLine) else item


def record_outcome(evaluator: Any, item: Item, as_of: datetime) -> Outcome:
    """A record's outcome (an error record for one that could not be read), before any check
    of the input as a whole."""
    record = read_record(item)
    if record.error is not None:
        return error_outcome(record.error, as_of, record.ticket_id, record.line)
    return outcome_or_record(evaluator, record.data, as_of, record.line)


def first_outcome(
    evaluator: Any, item: Item, as_of: datetime, strict: bool
) -> tuple[Outcome, str | None]:
    """A record's outcome before the check of repeated ids, and the id that check reads;
    ``--strict-input`` applied after it."""
    outcome = record_outcome(evaluator, item, as_of)
    ticket_id = outcome.ticket_id
    return (strictly(outcome) if strict else outcome), ticket_id


def checked_outcome(
    evaluator: Any, item: Item, as_of: datetime, strict: bool, seen: SeenIds
) -> Outcome:
    """A record's outcome as one process makes it: evaluated, its id checked against those
    seen before, then ``--strict-input``."""
    outcome = seen.check(record_outcome(evaluator, item, as_of))
    return strictly(outcome) if strict else outcome


# -- the worker side -------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _leave_with_parent() -> None:
    """Ignore Ctrl-C (the main process stops the workers), and leave at once when the main
    process is gone: stopped by a signal, it exits without a word to its workers, which would
    otherwise wait for work that never comes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_WATCH_EVERY)
        os._exit(1)

    threading.Thread(target=watch, name="servicepolicy-watch-parent", daemon=True).start()


def _start_worker(
    policy: Policy | PolicySet, as_of: datetime, strict: bool, setup: Callable[[], Any]
) -> None:
    _leave_with_parent()
    _WORKER.update(evaluator=evaluator_for(policy), as_of=as_of, strict=strict, tool=setup())


def _start_work(make_work: Callable[[], Callable[[list[Any]], Any]]) -> None:
    _leave_with_parent()
    _WORKER.update(work=make_work())


def _work_chunk(items: list[Any]) -> Any:
    return _WORKER["work"](items)


def _render_chunk(records: list[Item]) -> list[tuple[str | None, Rendered]]:
    evaluator, as_of = _WORKER["evaluator"], _WORKER["as_of"]
    strict, render = _WORKER["strict"], _WORKER["tool"]
    done = []
    for record in records:
        outcome, ticket_id = first_outcome(evaluator, record, as_of, strict)
        done.append((ticket_id, Rendered.of(outcome, render)))
    return done


def _report_chunk(records: list[Item]) -> tuple[Report, list[tuple[str | None, tuple[str, ...]]]]:
    evaluator, as_of = _WORKER["evaluator"], _WORKER["as_of"]
    strict, by = _WORKER["strict"], _WORKER["tool"]
    report = Report(by, as_of)
    ids = []
    for record in records:
        outcome, ticket_id = first_outcome(evaluator, record, as_of, strict)
        report.add(to_evaluation(outcome))
        ids.append((ticket_id, tuple(outcome.warning_kinds)))
    return report, ids


# -- the main side ---------------------------------------------------------------------------


def _context() -> Any:
    # fork shares the loaded package and policy with the workers at no cost; where there is
    # no fork, spawn starts each worker afresh.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _line_of(record: Item) -> int | None:
    return record.number if isinstance(record, RawLine) else record.line


def _chunk_results(
    records: Iterable[_I],
    *,
    jobs: int,
    chunk: int,
    initargs: tuple[Any, ...],
    work: Callable[[list[_I]], Any],
    initializer: Callable[..., None] = _start_worker,
) -> Iterator[tuple[list[_I], Any]]:
    """The records in chunks, each with what ``work`` made of it in a worker (started by
    ``initializer(*initargs)``), in input order; None in its place for a chunk the main
    process must do itself (too small an input, one job, or a chunk that could not be sent).
    An input that breaks off raises its error once the chunks read before it are out."""
    source = iter(records)
    pending, broke = _take(source, chunk)
    if broke is not None or len(pending) < chunk or jobs == 1:
        while pending:
            yield pending, None
            if broke is not None:
                break
            pending, broke = _take(source, chunk)
        if broke is not None:
            raise broke
        return
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=_context(), initializer=initializer, initargs=initargs
    )
    in_flight: deque[tuple[list[_I], Future[Any]]] = deque()
    try:
        while pending or in_flight:
            while pending and len(in_flight) < 2 * jobs:
                in_flight.append((pending, pool.submit(work, pending)))
                pending = []
                if broke is None:
                    pending, broke = _take(source, chunk)
            chunk_records, future = in_flight.popleft()
            try:
                result = future.result()
            except (KeyboardInterrupt, SystemExit):
                raise
            except Exception:
                result = None
            yield chunk_records, result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if broke is not None:  # the input broke off: what was read before it is out
        raise broke


def in_chunks(
    items: Iterable[_I],
    *,
    jobs: int,
    make_work: Callable[[], Callable[[list[_I]], _R]],
    chunk: int = CHUNK,
) -> Iterator[tuple[list[_I], _R | None]]:
    """The items in chunks, in input order, each with what a worker made of it on one of
    ``jobs`` processes: the work is the function ``make_work`` makes once in each worker (a
    module-level function, or a ``partial`` of one, for the workers).  None stands for a chunk
    the caller must work on itself, as one process would: an input smaller than a chunk, one
    job, or a chunk whose work could not be sent or sent back (so the work must never return
    None).  An input that breaks off raises its error once the chunks read before it are out."""
    return _chunk_results(
        items,
        jobs=jobs,
        chunk=chunk,
        initializer=_start_work,
        initargs=(make_work,),
        work=_work_chunk,
    )


def rendered_in_parallel(
    records: Iterable[Item],
    policy: Policy | PolicySet,
    as_of: datetime,
    *,
    strict: bool,
    make_render: Callable[[], Render],
    jobs: int,
    chunk: int = CHUNK,
) -> Iterator[Rendered]:
    """Every record's rendered outcome, in input order, evaluated on ``jobs`` processes.
    ``make_render`` (a module-level function) makes the renderer in each process."""
    seen = SeenIds()
    evaluator = evaluator_for(policy)
    render = make_render()

    def again(record: Item) -> Rendered:
        return Rendered.of(checked_outcome(evaluator, record, as_of, strict, seen), render)

    for chunk_records, results in _chunk_results(
        records,
        jobs=jobs,
        chunk=chunk,
        initargs=(policy, as_of, strict, make_render),
        work=_render_chunk,
    ):
        if results is None:
            yield from map(again, chunk_records)
            continue
        for record, (ticket_id, done) in zip(chunk_records, results, strict=True):
            if ticket_id is not None and not seen.first_time(ticket_id, _line_of(record)):
                done = again(record)
            yield done


def report_in_parallel(
    records: Iterable[Item],
    policy: Policy | PolicySet,
    as_of: datetime,
    *,
    strict: bool,
    by: Sequence[str],
    tally: WarningTally,
    jobs: int,
    chunk: int = CHUNK,
) -> Report:
    """The report of every record, each worker folding its chunks into a partial report that
    the main process merges in input order.  A repeated id only adds its warning, except with
    ``strict`` (where it makes an error record): a chunk holding one is then done again in the
    main process."""
    seen = SeenIds()
    evaluator = evaluator_for(policy)
    report = Report(by, as_of)

    def again(chunk_records: list[Item]) -> None:
        for record in chunk_records:
            outcome = checked_outcome(evaluator, record, as_of, strict, seen)
            tally.add(outcome.warning_kinds)
            report.add(to_evaluation(outcome))

    for chunk_records, result in _chunk_results(
        records,
        jobs=jobs,
        chunk=chunk,
        initargs=(policy, as_of, strict, partial(tuple, by)),
        work=_report_chunk,
    ):
        if result is None:
            again(chunk_records)
            continue
        partial_report, ids = result
        repeated = _repeated(seen, [ticket_id for ticket_id, _ in ids])
        if strict and any(repeated):
            again(chunk_records)
            continue
        for record, (ticket_id, kinds), twice in zip(chunk_records, ids, repeated, strict=True):
            if ticket_id is not None:
                seen.first_time(ticket_id, _line_of(record))
            tally.add([*kinds, DUPLICATE_ID] if twice else list(kinds))
        report.merge(partial_report)
    return report


def _repeated(seen: SeenIds, ids: list[str | None]) -> list[bool]:
    """For each id of a chunk, whether it came before (in an earlier chunk or this one)."""
    here: set[str] = set()
    repeated = []
    for ticket_id in ids:
        repeated.append(ticket_id is not None and (ticket_id in seen or ticket_id in here))
        if ticket_id is not None:
            here.add(ticket_id)
    return repeated


def _take(source: Iterator[_I], count: int) -> tuple[list[_I], Exception | None]:
    """Up to ``count`` records, and the error that broke the reading off, if one did."""
    taken: list[_I] = []
    try:
        for record in source:
            taken.append(record)
            if len(taken) == count:
                break
    except Exception as error:
        return taken, error
    return taken, None
