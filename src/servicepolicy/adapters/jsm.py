"""Jira Service Management (Jira Cloud REST): tickets from issue searches with their changelog
and comments, and the SLA figures JSM recorded itself.  Its SLA configuration cannot be
imported: no public REST API exports it (see docs/adapters/jsm.md).

Pages are recognised by their top-level keys: ``issues`` (a search), an issue object
(``fields``, with ``key`` or ``id``), ``comments`` (``/rest/api/3/issue/{key}/comment``), and
``values`` of comments or SLA values (``/rest/servicedeskapi/request/{key}/comment`` and
``.../sla``).  The files are read twice: first for each issue's key, reporter, request
participants and status category, and the account types of comment authors, which comment
and SLA pages in any file and any order need.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Final

from .._tickets.model import Ticket, UnreadTicket
from ._common import (
    ImportedPolicy,
    ImportLog,
    Page,
    Recorded,
    TicketStore,
    read_pages,
    status_name,
)
from ._jsm_pages import (
    Index,
    account_of,
    build_index,
    instant,
    issue_key,
    issues_of,
    kind,
    listed,
    scalar,
    simple,
)
from ._jsm_recorded import SLA_METRICS, page_figures

__all__ = [
    "CATEGORY_STATUS",
    "DEFAULT_STATUS_MAP",
    "DOCS",
    "SLA_METRICS",
    "SOURCE",
    "PolicyNotExportable",
    "read_policy",
    "read_recorded",
    "read_tickets",
]

SOURCE: Final = "jsm"
DOCS: Final = "docs/adapters/jsm.md"

DEFAULT_STATUS_MAP: Final[Mapping[str, str]] = MappingProxyType(
    {
        # The statuses of JSM's service project templates, by name (lower-case).
        "open": "open",
        "to do": "open",
        "reopened": "open",
        "waiting for support": "open",
        "in progress": "open",
        "work in progress": "open",
        "escalated": "open",
        "under investigation": "open",
        "waiting for approval": "open",
        "waiting for customer": "pending",
        "pending": "on_hold",
        "resolved": "solved",
        "done": "solved",
        "completed": "solved",
        "canceled": "solved",
        "cancelled": "solved",
        "declined": "solved",
        "closed": "closed",
    }
)
"""JSM status name (any case) -> ticket status, for the statuses of JSM's templates."""

CATEGORY_STATUS: Final[Mapping[str, str]] = MappingProxyType(
    {"new": "open", "indeterminate": "open", "done": "solved"}
)
"""Status category key -> ticket status, for a status that the status map does not name."""

# Jira system fields whose changes say nothing an SLA reads; any other system field is
# warned of as an unknown event kind.
_QUIET_FIELDS: Final = frozenset(
    (
        "assignee", "attachment", "comment", "component", "description", "duedate",
        "environment", "fix version", "flagged", "issueparentassociation", "key", "link",
        "parent", "project", "rank", "remoteissuelink", "reporter", "resolution", "security",
        "sprint", "summary", "timeestimate", "timeoriginalestimate", "timespent", "version",
        "workflow", "worklogid",
    )
)  # fmt: skip
_SYSTEM_FIELDS: Final = {"priority": "priority", "issuetype": "issuetype", "labels": "labels"}


class PolicyNotExportable(ValueError):
    """JSM's SLA configuration cannot be read from any public REST API."""


def read_tickets(
    paths: Iterable[str | os.PathLike[str]],
    *,
    status_map: Mapping[str, str] | None = None,
    log: ImportLog | None = None,
) -> Iterator[Ticket | UnreadTicket]:
    """The tickets of JSM pages: one per issue, then one error record per ticket id that has
    comments but no issue.  ``status_map`` (default :data:`DEFAULT_STATUS_MAP`) maps status
    names, in any case; a status it does not name goes by its category
    (:data:`CATEGORY_STATUS`)."""
    log = log if log is not None else ImportLog()
    paths = list(paths)
    index = build_index(read_pages(paths))
    given = DEFAULT_STATUS_MAP if status_map is None else status_map
    with TicketStore(SOURCE) as store:
        run = _Staging(store, index, _Statuses(given, index.categories, log), log)
        for page in read_pages(paths):
            _stage(page, run)
        yield from store.tickets()
    yield from run.unread.values()


