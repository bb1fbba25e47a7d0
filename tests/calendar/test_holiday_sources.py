"""Holidays from sources: a country's public holidays (``holidays`` package) and Hijri dates
and months (Umm al-Qura, ``hijridate`` package), worked out for every year the clock needs."""

from __future__ import annotations

import pickle
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from servicepolicy import Calendar, CalendarError
from servicepolicy._calendar import clock_of

pytest.importorskip("holidays")
pytest.importorskip("hijridate")

RIYADH = ZoneInfo("Asia/Riyadh")
BERLIN = ZoneInfo("Europe/Berlin")


def _calendar(zone: str, week: dict[str, list[str]], **rest: object) -> Calendar:
    return Calendar.model_validate({"timezone": zone, "hours": week, **rest})


def _holidays(calendar: Calendar, first: date, last: date) -> dict[date, str]:
    found: dict[date, str] = {}
    day = first
    while day <= last:
        name = calendar.holiday_at(datetime(day.year, day.month, day.day, 12, tzinfo=calendar.zone))
        if name is not None:
            found[day] = name
        day += timedelta(days=1)
    return found


# Saudi Arabia, private sector, from the holidays package's list for SA, checked against the
# Umm al-Qura calendar (1 Shawwal 1447 = 2026-03-20, 1 Shawwal 1448 = 2027-03-09, 10 Dhu
# al-Hijjah 1447 = 2026-05-27, 1448 = 2027-05-16) and the labour law (art. 112: Founding Day
# 22 February, National Day 23 September; Eid holidays from the day after the 29th of
# Ramadan, resp. the Day of Arafah; a holiday on a Friday or Saturday is made up after it).
SA_2026 = {
    date(2026, 2, 22): "Founding Day Holiday",
    date(2026, 3, 19): "Eid al-Fitr Holiday",
    date(2026, 3, 20): "Eid al-Fitr Holiday",
    date(2026, 3, 21): "Eid al-Fitr Holiday",
    date(2026, 3, 22): "Eid al-Fitr Holiday",
    date(2026, 3, 23): "Eid al-Fitr Holiday (observed)",
    date(2026, 3, 24): "Eid al-Fitr Holiday (observed)",
    date(2026, 5, 26): "Day of Arafah",
    date(2026, 5, 27): "Eid al-Adha Holiday",
    date(2026, 5, 28): "Eid al-Adha Holiday",
    date(2026, 5, 29): "Eid al-Adha Holiday",
    date(2026, 5, 31): "Eid al-Adha Holiday (observed)",
    date(2026, 9, 23): "National Day Holiday",
}
SA_2027 = {
    date(2027, 2, 22): "Founding Day Holiday",
    date(2027, 3, 9): "Eid al-Fitr Holiday",
    date(2027, 3, 10): "Eid al-Fitr Holiday",
    date(2027, 3, 11): "Eid al-Fitr Holiday",
    date(2027, 3, 12): "Eid al-Fitr Holiday",
    date(2027, 3, 14): "Eid al-Fitr Holiday (observed)",
    date(2027, 5, 15): "Day of Arafah",
    date(2027, 5, 16): "Eid al-Adha Holiday",
    date(2027, 5, 17): "Eid al-Adha Holiday",
    date(2027, 5, 18): "Eid al-Adha Holiday",
    date(2027, 5, 19): "Eid al-Adha Holiday (observed)",
    date(2027, 9, 23): "National Day Holiday",
}

# Bavaria's statutory holidays (Bayerisches Feiertagsgesetz, Art. 1; the Bavarian State
# Ministry of the Interior's list): Easter Sunday 2026-04-05 and 2027-03-28 (Gauss), so Good
# Friday -2, Easter Monday +1, Ascension +39, Whit Monday +50, Corpus Christi +60.  The
# Assumption (15 August) is a holiday only in the Catholic communes: category 'catholic'.
BY_2026 = {
    date(2026, 1, 1): "New Year's Day",
    date(2026, 1, 6): "Epiphany",
    date(2026, 4, 3): "Good Friday",
    date(2026, 4, 6): "Easter Monday",
    date(2026, 5, 1): "Labor Day",
    date(2026, 5, 14): "Ascension Day",
    date(2026, 5, 25): "Pentecost Monday",
    date(2026, 6, 4): "Corpus Christi",
    date(2026, 10, 3): "German Unity Day",
    date(2026, 11, 1): "All Saints' Day",
    date(2026, 12, 25): "Christmas Day",
    date(2026, 12, 26): "Second Day of Christmas",
}
BY_2027 = {
    date(2027, 1, 1): "New Year's Day",
    date(2027, 1, 6): "Epiphany",
    date(2027, 3, 26): "Good Friday",
    date(2027, 3, 29): "Easter Monday",
    date(2027, 5, 1): "Labor Day",
    date(2027, 5, 6): "Ascension Day",
    date(2027, 5, 17): "Pentecost Monday",
    date(2027, 5, 27): "Corpus Christi",
    date(2027, 10, 3): "German Unity Day",
    date(2027, 11, 1): "All Saints' Day",
    date(2027, 12, 25): "Christmas Day",
    date(2027, 12, 26): "Second Day of Christmas",
}


