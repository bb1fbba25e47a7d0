"""Measuring one promise (a metric, or one cycle) from its running segments on a clock.

Everything is in integer microseconds: ``running`` is the list of ``[start, end)`` stretches in
which the promise's clock runs; the clock says how much of each is open business time.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from .._calendar.clock import BusinessClock
from .._common.memo import BoundedMemo
from .._common.records import record_repr
from .replay import Stretch

STATUS_BREACHED, STATUS_MET = "breached", "met"
_ONE: Final = Decimal(1)
# Business-day targets vary with the start, so a policy's shares are many: the memo is bounded.
_shares: Final[BoundedMemo[tuple[int, Decimal], int]] = BoundedMemo()


def share(target: int, fraction: Decimal) -> int:
    """``fraction`` of ``target`` microseconds, rounded half-even to a microsecond."""
    key = (target, fraction)
    found = _shares.get(key)
    if found is None:
        found = _shares.put(key, int((Decimal(target) * fraction).to_integral_value()))
    return found


_PROMISE_FIELDS: Final = (
    "status",
    "start",
    "due",
    "completed",
    "breached",
    "elapsed",
    "target",
    "zone",
    "stretches",
    "running",
    "business",
    "paused_now",
)


class Promise:
    """One promise (a metric, or one cycle of a cycle metric), instants in microseconds.

    ``target`` is the target as running time, None when no target applied.  ``stretches`` are
    the promise's segments (running, paused, solved), ``running`` its running stretches and
    ``business`` the open time of each; ``paused_now`` says its clock is stopped by a pause
    status at ``as_of``.  Instants are shown in ``zone``.  A plain record: see
    ``_common/records.py``.
    """

    __slots__ = _PROMISE_FIELDS

    def __init__(
        self,
        *,
        status: str,
        start: int | None = None,
        due: int | None = None,
        completed: int | None = None,
        breached: int | None = None,
        elapsed: int = 0,
        target: int | None = None,
        zone: Any = None,
        stretches: list[Stretch] | None = None,
        running: list[tuple[int, int]] | None = None,
        business: list[int] | None = None,
        paused_now: bool = False,
    ) -> None:
        self.status = status
        self.start = start
        self.due = due
        self.completed = completed
        self.breached = breached
        self.elapsed = elapsed
        self.target = target
        self.zone = zone
        self.stretches = stretches
        self.running = running
        self.business = business
        self.paused_now = paused_now

    def __repr__(self) -> str:
        return record_repr(self, _PROMISE_FIELDS)


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
    zone: Any,
    stretches: list[Stretch],
    next_open: bool = False,
) -> Promise:
    """Status, due time and breach instant of one promise.

    ``completed`` is when it stopped (for a cancelled cycle, when it was cancelled);
    ``paused_now`` says its clock is stopped by a pause status at ``as_of``; ``stretches`` are
    its segments, ``zone`` the zone its instants are shown in; ``next_open`` reports a due
    time that lands on a closing time at the next opening instead.
    """
    running = [(s, e) for s, e in running if e > s]
    business = [clock.elapsed(s, e) for s, e in running]
    elapsed = sum(business)
    due = reach(clock, running, business, target)
    if due is None and not paused_now:
        anchor = completed if completed is not None else as_of
        due = clock.add(anchor, target - elapsed)
    if next_open and due is not None:
        due = clock.next_open(due)
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
    return Promise(
        status=status,
        start=start,
        due=due,
        completed=completed,
        breached=breached_at,
        elapsed=elapsed,
        target=target,
        zone=zone,
        stretches=stretches,
        running=running,
        business=business,
        paused_now=paused_now,
    )


def level_instant(
    promise: Promise, clock: BusinessClock, fraction: Decimal, offset: int, as_of: int
) -> tuple[int | None, int | None]:
    """When an escalation level at ``fraction`` of a measured promise's target plus
    ``offset`` (microseconds) fired.

    Returns ``(fired_at, None)`` when it fired by ``as_of``, ``(None, projected)`` when it
    will fire if the clock keeps running, and ``(None, None)`` when it never will.
    ``breach`` itself (fraction 1, no offset) fires at the breach instant.
    """
    if offset == 0 and fraction == _ONE:
        if promise.status == STATUS_BREACHED:
            return promise.breached, None
        if promise.completed is None and not promise.paused_now and promise.due is not None:
            return None, clock.next_open(promise.due)
        return None, None
    target, running, business = promise.target, promise.running, promise.business
    assert target is not None and running is not None and business is not None, "measured"
    point = max(share(target, fraction) + offset, 0)
    finished = promise.completed is not None
    if promise.elapsed > point or (promise.elapsed == point and not finished):
        return reach(clock, running, business, point), None
    if not finished and not promise.paused_now:
        return None, clock.add(as_of, point - promise.elapsed)
    return None, None
