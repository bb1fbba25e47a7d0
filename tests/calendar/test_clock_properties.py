"""Property tests: the business-hours clock against itself and against ``reference_clock``.

Calendars are random but valid: split shifts, overnight windows (whose spill never overlaps the
next weekday's first window), holidays with and without special hours, an rrule holiday, a
season.  Each example is built around a "focus" instant, usually a DST transition of its zone
in 2024-2027, and the holidays, the season and the instants cluster within a few days of it.
Comparisons are made in UTC: datetimes sharing a ZoneInfo compare wall clocks, not instants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, note
from hypothesis import strategies as st

from servicepolicy import Calendar, CalendarError
from servicepolicy._common import STEPPING_SEARCH
from tests.oracles.reference_clock import WEEKDAYS, BeyondHorizon, ReferenceCalendar, utc

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",  # 30-minute DST
    "Asia/Kathmandu",  # +05:45
    "Asia/Riyadh",
    "UTC",
)
MINUTE = timedelta(minutes=1)
MICRO = timedelta(microseconds=1)
DAY = timedelta(days=1)


def _transitions(name: str) -> list[datetime]:
    """The UTC instants in 2024-2027 where ``name`` changes its offset, to the minute."""
    zone = ZoneInfo(name)
    found = []
    t = datetime(2024, 1, 1, tzinfo=UTC)
    while t.year < 2028:
        step = t + timedelta(hours=6)
        if step.astimezone(zone).utcoffset() != t.astimezone(zone).utcoffset():
            u = t
            while u.astimezone(zone).utcoffset() == t.astimezone(zone).utcoffset():
                u += MINUTE
            found.append(u)
        t = step
    return found


TRANSITIONS = {name: _transitions(name) for name in ZONES}
assert all(len(TRANSITIONS[n]) == 8 for n in ZONES[:3])

# Minutes after midnight: DST-sensitive hours (01:00-03:30), :45 and :15, and anything at all.
POINTS = st.one_of(
    st.sampled_from(
        [0, 60, 90, 105, 120, 135, 150, 165, 180, 210, 540, 720, 780, 1020, 1425, 1440]
    ),
    st.integers(0, 96).map(lambda quarter: quarter * 15),
    st.integers(0, 1440),
)
DST_POINTS = st.one_of(st.integers(0, 18).map(lambda q: q * 15), st.sampled_from([1440, 1425]))
RRULES = (
    "FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO",
    "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",  # Europe's spring-forward Sunday
    "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",  # America's fall-back Sunday
    "FREQ=WEEKLY;BYDAY=WE",
    "FREQ=MONTHLY;BYMONTHDAY=1",
)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def fmt(windows: list[tuple[int, int]]) -> list[str]:
    return [f"{hhmm(s)}-{hhmm(e)}" for s, e in windows]


@st.composite
def day_windows(draw, most: int = 3, points=POINTS) -> list[tuple[int, int]]:
    """Disjoint same-day windows (possibly adjacent, never overnight), sorted."""
    count = draw(st.integers(0, most))
    cuts = sorted(set(draw(st.lists(points, min_size=2 * count, max_size=2 * count))))
    return [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]


@st.composite
def weeks(draw, points=POINTS) -> dict[str, list[str]]:
    regular = [draw(day_windows(points=points)) for _ in range(7)]
    hours = {}
    for day in range(7):
        windows = list(regular[day])
        following = regular[(day + 1) % 7]
        if windows and draw(st.integers(0, 2)) == 0:
            # make the last window overnight; its spill must end by the next day's first start
            start = windows[-1][0]
            limit = min(start, following[0][0] if following else 1440)
            end = draw(st.one_of(st.sampled_from([0, limit]), st.integers(0, limit)))
            windows[-1] = (start, end)
        if windows or draw(st.booleans()):
            hours[WEEKDAYS[day]] = fmt(windows)
    return hours


@dataclass
class Scenario:
    spec: dict
    cal: Calendar
    ref: ReferenceCalendar
    zone: ZoneInfo
    focus: datetime  # UTC

    def __repr__(self) -> str:
        return f"Scenario(focus={self.focus.isoformat()}, spec={self.spec!r})"


@st.composite
def scenarios(draw, dst: bool = False) -> Scenario:
    """A valid calendar around a focus instant; ``dst``: always a DST transition, with windows
    crowded into the small hours where the transitions are."""
    name = draw(st.sampled_from(ZONES[:3] if dst else ZONES[:3] + ZONES))  # DST zones 2x
    zone = ZoneInfo(name)
    if TRANSITIONS[name] and (dst or draw(st.integers(0, 3))):
        focus = draw(st.sampled_from(TRANSITIONS[name]))
    else:
        focus = draw(
            st.datetimes(datetime(2024, 1, 3), datetime(2027, 12, 28), timezones=st.just(UTC))
        ).replace(second=0, microsecond=0)
    hours = draw(weeks(DST_POINTS if dst else POINTS))
    assume(any(hours.values()))
    spec: dict = {"timezone": name, "hours": hours}
    today = focus.astimezone(zone).date()

    holidays: list[dict] = []
    if draw(st.booleans()):
        holidays.append({"rrule": draw(st.sampled_from(RRULES))})
    taken = ReferenceCalendar({**spec, "holidays": holidays})
    for offset in draw(st.lists(st.integers(-3, 3), max_size=3, unique=True)):
        day = today + timedelta(days=offset)
        if taken.holiday(day) is not None:
            continue  # the rrule already has it; two entries for one date are out of scope
        entry: dict = {"date": day.isoformat(), "name": f"holiday {offset}"}
        if draw(st.booleans()):
            entry["hours"] = fmt(draw(day_windows(most=2)))
        holidays.append(entry)
    if holidays:
        spec["holidays"] = holidays
    if draw(st.integers(0, 2)) == 0:
        first = today + timedelta(days=draw(st.integers(-4, 3)))
        last = first + timedelta(days=draw(st.integers(0, 4)))
        spec["seasons"] = [
            {"from": first.isoformat(), "to": last.isoformat(), "hours": draw(weeks())}
        ]

    ref = ReferenceCalendar(spec)
    nearby = [today + timedelta(days=k) for k in range(-12, 30)]
    assume(sum(bool(ref.windows(day)) for day in nearby) >= 5)  # open most weeks
    # a season boundary can put a spill on top of a window; such calendars are invalid
    assume(not ref.overlapping_dates(nearby))
    return Scenario(spec, Calendar.model_validate(spec), ref, zone, focus)


INPUT_ZONES = (None, UTC, timezone(timedelta(hours=-3, minutes=-30)))


@st.composite
def instants(draw, sc: Scenario, reach: timedelta = timedelta(days=3)) -> datetime:
    """An aware instant within ``reach`` of the focus, often on a whole minute, in the
    calendar's zone or another one."""
    span = reach // MINUTE
    t = sc.focus + draw(st.one_of(st.integers(-span, span), st.integers(-240, 240))) * MINUTE
    kind = draw(st.integers(0, 3))
    if kind == 1:
        t += draw(st.integers(0, 59)) * timedelta(seconds=1)
    elif kind == 2:
        t += draw(st.integers(0, 60_000_000 - 1)) * MICRO
    elif kind == 3:
        t -= MICRO
    shown_in = draw(st.sampled_from(INPUT_ZONES)) or sc.zone
    return t.astimezone(shown_in)


