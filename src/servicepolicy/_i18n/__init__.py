"""Words in the reader's language: English, as the code writes them, and Arabic.

A :class:`Language` turns a message, a duration, an instant, a number or a percentage into
text.  English is the text in the code itself and needs nothing installed.  Arabic reads its
messages from the gettext catalogue ``ar.po`` beside this module and formats numbers,
durations and dates with Babel's CLDR data (``pip install 'servicepolicy[i18n]'``).

Messages are written once, in English, as ``str.format`` templates with named fields; every
template is passed to :meth:`Language.t` literally, or marked with :func:`N_` where the text is
made in one place and shown in another (a clock rule's note), so the catalogue test can find
them all.  Names from a policy (an SLA entry, a calendar, a status) are values, never
messages: they pass through untouched in both directions.
"""

from .language import ENGLISH, I18N_EXTRA, LANGUAGES, N_, Language, language

__all__ = ["ENGLISH", "I18N_EXTRA", "LANGUAGES", "N_", "Language", "language"]
