"""What the library's plain record classes share: a readable ``repr``.

The records that carry an evaluation's numbers (``Outcome``, ``Promise``, the clock's
index) are plain classes with keyword-only ``__init__`` and ``__slots__``, not dataclasses: the
compiled build makes such a class native and builds one five times faster.  Compiled, a class
keeps no ``__slots__`` attribute, so each names its fields in a tuple of its own.
"""

from __future__ import annotations

from typing import Any


def record_repr(record: Any, names: tuple[str, ...]) -> str:
    """``Name(field=value, ...)`` for ``names``, in order."""
    inner = ", ".join(f"{name}={getattr(record, name)!r}" for name in names)
    return f"{type(record).__name__}({inner})"
