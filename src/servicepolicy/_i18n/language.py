"""The :class:`Language` of a text: its messages, and how it writes durations, dates and numbers."""

from __future__ import annotations

import string
import threading
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any, Final, Literal

from .._common.durations import format_duration, parse_duration
from .._common.errors import DurationError
from .._common.messages import N_ as N_
from .._common.messages import TEMPLATES as _TEMPLATES

LANGUAGES: Final = ("en", "ar")
"""The languages of the explanations, reports and messages: English, the default, and Arabic."""

I18N_EXTRA: Final = "pip install 'servicepolicy[i18n]'"

_DURATION_FIELDS: Final = frozenset({"duration", "span"})
MESSAGE_FIELDS: Final = frozenset({"message", "source", "problem", "problems", "reason", "note"})
"""Fields of a template that hold a message of their own, put into the reader's language too."""
_TERM_FIELDS: Final = frozenset({"metric", "meaning"})  # a word of the vocabulary, by itself
MOST_MADE: Final = 2000
"""The longest text :meth:`Language.made` looks for a template in (longer ones stay as they are)."""


N_("{message}; did you mean {near}?")  # the hint of ``_common.errors.did_you_mean``


class Language:
    """How one language writes the parts of an explanation or a report.

    ``hijri`` adds each date in the Umm al-Qura calendar after the Gregorian one
    (``2026-03-20T09:00:00+03:00 / 1 Shawwal 1447``); it needs the ``hijridate`` package."""

    __slots__ = ("_babel", "_catalogue", "code", "direction", "hijri")

    def __init__(
        self,
        code: str,
        catalogue: Mapping[str, str],
        *,
        direction: Literal["ltr", "rtl"] = "ltr",
        hijri: bool = False,
        babel: Any = None,
    ) -> None:
        self.code = code
        self.direction = direction
        self.hijri = hijri
        self._catalogue = dict(catalogue)
        self._babel = babel

    def __repr__(self) -> str:
        return f"Language({self.code!r}, hijri={self.hijri})"

    def with_hijri(self, hijri: bool) -> Language:
        """This language, with Hijri dates beside the Gregorian ones or without."""
        return Language(
            self.code, self._catalogue, direction=self.direction, hijri=hijri, babel=self._babel
        )

    def t(self, message: str, /, **values: object) -> str:
        """``message`` (an English template) in this language, its fields filled in."""
        text = self._catalogue.get(message, message)
        return text.format(**values) if values else text

    def made(self, text: str) -> str:
        """A text made from an :func:`N_` template in English, in this language: the template
        is found by its shape (the one with the most fixed text first), its fields carried
        over.  A field that holds a message (:data:`MESSAGE_FIELDS`) is put into this language
        in turn, a duration is written in its words, a metric's key is translated; any other
        field is a value (a name from the policy, a quoted key) and stays as it is.  A text of
        no known template, or longer than :data:`MOST_MADE` characters, is returned as it is.
        Matching is linear in the text: each field ends where the next fixed text is first
        found."""
        if not self._catalogue or len(text) > MOST_MADE:
            return text
        for shape, template in _known_shapes():
            values = shape.match(text)
            if values is not None:
                fields = {name: self._field(name, value) for name, value in values.items()}
                return self.t(template, **fields)
        return text

    def _field(self, name: str, value: str) -> str:
        if name in _DURATION_FIELDS:
            return self.written_duration(value)
        if name in MESSAGE_FIELDS:
            return self.made(value)
        if name in _TERM_FIELDS:
            return self._catalogue.get(value, value)
        return value

    def written_duration(self, text: str) -> str:
        """A duration as a policy writes it (``4h``, ``1h30m``) in this language's words; any
        other text (``3bd``) as it is."""
        if self._babel is None:
            return text
        try:
            return self.duration(parse_duration(text))
        except DurationError:
            return text

    def join(self, items: list[str]) -> str:
        """Items of a list one after the other: ``a, b`` in English, ``a، b`` in Arabic."""
        return self.t(", ").join(items)

    def duration(self, value: timedelta) -> str:
        """A duration in words: ``2d18h`` in English, ``يومان و18 ساعة`` in Arabic; a part of a
        second is kept (``30.5s``)."""
        if self._babel is None:
            return format_duration(value)
        micros = value // timedelta(microseconds=1)
        seconds, fraction = divmod(abs(micros), 1_000_000)
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        exact_secs = Decimal(secs) + Decimal(fraction).scaleb(-6) if fraction else Decimal(secs)
        units = self._babel.units
        parts = [
            units.format_unit(
                amount, f"duration-{unit}", length="long", locale=self.code, format="#,##0.######"
            )
            for amount, unit in (
                (days, "day"),
                (hours, "hour"),
                (minutes, "minute"),
                (exact_secs.normalize(), "second"),
            )
            if amount
        ] or [units.format_unit(0, "duration-minute", length="long", locale=self.code)]
        text = self._babel.lists.format_list(parts, locale=self.code)
        return self.t("minus {duration}", duration=text) if micros < 0 else str(text)

    def instant(self, moment: datetime | None) -> str:
        """An instant in its own offset: ISO 8601 in English, the locale's pattern in Arabic
        (``2026-03-20 09:00 +03:00``); then the Hijri date when asked for.  ``-`` for none."""
        if moment is None:
            return "-"
        if self._babel is None:
            text = moment.isoformat()
        else:
            pattern = "yyyy-MM-dd HH:mm" + (":ss" if moment.second or moment.microsecond else "")
            pattern += ".SSSSSS" if moment.microsecond else ""
            text = self._babel.dates.format_datetime(
                moment, pattern + " xxx", tzinfo=moment.tzinfo, locale=self.code
            )
        return f"{text} / {self.hijri_date(moment)}" if self.hijri else text

    def day(self, value: date) -> str:
        """A local date: ISO 8601 (``2026-03-20``), then its Hijri date when asked for."""
        text = value.isoformat()
        if self._babel is not None:
            text = self._babel.dates.format_date(value, "yyyy-MM-dd", locale=self.code)
        if self.hijri:
            return f"{text} / {self.hijri_date(datetime.combine(value, time(12)))}"
        return text

    def hijri_date(self, moment: datetime) -> str:
        """The local date of ``moment`` in the Umm al-Qura calendar: ``1 Shawwal 1447``."""
        from .._calendar.sources import HIJRI_RANGE, hijri_module

        hijridate = hijri_module()
        local = moment.date()
        try:
            day = hijridate.Gregorian(local.year, local.month, local.day).to_hijri()
        except (OverflowError, ValueError):
            return self.t("outside the Hijri table ({range})", range=HIJRI_RANGE)
        month = day.month_name("ar" if self.code == "ar" else "en")
        return f"{self._digits(day.day)} {month} {self._digits(day.year)}"

    def _digits(self, value: int) -> str:
        """A whole number as the locale writes it, without grouping (a year)."""
        if self._babel is None:
            return str(value)
        return str(self._babel.numbers.format_decimal(value, format="0", locale=self.code))

    def number(self, value: int | Decimal) -> str:
        """A count or an amount as the locale writes it."""
        if self._babel is None:
            return str(value)
        return str(self._babel.numbers.format_decimal(value, locale=self.code))

    def amount(self, value: Decimal) -> str:
        """An amount of money exactly, every decimal place it has kept (``107.2790``)."""
        if self._babel is None:
            return f"{value:f}"
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return str(
            self._babel.numbers.format_decimal(
                value, format=pattern, locale=self.code, decimal_quantization=False
            )
        )

    def percent(self, value: float | None) -> str:
        """A percentage with two decimals (``97.50%``); ``-`` for none."""
        if value is None:
            return "-"
        if self._babel is None:
            return f"{value:.2f}%"
        return str(
            self._babel.numbers.format_percent(value / 100, format="#,##0.00%", locale=self.code)
        )


