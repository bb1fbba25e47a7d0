"""The JSON Schema of policy files, generated from the pydantic model."""

from __future__ import annotations

import json
from typing import Any

from .model import Policy

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "https://servicepolicy.invalid/schema/servicepolicy.schema.json"


def policy_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that policy files validate against."""
    schema = Policy.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID, **schema}


def policy_schema_text() -> str:
    """:func:`policy_schema` as stable, indented JSON text ending in a newline."""
    return json.dumps(policy_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
