"""Policy files: the model (:mod:`.model`, :mod:`.compensation`, :mod:`.conditions`), dated
versions (:mod:`.versions`), the checks a schema cannot make (:mod:`.checks`), the hardened YAML
reader (:mod:`.safe_yaml`), the loader, the only module here that reads files (:mod:`.loader`),
and the JSON Schema (:mod:`.schema`)."""

from . import loader
from .loader import check_policy_file, check_policy_text, load_policy, parse_policy
from .model import Policy
from .safe_yaml import MAX_BYTES, MAX_DEPTH, Document, YamlError, decode, read_yaml
from .versions import PolicySet

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "Document",
    "Policy",
    "PolicySet",
    "YamlError",
    "check_policy_file",
    "check_policy_text",
    "decode",
    "load_policy",
    "loader",
    "parse_policy",
    "read_yaml",
]
