"""Portal pages of call handling: the do-not-disturb menu in the header (PRE-1, WEB-1),
Settings > Messages (VM-1, VM-2), and, from the ``pages_*`` modules, Settings > Screening,
Greeting & Hold Music (GS-1..GS-5, BLK-1..BLK-6) and Settings > Call Handling &
Forwarding (CH-1..CH-5) with custom rules, Validate rules and the rule preview."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from telephonist.answering import pages_handling, pages_rules, pages_screening, presence, rules
from telephonist.answering import settings as answering_settings
from telephonist.answering.pages_forms import (
    Errors,
    custom_greetings,
    greeting_of,
    greeting_value,
    message_recipients,
    save_rule,
    service_errors,
    upload_pages_per_period,
)
from telephonist.answering.pages_screening import notice_of, prompt_text
from telephonist.domain.answering.model import DndStatus, VoicemailSettings
from telephonist.domain.answering.plan import PromptKind
from telephonist.domain.text import N_
from telephonist.errors import InvalidInput
from telephonist.portal.rendering import environment, render
from telephonist.portal.visitors import CurrentUser, SignedIn, check_csrf, runtime_of

router = APIRouter()
router.include_router(pages_screening.router)
router.include_router(pages_rules.router)  # before pages_handling's /{period}
router.include_router(pages_handling.router)
FormText = Annotated[str, Form()]

DND_CHOICES = (
    (DndStatus.TAKE_ALL_CALLS.value, "dnd-take-all", N_("Take all calls")),
    (
        DndStatus.DO_NOT_ACCEPT_DEPARTMENT_CALLS.value,
        "dnd-no-queue",
        N_("Do not accept call queue calls"),
    ),
    (DndStatus.DO_NOT_ACCEPT_ANY_CALLS.value, "dnd-none", N_("Do not accept any calls")),
)
DND_COLOURS = {value: colour for value, colour, _label in DND_CHOICES}
DND_COLOURS[DndStatus.TAKE_DEPARTMENT_CALLS_ONLY.value] = "dnd-no-queue"


# --- do not disturb (PRE-1) -------------------------------------------------------------


def dnd_menu(request: Request, me: SignedIn) -> dict[str, Any]:
    """What the header's status icon shows: the current state, its colour, the choices.
    A Jinja global, so every page's header has it without each page loading it."""
    with runtime_of(request).db.transaction() as session:
        status = presence.get_presence(session, me.account.id, me.extension.id).dnd_status
    labels = {value: label for value, _colour, label in DND_CHOICES}
    return {
        "status": status.value,
        "colour": DND_COLOURS[status.value],
        "label": labels.get(status.value, N_("Take call queue calls only")),
        "choices": DND_CHOICES,
    }


environment.globals["dnd_menu"] = dnd_menu


