"""Clock rules in a policy file: where they may be written, and the findings they give."""

from __future__ import annotations

from servicepolicy import ClockRules, check_policy_text, parse_policy

POLICY = """\
servicepolicy: "1"
name: clock rules
calendars:
  office:
    timezone: Europe/Berlin
    hours: {{mon-fri: ["09:00-17:00"]}}
sla:
  - name: all
    calendar: office
    targets:
      first_response: {first_response}
      resolution: 2bd
    clock_rules:
      {rules}
"""


def _check(first_response: str = "4h", rules: str = "{}"):
    return check_policy_text(
        POLICY.format(first_response=first_response, rules=rules).replace(
            "    clock_rules:\n      {}\n", ""
        )
    )


def test_clock_rules_on_an_entry_and_on_a_target_load():
    policy, findings = _check(
        "{default: 4h, pause_on: [pending]}",
        "next_response: {pause_on: [on_hold], deadline_on_close: next_open}",
    )
    assert findings == []
    assert policy is not None
    entry = policy.sla[0]
    assert entry.targets.first_response is not None
    assert entry.targets.first_response.pause_on == ["pending"]
    assert entry.targets.first_response.per_priority == {}
    assert entry.clock_rules.next_response == ClockRules(
        pause_on=["on_hold"], deadline_on_close="next_open"
    )
    assert entry.pauses_of("first_response", []) == {"pending"}
    assert entry.pauses_of("next_response", []) == {"on_hold"}
    assert entry.pauses_of("periodic_update", []) == frozenset()
    assert entry.pauses_of("resolution", []) == {"pending", "on_hold"}  # the default


def test_a_misspelt_metric_in_clock_rules_is_a_located_error():
    policy, findings = _check(rules="first_reponse: {pause_on: [pending]}")
    assert policy is None
    assert [(f.line, f.code, f.path) for f in findings] == [
        (14, "unknown-key", "sla[0].clock_rules.first_reponse")
    ]
    assert "did you mean 'first_response'" in findings[0].message


def test_a_misspelt_clock_rule_on_a_target_is_a_located_error():
    policy, findings = _check("{default: 4h, pause_onn: [pending]}")
    assert policy is None
    assert [(f.line, f.code) for f in findings] == [(11, "unknown-key")]
    assert "did you mean 'pause_on'" in findings[0].message


def test_an_unknown_deadline_rule_is_a_located_error():
    policy, findings = _check(rules="resolution: {deadline_on_close: next_day}")
    assert policy is None
    assert [(f.line, f.path) for f in findings] == [
        (14, "sla[0].clock_rules.resolution.deadline_on_close")
    ]


def test_a_misspelt_or_solved_pause_status_is_a_located_warning():
    policy, findings = _check(rules="next_response: {pause_on: [pendng, solved]}")
    assert policy is not None
    assert [(f.line, f.code, f.path, f.severity) for f in findings] == [
        (14, "unknown-status", "sla[0].clock_rules.next_response.pause_on[0]", "warning"),
        (14, "pause-on-solved", "sla[0].clock_rules.next_response.pause_on[1]", "warning"),
    ]
    assert "did you mean 'pending'" in findings[0].message
    assert findings[1].message == "status 'solved' ends the metric, so it never pauses it"


def test_a_policy_without_clock_rules_is_the_same_policy_as_before():
    text = POLICY.format(first_response="4h", rules="{}").replace(
        "    clock_rules:\n      {}\n", ""
    )
    assert parse_policy(text).sla[0].clock_rules.model_fields_set == set()


def test_each_metric_takes_the_start_rules_it_can_have():
    good = [
        ("next_response", "{start: customer_message}"),
        ("next_response", "{start: after_agent_reply}"),
        ("first_response", "{start: first_customer_message, start_after: 15m}"),
        ("resolution", "{start: {event: internal_note}}"),
        ("resolution", "{start: created, start_after: 0m}"),
    ]
    for metric, rules in good:
        policy, findings = _check(rules=f"{metric}: {rules}")
        assert (policy is not None, findings) == (True, []), (metric, rules)
    policy, findings = _check(rules="next_response: {start: customer_message}")
    assert policy is not None
    assert policy.sla[0].clock_rule("next_response", "start") == "customer_message"


def test_a_start_rule_that_does_not_fit_its_metric_is_a_located_error():
    bad = [
        ("resolution", "{start: customer_message}", "start", "resolution starts at 'created'"),
        ("next_response", "{start: created}", "start", "next_response's cycles start"),
        ("periodic_update", "{start: created}", "start", "takes no 'start'"),
        ("first_response", "{start: {evnt: x}}", "start", "first_response starts at"),
        ("next_response", "{start_after: 15m}", "start_after", "for first_response and"),
        ("resolution", "{start_after: 1bd}", "start_after", "not business days"),
    ]
    for metric, rules, key, said in bad:
        policy, findings = _check(rules=f"{metric}: {rules}")
        assert policy is None, (metric, rules)
        assert [(f.line, f.path, f.code) for f in findings] == [
            (14, f"sla[0].clock_rules.{metric}.{key}", "invalid-value")
        ], (metric, rules)
        assert said in findings[0].message, findings[0].message


def test_a_start_rule_on_a_target_is_located_at_the_target():
    policy, findings = _check("{default: 4h, start: customer_message}")
    assert policy is None
    assert [(f.line, f.path) for f in findings] == [(11, "sla[0].targets.first_response.start")]