class _Shape:
    """The fixed texts of a template, between and around its fields."""

    __slots__ = ("fields", "texts")

    def __init__(self, template: str) -> None:
        texts = [""]
        fields: list[str] = []
        for literal, field, _, _ in string.Formatter().parse(template):
            texts[-1] += literal
            if field is not None:
                fields.append(field)
                texts.append("")
        self.texts = texts
        self.fields = fields

    def match(self, text: str) -> dict[str, str] | None:
        """The fields of ``text`` when it has this shape: it starts and ends with the first
        and last fixed text, and each field (never empty) runs to the first place the next
        fixed text is found.  None otherwise."""
        texts, fields = self.texts, self.fields
        if not fields:
            return {} if text == texts[0] else None
        head, tail = texts[0], texts[-1]
        if not text.startswith(head) or not text.endswith(tail):
            return None
        end = len(text) - len(tail)
        found: dict[str, str] = {}
        at = len(head)
        for field, following in zip(fields[:-1], texts[1:-1], strict=True):
            place = text.find(following, at + 1, end) if following else at + 1
            if place < 0:
                return None
            value = text[at:place]
            if found.setdefault(field, value) != value:
                return None
            at = place + len(following)
        last = text[at:end]
        if not last or found.setdefault(fields[-1], last) != last:
            return None
        return found


