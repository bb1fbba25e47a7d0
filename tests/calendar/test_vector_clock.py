"""``Calendar.add_many`` and ``Calendar.elapsed_many`` against the scalar clock.

Every element of an array answer must equal what ``Calendar.add`` / ``Calendar.elapsed`` return
for that element: on random calendars around DST transitions (the generator of
``test_clock_properties``), on the example policies' calendars and fixed calendars with
overnight shifts and holidays, at year ends across 1900-2199, on fresh calendars whose index
must grow, and in every accepted input form.  Then hand-computed cases and the errors.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from servicepolicy import Calendar, CalendarError
from servicepolicy._calendar import vector
from servicepolicy._common.instants import END_US, FIRST_US, to_micros
from tests.calendar.test_clock_properties import (
    DURATIONS,
    TRANSITIONS,
    Scenario,
    instants,
    scenarios,
)
from tests.paths import EXAMPLES

US = 1_000_000
HOUR = 3600 * US
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
FEW = settings(max_examples=40)


def as_micros(moments: list[datetime]) -> np.ndarray:
    return np.array([to_micros(m) for m in moments], dtype=np.int64)


def expected_adds(cal: Calendar, starts: list[int], amounts: list[int]) -> list[int]:
    return [
        to_micros(cal.add(utc(s), timedelta(microseconds=a)))
        for s, a in zip(starts, amounts, strict=True)
    ]


def expected_elapsed(cal: Calendar, starts: list[int], ends: list[int]) -> list[int]:
    return [
        cal.elapsed(utc(a), utc(b)) // timedelta(microseconds=1)
        for a, b in zip(starts, ends, strict=True)
    ]


def utc(micros: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(micros))


def in_form(micros: np.ndarray, form: str):
    """The same UTC instants in one of the accepted input forms."""
    if form == "int64":
        return micros
    if form == "datetime64[us]":
        return micros.view("datetime64[us]")
    if form == "datetime64[ns]":
        return micros.view("datetime64[us]").astype("datetime64[ns]")
    if form == "arrow":
        return pa.array(micros, pa.timestamp("us", tz="America/New_York"))
    raise AssertionError(form)


FORMS = st.sampled_from(["int64", "datetime64[us]", "datetime64[ns]", "arrow"])


# -- random calendars around DST transitions ---------------------------------------------------


@st.composite
def add_cases(draw, sc: Scenario) -> tuple[list[int], list[int]]:
    """Starts near the focus and amounts: zero, minutes, microseconds, or exactly to the end
    of an open stretch (a deadline that uses up a window's last minute)."""
    starts, amounts = [], []
    for _ in range(draw(st.integers(1, 12))):
        start = draw(instants(sc))
        if draw(st.integers(0, 3)) == 0:
            amount = sc.cal.elapsed(start, sc.cal.next_close(start))
        else:
            amount = draw(DURATIONS)
        starts.append(to_micros(start))
        amounts.append(amount // timedelta(microseconds=1))
    return starts, amounts


@FEW
@given(scenarios(), st.data(), FORMS)
def test_add_many_equals_add(sc, data, form):
    starts, amounts = data.draw(add_cases(sc))
    got = sc.cal.add_many(in_form(np.array(starts, dtype=np.int64), form), np.array(amounts))
    assert got.dtype == np.dtype("datetime64[us]")
    assert got.view(np.int64).tolist() == expected_adds(sc.cal, starts, amounts)


@FEW
@given(scenarios(), st.data(), FORMS)
def test_elapsed_many_equals_elapsed(sc, data, form):
    k = data.draw(st.integers(1, 12))
    starts = [to_micros(data.draw(instants(sc))) for _ in range(k)]
    ends = [to_micros(data.draw(instants(sc))) for _ in range(k)]
    got = sc.cal.elapsed_many(in_form(np.array(starts), form), np.array(ends))
    assert got.dtype == np.dtype("timedelta64[us]")
    assert got.view(np.int64).tolist() == expected_elapsed(sc.cal, starts, ends)


@FEW
@given(scenarios(dst=True), st.data())
def test_dst_nights_equal_the_scalar_clock(sc, data):
    starts, amounts = data.draw(add_cases(sc))
    ends = [to_micros(data.draw(instants(sc, reach=timedelta(hours=14)))) for _ in starts]
    fresh = Calendar.model_validate(sc.spec)  # its index grows under the arrays
    got = fresh.add_many(np.array(starts).view("datetime64[us]"), np.array(amounts))
    assert got.view(np.int64).tolist() == expected_adds(sc.cal, starts, amounts)
    spent = fresh.elapsed_many(np.array(starts), np.array(ends))
    assert spent.view(np.int64).tolist() == expected_elapsed(sc.cal, starts, ends)


# -- fixed calendars over the supported years ----------------------------------------------------


def _example_calendars() -> dict[str, dict]:
    found = {}
    for path in sorted(EXAMPLES.glob("*.yaml")):
        for name, spec in (yaml.safe_load(path.read_text()).get("calendars") or {}).items():
            found[f"{path.stem}/{name}"] = spec
    return found


SPECS: dict[str, dict] = {
    **_example_calendars(),
    "berlin-night": {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": ["22:00-06:00"], "sun": ["01:00-04:00"]},
        "holidays": [
            {"date": "2026-12-25"},
            {"date": "2026-12-31", "hours": ["10:00-12:00"]},
            {"rrule": "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1"},
        ],
    },
    "new-york-small-hours": {
        "timezone": "America/New_York",
        "hours": {"daily": ["00:00-01:30", "21:00-24:00"]},
        "holidays": [{"rrule": "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "hours": ["01:00-02:00"]}],
    },
    "utc-24/7": {"timezone": "UTC", "hours": {"daily": ["00:00-24:00"]}},
    # one-minute windows beside long ones: too many interval starts for a few steps
    "irregular": {
        "timezone": "Asia/Kathmandu",
        "hours": {
            "mon": [
                "00:00-00:01",
                "00:02-00:03",
                "00:04-00:05",
                "00:06-00:07",
                "00:08-00:09",
                "00:10-00:11",
                "00:12-00:13",
                "00:14-00:15",
                "09:00-17:00",
            ],
            "thu": ["12:00-12:01"],
        },
    },
}
CALENDARS = {name: Calendar.model_validate(spec) for name, spec in SPECS.items()}
assert len(CALENDARS) >= 9, "the example policies' calendars are here"

DST_DAYS = [t for zone in ("Europe/Berlin", "America/New_York") for t in TRANSITIONS[zone]]
LAST_START = datetime(2199, 6, 1, tzinfo=UTC)  # 2,000 h later is still inside 2199


@st.composite
def far_instants(draw, years: tuple[int, int] = (1901, 2198)) -> int:
    """Microseconds: around a year's end, around a DST change, or (over the whole of
    ``years``) anywhere."""
    kind = draw(st.integers(0, 2))
    if kind == 0:
        lo = to_micros(datetime(years[0], 1, 1, tzinfo=UTC))
        return draw(
            st.integers(
                lo, min(to_micros(datetime(years[1], 12, 31, tzinfo=UTC)), to_micros(LAST_START))
            )
        )
    if kind == 1:
        new_year = datetime(draw(st.integers(*years)), 1, 1, tzinfo=UTC)
        return to_micros(new_year) + draw(st.integers(-3 * 24 * HOUR, 3 * 24 * HOUR))
    return to_micros(draw(st.sampled_from(DST_DAYS))) + draw(st.integers(-30 * HOUR, 30 * HOUR))


AMOUNTS = st.one_of(
    st.just(0),
    st.integers(1, 8 * 60).map(lambda m: m * 60 * US),
    st.integers(1, 2000).map(lambda h: h * HOUR),
    st.integers(1, 2000 * HOUR),
)


@FEW
@given(st.sampled_from(sorted(SPECS)), st.booleans(), st.data())
def test_fixed_calendars_equal_the_scalar_clock(name, fresh, data):
    # A fresh calendar grows its index under the arrays; it gets instants of a few decades
    # (an index of all 300 years takes most of a second to build).
    # The Riyadh calendar's Hijri holidays are known for 1924-2077 (the Umm al-Qura table).
    whole = (1926, 2074) if name.startswith("riyadh") else (1901, 2198)
    near = far_instants((2020, 2035) if fresh else whole)
    rows = data.draw(st.lists(st.tuples(near, AMOUNTS, near), min_size=1, max_size=12))
    starts, amounts, ends = (list(column) for column in zip(*rows, strict=True))
    cal = Calendar.model_validate(SPECS[name]) if fresh else CALENDARS[name]
    got = cal.add_many(np.array(starts).view("datetime64[us]"), np.array(amounts))
    assert got.view(np.int64).tolist() == expected_adds(CALENDARS[name], starts, amounts)
    spent = cal.elapsed_many(np.array(starts), np.array(ends).view("datetime64[us]"))
    assert spent.view(np.int64).tolist() == expected_elapsed(CALENDARS[name], starts, ends)


@pytest.mark.parametrize("most_steps", [-1, 6, 10**9], ids=["searchsorted", "default", "stepping"])
def test_a_large_array_equals_the_scalar_clock(most_steps, monkeypatch):
    # both ways of searching the index: numpy's searchsorted, and stepping from a bucket table
    monkeypatch.setattr(vector, "_MOST_STEPS", most_steps)
    monkeypatch.setattr(vector, "_cache", {})
    rng = np.random.default_rng(7)
    lo, hi = (
        to_micros(datetime(2025, 6, 1, tzinfo=UTC)),
        to_micros(datetime(2028, 6, 1, tzinfo=UTC)),
    )
    starts = rng.integers(lo, hi, 5000)
    amounts = rng.integers(0, 300 * HOUR, 5000)
    amounts[::5] = 0
    amounts[1::5] = rng.integers(1, 40, 1000) * HOUR
    names = ("saas-support/support-eu", "berlin-night", "new-york-small-hours", "irregular")
    for name in names:
        cal = Calendar.model_validate(SPECS[name])
        got = cal.add_many(starts, amounts).view(np.int64).tolist()
        assert got == expected_adds(cal, starts.tolist(), amounts.tolist()), name
        spent = cal.elapsed_many(starts, starts[::-1]).view(np.int64).tolist()
        assert spent == expected_elapsed(cal, starts.tolist(), starts[::-1].tolist()), name


# -- input forms --------------------------------------------------------------------------------

OFFICE = Calendar.model_validate(
    {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": ["09:00-17:00"]},
        "holidays": [{"date": "2026-12-25"}, {"rrule": "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=1"}],
    }
)
WHOLE_MINUTES = as_micros(
    [
        datetime(2026, 3, 2, 16, 0, tzinfo=BERLIN),
        datetime(2026, 3, 7, 12, 0, tzinfo=BERLIN),
        datetime(2026, 3, 29, 1, 59, tzinfo=BERLIN),
        datetime(2026, 12, 31, 16, 30, tzinfo=BERLIN),
    ]
)


@pytest.mark.parametrize(
    "starts",
    [
        WHOLE_MINUTES,
        (WHOLE_MINUTES // (60 * US)).astype("datetime64[m]"),
        WHOLE_MINUTES.view("datetime64[us]"),
        WHOLE_MINUTES.view("datetime64[us]").astype("datetime64[m]"),
        WHOLE_MINUTES.view("datetime64[us]").astype("datetime64[s]"),
        WHOLE_MINUTES.view("datetime64[us]").astype("datetime64[ms]"),
        WHOLE_MINUTES.view("datetime64[us]").astype("datetime64[ns]"),
        pa.array(WHOLE_MINUTES, pa.timestamp("us", tz="Europe/Berlin")),
        pa.array(WHOLE_MINUTES // US, pa.timestamp("s", tz="UTC")),
        pa.array(WHOLE_MINUTES * 1000, pa.timestamp("ns")),  # naive: read as UTC
        pa.chunked_array(
            [
                pa.array(WHOLE_MINUTES[:1], pa.timestamp("us", tz="Asia/Tokyo")),
                pa.array(WHOLE_MINUTES[1:], pa.timestamp("us", tz="Asia/Tokyo")),
            ]
        ),
        [int(m) for m in WHOLE_MINUTES],
    ],
    ids=lambda value: (
        type(value).__name__ + str(getattr(value, "dtype", getattr(value, "type", "")))
    ),
)
@pytest.mark.parametrize(
    "amounts",
    [
        timedelta(hours=2),
        np.timedelta64(2, "h"),
        np.full(4, 2 * HOUR),
        np.full(4, 2, dtype="timedelta64[h]"),
        np.full(4, 7200, dtype="timedelta64[s]"),
        np.full(4, 7200 * 10**9, dtype="timedelta64[ns]"),
        pa.array([7200] * 4, pa.duration("s")),
    ],
    ids=repr,
)
def test_every_input_form_gives_the_same_answers(starts, amounts):
    want = expected_adds(OFFICE, WHOLE_MINUTES.tolist(), [2 * HOUR] * 4)
    assert OFFICE.add_many(starts, amounts).view(np.int64).tolist() == want
    ends = np.array(want).view("datetime64[us]")
    spent = OFFICE.elapsed_many(starts, ends)
    assert spent.tolist() == [timedelta(hours=2)] * 4


def test_naive_datetime64_is_read_as_utc():
    naive = np.array(["2026-03-02T15:00"], dtype="datetime64[m]")  # 16:00 in Berlin
    assert OFFICE.add_many(naive, timedelta(hours=1))[0] == np.datetime64("2026-03-02T16:00")


def test_arrays_broadcast_and_keep_their_shape():
    grid = WHOLE_MINUTES.reshape(2, 2)
    hours = np.array([1, 2], dtype="timedelta64[h]")
    got = OFFICE.add_many(grid, hours)
    assert got.shape == (2, 2)
    flat = expected_adds(OFFICE, WHOLE_MINUTES.tolist(), [HOUR, 2 * HOUR] * 2)
    assert got.view(np.int64).ravel().tolist() == flat
    assert OFFICE.elapsed_many(grid, grid).shape == (2, 2)


def test_empty_arrays_give_empty_answers():
    none = np.array([], dtype="datetime64[us]")
    assert OFFICE.add_many(none, timedelta(hours=1)).dtype == np.dtype("datetime64[us]")
    assert OFFICE.add_many(none, timedelta(hours=1)).shape == (0,)
    assert OFFICE.elapsed_many(none, none).dtype == np.dtype("timedelta64[us]")


# -- hand-computed cases --------------------------------------------------------------------------

ALWAYS_BERLIN = Calendar.model_validate(
    {"timezone": "Europe/Berlin", "hours": {"daily": ["00:00-24:00"]}}
)
NIGHT = Calendar.model_validate(
    {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": ["22:00-06:00"]},
        "holidays": [{"date": "2026-12-25"}, {"date": "2026-12-31", "hours": ["10:00-12:00"]}],
    }
)
SMALL_HOURS_NY = Calendar.model_validate(
    {"timezone": "America/New_York", "hours": {"daily": ["00:00-01:30"]}}
)


def b(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("cal", "start", "amount", "answer"),
    [
        # a deadline that uses up a window's last minute is that window's end
        (OFFICE, b(2026, 3, 2, 16), timedelta(hours=1), b(2026, 3, 2, 17)),
        (OFFICE, b(2026, 3, 2, 16), timedelta(hours=2), b(2026, 3, 3, 10)),
        # adding nothing: an open start stays, a closed one moves to the next opening
        (OFFICE, b(2026, 3, 2, 17), timedelta(0), b(2026, 3, 3, 9)),
        (OFFICE, b(2026, 3, 7, 12), timedelta(0), b(2026, 3, 9, 9)),
        (OFFICE, b(2026, 3, 2, 9, 30), timedelta(0), b(2026, 3, 2, 9, 30)),
        # across the year's end: 31 December, New Year's Day (a Friday holiday), the weekend
        (OFFICE, b(2026, 12, 31, 16, 30), timedelta(hours=1), b(2027, 1, 4, 9, 30)),
        # across the spring-forward night: 24 business hours end an hour later on the wall
        (ALWAYS_BERLIN, b(2026, 3, 28, 12), timedelta(hours=24), b(2026, 3, 29, 13)),
        # the night shift into a holiday stops at midnight; the next shift is Monday's
        (NIGHT, b(2026, 12, 24, 23), timedelta(hours=2), b(2026, 12, 28, 23)),
        (NIGHT, b(2026, 12, 30, 23), timedelta(hours=2), b(2026, 12, 31, 11)),
    ],
)
def test_hand_computed_adds(cal, start, amount, answer):
    got = cal.add_many(as_micros([start]), amount)
    assert got.tolist() == [answer.astimezone(UTC).replace(tzinfo=None)]
    assert utc(got.view(np.int64)[0]) == cal.add(start, amount)


@pytest.mark.parametrize(
    ("cal", "start", "end", "spent"),
    [
        (OFFICE, b(2026, 3, 2, 10), b(2026, 3, 4, 11), timedelta(hours=17)),
        (OFFICE, b(2026, 3, 4, 11), b(2026, 3, 2, 10), -timedelta(hours=17)),
        (ALWAYS_BERLIN, b(2026, 3, 29), b(2026, 3, 30), timedelta(hours=23)),
        (ALWAYS_BERLIN, b(2026, 10, 25), b(2026, 10, 26), timedelta(hours=25)),
        (ALWAYS_BERLIN, b(2025, 12, 31, 23), b(2026, 1, 1, 1), timedelta(hours=2)),
        (
            SMALL_HOURS_NY,
            datetime(2026, 11, 1, tzinfo=NEW_YORK),
            datetime(2026, 11, 2, tzinfo=NEW_YORK),
            timedelta(hours=2),
        ),
        (
            SMALL_HOURS_NY,
            datetime(2026, 3, 8, tzinfo=NEW_YORK),
            datetime(2026, 3, 9, tzinfo=NEW_YORK),
            timedelta(hours=1, minutes=30),
        ),
        (NIGHT, b(2026, 12, 24, 12), b(2026, 12, 29, 12), timedelta(hours=2 + 8)),
    ],
)
def test_hand_computed_elapsed(cal, start, end, spent):
    got = cal.elapsed_many(as_micros([start]), as_micros([end]))
    assert got.tolist() == [spent]
    assert cal.elapsed(start, end) == spent


# -- errors ---------------------------------------------------------------------------------------


def test_an_instant_outside_the_supported_years_names_the_first_one():
    good = to_micros(datetime(2026, 1, 1, tzinfo=UTC))
    starts = np.array([good, good, FIRST_US - 1, END_US], dtype=np.int64)
    with pytest.raises(CalendarError, match=r"starts\[2\] = 1899-12-31T23:59:59.999999 is outside"):
        OFFICE.add_many(starts, timedelta(hours=1))
    with pytest.raises(ValueError, match=r"ends\[3\] = 2200-01-01T00:00:00.000000 is outside"):
        OFFICE.elapsed_many(np.full(4, good), starts[[0, 1, 0, 3]])
    years = np.array(["2026", "2200"], dtype="datetime64[Y]")
    with pytest.raises(CalendarError, match=r"starts\[1\] = 2200 is outside .* 1900-2199"):
        OFFICE.elapsed_many(years, years[:1])
    assert OFFICE.elapsed_many(np.array([FIRST_US, END_US - 1]), FIRST_US).shape == (2,)


def test_missing_and_inexact_instants_are_refused():
    with pytest.raises(ValueError, match=r"starts\[1\] is NaT"):
        OFFICE.add_many(np.array(["2026-01-05", "NaT"], dtype="datetime64[s]"), timedelta(0))
    with pytest.raises(ValueError, match=r"ends\[0\] is NaT"):
        OFFICE.elapsed_many(WHOLE_MINUTES[:1], pa.array([None], pa.timestamp("us", tz="UTC")))
    inexact = np.array(["2026-01-05T10:00:00.000000001"], dtype="datetime64[ns]")
    with pytest.raises(ValueError, match=r"starts\[0\] = .* not a whole number of microseconds"):
        OFFICE.add_many(inexact, timedelta(0))


def test_a_negative_amount_is_refused_as_add_refuses_it():
    with pytest.raises(CalendarError, match="cannot add a negative duration"):
        OFFICE.add(b(2026, 1, 5, 10), timedelta(microseconds=-1))
    amounts = np.array([1, 0, -1, -5], dtype="timedelta64[us]")
    with pytest.raises(CalendarError, match=r"cannot add a negative duration \(amounts\[2\]"):
        OFFICE.add_many(WHOLE_MINUTES, amounts)


@pytest.mark.parametrize(
    ("starts", "amounts", "message"),
    [
        (WHOLE_MINUTES.astype(float), timedelta(0), "starts must be datetime64 .* float64"),
        ([b(2026, 1, 5)], timedelta(0), "starts must be datetime64 .* object"),
        (pa.array([1, 2]), timedelta(0), "starts must be an Arrow timestamp .* int64"),
        (WHOLE_MINUTES, np.array([1], "timedelta64[M]"), "fixed length of time"),
        (WHOLE_MINUTES, 1.5, "amounts must be timedelta64"),
    ],
)
def test_other_types_are_refused(starts, amounts, message):
    with pytest.raises(TypeError, match=message):
        OFFICE.add_many(starts, amounts)


def test_shapes_that_do_not_match_are_refused():
    with pytest.raises(ValueError, match=r"shapes \(4,\) and \(3,\), which do not match"):
        OFFICE.add_many(WHOLE_MINUTES, np.zeros(3, dtype=np.int64))


def test_an_answer_the_scalar_clock_refuses_is_refused_with_its_index():
    once = Calendar.model_validate(
        {
            "timezone": "UTC",
            "hours": {},
            "holidays": [{"date": "2026-01-05", "hours": ["09:00-10:00"]}],
        }
    )
    starts = as_micros([datetime(2026, 1, 5, 9, 30, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)])
    with pytest.raises(CalendarError) as scalar:
        once.add(utc(starts[1]), timedelta(hours=1))
    with pytest.raises(CalendarError) as refused:
        once.add_many(starts, np.array([10, 60], dtype="timedelta64[m]"))
    assert str(refused.value) == f"{scalar.value} (starts[1], amounts[1])"
    assert once.add_many(starts[:1], timedelta(minutes=10)).tolist() == [
        datetime(2026, 1, 5, 9, 40)
    ]
    # long after its only open hour, the index holds no interval at all
    later = as_micros([datetime(2031, 3, 1, tzinfo=UTC), datetime(2031, 4, 1, tzinfo=UTC)])
    fresh = Calendar.model_validate(once.model_dump(by_alias=True))
    assert fresh.elapsed_many(later, later[::-1]).tolist() == [timedelta(0)] * 2
    with pytest.raises(CalendarError) as scalar:
        once.add(utc(later[0]), timedelta(0))
    with pytest.raises(CalendarError) as refused_later:
        fresh.add_many(later, timedelta(0))
    assert str(refused_later.value) == f"{scalar.value} (starts[0], amounts[0])"


def test_an_answer_past_the_last_year_is_refused_as_add_refuses_it():
    always = Calendar.model_validate({"timezone": "UTC", "hours": {"daily": ["00:00-24:00"]}})
    start = datetime(2199, 12, 1, tzinfo=UTC)
    with pytest.raises(CalendarError) as scalar:
        always.add(start, timedelta(days=800))
    fresh = Calendar.model_validate({"timezone": "UTC", "hours": {"daily": ["00:00-24:00"]}})
    with pytest.raises(CalendarError) as refused:
        fresh.add_many(as_micros([start, start]), np.array([1, 800], dtype="timedelta64[D]"))
    assert str(refused.value) == f"{scalar.value} (starts[1], amounts[1])"


def test_missing_numpy_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "numpy", None)  # ``import numpy`` now fails
    with pytest.raises(ImportError, match=r"pip install 'servicepolicy\[arrow\]'"):
        OFFICE.add_many([0], 0)
    with pytest.raises(ImportError, match=r"pip install 'servicepolicy\[arrow\]'"):
        OFFICE.elapsed_many([0], [0])


def test_importing_the_library_does_not_import_numpy():
    code = (
        "import sys, servicepolicy, servicepolicy._calendar.vector\n"
        "assert 'numpy' not in sys.modules and 'pyarrow' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
