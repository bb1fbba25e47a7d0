"""What-if replay of a policy change: the same tickets evaluated under an old and a new policy.

:func:`compare_policies` evaluates each ticket under both policies, one ticket at a time, and
tallies per group and metric: attainment before and after, the tickets that flip between met
and breached, the due times that move by more than a threshold, and the compensation owed.
Groups (``by``) are ticket fields as they stand at ``as_of`` (``field`` events applied), or
``week``, the ISO week of ``created_at`` in its own offset (``"2026-W47"``); a missing field
is ``"(none)"``.  Nothing is kept per ticket and every id list holds at most :data:`MAX_IDS`
entries next to its full count, so memory stays bounded for any number of tickets.

:func:`add_arguments` and :func:`run` are the ``servicepolicy compare`` command.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Generic, TextIO, TypeVar

from pydantic import BaseModel, ConfigDict, computed_field

from ._durations import format_duration, parse_duration
from ._errors import PolicyError, ServicePolicyError, require_aware
from ._evaluate import Evaluator
from ._loader import load_policy
from ._model import METRICS, Policy
from ._report import NO_VALUE, group_key
from ._results import Evaluation, MetricResult
from ._ticket import Ticket, instant_option
from ._ticketio import FORMATS, read_tickets

MAX_IDS = 1000
"""Most entries kept in one id list (or due-move list); its ``*_count`` field counts all."""
NONE_VALUE = NO_VALUE
"""The group value of a ticket without the grouping field."""
"""The group key that means the ISO week of ``created_at`` rather than a field."""
OK, FAILED, USAGE = 0, 1, 2
_SHOWN = 20  # ids shown per list in the table
_ERRORS = (ServicePolicyError, ValueError, TypeError, OverflowError)
_T = TypeVar("_T")


class DueMove(BaseModel):
    """A due time that moved by more than the threshold; ``shift_seconds`` is after - before."""

    model_config = ConfigDict(frozen=True)

    ticket_id: str
    metric: str
    before: datetime
    after: datetime
    shift_seconds: float


class MetricChange(BaseModel):
    """One metric of one group under both policies.

    ``attainment_*`` is met / (met + breached) in percent, rounded to 2 places, or None when
    no ticket was met or breached.  ``became_breached`` (met before, breached after),
    ``became_met`` (breached before, met after) and ``due_moved`` keep at most
    :data:`MAX_IDS` entries each; their ``*_count`` fields count them all.
    """

    model_config = ConfigDict(frozen=True)

    group: dict[str, str]
    metric: str
    tickets: int
    met_before: int
    breached_before: int
    met_after: int
    breached_after: int
    attainment_before: float | None
    attainment_after: float | None
    became_breached: list[str]
    became_breached_count: int
    became_met: list[str]
    became_met_count: int
    due_moved: list[DueMove]
    due_moved_count: int

    @property
    def changed(self) -> bool:
        """True when a ticket flipped, a due time moved, or the met/breached counts differ."""
        return bool(
            self.became_breached_count
            or self.became_met_count
            or self.due_moved_count
            or self.met_before != self.met_after
            or self.breached_before != self.breached_after
        )


class PolicyDiff(BaseModel):
    """What changes when ``new_policy`` replaces ``old_policy`` for the same tickets.

    ``tickets`` counts the tickets read, ``compared`` those evaluated under both policies;
    ``failed`` holds the ids of the others (a ticket that could not be read, or could not be
    evaluated under one policy or both), at most :data:`MAX_IDS` of them, ``failed_count``
    counts them all.  Tickets without a readable id appear as ``line N`` (command line) or
    ``#N`` (position in the input, Python API).  ``compensation_*`` are money totals by
    currency as Decimal strings (gestures carry no amount and are not counted).
    """

    model_config = ConfigDict(frozen=True)

    old_policy: str
    new_policy: str
    as_of: datetime
    by: list[str]
    threshold_seconds: float
    tickets: int
    compared: int
    failed: list[str]
    failed_count: int
    changes: list[MetricChange]
    compensation_before: dict[str, str]
    compensation_after: dict[str, str]
    compensation_change: dict[str, str]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def unchanged(self) -> bool:
        """True when no ticket flipped, no due time moved, every group's met and breached
        counts (hence attainment) are equal, and compensation totals are equal."""
        return not any(c.changed for c in self.changes) and all(
            Decimal(v) == 0 for v in self.compensation_change.values()
        )


@dataclass(slots=True)
class _Bounded(Generic[_T]):
    """The first :data:`MAX_IDS` items added, and how many were added."""

    items: list[_T] = field(default_factory=list)
    count: int = 0

    def add(self, item: _T) -> None:
        self.count += 1
        if len(self.items) < MAX_IDS:
            self.items.append(item)


@dataclass(slots=True)
class _Tally:
    """Running counts of one (group, metric)."""

    tickets: int = 0
    met_before: int = 0
    breached_before: int = 0
    met_after: int = 0
    breached_after: int = 0
    became_breached: _Bounded[str] = field(default_factory=_Bounded)
    became_met: _Bounded[str] = field(default_factory=_Bounded)
    due_moved: _Bounded[DueMove] = field(default_factory=_Bounded)

    def add(
        self, ticket_id: str, metric: str, old: MetricResult, new: MetricResult, limit: timedelta
    ) -> None:
        self.tickets += 1
        self.met_before += old.status == "met"
        self.breached_before += old.status == "breached"
        self.met_after += new.status == "met"
        self.breached_after += new.status == "breached"
        if old.status == "met" and new.status == "breached":
            self.became_breached.add(ticket_id)
        elif old.status == "breached" and new.status == "met":
            self.became_met.add(ticket_id)
        if old.due_at is not None and new.due_at is not None:
            shift = new.due_at - old.due_at
            if abs(shift) > limit:
                self.due_moved.add(
                    DueMove(
                        ticket_id=ticket_id,
                        metric=metric,
                        before=old.due_at,
                        after=new.due_at,
                        shift_seconds=shift.total_seconds(),
                    )
                )

    def change(self, group: dict[str, str], metric: str) -> MetricChange:
        return MetricChange(
            group=group,
            metric=metric,
            tickets=self.tickets,
            met_before=self.met_before,
            breached_before=self.breached_before,
            met_after=self.met_after,
            breached_after=self.breached_after,
            attainment_before=_attainment(self.met_before, self.breached_before),
            attainment_after=_attainment(self.met_after, self.breached_after),
            became_breached=self.became_breached.items,
            became_breached_count=self.became_breached.count,
            became_met=self.became_met.items,
            became_met_count=self.became_met.count,
            due_moved=self.due_moved.items,
            due_moved_count=self.due_moved.count,
        )


def _attainment(met: int, breached: int) -> float | None:
    decided = met + breached
    return round(100 * met / decided, 2) if decided else None


def _owed(totals: dict[str, Decimal], evaluation: Evaluation) -> None:
    for award in evaluation.compensation:
        if award.amount is not None:
            currency = award.currency or NONE_VALUE
            totals[currency] = totals.get(currency, Decimal(0)) + award.amount


class _Comparison:
    """A comparison in progress: feed it tickets (``add``) and failures (``fail``)."""

    def __init__(
        self,
        old: Policy,
        new: Policy,
        as_of: datetime,
        by: Sequence[str],
        threshold: timedelta,
    ) -> None:
        require_aware(as_of, "as_of")
        by = list(by)
        if any(not isinstance(key, str) or not key for key in by):
            raise ValueError("group keys must be non-empty field names (or 'week')")
        twice = sorted({key for key in by if by.count(key) > 1})
        if twice:
            raise ValueError(f"group key(s) given twice: {', '.join(twice)}")
        if threshold < timedelta(0):
            raise ValueError(f"threshold {threshold} is negative")
        self.old, self.new = old, new
        self.evaluators = Evaluator(old), Evaluator(new)
        self.as_of = as_of
        self.by, self.threshold = by, threshold
        self.tallies: dict[tuple[tuple[str, ...], str], _Tally] = {}
        self.owed_before: dict[str, Decimal] = {}
        self.owed_after: dict[str, Decimal] = {}
        self.failed: _Bounded[str] = _Bounded()
        self.tickets = self.compared = 0

    def fail(self, ticket_id: str) -> None:
        """Count a ticket that could not be read."""
        self.tickets += 1
        self.failed.add(ticket_id)

    def add(self, ticket: Ticket, line: int | None = None) -> str | None:
        """Compare one ticket; returns why it failed, or None."""
        try:
            before = self.evaluators[0].evaluate(ticket, self.as_of, line)
            after = self.evaluators[1].evaluate(ticket, self.as_of, line)
            group = group_key(before, self.by)
        except _ERRORS as exc:
            self.fail(ticket.id)
            return str(exc)
        if before.errors or after.errors:
            self.fail(ticket.id)
            return "; ".join([*before.errors, *after.errors])
        self.tickets += 1
        self.compared += 1
        for metric in METRICS:
            tally = self.tallies.get((group, metric))
            if tally is None:
                tally = self.tallies[(group, metric)] = _Tally()
            tally.add(
                ticket.id, metric, before.metrics[metric], after.metrics[metric], self.threshold
            )
        _owed(self.owed_before, before)
        _owed(self.owed_after, after)
        return None

    def result(self) -> PolicyDiff:
        """The diff of everything fed so far."""
        order = sorted(self.tallies, key=lambda key: (key[0], METRICS.index(key[1])))
        changes = [
            self.tallies[key].change(dict(zip(self.by, key[0], strict=True)), key[1])
            for key in order
        ]
        currencies = sorted({*self.owed_before, *self.owed_after})
        zero = Decimal(0)
        before = {c: self.owed_before.get(c, zero) for c in currencies}
        after = {c: self.owed_after.get(c, zero) for c in currencies}
        return PolicyDiff(
            old_policy=self.old.name,
            new_policy=self.new.name,
            as_of=self.as_of,
            by=self.by,
            threshold_seconds=self.threshold.total_seconds(),
            tickets=self.tickets,
            compared=self.compared,
            failed=self.failed.items,
            failed_count=self.failed.count,
            changes=changes,
            compensation_before={c: str(v) for c, v in before.items()},
            compensation_after={c: str(v) for c, v in after.items()},
            compensation_change={c: str(after[c] - before[c]) for c in currencies},
        )


def compare_policies(
    old: Policy,
    new: Policy,
    tickets: Iterable[Ticket | Mapping[str, Any]],
    as_of: datetime,
    *,
    by: Sequence[str] = (),
    threshold: timedelta = timedelta(hours=1),
) -> PolicyDiff:
    """Replay ``tickets`` under ``old`` and ``new`` at ``as_of`` and diff the outcomes.

    Streams: one ticket is evaluated at a time and only counts are kept (id lists are capped
    at :data:`MAX_IDS`), so ``tickets`` may be a generator over millions.  ``by`` names the
    grouping keys (fields at ``as_of``, or ``week``); due times moving by more than
    ``threshold`` are listed.  A ticket that cannot be read or evaluated is counted in
    ``failed`` and the rest go on.  Raises ``ValueError`` for a naive ``as_of``, a negative
    ``threshold`` or a repeated or empty group key.
    """
    comparison = _Comparison(old, new, as_of, by, threshold)
    for position, item in enumerate(tickets, 1):
        if isinstance(item, Ticket):
            comparison.add(item)
            continue
        try:
            ticket = Ticket.from_dict(dict(item))
        except _ERRORS as exc:
            comparison.fail(_failed_id(item, exc) or f"#{position}")
            continue
        comparison.add(ticket)
    return comparison.result()


def _failed_id(item: Any, exc: Exception) -> str | None:
    known = getattr(exc, "ticket_id", None)
    if known is not None:
        return str(known)
    if isinstance(item, Mapping) and item.get("id") is not None:
        return str(item["id"])
    return None


# -- command line -------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``servicepolicy compare`` to ``parser``."""
    parser.add_argument("old", metavar="OLD_POLICY", help="the policy in force")
    parser.add_argument("new", metavar="NEW_POLICY", help="the proposed policy")
    parser.add_argument(
        "tickets",
        metavar="TICKETS",
        help="tickets: JSON array, JSON Lines or CSV file, or - for stdin",
    )
    parser.add_argument("--as-of", help="ISO 8601 instant to evaluate at (default: now)")
    parser.add_argument(
        "--by",
        default="",
        help="group by these comma-separated ticket fields (as at --as-of) or 'week'",
    )
    parser.add_argument(
        "--threshold",
        default="1h",
        help="list due times that move by more than this (default: 1h)",
    )
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.add_argument(
        "--input-format",
        choices=list(FORMATS),
        default="auto",
        help="ticket format (default: by content; *.csv is CSV)",
    )


