"""``--lang ar`` on explain, report and validate: snapshots of the Arabic text, the policy's
own names untouched, a right-to-left HTML page rendered by Chromium with shaped Arabic, and
English unchanged."""

from __future__ import annotations

import io
import os
import re
from datetime import UTC, datetime

import pytest

from servicepolicy.cli import main
from tests.chromium import chromium, screenshot
from tests.paths import ROOT

pytest.importorskip("babel", reason="Arabic needs Babel: servicepolicy[i18n]")
pytest.importorskip("hijridate", reason="the Riyadh example needs servicepolicy[hijri]")

DATA = ROOT / "tests" / "data" / "i18n"
POLICY = str(ROOT / "policies" / "examples" / "riyadh-service-centre.yaml")
TICKETS = str(DATA / "riyadh.tickets.jsonl")
AS_OF = "2026-06-01T12:00:00+03:00"
UPDATE = os.environ.get("SERVICEPOLICY_UPDATE_SNAPSHOTS") == "1"


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        list(argv),
        stdin=io.StringIO(stdin),
        stdout=out,
        stderr=err,
        environ={},
        now=datetime(2026, 6, 1, tzinfo=UTC),
    )
    return code, out.getvalue(), err.getvalue()


def _matches_snapshot(text: str, name: str) -> None:
    snapshot = DATA / name
    if UPDATE:
        snapshot.write_text(text, encoding="utf-8")
    assert text == snapshot.read_text(encoding="utf-8"), (
        f"{name} is out of date: if the change is intended, run "
        "`SERVICEPOLICY_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/i18n` "
        "and review the diff"
    )


def test_explain_in_arabic_with_both_calendars():
    code, out, _ = run("explain", POLICY, TICKETS, "--as-of", AS_OF, "--lang", "ar", "--hijri")
    assert code == 0
    _matches_snapshot(out, "riyadh.explain.ar.txt")
    # Eid al-Fitr 1447 begins on 20 March 2026: R-101's reply on the 24th is 5 Shawwal
    assert "2026-03-24 09:30 +03:00 / 5 شوال 1447" in out


def test_report_table_in_arabic():
    code, out, _ = run(
        "report", POLICY, TICKETS, "--as-of", AS_OF, "--lang", "ar", "--by", "priority"
    )
    assert code == 0
    _matches_snapshot(out, "riyadh.report.ar.txt")


def test_english_is_the_default_and_unchanged():
    for command in ("explain", "report"):
        plain = run(command, POLICY, TICKETS, "--as-of", AS_OF)
        assert run(command, POLICY, TICKETS, "--as-of", AS_OF, "--lang", "en") == plain
    _, out, _ = run("explain", POLICY, TICKETS, "--as-of", AS_OF)
    assert "first_response: breached (target 1h on calendar riyadh, policy 'vip')" in out


def test_json_and_csv_reports_are_data_the_same_in_every_language():
    for fmt in ("json", "csv"):
        english = run("report", POLICY, TICKETS, "--as-of", AS_OF, "--format", fmt)
        assert (
            run("report", POLICY, TICKETS, "--as-of", AS_OF, "--format", fmt, "--lang", "ar")
            == english
        )


ARABIC_NAMES = """\
servicepolicy: "1"
name: مركز خدمة الرياض
calendars:
  دوام:
    timezone: Asia/Riyadh
    hours: {sun-thu: ["08:00-16:00"]}
sla:
  - name: كبار العملاء
    calendar: دوام
    targets: {first_response: 2h}
"""


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_policys_own_names_pass_through_untouched(tmp_path, lang):
    policy = tmp_path / "policy.yaml"
    policy.write_text(ARABIC_NAMES, encoding="utf-8")
    ticket = '{"id": "ت-1", "created_at": "2026-11-22T09:00:00+03:00", "events": []}\n'
    code, out, _ = run(
        "explain",
        str(policy),
        "-",
        "--as-of",
        "2026-11-22T12:00:00+03:00",
        "--lang",
        lang,
        stdin=ticket,
    )
    assert code == 0
    assert "'كبار العملاء'" in out
    assert "دوام" in out
    assert "ت-1" in out


