"""An outcome's JSON text, written directly: what pydantic writes for its models, byte for byte.

The evaluate command writes one JSON object per ticket, most of it instants and durations.
Building datetimes and timedeltas only for the serializer to turn them into text again costs
more than the evaluation, so this module writes the text from the outcome's integers.  Where
the text is rare or intricate (strings that need escaping, fractional seconds, compensation and
escalation records) it asks pydantic-core itself, so every byte stays pydantic's;
``tests/test_outcome.py`` compares the two on random tickets, instants and zones.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any, Final
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter
from pydantic_core import to_json

from .._calendar.rules import offset_segments
from .outcome import FiredOutcome, MetricOutcome, Outcome, Promise

_US: Final = 1_000_000
_DAY_US: Final = 86400 * _US
_SPAN_BITS: Final = 45  # a zone's offsets are worked out 2**45 µs (about 407 days) at a time
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_MEMO_SIZE: Final = 4096
_TIMEDELTA: Final = TypeAdapter(timedelta)
_fromtimestamp: Final = datetime.fromtimestamp

# "HH:MM:" for every minute of the day and "SS" for every second of the minute.
_MINUTES: Final = [f"{m // 60:02d}:{m % 60:02d}:" for m in range(1440)]
_SECONDS: Final = [f"{s:02d}" for s in range(60)]

# Texts that repeat across a batch, remembered; a memo is emptied when it fills up.
# (Final, so that the compiled build keeps them in static slots, not in the module's dict.)
_dates: Final[dict[int, str]] = {}  # local day number since the epoch -> '"2026-11-23T'
_offsets: Final[dict[int, str]] = {}  # UTC offset in microseconds -> '+01:00"' or 'Z"'
_durations: Final[dict[int, str]] = {}  # microseconds -> "P1DT2H"
_strings: Final[dict[str, str]] = {}  # a name from the policy -> its JSON text
# A fired level's text before its metric and after its instant, by the level's id: (level,
# path, number, head, tail).  The level is kept so that its id stays its own.
_fired: Final[dict[int, tuple[Any, str, int, str, str]]] = {}
# A batch has one as_of: the last one and its text.  (Not a dict: equal datetimes in other
# zones are equal keys, but their texts differ.)
_last_as_of: Final[list[Any]] = [None, ""]


def _remember(memo: dict[Any, str], key: Any, text: str) -> str:
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    memo[key] = text
    return text


def _exact_offset(zone: tzinfo, micros: int) -> int:
    offset = _fromtimestamp(micros // _US, zone).utcoffset()
    assert offset is not None
    return (offset.days * 86400 + offset.seconds) * _US + offset.microseconds


class _ZoneOffsets:
    """A zone's UTC offsets: constant for a fixed-offset zone; for an IANA zone, the stretches
    of constant offset (found as the clock finds them, ``_calendar.offset_segments``), worked
    out span by span as instants need them and then looked up by bisection.  The stretch of
    the last answer is kept, as a ticket's instants mostly share one."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.fixed: int | None = None
        if isinstance(zone, timezone):
            self.fixed = _exact_offset(zone, 0)
        self.spans: dict[int, tuple[list[int], list[int]]] = {}
        self.low = 1  # the last answer holds in [low, high): empty at first
        self.high = 0
        self.last = 0

    def at(self, micros: int) -> int:
        """The offset in force at UTC instant ``micros``, in microseconds."""
        if self.fixed is not None:
            return self.fixed
        if self.low <= micros < self.high:
            return self.last
        zone = self.zone
        if not isinstance(zone, ZoneInfo):
            return _exact_offset(zone, micros)
        span = micros >> _SPAN_BITS
        found = self.spans.get(span)
        if found is None:
            if len(self.spans) >= 64:
                self.spans.clear()
            lo = (span << _SPAN_BITS) // _US
            hi = ((span + 1) << _SPAN_BITS) // _US + 1
            segments = offset_segments(zone, lo, hi)
            found = ([s * _US for s, _, _ in segments], [o * _US for _, _, o in segments])
            self.spans[span] = found
        starts, offsets = found
        i = bisect_right(starts, micros) - 1
        self.low = starts[i]
        self.high = starts[i + 1] if i + 1 < len(starts) else (span + 1) << _SPAN_BITS
        self.last = offsets[i]
        return self.last