def run(
    args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO, now: datetime
) -> int:
    """Run ``servicepolicy compare``: 0 ok, 1 some tickets failed, 2 usage or policy error.

    Never raises for a user mistake: it prints a message to ``stderr`` and returns 2.
    """
    try:
        old, new = load_policy(args.old), load_policy(args.new)
    except PolicyError as exc:
        for finding in exc.findings:
            print(finding, file=stderr)
        return USAGE
    try:
        as_of = instant_option(args.as_of, "--as-of") if args.as_of else now
        by = [name.strip() for name in args.by.split(",") if name.strip()]
        threshold = parse_duration(args.threshold)
        comparison = _Comparison(old, new, as_of, by, threshold)
    except _ERRORS as exc:
        return _usage(stderr, str(exc))
    with ExitStack() as stack:
        try:
            source: TextIO = (
                stdin
                if args.tickets == "-"
                else stack.enter_context(Path(args.tickets).open(encoding="utf-8"))
            )
            _feed(comparison, source, args.tickets, args.input_format, stderr)
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else exc.reason
            return _usage(stderr, f"{args.tickets}: cannot read: {reason}")
    diff = comparison.result()
    if args.format == "json":
        stdout.write(json.dumps(diff.model_dump(mode="json"), indent=2) + "\n")
    else:
        stdout.write(render_table(diff))
    stderr.write(
        f"{diff.tickets} tickets in, {diff.compared} compared, {diff.failed_count} failed "
        f"(as of {as_of.isoformat()})\n"
    )
    return FAILED if diff.failed_count else OK