def read_policy(
    paths: Iterable[str | os.PathLike[str]], *, log: ImportLog | None = None
) -> ImportedPolicy:
    """Always raises :class:`PolicyNotExportable`: JSM has no public API for its SLA setup."""
    raise PolicyNotExportable(
        "Jira Service Management has no public REST API that exports SLA configuration "
        "(goals, calendars, JQL conditions, start/pause/stop conditions); the servicedeskapi "
        "gives only each request's SLA values. Write the policy by hand with 'semantics: jsm' "
        f"from the project's SLA settings; see {DOCS}"
    )


def read_recorded(
    paths: Iterable[str | os.PathLike[str]], *, log: ImportLog | None = None
) -> Iterator[Recorded]:
    """JSM's own SLA figures: the SLA fields of issues and servicedeskapi SLA pages.  The
    issue pages among ``paths`` tell the key of a request named by its id."""
    log = log if log is not None else ImportLog()
    paths = list(paths)
    index = build_index(read_pages(paths))
    seen: set[tuple[Any, ...]] = set()
    for page in read_pages(paths):
        for figure in page_figures(page, index, log):
            # The same figure from an issue and from its service desk page counts once.
            key = (figure.ticket_id, figure.metric, figure.due_at, figure.breached)
            if (*key, figure.completed_at) not in seen:
                seen.add((*key, figure.completed_at))
                yield figure


# -- tickets -----------------------------------------------------------------------------------


class _Statuses:
    def __init__(
        self, given: Mapping[str, str], categories: Mapping[str, str], log: ImportLog
    ) -> None:
        self.map = {**{name.lower(): status for name, status in given.items()}, **given}
        self.categories, self.log = categories, log

    def __call__(self, raw: str) -> str:
        if raw in self.map or raw.lower() in self.map:
            return status_name(raw, self.map)
        category = self.categories.get(raw.lower(), "")
        if category in CATEGORY_STATUS:
            return CATEGORY_STATUS[category]
        self.log.warn("unmapped-status", f"{raw!r} is not in the status map; category unknown")
        return status_name(raw, {})


@dataclass
class _Staging:
    """What staging the pages of one import shares; ``unread``: the error records of issues
    without a readable key, by their error text (a page read twice gives one)."""

    store: TicketStore
    index: Index
    statuses: _Statuses
    log: ImportLog
    unread: dict[str, UnreadTicket] = field(default_factory=dict)


def _stage(page: Page, run: _Staging) -> None:
    if page.data is None:
        run.log.warn("unreadable-page", f"{page.where}: {page.error}")
        return
    found = kind(page.data)
    if found in ("issues", "issue"):
        for issue, names in issues_of(page):
            _stage_issue(issue, names, page, run)
        if found == "issues":
            _warn_non_objects(page, "issues", run.log)
    elif found == "comments":
        for comment in listed(page.data["comments"]):
            ticket = run.index.ticket_of(comment.get("self"))
            _stage_comment(ticket, comment, _platform_public(comment), page, run)
        _warn_non_objects(page, "comments", run.log)
    elif found == "request-comments":
        for comment in listed(page.data["values"]):
            links = comment.get("_links")
            ticket = run.index.ticket_of(links.get("self") if isinstance(links, dict) else None)
            _stage_comment(ticket, comment, comment.get("public") is True, page, run)
        _warn_non_objects(page, "values", run.log)
    elif found == "unknown":
        keys = sorted(page.data)[:6] if isinstance(page.data, dict) else type(page.data).__name__
        run.log.warn("unknown-page", f"{page.where}: top-level {keys}")


def _warn_non_objects(page: Page, name: str, log: ImportLog) -> None:
    """A ``bad-value`` warning for each item of the page's list ``name`` that is no object."""
    for item in page.data[name]:
        if not isinstance(item, dict):
            log.warn(
                "bad-value", f"{page.where}: an item of {name!r} that is no object: {item!r:.40}"
            )


