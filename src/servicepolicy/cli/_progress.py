"""A progress bar on standard error for long runs over tickets: how many so far, how fast, and
for a regular file how long until the end.

The bar is shown only when standard error is a terminal, only once a run has lasted
:data:`DELAY` seconds (a short run shows nothing), and never with ``--no-progress``; nor when
the output goes to that terminal as the run goes (its lines and the bar would mix).  It needs
tqdm (``pip install 'servicepolicy[progress]'``); without it there is no bar and not a word
about it, the bar being cosmetic.  It writes to standard error alone, a message written while
it shows (:meth:`Progress.say`) on a line of its own, and it is cleared once the tickets have
all been read, before the summary line: what stays on the terminal, and the output, are those
of a run without it.

Its ETA comes from bytes: for a regular file, the bytes read so far against the file's size;
for anything else (a pipe, Parquet tickets) the bar shows the count and the rate alone.
"""

from __future__ import annotations

import argparse
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, Final, TextIO, TypeVar

DELAY: Final = 1.0
"""Seconds a run lasts before its bar shows."""
EVERY: Final = 0.2
"""Seconds between two updates of the bar."""
_BYTES_FORMAT: Final = "{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}{postfix}"
_COUNT_FORMAT: Final = "{desc}: {elapsed}{postfix}"
_T = TypeVar("_T")


def add_progress_argument(parser: argparse.ArgumentParser) -> None:
    """``--no-progress``: the bar is on by default (where it can be shown)."""
    parser.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        help="show no progress bar (by default one shows on standard error when it is a "
        "terminal, the output does not go to it, and the run lasts over a second; the bar "
        "needs pip install 'servicepolicy[progress]')",
    )


class Progress:
    """The bar of one run: :meth:`counted` counts the tickets, :meth:`say` writes a message
    beside it.

    ``position`` tells the bytes read so far of an input of known size (the bar's total);
    without it, the bar counts tickets."""

    def __init__(self, bar: Any, err: TextIO, position: Callable[[], int] | None) -> None:
        self.bar = bar
        self.err = err
        self.position = position
        self.shown = DELAY <= 0  # tqdm draws a bar with no delay at once
        self.tickets = 0
        self.started = time.monotonic()
        self.next_update = self.started + min(EVERY, DELAY)

    def counted(self, items: Iterable[_T]) -> Iterator[_T]:
        """``items``, each counted once the next is asked for; the bar is cleared when they
        are all read, or the reading stops."""
        try:
            for item in items:
                yield item
                self.tick()
        finally:
            self.close()

    def tick(self) -> None:
        """Count one ticket; the bar is drawn again at most every :data:`EVERY` seconds."""
        self.tickets += 1
        now = time.monotonic()
        if now >= self.next_update:
            self.next_update = now + EVERY
            self._update(now)

    def _update(self, now: float) -> None:
        elapsed = now - self.started
        rate = f", {self.tickets / elapsed:,.0f} tickets/s" if elapsed > 0 else ""
        self.bar.set_postfix_str(f"{self.tickets:,} tickets{rate}", refresh=False)
        done = self.tickets if self.position is None else self._bytes_read()
        if self.bar.update(done - self.bar.n):
            self.shown = True

    def _bytes_read(self) -> int:
        assert self.position is not None
        try:
            return self.position()
        except (OSError, ValueError):  # the stream was closed, or can no longer tell
            return int(self.bar.n)

    def say(self, text: str) -> None:
        """Write ``text`` (whole lines) on the bar's stream; a bar on show is cleared first
        and drawn again below it."""
        if not self.shown:
            self.err.write(text)
            return
        self.bar.clear()
        self.err.write(text)
        self.bar.refresh()

    def close(self) -> None:
        """Clear the bar (a bar never shown writes nothing)."""
        self.bar.close()


def with_progress(
    items: Iterable[_T], *, err: TextIO, source: object, name: str, shown: bool
) -> Iterator[_T]:
    """``items`` (the records read from ``source``, a file named ``name``), counted on a bar on
    ``err`` (see :meth:`Progress.counted`); just ``items`` when ``shown`` is false, ``err`` is
    no terminal, or tqdm is missing."""
    progress = progress_bar(err, source, name) if shown else None
    return iter(items) if progress is None else progress.counted(items)


def beside(out: TextIO, progress: bool) -> bool:
    """Whether a bar asked for (``progress``) may show beside an output written as the run
    goes: not when that output goes to a terminal too."""
    return progress and not _is_terminal(out)


def progress_bar(err: TextIO, source: object, name: str) -> Progress | None:
    """A bar on ``err`` for the tickets read from ``source`` (a file named ``name``); None
    when ``err`` is no terminal or tqdm is missing."""
    if not _is_terminal(err):
        return None
    bar_class = _bar_class()
    if bar_class is None:
        return None
    size, position = _size_and_position(source)
    settings: dict[str, Any] = {
        "file": err,
        "desc": "stdin" if name == "-" else Path(name).name,
        "delay": DELAY,
        "mininterval": 0,  # Progress decides when to draw
        "miniters": 1,
        "leave": False,
    }
    if size is None or position is None:
        return Progress(bar_class(bar_format=_COUNT_FORMAT, **settings), err, None)
    bar = bar_class(total=size, initial=position(), bar_format=_BYTES_FORMAT, **settings)
    return Progress(bar, err, position)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no such method, or a closed stream
        return False


@cache
def _bar_class() -> Any:
    """tqdm's bar without its monitor thread (Progress draws it, and no thread may run when
    the worker processes are forked); None without tqdm."""
    try:
        from tqdm import tqdm  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        return None

    class Bar(tqdm):  # type: ignore[misc, type-arg, unused-ignore]
        monitor_interval = 0

    return Bar


def _size_and_position(source: object) -> tuple[int | None, Callable[[], int] | None]:
    """The size of ``source`` when it is a regular file whose position can be told, and how to
    tell it; (None, None) otherwise."""
    try:
        info = os.fstat(source.fileno())  # type: ignore[attr-defined]
        tell: Callable[[], int] = source.tell  # type: ignore[attr-defined]
        tell()
    except (AttributeError, OSError, ValueError):
        return None, None
    if not stat.S_ISREG(info.st_mode):
        return None, None
    return info.st_size, tell
