"""``validate --lang ar``: the messages of the policy checks read in Arabic.

The YAML reader, the file reader, calendars (hours, seasons, holidays, holiday rules, iCalendar
files), durations, the model, the conditions, compensation and refunds, the checks a schema
cannot make, the words a policy uses and dated versions each write their messages from English
templates; Arabic finds each template again by its shape.  A message counts as translated when
no English prose is left outside its quoted values: the file's own names, keys and values stay
as written."""

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
        "bad-key",
        "calendar-days",
        "calendar-ends",
        "duplicate-key",
        "duplicate-name",
        "duplicate-priority",
        "empty",
        "empty-tier",
        "escalation-order",
        "invalid-condition",
        "long-duration",
        "missing-priority",
        "money-precision",
        "no-currency",
        "no-targets",
        "not-a-mapping",
        "not-text",
        "number-out-of-range",
        "pause-on-solved",
        "recursive-alias",
        "reserved-name",
        "rrule-without-dates",
        "shrinking-target",
        "tier-gap",
        "tier-overlap",
        "too-deep",
        "too-large",
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
        "unsupported-merge",
        "unsupported-tag",
        "version-gap",
        "version-overlap",
        "zero-duration",
    }
)
"""The codes whose every message the translated modules write (``invalid-value``,
``unknown-key`` and ``wrong-type`` are shared with pydantic; ``yaml-syntax`` and ``unreadable``
quote the YAML parser's or the system's own English)."""

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
    pytest.param(
        policy(
            calendars="""\
  office: {timezone: Europe/Berlin, hours: {mon: ['9-5'], tue: ['25:00-26:00'], satt: []}}
  berlin: {timezone: Europe/Berln, hours: {mon-fri: ['09:00-17:00']}}
  nowhere: {timezone: Nowhere/Zzzzzzzz, hours: {mon-fri: ['09:00-17:00']}}
  twice: {timezone: UTC, hours: {mon-fri: ['09:00-17:00'], fri: ['10:00-12:00']}}
  overlap: {timezone: UTC, hours: {mon: ['09:00-13:00', '12:00-17:00']}}
  night: {timezone: UTC, hours: {mon: ['22:00-06:00'], tue: ['05:00-12:00']}}
  closed: {timezone: UTC, hours: {}}
"""
        ),
        None,
        ["invalid-value"] * 9,
        id="calendar-hours",
    ),
    pytest.param(
        policy(
            calendars="""\
  office:
    timezone: UTC
    hours: {mon-fri: ['09:00-17:00']}
    seasons:
      - name: summer
        from: 2026-06-01
        to: 2026-08-31
        hours: {mon: ['08:00-14:00', '13:00-15:00']}
  seasons:
    timezone: UTC
    hours: {mon-fri: ['09:00-17:00']}
    seasons:
      - {name: summer, from: 2026-06-01, to: 2026-08-31, hours: {mon-fri: ['08:00-14:00']}}
      - {name: late, from: 2026-08-01, to: 2026-09-30, hours: {mon-fri: ['08:00-12:00']}}
  shapes:
    timezone: UTC
    hours: {mon-fri: ['09:00-17:00']}
    seasons:
      - {from: 2026-06-01, to: 2026-05-01, hours: {mon: ['09:00-10:00']}}
      - {hours: {mon: ['09:00-10:00']}}
      - {from: 2026-06-01, hijri_month: 9, hours: {mon: ['09:00-10:00']}}
  both:
    timezone: UTC
    hours: {mon-fri: ['09:00-17:00']}
    seasons:
      - {from: 2026-01-01, to: 2026-02-01, hours: {mon-fri: ['09:00-12:00'], mon: ['13:00-14:00']}}
"""
        ),
        None,
        ["invalid-value"] * 6,
        id="seasons",
    ),
    pytest.param(
        policy(
            calendars="""\
  office:
    timezone: UTC
    hours: {mon-fri: ['09:00-17:00']}
    holidays:
      - {date: 2026-01-01, hours: ['09:00-12:00', '11:00-13:00']}
      - {date: 2026-01-02, hours: ['20:00-02:00']}
      - {date: 2026-01-03, rrule: 'FREQ=YEARLY'}
      - {date: 2026-01-05, subdivision: BY}
      - {date: 2026-01-06, days: 3}
      - {date: 2026-01-07, ics_text: x}
  twice:
    timezone: UTC
    hours: {mon-fri: ['09:00-17:00']}
    holidays: [{date: 2026-12-24}, {date: 2026-12-24, hours: ['09:00-12:00']}]
"""
        ),
        None,
        ["invalid-value"] * 6 + ["unknown-key"],
        id="holidays",
    ),
    pytest.param(
        policy(
            calendars="""\
  office:
    timezone: UTC
    hours: {mon-fri: ['09:00-17:00']}
    holidays:
      - {rrule: 'FREQ=HOURLY'}
      - {rrule: 'FREQ=YEARLY;BYHOUR=1,2'}
      - {rrule: 'FREQ=YEARLY;BYMONTH=x'}
      - {rrule: 'FREQ=YEARLY;BYMONTHDAY=40'}
      - {rrule: 'FREQ=YEARLY;BYMONTH=13'}
      - {rrule: 'FREQ=YEARLY;BYDAY=XX'}
      - {rrule: 'FREQ=MONTHLY;BYDAY=6MO'}
      - {rrule: 'FREQ=YEARLY;BYWEEKDAY=60MO'}
      - {rrule: "DTSTART:18000101\\nRRULE:FREQ=YEARLY"}
      - {rrule: 'FREQ=YEARLY;FOO'}
      - {rrule: 'FREQ=YEARLY;COUNT=2;UNTIL=20300101'}
"""
        ),
        None,
        ["invalid-value"] * 11,
        id="holiday-rules",
    ),
    pytest.param(
        policy(
            """\
fields: {tier: {values: [gold], aliases: {g: silver}}}
escalations: {p: [{at: 'breach + 1bd'}]}
sla:
  - {name: a, calendar: office, targets: {first_response: P1Y}}
  - {name: b, calendar: office, targets: {first_response: P}}
  - {name: c, calendar: office, targets: {first_response: 1h1h}}
  - {name: d, calendar: office, targets: {first_response: 200000bd}}
  - {name: e, calendar: office, targets: {first_response: 99999999w}}
  - {name: f, calendar: office, targets: {first_response: 4x}}
"""
        ),
        None,
        ["invalid-value"] * 8,
        id="durations-and-aliases",
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
                at = f" (في {finding.path})" if finding.path else ""
                assert f"{arabic}{at} [{finding.code}]" in out
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


# Each case: a document the YAML reader refuses, and the code of its one finding.
YAML_CASES = [
    pytest.param("a: 1\na: 2\n", "duplicate-key", id="duplicate-key"),
    pytest.param("a: !zone x\n", "unsupported-tag", id="tag"),
    pytest.param("a: {b: 1}\nc:\n  <<: {d: 2}\n", "unsupported-merge", id="merge-key"),
    pytest.param("? [a]\n: 1\n", "bad-key", id="key-not-text"),
    pytest.param("a: 1e99999\n", "number-out-of-range", id="number"),
    pytest.param("# nothing\n", "empty", id="empty"),
    pytest.param("- a\n", "not-a-mapping", id="not-a-mapping"),
    pytest.param("a: \x07\n", "not-text", id="character"),
    pytest.param('a: "\\U00110000"\n', "yaml-syntax", id="escape"),
    pytest.param("a: " + "[" * 60 + "]" * 60 + "\n", "too-deep", id="too-deep"),
    pytest.param("a: &x [" + ", ".join(["*x"]) + "]\n", "recursive-alias", id="recursive-alias"),
    pytest.param(
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n"
            for p, n in zip("abcdef", "bcdefg", strict=True)
        ),
        "too-large",
        id="alias-bomb",
    ),
]


