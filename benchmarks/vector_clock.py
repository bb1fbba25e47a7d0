"""Vectorised clock benchmark: Calendar.add_many against the scalar loop and pandas.

Run from the repository root::

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/vector_clock.py [--n 1000000] [--seed 1] [--repeats 3]

One calendar (the one of ``benchmarks/clock.py``: Mon-Fri 09:00-17:00, Europe/Berlin, its
holidays), one set of ``--n`` random starts (uniform minutes in 2026-2027) and two sets of
amounts: 200 business hours for every start, and a spread of small amounts (uniform whole
hours 1..16).  On them, side by side:

* the scalar loop, ``[cal.add(s, d) for s, d in ...]`` on aware datetimes and timedeltas;
* ``cal.add_many(starts, amounts)`` on ``datetime64[us]`` and ``timedelta64[us]`` arrays;
* pandas ``CustomBusinessHour``: ``ts + h * cbh`` in a loop, and, where every start gets the
  same amount, ``DatetimeIndex + 200 * cbh`` (pandas applies that offset element by element);
  pandas runs on the first ``--peer-n`` starts and its rate is per operation;

and ``elapsed_many`` against the scalar ``elapsed`` loop (pandas has no elapsed API).  Every
``add_many`` and ``elapsed_many`` answer is checked against the scalar loop's.  Each figure
is the best of ``--repeats`` timed passes with the garbage collector off.
"""

from __future__ import annotations

import argparse
import gc
import math
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from clock import (
    HOLIDAYS,
    RANGE_END,
    RANGE_START,
    ZONE,
    build_calendar,
    fmt_rate,
    load_note,
    machine_lines,
)

from servicepolicy import Calendar

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HOUR_US = 3600 * 1_000_000
TARGET_OPS = 5_000_000
TARGET_RATIO_PANDAS = 100.0


def load_peers() -> tuple[Any, Any]:
    """numpy and pandas, or exit 2 with an install hint."""
    try:
        import numpy as np
        import pandas as pd
    except ImportError as exc:
        print(
            f"error: {exc.name} is not installed\n"
            "install it with:  .venv/bin/pip install -e '.[arrow,bench]'",
            file=sys.stderr,
        )
        sys.exit(2)
    return np, pd


def other_calendars() -> dict[str, dict[str, Any]]:
    """The example policies' overnight and split-shift calendars, and one of many short
    windows (more interval starts to a bucket than the stepping search takes, so numpy's
    ``searchsorted`` answers)."""
    examples = Path(__file__).resolve().parent.parent / "policies" / "examples"
    telecom = yaml.safe_load((examples / "telecom-callcentre.yaml").read_text())
    saas = yaml.safe_load((examples / "saas-support.yaml").read_text())
    minutes = [f"00:{m:02d}-00:{m + 1:02d}" for m in range(0, 16, 2)]
    return {
        "telecom-callcentre night-shift (daily 22:00-06:00, Europe/London)": telecom["calendars"][
            "night-shift"
        ],
        "saas-support support-eu (split shift, holidays, Europe/Berlin)": saas["calendars"][
            "support-eu"
        ],
        "eight one-minute windows before 09:00-17:00 on Mondays (Asia/Kathmandu)": {
            "timezone": "Asia/Kathmandu",
            "hours": {"mon": [*minutes, "09:00-17:00"], "thu": ["12:00-12:01"]},
        },
    }


