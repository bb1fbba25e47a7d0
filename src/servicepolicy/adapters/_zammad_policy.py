"""Zammad's SLAs, calendars and ticket states as a policy (docs/adapters/zammad.md)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._common import ImportedPolicy, ImportLog, PolicyDraft, status_name
from ._zammad_pages import CALENDAR, SLA, STATE, as_id, pages_by_kind, shown

_DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME: Final = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_BUILT_IN: Final = frozenset(("new", "open", "pending", "on_hold", "solved", "closed"))
# Zammad's seed ids of its state types (an instance may add others).
_STATE_TYPES: Final = {
    1: "new",
    2: "open",
    3: "pending reminder",
    4: "pending action",
    5: "closed",
    6: "merged",
    7: "removed",
}
_CATEGORY: Final = {
    "pending reminder": "paused",
    "pending action": "paused",
    "closed": "solved",
    "merged": "closed",
    "removed": "closed",
}
_TIME_KEYS: Final = ("first_response_time", "response_time", "update_time", "solution_time")
_MAX_MINUTES: Final = 100 * 366 * 24 * 60  # a hundred years: far past any SLA
_SOURCE: Final = "Zammad's REST API (/api/v1/slas, /api/v1/calendars, /api/v1/ticket_states)"


def build_policy(
    paths: Iterable[str | os.PathLike[str]], status_map: Mapping[str, str], log: ImportLog
) -> ImportedPolicy:
    """The policy of the SLA, calendar and ticket state pages; ``ValueError`` without SLAs,
    or when none of them can be imported."""
    slas: list[dict[str, Any]] = []
    calendars: dict[int | None, dict[str, Any]] = {}
    states: list[dict[str, Any]] = []
    for kind, _, item in pages_by_kind(paths, log):
        if kind == SLA:
            slas.append(item)
        elif kind == CALENDAR:
            calendars[as_id(item.get("id"))] = item
        elif kind == STATE:
            states.append(item)
    if not slas:
        raise ValueError("no SLA among the pages (save GET /api/v1/slas)")
    draft = PolicyDraft(
        "Zammad SLAs",
        "zammad",
        _SOURCE,
        "Zammad's SLAs in Zammad's order: by name, the SLA without conditions last.",
    )
    # Zammad's seeded priorities, as its API names them on a ticket.
    draft.priorities(["3 high", "2 normal", "1 low"])
    for state in states:
        _state(draft, state, status_map)
    names: dict[int | None, str | None] = {}
    for key, calendar in sorted(
        calendars.items(), key=lambda pair: (pair[0] is None, pair[0] or 0)
    ):
        names[key] = _calendar(draft, calendar, {n for n in names.values() if n})
    taken: set[str] = set()
    imported = [_entry(draft, sla, names, taken) for sla in _in_zammad_order(draft, slas)]
    policy = draft.build()
    if not any(imported):
        # A policy holds at least one entry: this one would be no policy.
        reasons = "; ".join(policy.warnings[:3])
        raise ValueError(f"none of the {len(slas)} SLA(s) could be imported: {reasons}")
    return policy


def _state(draft: PolicyDraft, state: dict[str, Any], status_map: Mapping[str, str]) -> None:
    name = state.get("name")
    if not isinstance(name, str) or not name:
        return
    status = status_name(name, status_map)
    if status in _BUILT_IN:
        return
    kind = state.get("state_type")
    if not isinstance(kind, str):
        kind = _STATE_TYPES.get(as_id(state.get("state_type_id")) or 0, "")
    category = _CATEGORY.get(kind)
    if category is None:
        category = "paused" if state.get("ignore_escalation") is True else "open"
    draft.status(status, category)


def _calendar(draft: PolicyDraft, calendar: dict[str, Any], taken: set[str]) -> str | None:
    cal_id = shown(calendar.get("id"))
    title = str(calendar.get("name") or f"calendar {cal_id}")
    name = _key(title) or _key(f"calendar {cal_id}")
    if name in taken:  # another calendar of the same name (the one of the lower id keeps it)
        name = _key(f"{name} {cal_id}")
    problems: list[str] = []
    hours = _hours(calendar.get("business_hours"), problems)
    holidays = _holidays(calendar.get("public_holidays"), problems)
    zone = calendar.get("timezone")
    if not isinstance(zone, str) or not zone:
        problems.append("no timezone")
    elif not _known_zone(zone):
        problems.append(f"unknown time zone {shown(zone)}")
    if problems:
        draft.unsupported(f"Zammad calendar {cal_id} {title!r}: {'; '.join(problems)}", calendar)
        return None
    body: dict[str, Any] = {"timezone": zone, "hours": hours}
    if holidays:
        body["holidays"] = holidays
    note = f"Zammad calendar {cal_id} {title!r}"
    if calendar.get("default") is True:
        note += " (Zammad's default calendar)"
    if isinstance(calendar.get("ical_url"), str) and calendar["ical_url"]:
        note += f"; holidays as synced from {calendar['ical_url']}"
    draft.calendar(name, body, note)
    return name


def _hours(business: Any, problems: list[str]) -> dict[str, list[str]]:
    """The windows of each active day of ``business_hours``; what cannot be read, in problems."""
    hours: dict[str, list[str]] = {}
    for day in _DAYS:
        spec = business.get(day) if isinstance(business, dict) else None
        if not isinstance(spec, dict) or spec.get("active") is not True:
            continue
        frames = spec.get("timeframes")
        if not isinstance(frames, list):
            problems.append(f"{day}: timeframes {shown(frames)} is not a list of windows")
            continue
        windows = [_window(frame, problems) for frame in frames]
        if kept := [w for w in windows if w]:
            hours[day] = kept
    if not hours:
        problems.append("no active business hours")
    return hours


def _holidays(holidays: Any, problems: list[str]) -> list[dict[str, str]]:
    """The active ``public_holidays`` (Zammad ignores the others)."""
    days = []
    for day, spec in sorted(holidays.items()) if isinstance(holidays, dict) else []:
        if not isinstance(spec, dict) or spec.get("active") is not True:
            continue
        if not _is_date(day):
            problems.append(f"public holiday {shown(day)} is not a date")
            continue
        days.append({"date": day, "name": str(spec.get("summary") or "holiday")})
    return days


def _window(frame: Any, problems: list[str]) -> str | None:
    if isinstance(frame, list) and len(frame) == 2 and all(isinstance(t, str) for t in frame):
        start, end = frame
        end = "24:00" if end == "00:00" else end
        if _TIME.match(start) and (_TIME.match(end) or end == "24:00") and end > start:
            return f"{start}-{end}"
    problems.append(f"timeframe {frame!r} is not a window within one day")
    return None


def _in_zammad_order(draft: PolicyDraft, slas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Sla.for_ticket: by name (then creation); the first whose condition matches; an SLA
    # without conditions only as the fallback, the last of them in that order.
    ordered = sorted(slas, key=lambda s: (str(s.get("name") or ""), str(s.get("created_at"))))
    blank = [s for s in ordered if not s.get("condition")]
    for sla in blank[:-1]:
        draft.unsupported(
            f"Zammad SLA {sla.get('id')} {sla.get('name')!r} never applies: it has no "
            f"conditions, and Zammad's fallback is the last such SLA by name, "
            f"{blank[-1].get('name')!r}",
            sla,
        )
    return [s for s in ordered if s.get("condition")] + blank[-1:]


def _entry(
    draft: PolicyDraft,
    sla: dict[str, Any],
    calendars: dict[int | None, str | None],
    taken: set[str],
) -> bool:
    """Write one SLA as an entry, or as not imported (False)."""
    title = str(sla.get("name") or f"sla {shown(sla.get('id'))}")
    note = f"Zammad SLA {sla.get('id')} {title!r}"
    calendar = calendars.get(as_id(sla.get("calendar_id")))
    if calendar is None:
        reason = f"calendar {sla.get('calendar_id')} is not among the pages, or not imported"
        draft.unsupported(f"{note}: {reason}", sla)
        return False
    if problem := _bad_times(sla):
        draft.unsupported(f"{note}: {problem}", sla)
        return False
    targets = _targets(sla)
    if not targets:
        draft.unsupported(f"{note}: it sets no time", sla)
        return False
    when, problem = _when(sla.get("condition"))
    if problem:
        draft.unsupported(f"{note}: its condition cannot be expressed: {problem}", sla)
        return False
    name = title if title not in taken else f"{title} (id {sla.get('id')})"
    taken.add(name)
    body: dict[str, Any] = {"name": name}
    if when:
        body["when"] = when
    body["calendar"] = calendar
    body["targets"] = targets
    draft.entry(body, f"{note}, calendar {sla.get('calendar_id')}")
    return True


def _bad_times(sla: dict[str, Any]) -> str:
    """What makes an SLA's times unreadable (not a whole number of minutes), or ``""``."""
    for key in _TIME_KEYS:
        value = sla.get(key)
        if value is None:
            continue
        minutes = as_id(value)
        if minutes is None or not 0 <= minutes <= _MAX_MINUTES:
            return f"{key} {shown(value)} is not a number of minutes (0 to a hundred years)"
    return ""