def _platform_public(comment: dict[str, Any]) -> bool:
    # jsdPublic on a service project; elsewhere a comment restricted to a role or group is
    # not for the customer.
    public = comment.get("jsdPublic")
    return public if isinstance(public, bool) else not comment.get("visibility")


def _stage_comment(
    ticket: str | None, comment: dict[str, Any], public: bool, page: Page, run: _Staging
) -> None:
    if ticket is None:
        run.log.warn("comment-without-issue", f"{page.where}: comment {comment.get('id')!r:.40}")
        return
    author = comment.get("author")
    actor = _actor(ticket, author if isinstance(author, dict) else {}, page, run)
    kind_of = "customer_message" if actor == "customer" else "agent_reply"
    event = {
        "at": _at(comment.get("created")),
        "type": kind_of if public else "internal_note",
        "actor": actor,
        "public": public,
    }
    run.store.add_event(ticket, event, _comment_order(comment))


def _comment_order(comment: dict[str, Any]) -> str:
    """The comment's id, the same on the platform and the service desk API, so the store keeps
    one event for both; without a readable id, a digest of the comment as given."""
    comment_id = scalar(comment.get("id"))
    if comment_id is not None:
        return f"c{_sortable(comment_id)}"
    text = json.dumps(comment, sort_keys=True, default=str)
    return "c~" + hashlib.sha256(text.encode()).hexdigest()[:20]


def _actor(ticket: str, author: dict[str, Any], page: Page, run: _Staging) -> str:
    """``customer`` (a customer account, the reporter, a participant), ``system`` (an app) or
    ``agent``.  The service desk API names no account type: a platform page's tells it."""
    reporter, participants = run.index.people.get(ticket, (None, frozenset()))
    account, account_type = account_of(author), run.index.account_type(author)
    if author.get("accountId") is not None and account is None:
        run.log.warn("bad-value", f"{page.where}: accountId {author['accountId']!r:.40}")
    if account_type == "customer" or (account is not None and account in {reporter, *participants}):
        return "customer"
    return "system" if account_type == "app" else "agent"


def _stage_issue(
    issue: dict[str, Any], names: Mapping[str, str], page: Page, run: _Staging
) -> None:
    key = issue_key(issue)
    if key is None:
        _unread_issue(issue, page, run)
        return
    fields = issue.get("fields")
    fields = fields if isinstance(fields, dict) else {}
    created = _at(fields.get("created"))
    current = _current_fields(fields)
    changes = _changes(issue, key, names, fields, run.log)
    at_creation = dict(current)
    first_status: str | None = None
    seen: set[str] = set()
    for _, _, name, before, _ in changes:
        if name is None:
            first_status = before if first_status is None else first_status
        elif name not in seen:
            seen.add(name)
            _put(at_creation, name, before)
    run.store.add_ticket(key, {"id": key, "created_at": created, "fields": at_creation})
    status = fields.get("status")
    initial = first_status or (status.get("name") if isinstance(status, dict) else None)
    first = run.statuses(initial) if isinstance(initial, str) else "new"
    if first != "new":
        run.store.add_event(key, {"at": created, "type": "status", "status": first}, "a")
    _stage_changes(key, changes, run)
    _stage_issue_comments(key, fields.get("comment"), page, run)


def _unread_issue(issue: dict[str, Any], page: Page, run: _Staging) -> None:
    """An issue without a readable key or id: an error record, never merged with another."""
    named = f"key {issue.get('key')!r:.40}, id {issue.get('id')!r:.40}"
    error = f"{SOURCE}: {page.where}: an issue without a readable key or id ({named})"
    run.unread.setdefault(error, UnreadTicket(error=error))


def _stage_changes(key: str, changes: list[Change], run: _Staging) -> None:
    for at, order, name, _, after in changes:
        if name is None:
            if isinstance(after, str):
                event = {"at": at, "type": "status", "status": run.statuses(after)}
                run.store.add_event(key, event, order)
        else:
            event = {"at": at, "type": "field", "field": name, "value": after}
            run.store.add_event(key, event, order)