DURATIONS = st.one_of(
    st.just(timedelta(0)),
    st.integers(1, 8 * 60).map(lambda m: m * MINUTE),
    st.integers(1, 8 * 3600 * 10**6).map(lambda us: us * MICRO),
)


def assert_in_zone(result: datetime, sc: Scenario) -> None:
    """Aware, in the calendar's zone, and a real wall time (not in a gap, right fold)."""
    assert result.tzinfo is not None
    assert result.tzinfo == sc.zone or getattr(result.tzinfo, "key", None) == sc.zone.key
    canonical = utc(result).astimezone(sc.zone)
    assert result.replace(tzinfo=None) == canonical.replace(tzinfo=None)
    assert result.utcoffset() == canonical.utcoffset()


def reference(call, *args):
    try:
        return call(*args)
    except BeyondHorizon:
        assume(False)
        raise  # unreachable


# -- the clock equals the reference ------------------------------------------------------------


@given(scenarios(), st.data())
def test_is_open_matches_reference(sc, data):
    for _ in range(25):
        t = data.draw(instants(sc, reach=timedelta(days=4)))
        assert sc.cal.is_open(t) == sc.ref.is_open(t), t


@given(scenarios(), st.data())
def test_elapsed_matches_reference(sc, data):
    a = data.draw(instants(sc))
    b = data.draw(instants(sc))
    expected = sc.ref.elapsed(a, b)
    assert sc.cal.elapsed(a, b) == expected
    assert sc.cal.elapsed(b, a) == -expected


