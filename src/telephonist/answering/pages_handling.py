"""Settings > Call Handling & Forwarding: the User Hours and After Hours tabs (CH-1..CH-3:
the action, the ordered forwarding list with ring groups, forwarding numbers), the user
hours schedule, and incoming call information (CH-5). Custom rules are in
``pages_rules``."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from telephonist.answering import forwarding, hours, rules, settings
from telephonist.answering.pages_forms import (
    DAY_LABELS,
    RING_COUNTS,
    Errors,
    FormInvalid,
    ForwardingState,
    apply_forwarding_op,
    copy_to_weekdays,
    custom_greetings,
    forwarding_state,
    greeting_of,
    greeting_value,
    other_users_phones,
    parse_forwarding,
    parse_schedule,
    posted_forwarding,
    posted_schedule_values,
    save_rule,
    schedule_values,
    service_errors,
    translator,
    upload_pages_per_period,
)
from telephonist.answering.pages_screening import notice_of, prompt_text
from telephonist.domain.answering.errors import RuleValidationError
from telephonist.domain.answering.model import (
    AnnouncementScope,
    CallHandlingAction,
    DisplayedNumber,
    ForwardingNumberType,
    IncomingCallInfo,
    RingingMode,
    VoicemailSettings,
)
from telephonist.domain.answering.plan import PromptKind
from telephonist.domain.answering.schedule import EMPTY_WEEK
from telephonist.domain.text import N_
from telephonist.errors import Conflict, InvalidInput, NotFound
from telephonist.portal.rendering import render
from telephonist.portal.visitors import CurrentUser, SignedIn, check_csrf, runtime_of

router = APIRouter()
FormText = Annotated[str, Form()]

PERIODS = {
    "user-hours": rules.BUSINESS_HOURS_RULE_ID,
    "after-hours": rules.AFTER_HOURS_RULE_ID,
}
ACTIONS = (
    (CallHandlingAction.TAKE_MESSAGES_ONLY.value, N_("Send callers directly to voicemail")),
    (CallHandlingAction.PLAY_ANNOUNCEMENT_ONLY.value, N_("Play announcement and disconnect")),
    (CallHandlingAction.FORWARD_CALLS.value, N_("Forward Calls")),
    (CallHandlingAction.UNCONDITIONAL_FORWARDING.value, N_("Unconditional Forwarding")),
)
RINGING_MODES = (
    (RingingMode.SEQUENTIALLY.value, N_("Sequentially")),
    (RingingMode.SIMULTANEOUSLY.value, N_("Simultaneously")),
)
THEN_CHOICES = (
    ("voicemail", N_("Send to voicemail")),
    ("disconnect", N_("Play a message that you are not available, and disconnect")),
)
OUTSIDE_TYPES = (
    (ForwardingNumberType.HOME.value, N_("Home")),
    (ForwardingNumberType.MOBILE.value, N_("Mobile")),
    (ForwardingNumberType.WORK.value, N_("Work")),
    (ForwardingNumberType.OTHER.value, N_("Other")),
)
DISPLAYED_NUMBERS = (
    (DisplayedNumber.INCOMING_CALLER_ID.value, N_("Incoming Caller ID")),
    (DisplayedNumber.CALLED_NUMBER.value, N_("Dialed Number")),
)
DIRECT_SCOPES = (
    (AnnouncementScope.NON_SYSTEM_PHONES_ONLY.value, N_("For non-Telephonist phones only")),
    (AnnouncementScope.ALWAYS.value, N_("Always")),
    (AnnouncementScope.NEVER.value, N_("Never")),
)
QUEUE_SCOPES = DIRECT_SCOPES[:2]
RULE_FIELDS = {
    "unconditionalForwarding": "unconditional_number",
    "forwarding": "form",
    "greetings": "announcement",
    "voicemail": "form",
}
NUMBER_FIELDS = {
    "forwardingNumber": "new_number",
    "phoneNumber": "new_number",
    "label": "new_label",
    "device": "other_phone",
}


async def posted_form(request: Request) -> dict[str, str]:
    """A form whose inputs depend on the list it edits (fields e0_..., monday_...)."""
    form = await request.form()
    return {name: value for name, value in form.multi_items() if isinstance(value, str)}


PostedForm = Annotated[dict[str, str], Depends(posted_form)]


def _rule_id(page: str) -> str:
    """The rule a call-handling page edits: ``user-hours``, ``after-hours``, or
    ``rules/<id>`` for the forwarding of a custom rule (CH-4 "Forward Calls")."""
    if page in PERIODS:
        return PERIODS[page]
    kind, _, rule_id = page.partition("/")
    if kind != "rules" or not rule_id.isdigit():
        raise HTTPException(404)
    return rule_id


def _page_path(page: str) -> str:
    if page in PERIODS:
        return f"/settings/call-handling/{page}"
    return f"/settings/call-handling/{page}/forwarding"


def _page_of(next_page: str) -> str:
    """Where the forwarding-number forms go back to (user hours when unknown)."""
    try:
        _rule_id(next_page)
    except HTTPException:
        return "user-hours"
    return next_page


# --- user hours and after hours ---------------------------------------------------------


def _rule_page(
    request: Request,
    me: SignedIn,
    page: str,
    *,
    state: ForwardingState | None = None,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    done: str | None = None,
    unsaved: bool = False,
) -> Response:
    rule_id = _rule_id(page)
    with runtime_of(request).db.transaction() as session:
        try:
            rule = rules.get_rule(session, me.account.id, me.extension.id, rule_id)
        except NotFound:
            raise HTTPException(404) from None
        numbers = forwarding.list_forwarding_numbers(session, me.account.id, me.extension.id)
        phones = other_users_phones(session, me)
        announcements = custom_greetings(session, me, ["Announcement"])
        user_hours = hours.get_user_hours(session, me.account.id, me.extension.id)
    shown = {
        "action": rule.action.value,
        "unconditional_number": rule.unconditional_forwarding_number or "",
        "then": "voicemail" if rule.voicemail.enabled else "disconnect",
        "announcement": greeting_value(rule.greetings.announcement),
        "new_type": ForwardingNumberType.MOBILE.value,
        "new_label": "",
        "new_number": "",
        "other_phone": "",
    }
    shown.update(values or {})
    translate = translator(me)
    context = {
        "tab": "settings",
        "panel": "call-handling",
        "subtab": page if page in PERIODS else "rules",
        "period": page,
        "rule_id": rule_id,
        "rule_name": rule.name,
        "custom_rule": page not in PERIODS,
        "next_path": _page_path(page),
        "state": state or forwarding_state(rule, numbers),
        "numbers": {number.id: number for number in numbers},
        "own_numbers": [n for n in numbers if not forwarding.is_own_device(n, me.extension.id)],
        "count": len(numbers),
        "other_phones": phones,
        "values": shown,
        "errors": errors or {},
        "actions": ACTIONS,
        "ringing_modes": RINGING_MODES,
        "then_choices": THEN_CHOICES,
        "outside_types": OUTSIDE_TYPES,
        "ring_counts": RING_COUNTS,
        "announcements": announcements,
        "announcement_text": prompt_text(me, PromptKind.ANNOUNCEMENT),
        "always_user_hours": user_hours == EMPTY_WEEK,
        "notice": translate(N_("Not saved yet: press Save to keep these changes."))
        if unsaved
        else notice_of(me, done),
    }
    return render(request, "answering/handling.html", context, status_code=400 if errors else 200)


@router.get("/settings/call-handling")
def call_handling_home() -> Response:
    return RedirectResponse("/settings/call-handling/user-hours", status_code=303)


upload_pages_per_period("/settings/call-handling", list(PERIODS), _rule_page)


@router.post("/settings/call-handling/forwarding-numbers")
def add_forwarding_number(
    request: Request,
    me: CurrentUser,
    csrf_token: FormText = "",
    next: FormText = "user-hours",
    new_type: FormText = "",
    new_label: FormText = "",
    new_number: FormText = "",
    other_phone: FormText = "",
) -> Response:
    """CH-2 "Add forwarding phone" (an outside number) or another user's phone; ten in all."""
    check_csrf(request, csrf_token)
    page = _page_of(next)
    values = {
        "new_type": new_type,
        "new_label": new_label,
        "new_number": new_number,
        "other_phone": other_phone,
    }
    if other_phone:
        new = forwarding.ForwardingNumberInput(
            ForwardingNumberType.PHONE_LINE,
            device_id=int(other_phone) if other_phone.isdigit() else -1,
        )
    elif new_type in {value for value, _label in OUTSIDE_TYPES}:
        new = forwarding.ForwardingNumberInput(
            ForwardingNumberType(new_type), phone_number=new_number, label=new_label
        )
    else:
        errors = {"new_type": [N_("Choose the type of phone")]}
        return _rule_page(request, me, page, values=values, errors=errors)
    try:
        with runtime_of(request).db.transaction() as session:
            forwarding.add_forwarding_number(session, me.account.id, me.extension.id, new)
    except (InvalidInput, Conflict) as error:
        errors = service_errors(error, NUMBER_FIELDS)
        if other_phone:
            errors = {"other_phone": [m for ms in errors.values() for m in ms]}
        return _rule_page(request, me, page, values=values, errors=errors)
    return RedirectResponse(f"{_page_path(page)}?done=added", status_code=303)