def _usage(stderr: TextIO, message: str) -> int:
    print(f"servicepolicy compare: error: {message}", file=stderr)
    return USAGE


def _feed(comparison: _Comparison, source: TextIO, name: str, fmt: str, stderr: TextIO) -> None:
    """Compare every record of ``source``; each failure is reported on ``stderr``."""
    for record in read_tickets(source, fmt, name):
        where = f"line {record.line}: " if record.line is not None else ""
        fallback = (
            f"line {record.line}" if record.line is not None else f"#{comparison.tickets + 1}"
        )
        if record.error is not None:
            comparison.fail(record.ticket_id or fallback)
            print(record.error, file=stderr)
            continue
        try:
            ticket = Ticket.from_dict(record.data)
        except _ERRORS as exc:
            comparison.fail(_failed_id(record.data, exc) or fallback)
            print(where + str(exc), file=stderr)
            continue
        problem = comparison.add(ticket, record.line)
        if problem is not None:
            print(f"{where}ticket {ticket.id!r}: {problem}", file=stderr)


# -- table --------------------------------------------------------------------------------------


def render_table(diff: PolicyDiff) -> str:
    """The diff as text for people: a table per group and metric, then the details."""
    threshold = format_duration(timedelta(seconds=diff.threshold_seconds))
    lines = [
        f"{diff.old_policy} -> {diff.new_policy}, as of {diff.as_of.isoformat()}",
        f"{diff.compared} of {diff.tickets} tickets compared, {diff.failed_count} failed",
        "attainment = met / (met + breached); ->breached: met before, breached after;",
        f"->met: breached before, met after; moved: due time moved by more than {threshold}",
        "",
        *_grid(
            [
                [
                    *diff.by,
                    "metric",
                    "tickets",
                    "before",
                    "after",
                    "change",
                    "->breached",
                    "->met",
                    f"moved>{threshold}",
                ],
                *(_row(change) for change in diff.changes),
            ],
            left=len(diff.by) + 1,
        ),
    ]
    lines += _ids(
        "met -> breached", [(c, c.became_breached, c.became_breached_count) for c in diff.changes]
    )
    lines += _ids("breached -> met", [(c, c.became_met, c.became_met_count) for c in diff.changes])
    lines += _moves(diff.changes, threshold)
    lines += _money(diff)
    if diff.failed_count:
        lines += ["", f"failed ({diff.failed_count}): " + _listed(diff.failed, diff.failed_count)]
    lines += ["", "unchanged" if diff.unchanged else "changed"]
    return "\n".join(lines) + "\n"