@pytest.mark.parametrize(("text", "code"), YAML_CASES)
def test_every_message_of_the_yaml_reader_reads_in_arabic(text, code):
    _, findings = check_policy_text(text)
    assert [f.code for f in findings] == [code]
    assert_in_arabic(findings[0].message)


def test_a_yaml_syntax_error_keeps_the_parsers_own_words():
    _, findings = check_policy_file(BAD / "truncated.yaml")
    problem = findings[0].message.removeprefix("YAML syntax: ")
    assert problem != findings[0].message
    assert AR.made(findings[0].message) == f"خطأ في صياغة YAML: {problem}"


def test_files_too_large_or_not_files_read_in_arabic(tmp_path):
    large = tmp_path / "large.yaml"
    large.write_bytes(b"#" * (2 * 1024 * 1024 + 1))
    for path in (large, tmp_path):
        _, findings = check_policy_file(path)
        assert [f.code for f in findings] == ["too-large" if path == large else "unreadable"]
        assert_in_arabic(findings[0].message)
    _, findings = check_policy_text("a: 1\n" + "#" * (2 * 1024 * 1024))
    assert [f.code for f in findings] == ["too-large"]
    assert_in_arabic(findings[0].message)


def _feed(*events: str) -> str:
    body = "".join(f"BEGIN:VEVENT\r\nUID:u{i}\r\n{e}END:VEVENT\r\n" for i, e in enumerate(events))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n{body}END:VCALENDAR\r\n"


