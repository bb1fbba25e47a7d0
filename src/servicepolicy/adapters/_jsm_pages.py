"""Jira Service Management pages: what kind each response body is, and the per-issue facts
(key, reporter, request participants, status categories) that comments and SLA pages need.

Private to :mod:`servicepolicy.adapters.jsm`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from ._common import Page, iso

# The name Jira gives the request participants field (its id differs per site); the
# search's ``names`` (expand=names) says which custom field it is.
PARTICIPANTS: Final = "request participants"

_ISSUE_IN_URL: Final = re.compile(r"/(?:issue|request)/([^/?#]+)/(?:comment|sla)(?:/|$)")


@dataclass
class Index:
    """What the comment and SLA pages need from the issue pages: the key of each issue id, each
    issue's reporter and request participants, and the category of each status name seen."""

    keys: dict[str, str] = field(default_factory=dict)
    people: dict[str, tuple[str | None, frozenset[str]]] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)

    def ticket_of(self, url: Any) -> str | None:
        """The ticket id (issue key) named by a comment's or SLA value's ``self`` link."""
        if not isinstance(url, str):
            return None
        found = _ISSUE_IN_URL.search(url)
        if found is None:
            return None
        named = found.group(1)
        return self.keys.get(named, named)


def kind(data: Any) -> str:
    """The kind of a page: ``issues`` (a search), ``issue``, ``comments`` (platform API),
    ``request-comments`` and ``request-slas`` (service desk API), ``sla`` (one SLA value), or
    ``unknown``."""
    if not isinstance(data, dict):
        return "unknown"
    if isinstance(data.get("issues"), list):
        return "issues"
    if isinstance(data.get("key"), str) and isinstance(data.get("fields"), dict):
        return "issue"
    if isinstance(data.get("comments"), list):
        return "comments"
    values = data.get("values")
    if isinstance(values, list):
        items = [v for v in values if isinstance(v, dict)]
        if items and all(is_sla(v) for v in items):
            return "request-slas"
        if items and all("public" in v and "created" in v for v in items):
            return "request-comments"
        if not values:
            return "empty"
    if is_sla(data):
        return "sla"
    return "unknown"


def is_sla(value: Any) -> bool:
    """Whether a value is a JSM SLA value (an SLA custom field, or one servicedeskapi value)."""
    return isinstance(value, dict) and ("completedCycles" in value or "ongoingCycle" in value)


def issues_of(page: Page) -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
    """Each issue of an ``issues`` or ``issue`` page, with the page's field names."""
    data = page.data
    names = data.get("names")
    names = names if isinstance(names, dict) else {}
    issues = data["issues"] if kind(data) == "issues" else [data]
    for issue in issues:
        if isinstance(issue, dict):
            yield issue, names


def issue_key(issue: dict[str, Any]) -> str | None:
    """The ticket id of an issue: its key, else its id."""
    for name in ("key", "id"):
        value = issue.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            return str(value)
    return None


def build_index(pages: Iterable[Page]) -> Index:
    """The :class:`Index` of every issue page among ``pages``."""
    index = Index()
    for page in pages:
        if page.data is None or kind(page.data) not in ("issues", "issue"):
            continue
        for issue, names in issues_of(page):
            key = issue_key(issue)
            if key is None:
                continue
            if issue.get("id") is not None:
                index.keys[str(issue["id"])] = key
            fields = issue.get("fields")
            fields = fields if isinstance(fields, dict) else {}
            index.people[key] = (_account(fields.get("reporter")), _participants(fields, names))
            status = fields.get("status")
            if isinstance(status, dict) and isinstance(status.get("name"), str):
                category = status.get("statusCategory")
                if isinstance(category, dict) and isinstance(category.get("key"), str):
                    index.categories[status["name"].lower()] = category["key"]
    return index


def _account(user: Any) -> str | None:
    if isinstance(user, dict) and isinstance(user.get("accountId"), str):
        return str(user["accountId"])
    return None


def _participants(fields: dict[str, Any], names: dict[str, str]) -> frozenset[str]:
    found: set[str] = set()
    for field_id, name in names.items():
        if isinstance(name, str) and name.lower() == PARTICIPANTS:
            users = fields.get(field_id)
            for user in users if isinstance(users, list) else []:
                account = _account(user)
                if account is not None:
                    found.add(account)
    return frozenset(found)


def instant(value: Any) -> str:
    """A JSM timestamp as ISO 8601 text: platform text (``2026-03-09T10:00:00.000+0100``) or
    a service desk date object (``iso8601``, ``jira`` or ``epochMillis``).  ``ValueError``
    when there is none or it cannot be read."""
    if isinstance(value, dict):
        for name in ("iso8601", "jira", "epochMillis"):
            if value.get(name) is not None:
                return iso(value[name])
        raise ValueError(f"date object without iso8601, jira or epochMillis: {value!r:.80}")
    if isinstance(value, str | int | float):
        return iso(value)
    raise ValueError(f"not a timestamp: {value!r:.60}")


def simple(value: Any) -> Any:
    """A custom field's value as a ticket field holds it (an option's ``value``, a request
    type's name, a list of those), or None for one that is empty or not a plain value (users,
    rich text, SLA values)."""
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list):
        items = [simple(item) for item in value]
        return items if items and all(item is not None for item in items) else None
    if not isinstance(value, dict) or "accountId" in value or is_sla(value):
        return None
    if isinstance(value.get("value"), str | int | float):
        return value["value"]
    request_type = value.get("requestType")
    if isinstance(request_type, dict) and isinstance(request_type.get("name"), str):
        return request_type["name"]
    if isinstance(value.get("name"), str) and value.get("type") != "doc":
        return value["name"]
    return None
