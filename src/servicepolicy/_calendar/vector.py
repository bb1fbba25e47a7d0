"""The clock over arrays: ``add_many`` and ``elapsed_many``, searching whole arrays at once.

The same interval index as the scalar clock (:class:`~.clock.BusinessClock`), read by numpy:
with ``F(t)`` the open time before ``t``,

* ``F(t) = min(base[i - 1] + t, cum[i])`` where ``i = bisect_right(starts, t)``;
* ``elapsed(a, b) = F(b) - F(a)``;
* ``add(s, d)``: the last interval ``j`` with ``cum[j] < F(s) + d`` (``<=`` when ``d`` is 0,
  which makes it the next opening), then ``starts[j] + F(s) + d - cum[j]``.

Each ``bisect_right`` is done for a whole array by :class:`_Search`: a few steps from a table
of buckets, or numpy's ``searchsorted``.

Every element gives the scalar clock's answer exactly.  The index is first made to cover every
instant of the arrays; an answer past the index's reach is handed to the scalar clock, which
grows the index as it would for that one query (or raises the error it would raise), and the
arrays are searched again.

numpy is an optional dependency (the ``arrow`` extra): it is imported when a function here is
called, never when the module is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from math import gcd
from typing import TYPE_CHECKING, Final

from .._common.errors import CalendarError
from .._common.instants import END_US, FIRST_US, FIRST_YEAR, LAST_YEAR, US
from .clock import BusinessClock, _Index

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Micros = NDArray[np.int64]

_INSTALL_HINT: Final = "the vectorised clock needs numpy: pip install 'servicepolicy[arrow]'"
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1
_NO_BASE: Final = 2**62  # base before the first interval: min(_NO_BASE + t, 0) = 0
# Longer than all the open time there is in the supported years: an amount clipped to it still
# lies past every index, so the scalar clock is asked and raises its error.
_AMOUNT_CAP: Final = END_US - FIRST_US + 1
# Microseconds in one step of a numpy time unit, as a fraction (numerator, denominator).
_UNIT_US: Final[dict[str, tuple[int, int]]] = {
    "W": (7 * 86400 * US, 1),
    "D": (86400 * US, 1),
    "h": (3600 * US, 1),
    "m": (60 * US, 1),
    "s": (US, 1),
    "ms": (1000, 1),
    "us": (1, 1),
    "ns": (1, 1000),
    "ps": (1, 10**6),
    "fs": (1, 10**9),
    "as": (1, 10**12),
}
_CACHE_SIZE: Final = 8
_MOST_STEPS: Final = 6  # more steps than this from a bucket, and searchsorted is faster


def require_numpy() -> None:
    """Raise ImportError with the install hint when numpy is missing."""
    try:
        import numpy  # noqa: F401
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc


# -- the index as numpy arrays ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Search:
    """``bisect_right`` over sorted ``values`` for many keys at once.

    The keys' axis is cut into buckets of ``width``: a key's bucket is
    ``(key - origin) // width + 1``, 0 before ``origin`` and the last one past the values;
    ``table[k]`` is the answer for the first key of bucket ``k``, and a key's answer is at most
    ``steps`` values further.  Stepping there costs a few passes over the keys, less than
    numpy's ``searchsorted`` (a binary search per key) when ``steps`` is small; otherwise
    (``steps < 0``) ``searchsorted`` answers.
    """

    values: Micros  # the sorted values, then a sentinel no key reaches
    origin: int
    width: int
    table: NDArray[np.intp]
    steps: int

    @classmethod
    def over(cls, values: list[int]) -> _Search:
        import numpy as np

        padded = np.array([*values, _INT64_MAX], dtype=np.int64)
        if not values:  # an index without open time: every key's answer is 0
            return cls(padded, 0, 1, np.zeros(1, dtype=np.intp), 0)
        origin, spread = values[0], values[-1] - values[0]
        width = max(spread // (2 * len(values)), 1)  # about half the mean gap
        firsts = origin + width * np.arange(spread // width + 2, dtype=np.int64)
        table = np.concatenate(([0], np.searchsorted(padded[:-1], firsts, side="right")))
        most = int(np.max(np.diff(table[1:]), initial=0))
        return cls(padded, origin, width, table, most if most <= _MOST_STEPS else -1)

    def bisect_right(self, keys: Micros) -> NDArray[np.intp]:
        """``bisect_right(values, key)`` for every key (none may reach the sentinel)."""
        import numpy as np

        if self.steps < 0:
            return np.searchsorted(self.values[:-1], keys, side="right")
        bucket = (keys - self.origin) // self.width + 1
        np.clip(bucket, 0, len(self.table) - 1, out=bucket)
        found = self.table[bucket]
        for _ in range(self.steps):
            found += self.values[found] <= keys
        return found


@dataclass(frozen=True, slots=True)
class _Arrays:
    """numpy copies of one :class:`_Index`."""

    starts: _Search  # interval starts
    cum: _Search  # cum[i] = open time before starts[i]; one longer than starts
    base: Micros  # base[i] = cum[i - 1] - starts[i - 1]; base[0] = _NO_BASE
    safe_hi: int  # the last instant the index answers for


_cache: dict[int, tuple[_Index, _Arrays]] = {}


def _arrays_of(index: _Index) -> _Arrays:
    """The numpy copies of ``index``, made once per index (a few recent ones are kept)."""
    import numpy as np

    found = _cache.get(id(index))
    if found is not None and found[0] is index:
        return found[1]
    arrays = _Arrays(
        starts=_Search.over(index.starts),
        cum=_Search.over(index.cum),
        base=np.array([_NO_BASE, *index.base], dtype=np.int64),
        safe_hi=index.safe_hi,
    )
    while len(_cache) >= _CACHE_SIZE:  # the oldest goes; pop() tolerates a racing thread
        _cache.pop(next(iter(_cache), 0), None)
    _cache[id(index)] = (index, arrays)  # the index is held, so its id stays its own
    return arrays


def _open_before(arrays: _Arrays, t: Micros) -> Micros:
    """F(t) for every element of ``t``."""
    import numpy as np

    i = arrays.starts.bisect_right(t)
    opened: Micros = np.minimum(arrays.base[i] + t, arrays.cum.values[i])
    return opened


def _add_on(arrays: _Arrays, starts: Micros, amounts: Micros) -> tuple[Micros, NDArray[np.bool_]]:
    """``add`` on one index: the answers, and where an answer lies past the index."""
    import numpy as np

    positive = amounts > 0
    target = _open_before(arrays, starts) + np.minimum(amounts, _AMOUNT_CAP)
    # The last interval with less than target before it (at most target when adding nothing).
    j = arrays.cum.bisect_right(target - positive) - 1
    last = len(arrays.base) - 2  # the last interval
    past = j > last
    np.minimum(j, last, out=j)
    answer: Micros = arrays.starts.values[j] + (target - arrays.cum.values[j])
    return answer, past | (answer > arrays.safe_hi)


# -- reading the arguments ----------------------------------------------------------------------


def _label(what: str, flat: int, shape: tuple[int, ...]) -> str:
    """``starts[3]``, or ``starts[1, 2]`` for an element of a 2-d array."""
    import numpy as np

    if len(shape) <= 1:
        return f"{what}[{flat}]"
    where = ", ".join(str(int(k)) for k in np.unravel_index(flat, shape))
    return f"{what}[{where}]"


def _to_numpy(values: object, what: str) -> NDArray[np.generic]:
    """``values`` as a numpy array; Arrow arrays by their ``to_numpy``."""
    import numpy as np

    if type(values).__module__.partition(".")[0] == "pyarrow":
        kind = str(getattr(values, "type", ""))
        if not kind.startswith(("timestamp", "duration")):
            raise TypeError(f"{what} must be an Arrow timestamp or duration array, got {kind}")
        converted: NDArray[np.generic] = values.to_numpy(zero_copy_only=False)  # type: ignore[attr-defined]
        return converted
    if isinstance(values, timedelta):
        micros = (values.days * 86400 + values.seconds) * US + values.microseconds
        return np.asarray(micros, dtype=np.int64)
    return np.asarray(values)


def _first(mask: NDArray[np.bool_]) -> int | None:
    """The flat position of the first true element, or None."""
    import numpy as np

    if not mask.any():
        return None
    return int(np.argmax(mask.ravel()))


def _steps_to_micros(
    raw: Micros, unit: str, count: int, what: str, bounds: tuple[int, int] | None
) -> Micros:
    """Counts of a fixed-length numpy time unit as exact microseconds.

    ``bounds``: the microseconds allowed, ``[lo, hi)``, checked before any multiplication.
    """
    import numpy as np

    numerator, denominator = _UNIT_US[unit]
    numerator *= count
    common = gcd(numerator, denominator)
    numerator, denominator = numerator // common, denominator // common
    if bounds is not None:
        lo, hi = (-(-bound * denominator // numerator) for bound in bounds)  # ceilings
        outside = np.zeros(raw.shape, dtype=np.bool_)
        if lo > _INT64_MIN:
            outside |= raw < lo
        if hi <= _INT64_MAX:
            outside |= raw >= hi
        bad = _first(outside)
        if bad is not None:
            raise CalendarError(
                f"{_label(what, bad, raw.shape)} = {_shown(raw, bad, unit, count)} is outside "
                f"the supported years {FIRST_YEAR}-{LAST_YEAR} (UTC)"
            )
    else:
        limit = _INT64_MAX // numerator
        bad = _first(np.abs(raw) > limit)
        if bad is not None:
            raise ValueError(f"{_label(what, bad, raw.shape)} is too long to count in microseconds")
    if denominator > 1:
        bad = _first(raw % denominator != 0)
        if bad is not None:
            raise ValueError(
                f"{_label(what, bad, raw.shape)} = {_shown(raw, bad, unit, count)} is not a whole "
                "number of microseconds"
            )
        raw = raw // denominator
    if numerator > 1:
        raw = raw * numerator
    return raw


def _shown(raw: Micros, flat: int, unit: str, count: int) -> str:
    """One raw value as numpy prints it in its unit."""
    import numpy as np

    one = np.array([raw.ravel()[flat]], dtype=np.int64)
    return str(one.view(f"datetime64[{count}{unit}]")[0])


def _calendar_to_micros(array: NDArray[np.generic], what: str) -> Micros:
    """Datetimes in years or months as microseconds, after checking their years."""
    import numpy as np

    unit, count = np.datetime_data(array.dtype.str)
    raw = array.view(np.int64)
    months = 12 * count if unit == "Y" else count
    lo = -(-(FIRST_YEAR - 1970) * 12 // months)
    hi = -(-(LAST_YEAR + 1 - 1970) * 12 // months)
    bad = _first((raw < lo) | (raw >= hi))
    if bad is not None:
        raise CalendarError(
            f"{_label(what, bad, raw.shape)} = {array.ravel()[bad]} is outside the supported "
            f"years {FIRST_YEAR}-{LAST_YEAR} (UTC)"
        )
    micros: Micros = array.astype("datetime64[us]").view(np.int64)
    return micros


def _refuse_nat(raw: Micros, what: str) -> None:
    bad = _first(raw == _INT64_MIN)
    if bad is not None:
        raise ValueError(f"{_label(what, bad, raw.shape)} is NaT (missing)")


def instants(values: object, what: str) -> Micros:
    """UTC microseconds of datetime64 values (naive ones read as UTC), Arrow timestamps or
    int64 microseconds; CalendarError for an instant outside the supported years."""
    import numpy as np

    array = _to_numpy(values, what)
    kind = array.dtype.kind
    if kind == "M":
        raw = array.view(np.int64)
        _refuse_nat(raw, what)
        unit, count = np.datetime_data(array.dtype.str)
        if unit in ("Y", "M"):
            return _calendar_to_micros(array, what)
        if unit not in _UNIT_US:
            raise TypeError(f"{what} has a datetime64 without a unit; give one, e.g. [us]")
        return _steps_to_micros(raw, unit, count, what, (FIRST_US, END_US))
    if kind == "i" or (kind == "u" and array.dtype.itemsize < 8):
        return _steps_to_micros(array.astype(np.int64), "us", 1, what, (FIRST_US, END_US))
    raise TypeError(
        f"{what} must be datetime64 values, an Arrow timestamp array or int64 microseconds, "
        f"got an array of {array.dtype}"
    )


def durations(values: object, what: str) -> Micros:
    """Microseconds of timedelta64 values, Arrow durations, int64 microseconds or one
    ``timedelta``."""
    import numpy as np

    array = _to_numpy(values, what)
    kind = array.dtype.kind
    if kind == "m":
        raw = array.view(np.int64)
        _refuse_nat(raw, what)
        unit, count = np.datetime_data(array.dtype.str)
        if unit not in _UNIT_US:
            raise TypeError(f"{what} must be a fixed length of time; timedelta64[{unit}] is not")
        return _steps_to_micros(raw, unit, count, what, None)
    if kind == "i" or (kind == "u" and array.dtype.itemsize < 8):
        return array.astype(np.int64)
    raise TypeError(
        f"{what} must be timedelta64 values, an Arrow duration array, int64 microseconds or "
        f"a timedelta, got {'an array of ' + str(array.dtype) if array.ndim else repr(values)}"
    )


def _paired(first: Micros, second: Micros, names: str) -> tuple[Micros, Micros]:
    import numpy as np

    try:
        a, b = np.broadcast_arrays(first, second)
    except ValueError:
        raise ValueError(
            f"{names} have shapes {first.shape} and {second.shape}, which do not match"
        ) from None
    return a, b


# -- the operations ---------------------------------------------------------------------------


def add_many(clock: BusinessClock, starts: object, amounts: object) -> NDArray[np.datetime64]:
    """``clock.add`` for every pair of ``starts`` and ``amounts`` (broadcast), as
    ``datetime64[us]`` UTC instants.  See :meth:`Calendar.add_many`."""
    require_numpy()
    import numpy as np

    s, a = _paired(instants(starts, "starts"), durations(amounts, "amounts"), "starts and amounts")
    shape = s.shape
    s, a = s.ravel(), a.ravel()
    negative = _first(a < 0)
    if negative is not None:
        raise CalendarError(
            f"{clock.label}: cannot add a negative duration "
            f"({_label('amounts', negative, shape)} = {int(a[negative])} µs)"
        )
    if not len(s):
        return np.zeros(shape, dtype="datetime64[us]")
    return _add_all(clock, s, a, shape).view("datetime64[us]").reshape(shape)


def _add_all(clock: BusinessClock, s: Micros, a: Micros, shape: tuple[int, ...]) -> Micros:
    """``clock.add(s[k], a[k])`` for every ``k``; the index grows for answers past it."""
    import numpy as np

    index = clock._cover(int(s.min()), int(s.max()))
    answers, past = _add_on(_arrays_of(index), s, a)
    todo = np.flatnonzero(past)
    while len(todo):
        k = int(todo[0])
        try:
            clock.add(int(s[k]), int(a[k]))  # grows the index as this query needs, or raises
        except CalendarError as exc:
            where = f"{_label('starts', k, shape)}, {_label('amounts', k, shape)}"
            raise CalendarError(f"{exc} ({where})") from None
        grown = clock._index
        if grown is None or grown is index:  # pragma: no cover - the scalar add always grows
            raise AssertionError("the clock's index did not grow")
        index = grown
        again, past = _add_on(_arrays_of(index), s[todo], a[todo])
        answers[todo] = again
        todo = todo[past]
    return answers


def elapsed_many(clock: BusinessClock, starts: object, ends: object) -> NDArray[np.timedelta64]:
    """``clock.elapsed`` for every pair of ``starts`` and ``ends`` (broadcast), as
    ``timedelta64[us]``.  See :meth:`Calendar.elapsed_many`."""
    require_numpy()
    import numpy as np

    a, b = _paired(instants(starts, "starts"), instants(ends, "ends"), "starts and ends")
    shape = a.shape
    if not a.size:
        return np.zeros(shape, dtype="timedelta64[us]")
    lo = min(int(a.min()), int(b.min()))
    hi = max(int(a.max()), int(b.max()))
    arrays = _arrays_of(clock._cover(lo, hi))
    spent: Micros = _open_before(arrays, b.ravel()) - _open_before(arrays, a.ravel())
    return spent.view("timedelta64[us]").reshape(shape)
