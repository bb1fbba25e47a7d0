"""Named semantics: the clock rules each helpdesk's documentation gives, as defaults.

``semantics: zammad`` on a policy or an SLA entry makes that helpdesk's rules the defaults of
the entry's clock rules; a rule the file gives (in ``clock_rules`` or on a target) still wins.
Where a helpdesk's documentation says nothing about a rule, its preset keeps servicepolicy's
default.  docs/semantics.md gives the sources, rule by rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Semantics = Literal["servicepolicy", "zendesk", "freshdesk", "jsm", "zammad"]
"""The named semantics a policy or an SLA entry may select."""


@dataclass(frozen=True, slots=True)
class Preset:
    """The defaults one named semantics gives the clock rules."""

    pauses_response_clocks: bool = False  # response clocks pause as resolution does
    next_response_start: str = "after_agent_reply"
    deadline_on_close: str = "close"


PRESETS: Final[dict[str, Preset]] = {
    "servicepolicy": Preset(),
    # Reply metrics never pause; agent work time (resolution) pauses on pending and on-hold;
    # next reply time starts at an end-user comment after an agent's.
    "zendesk": Preset(),
    # Statuses with the SLA timer off stop "the SLA timer", response and resolution alike;
    # every response is owed to a customer message after the first response.
    "freshdesk": Preset(pauses_response_clocks=True),
    # Every SLA is configured on its own (start, pause, stop conditions): no default differs.
    "jsm": Preset(),
    # Pending states stop every escalation and push each due time back; update time runs
    # from creation while no first response was given; due times end on the last business
    # minute used (biz's time arithmetic), that is on a closing time.
    "zammad": Preset(pauses_response_clocks=True, next_response_start="customer_message"),
}
"""Each named semantics' defaults."""


def preset_of(entry: Semantics | None, policy: Semantics | None) -> Preset:
    """The preset in force for an SLA entry: its own, else the policy's, else servicepolicy."""
    return PRESETS[entry or policy or "servicepolicy"]
