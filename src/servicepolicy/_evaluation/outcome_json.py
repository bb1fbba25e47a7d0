"""An outcome's JSON text, written directly: what pydantic writes for its models, byte for byte.

The evaluate command writes one JSON object per ticket, most of it instants and durations.
Building datetimes and timedeltas only for the serializer to turn them into text again costs
more than the evaluation, so this module writes the text from the outcome's integers.  Where
the text is rare or intricate (strings that need escaping, fractional seconds, compensation and
escalation records) it asks pydantic-core itself, so every byte stays pydantic's;
``tests/evaluation/test_outcome.py`` compares the two on random tickets, instants and zones.

A :class:`JsonWriter` remembers the texts that repeat across a batch (dates, offsets, durations,
names, a zone's last offset stretch); make one per batch, so that batches in two threads never
share its memos.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any, Final
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter
from pydantic_core import to_json

from .._calendar.rules import offset_segments
from .._common.instants import US
from .._common.memo import BoundedMemo
from .measure import Promise
from .outcome import FiredOutcome, MetricOutcome, Outcome

_DAY_US: Final = 86400 * US
_SPAN_BITS: Final = 45  # a zone's offsets are worked out 2**45 µs (about 407 days) at a time
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_ZONES: Final = 64  # zones (and spans of one zone) a writer keeps the offsets of
_FOREVER: Final = 1 << 62
_TIMEDELTA: Final = TypeAdapter(timedelta)
_fromtimestamp: Final = datetime.fromtimestamp

# "HH:MM:" for every minute of the day and "SS" for every second of the minute.
_MINUTES: Final = [f"{m // 60:02d}:{m % 60:02d}:" for m in range(1440)]
_SECONDS: Final = [f"{s:02d}" for s in range(60)]

FiredText = tuple[Any, str, int, str, str]
"""A fired level's text before its metric and after its instant: (level, path, number, head,
tail).  The level is kept so that its id stays its own."""


def _exact_offset(zone: tzinfo, micros: int) -> int:
    offset = _fromtimestamp(micros // US, zone).utcoffset()
    assert offset is not None
    return (offset.days * 86400 + offset.seconds) * US + offset.microseconds


class _ZoneOffsets:
    """A zone's UTC offsets: for an IANA zone, the stretches of constant offset (found as the
    clock finds them, ``offset_segments``), worked out span by span as instants need them and
    then looked up by bisection.  The stretch of the last answer, ``[low, high)`` with offset
    ``last``, is kept, as a ticket's instants mostly share one; a fixed-offset zone has one
    stretch for all time."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.spans: BoundedMemo[int, tuple[list[int], list[int]]] = BoundedMemo(_ZONES)
        self.low = 1  # the last answer holds in [low, high): empty at first
        self.high = 0
        self.last = 0
        if isinstance(zone, timezone):
            self.low, self.high, self.last = -_FOREVER, _FOREVER, _exact_offset(zone, 0)

    def at(self, micros: int) -> int:
        """The offset in force at UTC instant ``micros``, in microseconds."""
        if self.low <= micros < self.high:
            return self.last
        zone = self.zone
        if not isinstance(zone, ZoneInfo):
            return _exact_offset(zone, micros)
        span = micros >> _SPAN_BITS
        found = self.spans.get(span)
        if found is None:
            lo = (span << _SPAN_BITS) // US
            hi = ((span + 1) << _SPAN_BITS) // US + 1
            segments = offset_segments(zone, lo, hi)
            found = ([s * US for s, _, _ in segments], [o * US for _, _, o in segments])
            self.spans.put(span, found)
        starts, offsets = found
        i = bisect_right(starts, micros) - 1
        self.low = starts[i]
        self.high = starts[i + 1] if i + 1 < len(starts) else (span + 1) << _SPAN_BITS
        self.last = offsets[i]
        return self.last


def seconds_text(micros: int) -> str:
    """``micros`` in seconds, as pydantic writes the models' ``*_seconds`` float."""
    if micros % US == 0 and -(10**15) < micros // US < 10**15:
        return f"{micros // US}.0"
    # As the models compute it.  (Not micros / US: compiled, that divides in floating point
    # and is off by one in the last digit above 2**53 microseconds.)
    return to_json(timedelta(microseconds=micros).total_seconds()).decode()