def _targets(sla: dict[str, Any]) -> dict[str, str]:
    targets: dict[str, str] = {}
    first, update = _span(sla.get("first_response_time")), _span(sla.get("update_time"))
    response, solution = _span(sla.get("response_time")), _span(sla.get("solution_time"))
    if first:
        targets["first_response"] = first
    if "response_time" in sla:
        # Zammad 5.1 on: response_time is "for an agent to respond", update_time "between
        # agent updates".
        if response:
            targets["next_response"] = response
        if update:
            targets["periodic_update"] = update
    elif update:
        # Before, update_time ran from the customer's last contact until an agent replied.
        targets["next_response"] = update
    if solution:
        targets["resolution"] = solution
    return targets


def _span(minutes: Any) -> str | None:
    number = as_id(minutes)
    if not number:
        return None
    hours, rest = divmod(number, 60)
    return (f"{hours}h" if hours else "") + (f"{rest}m" if rest else "")


def _when(condition: Any) -> tuple[dict[str, Any] | None, str]:
    """A ``when`` for a Zammad condition (None: every ticket), or the reason there is none."""
    if not condition:
        return None, ""
    if not isinstance(condition, dict):
        return None, "not a mapping"
    if "conditions" in condition:
        return _expert(condition)
    parts = []
    for name, spec in condition.items():
        part, problem = _one(name, spec)
        if problem:
            return None, problem
        parts.append(part)
    return (parts[0] if len(parts) == 1 else {"all_of": parts}), ""