TIMED = "SUMMARY:Eid\r\nDTSTART:20260320T090000Z\r\n"
FEEDS = {
    "timed.ics": _feed(TIMED),
    "no-start.ics": _feed("SUMMARY:Eid\r\n"),
    "ends-early.ics": _feed("DTSTART;VALUE=DATE:20260320\r\nDTEND;VALUE=DATE:20260310\r\n"),
    "timed-end.ics": _feed("DTSTART;VALUE=DATE:20260320\r\nDTEND:20260321T100000Z\r\n"),
    "hours.ics": _feed("DTSTART;VALUE=DATE:20260320\r\nDURATION:PT5H\r\n"),
    "rdate.ics": _feed("DTSTART;VALUE=DATE:20260320\r\nRDATE:20260401T100000Z\r\n"),
    "rule.ics": _feed("DTSTART;VALUE=DATE:20260320\r\nRRULE:FREQ=YEARLY;BYMONTH=13\r\n"),
    "old-rule.ics": _feed("DTSTART;VALUE=DATE:18000320\r\nRRULE:FREQ=YEARLY\r\n"),
    "no-events.ics": _feed(),
    "todo.ics": "BEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\n",
    "two.ics": _feed(TIMED, "DTSTART;VALUE=DATE:20260320\r\nDTEND;VALUE=DATE:20260310\r\n"),
    "many.ics": _feed(*[TIMED] * 7),
}


def test_every_message_about_an_icalendar_file_reads_in_arabic(tmp_path):
    pytest.importorskip("icalendar", reason="iCalendar files need servicepolicy[ical]")
    for name, text in FEEDS.items():
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
    (tmp_path / "latin-1.ics").write_bytes("SUMMARY:Café".encode("latin-1"))
    (tmp_path / "folder.ics").mkdir()
    names = [*FEEDS, "latin-1.ics", "folder.ics"]
    entries = "".join(f"      - {{ics: {name}}}\n" for name in names)
    calendars = (
        "  office:\n    timezone: UTC\n    hours: {mon-fri: ['09:00-17:00']}\n"
        f"    holidays:\n{entries}"
    )
    _, findings = check_policy_text(policy(calendars=calendars), base=tmp_path)
    assert len(findings) == len(names)
    for finding in findings:
        english = finding.message.replace(str(tmp_path), "")
        arabic = assert_in_arabic(english)
        # the file's name and the event's, as written
        assert re.findall(r"'[^']*'", english) == re.findall(r"'[^']*'", arabic)
    many = next(f for f in findings if "'many.ics'" in f.message)
    assert AR.made(many.message).count("فيه وقت من اليوم") == 5
    assert AR.made(many.message).endswith("؛ و2 غيرها")


def test_country_and_hijri_holidays_read_in_arabic():
    pytest.importorskip("holidays", reason="country holidays need servicepolicy[holidays]")
    pytest.importorskip("hijridate", reason="Hijri dates need servicepolicy[hijri]")
    calendars = """\
  office:
    timezone: UTC
    hours: {mon-fri: ['09:00-17:00']}
    holidays:
      - {country: XX}
      - {country: DE, categories: [nonsense]}
      - {hijri: '13-40'}
      - {country: DE, hijri: '10-01'}
"""
    _, findings = check_policy_text(policy(calendars=calendars))
    assert [f.code for f in findings] == ["invalid-value"] * 4
    for finding in findings:
        assert_in_arabic(finding.message)


def test_calendar_messages_in_arabic_word_for_word():
    expected = {
        "overlapping-windows.yaml": (
            "التقويم 'office': تتداخل الفترات في mon: 09:00-13:00 و12:00-17:00"
        ),
        "overlapping-season-windows.yaml": (
            "التقويم 'office'، الموسم 'summer': تتداخل الفترات في mon: 08:00-14:00 و13:00-15:00"
        ),
        "duplicate-key.yaml": "مفتاح مكرر 'first_response' (ورد أولًا في السطر 12، العمود 7)",
        "bad-duration.yaml": (
            "تعذّرت قراءة المدة '4x'؛ اكتب مثلًا '30m' أو '4h' أو '1h30m' أو '2d' أو 'PT4H'"
        ),
    }
    for name, arabic in expected.items():
        _, findings = check_policy_file(BAD / name)
        assert [AR.made(f.message) for f in findings] == [arabic], name


def test_a_calendars_name_alone_is_no_template():
    # the messages about a calendar name it inside a longer template: a text that only starts
    # like one is left as it is, not half translated
    for text in ("calendar 'office' is painted blue", "calendar 'office' season 'x': hello"):
        assert AR.made(text) == text