def test_an_unknown_start_event_is_a_located_warning():
    policy, findings = _check(rules="resolution: {start: {event: agent_replied}}")
    assert policy is not None
    assert [(f.line, f.code, f.path) for f in findings] == [
        (14, "unknown-event", "sla[0].clock_rules.resolution.start.event")
    ]
    assert "did you mean 'agent_reply'" in findings[0].message


def test_a_stop_rule_fits_first_response_and_next_response_only():
    for rules in (
        "first_response: {stop: agent_reply}",
        "first_response: {stop: {event: callback_done}}",
        "next_response: {stop: {status: [waiting_on_customer]}}",
    ):
        policy, findings = _check(rules=rules)
        assert policy is not None, rules
        assert [f.code for f in findings if f.severity == "error"] == [], rules
    bad = [
        ("resolution", "{stop: agent_reply}", "declare more solved statuses under 'statuses:'"),
        ("periodic_update", "{stop: agent_reply}", "'stop' is for first_response and next_"),
        ("first_response", "{stop: {event: customer_message}}", "it cannot be one"),
        ("next_response", "{stop: {status: []}}", "a response ends at 'agent_reply'"),
        ("next_response", "{stop: solved}", "a response ends at 'agent_reply'"),
    ]
    for metric, rules, said in bad:
        policy, findings = _check(rules=f"{metric}: {rules}")
        assert policy is None, (metric, rules)
        assert [(f.line, f.path) for f in findings] == [(14, f"sla[0].clock_rules.{metric}.stop")]
        assert said in findings[0].message, findings[0].message


def test_a_stop_rule_may_ask_for_a_message_s_attributes():
    policy, findings = _check(
        rules="first_response: {stop: {event: agent_reply, actor: agent, public: true}}"
    )
    assert policy is not None and findings == []
    for rules, said in (
        ("{stop: {event: agent_reply, public: yes-please}}", "'public' in a stop rule is true"),
        ("{stop: {event: agent_reply, author: agent}}", "a response ends at 'agent_reply'"),
        ("{stop: {status: [waiting], public: true}}", "a response ends at 'agent_reply'"),
    ):
        policy, findings = _check(rules=f"first_response: {rules}")
        assert policy is None, rules
        assert [f.path for f in findings] == ["sla[0].clock_rules.first_response.stop"], rules
        assert said in findings[0].message, findings[0].message


def test_a_condition_on_the_first_message_and_a_pattern():
    text = POLICY.format(first_response="4h", rules="{}").replace(
        "    clock_rules:\n      {}\n", ""
    )
    entry = '    when: {first_message.channel: chat, first_message.subject: {matches: "^(?i)x"}}\n'
    policy, findings = check_policy_text(
        text.replace("    calendar: office\n", entry + "    calendar: office\n", 1)
    )
    assert findings and policy is None  # "^(?i)x": a global flag not at the start
    assert [(f.line, f.code) for f in findings] == [(9, "invalid-condition")]
    assert "'matches' needs a regular expression" in findings[0].message
    good = entry.replace("^(?i)x", "(?i)^x")
    policy, findings = check_policy_text(
        text.replace("    calendar: office\n", good + "    calendar: office\n", 1)
    )
    assert policy is not None and findings == []
    typo = entry.replace("first_message.channel", "first_message.chanel").replace("^(?i)x", "x")
    policy, findings = check_policy_text(
        text.replace("    calendar: office\n", typo + "    calendar: office\n", 1)
    )
    assert policy is not None
    assert [(f.line, f.code) for f in findings] == [(9, "unknown-field")]
    assert "not 'chanel'" in findings[0].message


def test_a_first_response_that_starts_and_stops_at_the_same_event_is_a_located_error():
    for rules in (
        "first_response: {start: {event: agent_reply}}",
        "first_response: {start: {event: callback}, stop: {event: callback}}",
    ):
        policy, findings = _check(rules=rules)
        assert policy is None, rules
        assert [(f.line, f.path) for f in findings] == [
            (14, "sla[0].clock_rules.first_response.start")
        ], rules
        assert "could never be late" in findings[0].message
    # a stop that asks for a message's attributes is another event
    policy, findings = _check(
        rules="first_response: {start: {event: agent_reply}, "
        "stop: {event: agent_reply, public: true}}"
    )
    assert policy is not None


def test_an_offset_on_another_calendar_names_one_that_exists():
    policy, findings = _check(rules='first_response: {start_after: {span: 15m, calendar: "24/7"}}')
    assert policy is not None and findings == []
    policy, findings = _check(rules="first_response: {start_after: {span: 15m, calendar: ofice}}")
    assert policy is None
    assert [(f.line, f.code, f.path) for f in findings] == [
        (14, "unknown-calendar", "sla[0].clock_rules.first_response.start_after.calendar")
    ]
    assert "did you mean 'office'" in findings[0].message
    for after in ("{calendar: office}", "{span: 1bd}", "{span: 15m, zone: UTC}"):
        policy, findings = _check(rules=f"first_response: {{start_after: {after}}}")
        assert policy is None, after
        assert [f.path for f in findings] == ["sla[0].clock_rules.first_response.start_after"]


def test_every_malformed_clock_rule_of_a_metric_is_listed():
    policy, findings = _check(
        rules="first_response: {start_after: 1bd, stop: {event: agent_reply, public: yes}}"
    )
    assert policy is None
    assert sorted(f.path for f in findings) == [
        "sla[0].clock_rules.first_response.start_after",
        "sla[0].clock_rules.first_response.stop",
    ]
