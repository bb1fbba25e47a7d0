"""Freshdesk SLA policies, business hours and groups as a servicepolicy policy."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from ._common import ImportedPolicy, ImportLog, PolicyDraft, status_name
from ._freshdesk_pages import PRIORITIES, Kinds, status_choices

# Freshdesk (Rails) time zone names to IANA names; an IANA name is kept as it is.
RAILS_ZONES: Final[Mapping[str, str]] = {
    "UTC": "Etc/UTC",
    "London": "Europe/London",
    "Edinburgh": "Europe/London",
    "Dublin": "Europe/Dublin",
    "Lisbon": "Europe/Lisbon",
    "Amsterdam": "Europe/Amsterdam",
    "Berlin": "Europe/Berlin",
    "Bern": "Europe/Zurich",
    "Brussels": "Europe/Brussels",
    "Copenhagen": "Europe/Copenhagen",
    "Madrid": "Europe/Madrid",
    "Paris": "Europe/Paris",
    "Rome": "Europe/Rome",
    "Stockholm": "Europe/Stockholm",
    "Vienna": "Europe/Vienna",
    "Warsaw": "Europe/Warsaw",
    "Athens": "Europe/Athens",
    "Helsinki": "Europe/Helsinki",
    "Istanbul": "Europe/Istanbul",
    "Moscow": "Europe/Moscow",
    "Abu Dhabi": "Asia/Dubai",
    "Chennai": "Asia/Kolkata",
    "Kolkata": "Asia/Kolkata",
    "Mumbai": "Asia/Kolkata",
    "New Delhi": "Asia/Kolkata",
    "Singapore": "Asia/Singapore",
    "Hong Kong": "Asia/Hong_Kong",
    "Tokyo": "Asia/Tokyo",
    "Sydney": "Australia/Sydney",
    "Melbourne": "Australia/Melbourne",
    "Auckland": "Pacific/Auckland",
    "Eastern Time (US & Canada)": "America/New_York",
    "Central Time (US & Canada)": "America/Chicago",
    "Mountain Time (US & Canada)": "America/Denver",
    "Pacific Time (US & Canada)": "America/Los_Angeles",
    "Brasilia": "America/Sao_Paulo",
}

_DAYS: Final = {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}
_TIME: Final = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]m)?\s*$", re.IGNORECASE)
# applicable_to keys and the ticket field each one tests.
_CONDITIONS: Final = {
    "company_ids": "company_id",
    "group_ids": "group_id",
    "sources": "source",
    "ticket_types": "type",
    "product_ids": "product_id",
}
# Highest first, as servicepolicy lists priorities.
ORDER: Final = ("urgent", "high", "medium", "low")


def build_policy(found: Mapping[Kinds, list[dict[str, Any]]], log: ImportLog) -> ImportedPolicy:
    """The policy of the pages found, by kind."""
    draft = PolicyDraft(
        "Freshdesk SLA policies",
        "freshdesk",
        "Freshdesk (SLA policies, business hours, groups, ticket fields)",
        "Imported by servicepolicy import-policy freshdesk.",
    )
    draft.priorities(list(ORDER))
    for code, name, stop in status_choices(found.get(Kinds.TICKET_FIELDS, [])):
        if code > 5 and stop is not None:  # custom statuses are above 5
            draft.status(status_name(name, {}), "paused" if stop else "open")
    calendars = _calendars(draft, found.get(Kinds.BUSINESS_HOURS, []))
    by_hours: dict[str, list[Any]] = {}
    for group in found.get(Kinds.GROUPS, []):
        hours = group.get("business_hour_id")
        if hours is not None and str(hours) in calendars and str(hours) != calendars.get("id"):
            by_hours.setdefault(str(hours), []).append(group.get("id"))
    policies = sorted(
        found.get(Kinds.SLA_POLICIES, []),
        key=lambda p: (p.get("is_default") is True, _int(p.get("position")), _int(p.get("id"))),
    )
    for policy in policies:
        _policy(draft, policy, calendars, by_hours)
    return draft.build()


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _calendars(draft: PolicyDraft, items: list[dict[str, Any]]) -> dict[str, str]:
    """Each business hours object as a calendar; returns id -> calendar name, and under ""
    the default one's name (its id under "id")."""
    names: dict[str, str] = {}
    for item in items:
        source_id = str(item.get("id"))
        zone = item.get("time_zone")
        iana = zone if isinstance(zone, str) and "/" in zone else RAILS_ZONES.get(str(zone))
        hours = _hours(item.get("business_hours"))
        if iana is None or hours is None:
            why = "unknown time zone" if iana is None else "unreadable hours"
            draft.unsupported(f"business hours {source_id} ({why} {zone!r})", item)
            continue
        name = _slug(str(item.get("name") or f"hours-{source_id}"), names.values(), source_id)
        body: dict[str, Any] = {"timezone": iana, "hours": hours}
        holidays = [
            {"date": h["date"], "name": h["name"]} if h.get("name") else {"date": h["date"]}
            for h in item.get("holidays") or ()
            if isinstance(h, dict) and isinstance(h.get("date"), str)
        ]
        if holidays:
            body["holidays"] = holidays
        draft.calendar(name, body, f"Freshdesk business hours {source_id} (time zone {zone})")
        names[source_id] = name
        if item.get("is_default") is True:
            names[""], names["id"] = name, source_id
    return names