@given(scenarios(), st.data(), DURATIONS, st.integers(0, 2))
def test_add_matches_reference(sc, data, duration, aim):
    start = data.draw(instants(sc))
    if aim == 1:  # aim at the end of a stretch: the deadline uses up a window's last minute
        duration = sc.ref.elapsed(start, reference(sc.ref.next_close, start))
    elif aim == 2:  # aim at any instant, often a window edge
        target = data.draw(instants(sc))
        duration = abs(sc.ref.elapsed(start, target))
    expected = reference(sc.ref.add, start, duration)
    got = sc.cal.add(start, duration)
    assert_in_zone(got, sc)
    assert utc(got) == utc(expected)


@given(scenarios(), st.data())
def test_next_open_and_next_close_match_reference(sc, data):
    t = data.draw(instants(sc))
    opening = sc.cal.next_open(t)
    closing = sc.cal.next_close(t)
    assert_in_zone(opening, sc)
    assert_in_zone(closing, sc)
    assert utc(opening) == utc(reference(sc.ref.next_open, t))
    assert utc(closing) == utc(reference(sc.ref.next_close, t))


@given(scenarios(), st.data(), st.integers(0, 4))
def test_add_business_days_matches_reference(sc, data, days):
    start = data.draw(instants(sc))
    acceptable = reference(sc.ref.add_business_days, start, days)
    got = sc.cal.add_business_days(start, days)
    note(f"got {got!r}, acceptable {acceptable!r}")
    assert_in_zone(got, sc)
    assert utc(got) in acceptable


@given(scenarios(dst=True), st.data(), DURATIONS)
def test_dst_nights_match_reference(sc, data, duration):
    # windows in 00:00-04:30 around a DST transition: every question against the reference
    near = timedelta(hours=14)
    a, b = (data.draw(instants(sc, reach=near)) for _ in range(2))
    assert sc.cal.is_open(a) == sc.ref.is_open(a)
    assert sc.cal.elapsed(a, b) == sc.ref.elapsed(a, b)
    assert utc(sc.cal.add(a, duration)) == utc(reference(sc.ref.add, a, duration))
    assert utc(sc.cal.next_open(a)) == utc(reference(sc.ref.next_open, a))
    assert utc(sc.cal.next_close(a)) == utc(reference(sc.ref.next_close, a))
    assert utc(sc.cal.add_business_days(a, 1)) in reference(sc.ref.add_business_days, a, 1)


# -- properties of the clock alone ---------------------------------------------------------------


LONG_DURATIONS = st.one_of(
    DURATIONS,
    st.integers(0, 60 * 3600 * 10**6).map(lambda us: us * MICRO),
)


@given(scenarios(), st.data(), LONG_DURATIONS)
def test_elapsed_of_add_is_the_duration(sc, data, duration):
    start = data.draw(instants(sc))
    end = sc.cal.add(start, duration)
    assert utc(end) >= utc(start)
    assert sc.cal.elapsed(start, end) == duration
    assert sc.cal.elapsed(end, start) == -duration


