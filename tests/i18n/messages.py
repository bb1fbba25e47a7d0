"""The English messages the package's code writes: every literal passed to ``N_`` or to a
``t`` method (``words.t("...")``), found by reading the source."""

from __future__ import annotations

import ast
from pathlib import Path

import servicepolicy

SRC = Path(servicepolicy.__file__).parent


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def message_calls() -> list[tuple[Path, int, str | None]]:
    """Each call of ``N_(...)`` or ``<anything>.t(...)`` in the package: where, and its
    message when it is a literal (None when it is not)."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            named = (isinstance(func, ast.Name) and func.id == "N_") or (
                isinstance(func, ast.Attribute) and func.attr == "t"
            )
            if named:
                found.append((path, node.lineno, _literal(node.args[0])))
    return found


def english_messages() -> set[str]:
    """Every literal message of the package."""
    return {message for _, _, message in message_calls() if message is not None}