_SHAPES: list[tuple[_Shape, str]] = []
_SHAPED = [0]  # how many marked templates _SHAPES was made from


def _known_shapes() -> list[tuple[_Shape, str]]:
    """A shape per template marked so far (more are marked as modules are imported), in the
    order they are tried: first the templates that wrap a message (``{message}; did you mean
    {near}?``), so a hint comes off before its message is read; then the one with the longest
    fixed beginning (an outer message before the one it quotes), then the one with the most
    fixed text: the most specific shape wins."""
    if _SHAPED[0] != len(_TEMPLATES):
        with _LOCK:
            count = len(_TEMPLATES)
            ordered = sorted(dict.fromkeys(_TEMPLATES[:count]), key=_specificity, reverse=True)
            _SHAPES[:] = [(_Shape(template), template) for template in ordered]
            _SHAPED[0] = count
    return _SHAPES


def _specificity(template: str) -> tuple[bool, int, int]:
    parts = list(string.Formatter().parse(template))
    fixed = sum(len(literal) for literal, *_ in parts)
    return template.startswith("{message}"), len(parts[0][0]) if parts else 0, fixed


_LOCK = threading.Lock()
_LOADED: dict[tuple[str, bool], Language] = {}

ENGLISH: Final = Language("en", {})
"""English: the messages as the code writes them, durations as ``2d18h``, ISO 8601 instants."""


def language(code: str, *, hijri: bool = False) -> Language:
    """The :class:`Language` for ``code`` (``en`` or ``ar``); ``ValueError`` for another code,
    or for Arabic without Babel (naming the extra to install)."""
    if code not in LANGUAGES:
        raise ValueError(f"language {code!r}: choose one of {', '.join(LANGUAGES)}")
    found = _LOADED.get((code, hijri))
    if found is None:
        base = _LOADED.get((code, False))
        if base is None:
            base = _LOADED[(code, False)] = ENGLISH if code == "en" else _load(code)
        found = _LOADED[(code, hijri)] = base.with_hijri(hijri)
    return found


def _load(code: str) -> Language:
    babel = _babel()
    return Language(code, read_catalogue(code, babel.read_po), direction="rtl", babel=babel)


def read_catalogue(code: str, read_po: Callable[..., Any]) -> dict[str, str]:
    """The translations in the catalogue ``<code>.po`` of this package, by English message."""
    with resources.files(__package__).joinpath(f"{code}.po").open("rb") as file:
        catalogue = read_po(file, locale=code)
    return {m.id: m.string for m in catalogue if m.id and m.string}


class _Babel:
    """The parts of Babel a language uses, imported once."""

    def __init__(self) -> None:
        from babel import dates, lists, numbers, units
        from babel.messages.pofile import read_po

        self.dates, self.lists, self.numbers, self.units = dates, lists, numbers, units
        self.read_po = read_po


def _babel() -> _Babel:
    try:
        return _Babel()
    except ImportError:
        raise ValueError(f"Arabic output needs the Babel package: {I18N_EXTRA}") from None
