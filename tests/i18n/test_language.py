"""How each language writes durations, instants, numbers and messages, against hand-written
Arabic (CLDR's plural forms: one, two, few, many)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from servicepolicy._i18n import ENGLISH, N_, language
from tests.missing import without

pytest.importorskip("babel", reason="Arabic needs Babel: servicepolicy[i18n]")

RIYADH = timezone(timedelta(hours=3))
AR = language("ar")


@pytest.mark.parametrize(
    ("span", "english", "arabic"),
    [
        (timedelta(minutes=1), "1m", "دقيقة"),
        (timedelta(minutes=2), "2m", "دقيقتان"),
        (timedelta(minutes=3), "3m", "3 دقائق"),
        (timedelta(minutes=11), "11m", "11 دقيقة"),
        (timedelta(hours=1), "1h", "ساعة"),
        (timedelta(days=2, hours=18), "2d18h", "يومان و18 ساعة"),
        (timedelta(hours=5, minutes=45), "5h45m", "5 ساعات و45 دقيقة"),
        (timedelta(days=1, hours=2, minutes=30), "1d2h30m", "يوم وساعتان و30 دقيقة"),
        (timedelta(0), "0m", "0 دقيقة"),
        (-timedelta(hours=2), "-2h", "سالب ساعتان"),
        (timedelta(seconds=30), "30s", "30 ثانية"),
    ],
)
def test_durations(span, english, arabic):
    assert ENGLISH.duration(span) == english
    assert AR.duration(span) == arabic


def test_instants_keep_their_offset():
    moment = datetime(2026, 3, 20, 9, 5, tzinfo=RIYADH)
    assert ENGLISH.instant(moment) == "2026-03-20T09:05:00+03:00"
    assert AR.instant(moment) == "2026-03-20 09:05 +03:00"
    assert AR.instant(moment.replace(second=7)) == "2026-03-20 09:05:07 +03:00"
    assert AR.instant(None) == ENGLISH.instant(None) == "-"


def test_both_calendars():
    pytest.importorskip("hijridate", reason="Hijri dates need servicepolicy[hijri]")
    # 1 Shawwal 1447 (Eid al-Fitr) is 20 March 2026 in the Umm al-Qura calendar
    moment = datetime(2026, 3, 20, 9, 0, tzinfo=RIYADH)
    assert language("en", hijri=True).instant(moment) == (
        "2026-03-20T09:00:00+03:00 / 1 Shawwal 1447"
    )
    assert language("ar", hijri=True).instant(moment) == "2026-03-20 09:00 +03:00 / 1 شوال 1447"
    # the local date decides: 23:30 in Riyadh on 19 March is still 30 Ramadan
    late = datetime(2026, 3, 19, 20, 30, tzinfo=UTC).astimezone(RIYADH)
    assert language("ar", hijri=True).hijri_date(late) == "30 رمضان 1447"


def test_a_date_outside_the_umm_al_qura_table_says_so():
    pytest.importorskip("hijridate", reason="Hijri dates need servicepolicy[hijri]")
    text = language("en", hijri=True).instant(datetime(2090, 1, 1, tzinfo=UTC))
    assert text.startswith("2090-01-01T00:00:00+00:00 / outside the Hijri table (1343-1500 AH")


def test_numbers_and_percentages():
    assert ENGLISH.percent(97.5) == "97.50%"
    assert ENGLISH.percent(None) == AR.percent(None) == "-"
    assert AR.number(1234) == "1,234"
    assert "97.50" in AR.percent(97.5) and "%" in AR.percent(97.5)


def test_english_messages_are_the_templates_themselves():
    assert ENGLISH.t("due {at} ({how})", at="x", how="y") == "due x (y)"
    assert ENGLISH.made("anything at all") == "anything at all"


def test_a_made_text_is_found_by_its_shape_with_its_fields_translated():
    template = N_("starts {span} of calendar {calendar} after that")
    made = template.format(span="1h30m", calendar="night-desk")
    assert AR.made(made) == "يبدأ بعد ذلك بـساعة و30 دقيقة حسب التقويم night-desk"


def test_the_most_specific_template_wins():
    # "unknown key {key}" alone would take the whole text, hint and all
    made = "unknown key 'calendar'; did you mean 'calendars'?"
    assert AR.made(made) == "مفتاح غير معروف 'calendar'؛ هل تقصد 'calendars'؟"


def test_a_text_of_no_template_passes_through():
    assert AR.made("List should have at least 1 item") == "List should have at least 1 item"


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="choose one of en, ar"):
        language("fr")


def test_arabic_without_babel_names_the_extra(monkeypatch):

    module = sys.modules["servicepolicy._i18n.language"]

    without(monkeypatch, "babel")
    monkeypatch.setattr(module, "_LOADED", {})
    with pytest.raises(ValueError, match=r"pip install 'servicepolicy\[i18n\]'"):
        language("ar")


def test_a_name_in_a_made_text_is_never_translated():
    # a calendar called "paused": the note is Arabic, the name stays as the policy wrote it
    made = "starts 15m of calendar paused after that"
    assert AR.made(made) == "يبدأ بعد ذلك بـ15 دقيقة حسب التقويم paused"
    assert AR.made("paused") == "متوقف مؤقتًا"  # the word alone is a status of the vocabulary


def test_an_outer_message_is_read_before_the_one_it_quotes():
    made = "paused while the status is 'x' (its own pause_on)"
    assert AR.made(made) == "يتوقف مؤقتًا ما دامت الحالة 'x' (قاعدة pause_on: قاعدته الخاصة)"


def test_matching_is_linear_in_the_text():
    # texts repeating a template's fixed words without its shape once took exponential time
    near_miss = "x: y (z) is shorter than the higher priority w (" * 40
    assert AR.made(near_miss) == near_miss
    assert AR.made("a" * 5000) == "a" * 5000  # over the length looked at: as it is


@pytest.mark.parametrize(
    ("span", "arabic"),
    [
        (timedelta(seconds=59.9), "59.9 ثانية"),
        (timedelta(seconds=0.5), "0.5 ثانية"),
        (-timedelta(seconds=0.5), "سالب 0.5 ثانية"),
        (timedelta(minutes=1, microseconds=250), "دقيقة و0.00025 ثانية"),
    ],
)
def test_a_part_of_a_second_is_kept(span, arabic):
    assert AR.duration(span) == arabic


def test_an_instant_keeps_its_microseconds():
    moment = datetime(2026, 3, 20, 9, 5, 7, 120000, tzinfo=RIYADH)
    assert AR.instant(moment) == "2026-03-20 09:05:07.120000 +03:00"


@pytest.mark.parametrize(
    ("amount", "english", "arabic"),
    [
        (Decimal("107.2790"), "107.2790", "107.2790"),
        (Decimal("120.00"), "120.00", "120.00"),
        (Decimal("0.0005"), "0.0005", "0.0005"),
        (Decimal("1234567.5"), "1234567.5", "1,234,567.5"),
        (Decimal("12"), "12", "12"),
    ],
)
def test_an_amount_is_written_exactly(amount, english, arabic):
    assert ENGLISH.amount(amount) == english
    assert AR.amount(amount) == arabic
