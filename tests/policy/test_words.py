"""``validate --strict`` catches the typos that measure as nothing: fields, values, statuses,
event types and calendar-day targets, each located where it is written; and the vocabulary a
policy may declare is checked when it loads."""

from __future__ import annotations

import io

import pytest

from servicepolicy import check_policy_file, check_policy_text
from servicepolicy.cli import main
from tests.paths import DATA

TYPOS = DATA / "typos"


def found(path) -> list[tuple[int, int, str, str]]:
    _, findings = check_policy_file(path)
    return [(f.line, f.column, f.code, f.severity) for f in findings]


def test_without_a_vocabulary_what_can_be_checked_is():
    assert found(TYPOS / "no-vocabulary.yaml") == [
        (7, 12, "unknown-field", "warning"),  # teir, beside tier
        (9, 16, "unknown-status", "warning"),  # pendng
        (12, 19, "calendar-days", "warning"),  # 2d among business days
        (20, 18, "unknown-event", "warning"),  # agent-reply
    ]


def test_with_a_vocabulary_every_word_is_checked():
    assert found(TYPOS / "vocabulary.yaml") == [
        (13, 12, "undeclared-field", "warning"),  # teir
        (15, 16, "unknown-status", "warning"),  # pendng
        (17, 36, "undeclared-value", "warning"),  # a priority the field does not allow
        (18, 19, "calendar-days", "warning"),
        (21, 18, "undeclared-value", "warning"),  # tier: gratis
        (26, 18, "unknown-event", "warning"),  # abuse-warning
        (27, 18, "unknown-event", "warning"),  # callback, never declared
    ]


def test_the_messages_say_what_to_write():
    _, findings = check_policy_file(TYPOS / "vocabulary.yaml")
    messages = [f.message for f in findings]
    assert "field 'teir' is not declared; did you mean 'tier'?" in messages
    assert "status 'pendng' is neither built in nor declared; did you mean 'pending'?" in messages
    assert (
        "event type 'callback' is neither built in nor declared; declare it under 'events:'"
        in messages
    )
    assert (
        "'2d' is 2 x 24 hours of open time on calendar 'office', while other targets count "
        "business days; write '2bd' for business days" in messages
    )


@pytest.mark.parametrize("name", ["no-vocabulary.yaml", "vocabulary.yaml"])
def test_strict_validation_fails_on_them_and_plain_validation_passes(name):
    def validate(*argv: str) -> int:
        return main(
            ["validate", *argv, str(TYPOS / name)],
            stdin=io.StringIO(),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
            environ={},
        )

    assert validate() == 0
    assert validate("--strict") == 1


def test_words_the_file_uses_rightly_raise_nothing():
    text = (TYPOS / "no-vocabulary.yaml").read_text(encoding="utf-8")
    fixed = (
        text.replace("teir", "tier")
        .replace("pendng", "pending")
        .replace("agent-reply", "abuse_warning")
        .replace("resolution: 2d", "resolution: 2bd")
    )
    policy, findings = check_policy_text(fixed)
    assert policy is not None and findings == []


BASE = """\
servicepolicy: "1"
name: v
calendars:
  office: {timezone: Europe/Berlin, hours: {mon-fri: ["09:00-17:00"]}}
sla:
  - {name: all, calendar: office, targets: {first_response: 4h}}
"""


@pytest.mark.parametrize(
    ("vocabulary", "line", "column", "said"),
    [
        (
            "fields: {priority: {values: [high], aliases: {P1: urgent}}}\n",
            7,
            20,
            "alias 'P1' names 'urgent', which is not one of the values",
        ),
        ("statuses: {solved: open}\n", 7, 11, "status 'solved' is built in (solved)"),
        (
            "statuses: {waiting: later}\n",
            7,
            21,
            "Input should be 'open', 'paused', 'solved' or 'closed'",
        ),
        ("events: [agent_reply]\n", 7, 9, "event type 'agent_reply' is built in"),
        ("fields: {tier: []}\n", 7, 16, "List should have at least 1 item"),
    ],
)
def test_a_vocabulary_that_cannot_hold_is_a_located_error(vocabulary, line, column, said):
    policy, findings = check_policy_text(BASE + vocabulary)
    assert policy is None
    (finding,) = findings
    assert (finding.line, finding.column) == (line, column), str(finding)
    assert said in finding.message


def test_a_list_is_short_for_its_values():
    policy, findings = check_policy_text(BASE + "fields: {tier: [gold, silver]}\n")
    assert policy is not None and findings == []
    assert policy.fields["tier"].values == ["gold", "silver"]
    assert policy.fields["tier"].canonical("Gold") == "Gold"  # case-sensitive by default