def _expert(condition: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    operator = str(condition.get("operator", "AND")).upper()
    parts = []
    items = condition.get("conditions")
    if not isinstance(items, list):
        return None, f"conditions {shown(items)} is not a list"
    for item in items:
        if not isinstance(item, dict):
            return None, "a condition that is no mapping"
        part, problem = _expert(item) if "conditions" in item else _one(item.get("name"), item)
        if problem or part is None:
            return None, problem or "an empty condition"
        parts.append(part)
    if not parts:
        return None, "an empty group of conditions"
    if operator == "AND":
        return {"all_of": parts}, ""
    if operator == "OR":
        return {"any_of": parts}, ""
    if operator == "NOT":
        return {"not": {"any_of": parts}}, ""
    return None, f"operator {operator!r}"


def _one(name: Any, spec: Any) -> tuple[dict[str, Any], str]:
    if not isinstance(name, str) or not name.startswith("ticket.") or not isinstance(spec, dict):
        return {}, f"{name!r} is not an attribute of the ticket"
    field = name.removeprefix("ticket.")
    if field in ("state_id", "state"):
        return {}, f"{name}: a ticket's state is its status, and entries are picked by fields"
    if spec.get("pre_condition") not in (None, "specific"):
        return {}, f"{name}: pre-condition {spec.get('pre_condition')!r}"
    operator = spec.get("operator")
    raw = spec.get("value")
    values = [_value(v) for v in (raw if isinstance(raw, list) else [raw])]
    if not values or not all(_plain(v) for v in values):
        return {}, f"{name}: value {shown(raw)} is not one or more ids or texts"
    if operator == "is":
        return {field: values[0] if len(values) == 1 else values}, ""
    if operator == "is not":
        return {field: {"not_in": values}}, ""
    if operator == "contains" and len(values) == 1:
        return {field: {"contains": values[0]}}, ""
    if operator == "contains not" and len(values) == 1:
        return {"not": {field: {"contains": values[0]}}}, ""
    if operator in ("contains all", "contains one"):
        parts = [{field: {"contains": v}} for v in values]
        return {"all_of" if operator == "contains all" else "any_of": parts}, ""
    return {}, f"{name}: operator {operator!r}"


def _value(value: Any) -> Any:
    number = as_id(value)
    return number if number is not None else value


def _plain(value: Any) -> bool:
    """Whether a condition value is one a ``when`` can match: an id or a text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) < 10**30
    return isinstance(value, str)


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Europe" is a folder
        return False
    return True


def _is_date(text: Any) -> bool:
    try:
        date.fromisoformat(text)
    except (TypeError, ValueError):
        return False
    return True


def _key(title: str) -> str:
    """A policy key for a Zammad name: ``Berlin office`` -> ``berlin-office``."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