def test_saudi_arabia_2026_and_2027():
    calendar = _calendar("Asia/Riyadh", {"sun-thu": ["08:00-17:00"]}, holidays=[{"country": "SA"}])
    assert _holidays(calendar, date(2026, 1, 1), date(2027, 12, 31)) == {**SA_2026, **SA_2027}


def test_bavaria_2026_and_2027():
    calendar = _calendar(
        "Europe/Berlin",
        {"mon-fri": ["09:00-17:00"]},
        holidays=[{"country": "DE", "subdivision": "BY"}],
    )
    assert _holidays(calendar, date(2026, 1, 1), date(2027, 12, 31)) == {**BY_2026, **BY_2027}
    monday = datetime(2026, 4, 6, 10, tzinfo=BERLIN)  # Easter Monday
    assert not calendar.is_open(monday)
    assert calendar.next_open(monday) == datetime(2026, 4, 7, 9, tzinfo=BERLIN)


def test_categories_add_the_catholic_assumption():
    catholic = _calendar(
        "Europe/Berlin",
        {"mon-fri": ["09:00-17:00"]},
        holidays=[{"country": "DE", "subdivision": "BY", "categories": ["public", "catholic"]}],
    )
    assert catholic.holiday_at(datetime(2026, 8, 15, 12, tzinfo=BERLIN)) == "Assumption Day"
    public = _calendar(
        "Europe/Berlin",
        {"mon-fri": ["09:00-17:00"]},
        holidays=[{"country": "DE", "subdivision": "BY"}],
    )
    assert public.holiday_at(datetime(2026, 8, 15, 12, tzinfo=BERLIN)) is None


def test_a_dated_entry_overrides_the_country_entry():
    calendar = _calendar(
        "Europe/Berlin",
        {"mon-fri": ["09:00-17:00"]},
        holidays=[
            {"country": "DE", "subdivision": "BY"},
            {"date": "2026-04-03", "name": "Karfreitag, half day", "hours": ["09:00-12:00"]},
        ],
    )
    friday = datetime(2026, 4, 3, 10, tzinfo=BERLIN)
    assert calendar.holiday_at(friday) == "Karfreitag, half day"
    assert calendar.is_open(friday)
    assert calendar.next_close(friday) == datetime(2026, 4, 3, 12, tzinfo=BERLIN)
    assert calendar.holiday_at(datetime(2026, 4, 6, 10, tzinfo=BERLIN)) == "Easter Monday"


def test_an_entry_name_names_every_date_of_the_country():
    calendar = _calendar(
        "Europe/Berlin",
        {"mon-fri": ["09:00-17:00"]},
        holidays=[{"country": "DE", "name": "Feiertag"}],
    )
    assert calendar.holiday_at(datetime(2026, 10, 3, 12, tzinfo=BERLIN)) == "Feiertag"


def test_no_last_year_a_deadline_in_2099():
    calendar = _calendar(
        "Europe/Berlin",
        {"mon-fri": ["09:00-17:00"]},
        holidays=[{"country": "DE", "subdivision": "BY"}],
    )
    # Thu 2099-12-24 16:00 + 2h: one hour on Christmas Eve (a working day), Christmas Day
    # (Fri) and Boxing Day (Sat) and Sunday closed, the second hour on Mon 28th from 09:00.
    start = datetime(2099, 12, 24, 16, tzinfo=BERLIN)
    assert calendar.add(start, timedelta(hours=2)) == datetime(2099, 12, 28, 10, tzinfo=BERLIN)
    # Easter Sunday 2099 is April 12th: Good Friday the 10th, Easter Monday the 13th.
    assert calendar.holiday_at(datetime(2099, 4, 10, 12, tzinfo=BERLIN)) == "Good Friday"
    assert calendar.holiday_at(datetime(2099, 4, 13, 12, tzinfo=BERLIN)) == "Easter Monday"


def test_country_calendars_pickle_and_compare():
    calendar = _calendar(
        "Europe/Berlin",
        {"mon-fri": ["09:00-17:00"]},
        holidays=[{"country": "DE", "subdivision": "BY", "categories": ["public"]}],
    )
    calendar.is_open(datetime(2026, 4, 6, 10, tzinfo=BERLIN))
    copied = pickle.loads(pickle.dumps(calendar))
    assert copied == calendar
    assert pickle.loads(pickle.dumps(clock_of(calendar))).rules == clock_of(calendar).rules
    assert not copied.is_open(datetime(2026, 4, 6, 10, tzinfo=BERLIN))


