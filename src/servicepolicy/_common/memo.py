"""Bounded memos: the one way this library remembers answers.

Evaluating a million tickets asks the same questions again and again (which SLA entry applies
to these field values, the text of this instant, the share of this target), and the answers
cost more to work out than to look up.  Every such memo is a :class:`BoundedMemo`: it starts
over once it holds its limit, so no input, however varied, makes it grow without end.  The
values kept are immutable and each answer is the same whoever works it out, so a memo shared
between threads can at worst miss.
"""

from __future__ import annotations

from typing import Final, TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")

LIMIT: Final = 4096
"""How many answers a memo holds before it starts over, unless it says otherwise."""


class BoundedMemo(dict[_K, _V]):
    """Answers by key, at most ``limit`` of them: :meth:`put` empties the memo when it is full.

    ``get`` on the hot path and ``put`` on a miss::

        found = memo.get(key)
        if found is None:
            found = memo.put(key, work_out(key))

    A dict, so that looking an answer up costs what a dict's ``get`` costs, in both builds
    (the compiled build reads a dict subclass with its dict operations); only :meth:`put` adds
    to it.  This module stays interpreted: mypyc would make the class native, and a native
    class cannot be a dict.
    """

    __slots__ = ("limit",)

    def __init__(self, limit: int = LIMIT) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: _K, value: _V) -> _V:
        """Keep ``value`` for ``key`` (emptying the memo first when it is full); returns it."""
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value

    def __repr__(self) -> str:
        return f"BoundedMemo({len(self)} of {self.limit})"
