"""``validate --lang ar``: the messages of the policy checks read in Arabic.

The model, the conditions, compensation and refunds, the checks a schema cannot make, the words
a policy uses and dated versions each write their messages from English templates; Arabic finds
each template again by its shape.  A message counts as translated when no English prose is left
outside its quoted values: the file's own names, keys and values stay as written."""

from __future__ import annotations

import io
import re

import pytest

from servicepolicy._i18n import language
from servicepolicy._policy.loader import check_policy_file, check_policy_text
from servicepolicy.cli import main
from tests.paths import DATA

pytest.importorskip("babel", reason="Arabic needs Babel: servicepolicy[i18n]")

AR = language("ar")
BAD = DATA / "bad_policies"

COVERED = frozenset(
    {
        "calendar-days",
        "calendar-ends",
        "duplicate-name",
        "duplicate-priority",
        "empty-tier",
        "escalation-order",
        "invalid-condition",
        "long-duration",
        "missing-priority",
        "money-precision",
        "no-currency",
        "no-targets",
        "pause-on-solved",
        "reserved-name",
        "rrule-without-dates",
        "shrinking-target",
        "tier-gap",
        "tier-overlap",
        "undeclared-field",
        "undeclared-value",
        "unknown-calendar",
        "unknown-currency",
        "unknown-escalation",
        "unknown-event",
        "unknown-field",
        "unknown-priority",
        "unknown-status",
        "unreachable-policy",
        "version-gap",
        "version-overlap",
        "zero-duration",
    }
)
"""The codes whose every message the translated modules write (``invalid-value`` and
``unknown-key`` are shared with the calendars, the YAML reader and pydantic)."""

# Words that only English prose has: none of them is a key, a value or an operator of a policy.
_ENGLISH = frozenset(
    {
        *("a", "an", "the", "this", "it", "its", "you", "no", "not", "only", "every", "each"),
        *("is", "are", "be", "has", "must", "needs", "cannot", "did", "mean", "unknown"),
        *("of", "to", "and", "or", "with", "than", "which", "so", "for", "on", "at", "from"),
        *("by", "as", "after", "before", "give", "write", "use", "add", "declare"),
    }
)
_QUOTED = re.compile(r"(?<![A-Za-z])('[^']*'|\"[^\"]*\")(?![A-Za-z])")  # not "policy's"
_WORD = re.compile(r"(?<![\w/.])[A-Za-z][A-Za-z_]*(?![\w/.])")  # not in a path or a dotted key


def english_prose(text: str) -> set[str]:
    """The words of English prose in ``text``, outside its quoted values."""
    return {word for word in _WORD.findall(_QUOTED.sub("", text)) if word.lower() in _ENGLISH}


def assert_in_arabic(message: str) -> str:
    """``message`` in Arabic, after checking that no English prose is left in it."""
    arabic = AR.made(message)
    assert english_prose(message), f"the check would not see English in {message!r}"
    assert not english_prose(arabic), f"{message!r} is still English: {arabic!r}"
    return arabic


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), stdin=io.StringIO(), stdout=out, stderr=io.StringIO(), environ={})
    return code, out.getvalue()


OFFICE = "  office: {timezone: Europe/Berlin, hours: {mon-fri: ['09:00-17:00']}}\n"
ONE_ENTRY = "sla: [{name: a, calendar: office, targets: {first_response: 4h}}]\n"


def policy(*sections: str, calendars: str = OFFICE) -> str:
    """A policy with ``calendars`` (the office's hours) and ``sections``, and one SLA entry when
    they give none."""
    given = "".join(s if s.endswith("\n") else s + "\n" for s in sections)
    entries = "" if re.search("^sla:", given, re.MULTILINE) else ONE_ENTRY
    return f'servicepolicy: "1"\nname: test\ncalendars:\n{calendars}{entries}{given}'


def credit(tiers: str) -> str:
    return (
        "compensation: {currency: EUR, rounding: half_even, rules: [{name: r, credit: {of: price, "
        f"tiers: [{tiers}]}}}}]}}"
    )


