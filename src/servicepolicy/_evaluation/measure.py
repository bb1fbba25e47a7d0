"""Measuring one promise (a metric, or one cycle) from its running segments on a clock.

Everything is in integer microseconds: ``running`` is the list of ``[start, end)`` stretches in
which the promise's clock runs; the clock says how much of each is open business time.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from .._calendar.clock import BusinessClock

STATUS_BREACHED, STATUS_MET = "breached", "met"
_ONE: Final = Decimal(1)
_shares: Final[dict[tuple[int, Decimal], int]] = {}


def share(target: int, fraction: Decimal) -> int:
    """``fraction`` of ``target`` microseconds, rounded half-even to a microsecond."""
    key = (target, fraction)
    found = _shares.get(key)
    if found is None:
        found = int((Decimal(target) * fraction).to_integral_value())
        if len(_shares) >= 4096:  # business-day targets vary with the start: keep it bounded
            _shares.clear()
        _shares[key] = found
    return found


class Run:
    """The measured state of one promise (a plain class: see ``_outcome.Promise``)."""

    __slots__ = (
        "breached_at",
        "business",
        "completed",
        "due",
        "elapsed",
        "paused_now",
        "running",
        "start",
        "status",
        "target",
    )

    def __init__(
        self,
        status: str,
        start: int,
        target: int,
        elapsed: int,
        due: int | None,
        completed: int | None,
        breached_at: int | None,
        running: list[tuple[int, int]],
        business: list[int],  # open time of each running stretch
        paused_now: bool,
    ) -> None:
        self.status = status
        self.start = start
        self.target = target
        self.elapsed = elapsed
        self.due = due
        self.completed = completed
        self.breached_at = breached_at
        self.running = running
        self.business = business
        self.paused_now = paused_now


def reach(
    clock: BusinessClock, running: list[tuple[int, int]], business: list[int], amount: int
) -> int | None:
    """The first instant at which running time along ``running`` reaches ``amount``."""
    spent = 0
    # By index: compiled, zip(..., strict=True) is a generic call and iterator, most of the
    # cost of an escalation level.
    for i in range(len(business)):
        part = business[i]
        if spent + part >= amount:
            return clock.add(running[i][0], amount - spent)
        spent += part
    return None


def exceeded(clock: BusinessClock, running: list[tuple[int, int]], due: int) -> int | None:
    """The first instant at or after ``due`` at which the promise's clock runs."""
    for start, end in running:
        if end <= due:
            continue
        candidate = clock.next_open(max(start, due))
        if candidate < end:
            return candidate
    return None


def measure(
    clock: BusinessClock,
    running: list[tuple[int, int]],
    target: int,
    *,
    start: int,
    completed: int | None,
    cancelled: bool,
    paused_now: bool,
    as_of: int,
    warn: Decimal | None,
) -> Run:
    """Status, due time and breach instant of one promise.

    ``completed`` is when it stopped (for a cancelled cycle, when it was cancelled);
    ``paused_now`` says its clock is stopped by a pause status at ``as_of``.
    """
    running = [(s, e) for s, e in running if e > s]
    business = [clock.elapsed(s, e) for s, e in running]
    elapsed = sum(business)
    due = reach(clock, running, business, target)
    if due is None and not paused_now:
        anchor = completed if completed is not None else as_of
        due = clock.add(anchor, target - elapsed)
    breached_at = exceeded(clock, running, due) if elapsed > target and due is not None else None
    if elapsed > target:
        status = STATUS_BREACHED
    elif cancelled:
        status = "cancelled"
    elif completed is not None:
        status = STATUS_MET
    elif paused_now:
        status = "paused"
    elif warn is not None and elapsed >= warn * target:
        status = "at_risk"
    else:
        status = "running"
    return Run(
        status, start, target, elapsed, due, completed, breached_at, running, business, paused_now
    )


def level_instant(
    run: Run, clock: BusinessClock, fraction: Decimal, offset: int, as_of: int
) -> tuple[int | None, int | None]:
    """When an escalation level at ``fraction`` of the target plus ``offset`` (microseconds)
    fired.

    Returns ``(fired_at, None)`` when it fired by ``as_of``, ``(None, projected)`` when it
    will fire if the clock keeps running, and ``(None, None)`` when it never will.
    ``breach`` itself (fraction 1, no offset) fires at ``breached_at``.
    """
    if offset == 0 and fraction == _ONE:
        if run.status == STATUS_BREACHED:
            return run.breached_at, None
        if run.completed is None and not run.paused_now and run.due is not None:
            return None, clock.next_open(run.due)
        return None, None
    point = max(share(run.target, fraction) + offset, 0)
    finished = run.completed is not None
    if run.elapsed > point or (run.elapsed == point and not finished):
        return reach(clock, run.running, run.business, point), None
    if not finished and not run.paused_now:
        return None, clock.add(as_of, point - run.elapsed)
    return None, None