@router.post("/settings/call-handling/forwarding-numbers/{number_id}/delete")
def remove_forwarding_number(
    request: Request,
    number_id: str,
    me: CurrentUser,
    csrf_token: FormText = "",
    next: FormText = "user-hours",
) -> Response:
    check_csrf(request, csrf_token)
    page = _page_of(next)
    try:
        with runtime_of(request).db.transaction() as session:
            forwarding.remove_forwarding_number(session, me.account.id, me.extension.id, number_id)
    except InvalidInput as error:
        return _rule_page(request, me, page, errors=service_errors(error, {}))
    return RedirectResponse(f"{_page_path(page)}?done=removed", status_code=303)


@router.get("/settings/call-handling/schedule")
def schedule_page(request: Request, me: CurrentUser, done: str | None = None) -> Response:
    """CH-1: the user's hours, outside which the after-hours rule applies."""
    with runtime_of(request).db.transaction() as session:
        current = hours.get_user_hours(session, me.account.id, me.extension.id)
    values = {"mode": "always" if current.is_empty else "custom", **schedule_values(current)}
    return _schedule_page(request, me, values, {}, notice_of(me, done))


def _schedule_page(
    request: Request, me: SignedIn, values: dict[str, Any], errors: Errors, notice: str | None
) -> Response:
    context = {
        "tab": "settings",
        "panel": "call-handling",
        "subtab": "schedule",
        "values": values,
        "errors": errors,
        "day_labels": DAY_LABELS,
        "notice": notice,
    }
    return render(request, "answering/schedule.html", context, status_code=400 if errors else 200)