_zones: Final[dict[tzinfo, _ZoneOffsets]] = {}
_last_zone: Final[list[Any]] = [None, None]  # the zone of the last instant, and its offsets


def _offset_of(zone: tzinfo, micros: int) -> int:
    """The UTC offset of ``zone`` at UTC instant ``micros``, in microseconds."""
    if _last_zone[0] is zone:
        found: _ZoneOffsets = _last_zone[1]
        return found.at(micros)
    offsets = _zones.get(zone)
    if offsets is None:
        if len(_zones) >= 64:
            _zones.clear()
        offsets = _zones[zone] = _ZoneOffsets(zone)
    _last_zone[0], _last_zone[1] = zone, offsets
    return offsets.at(micros)


def _offset_tail(micros: int) -> str:
    """The offset as pydantic writes it (whole minutes; ``Z`` for less than one), and the
    closing quote."""
    text = _offsets.get(micros)
    if text is None:
        sample = datetime(2000, 1, 1, tzinfo=timezone(timedelta(microseconds=micros)))
        text = _remember(_offsets, micros, to_json(sample).decode()[20:])
    return text


def _date_head(day: int) -> str:
    """The opening quote, the date and the ``T``."""
    text = _dates.get(day)
    if text is None:
        found = date.fromordinal(day + _EPOCH_ORDINAL).isoformat()
        text = _remember(_dates, day, f'"{found}T')
    return text


