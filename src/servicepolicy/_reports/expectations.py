"""Expectations of policy tests: paths into an evaluation's JSON output, and comparison of
expected values (from YAML) with actual ones by meaning.

Instants compare as instants in any UTC offset, durations as durations (``5h45m`` equals
``PT5H45M``), numbers and amounts as decimals, lists item by item, and a mapping matches when
every key it gives matches.  See :mod:`.policy_tests` for the file format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from .._common.durations import format_duration, parse_duration
from .._common.errors import did_you_mean
from .._common.vocabulary import METRICS

Part = str | int
_KEY = re.compile(r"([^.\[\]\s]+)((?:\[-?\d+\])*)")
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_DURATION = re.compile(r"-?P[0-9WDTHMS.]+")


def instant_value(value: Any, what: str) -> tuple[datetime | None, str | None]:
    """An aware datetime from ISO 8601 text, or None and why not."""
    if not isinstance(value, str):
        return None, f"{what} must be an ISO 8601 instant such as 2026-11-23T13:00:00+01:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None, f"{what} {value!r} is not an ISO 8601 instant"
    if moment.tzinfo is None:
        return None, f"{what} {value} has no UTC offset; add one, e.g. {value}+01:00"
    return moment, None


def parse_path(text: str) -> list[Part] | None:
    """``"escalations[0].metric"`` -> ``["escalations", 0, "metric"]``; None when malformed."""
    parts: list[Part] = []
    for piece in text.split("."):
        match = _KEY.fullmatch(piece)
        if not match:
            return None
        parts.append(match.group(1))
        parts += [int(index) for index in re.findall(r"-?\d+", match.group(2))]
    return parts


def full_path(parts: list[Part], actual: Mapping[str, Any]) -> list[Part]:
    """``parts`` with ``metrics`` put in front of a leading metric name."""
    if parts and parts[0] in METRICS and parts[0] not in actual:
        return ["metrics", *parts]
    return parts


def _known(value: Mapping[str, Any], top: bool) -> list[str]:
    names = list(value)
    return [*names, *METRICS, "refund"] if top else names


def resolve(root: dict[str, Any], parts: list[Part], key: str) -> tuple[Any, str | None]:
    """The value at ``parts`` in ``root``, or None and why there is none (naming ``key``)."""
    value: Any = root
    walked = ""
    for part in parts:
        if isinstance(part, int):
            if not isinstance(value, list):
                return None, f"{key}: no such field: {walked} is {_kind(value)}, not a list"
            if not -len(value) <= part < len(value):
                return None, f"{key}: no such field: {walked} has {len(value)} item(s)"
            value, walked = value[part], f"{walked}[{part}]"
            continue
        if not isinstance(value, dict):
            return None, f"{key}: no such field: {walked} is {_kind(value)}, not a mapping"
        if part not in value:
            known = _known(value, top=not walked)
            place = f" in {walked}" if walked else ""
            return None, (
                f"{key}: no such field {part!r}{place}, known: {', '.join(known)}"
                + did_you_mean(part, known)
            )
        value, walked = value[part], f"{walked}.{part}" if walked else part
    return value, None


def compare(expected: Any, actual: Any, where: str) -> list[str]:
    """Why ``actual`` (JSON output) does not match ``expected`` (from YAML); empty if it does."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected a mapping, got {_kind(actual)}"]
        out: list[str] = []
        for key, value in expected.items():
            if key in actual:
                out += compare(value, actual[key], f"{where}.{key}")
            else:
                known = ", ".join(actual)
                out.append(
                    f"{where}: no such field {key!r}, known: {known}{did_you_mean(key, actual)}"
                )
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: expected a list, got {_kind(actual)}"]
        if len(expected) != len(actual):
            got = _show(actual) if all(not isinstance(a, dict | list) for a in actual) else ""
            return [
                f"{where}: expected {len(expected)} item(s), got {len(actual)}"
                + (f": {got}" if got else "")
            ]
        return [
            m
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
            for m in compare(e, a, f"{where}[{i}]")
        ]
    note = _scalar_mismatch(expected, actual)
    if note is None:
        return []
    return [f"{where}: expected {_kind(expected)}, got {_kind(actual)}{note}"]


def _scalar_mismatch(expected: Any, actual: Any) -> str | None:
    """None when equal, else a note for the message (often empty)."""
    if expected is None or actual is None or isinstance(expected, bool) or isinstance(actual, bool):
        same = expected is actual or (type(expected) is type(actual) and expected == actual)
        return None if same else ""
    if isinstance(actual, dict | list):
        return ""
    want, got = _number(expected), _number(actual)
    if want is not None and got is not None:
        return None if want == got else ""
    if not isinstance(actual, str) or not isinstance(expected, str):
        return ""
    if _DURATION.fullmatch(actual) and (real := _duration(actual)) is not None:
        wanted = _duration(expected)
        if wanted is None:
            return " (not a duration such as 5h45m or PT5H45M)"
        return None if wanted == real else f" ({format_duration(real)})"
    if _INSTANT.match(actual):
        moment, problem = instant_value(expected, "expected")
        if moment is None:
            return f" ({problem})"
        return None if moment == datetime.fromisoformat(actual) else ""
    return None if expected == actual else ""


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def _duration(text: str) -> timedelta | None:
    raw = text.strip()
    negative = raw.startswith("-")
    try:
        value = parse_duration(raw[1:].strip() if negative else raw)
    except ValueError:
        return None
    return -value if negative else value


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return _show(value)


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value.strip() == value and value else json.dumps(value)
    if isinstance(value, dict | list):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)