def best_time(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """The best of ``repeats`` timed calls of ``fn`` (seconds), and its last result."""
    best, result = math.inf, None
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            t0 = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - t0)
    finally:
        gc.enable()
    return best, result


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="starts and amounts")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes; best counts")
    parser.add_argument("--peer-n", type=int, default=20_000, help="starts pandas runs on")
    args = parser.parse_args(argv)
    n, repeats, peer_n = args.n, args.repeats, min(args.peer_n, args.n)
    np, pd = load_peers()
    wall0 = time.perf_counter()

    print("# Vectorised business-hours clock benchmark")
    print()
    print(
        f"command: .venv/bin/python benchmarks/vector_clock.py --n {n} --seed {args.seed} "
        f"--repeats {repeats} --peer-n {peer_n}"
    )
    print(*machine_lines(), sep="\n")
    print(f"- at start: {load_note()}")
    print()

    rng = np.random.default_rng(args.seed)
    lo, hi = micros(RANGE_START), micros(RANGE_END)
    minutes = rng.integers(0, (hi - lo) // 60_000_000, n)
    minutes_us = lo + minutes * 60_000_000
    starts = minutes_us.view("datetime64[us]")
    amounts = {
        "200 h": np.full(n, 200 * HOUR_US).view("timedelta64[us]"),
        "1-16 h": (rng.integers(1, 17, n) * HOUR_US).view("timedelta64[us]"),
    }
    # (EPOCH + delta, then the zone: adding a timedelta to a zoned datetime adds wall time)
    start_dts = [(EPOCH + timedelta(microseconds=int(m))).astimezone(ZONE) for m in minutes_us]

    # cold: a fresh calendar's first add_many builds the interval index
    cal = build_calendar()
    t0 = time.perf_counter()
    cal.add_many(starts, amounts["200 h"])
    t_cold = time.perf_counter() - t0

    cbh = pd.offsets.CustomBusinessHour(
        start="09:00", end="17:00", weekmask="Mon Tue Wed Thu Fri", holidays=HOLIDAYS
    )
    pd_starts = [pd.Timestamp(s) for s in start_dts[:peer_n]]
    pd_index = pd.DatetimeIndex(pd_starts)

    rows = []
    checks = []
    for name, amount in amounts.items():
        deltas = [timedelta(microseconds=int(a)) for a in amount.view(np.int64)]
        hours = [int(a) // HOUR_US for a in amount.view(np.int64)[:peer_n]]
        t_scalar, scalar = best_time(
            lambda deltas=deltas: [cal.add(s, d) for s, d in zip(start_dts, deltas, strict=True)],
            repeats,
        )
        t_vector, vector = best_time(lambda amount=amount: cal.add_many(starts, amount), repeats)
        want = np.array([micros(x) for x in scalar], dtype=np.int64)
        same = int((vector.view(np.int64) == want).sum())
        checks.append(f"- add_many, {name}: {same:,} / {n:,} equal to the scalar add")

        offsets = [h * cbh for h in hours]  # built outside the timed loop, as in clock.py
        t_pd_loop, theirs = best_time(
            lambda offsets=offsets: [s + o for s, o in zip(pd_starts, offsets, strict=True)],
            repeats,
        )
        t_pd_index = None
        if len(set(hours)) == 1:
            offset = hours[0] * cbh
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "Non-vectorized DateOffset being applied"
                t_pd_index, _ = best_time(lambda offset=offset: pd_index + offset, repeats)
        theirs_us = np.array([micros(t.to_pydatetime()) for t in theirs], dtype=np.int64).view(
            "datetime64[us]"
        )
        ours = vector[:peer_n]
        exact = int((ours == theirs_us).sum())
        # a deadline at a window's end (ours) against the next opening (pandas)
        no_gap = int((cal.elapsed_many(ours, theirs_us) == np.timedelta64(0)).sum()) - exact
        checks.append(
            f"- pandas, {name}: {exact:,} / {peer_n:,} equal; {no_gap:,} one window's end where "
            f"pandas gives the next opening (no open time between); "
            f"{peer_n - exact - no_gap:,} other"
        )
        rows.append(
            (
                f"add {name}",
                n / t_scalar,
                n / t_vector,
                peer_n / t_pd_loop,
                peer_n / t_pd_index if t_pd_index else None,
            )
        )

        ends = vector
        t_scalar_el, scalar_el = best_time(
            lambda scalar=scalar: [
                cal.elapsed(s, e) for s, e in zip(start_dts, scalar, strict=True)
            ],
            repeats,
        )
        t_vector_el, vector_el = best_time(
            lambda ends=ends: cal.elapsed_many(starts, ends), repeats
        )
        want_el = np.array([x // timedelta(microseconds=1) for x in scalar_el], dtype=np.int64)
        same = int((vector_el.view(np.int64) == want_el).sum())
        checks.append(f"- elapsed_many, {name}: {same:,} / {n:,} equal to the scalar elapsed")
        rows.append((f"elapsed {name}", n / t_scalar_el, n / t_vector_el, None, None))
        print(f"  measured {name}", file=sys.stderr, flush=True)

    others = []
    for label, spec in other_calendars().items():
        other = Calendar.model_validate(spec)
        amount = amounts["1-16 h"]
        other.add_many(starts, amount)  # builds the index: not timed
        t_add, _ = best_time(
            lambda other=other, amount=amount: other.add_many(starts, amount), repeats
        )
        t_el, _ = best_time(lambda other=other: other.elapsed_many(starts, starts[::-1]), repeats)
        others.append((label, n / t_add, n / t_el))

    print(f"## Results (ops/s, best of {repeats} passes; pandas on the first {peer_n:,} starts)")
    print()
    print(
        "| operation | scalar loop | add_many / elapsed_many | pandas CBH loop "
        "| pandas DatetimeIndex + offset | vector / scalar | vector / fastest pandas |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    ratios = []
    for what, scalar_rate, vector_rate, pd_loop, pd_index in rows:
        peers = [r for r in (pd_loop, pd_index) if r]
        ratio = vector_rate / max(peers) if peers else None
        if ratio is not None:
            ratios.append(ratio)
        print(
            f"| {what} | {fmt_rate(scalar_rate)} | {fmt_rate(vector_rate)} | {fmt_rate(pd_loop)} "
            f"| {fmt_rate(pd_index)} | {vector_rate / scalar_rate:,.0f}x "
            f"| {f'{ratio:,.0f}x' if ratio else 'n/a'} |"
        )
    print()
    print(
        f"Cold: the first add_many on a fresh calendar ({n:,} elements, index built on the "
        f"way) took {t_cold * 1e3:.0f} ms."
    )
    print()
    print("## Other calendars (the same starts; 1-16 h amounts; ends: the starts reversed)")
    print()
    print("| calendar | add_many ops/s | elapsed_many ops/s |")
    print("|---|---:|---:|")
    for label, add_rate, el_rate in others:
        print(f"| {label} | {fmt_rate(add_rate)} | {fmt_rate(el_rate)} |")
    print()
    print("## Cross-check")
    print()
    print(*checks, sep="\n")
    print()
    print("## Targets")
    print()
    slowest = min(r[2] for r in rows)
    print("| target | measured | result |")
    print("|---|---:|---|")
    print(
        f"| add_many and elapsed_many >= {TARGET_OPS:,} ops/s on one core (slowest) "
        f"| {slowest:,.0f} | {'PASS' if slowest >= TARGET_OPS else 'FAIL'} |"
    )
    print(
        f"| add_many >= {TARGET_RATIO_PANDAS:.0f}x pandas CustomBusinessHour (smallest ratio) "
        f"| {min(ratios):,.0f}x | {'PASS' if min(ratios) >= TARGET_RATIO_PANDAS else 'FAIL'} |"
    )
    print()
    print(f"- total run time {time.perf_counter() - wall0:.0f} s; at end: {load_note(own=1.0)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