def _local_path(target: str) -> str:
    """Back to the page the menu was used on, never to another site."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return "/overview"
    return parts.path + (f"?{parts.query}" if parts.query else "")


@router.post("/presence/dnd")
def set_dnd(
    request: Request,
    me: CurrentUser,
    csrf_token: FormText = "",
    status: FormText = "",
    next: FormText = "/overview",
) -> Response:
    """PRE-1: green, orange or red, from any page; the next call follows it."""
    check_csrf(request, csrf_token)
    if status not in DND_COLOURS:
        raise HTTPException(400)
    with runtime_of(request).db.transaction() as session:
        presence.set_dnd(session, me.account.id, me.extension.id, DndStatus(status))
    return RedirectResponse(_local_path(next), status_code=303)


# --- Settings > Messages (VM-1, VM-2) ---------------------------------------------------

PERIODS = {
    "user-hours": rules.BUSINESS_HOURS_RULE_ID,
    "after-hours": rules.AFTER_HOURS_RULE_ID,
}


def _messages_page(
    request: Request,
    me: SignedIn,
    period: str,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    done: str | None = None,
) -> Response:
    if period not in PERIODS:
        raise HTTPException(404)
    rule_id = PERIODS[period]
    with runtime_of(request).db.transaction() as session:
        rule = rules.get_rule(session, me.account.id, me.extension.id, rule_id)
        greetings = custom_greetings(session, me, ["Voicemail"])
        recipients = message_recipients(session, me)
    recipient = rule.voicemail.recipient_extension_id
    shown = {
        "take_messages": rule.voicemail.enabled,
        "vm_greeting": greeting_value(rule.greetings.voicemail),
        "recipient": "specific" if recipient else "this",
        "recipient_id": recipient or "",
    }
    shown.update(values or {})
    context = {
        "tab": "settings",
        "panel": "messages",
        "subtab": period,
        "rule_id": rule_id,
        "next_path": f"/settings/messages/{period}",
        "values": shown,
        "errors": errors or {},
        "greetings": greetings,
        "recipients": recipients,
        "voicemail_text": prompt_text(me, PromptKind.VOICEMAIL_GREETING),
        "notice": notice_of(me, done),
    }
    return render(request, "answering/messages.html", context, status_code=400 if errors else 200)


upload_pages_per_period("/settings/messages", list(PERIODS), _messages_page)


@router.get("/settings/messages")
def messages_home() -> Response:
    return RedirectResponse("/settings/messages/user-hours", status_code=303)


def _length_page(
    request: Request, me: SignedIn, value: str | None, errors: Errors, done: str | None
) -> Response:
    with runtime_of(request).db.transaction() as session:
        seconds = answering_settings.get_max_message_seconds(session, me.account.id)
    context = {
        "tab": "settings",
        "panel": "messages",
        "subtab": "settings",
        "values": {"max_message_seconds": value if value is not None else str(seconds)},
        "seconds": seconds,
        "errors": errors,
        "notice": notice_of(me, done),
    }
    return render(
        request, "answering/message_settings.html", context, status_code=400 if errors else 200
    )


@router.get("/settings/messages/settings")
def message_settings(request: Request, me: CurrentUser, done: str | None = None) -> Response:
    """VM-1: how long callers may speak, an account setting only admins change."""
    return _length_page(request, me, None, {}, done)


@router.post("/settings/messages/settings")
def save_message_settings(
    request: Request, me: CurrentUser, csrf_token: FormText = "", max_message_seconds: FormText = ""
) -> Response:
    check_csrf(request, csrf_token)
    if not me.is_admin:
        raise HTTPException(403)
    value = max_message_seconds.strip()
    if not value.isdigit():
        errors = {"max_message_seconds": [N_("Enter a number of seconds")]}
        return _length_page(request, me, value, errors, None)
    try:
        with runtime_of(request).db.transaction() as session:
            answering_settings.set_max_message_seconds(session, me.account.id, int(value))
    except InvalidInput as error:
        errors = service_errors(error, {"": "max_message_seconds"})
        return _length_page(request, me, value, errors, None)
    return RedirectResponse("/settings/messages/settings?done=saved", status_code=303)


@router.get("/settings/messages/{period}")
def messages_settings_page(
    request: Request, period: str, me: CurrentUser, done: str | None = None
) -> Response:
    """VM-1 take messages and the voicemail greeting, VM-2 the message recipient."""
    return _messages_page(request, me, period, done=done)


@router.post("/settings/messages/{period}")
def save_messages_settings(
    request: Request,
    period: str,
    me: CurrentUser,
    csrf_token: FormText = "",
    take_messages: FormText = "",
    vm_greeting: FormText = "default",
    recipient: FormText = "this",
    recipient_id: FormText = "",
) -> Response:
    check_csrf(request, csrf_token)
    if period not in PERIODS:
        raise HTTPException(404)
    values = {
        "take_messages": take_messages == "on",
        "vm_greeting": vm_greeting,
        "recipient": recipient,
        "recipient_id": recipient_id,
    }
    if recipient == "specific" and not recipient_id:
        errors = {"recipient_id": [N_("Choose the extension that takes the messages")]}
        return _messages_page(request, me, period, values, errors)
    chosen = recipient_id if recipient == "specific" else None
    try:
        with runtime_of(request).db.transaction() as session:
            rule = rules.get_rule(session, me.account.id, me.extension.id, PERIODS[period])
            save_rule(
                session,
                me,
                replace(
                    rule,
                    voicemail=VoicemailSettings(take_messages == "on", chosen),
                    greetings=replace(rule.greetings, voicemail=greeting_of(vm_greeting)),
                ),
            )
    except InvalidInput as error:
        errors = service_errors(
            error, {"voicemail.recipient": "recipient_id", "greetings": "vm_greeting"}
        )
        return _messages_page(request, me, period, values, errors)
    return RedirectResponse(f"/settings/messages/{period}?done=saved", status_code=303)
