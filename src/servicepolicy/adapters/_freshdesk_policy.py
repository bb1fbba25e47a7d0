"""Freshdesk SLA policies, business hours and groups as a servicepolicy policy."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Final, TypeGuard

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
_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# applicable_to keys and the ticket field each one tests.
_CONDITIONS: Final = {
    "company_ids": "company_id",
    "group_ids": "group_id",
    "sources": "source",
    "ticket_types": "type",
    "product_ids": "product_id",
}
# Targets of a hundred years or more are not read (a policy holds less than a thousand).
_YEARS: Final = 100 * 366 * 86400
# Statuses every policy has; a custom one named like these is not declared again.
BUILT_IN_STATUSES: Final = frozenset(("new", "open", "pending", "on_hold", "solved", "closed"))
# Highest first, as servicepolicy lists priorities.
ORDER: Final = ("urgent", "high", "medium", "low")


def build_policy(found: Mapping[Kinds, list[dict[str, Any]]], log: ImportLog) -> ImportedPolicy:
    """The policy of the pages found, by kind; ``ValueError`` when no SLA policy among them
    can be imported."""
    draft = PolicyDraft(
        "Freshdesk SLA policies",
        "freshdesk",
        "Freshdesk (SLA policies, business hours, groups, ticket fields)",
        "Imported by servicepolicy import-policy freshdesk.",
    )
    draft.priorities(list(ORDER))
    _statuses(draft, found.get(Kinds.TICKET_FIELDS, []))
    calendars = _calendars(draft, found.get(Kinds.BUSINESS_HOURS, []))
    by_hours = _group_hours(found.get(Kinds.GROUPS, []), calendars)
    policies = sorted(
        found.get(Kinds.SLA_POLICIES, []),
        key=lambda p: (p.get("is_default") is True, _int(p.get("position")), _int(p.get("id"))),
    )
    imported, catch_all = 0, None
    for policy in policies:
        if catch_all is not None:
            why = f"never applies: SLA policy {catch_all} before it applies to every ticket"
            draft.unsupported(f"SLA policy {policy.get('id')} {_name(policy)!r}: {why}", policy)
            continue
        whens = _policy(draft, policy, calendars, by_hours)
        imported += len(whens)
        if {} in whens:
            catch_all = f"{policy.get('id')} {_name(policy)!r}"
    if not imported:
        warnings = draft.build().warnings or ["the pages hold no SLA policies"]
        raise ValueError(
            f"no SLA policy could be imported (of {len(policies)}): " + "; ".join(warnings)
        )
    return draft.build()


def _statuses(draft: PolicyDraft, fields: list[dict[str, Any]]) -> None:
    """Custom statuses (codes above 5) whose ticket field says whether they stop the timer."""
    for code, name, stop in status_choices(fields):
        status = status_name(name, {})
        if code > 5 and stop is not None and status not in BUILT_IN_STATUSES:
            draft.status(status, "paused" if stop else "open")


def _group_hours(
    groups: list[dict[str, Any]], calendars: Mapping[str, str]
) -> dict[str, list[Any]]:
    """Business hours id -> the groups timed on them, for calendars other than the default."""
    by_hours: dict[str, list[Any]] = {}
    for group in groups:
        hours, group_id = group.get("business_hour_id"), group.get("id")
        if not _is_name(group_id) or hours is None:
            continue
        if str(hours) in calendars and str(hours) != calendars.get("id"):
            by_hours.setdefault(str(hours), []).append(group_id)
    return by_hours


def _name(policy: dict[str, Any]) -> str:
    return str(policy.get("name") or f"policy {policy.get('id')}")


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
        holidays = _holidays(draft, source_id, item.get("holidays"))
        if holidays:
            body["holidays"] = holidays
        draft.calendar(name, body, f"Freshdesk business hours {source_id} (time zone {zone})")
        names[source_id] = name
        if item.get("is_default") is True:
            names[""], names["id"] = name, source_id
    return names


def _holidays(draft: PolicyDraft, source_id: str, given: Any) -> list[dict[str, str]]:
    """The readable holidays of a business hours object (``date`` as YYYY-MM-DD, ``name``
    where it is text); the others are written as not imported."""
    if given is None:
        return []
    if not isinstance(given, list):
        draft.unsupported(f"business hours {source_id}: holidays (not a list)", given)
        return []
    holidays: list[dict[str, str]] = []
    for holiday in given:
        day = holiday.get("date") if isinstance(holiday, dict) else None
        if not isinstance(holiday, dict) or not _is_date(day):
            draft.unsupported(f"business hours {source_id}: holiday (no readable date)", holiday)
            continue
        name = holiday.get("name")
        holidays.append(
            {"date": day, "name": name} if isinstance(name, str) and name else {"date": day}
        )
    return holidays


def _is_date(value: Any) -> TypeGuard[str]:
    if not isinstance(value, str) or not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


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
    if not isinstance(seconds, int) or isinstance(seconds, bool) or not 0 < seconds < _YEARS:
        return None
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return "".join(f"{n}{u}" for n, u in ((hours, "h"), (minutes, "m"), (secs, "s")) if n)


def _policy(
    draft: PolicyDraft,
    policy: dict[str, Any],
    calendars: Mapping[str, str],
    by_hours: Mapping[str, list[Any]],
) -> list[dict[str, Any]]:
    """Write one SLA policy's entries; returns the ``when`` of each (none: not imported)."""
    source_id, name = policy.get("id"), _name(policy)
    note = f"Freshdesk SLA policy {source_id} (position {policy.get('position')})"
    refused = _refusal(policy, calendars)
    if refused is not None:
        draft.unsupported(f"SLA policy {source_id} {name!r}{refused}", policy)
        return []
    when, _ = _conditions(policy.get("applicable_to"))
    targets, business = _targets(policy.get("sla_target"))
    escalation = policy.get("escalation")
    if escalation:
        draft.unsupported(f"SLA policy {source_id} {name!r}: escalation", escalation)
    calendar_hours = [p for p in ORDER if business.get(p) is False]
    business_hours = [p for p in ORDER if business.get(p) is True]
    entries: list[tuple[str, dict[str, Any], str, str]] = []
    if calendar_hours:
        only = {**when, "priority": calendar_hours} if business_hours else when
        suffix = " (calendar hours)" if business_hours else ""
        entries.append((f"{name}{suffix}", only, "24/7", f"{note}, calendar hours"))
    if business_hours:
        for hours_id, groups in by_hours.items():
            # Only the policy's own groups: a group's business hours never widen a policy.
            mine = _within(groups, when.get("group_id"))
            if mine:
                of = f"business hours {hours_id} of groups {', '.join(map(str, mine))}"
                calendar = calendars[hours_id]
                entries.append(
                    (f"{name} ({calendar})", {**when, "group_id": mine}, calendar, f"{note}, {of}")
                )
        default = calendars[""]
        entries.append((name, when, default, f"{note}, default business hours"))
    for title, only, calendar, why in entries:
        _entry(draft, title, only, calendar, targets, why)
    return [only for _, only, _, _ in entries]


