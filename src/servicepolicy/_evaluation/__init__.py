"""Ticket evaluation, in the order a ticket goes through it: replay its history
(:mod:`.replay`), find the rule of each metric (:mod:`.rules`), measure each promise on its
clock (:mod:`.measure`), fire escalations and award compensation (:mod:`.engine`,
:mod:`.awards`), and turn the outcome (:mod:`.outcome`) into the public models
(:mod:`.evaluation`, :mod:`.results`, :mod:`.explain`) or straight into JSON text
(:mod:`.outcome_json`).  Refund decisions are :mod:`.refunds`; the entry points, :mod:`.api`.
"""

from .api import decide_refund, evaluate, evaluate_many, evaluate_many_json
from .awards import CompensationPlan
from .engine import (
    Evaluator,
    VersionedEvaluator,
    as_parts,
    evaluator_for,
    failed_id,
    outcome_or_record,
    prepared,
)
from .evaluation import Evaluation
from .measure import Promise
from .outcome import (
    Outcome,
    error_outcome,
    model_instant,
    model_timedelta,
    to_evaluation,
)
from .outcome_json import JsonWriter, outcome_json, seconds_text

__all__ = [
    "CompensationPlan",
    "Evaluation",
    "Evaluator",
    "JsonWriter",
    "Outcome",
    "Promise",
    "VersionedEvaluator",
    "as_parts",
    "decide_refund",
    "error_outcome",
    "evaluate",
    "evaluate_many",
    "evaluate_many_json",
    "evaluator_for",
    "failed_id",
    "model_instant",
    "model_timedelta",
    "outcome_json",
    "outcome_or_record",
    "prepared",
    "seconds_text",
    "to_evaluation",
]
