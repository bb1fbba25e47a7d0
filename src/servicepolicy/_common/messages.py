"""The marker of a message made in one place and read in another: :func:`N_`.

A message is written in English as a ``str.format`` template with named fields.  Where the
text is made in one place (a finding of the policy checks, a clock rule's note) and shown in
another, in the reader's language, the template is marked with ``N_`` where it is defined;
``servicepolicy._i18n`` finds the template of a made text again by its shape.  The marker
lives here, at the bottom of the layers, so that every layer can mark its messages.
"""

from __future__ import annotations

TEMPLATES: list[str] = []
"""Every template marked so far, in the order the modules marking them were imported."""


def N_(message: str) -> str:
    """Mark ``message`` as a template whose text is made in one place (in English) and read
    in another, where ``Language.made`` puts it into the reader's language."""
    TEMPLATES.append(message)
    return message