def _stage_issue_comments(key: str, comments: Any, page: Page, run: _Staging) -> None:
    """The comments embedded in an issue's ``comment`` field."""
    found = comments.get("comments") if isinstance(comments, dict) else None
    if found is not None and not isinstance(found, list):
        run.log.warn("bad-value", f"{page.where}: {key}: comments {found!r:.40}")
    for comment in listed(found):
        _stage_comment(key, comment, _platform_public(comment), page, run)


def _current_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    current: dict[str, Any] = {}
    for name in ("priority", "issuetype"):
        value = fields.get(name)
        if isinstance(value, dict) and isinstance(value.get("name"), str):
            current[name] = value["name"]
    labels = fields.get("labels")
    if isinstance(labels, list):
        current["labels"] = [label for label in labels if isinstance(label, str)]
    for name, value in fields.items():
        if name.startswith("customfield_") and (plain := simple(value)) is not None:
            current[name] = plain
    return current


def _put(fields: dict[str, Any], name: str, value: Any) -> None:
    if value is None:
        fields.pop(name, None)
    else:
        fields[name] = value


Change = tuple[str, str, str | None, Any, Any]  # at, order, field (None: status), from, to


def _changes(
    issue: dict[str, Any],
    key: str,
    names: Mapping[str, str],
    fields: Mapping[str, Any],
    log: ImportLog,
) -> list[Change]:
    changelog = issue.get("changelog")
    histories = changelog.get("histories") if isinstance(changelog, dict) else None
    histories = [h for h in histories if isinstance(h, dict)] if isinstance(histories, list) else []
    total = changelog.get("total") if isinstance(changelog, dict) else None
    if isinstance(total, int) and total > len(histories):
        log.warn("truncated-changelog", f"{key}: {len(histories)} of {total} changes")
    by_name = {name: field_id for field_id, name in names.items() if isinstance(name, str)}
    changes: list[tuple[str, Change]] = []
    for history in histories:
        at = _at(history.get("created"))
        history_id = _sortable(history.get("id"))
        items = history.get("items")
        for number, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict):
                continue
            name = _field_of(item, key, by_name, fields, log)
            if name == "":
                continue
            before, after = item.get("fromString"), item.get("toString")
            if name == "labels":
                before, after = _labels(before), _labels(after)
            elif name is not None:
                before, after = before or None, after or None
            order = f"h{history_id}.{number:05d}"
            changes.append((_sort_key(at), (at, order, name, before, after)))
    changes.sort(key=lambda pair: (pair[0], pair[1][1]))
    return [change for _, change in changes]


def _field_of(
    item: dict[str, Any],
    key: str,
    by_name: Mapping[str, str],
    fields: Mapping[str, Any],
    log: ImportLog,
) -> str | None:
    """The ticket field an item changes, None for the status, "" to skip it."""
    name, field_type = str(item.get("field", "")), item.get("fieldtype")
    if field_type == "jira":
        if name.lower() == "status":
            return None
        if name.lower() in _SYSTEM_FIELDS:
            return _SYSTEM_FIELDS[name.lower()]
        if name.lower() in _QUIET_FIELDS:
            return ""
    elif field_type == "custom":
        given = item.get("fieldId")
        field_id = given if isinstance(given, str) and given else by_name.get(name) or name
        value = fields.get(field_id)
        # A field of users (request participants) or of SLA values is no ticket field.
        return "" if value is not None and simple(value) is None else str(field_id)
    log.warn("unknown-event-kind", f"{key}: change of {field_type} field {name!r}")
    return ""


def _labels(text: Any) -> list[str]:
    return text.split() if isinstance(text, str) else []


def _at(value: Any) -> str:
    """ISO text, or the value as given so that the ticket's reader names it."""
    try:
        return instant(value)
    except ValueError:
        return str(value)


def _sort_key(at: str) -> str:
    try:
        return datetime.fromisoformat(at).astimezone(UTC).isoformat()
    except ValueError:
        return "~" + at


def _sortable(value: Any) -> str:
    text = str(value)
    return text.zfill(20) if text.isdigit() else text