# Each case: a policy, the ticket fields its example tickets have, the codes of its findings.
CASES = [
    pytest.param(
        policy(
            credit(
                "{late_from: 1h, late_to: 2h, percent: 5},"
                " {late_from: 3h, late_to: 3h, percent: 10},"
                " {late_from: 2h, percent: 15},"
                " {late_from: 4h, late_to: 1bd, percent: 20},"
                " {late_from: 2bd, percent: 25}"
            )
        ),
        None,
        ["empty-tier", "tier-gap", "tier-gap", "tier-gap", "tier-overlap", "tier-overlap"],
        id="tiers",
    ),
    pytest.param(
        policy(
            credit(
                "{late_from: 0h, late_to: 4h, percent: 5},"
                " {late_from: 2h, late_to: 2bd, percent: 10},"
                " {late_from: 16h, percent: 15}"
            )
        ),
        None,
        ["tier-gap", "tier-overlap"],
        id="tiers-of-two-kinds",
    ),
    pytest.param(
        policy(
            "compensation: {currency: JPY, rounding: half_even, cap_per_ticket: '10.5',"
            " rules: [{name: a, gesture: flowers}, {name: a, gesture: card}]}"
        ),
        None,
        ["duplicate-name", "money-precision"],
        id="money-precision",
    ),
    pytest.param(
        policy(
            """\
compensation:
  currency: EUR
  rounding: half_even
  cap_per_ticket: lots
  approval_over: '-3'
  rules:
    - {name: a, credit: {amount: '1', min: '5', max: '2'}}
    - {name: b, credit: {of: price, tiers: [{late_from: 0h, percent: 150}]}}
    - {name: c, credit: {of: price}}
    - {name: d, credit: {}}
    - {name: e}
    - {name: f, gesture: x, when: {breached: speed}}
    - {name: g, gesture: x, when: [breached]}
"""
        ),
        None,
        ["invalid-condition", "invalid-condition", *["invalid-value"] * 7],
        id="compensation-model",
    ),
    pytest.param(
        policy("compensation: {currency: EUX, rounding: half_even}"),
        None,
        ["unknown-currency"],
        id="currency",
    ),
    pytest.param(
        policy(
            "refunds: [{name: r, window: {from: delivered_at}},"
            " {name: s, window: {business_days: 3, from: delivered_at}}]"
        ),
        None,
        ["invalid-value", "invalid-value"],
        id="refund-windows",
    ),
    pytest.param(
        policy(
            "refunds: [{name: r, window: {days: 14, from: delivered_at, calendar: ofice}},"
            " {name: s, currency: ERU, window: {days: 14, from: delivered, calendar: office}}]"
        ),
        {"delivered", "price"},
        ["no-currency", "unknown-calendar", "unknown-currency", "unknown-field"],
        id="refunds",
    ),
    pytest.param(
        policy(
            """\
priorities: [urgent, high, urgent, low]
sla:
  - name: a
    calendar: ofice
    targets:
      first_response: {urgent: 1h, hihg: 2h, calendar: offce}
      resolution: {default: 4bd, start_after: {span: 15m, calendar: offce}}
    escalation: path
  - {name: a, when: {}, calendar: office, targets: {}}
  - {name: b, calendar: office, targets: {resolution: 0bd}}
  - {name: c, calendar: office, targets: {resolution: 300bd}}
  - {name: d, calendar: office, targets: {resolution: {urgent: 1h, high: 4h, low: 2h}}}
  - {name: e, calendar: office, targets: {resolution: {urgent: 1h, high: 1h}}}
escalations:
  pth:
    - {on_event: customer_message, count: 2, set_priority: hgh}
    - {on_event: customer_message, count: 2}
    - {at: breach + 1h}
    - {at: 90%}
""",
            calendars=OFFICE + "  24/7: {timezone: UTC, hours: {daily: ['00:00-24:00']}}\n",
        ),
        None,
        [
            "duplicate-name",
            "duplicate-priority",
            "escalation-order",
            "escalation-order",
            "long-duration",
            "missing-priority",
            "no-targets",
            "reserved-name",
            "shrinking-target",
            *["unknown-calendar"] * 3,
            "unknown-escalation",
            "unknown-priority",
            "unknown-priority",
            "unreachable-policy",
            "zero-duration",
        ],
        id="references-and-plausibility",
    ),
    pytest.param(
        policy(
            """\
statuses: {waiting: paused, done: solved}
events: [callback]
fields: {tier: [gold, silver], priority: [urgent, high, normal]}
sla:
  - name: a
    when: {tier: platinum, teir: gold, region: eu, first_message.sender: x}
    calendar: office
    pause_on: [done, wating, hold]
    targets:
      first_response: {low: 1h, default: 2d, start: {event: calback}}
      resolution: 3bd
escalations:
  p: [{on_event: other}]
"""
        ),
        None,
        [
            "calendar-days",
            "pause-on-solved",
            "shrinking-target",
            "undeclared-field",
            "undeclared-field",
            "undeclared-value",
            "undeclared-value",
            "unknown-event",
            "unknown-event",
            "unknown-field",
            "unknown-status",
            "unknown-status",
        ],
        id="declared-words",
    ),
    pytest.param(
        policy(
            "sla: [{name: a, when: {teir: gold}, calendar: office, targets: {first_response: 1h}},"
            " {name: b, when: {tier: gold}, calendar: office, targets: {first_response: 1h}}]"
        ),
        {"price"},
        ["unknown-field"],
        id="a-field-like-another-in-the-file",
    ),
    pytest.param(
        policy(
            "sla: [{name: a, when: {teir: gold}, calendar: office, targets: {first_response: 1h}},"
            " {name: b, when: {tier: x}, calendar: office, pause_on: [pendng],"
            " targets: {first_response: 1h}}]"
        ),
        {"tier"},
        ["unknown-field", "unknown-status"],
        id="a-field-like-a-ticket-field",
    ),
    pytest.param(
        policy(
            calendars="""\
  office:
    timezone: Europe/Berlin
    hours: {}
    holidays:
      - {date: 2020-03-02, hours: ['09:00-12:00']}
      - {rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30'}
"""
        ),
        None,
        ["calendar-ends", "rrule-without-dates"],
        id="calendar-rules",
    ),
    pytest.param(
        policy(
            """\
sla:
  - {name: a, calendar: office, targets: {first_response: 1h}, when: {tier: {in: gold}}}
  - {name: b, calendar: office, targets: {first_response: 1h}, when: {tier: {matches: 3}}}
  - {name: c, calendar: office, targets: {first_response: 1h}, when: {tier: {eq: [1]}}}
  - {name: d, calendar: office, targets: {first_response: 1h}, when: {any_of: []}}
  - {name: e, calendar: office, targets: {first_response: 1h}, when: [x]}
  - {name: f, calendar: office, targets: {first_response: 1h}, when: {fee: {gt: lots}}}
  - {name: g, calendar: office, targets: {first_response: 1h}, when: {fee: {exists: yes}}}
  - {name: h, calendar: office, targets: {first_response: 1h}, when: {fee: {}}}
  - {name: i, calendar: office, targets: {first_response: 1h}, when: {fee: [[1]]}}
  - {name: j, calendar: office, targets: {first_response: 1h}, when: {fee: {bigger: 1}}}
"""
        ),
        None,
        ["invalid-condition"] * 10,
        id="conditions",
    ),
    pytest.param(
        policy(
            """\
sla:
  - {name: a, calendar: office, warn_at: 75, targets: {first_response: 1h}}
  - {name: b, calendar: office, warn_at: '75', targets: {first_response: 1h}}
  - {name: c, calendar: office, warn_at: 0%, targets: {first_response: 1h}}
  - {name: d, calendar: office, targets: {first_response: {default: 1h, start: whenever}}}
  - {name: e, calendar: office, targets: {next_response: {default: 1h, start: created}}}
  - {name: f, calendar: office, targets: {periodic_update: {default: 1h, start: created}}}
  - {name: g, calendar: office, targets: {resolution: {default: 1h, stop: agent_reply}}}
  - {name: h, calendar: office, targets: {periodic_update: {default: 1h, stop: agent_reply}}}
  - {name: i, calendar: office, targets: {periodic_update: {default: 1h, start_after: 5m}}}
  - name: j
    calendar: office
    targets: {resolution: {default: 1h, start_after: {span: 1h, days: '1'}}}
  - {name: k, calendar: office, targets: {resolution: {default: 1h, start_after: 1bd}}}
  - {name: l, calendar: office, targets: {first_response: {default: 1h, stop: customer_reply}}}
  - name: m
    calendar: office
    targets: {first_response: {default: 1h, stop: {event: customer_message}}}
  - name: n
    calendar: office
    targets: {first_response: {default: 1h, stop: {event: x, actor: 1}}}
  - name: o
    calendar: office
    targets: {first_response: {default: 1h, stop: {event: x, public: 'yes'}}}
  - name: p
    calendar: office
    targets: {first_response: {default: 1h, stop: {event: x, channel: 2}}}
  - name: q
    calendar: office
    targets: {first_response: {default: 1h, start: {event: x}, stop: {event: x}}}
  - {name: r, calendar: office, targets: {next_response: [1]}}
  - {name: s, calendar: office, targets: {resolution: {default: 1h, strat: created}}}
"""
        ),
        None,
        [*["invalid-value"] * 18, "unknown-key"],
        id="targets-and-clock-rules",
    ),
    pytest.param(
        policy(
            """\
statuses: {pending: paused}
events: [agent_reply]
escalations:
  p: [{at: soon}, {at: 1h, count: 2}, {notify: [x]}]
"""
        ),
        None,
        ["invalid-value"] * 5,
        id="vocabulary-and-escalations",
    ),
    pytest.param(
        policy("effective_from: 2026-03-01T00:00:00Z\neffective_until: 2026-01-01T00:00:00Z"),
        None,
        ["invalid-value"],
        id="dates-in-force",
    ),
]


