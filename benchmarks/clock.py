"""Business-hours clock benchmark: servicepolicy against businesstimedelta and pandas.

Run from the repository root::

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/clock.py [--n 10000] [--seed 1] [--repeats 3]

Every library answers the same questions on the same calendar (Mon-Fri 09:00-17:00,
Europe/Berlin, the holidays below):

* ``add``: start + N business hours, N in {1, 200, 2000} and a mixed 1..2000 h workload;
* ``elapsed``: business time between a start and an end, where the end is servicepolicy's
  ``add`` result for the same start and amount, so every call covers exactly N business
  hours (the same end instants are handed to every library).

Starts are uniformly random minutes in 2026-2027 (Berlin time).  Each measurement runs
``--repeats`` times and the best time counts.  The peers are slow at long spans, so they
run on a prefix of the same starts (the sample size is printed) and their rate is scaled.
"""

from __future__ import annotations

import argparse
import gc
import math
import operator
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

from servicepolicy import Calendar

ZONE_NAME = "Europe/Berlin"
ZONE = ZoneInfo(ZONE_NAME)
# The holidays of the brief (2026-2027) plus 2028 and the start of 2029: a 2,000 h deadline
# from late 2027 lands in late 2028, and businesstimedelta's HolidayRule fails (TypeError)
# when it finds no holiday in the five years after an instant, so the list runs past every
# answer.  All three libraries get the same list.
HOLIDAYS = [
    date.fromisoformat(d)
    for d in (
        "2026-01-01",
        "2026-04-03",
        "2026-04-06",
        "2026-05-01",
        "2026-12-25",
        "2026-12-26",
        "2027-01-01",
        "2027-03-26",
        "2027-03-29",
        "2027-05-01",
        "2027-12-25",
        "2028-01-01",
        "2028-04-14",
        "2028-04-17",
        "2028-05-01",
        "2028-12-25",
        "2028-12-26",
        "2029-01-01",
    )
]
RANGE_START = datetime(2026, 1, 1, tzinfo=ZONE)
RANGE_END = datetime(2028, 1, 1, tzinfo=ZONE)

BUCKETS = ("1 h", "200 h", "2000 h", "mixed 1-2000 h")
BUCKET_HOURS = {"1 h": 1, "200 h": 200, "2000 h": 2000}
# Peer sample caps per (library, operation, bucket); missing entries use the full --n.
PEER_CAPS: dict[tuple[str, str, str], int] = {}
for _op in ("add", "elapsed"):
    PEER_CAPS.update(
        {
            ("businesstimedelta", _op, "1 h"): 2000,
            ("businesstimedelta", _op, "200 h"): 500,
            ("businesstimedelta", _op, "2000 h"): 200,
            ("businesstimedelta", _op, "mixed 1-2000 h"): 200,
        }
    )
PEER_CAPS.update(
    {
        ("pandas", "elapsed", "1 h"): 2000,
        ("pandas", "elapsed", "200 h"): 300,
        ("pandas", "elapsed", "2000 h"): 100,
        ("pandas", "elapsed", "mixed 1-2000 h"): 100,
    }
)
LIBS = ("servicepolicy", "businesstimedelta", "pandas")
CROSS_CHECK_N = 200

# Targets (printed as PASS/FAIL; the script never fails on them).
TARGET_RATIO_200H = 50.0
TARGET_COST_2000_VS_1 = 1.5
TARGET_ELAPSED_OPS = 300_000
TARGET_ADD_OPS = 200_000


def load_peers() -> tuple[ModuleType, ModuleType, ModuleType]:
    """Import the peers, or exit 2 with an install hint."""
    missing = []
    mods: dict[str, ModuleType] = {}
    for name in ("businesstimedelta", "pandas", "pytz"):
        try:
            mods[name] = __import__(name)
        except ImportError:
            missing.append(name)
    if missing:
        print(
            f"error: benchmark peer(s) not installed: {', '.join(missing)}\n"
            "install them with:  .venv/bin/pip install -e '.[bench]'",
            file=sys.stderr,
        )
        sys.exit(2)
    return mods["businesstimedelta"], mods["pandas"], mods["pytz"]


def build_calendar() -> Calendar:
    return Calendar.model_validate(
        {
            "timezone": ZONE_NAME,
            "hours": {"mon-fri": ["09:00-17:00"]},
            "holidays": [{"date": d.isoformat()} for d in HOLIDAYS],
        }
    )


