"""Jira Service Management pages: what kind each response body is, and the per-issue facts
(key, reporter, request participants, status categories) that comments and SLA pages need.

Private to :mod:`servicepolicy.adapters.jsm`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Final

from ._common import Page, iso

# The name Jira gives the request participants field (its id differs per site); the
# search's ``names`` (expand=names) says which custom field it is.
PARTICIPANTS: Final = "request participants"

_ISSUE_IN_URL: Final = re.compile(r"/(?:issue|request)/([^/?#]+)/(?:comment|sla)(?:/|$)")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Index:
    """What the comment and SLA pages need from the issue pages: the key of each issue id, each
    issue's reporter and request participants, the category of each status name seen, and the
    accounts that a platform page shows as ``customer`` or ``app`` accounts (the service desk
    API gives no account type)."""

    keys: dict[str, str] = field(default_factory=dict)
    people: dict[str, tuple[str | None, frozenset[str]]] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)
    customers: set[str] = field(default_factory=set)
    apps: set[str] = field(default_factory=set)

    def account_type(self, author: dict[str, Any]) -> str | None:
        """An author's ``accountType``: as the author object gives it, else as a platform page
        gave it for the same account (``customer`` wins over ``app``), else None."""
        given = author.get("accountType")
        if isinstance(given, str):
            return given
        account = account_of(author)
        if account in self.customers:
            return "customer"
        return "app" if account in self.apps else None

    def note_account(self, user: Any) -> None:
        """Remember a platform user object's account id if it is a customer or app account."""
        account = account_of(user)
        if account is None or not isinstance(user, dict):
            return
        if user.get("accountType") == "customer":
            self.customers.add(account)
        elif user.get("accountType") == "app":
            self.apps.add(account)

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
    if isinstance(data.get("fields"), dict) and ("key" in data or "id" in data):
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
    """The ticket id of an issue: its key, else (no key at all) its id; None when that is
    missing, empty or not a string or number (a list, an object)."""
    value = issue.get("key")
    return scalar(issue.get("id") if value is None else value)


def scalar(value: Any) -> str | None:
    """A string or integer id as text; None for any other value or an empty one."""
    if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
        return str(value)
    return None


def build_index(pages: Iterable[Page]) -> Index:
    """The :class:`Index` of every issue page among ``pages``, and the account types of the
    authors of the platform comment pages."""
    index = Index()
    for page in pages:
        found = "unread" if page.data is None else kind(page.data)
        if found in ("issues", "issue"):
            for issue, names in issues_of(page):
                _index_issue(index, issue, names)
        elif found == "comments":
            for comment in listed(page.data["comments"]):
                index.note_account(comment.get("author"))
    return index


def _index_issue(index: Index, issue: dict[str, Any], names: dict[str, str]) -> None:
    key = issue_key(issue)
    if key is None:
        return
    issue_id = scalar(issue.get("id"))
    if issue_id is not None:
        index.keys[issue_id] = key
    fields = issue.get("fields")
    fields = fields if isinstance(fields, dict) else {}
    index.people[key] = (account_of(fields.get("reporter")), _participants(fields, names))
    for user in (fields.get("reporter"), fields.get("creator")):
        index.note_account(user)
    comments = fields.get("comment")
    for comment in listed(comments.get("comments") if isinstance(comments, dict) else None):
        index.note_account(comment.get("author"))
    status = fields.get("status")
    if isinstance(status, dict) and isinstance(status.get("name"), str):
        category = status.get("statusCategory")
        if isinstance(category, dict) and isinstance(category.get("key"), str):
            index.categories[status["name"].lower()] = category["key"]


def listed(value: Any) -> list[dict[str, Any]]:
    """The objects of a list (its other items left out); [] for a value that is no list."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def account_of(user: Any) -> str | None:
    """The ``accountId`` of a user object, when it is a string."""
    if isinstance(user, dict) and isinstance(user.get("accountId"), str):
        return str(user["accountId"])
    return None


def _participants(fields: dict[str, Any], names: dict[str, str]) -> frozenset[str]:
    found: set[str] = set()
    for field_id, name in names.items():
        if isinstance(name, str) and name.lower() == PARTICIPANTS:
            users = fields.get(field_id)
            for user in users if isinstance(users, list) else []:
                account = account_of(user)
                if account is not None:
                    found.add(account)
    return frozenset(found)


def instant(value: Any) -> str:
    """A JSM timestamp as ISO 8601 text: platform text (``2026-03-09T10:00:00.000+0100``) or
    a service desk date object.  Of a date object, ``jira`` (milliseconds and offset) is read,
    else ``epochMillis`` (shown in the offset of ``iso8601``), else ``iso8601``, which drops
    the milliseconds: so a comment read through both APIs has one instant.  ``ValueError``
    when there is none or it cannot be read."""
    if isinstance(value, dict):
        return _date_object(value)
    if isinstance(value, str | int | float):
        return iso(value)
    raise ValueError(f"not a timestamp: {value!r:.60}")


def _date_object(value: dict[str, Any]) -> str:
    millis, text = value.get("epochMillis"), value.get("iso8601")
    if value.get("jira") is not None:
        return iso(value["jira"])
    if isinstance(millis, int) and not isinstance(millis, bool):
        try:
            moment = _EPOCH + timedelta(milliseconds=millis)
        except OverflowError:
            raise ValueError(f"not a timestamp: epochMillis {millis!r:.60}") from None
        shown = _offset_of(text)
        return (moment if shown is None else moment.astimezone(shown)).isoformat()
    if text is not None:
        return iso(text)
    if millis is not None:
        return iso(millis)
    raise ValueError(f"date object without jira, epochMillis or iso8601: {value!r:.80}")


def _offset_of(text: Any) -> tzinfo | None:
    """The time zone (a fixed offset) of an ISO text, or None when it cannot be read."""
    try:
        return datetime.fromisoformat(iso(text)).tzinfo if isinstance(text, str) else None
    except ValueError:
        return None


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
