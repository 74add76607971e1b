"""Rendering portal pages: Jinja2 templates, translated into the visitor's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import phonenumbers
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from telephonist.domain.phone_numbers import format_national
from telephonist.errors import FieldProblem
from telephonist.i18n import gettext_for
from telephonist.portal.visitors import SignedIn, csrf_token, remember_new_visitor, visitor_language
from telephonist.portal.words import word

TEMPLATES_DIR = Path(__file__).parent / "templates"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)


def national(e164: str | None) -> str:
    """Numbers as the user's country writes them; empty stays empty, and text that is not
    a phone number (it may come from the network) is shown as it is."""
    if not e164:
        return ""
    try:
        return format_national(e164)
    except phonenumbers.NumberParseException:
        return e164


environment.filters["national"] = national
environment.filters["word"] = word


def errors_by_field(problems: list[FieldProblem]) -> dict[str, list[str]]:
    """Form errors grouped by field, to show each next to its input."""
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        grouped.setdefault(problem.field, []).append(problem.message)
    return grouped


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    signed_in: SignedIn | None = None,
    language: str | None = None,
) -> HTMLResponse:
    """A full page (or an htmx fragment) in the visitor's language, or ``language``."""
    signed_in = signed_in or getattr(request.state, "signed_in", None)
    language = language or visitor_language(request, signed_in)
    translations = gettext_for(language)
    page_context = {
        "request": request,
        "me": signed_in,
        "lang": language,
        "_": translations.gettext,
        "gettext": translations.gettext,
        "ngettext": translations.ngettext,
        "csrf": csrf_token(request),
        "errors": {},
        "values": {},
        "tab": None,
        "section": None,
        "notice": None,
        **(context or {}),
    }
    html = environment.get_template(template).render(page_context)
    response = HTMLResponse(html, status_code=status_code)
    remember_new_visitor(request, response)
    return response
