"""Tests of what the package says when an optional package is not installed."""

from __future__ import annotations

import builtins
from typing import Any

import pytest


def without(monkeypatch: pytest.MonkeyPatch, package: str) -> None:
    """Make ``import package`` (and its submodules) fail for the rest of the test, as on a
    machine without it."""
    real_import = builtins.__import__

    def refused(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == package or name.startswith(package + "."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refused)