def _list_text(items: list[Any]) -> str:
    return to_json(items).decode() if items else "[]"


class JsonWriter:
    """Writes outcomes as JSON text, remembering the texts that repeat across a batch."""

    def __init__(self) -> None:
        self._dates: BoundedMemo[int, str] = BoundedMemo()  # local day -> '"2026-11-23T'
        self._offsets: BoundedMemo[int, str] = BoundedMemo()  # offset -> '+01:00"' or 'Z"'
        self._durations: BoundedMemo[int, str] = BoundedMemo()  # microseconds -> "P1DT2H"
        self._strings: BoundedMemo[str, str] = BoundedMemo()  # a policy's name -> its JSON
        self._fired: BoundedMemo[int, FiredText] = BoundedMemo()  # by the level's id
        self._zones: BoundedMemo[tzinfo, _ZoneOffsets] = BoundedMemo(_ZONES)
        self._last_zone: tzinfo | None = None  # the zone of the last instant, and its offsets
        self._last_offsets: _ZoneOffsets | None = None
        # A batch has one as_of: the last one and its text.  (Not a memo: equal datetimes in
        # other zones are equal keys, but their texts differ.)
        self._last_as_of: datetime | None = None
        self._as_of_text = ""

    def _offset_of(self, zone: tzinfo | None, micros: int) -> int:
        """The UTC offset of ``zone`` (UTC when None) at UTC instant ``micros``."""
        offsets = self._zones.get(UTC if zone is None else zone)
        if offsets is None:
            offsets = self._zones.put(UTC if zone is None else zone, _ZoneOffsets(zone or UTC))
        self._last_zone, self._last_offsets = zone, offsets
        return offsets.at(micros)

    def _offset_tail(self, micros: int) -> str:
        """The offset as pydantic writes it (whole minutes; ``Z`` for less than one), and the
        closing quote."""
        sample = datetime(2000, 1, 1, tzinfo=timezone(timedelta(microseconds=micros)))
        return self._offsets.put(micros, to_json(sample).decode()[20:])

    def _date_head(self, day: int) -> str:
        """The opening quote, the date and the ``T``."""
        found = date.fromordinal(day + _EPOCH_ORDINAL).isoformat()
        return self._dates.put(day, f'"{found}T')

    def instant_text(self, micros: int, zone: tzinfo | None) -> str:
        """The JSON text of ``instant(micros, zone)``: ``"2026-11-23T13:05:00+01:00"``."""
        # Every instant of a batch passes here: the last zone's stretch and the remembered
        # texts are read inline, and a method is called only when they do not hold.
        last = self._last_offsets
        if last is not None and self._last_zone is zone and last.low <= micros < last.high:
            offset = last.last
        else:
            offset = self._offset_of(zone, micros)
        local = micros + offset
        day = local // _DAY_US
        rest = local % _DAY_US
        second = rest // US
        fraction = rest % US
        head = self._dates.get(day) or self._date_head(day)
        minute = _MINUTES[second // 60]
        tail = self._offsets.get(offset) or self._offset_tail(offset)
        if fraction:
            return f"{head}{minute}{_SECONDS[second % 60]}.{fraction:06d}{tail}"
        return f"{head}{minute}{_SECONDS[second % 60]}{tail}"

    def _maybe_instant(self, micros: int | None, zone: tzinfo | None) -> str:
        return "null" if micros is None else self.instant_text(micros, zone)

    def duration_text(self, micros: int) -> str:
        """A duration as pydantic writes a timedelta in JSON, without quotes: ``P1DT2H``."""
        text = self._durations.get(micros)
        if text is not None:
            return text
        if micros % US:
            text = _TIMEDELTA.dump_json(timedelta(microseconds=micros)).decode()[1:-1]
            return self._durations.put(micros, text)
        if micros == 0:
            return "PT0S"
        seconds = abs(micros) // US
        days, rest = seconds // 86400, seconds % 86400
        text = "-P" if micros < 0 else "P"
        if days >= 365:
            text += f"{days // 365}Y"
        if days % 365:
            text += f"{days % 365}D"
        if rest:
            text += "T"
            if rest >= 3600:
                text += f"{rest // 3600}H"
            if rest // 60 % 60:
                text += f"{rest // 60 % 60}M"
            if rest % 60:
                text += f"{rest % 60}S"
        return self._durations.put(micros, text)

    def _name_text(self, name: str | None) -> str:
        """A string from the policy (names, targets), as JSON; these repeat in every ticket."""
        if name is None:
            return "null"
        text = self._strings.get(name)
        if text is None:
            text = self._strings.put(name, to_json(name).decode())
        return text

    def _promise_parts(self, promise: Promise, parts: list[str]) -> None:
        """The fields every promise shares, from ``status`` to ``target_time``."""
        # Every promise of a batch passes here: a missing instant and a remembered duration
        # are read inline, and a method is called only for the text of a new one.
        zone, target, elapsed = promise.zone, promise.target, promise.elapsed
        start, due = promise.start, promise.due
        completed, breached = promise.completed, promise.breached
        durations = self._durations
        parts.append('{"status":"')
        parts.append(promise.status)
        parts.append('","started_at":')
        parts.append("null" if start is None else self.instant_text(start, zone))
        parts.append(',"due_at":')
        parts.append("null" if due is None else self.instant_text(due, zone))
        parts.append(',"completed_at":')
        parts.append("null" if completed is None else self.instant_text(completed, zone))
        parts.append(',"breached_at":')
        parts.append("null" if breached is None else self.instant_text(breached, zone))
        parts.append(',"elapsed":"')
        parts.append(durations.get(elapsed) or self.duration_text(elapsed))
        if target is None:
            parts.append('","remaining":null,"target_time":null')
        else:
            remaining = target - elapsed
            parts.append('","remaining":"')
            parts.append(durations.get(remaining) or self.duration_text(remaining))
            parts.append('","target_time":"')
            parts.append(durations.get(target) or self.duration_text(target))
            parts.append('"')

    @staticmethod
    def _seconds_parts(promise: Promise, parts: list[str]) -> None:
        target, elapsed = promise.target, promise.elapsed
        parts.append(',"elapsed_seconds":')
        parts.append(seconds_text(elapsed))
        parts.append(',"remaining_seconds":')
        parts.append("null" if target is None else seconds_text(target - elapsed))

    def _metric_parts(self, metric: MetricOutcome, parts: list[str]) -> None:
        self._promise_parts(metric.promise, parts)
        parts.append(',"policy":')
        parts.append(self._name_text(metric.policy))
        parts.append(',"target":')
        parts.append(self._name_text(metric.target_text))
        parts.append(',"clock":')
        parts.append(self._name_text(metric.clock))
        parts.append(',"paused":"')
        parts.append(self.duration_text(metric.paused))
        parts.append('","paused_business":"')
        parts.append(self.duration_text(metric.paused_business))
        if metric.cycles is None:
            parts.append('","cycles":null')
        else:
            parts.append('","cycles":[')
            for number, cycle in enumerate(metric.cycles):
                if number:
                    parts.append(",")
                self._promise_parts(cycle, parts)
                self._seconds_parts(cycle, parts)
                parts.append("}")
            parts.append("]")
        self._seconds_parts(metric.promise, parts)
        parts.append(',"paused_seconds":')
        parts.append(seconds_text(metric.paused))
        parts.append(',"paused_business_seconds":')
        parts.append(seconds_text(metric.paused_business))
        parts.append("}")

    def _fired_parts(self, fired: FiredOutcome, parts: list[str]) -> None:
        """A fired escalation as its model's JSON: the level's own fields are written once per
        level, then only the metric, cycle and instant for each firing."""
        level, path, number = fired.level, fired.path, fired.number
        found = self._fired.get(id(level))
        if found is None or found[0] is not level or found[1] != path or found[2] != number:
            head = (
                f'{{"path":{self._name_text(path)},"level":{number},'
                f'"name":{self._name_text(level.name)},"metric":'
            )
            tail = (
                f',"notify":{to_json(list(level.notify)).decode()},'
                f'"set_priority":{self._name_text(level.set_priority)},'
                f'"reassign":{self._name_text(level.reassign)},'
                f'"actions":{to_json(list(level.actions)).decode()}}}'
            )
            found = self._fired.put(id(level), (level, path, number, head, tail))
        parts.append(found[3])
        parts.append(self._name_text(fired.metric))
        parts.append(',"cycle":')
        parts.append("null" if fired.cycle is None else str(fired.cycle))
        parts.append(',"at":')
        parts.append(self.instant_text(fired.at, fired.zone))
        parts.append(',"due_at":')
        parts.append(self.instant_text(fired.due, fired.zone))
        parts.append(',"retroactive":true' if fired.retroactive else ',"retroactive":false')
        parts.append(found[4])

    def outcome_json(self, outcome: Outcome) -> str:
        """``to_evaluation(outcome).model_dump_json()``, byte for byte, without building
        models."""
        if self._last_as_of is not outcome.as_of:
            self._last_as_of = outcome.as_of
            self._as_of_text = to_json(outcome.as_of).decode()
        ticket_id = outcome.ticket_id
        parts = [
            '{"ticket_id":',
            "null" if ticket_id is None else to_json(ticket_id).decode(),
            ',"policy":',
            self._name_text(outcome.policy),
            ',"as_of":',
            self._as_of_text,
            ',"metrics":{',
        ]
        for number, (name, metric) in enumerate(outcome.metrics.items()):
            parts.append(',"' if number else '"')
            parts.append(name)
            parts.append('":')
            self._metric_parts(metric, parts)
        parts.append('},"escalations":[')
        for number, fired in enumerate(outcome.escalations):
            if number:
                parts.append(",")
            self._fired_parts(fired, parts)
        parts.append("]")
        parts.append(',"next_escalation_at":')
        parts.append(self._maybe_instant(outcome.next_escalation_at, outcome.next_zone))
        parts.append(',"compensation":')
        parts.append(_list_text(outcome.compensation))
        parts.append(',"warnings":')
        parts.append(_list_text(outcome.warnings))
        parts.append(',"errors":')
        parts.append(_list_text(outcome.errors))
        parts.append(',"line":')
        parts.append("null" if outcome.line is None else str(outcome.line))
        parts.append("}")
        return "".join(parts)

    def summary_json(self, outcome: Outcome) -> str:
        """The short record of ``evaluate --summary``: the outcome's JSON with only
        ``ticket_id``, ``policy``, each metric's ``status``, ``due_at``, ``breached_at`` and
        ``elapsed_seconds``, ``errors`` and ``line``, written straight from the outcome."""
        ticket_id = outcome.ticket_id
        parts = [
            '{"ticket_id":',
            "null" if ticket_id is None else to_json(ticket_id).decode(),
            ',"policy":',
            self._name_text(outcome.policy),
            ',"metrics":{',
        ]
        for number, (name, metric) in enumerate(outcome.metrics.items()):
            promise = metric.promise
            zone, due, breached = promise.zone, promise.due, promise.breached
            parts.append(',"' if number else '"')
            parts.append(name)
            parts.append('":{"status":"')
            parts.append(promise.status)
            parts.append('","due_at":')
            parts.append("null" if due is None else self.instant_text(due, zone))
            parts.append(',"breached_at":')
            parts.append("null" if breached is None else self.instant_text(breached, zone))
            parts.append(',"elapsed_seconds":')
            parts.append(seconds_text(promise.elapsed))
            parts.append("}")
        parts.append('},"errors":')
        parts.append(_list_text(outcome.errors))
        parts.append(',"line":')
        parts.append("null" if outcome.line is None else str(outcome.line))
        parts.append("}")
        return "".join(parts)


def outcome_json(outcome: Outcome) -> str:
    """The JSON text of one outcome, by a writer of its own (batches keep one writer)."""
    return JsonWriter().outcome_json(outcome)