# Umm al-Qura (the Saudi official calendar, table of King Abdulaziz City for Science and
# Technology, as published at ummulqura.org.sa): 1 Ramadan, 1 Shawwal, 10 Dhu al-Hijjah.
UMM_AL_QURA = {
    1447: (date(2026, 2, 18), date(2026, 3, 20), date(2026, 5, 27)),
    1448: (date(2027, 2, 8), date(2027, 3, 9), date(2027, 5, 16)),
    1449: (date(2028, 1, 28), date(2028, 2, 26), date(2028, 5, 5)),
    1450: (date(2029, 1, 16), date(2029, 2, 14), date(2029, 4, 24)),
}


def _eid_calendar() -> Calendar:
    return _calendar(
        "Asia/Riyadh",
        {"sun-thu": ["08:00-17:00"]},
        holidays=[
            {"hijri": "10-01", "days": 4, "name": "Eid al-Fitr"},
            {"hijri": "12-10", "days": 4, "name": "Eid al-Adha"},
        ],
        seasons=[{"hijri_month": 9, "hours": {"sun-thu": ["10:00-16:00"]}, "name": "Ramadan"}],
    )


@pytest.mark.parametrize("year", sorted(UMM_AL_QURA))
def test_eids_and_ramadan_follow_umm_al_qura(year: int):
    calendar = _eid_calendar()
    ramadan, fitr, adha = UMM_AL_QURA[year]
    found = _holidays(calendar, fitr - timedelta(days=2), fitr + timedelta(days=6))
    assert found == {fitr + timedelta(days=k): "Eid al-Fitr" for k in range(4)}
    found = _holidays(calendar, adha - timedelta(days=2), adha + timedelta(days=6))
    assert found == {adha + timedelta(days=k): "Eid al-Adha" for k in range(4)}
    season = clock_of(calendar).rules.recurring_seasons[0].dates
    days = season.between(ramadan - timedelta(days=5), fitr + timedelta(days=5))
    assert days == [ramadan + timedelta(days=k) for k in range((fitr - ramadan).days)]


def test_ramadan_hours_replace_the_week():
    calendar = _eid_calendar()
    # 2026-02-17 (Tue) is 29 Sha'ban, 2026-02-18 (Wed) 1 Ramadan 1447.
    assert calendar.next_open(datetime(2026, 2, 17, 7, tzinfo=RIYADH)) == datetime(
        2026, 2, 17, 8, tzinfo=RIYADH
    )
    assert calendar.next_open(datetime(2026, 2, 18, 7, tzinfo=RIYADH)) == datetime(
        2026, 2, 18, 10, tzinfo=RIYADH
    )
    assert calendar.next_close(datetime(2026, 2, 18, 11, tzinfo=RIYADH)) == datetime(
        2026, 2, 18, 16, tzinfo=RIYADH
    )


def test_a_deadline_across_eid_al_fitr():
    calendar = _eid_calendar()
    # Thu 2026-03-19 is 30 Ramadan 1447: Ramadan hours 10:00-16:00.  From 14:00, 4 h: two
    # hours that day; Fri 20 to Mon 23 are Eid (and the weekend); Tue 24 08:00 + 2 h.
    start = datetime(2026, 3, 19, 14, tzinfo=RIYADH)
    assert calendar.add(start, timedelta(hours=4)) == datetime(2026, 3, 24, 10, tzinfo=RIYADH)
    assert calendar.elapsed(start, datetime(2026, 3, 24, 10, tzinfo=RIYADH)) == timedelta(hours=4)


def test_outside_the_umm_al_qura_table_is_an_error_at_that_year():
    calendar = _eid_calendar()
    assert calendar.is_open(datetime(2075, 6, 2, 9, tzinfo=RIYADH)) in (True, False)
    with pytest.raises(CalendarError, match=r"1501 AH, needed for 2078.*1343-1500 AH"):
        calendar.is_open(datetime(2078, 6, 1, 9, tzinfo=RIYADH))
    with pytest.raises(CalendarError, match="1343-1500 AH"):
        calendar.is_open(datetime(1920, 6, 1, 9, tzinfo=RIYADH))


def test_hijri_calendars_pickle():
    calendar = _eid_calendar()
    copied = pickle.loads(pickle.dumps(calendar))
    assert copied == calendar
    assert pickle.loads(pickle.dumps(clock_of(calendar))).rules == clock_of(calendar).rules
    assert copied.holiday_at(datetime(2026, 3, 20, 12, tzinfo=RIYADH)) == "Eid al-Fitr"
