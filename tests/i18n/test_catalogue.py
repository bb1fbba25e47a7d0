"""The Arabic catalogue holds every message the code writes, and no other; each translation
keeps the fields of its English template."""

from __future__ import annotations

import string

import pytest

from tests.i18n.messages import english_messages

babel = pytest.importorskip("babel", reason="the catalogue is read with Babel: servicepolicy[i18n]")
from babel.messages.pofile import read_po  # noqa: E402

from servicepolicy._i18n.language import read_catalogue  # noqa: E402


def _fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def test_the_code_writes_messages():
    assert len(english_messages()) > 80


def test_every_message_has_an_arabic_translation_and_every_translation_a_message():
    arabic = read_catalogue("ar", read_po)
    written = english_messages()
    assert sorted(written - set(arabic)) == [], "messages with no Arabic translation"
    assert sorted(set(arabic) - written) == [], "Arabic translations of no message in the code"


def test_a_translation_keeps_the_fields_of_its_template():
    for english, arabic in read_catalogue("ar", read_po).items():
        assert _fields(arabic) == _fields(english), english


def test_every_word_shown_by_value_is_translated():
    # statuses, metrics, segment kinds and severities reach t() as values, not literals
    from typing import get_args

    from servicepolicy._common.vocabulary import Metric
    from servicepolicy._evaluation.results import SegmentKind, Status

    words = {*get_args(Status), *get_args(Metric), *get_args(SegmentKind), "error", "warning"}
    assert sorted(words - set(read_catalogue("ar", read_po))) == []