@pytest.mark.parametrize(("text", "ticket_fields", "codes"), CASES)
def test_every_message_of_the_policy_checks_reads_in_arabic(text, ticket_fields, codes):
    _, findings = check_policy_text(text, "policy.yaml", ticket_fields)
    assert sorted(f.code for f in findings) == codes
    for finding in findings:
        assert_in_arabic(finding.message)


def test_every_bad_policy_of_a_covered_code_reads_in_arabic():
    code, out = run("validate", "--lang", "ar", str(BAD))
    assert code == 1
    checked = set()
    for path in sorted(BAD.glob("*.yaml")):
        for finding in check_policy_file(path)[1]:
            if finding.code in COVERED:
                assert AR.made(finding.message) != finding.message
                arabic = assert_in_arabic(finding.message)
                assert f"{arabic} (في {finding.path}) [{finding.code}]" in out
                checked.add(finding.code)
    assert len(checked) >= 10
    # English is the default, and its text is the code's own
    assert run("validate", str(BAD)) == run("validate", "--lang", "en", str(BAD))


def test_gaps_and_overlaps_between_versions_read_in_arabic(tmp_path):
    dated = {
        "a.yaml": "effective_from: 2026-01-01T00:00:00Z\neffective_until: 2026-02-01T00:00:00Z",
        "b.yaml": "effective_from: 2026-03-01T00:00:00Z\neffective_until: 2026-05-01T00:00:00Z",
        "c.yaml": "effective_from: 2026-04-01T00:00:00Z",
        "d.yaml": "effective_from: 2026-04-01T00:00:00Z",
        "e.yaml": "",  # two versions without effective_from
        "f.yaml": "",
    }
    for name, dates in dated.items():
        (tmp_path / name).write_text(policy(dates), encoding="utf-8")
    code, out = run("validate", "--lang", "ar", str(tmp_path))
    assert code == 1
    assert (
        f"لا يسري أي إصدار من 2026-02-01T00:00:00+00:00 (حين ينتهي الإصدار {tmp_path / 'a.yaml'})"
        in out
    )
    assert f"لا يزال الإصدار {tmp_path / 'b.yaml'} ساريًا حتى 2026-05-01T00:00:00+00:00" in out
    assert f"يبدأ الإصدار {tmp_path / 'c.yaml'} في اللحظة نفسها" in out
    assert f"أن يُغفل effective_from؛ وكذلك يفعل الإصدار {tmp_path / 'e.yaml'}" in out
    assert not english_prose(out.replace(str(tmp_path), ""))