@given(scenarios(), st.data())
def test_add_inverts_elapsed(sc, data):
    start, target = sorted((data.draw(instants(sc)), data.draw(instants(sc))), key=utc)
    if data.draw(st.booleans()):
        target = sc.cal.next_close(start)  # a stretch's end: the deadline is exactly there
    duration = sc.cal.elapsed(start, target)
    end = sc.cal.add(start, duration)
    assert utc(start) <= utc(end)
    assert sc.cal.elapsed(start, end) == duration
    if not duration:
        assert utc(end) == utc(sc.cal.next_open(start))  # add(s, 0) may pass the target
        return
    assert utc(end) <= utc(target)
    if utc(target) > utc(start) and sc.cal.is_open(utc(target) - MICRO):
        assert utc(end) == utc(target)


@given(scenarios(), st.data(), LONG_DURATIONS, LONG_DURATIONS)
def test_add_is_monotone_in_the_duration(sc, data, d1, d2):
    start = data.draw(instants(sc))
    d1, d2 = sorted((d1, d2))
    assert utc(sc.cal.add(start, d1)) <= utc(sc.cal.add(start, d2))


@given(scenarios(), st.data(), LONG_DURATIONS)
def test_add_is_monotone_in_the_start(sc, data, duration):
    s1, s2 = sorted((data.draw(instants(sc)), data.draw(instants(sc))), key=utc)
    assert utc(sc.cal.add(s1, duration)) <= utc(sc.cal.add(s2, duration))


@given(scenarios(), st.data())
def test_elapsed_is_additive_and_antisymmetric(sc, data):
    a, b, c = (data.draw(instants(sc)) for _ in range(3))
    ab, bc, ac = sc.cal.elapsed(a, b), sc.cal.elapsed(b, c), sc.cal.elapsed(a, c)
    assert ac == ab + bc
    assert sc.cal.elapsed(b, a) == -ab
    assert sc.cal.elapsed(a, a) == timedelta(0)
    assert timedelta(0) <= abs(ab) <= abs(utc(b) - utc(a))


@given(scenarios(), st.data(), LONG_DURATIONS)
def test_add_ends_in_open_time_or_at_a_window_end(sc, data, duration):
    start = data.draw(instants(sc))
    end = sc.cal.add(start, duration)
    assert_in_zone(end, sc)
    if duration:
        # the last microsecond used was open; ``end`` itself may be the window's end
        assert sc.cal.is_open(utc(end) - MICRO)
        assert sc.ref.is_open(utc(end) - MICRO)
    else:
        assert sc.cal.is_open(end)
        assert sc.ref.is_open(end)
        assert sc.cal.elapsed(start, end) == timedelta(0)


@given(scenarios(), st.data())
def test_next_open_and_next_close_are_consistent(sc, data):
    t = data.draw(instants(sc))
    opening, closing = sc.cal.next_open(t), sc.cal.next_close(t)
    assert utc(t) <= utc(opening) < utc(closing)
    assert sc.cal.is_open(opening)
    assert sc.cal.elapsed(t, opening) == timedelta(0)
    if sc.cal.is_open(t):
        assert utc(opening) == utc(t)
    else:
        assert not sc.cal.is_open(utc(opening) - MICRO)
    assert not sc.cal.is_open(closing)
    assert sc.cal.is_open(utc(closing) - MICRO)
    assert sc.cal.elapsed(opening, closing) == utc(closing) - utc(opening)
    assert utc(sc.cal.next_open(closing)) > utc(closing)
    assert utc(sc.cal.add(t, timedelta(0))) == utc(opening)