def _refusal(policy: dict[str, Any], calendars: Mapping[str, str]) -> str | None:
    """Why a policy cannot be imported (after its id and name), or None."""
    if policy.get("active") is False:
        return " is inactive"
    _, refused = _conditions(policy.get("applicable_to"))
    if refused is not None:
        return f": {refused}"
    targets, business = _targets(policy.get("sla_target"))
    if not targets:
        return ": no readable targets"
    missing = [p for p in ORDER if not any(p in t for t in targets.values())]
    if missing:
        return f": no readable target for priority {', '.join(missing)}"
    if any(business.values()) and "" not in calendars:
        return ": no default business hours"
    return None


def _within(groups: list[Any], allowed: list[Any] | None) -> list[Any]:
    """``groups`` that ``allowed`` (the policy's ``group_id`` list, None: any) names."""
    if allowed is None:
        return list(groups)
    names = {str(g) for g in allowed}
    return [g for g in groups if str(g) in names]


def _conditions(applicable_to: Any) -> tuple[dict[str, Any], str | None]:
    """The ``when`` of an ``applicable_to`` object, or why it cannot be written: a key the
    format cannot test, or a value that is not a list of numbers or names.  An empty list
    (``"company_ids": []``) restricts nothing, as in Freshdesk."""
    if applicable_to is None:
        return {}, None
    if not isinstance(applicable_to, dict):
        return {}, f"applicable_to {applicable_to!r:.60}"
    when: dict[str, Any] = {}
    for key, values in applicable_to.items():
        if key in _CONDITIONS and isinstance(values, list) and all(map(_is_name, values)):
            if values:
                when[_CONDITIONS[key]] = values
        elif key in _CONDITIONS and values is not None:
            return {}, f"condition {key!r} ({values!r:.60})"
        elif key not in _CONDITIONS and values:
            return {}, f"condition {key!r}"
    return when, None


def _is_name(value: Any) -> bool:
    """A value a condition can list: an id (a whole number a policy can hold) or a name."""
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) < 10**30
    return isinstance(value, str)


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
