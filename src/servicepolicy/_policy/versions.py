"""Dated policy versions: which version of a policy is in force for a ticket.

A ticket is evaluated under the version in force at its ``created_at``, so old tickets keep
the rules they were opened under.  Versions are ordered by ``effective_from``; each runs until
its ``effective_until``, or, without one, until the next version starts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._common.errors import TicketError
from .._i18n import N_
from .model import Policy

if TYPE_CHECKING:
    from .._evaluation.evaluation import Evaluation
    from .._evaluation.results import RefundDecision

# The messages of gaps and overlaps, in English; ``validate --lang ar`` finds each again by its
# shape.  ``{previous}`` is the earlier version's file.
_TWO_UNDATED = N_("only one version may omit effective_from; so does {previous}")
_SAME_START = N_("{previous} starts at the same instant, {start}")
_GAP = N_("no version is in force from {end} (when {previous} ends) to {start}")
_OVERLAP = N_("{previous} is still in force until {end}")


@dataclass(frozen=True, slots=True)
class VersionProblem:
    """A gap or overlap between two versions: ``index`` is the later version's position."""

    index: int
    field: str
    code: str
    message: str


class PolicySet:
    """Every version of a policy, ordered by ``effective_from``."""

    def __init__(self, versions: Sequence[Policy], sources: Sequence[str] | None = None) -> None:
        order = sorted(range(len(versions)), key=lambda i: _sort_key(versions[i]))
        self.versions: tuple[Policy, ...] = tuple(versions[i] for i in order)
        self.sources: tuple[str, ...] = tuple(
            (sources[i] if sources is not None else f"version {i}") for i in order
        )

    def __iter__(self) -> Iterator[Policy]:
        return iter(self.versions)

    def __len__(self) -> int:
        return len(self.versions)

    def problems(self) -> list[VersionProblem]:
        """Gaps and overlaps between consecutive versions (positions in :attr:`versions`)."""
        found = []
        for i in range(1, len(self.versions)):
            before, after = self.versions[i - 1], self.versions[i]
            previous = self.sources[i - 1]
            start = after.effective_from
            if start is None:
                found.append(
                    VersionProblem(
                        i,
                        "effective_from",
                        "version-overlap",
                        _TWO_UNDATED.format(previous=previous),
                    )
                )
            elif before.effective_from == start:
                found.append(
                    VersionProblem(
                        i,
                        "effective_from",
                        "version-overlap",
                        _SAME_START.format(previous=previous, start=start.isoformat()),
                    )
                )
            elif before.effective_until is not None and before.effective_until < start:
                found.append(
                    VersionProblem(
                        i,
                        "effective_from",
                        "version-gap",
                        _GAP.format(
                            end=before.effective_until.isoformat(),
                            previous=previous,
                            start=start.isoformat(),
                        ),
                    )
                )
            elif before.effective_until is not None and before.effective_until > start:
                found.append(
                    VersionProblem(
                        i,
                        "effective_from",
                        "version-overlap",
                        _OVERLAP.format(previous=previous, end=before.effective_until.isoformat()),
                    )
                )
        return found

    def evaluate(self, ticket: Any, as_of: datetime) -> Evaluation:
        """Evaluate a ticket under the version in force at its ``created_at``."""
        from .._evaluation.api import evaluate

        return evaluate(self, ticket, as_of)

    def refund(self, ticket: Any, as_of: datetime) -> RefundDecision:
        """The refund decision under the version in force at the ticket's ``created_at``."""
        from .._evaluation.api import decide_refund

        return decide_refund(self, ticket, as_of)

    def for_instant(self, moment: datetime) -> Policy:
        """The version in force at ``moment``; :class:`TicketError` when there is none."""
        chosen = None
        for version in self.versions:  # sorted by effective_from
            if version.effective_from is not None and moment < version.effective_from:
                break
            chosen = version if version.in_force(moment) else None
        if chosen is None:
            raise TicketError(f"no version of the policy is in force at {moment.isoformat()}")
        return chosen


def _sort_key(policy: Policy) -> tuple[int, float]:
    start = policy.effective_from
    return (0, 0.0) if start is None else (1, start.timestamp())