def random_starts(rng: random.Random, n: int, whole_hours: bool = False) -> list[datetime]:
    """Uniform random instants in [RANGE_START, RANGE_END), as Berlin-aware datetimes."""
    lo = RANGE_START.astimezone(UTC)
    step = 60 if whole_hours else 1
    minutes = int((RANGE_END - RANGE_START).total_seconds() // 60) // step
    return [
        (lo + timedelta(minutes=rng.randrange(minutes) * step)).astimezone(ZONE) for _ in range(n)
    ]


def best_rate(fn: Callable[[Any, Any], Any], pairs: Sequence[tuple[Any, Any]], repeats: int):
    """Operations per second over ``pairs``: best of ``repeats`` timed passes.

    The garbage collector is off during the passes, as in :mod:`timeit`.
    """
    best = math.inf
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            t0 = time.perf_counter()
            for x, y in pairs:
                fn(x, y)
            best = min(best, time.perf_counter() - t0)
    finally:
        gc.enable()
    return len(pairs) / best


def fmt_rate(rate: float | None, sample: int | None = None, full: int | None = None) -> str:
    if rate is None:
        return "n/a"
    text = f"{rate:,.0f}" if rate >= 100 else f"{rate:,.1f}"
    if sample is not None and sample != full:
        text += f" (n={sample})"
    return text


def machine_lines() -> list[str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = []
    for pkg in ("servicepolicy", "businesstimedelta", "pandas", "numpy", "pytz", "pydantic"):
        try:
            versions.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{pkg} (not installed)")
    return [
        f"- nproc: {os.cpu_count()}; the benchmark is single-threaded (one core)",
        f"- CPU: {cpu}",
        f"- Python: {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}",
        f"- packages: {', '.join(versions)}",
    ]


def load_note(own: float = 0.0) -> str:
    """The load average, flagged when other work competes (``own``: this run's share)."""
    one, five, _ = os.getloadavg()
    text = f"load average {one:.2f} (1 min), {five:.2f} (5 min)"
    if one - own > 0.5:
        text += " -- other work is running; figures may be low"
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="starts per measurement")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes; best counts")
    args = parser.parse_args(argv)
    n, repeats = args.n, args.repeats

    btd, pd, pytz = load_peers()
    wall0 = time.perf_counter()

    print("# Business-hours clock benchmark")
    print()
    print(f"command: .venv/bin/python benchmarks/clock.py --n {n} --seed {args.seed}", end="")
    print(f" --repeats {repeats}")
    print(*machine_lines(), sep="\n")
    print(f"- at start: {load_note()}")
    print()

    # -- servicepolicy: cold numbers on a fresh calendar --------------------------------------
    t0 = time.perf_counter()
    cal = build_calendar()
    t_build = time.perf_counter() - t0
    rng = random.Random(args.seed)
    starts = random_starts(rng, n)
    amounts_mixed = [rng.randint(1, 2000) for _ in range(n)]
    t0 = time.perf_counter()
    cal.add(starts[0], timedelta(hours=1))
    t_cold_add = time.perf_counter() - t0
    cold_el_cal = build_calendar()
    t0 = time.perf_counter()
    cold_el_cal.elapsed(starts[0], starts[0] + timedelta(hours=1))
    t_cold_elapsed = time.perf_counter() - t0

    # Warm-up (untimed): the mixed workload grows the interval index over every year in use.
    for s, h in zip(starts, amounts_mixed, strict=True):
        cal.add(s, timedelta(hours=h))

    # -- workloads, in each library's native types ----------------------------------------------
    hours_of = {b: [BUCKET_HOURS[b]] * n for b in BUCKETS[:3]}
    hours_of["mixed 1-2000 h"] = amounts_mixed
    ends_of = {
        b: [cal.add(s, timedelta(hours=h)) for s, h in zip(starts, hs, strict=True)]
        for b, hs in hours_of.items()
    }

    ptz = pytz.timezone(ZONE_NAME)
    rule = btd.Rules(
        [
            btd.WorkDayRule(
                start_time=dtime(9), end_time=dtime(17), working_days=[0, 1, 2, 3, 4], tz=ptz
            ),
            # a frozenset, not the list the docs show: `date in holidays` is its inner loop
            btd.HolidayRule(frozenset(HOLIDAYS), tz=ptz),
        ]
    )
    cbh = pd.offsets.CustomBusinessHour(
        start="09:00", end="17:00", weekmask="Mon Tue Wed Thu Fri", holidays=HOLIDAYS
    )

    def pd_elapsed(a: Any, b: Any) -> int:
        # No elapsed API: count the business-hour steps that start before b.  Exact when a and
        # b are a whole number of business hours apart (as here), else rounded up; O(span).
        return len(pd.date_range(a, b, freq=cbh, inclusive="left"))

    btd_starts = [s.astimezone(ptz) for s in starts]
    pd_starts = [pd.Timestamp(s) for s in starts]

    def workload(lib: str, op: str, bucket: str) -> tuple[Callable[[Any, Any], Any], list]:
        hs = hours_of[bucket]
        ends = ends_of[bucket]
        if lib == "servicepolicy":
            if op == "add":
                return cal.add, [(s, timedelta(hours=h)) for s, h in zip(starts, hs, strict=True)]
            return cal.elapsed, list(zip(starts, ends, strict=True))
        k = min(n, PEER_CAPS.get((lib, op, bucket), n))
        if lib == "businesstimedelta":
            if op == "add":
                deltas = [btd.BusinessTimeDelta(rule, hours=h) for h in hs[:k]]
                return operator.add, list(zip(btd_starts[:k], deltas, strict=True))
            return rule.difference, [
                (s, e.astimezone(ptz)) for s, e in zip(btd_starts[:k], ends[:k], strict=True)
            ]
        if op == "add":
            return operator.add, [(s, h * cbh) for s, h in zip(pd_starts[:k], hs[:k], strict=True)]
        return pd_elapsed, [
            (s, pd.Timestamp(e)) for s, e in zip(pd_starts[:k], ends[:k], strict=True)
        ]

    # -- timing -------------------------------------------------------------------------------
    results: dict[tuple[str, str], dict[str, tuple[float, int]]] = {}
    for op in ("add", "elapsed"):
        for bucket in BUCKETS:
            row = results.setdefault((op, bucket), {})
            for lib in LIBS:
                fn, pairs = workload(lib, op, bucket)
                fn(*pairs[0])  # warm this code path once
                row[lib] = (best_rate(fn, pairs, repeats), len(pairs))
                print(
                    f"  measured {op:<7} {bucket:<15} {lib:<17} "
                    f"{fmt_rate(row[lib][0], row[lib][1], n)} ops/s",
                    file=sys.stderr,
                )

    # -- cross-check at whole hours -----------------------------------------------------------
    xrng = random.Random(args.seed + 1)
    xstarts = random_starts(xrng, CROSS_CHECK_N, whole_hours=True)
    xhours = [xrng.randint(1, 2000) for _ in range(CROSS_CHECK_N)]
    add_diff: dict[str, list] = {"businesstimedelta": [], "pandas": []}
    add_same_instant = 0
    el_diff: dict[str, list] = {"businesstimedelta": [], "pandas": []}
    for s, h in zip(xstarts, xhours, strict=True):
        want = cal.add(s, timedelta(hours=h))
        got_btd = s.astimezone(ptz) + btd.BusinessTimeDelta(rule, hours=h)
        got_pd = pd.Timestamp(s) + h * cbh
        if got_btd != want:
            add_diff["businesstimedelta"].append((s, h, want, got_btd))
        if got_pd != pd.Timestamp(want):
            add_diff["pandas"].append((s, h, want, got_pd))
            # same business instant?  (window end vs the next opening: no open time between)
            if cal.elapsed(want, got_pd.to_pydatetime()) == timedelta(0):
                add_same_instant += 1
        # elapsed to an end h hours of real time later (not a business-time end)
        end = s + timedelta(hours=h)
        want_el = cal.elapsed(s, end)
        got_el = rule.difference(s.astimezone(ptz), end.astimezone(ptz)).timedelta
        if got_el != want_el:
            el_diff["businesstimedelta"].append((s, end, want_el, got_el))
        want_hours = want_el // timedelta(hours=1)  # whole hours: starts and ends are whole
        got_hours = pd_elapsed(pd.Timestamp(s), pd.Timestamp(end))
        if got_hours != want_hours:
            el_diff["pandas"].append((s, end, want_hours, got_hours))

    # -- report -------------------------------------------------------------------------------
    print(f"## Results (ops/s, best of {repeats} passes; (n=...) marks a sample smaller than {n})")
    print()
    print(
        "| operation | span | servicepolicy | businesstimedelta | pandas CBH "
        "| servicepolicy / fastest peer |"
    )
    print("|---|---|---:|---:|---:|---:|")
    ratio: dict[tuple[str, str], float] = {}
    for (op, bucket), row in results.items():
        sp = row["servicepolicy"][0]
        fastest = max(row[lib][0] for lib in LIBS[1:])
        ratio[op, bucket] = sp / fastest
        cells = [fmt_rate(row[lib][0], row[lib][1], n) for lib in LIBS]
        print(f"| {op} | {bucket} | {' | '.join(cells)} | {ratio[op, bucket]:,.0f}x |")
    print()
    cost = {
        op: results[op, "1 h"]["servicepolicy"][0] / results[op, "2000 h"]["servicepolicy"][0]
        for op in ("add", "elapsed")
    }
    print(f"servicepolicy 2000 h cost / 1 h cost: add {cost['add']:.2f}, ", end="")
    print(f"elapsed {cost['elapsed']:.2f}")
    print(
        f"servicepolicy cold: Calendar build {t_build * 1e3:.2f} ms; first add "
        f"{t_cold_add * 1e3:.2f} ms; first elapsed {t_cold_elapsed * 1e3:.2f} ms "
        "(includes the lazy interval-index expansion; excluded from the table); warm add "
        f"{1e6 / results['add', '1 h']['servicepolicy'][0]:.2f} us"
    )
    print()

    print("## Cross-check (whole-hour starts, random 1..2000 h; disagreements / checked)")
    print()
    for lib in LIBS[1:]:
        print(f"- add, {lib}: {len(add_diff[lib])} / {CROSS_CHECK_N}", end="")
        if lib == "pandas" and add_diff[lib]:
            print(
                f" ({add_same_instant} land at a window's end where pandas returns the next "
                f"opening: no open time between; {len(add_diff[lib]) - add_same_instant} other)",
                end="",
            )
        print()
        for s, h, want, got in add_diff[lib][:3]:
            print(f"  - {s.isoformat()} + {h} h: servicepolicy {want.isoformat()}, {lib} {got}")
    print(f"- elapsed, businesstimedelta: {len(el_diff['businesstimedelta'])} / {CROSS_CHECK_N}")
    for s, e, want, got in el_diff["businesstimedelta"][:3]:
        print(f"  - {s.isoformat()} .. {e.isoformat()}: servicepolicy {want}, peer {got}")
    print(f"- elapsed, pandas (whole hours): {len(el_diff['pandas'])} / {CROSS_CHECK_N}")
    for s, e, want, got in el_diff["pandas"][:3]:
        print(f"  - {s.isoformat()} .. {e.isoformat()}: servicepolicy {want} h, peer {got} h")
    print()

    print("## Targets")
    print()
    min_add = min(results["add", b]["servicepolicy"][0] for b in BUCKETS)
    min_el = min(results["elapsed", b]["servicepolicy"][0] for b in BUCKETS)
    targets = [
        (
            f"add >= {TARGET_RATIO_200H:.0f}x fastest peer at 200 h",
            f"{ratio['add', '200 h']:,.0f}x",
            ratio["add", "200 h"] >= TARGET_RATIO_200H,
        ),
        (
            f"elapsed >= {TARGET_RATIO_200H:.0f}x fastest peer at 200 h",
            f"{ratio['elapsed', '200 h']:,.0f}x",
            ratio["elapsed", "200 h"] >= TARGET_RATIO_200H,
        ),
        (
            f"add cost at 2000 h <= {TARGET_COST_2000_VS_1}x cost at 1 h",
            f"{cost['add']:.2f}x",
            cost["add"] <= TARGET_COST_2000_VS_1,
        ),
        (
            f"elapsed cost at 2000 h <= {TARGET_COST_2000_VS_1}x cost at 1 h",
            f"{cost['elapsed']:.2f}x",
            cost["elapsed"] <= TARGET_COST_2000_VS_1,
        ),
        (
            f"elapsed >= {TARGET_ELAPSED_OPS:,} ops/s on one core (slowest span)",
            f"{min_el:,.0f}",
            min_el >= TARGET_ELAPSED_OPS,
        ),
        (
            f"add >= {TARGET_ADD_OPS:,} ops/s on one core (slowest span)",
            f"{min_add:,.0f}",
            min_add >= TARGET_ADD_OPS,
        ),
    ]
    print("| target | measured | result |")
    print("|---|---:|---|")
    for what, measured, ok in targets:
        print(f"| {what} | {measured} | {'PASS' if ok else 'FAIL'} |")
    print()

    print("## Notes")
    print()
    print(
        "- elapsed ends are servicepolicy's add result for the same start and amount, "
        "so each elapsed call spans exactly the bucket's business hours."
    )
    print(
        "- businesstimedelta treats naive datetimes as UTC, so it gets pytz-localized "
        "Berlin datetimes; it walks the calendar one working day at a time and scans "
        "holidays day by day, so its cost grows with the span."
    )
    print(
        "- pandas CustomBusinessHour adds whole hours only (n * offset, built outside the "
        "timed loop) on local wall time; it has no elapsed API, so elapsed is "
        "len(pd.date_range(a, b, freq=cbh, inclusive='left')): whole business hours, exact "
        "for these whole-hour spans, O(span)."
    )
    print("- the garbage collector is off during timed passes (as in timeit), for every library.")
    print(f"- total run time {time.perf_counter() - wall0:.0f} s; at end: {load_note(own=1.0)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