def test_validate_in_arabic(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text(ARABIC_NAMES.replace("calendars:", "calendar:"), encoding="utf-8")
    code, out, _ = run("validate", str(policy), "--lang", "ar")
    assert code == 1
    assert (
        f"{policy}:3:1: خطأ: مفتاح غير معروف 'calendar'؛ هل تقصد 'calendars'؟ "
        "(في calendar) [unknown-key]" in out
    )
    assert out.endswith("عدد الملفات المفحوصة 1: الأخطاء 1، التنبيهات 0\n")
    # what programs read stays English
    code, out, _ = run("validate", str(policy), "--lang", "ar", "--format", "github")
    assert "unknown key 'calendar'" in out and "1 file(s) checked" in out


def test_arabic_without_babel_is_a_usage_error(monkeypatch):
    import servicepolicy.cli._shared as shared

    def missing(code, hijri=False):
        raise ValueError("Arabic output needs the Babel package: pip install 'servicepolicy[i18n]'")

    monkeypatch.setattr(shared, "language", missing)
    code, out, err = run("explain", POLICY, TICKETS, "--as-of", AS_OF, "--lang", "ar")
    assert (code, out) == (2, "")
    assert "pip install 'servicepolicy[i18n]'" in err


def test_html_report_reads_right_to_left():
    code, page, _ = run(
        "report", POLICY, TICKETS, "--as-of", AS_OF, "--lang", "ar", "--format", "html"
    )
    assert code == 0
    assert page.startswith('<!DOCTYPE html>\n<html lang="ar" dir="rtl">')
    assert "<h1>تقرير مستوى الخدمة</h1>" in page
    assert "<th>نسبة الالتزام</th>" in page
    # charts keep their axes: each svg is laid out left to right
    assert page.count("<svg") == page.count('direction="ltr"') > 0
    _, english, _ = run("report", POLICY, TICKETS, "--as-of", AS_OF, "--format", "html")
    assert english.startswith('<!DOCTYPE html>\n<html lang="en"><head>')
    assert 'direction="ltr"' not in english


def test_arabic_report_renders_in_chromium_with_shaped_letters(tmp_path):
    chromium()
    _, html, _ = run(
        "report", POLICY, TICKETS, "--as-of", AS_OF, "--lang", "ar", "--format", "html"
    )
    report = tmp_path / "report.html"
    report.write_text(html, encoding="utf-8")
    assert screenshot(report, tmp_path / "report.png", size="900,1400") == []
    # Shaped Arabic joins its letters; with a zero-width non-joiner between every two letters
    # each takes its isolated form, so the two pictures differ.  Boxes for missing glyphs
    # would look the same both ways.
    title = "تقرير مستوى الخدمة"
    pictures = []
    for name, text in (("joined", title), ("isolated", "\u200c".join(title))):
        page = tmp_path / f"{name}.html"
        page.write_text(
            f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"></head>'
            f'<body style="margin:0;font:48px sans-serif">{text}</body></html>',
            encoding="utf-8",
        )
        shot = tmp_path / f"{name}.png"
        assert screenshot(page, shot, size="900,200") == []
        pictures.append(shot.read_bytes())
    assert pictures[0] != pictures[1]


def test_html_data_attributes_are_the_same_in_every_language():
    argv = ("report", POLICY, TICKETS, "--as-of", AS_OF, "--format", "html")
    _, english, _ = run(*argv)
    _, arabic, _ = run(*argv, "--lang", "ar")
    attributes = re.compile(r'data-(?:group|metric)="[^"]*"')
    assert attributes.findall(arabic) == attributes.findall(english)
    assert 'data-group="all"' in arabic


def test_json_and_csv_reports_need_no_language_package(monkeypatch):
    import servicepolicy.cli._shared as shared

    def missing(code, hijri=False):
        raise ValueError("Arabic output needs the Babel package: pip install 'servicepolicy[i18n]'")

    monkeypatch.setattr(shared, "language", missing)
    code, out, _ = run(
        "report", POLICY, TICKETS, "--as-of", AS_OF, "--format", "json", "--lang", "ar"
    )
    assert code == 0 and out.startswith("{")


def test_money_in_an_arabic_report_keeps_every_decimal_place(tmp_path):
    # CLF has four decimal places; 5.55% of a fee gives amounts such as 107.2790
    text = (ROOT / "policies" / "examples" / "ecommerce.yaml").read_text(encoding="utf-8")
    assert "currency: EUR" in text
    policy = tmp_path / "clf.yaml"
    policy.write_text(text.replace("currency: EUR", "currency: CLF"), encoding="utf-8")
    tickets = str(ROOT / "policies" / "examples" / "ecommerce.tickets.jsonl")
    argv = ("report", str(policy), tickets, "--as-of", "2026-12-01T00:00:00+01:00")
    _, english, _ = run(*argv)
    _, arabic, _ = run(*argv, "--lang", "ar")
    english_amounts = re.findall(r"\d+\.\d+ CLF", english)
    assert english_amounts
    assert re.findall(r"\d+\.\d+ CLF", arabic) == english_amounts