def instant_text(micros: int, zone: tzinfo | None) -> str:
    """The JSON text of ``_clock.instant(micros, zone)``: ``"2026-11-23T13:05:00+01:00"``."""
    offset = _offset_of(UTC if zone is None else zone, micros)
    local = micros + offset
    rest = local % _DAY_US
    second = rest // _US
    fraction = rest % _US
    head = _date_head(local // _DAY_US)
    minute = _MINUTES[second // 60]
    if fraction:
        return f"{head}{minute}{_SECONDS[second % 60]}.{fraction:06d}{_offset_tail(offset)}"
    return f"{head}{minute}{_SECONDS[second % 60]}{_offset_tail(offset)}"


def _maybe_instant(micros: int | None, zone: tzinfo | None) -> str:
    return "null" if micros is None else instant_text(micros, zone)


def duration_text(micros: int) -> str:
    """A duration as pydantic writes a timedelta in JSON, without quotes: ``P1DT2H``."""
    text = _durations.get(micros)
    if text is not None:
        return text
    if micros % _US:
        text = _TIMEDELTA.dump_json(timedelta(microseconds=micros)).decode()[1:-1]
        return _remember(_durations, micros, text)
    if micros == 0:
        return "PT0S"
    seconds = abs(micros) // _US
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
    return _remember(_durations, micros, text)


def _seconds_text(micros: int) -> str:
    """``micros`` in seconds, as pydantic writes the models' ``*_seconds`` float."""
    if micros % _US == 0 and -(10**15) < micros // _US < 10**15:
        return f"{micros // _US}.0"
    # As the models compute it.  (Not micros / _US: compiled, that divides in floating point
    # and is off by one in the last digit above 2**53 microseconds.)
    return to_json(timedelta(microseconds=micros).total_seconds()).decode()


def _name_text(name: str | None) -> str:
    """A string from the policy (names, targets), as JSON; these repeat in every ticket."""
    if name is None:
        return "null"
    text = _strings.get(name)
    if text is None:
        text = _remember(_strings, name, to_json(name).decode())
    return text


def _promise_parts(promise: Promise, parts: list[str]) -> None:
    """The fields every promise shares, from ``status`` to ``target_time``."""
    zone, target = promise.zone, promise.target
    parts.append('{"status":"')
    parts.append(promise.status)
    parts.append('","started_at":')
    parts.append(_maybe_instant(promise.start, zone))
    parts.append(',"due_at":')
    parts.append(_maybe_instant(promise.due, zone))
    parts.append(',"completed_at":')
    parts.append(_maybe_instant(promise.completed, zone))
    parts.append(',"breached_at":')
    parts.append(_maybe_instant(promise.breached, zone))
    parts.append(',"elapsed":"')
    parts.append(duration_text(promise.elapsed))
    if target is None:
        parts.append('","remaining":null,"target_time":null')
    else:
        parts.append('","remaining":"')
        parts.append(duration_text(target - promise.elapsed))
        parts.append('","target_time":"')
        parts.append(duration_text(target))
        parts.append('"')


def _seconds_parts(promise: Promise, parts: list[str]) -> None:
    target, elapsed = promise.target, promise.elapsed
    parts.append(',"elapsed_seconds":')
    parts.append(_seconds_text(elapsed))
    parts.append(',"remaining_seconds":')
    parts.append("null" if target is None else _seconds_text(target - elapsed))


def _metric_parts(metric: MetricOutcome, parts: list[str]) -> None:
    _promise_parts(metric.promise, parts)
    parts.append(',"policy":')
    parts.append(_name_text(metric.policy))
    parts.append(',"target":')
    parts.append(_name_text(metric.target_text))
    parts.append(',"clock":')
    parts.append(_name_text(metric.clock))
    parts.append(',"paused":"')
    parts.append(duration_text(metric.paused))
    if metric.cycles is None:
        parts.append('","cycles":null')
    else:
        parts.append('","cycles":[')
        for number, cycle in enumerate(metric.cycles):
            if number:
                parts.append(",")
            _promise_parts(cycle, parts)
            _seconds_parts(cycle, parts)
            parts.append("}")
        parts.append("]")
    _seconds_parts(metric.promise, parts)
    parts.append(',"paused_seconds":')
    parts.append(_seconds_text(metric.paused))
    parts.append("}")


def _fired_parts(fired: FiredOutcome, parts: list[str]) -> None:
    """A fired escalation as its model's JSON: the level's own fields are written once per
    level, then only the metric, cycle and instant for each firing."""
    level, path, number = fired.level, fired.path, fired.number
    found = _fired.get(id(level))
    if found is None or found[0] is not level or found[1] != path or found[2] != number:
        head = (
            f'{{"path":{_name_text(path)},"level":{number},"name":{_name_text(level.name)},'
            '"metric":'
        )
        tail = (
            f',"notify":{to_json(list(level.notify)).decode()},'
            f'"set_priority":{_name_text(level.set_priority)},'
            f'"reassign":{_name_text(level.reassign)},'
            f'"actions":{to_json(list(level.actions)).decode()}}}'
        )
        found = (level, path, number, head, tail)
        if len(_fired) >= _MEMO_SIZE:
            _fired.clear()
        _fired[id(level)] = found
    parts.append(found[3])
    parts.append(_name_text(fired.metric))
    parts.append(',"cycle":')
    parts.append("null" if fired.cycle is None else str(fired.cycle))
    parts.append(',"at":')
    parts.append(instant_text(fired.at, fired.zone))
    parts.append(found[4])


def _list_text(items: list[Any]) -> str:
    return to_json(items).decode() if items else "[]"


def outcome_json(outcome: Outcome) -> str:
    """``to_evaluation(outcome).model_dump_json()``, byte for byte, without building models."""
    if _last_as_of[0] is not outcome.as_of:
        _last_as_of[0], _last_as_of[1] = outcome.as_of, to_json(outcome.as_of).decode()
    as_of: str = _last_as_of[1]
    ticket_id = outcome.ticket_id
    parts = [
        '{"ticket_id":',
        "null" if ticket_id is None else to_json(ticket_id).decode(),
        ',"policy":',
        _name_text(outcome.policy),
        ',"as_of":',
        as_of,
        ',"metrics":{',
    ]
    for number, (name, metric) in enumerate(outcome.metrics.items()):
        parts.append(',"' if number else '"')
        parts.append(name)
        parts.append('":')
        _metric_parts(metric, parts)
    parts.append('},"escalations":[')
    for number, fired in enumerate(outcome.escalations):
        if number:
            parts.append(",")
        _fired_parts(fired, parts)
    parts.append("]")
    parts.append(',"next_escalation_at":')
    parts.append(_maybe_instant(outcome.next_escalation_at, outcome.next_zone))
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
