"""The evaluation entry points: one ticket or many, in their JSON shape or as ``Ticket``s.

A bad ticket in a batch becomes an error record with its id and line, never an exception, so
counts in equal counts out.  These stay plain Python in the compiled build, so that their
docstrings and names are the public ones; the work is done by the compiled :mod:`.engine`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from .._common.instants import to_micros
from .._policy.model import Policy
from .._policy.versions import PolicySet
from .._tickets.model import Ticket, UnreadTicket
from .engine import as_parts, evaluator_for, outcome_or_record, prepared
from .evaluation import Evaluation
from .hygiene import SeenIds
from .outcome import to_evaluation
from .outcome_json import JsonWriter
from .refunds import refund
from .replay import replay
from .results import RefundDecision


def decide_refund(
    policy: Policy | PolicySet, ticket: Ticket | Mapping[str, Any], as_of: datetime
) -> RefundDecision:
    """The refund decision for a ticket: its request is its ``created_at``; its fields are
    those at ``as_of``; with dated versions, the version in force at ``created_at`` decides."""
    item = as_parts(ticket)
    if isinstance(policy, PolicySet):
        policy = policy.for_instant(item.created_at)
    history = replay(item, to_micros(as_of, "as_of"))
    index = prepared(policy).index
    return refund(
        policy.refunds,
        policy.compensation,
        item.id,
        item.created_at,
        history.fields_at(history.as_of),
        index.clock,
    )


def evaluate(
    policy: Policy | PolicySet, ticket: Ticket | Mapping[str, Any], as_of: datetime
) -> Evaluation:
    """Evaluate one ticket (a :class:`Ticket` or its JSON shape) at ``as_of``; with dated
    versions, under the version in force at its ``created_at``."""
    item = as_parts(ticket)
    if isinstance(policy, PolicySet):
        policy = policy.for_instant(item.created_at)
    return to_evaluation(prepared(policy).outcome_of(item, as_of))


def evaluate_many(
    policy: Policy | PolicySet,
    tickets: Iterable[Ticket | UnreadTicket | Mapping[str, Any]],
    as_of: datetime,
) -> Iterator[Evaluation]:
    """Evaluate tickets one by one, in order; a bad ticket yields an error record, not an
    exception, so counts in equal counts out.  ``policy`` may be a set of dated versions.
    A ticket whose id came before in ``tickets`` gets a warning saying so."""
    evaluator = evaluator_for(policy)
    seen = SeenIds()
    for item in tickets:
        yield to_evaluation(seen.check(outcome_or_record(evaluator, item, as_of)))


def evaluate_many_json(
    policy: Policy | PolicySet,
    tickets: Iterable[Ticket | UnreadTicket | Mapping[str, Any]],
    as_of: datetime,
) -> Iterator[str]:
    """:func:`evaluate_many`, yielding each evaluation's JSON text instead of the models:
    ``Evaluation.model_dump_json()`` byte for byte, the records of ``servicepolicy evaluate
    --format jsonl``, at a fraction of the cost (no models are built)."""
    evaluator = evaluator_for(policy)
    writer = JsonWriter()
    seen = SeenIds()
    for item in tickets:
        yield writer.outcome_json(seen.check(outcome_or_record(evaluator, item, as_of)))
