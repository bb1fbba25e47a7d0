"""Where a command writes: standard output, or ``-o PATH``, and never at the cost of data.

``-o PATH`` is written to a temporary file beside ``PATH`` and renamed over it only when the
command has finished and the file is flushed to disk, so a run that fails or is interrupted
leaves the old file as it was (a device or a pipe, which cannot be replaced, is written as it
is).  A target that is one of the command's inputs is refused before anything is read.  Any
error writing the output (a full disk, a closed pipe) is an :class:`OutputError` naming the
output and the system's reason.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, TextIO

from .._common.errors import ServicePolicyError
from .._policy.loader import policy_files

STDOUT = "<stdout>"


class OutputError(ServicePolicyError):
    """The output could not be written; the message names it and says why."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"{name}: cannot write: {reason}")


def add_output_argument(parser: argparse.ArgumentParser) -> None:
    """``-o/--output PATH`` (``-`` is standard output)."""
    parser.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="write here instead of stdout; the file is replaced only when the run succeeds",
    )


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _files_of(inputs: Iterable[str]) -> Iterator[Path]:
    for name in inputs:
        path = Path(name)
        if name == "-" or not path.exists():
            continue
        if path.is_dir():
            yield from policy_files(path)
        else:
            yield path


def refuse_inputs(target: str, inputs: Iterable[str]) -> None:
    """Refuse ``-o target`` when it is the same file as one of ``inputs``."""
    if not Path(target).exists():
        return
    for path in _files_of(inputs):
        with contextlib.suppress(OSError):
            if path.samefile(target):
                raise OutputError(target, f"it is the input {path}; write elsewhere")


@contextlib.contextmanager
def output_to(
    target: str | None, stdout: TextIO | None, inputs: Iterable[str] = ()
) -> Iterator[TextIO]:
    """The output of a command: ``stdout`` when ``target`` is None or ``-``, else the file,
    written atomically.  Errors writing it are raised as :class:`OutputError`."""
    if target is None or target == "-":
        if stdout is None:
            raise OutputError(STDOUT, "standard output is closed")
        try:
            yield stdout
            stdout.flush()
        except OSError as exc:
            raise OutputError(STDOUT, _reason(exc)) from None
        return
    refuse_inputs(target, inputs)
    path = Path(target)
    try:
        mode = path.stat().st_mode if path.exists() else None
        if mode is not None and not stat.S_ISREG(mode):
            stream = path.open("w", encoding="utf-8")
            with stream:
                yield stream
            return
        yield from _atomically(path, mode)
    except OSError as exc:
        raise OutputError(target, _reason(exc)) from None


@contextlib.contextmanager
def binary_output_to(target: str, inputs: Iterable[str], what: str) -> Iterator[IO[bytes]]:
    """A binary output file (``what``: ``Parquet``), written atomically as every ``-o`` is;
    refused when it is an input or not a regular file.  Errors are :class:`OutputError`."""
    refuse_inputs(target, inputs)
    path = Path(target)
    try:
        mode = path.stat().st_mode if path.exists() else None
        if mode is not None and not stat.S_ISREG(mode):
            raise OutputError(target, f"{what} is written to a regular file")
        yield from _atomically(path, mode, binary=True)
    except OSError as exc:
        raise OutputError(target, _reason(exc)) from None


_UNFINISHED: set[Path] = set()
"""The temporary files of the outputs being written, for :func:`abandon_outputs`."""


def abandon_outputs() -> None:
    """Remove the temporary file of every output being written (the run is being stopped)."""
    for temporary in list(_UNFINISHED):
        temporary.unlink(missing_ok=True)


def _atomically(path: Path, mode: int | None, *, binary: bool = False) -> Iterator[Any]:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    temporary = Path(name)
    _UNFINISHED.add(temporary)
    try:
        opened = os.fdopen(handle, "wb") if binary else os.fdopen(handle, "w", encoding="utf-8")
        with opened as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        if mode is None:  # a new file: what the user's umask gives a new file
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        temporary.chmod(stat.S_IMODE(mode))
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        _UNFINISHED.discard(temporary)
