"""Zendesk SLA policies, schedules, holidays and custom statuses as a policy file.

Each SLA policy becomes an SLA entry, in the order of its ``position``; each schedule a
calendar.  What the format cannot express is written with :meth:`PolicyDraft.unsupported`;
a part of the wrong type (a filter that is not a mapping, a target that is not a number) is
such a part too, never an exception.  See ``docs/adapters/zendesk.md`` for the mapping.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from typing import Any, Final, TypeGuard

from ._common import ImportedPolicy, PolicyDraft, status_name
from ._zendesk_tickets import FIELDS, key
from ._zendesk_zones import iana_zone

__all__ = ["build_policy"]

PRIORITIES: Final = ("urgent", "high", "normal", "low")
# Zendesk orders priorities low < normal < high < urgent (a filter's less_than/greater_than).
_RANK: Final = {name: rank for rank, name in enumerate(reversed(PRIORITIES))}
_ORDERED: Final = {
    "less_than": lambda a, b: a < b,
    "greater_than": lambda a, b: a > b,
    "less_than_equal": lambda a, b: a <= b,
    "greater_than_equal": lambda a, b: a >= b,
}
_DAYS: Final = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_WEEK: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Zendesk metric -> (our metric, which statuses pause it: None never, else the categories).
# When a policy has two Zendesk metrics for one of ours, the one listed first here is imported
# (whatever their order in the policy), as reconcile compares the first (zendesk.py).
_METRICS: Final[dict[str, tuple[str, tuple[str, ...] | None]]] = {
    "first_reply_time": ("first_response", None),
    "next_reply_time": ("next_response", None),
    "periodic_update_time": ("periodic_update", None),
    "pausable_update_time": ("periodic_update", ("pending", "hold")),
    "requester_wait_time": ("resolution", ("pending",)),
    "agent_work_time": ("resolution", ("pending", "hold")),
}
_OPERATORS: Final = {
    "is": "eq",
    "is_not": "ne",
    "less_than": "lt",
    "greater_than": "gt",
    "less_than_equal": "lte",
    "greater_than_equal": "gte",
}
_CATEGORY: Final = {"new": "open", "open": "open", "pending": "paused", "hold": "paused"}
_MAX_HOLIDAY_DAYS: Final = 366


class _Unsupported(ValueError):
    """A part of a Zendesk policy the format cannot express."""


def build_policy(pages: list[Any], status_map: Mapping[str, str]) -> ImportedPolicy:
    """The policy of the Zendesk pages (each a response body already known to be Zendesk's)."""
    policies = sorted(
        enumerate(_items(pages, "sla_policies", "sla_policy")),
        key=lambda item: (_number(item[1].get("position")), item[0]),
    )
    schedules = list(_items(pages, "schedules", "schedule"))
    ids = ", ".join(key(p.get("id")) for _, p in policies) or "none"
    draft = PolicyDraft(
        "Zendesk SLA policies",
        "zendesk",
        f"Zendesk Support: SLA policies {ids}; "
        f"schedules {', '.join(key(s.get('id')) for s in schedules) or 'none'}",
        "SLA policies imported from Zendesk Support, in the order of their position.",
    )
    draft.priorities(list(PRIORITIES))
    paused = _statuses(pages, status_map, draft)
    default = _calendars(pages, schedules, draft)
    catch_all: str | None = None
    names: set[str] = set()
    imported = 0
    for _, policy in policies:
        title = str(policy.get("title") or f"policy {key(policy.get('id'))}")
        place = policy.get("position")
        note = f"Zendesk SLA policy {key(policy.get('id'))} {title!r} (position {place})"
        if catch_all is not None:
            draft.unsupported(
                f"{note}: never applies, {catch_all!r} before it matches every ticket", policy
            )
            continue
        left: dict[str, list[Any]] = {}
        try:
            body = _entry(policy, default, paused, left)
        except _Unsupported as reason:
            draft.unsupported(f"{note}: {reason}", policy)
            continue
        for why, items in left.items():
            draft.unsupported(f"{note}: {why}", {"policy_metrics": items})
        name = title if title not in names else f"{title} ({key(policy.get('id'))})"
        names.add(name)
        draft.entry({"name": name, **body}, note)
        imported += 1
        if "when" not in body:
            catch_all = name
    if not imported:
        raise ValueError(
            f"no SLA policy could be imported (of {len(policies)}): "
            + "; ".join(draft.build().warnings or ["the pages hold no sla_policies"])
        )
    return draft.build()


def _items(pages: list[Any], many: str, one: str) -> Iterator[dict[str, Any]]:
    for data in pages:
        if not isinstance(data, dict):
            continue
        found = data.get(many)
        if isinstance(found, list):
            yield from (item for item in found if isinstance(item, dict))
        if isinstance(data.get(one), dict):
            yield data[one]


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return float("inf")


def _statuses(
    pages: list[Any], status_map: Mapping[str, str], draft: PolicyDraft
) -> dict[str, list[str]]:
    """Declare the custom statuses; returns the status names of each pausing category."""
    paused: dict[str, list[str]] = {"pending": ["pending"], "hold": ["on_hold"]}
    for status in _items(pages, "custom_statuses", "custom_status"):
        category, label = str(status.get("status_category")), status.get("agent_label")
        if status.get("default") or not label:
            continue
        if not isinstance(label, str):
            draft.unsupported(f"Zendesk custom status {key(status.get('id'))}: no label", status)
            continue
        name = status_name(label, status_map)
        if name in ("new", "open", "pending", "on_hold", "solved", "closed") or category not in (
            *_CATEGORY,
            "solved",
        ):
            draft.unsupported(
                f"Zendesk custom status {key(status.get('id'))} {name!r}: "
                "its name is a built-in status, or its category is unknown",
                status,
            )
            continue
        draft.status(name, _CATEGORY.get(category, "solved"))
        if category in paused:
            paused[category].append(name)
    return paused


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "schedule"


def _calendars(pages: list[Any], schedules: list[dict[str, Any]], draft: PolicyDraft) -> str | None:
    """Write a calendar per schedule; returns the name of the first (the default), if any."""
    holiday_pages = [
        (data.get("schedule_id"), [*_items([data], "holidays", "holiday")])
        for data in pages
        if isinstance(data, dict) and ("holidays" in data or "holiday" in data)
    ]
    default: str | None = None
    taken: set[str] = {"24/7"}
    for schedule in schedules:
        sid = key(schedule.get("id"))
        zone = iana_zone(str(schedule.get("time_zone")))
        hours = _hours(schedule.get("intervals"))
        if zone is None or not hours:
            why = "unknown time zone" if zone is None else "no business hours"
            draft.unsupported(f"Zendesk schedule {sid}: {why}", schedule)
            continue
        name = _slug(str(schedule.get("name") or sid))
        name = name if name not in taken else f"{name}-{sid}"
        taken.add(name)
        holidays = []
        for owner, items in holiday_pages:
            if key(owner) == sid or (owner is None and len(schedules) == 1):
                holidays += [h for item in items for h in _holiday(item, draft, sid)]
        body: dict[str, Any] = {"timezone": zone, "hours": hours}
        if holidays:
            body["holidays"] = holidays
        draft.calendar(
            name,
            body,
            f"Zendesk schedule {sid} {schedule.get('name')!r}, "
            f"time zone {schedule.get('time_zone')!r}",
        )
        default = default or name
    for owner, items in holiday_pages:
        if owner is None and len(schedules) != 1:
            draft.unsupported(
                "holidays of a schedule the page does not name (several schedules, or none; "
                "add the schedule's id as 'schedule_id' beside 'holidays')",
                {"holidays": items},
            )
    if len(schedules) > 1 and default is not None:
        draft.unsupported(
            f"which schedule a ticket uses is set per ticket by triggers; every entry uses the "
            f"first, {default!r}",
            {"schedules": [key(s.get("id")) for s in schedules]},
        )
    return default


def _hours(intervals: Any) -> dict[str, list[str]]:
    """Weekly hours from intervals in minutes since Sunday 00:00, split at midnight."""
    days: dict[int, list[tuple[int, int]]] = {}
    for interval in intervals if isinstance(intervals, list) else ():
        if not isinstance(interval, dict):
            continue
        start, end = interval.get("start_time"), interval.get("end_time")
        if not _whole(start) or not _whole(end) or not 0 <= start < end <= 10080:
            continue
        while start < end:
            day, offset = divmod(start, 1440)
            stop = min(end, (day + 1) * 1440)
            days.setdefault(day, []).append((offset, stop - day * 1440))
            start = stop
    windows = {
        _DAYS[day]: [f"{_clock(a)}-{_clock(b)}" for a, b in sorted(spans)]
        for day, spans in days.items()
    }
    hours: dict[str, list[str]] = {}
    run: list[str] = []
    ends: tuple[str | None, ...] = (*_WEEK, None)
    for name in ends:
        if run and (name is None or windows.get(name) != windows.get(run[0])):
            label = run[0] if len(run) == 1 else f"{run[0]}-{run[-1]}"
            if len(run) == 7:
                label = "daily"
            hours[label] = windows[run[0]]
            run = []
        if name is not None and name in windows:
            run.append(name)
    return hours


def _whole(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _holiday(item: dict[str, Any], draft: PolicyDraft, schedule: str) -> Iterator[dict[str, Any]]:
    try:
        first = date.fromisoformat(str(item.get("start_date"))[:10])
        last = date.fromisoformat(str(item.get("end_date") or item.get("start_date"))[:10])
    except ValueError:
        draft.unsupported(f"holiday {key(item.get('id'))} of schedule {schedule}: no dates", item)
        return
    if not 0 <= (last - first).days < _MAX_HOLIDAY_DAYS:
        draft.unsupported(
            f"holiday {key(item.get('id'))} of schedule {schedule}: "
            "dates out of order, or over a year",
            item,
        )
        return
    while first <= last:
        yield {"date": first.isoformat(), "name": str(item.get("name") or "holiday")}
        first += timedelta(days=1)


def _entry(
    policy: dict[str, Any],
    default: str | None,
    paused: dict[str, list[str]],
    left: dict[str, list[Any]],
) -> dict[str, Any]:
    """The SLA entry of one policy; the targets it cannot hold go to ``left`` by reason."""
    conditions = _conditions(policy.get("filter"))
    items = _metric_items(policy.get("policy_metrics"), left)
    chosen = _chosen(items)  # our metric -> the Zendesk metric imported as it
    targets: dict[str, dict[str, Any]] = {}
    flags: dict[str, bool] = {}
    for item in items:
        metric = str(item.get("metric"))
        if metric not in _METRICS:
            left.setdefault(f"metric {metric!r} has no counterpart", []).append(item)
            continue
        ours, pauses = _METRICS[metric]
        if chosen[ours] != metric:
            why = f"{metric} and {chosen[ours]} both measure {ours}; kept {chosen[ours]}"
            left.setdefault(why, []).append(item)
            continue
        business = item.get("business_hours") is True
        if flags.setdefault(ours, business) != business:
            why = f"{metric} mixes business and calendar hours; kept the first kind"
            left.setdefault(why, []).append(item)
            continue
        span = _span(item)
        if item.get("priority") not in PRIORITIES or span is None:
            left.setdefault(f"{metric}: a target without a priority or minutes", []).append(item)
            continue
        target = targets.setdefault(ours, {})
        target[str(item["priority"])] = span
        if ours != "resolution" and pauses is not None:
            target["pause_on"] = [s for c in pauses for s in paused[c]]
    if not targets:
        raise _Unsupported("no target this format can hold")
    if any(flags.values()) and default is None:
        raise _Unsupported("business-hours targets and no schedule to measure them on")
    calendar = default if any(flags.values()) and default is not None else "24/7"
    for ours, target in targets.items():
        own = default if flags[ours] else "24/7"
        if own != calendar and own is not None:
            target["calendar"] = own
    covered = [p for p in PRIORITIES if any(p in t for t in targets.values())]
    if len(covered) < len(PRIORITIES):
        raise _Unsupported(
            f"targets for {', '.join(covered)} only: an SLA entry needs a target for every "
            "priority (missing-priority), and a condition on the priority would send the "
            "other tickets on to the next entry"
        )
    body: dict[str, Any] = {}
    if conditions:
        body["when"] = conditions[0] if len(conditions) == 1 else {"all_of": conditions}
    body["calendar"] = calendar
    if "resolution" in chosen:
        pauses = _METRICS[chosen["resolution"]][1] or ()
        body["pause_on"] = [s for c in pauses for s in paused[c]]
    body["targets"] = {
        ours: targets[ours]
        for ours in ("first_response", "next_response", "periodic_update", "resolution")
        if ours in targets
    }
    return body


def _metric_items(given: Any, left: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """The targets of ``policy_metrics``; one that is not a mapping goes to ``left``."""
    if given is None:
        return []
    if not isinstance(given, list):
        left.setdefault("policy_metrics is not a list", []).append(given)
        return []
    for item in given:
        if not isinstance(item, dict):
            left.setdefault("a target that is not a mapping", []).append(item)
    return [item for item in given if isinstance(item, dict)]


def _chosen(items: list[dict[str, Any]]) -> dict[str, str]:
    """Per metric of ours, the Zendesk metric imported as it: of those the targets give, the
    first in :data:`_METRICS`."""
    given = {str(item.get("metric")) for item in items}
    chosen: dict[str, str] = {}
    for metric, (ours, _pauses) in _METRICS.items():
        if metric in given:
            chosen.setdefault(ours, metric)
    return chosen


def _span(item: dict[str, Any]) -> str | None:
    seconds = item.get("target_in_seconds")
    if seconds is not None and not _whole(seconds):
        return None
    if _whole(seconds) and seconds >= 0 and seconds % 60:
        return f"{seconds}s"
    minutes = item.get("target") if seconds is None else seconds // 60
    if not _whole(minutes) or minutes < 0:
        return None
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h{rest}m" if rest else f"{hours}h"


def _conditions(spec: Any) -> list[dict[str, Any]]:
    """The ``when`` parts of a Zendesk filter (``all`` and ``any`` conditions)."""
    if spec is not None and not isinstance(spec, dict):
        raise _Unsupported(f"filter {spec!r:.60} is not a mapping of conditions")
    spec = spec or {}
    parts = [_condition(c) for c in _list(spec.get("all"), "all")]
    anyof = [_condition(c) for c in _list(spec.get("any"), "any")]
    if len(anyof) == 1:
        parts.append(anyof[0])
    elif anyof:
        parts.append({"any_of": anyof})
    return parts


def _list(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Unsupported(f"the filter's {name!r} is {value!r:.60}, not a list of conditions")
    return value


def _condition(condition: Any) -> dict[str, Any]:
    if not isinstance(condition, dict):
        raise _Unsupported(f"condition {condition!r} is not a field, operator and value")
    field, operator, value = (
        condition.get("field"),
        condition.get("operator"),
        condition.get("value"),
    )
    if not isinstance(field, str) or not isinstance(operator, str):
        raise _Unsupported(f"condition {condition!r:.80} has no field name or operator")
    if field in ("current_tags", "tags") and operator in ("includes", "not_includes"):
        tags = str(value).split()
        if not tags:
            raise _Unsupported("a tag condition without tags")
        each = [{"tags": {"contains": tag}} for tag in tags]
        found = each[0] if len(each) == 1 else {"any_of": each}
        return found if operator == "includes" else {"not": found}
    known = field in FIELDS or re.fullmatch(r"custom_fields_\d+", field)
    if not known or operator not in _OPERATORS:
        raise _Unsupported(f"condition {field} {operator} {value!r:.60} has no counterpart")
    if operator in _ORDERED and field == "priority":
        return {field: {"in": _priorities(operator, value)}}
    if operator in _ORDERED and not _numeric(value):
        raise _Unsupported(f"condition {field} {operator} {value!r:.60}: not a number")
    return {field: {_OPERATORS[operator]: value}}


def _priorities(operator: str, value: Any) -> list[str]:
    """The priorities ``less_than`` (etc.) ``value`` holds for, lowest first: Zendesk orders
    them low < normal < high < urgent."""
    if value not in _RANK:
        raise _Unsupported(f"condition priority {operator} {value!r:.60}: no such priority")
    held = [p for p, rank in _RANK.items() if _ORDERED[operator](rank, _RANK[value])]
    if not held:
        raise _Unsupported(f"condition priority {operator} {value}: no priority is")
    return held


def _numeric(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return False
    try:
        float(value)
    except (ValueError, OverflowError):
        return False
    return True
