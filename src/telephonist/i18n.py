"""Translations (WEB-6): messages are written in English in the code and templates; the
French catalogue uses the guide's own words. Catalogues are compiled in memory from the
.po files at first use, so there is no build step and no binary file in the repository."""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES_DIR = Path(__file__).parent / "locales"
SUPPORTED = ("en", "fr")


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalogue for "fr" or "en" (English needs none: msgids are English)."""
    po_file = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po_file.exists():
        return gettext.NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def gettext_for(language: str) -> gettext.NullTranslations:
    """Translations for a portal language code, English when unknown."""
    return translations(language if language in SUPPORTED else "en")