def _slug(text: str, taken: Any, source_id: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "hours"
    return f"{slug}-{source_id}" if slug in set(taken) else slug


def _hours(days: Any) -> dict[str, list[str]] | None:
    if not isinstance(days, dict):
        return None
    hours: dict[str, list[str]] = {}
    for day, window in days.items():
        if day not in _DAYS or not isinstance(window, dict):
            return None
        start, end = _clock(window.get("start_time")), _clock(window.get("end_time"))
        if start is None or end is None:
            return None
        hours[_DAYS[day]] = [f"{start}-{end}"]
    return hours or None


def _clock(text: Any) -> str | None:
    """``08:00:00 am`` -> ``08:00``; ``11:59:59 pm`` (the end of a day) -> ``24:00``."""
    found = _TIME.match(text) if isinstance(text, str) else None
    if found is None:
        return None
    hour, minute, second = int(found[1]), int(found[2]), int(found[3] or 0)
    if found[4]:
        hour = hour % 12 + (12 if found[4].lower() == "pm" else 0)
    if (hour, minute, second) == (23, 59, 59):
        return "24:00"
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else None


def _span(seconds: Any) -> str | None:
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds <= 0:
        return None
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return "".join(f"{n}{u}" for n, u in ((hours, "h"), (minutes, "m"), (secs, "s")) if n)


def _policy(
    draft: PolicyDraft,
    policy: dict[str, Any],
    calendars: Mapping[str, str],
    by_hours: Mapping[str, list[Any]],
) -> None:
    source_id, name = policy.get("id"), str(policy.get("name") or f"policy {policy.get('id')}")
    note = f"Freshdesk SLA policy {source_id} (position {policy.get('position')})"
    if policy.get("active") is False:
        draft.unsupported(f"SLA policy {source_id} {name!r} is inactive", policy)
        return
    when: dict[str, Any] = {}
    for key, values in (policy.get("applicable_to") or {}).items():
        if key in _CONDITIONS and isinstance(values, list):
            when[_CONDITIONS[key]] = values
        elif values:
            draft.unsupported(f"SLA policy {source_id} {name!r}: condition {key!r}", policy)
            return
    targets, business = _targets(policy.get("sla_target"))
    if not targets:
        draft.unsupported(f"SLA policy {source_id} {name!r}: no readable targets", policy)
        return
    escalation = policy.get("escalation")
    if escalation:
        draft.unsupported(f"SLA policy {source_id} {name!r}: escalation", escalation)
    default = calendars.get("")
    calendar_hours = [p for p in ORDER if business.get(p) is False]
    business_hours = [p for p in ORDER if business.get(p) is True]
    if business_hours and default is None:
        draft.unsupported(f"SLA policy {source_id} {name!r}: no default business hours", policy)
        return
    if calendar_hours:
        only = {**when, "priority": calendar_hours} if business_hours else when
        suffix = " (calendar hours)" if business_hours else ""
        _entry(draft, f"{name}{suffix}", only, "24/7", targets, f"{note}, calendar hours")
    if not business_hours:
        return
    for hours_id, groups in by_hours.items():
        _entry(
            draft,
            f"{name} ({calendars[hours_id]})",
            {**when, "group_id": groups},
            calendars[hours_id],
            targets,
            f"{note}, business hours {hours_id} of groups {', '.join(map(str, groups))}",
        )
    _entry(draft, name, when, str(default), targets, f"{note}, default business hours")


def _entry(
    draft: PolicyDraft,
    name: str,
    when: dict[str, Any],
    calendar: str,
    targets: dict[str, dict[str, str]],
    note: str,
) -> None:
    body: dict[str, Any] = {"name": name}
    if when:
        body["when"] = when
    body["calendar"] = calendar
    body["targets"] = targets
    draft.entry(body, note)


def _targets(
    sla_target: Any,
) -> tuple[dict[str, dict[str, str]], dict[str, bool]]:
    """Targets per metric and priority, and whether each priority counts business hours."""
    targets: dict[str, dict[str, str]] = {}
    business: dict[str, bool] = {}
    if not isinstance(sla_target, dict):
        return targets, business
    for code, priority in PRIORITIES.items():
        target = sla_target.get(f"priority_{code}")
        if not isinstance(target, dict):
            continue
        business[priority] = target.get("business_hours") is not False
        for metric, key in (
            ("first_response", "respond_within"),
            ("next_response", "next_respond_within"),
            ("resolution", "resolve_within"),
        ):
            span = _span(target.get(key))
            if span is not None:
                targets.setdefault(metric, {})[priority] = span
    ordered: dict[str, dict[str, str]] = {
        m: {p: t[p] for p in ORDER if p in t} for m, t in targets.items()
    }
    return ordered, business