@router.post("/settings/call-handling/schedule")
def save_schedule(request: Request, me: CurrentUser, form: PostedForm) -> Response:
    check_csrf(request, form.get("csrf_token"))
    values = {"mode": form.get("mode", "always"), **posted_schedule_values(form)}
    op = form.get("op", "save")
    if op.startswith("copy:") and op[5:] in DAY_LABELS:
        copy_to_weekdays(values, op[5:])
        values["mode"] = "custom"
        unsaved = translator(me)(N_("Not saved yet: press Save to keep these changes."))
        return _schedule_page(request, me, values, {}, unsaved)
    try:
        schedule = EMPTY_WEEK if values["mode"] == "always" else parse_schedule(values)
    except FormInvalid as invalid:
        return _schedule_page(request, me, values, invalid.errors, None)
    if values["mode"] != "always" and schedule.is_empty:
        errors = {"mode": [N_("Choose at least one day, or 24 hours, 7 days a week")]}
        return _schedule_page(request, me, values, errors, None)
    with runtime_of(request).db.transaction() as session:
        hours.set_user_hours(session, me.account.id, me.extension.id, schedule)
    return RedirectResponse("/settings/call-handling/schedule?done=saved", status_code=303)


@router.get("/settings/call-handling/settings")
def incoming_call_info_page(request: Request, me: CurrentUser, done: str | None = None) -> Response:
    """CH-5: incoming call information."""
    with runtime_of(request).db.transaction() as session:
        info = settings.get_incoming_call_info(session, me.account.id, me.extension.id)
    values = {
        "displayed_number": info.displayed_number.value,
        "announce": info.announce,
        "direct_calls": info.direct_calls.value,
        "queue_calls": info.queue_calls.value,
        "include_mailbox_name": info.include_mailbox_name,
        "require_pin": info.require_pin,
    }
    return _info_page(request, me, values, {}, done)


def _info_page(
    request: Request, me: SignedIn, values: dict[str, Any], errors: Errors, done: str | None
) -> Response:
    context = {
        "tab": "settings",
        "panel": "call-handling",
        "subtab": "settings",
        "values": values,
        "errors": errors,
        "displayed_numbers": DISPLAYED_NUMBERS,
        "direct_scopes": DIRECT_SCOPES,
        "queue_scopes": QUEUE_SCOPES,
        "notice": notice_of(me, done),
    }
    return render(request, "answering/call_info.html", context, status_code=400 if errors else 200)


