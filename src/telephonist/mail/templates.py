"""E-mail bodies rendered from Jinja2 templates in the recipient's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from telephonist.i18n import gettext_for

TEMPLATES_DIR = Path(__file__).parent / "templates"

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    extensions=["jinja2.ext.i18n"],
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def render(template: str, language: str, **context: Any) -> str:
    """Render ``template`` (e.g. "welcome.txt") translated into ``language`` ("fr"/"en")."""
    translations = gettext_for(language)
    template_object = _environment.get_template(template)
    return template_object.render(
        _=translations.gettext,
        gettext=translations.gettext,
        ngettext=translations.ngettext,
        **context,
    )