def test_a_hint_follows_the_message_it_completes():
    # "(priorities: ...)" and "did you mean" are templates of their own, read in that order
    _, findings = check_policy_file(BAD / "unknown-priority.yaml")
    assert [AR.made(f.message) for f in findings] == [
        "أولوية غير معروفة 'urgnet' (الأولويات: urgent, high, normal, low)؛ هل تقصد 'urgent'؟"
    ]
    text = policy(
        "sla: [{name: a, calendar: office,"
        " targets: {resolution: {default: 1h, stop: agent_reply}}}]"
    )
    _, findings = check_policy_text(text)
    assert [AR.made(f.message) for f in findings] == [
        "لا يكون 'stop' إلا في الرد الأول (first_response) والرد التالي (next_response)، وليس في "
        "الحل؛ عرِّف مزيدًا من حالات الحل تحت 'statuses:'"
    ]


def test_durations_are_written_in_words_and_the_files_values_as_written():
    _, findings = check_policy_file(BAD / "shrinking-target.yaml")
    assert [AR.made(f.message) for f in findings] == [
        "الرد الأول: 'high' (ساعة) أقصر من الأولوية الأعلى 'urgent' (4 ساعات)"
    ]
    _, findings = check_policy_text(policy(credit("{late_from: 1h, percent: 5}")))
    assert [AR.made(f.message) for f in findings] == [
        "تبدأ الشريحة الأولى عند 1h، فيبقى التأخر الأقل منها بلا شريحة؛ ابدأها عند 0h"
    ]