def _percent(value: float | None, met: int, breached: int) -> str:
    return "-" if value is None else f"{value:.2f}% ({met}/{met + breached})"


def _row(change: MetricChange) -> list[str]:
    before, after = change.attainment_before, change.attainment_after
    decided = change.met_before + change.breached_before, change.met_after + change.breached_after
    delta = "-"
    if all(decided):  # from the counts, not the rounded percentages
        delta = f"{100 * (change.met_after / decided[1] - change.met_before / decided[0]):+.2f}"
    return [
        *change.group.values(),
        change.metric,
        str(change.tickets),
        _percent(before, change.met_before, change.breached_before),
        _percent(after, change.met_after, change.breached_after),
        delta,
        str(change.became_breached_count),
        str(change.became_met_count),
        str(change.due_moved_count),
    ]


def _grid(rows: list[list[str]], left: int) -> list[str]:
    """Rows as aligned columns: the first ``left`` columns to the left, the rest right."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.ljust(widths[i]) if i < left else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]


def _label(change: MetricChange) -> str:
    group = ", ".join(f"{k}={v}" for k, v in change.group.items())
    return f"{change.metric} [{group}]" if group else change.metric


def _listed(ids: Sequence[str], count: int) -> str:
    text = ", ".join(ids[:_SHOWN])
    return text + (f", ... and {count - _SHOWN} more" if count > _SHOWN else "")


def _ids(title: str, lists: list[tuple[MetricChange, list[str], int]]) -> list[str]:
    shown = [(c, ids, n) for c, ids, n in lists if n]
    if not shown:
        return ["", f"{title}: none"]
    lines = ["", f"{title}:"]
    for change, ids, count in shown:
        text = f"{_label(change)} ({count}): {_listed(ids, count)}"
        lines += textwrap.wrap(text, 100, initial_indent="  ", subsequent_indent="    ")
    return lines


def _moves(changes: list[MetricChange], threshold: str) -> list[str]:
    title = f"due times moved by more than {threshold}"
    shown = [c for c in changes if c.due_moved_count]
    if not shown:
        return ["", f"{title}: none"]
    lines = ["", f"{title}:"]
    for change in shown:
        lines.append(f"  {_label(change)} ({change.due_moved_count}):")
        for move in change.due_moved[:_SHOWN]:
            shift = format_duration(timedelta(seconds=move.shift_seconds))
            lines.append(
                f"    {move.ticket_id}: {move.before.isoformat()} -> {move.after.isoformat()}"
                f" ({'+' if move.shift_seconds > 0 else ''}{shift})"
            )
        if change.due_moved_count > _SHOWN:
            lines.append(f"    ... and {change.due_moved_count - _SHOWN} more")
    return lines


def _money(diff: PolicyDiff) -> list[str]:
    if not diff.compensation_change:
        return ["", "compensation owed: none before or after"]
    rows = [["currency", "before", "after", "change"]]
    for currency, change in diff.compensation_change.items():
        sign = "+" if Decimal(change) > 0 else ""
        rows.append(
            [
                currency,
                diff.compensation_before[currency],
                diff.compensation_after[currency],
                sign + change,
            ]
        )
    return ["", "compensation owed:", *("  " + line for line in _grid(rows, left=1))]
