"""WEB-6: every message the portal and the e-mails can show exists in French, with the
same placeholders; the French words are the guide's."""

from __future__ import annotations

import re

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from telephonist.i18n import LOCALES_DIR, gettext_for, translations
from tests.support import REPO

KEYWORDS = {"_": None, "N_": None, "_translate": (2,)}
METHODS = [
    ("src/**.py", "python"),
    ("src/telephonist/**/templates/**.html", "jinja2"),
    ("src/telephonist/mail/templates/**.txt", "jinja2"),
]
OPTIONS = {
    "**.html": {"extensions": "jinja2.ext.i18n"},
    "**.txt": {"extensions": "jinja2.ext.i18n"},
}


def messages_in_the_code() -> set[str]:
    found = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
        str(REPO), method_map=METHODS, options_map=OPTIONS, keywords=KEYWORDS
    ):
        if isinstance(message, str) and message:
            found.add(message)
    return found


def french_catalog() -> Catalog:
    with (LOCALES_DIR / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def test_every_message_has_a_french_translation() -> None:
    catalog = french_catalog()
    untranslated = sorted(
        message
        for message in messages_in_the_code()
        if not (catalog.get(message) and catalog[message].string)
    )
    assert untranslated == [], "run scripts/update-translations.sh and translate these"


def test_translations_keep_their_placeholders() -> None:
    catalog = (LOCALES_DIR / "fr" / "LC_MESSAGES" / "messages.po").read_text()
    french = translations("fr")
    for message in re.findall(r'^msgid "(.+%\(\w+\)\w.*)"$', catalog, re.MULTILINE):
        text = message.replace('\\"', '"')
        assert sorted(re.findall(r"%\(\w+\)\w", french.gettext(text))) == sorted(
            re.findall(r"%\(\w+\)\w", text)
        )


def test_french_portal_uses_the_guides_words() -> None:
    french = gettext_for("fr").gettext
    assert french("Overview") == "Aperçu"
    assert french("Call Log") == "Journal des appels"
    assert french("Settings") == "Paramètres"
    assert french("More") == "Plus"
    assert french("User Details") == "Détails de l'utilisateur"
    assert french("Phones & Numbers") == "Téléphones et numéros"
    assert (
        french("Screening, Greeting & Hold Music")
        == "Filtrage, message d'accueil et musique d'attente"
    )
    assert french("Call Handling & Forwarding") == "Gestion et renvoi des appels"
    assert french("User Hours") == "Heures d'ouverture"