@given(scenarios(), st.data(), st.integers(0, 6))
def test_add_business_days_lands_open_on_a_later_date(sc, data, days):
    start = data.draw(instants(sc))
    got = sc.cal.add_business_days(start, days)
    moved = sc.cal.next_open(start).astimezone(sc.zone)
    assert_in_zone(got, sc)
    assert sc.cal.is_open(got)
    assert utc(got) >= utc(moved)
    local = got.astimezone(sc.zone)
    if days == 0:
        assert utc(got) == utc(moved)
        return
    assert local.date() > moved.date()
    # the n-th following date with open time, at the start's wall time, if that is open
    day, counted = moved.date(), 0
    while counted < days:
        day += DAY
        counted += sc.ref.has_open_time(day)
    wall = datetime.combine(day, moved.time().replace(fold=0), tzinfo=sc.zone)
    real = utc(wall).astimezone(sc.zone).replace(tzinfo=None) == wall.replace(tzinfo=None)
    repeated = utc(wall.replace(fold=1)) != utc(wall)
    if real and not repeated and sc.ref.is_open(wall):
        assert local.replace(tzinfo=None) == wall.replace(tzinfo=None)
        assert utc(got) == utc(wall)
    else:
        assert local.date() >= day


@given(scenarios(), st.data(), st.integers(1, 10**9))
def test_negative_duration_is_refused(sc, data, micros):
    with pytest.raises(CalendarError):
        sc.cal.add(data.draw(instants(sc)), -micros * MICRO)


def test_focus_dates_are_transition_days():
    # the generator's bias really points at DST days: spot-check the table it draws from
    berlin = [t.astimezone(ZoneInfo("Europe/Berlin")).date() for t in TRANSITIONS["Europe/Berlin"]]
    assert date(2026, 3, 29) in berlin
    assert date(2026, 10, 25) in berlin
    howe = TRANSITIONS["Australia/Lord_Howe"]
    assert {t.astimezone(ZoneInfo("Australia/Lord_Howe")).utcoffset() for t in howe} == {
        timedelta(hours=10, minutes=30),
        timedelta(hours=11),
    }


@pytest.mark.skipif(
    not STEPPING_SEARCH,
    reason="vacuous on the plain build: its searches are the bisects this compares them with",
)
@given(
    windows=st.integers(1, 24),
    zone=st.sampled_from(ZONES),
    seconds=st.lists(st.integers(-400 * 86400, 2400 * 86400), min_size=1, max_size=40),
)
def test_an_instants_interval_is_found_among_its_days_as_among_all(windows, zone, seconds):
    from bisect import bisect_right

    from servicepolicy._calendar import clock_of

    # ``windows`` half-hour windows an hour apart each weekday, some reaching past midnight UTC.
    day = [f"{hhmm(60 * k)}-{hhmm(60 * k + 30)}" for k in range(windows)]
    calendar = Calendar.model_validate({"timezone": zone, "hours": {"mon-fri": day}})
    clock = clock_of(calendar)
    origin = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000
    index = clock._cover(origin, origin)
    assert index.first_start, "the index has a day table"
    for offset in seconds:
        t = origin + offset * 1_000_000
        assert index.position(t) == bisect_right(index.starts, t)
    for t in (index.starts[0] - 1, index.starts[0], index.ends[-1], index.ends[-1] + 86400e6):
        assert index.position(int(t)) == bisect_right(index.starts, int(t))


@pytest.mark.skipif(
    not STEPPING_SEARCH,
    reason="vacuous on the plain build: its searches are the bisects this compares them with",
)
@given(
    windows=st.integers(1, 24),
    zone=st.sampled_from(ZONES),
    start=st.integers(0, 400 * 86400),
    minutes=st.lists(st.integers(1, 24 * 400), min_size=1, max_size=20),
)
def test_the_interval_reaching_an_amount_is_found_from_a_start_as_among_all(
    windows, zone, start, minutes
):
    from bisect import bisect_left

    from servicepolicy._calendar import clock_of

    day = [f"{hhmm(60 * k)}-{hhmm(60 * k + 30)}" for k in range(windows)]
    calendar = Calendar.model_validate({"timezone": zone, "hours": {"mon-fri": day}})
    clock = clock_of(calendar)
    origin = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000 + start * 1_000_000
    index = clock._cover(origin, origin)
    near = max(index.position(origin) - 1, 0)
    for amount in minutes:
        target = index.open_before(origin) + amount * 60_000_000
        if target > index.cum[-1]:
            continue
        assert index.reaching(target, near) == bisect_left(index.cum, target) - 1
