"""A policy's vocabulary (optional): the values its ticket fields may hold, its own statuses,
and its own event types.

::

    fields:
      priority:
        values: [urgent, high, normal, low]
        aliases: {P1: urgent, P2: high}
        case: insensitive
      tier: [enterprise, business, pro, free]     # values only
    statuses:
      waiting_on_vendor: paused                   # open, paused, solved or closed
      completed: solved
    events: [abuse_warning]

Aliases and case folding apply when tickets are read: with the declaration above, a ticket's
``P1`` or ``URGENT`` priority is ``urgent``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    PrivateAttr,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from .._common.fastmodel import private_value, set_private_value
from .._common.messages import N_
from .._common.vocabulary import (
    AGENT_REPLY,
    CLOSED,
    CUSTOMER_MESSAGE,
    DEFAULT_PAUSE_ON,
    FIELD,
    INITIAL_STATUS,
    INTERNAL_NOTE,
    REOPENED,
    SOLVED,
    STATUS,
)

Scalar = str | int | Decimal | bool
StatusMeaning = Literal["open", "paused", "solved", "closed"]

BUILT_IN_STATUSES: dict[str, StatusMeaning] = {
    INITIAL_STATUS: "open",
    REOPENED: "open",
    **dict.fromkeys(DEFAULT_PAUSE_ON, "paused"),
    SOLVED: "solved",
    CLOSED: "closed",
}
"""The statuses with a meaning of their own (``pending`` and ``on_hold`` pause by default)."""
BUILT_IN_EVENTS: frozenset[str] = frozenset(
    (CUSTOMER_MESSAGE, AGENT_REPLY, INTERNAL_NOTE, STATUS, FIELD)
)
"""The event types with a meaning of their own."""


_ALIAS_NAMES_NO_VALUE = N_("alias {alias} names {value}, which is not one of the values")

_SCALAR_SCHEMA: dict[str, Any] = {"type": ["string", "number", "boolean"]}
_VALUES_SCHEMA: dict[str, Any] = {"type": "array", "items": _SCALAR_SCHEMA, "minItems": 1}


class FieldValues(BaseModel):
    """The values a ticket field may hold: ``values``, ``aliases`` (other spellings, each
    naming one of the values) and ``case`` (``insensitive``: ``High`` is ``high``).  In a
    policy file, a list is short for ``{values: [...]}``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        full = {
            "type": "object",
            "properties": {
                "values": _VALUES_SCHEMA,
                "aliases": {"type": "object", "additionalProperties": _SCALAR_SCHEMA},
                "case": {"enum": ["sensitive", "insensitive"]},
            },
            "required": ["values"],
            "additionalProperties": False,
        }
        return {"anyOf": [_VALUES_SCHEMA, full], "description": cls.__doc__ or ""}

    values: list[Scalar] = Field(min_length=1)
    aliases: dict[str, Scalar] = Field(default_factory=dict)
    case: Literal["sensitive", "insensitive"] = "sensitive"

    @model_validator(mode="before")
    @classmethod
    def _values_only(cls, data: Any) -> Any:
        return {"values": data} if isinstance(data, list) else data

    _spellings: dict[str, Scalar] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _aliases_name_values(self) -> FieldValues:
        for alias, value in self.aliases.items():
            if value not in self.values:
                raise ValueError(_ALIAS_NAMES_NO_VALUE.format(alias=repr(alias), value=repr(value)))
        fold = self.case == "insensitive"
        written: list[tuple[str, Scalar]] = [(v, v) for v in self.values if isinstance(v, str)]
        spellings: dict[str, Scalar] = {(t.casefold() if fold else t): v for t, v in written}
        spellings.update({(t.casefold() if fold else t): v for t, v in self.aliases.items()})
        set_private_value(self, "_spellings", spellings)
        return self

    def canonical(self, value: Any) -> Any:
        """``value`` as one of the declared values when it is one, an alias of one, or (case
        insensitive) one in other letters; otherwise ``value`` itself."""
        if not isinstance(value, str):
            return value
        spellings: dict[str, Scalar] = private_value(self, "_spellings")
        found = spellings.get(value.casefold() if self.case == "insensitive" else value)
        return value if found is None else found