@router.post("/settings/call-handling/settings")
def save_incoming_call_info(
    request: Request,
    me: CurrentUser,
    csrf_token: FormText = "",
    displayed_number: FormText = "",
    announce: FormText = "",
    direct_calls: FormText = "",
    queue_calls: FormText = "",
    include_mailbox_name: FormText = "",
    require_pin: FormText = "",
) -> Response:
    check_csrf(request, csrf_token)
    values = {
        "displayed_number": displayed_number,
        "announce": announce == "on",
        "direct_calls": direct_calls,
        "queue_calls": queue_calls,
        "include_mailbox_name": include_mailbox_name == "on",
        "require_pin": require_pin == "on",
    }
    errors: Errors = {}
    for name, value, choices in (
        ("displayed_number", displayed_number, DISPLAYED_NUMBERS),
        ("direct_calls", direct_calls, DIRECT_SCOPES),
        ("queue_calls", queue_calls, QUEUE_SCOPES),
    ):
        if value not in {choice for choice, _label in choices}:
            errors[name] = [N_("Choose one of the options")]
    if errors:
        return _info_page(request, me, values, errors, None)
    info = IncomingCallInfo(
        displayed_number=DisplayedNumber(displayed_number),
        announce=announce == "on",
        direct_calls=AnnouncementScope(direct_calls),
        queue_calls=AnnouncementScope(queue_calls),
        include_mailbox_name=include_mailbox_name == "on",
        require_pin=require_pin == "on",
    )
    with runtime_of(request).db.transaction() as session:
        settings.set_incoming_call_info(session, me.account.id, me.extension.id, info)
    return RedirectResponse("/settings/call-handling/settings?done=saved", status_code=303)


@router.get("/settings/call-handling/{period}")
def rule_page(request: Request, period: str, me: CurrentUser, done: str | None = None) -> Response:
    """CH-2 (user hours) and CH-3 (after hours)."""
    return _rule_page(request, me, period, done=done)


@router.post("/settings/call-handling/{period}")
def save_rule_page(request: Request, period: str, me: CurrentUser, form: PostedForm) -> Response:
    return _save_rule(request, me, period, form)


@router.get("/settings/call-handling/rules/{rule_id}/forwarding")
def custom_rule_page(
    request: Request, rule_id: str, me: CurrentUser, done: str | None = None
) -> Response:
    """CH-4 "Forward Calls": the phones a custom rule rings, in its own order."""
    return _rule_page(request, me, f"rules/{rule_id}", done=done)


@router.post("/settings/call-handling/rules/{rule_id}/forwarding")
def save_custom_rule_page(
    request: Request, rule_id: str, me: CurrentUser, form: PostedForm
) -> Response:
    return _save_rule(request, me, f"rules/{rule_id}", form)


def _save_rule(request: Request, me: SignedIn, page: str, form: dict[str, str]) -> Response:
    """Save the rule, or (move, merge, split) show the list changed but not yet saved."""
    check_csrf(request, form.get("csrf_token"))
    rule_id = _rule_id(page)
    values = {
        "action": form.get("action", ""),
        "unconditional_number": form.get("unconditional_number", "").strip(),
        "then": form.get("then", "voicemail"),
        "announcement": form.get("announcement", "default"),
    }
    with runtime_of(request).db.transaction() as session:
        try:
            rule = rules.get_rule(session, me.account.id, me.extension.id, rule_id)
        except NotFound:
            raise HTTPException(404) from None
        numbers = {
            n.id: n
            for n in forwarding.list_forwarding_numbers(session, me.account.id, me.extension.id)
        }
    state = posted_forwarding(form, set(numbers))
    if apply_forwarding_op(state, form.get("op", "save")):
        return _rule_page(request, me, page, state=state, values=values, unsaved=True)
    errors: Errors = {}
    if values["action"] not in {value for value, _label in ACTIONS}:
        errors["action"] = [N_("Choose what happens to your calls")]
    if values["then"] not in {value for value, _label in THEN_CHOICES}:
        errors["then"] = [N_("Choose one of the options")]
    try:
        chosen = parse_forwarding(state, numbers, rule.forwarding.apps_ring_first)
    except FormInvalid as invalid:
        errors.update(invalid.errors)
    if errors:
        return _rule_page(request, me, page, state=state, values=values, errors=errors)
    action = CallHandlingAction(values["action"])
    unconditional = (
        values["unconditional_number"]
        if action is CallHandlingAction.UNCONDITIONAL_FORWARDING
        else rule.unconditional_forwarding_number
    )
    try:
        with runtime_of(request).db.transaction() as session:
            save_rule(
                session,
                me,
                replace(
                    rule,
                    action=action,
                    forwarding=chosen,
                    unconditional_forwarding_number=unconditional or None,
                    voicemail=VoicemailSettings(
                        values["then"] == "voicemail", rule.voicemail.recipient_extension_id
                    ),
                    greetings=replace(
                        rule.greetings, announcement=greeting_of(values["announcement"])
                    ),
                ),
            )
    except (InvalidInput, RuleValidationError) as error:
        errors = service_errors(error, RULE_FIELDS)
        return _rule_page(request, me, page, state=state, values=values, errors=errors)
    return RedirectResponse(f"{_page_path(page)}?done=saved", status_code=303)
