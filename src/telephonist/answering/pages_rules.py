"""Settings > Call Handling & Forwarding > Custom Rules (CH-4): the list (enable,
disable, edit, delete, move), the guide's three-step "Add rule" wizard (name, conditions,
call handling), "Validate rules" (``validate_rules``) and the rule preview: what happens
if this caller calls this number at this time, in plain words (``route`` + ``describe``,
the function the router itself uses)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from telephonist.accounts.extensions import direct_numbers
from telephonist.accounts.users import effective_regional
from telephonist.answering import rules, settings
from telephonist.answering.pages_forms import (
    DAY_LABELS,
    DEFAULT,
    Errors,
    FormInvalid,
    copy_to_weekdays,
    custom_greetings,
    greeting_of,
    greeting_value,
    message_recipients,
    parse_schedule,
    posted_schedule_values,
    schedule_values,
    service_errors,
    translator,
)
from telephonist.answering.pages_handling import PostedForm
from telephonist.answering.pages_screening import prompt_text
from telephonist.domain.answering.errors import RuleValidationError
from telephonist.domain.answering.model import (
    AnsweringRule,
    CallerCondition,
    CallHandlingAction,
    IncomingCall,
    RuleType,
    VoicemailSettings,
)
from telephonist.domain.answering.plan import PromptKind
from telephonist.domain.answering.preview import describe
from telephonist.domain.answering.route import route
from telephonist.domain.answering.schedule import (
    EMPTY_WEEK,
    WEEKDAYS,
    DateRange,
    RuleSchedule,
)
from telephonist.domain.answering.validate import validate_rules
from telephonist.domain.phone_numbers import PhoneNumberError, to_e164
from telephonist.domain.text import N_
from telephonist.errors import InvalidInput, NotFound
from telephonist.portal.rendering import render
from telephonist.portal.visitors import CurrentUser, SignedIn, check_csrf, runtime_of

router = APIRouter()
FormText = Annotated[str, Form()]

BASE = "/settings/call-handling/rules"
NAME_MAX = 64
CALLER_INPUTS = 3
DATE_RANGE_INPUTS = 2
RULE_ACTIONS = (
    (CallHandlingAction.FORWARD_CALLS.value, N_("Forward Calls")),
    (CallHandlingAction.TAKE_MESSAGES_ONLY.value, N_("Take Messages Only")),
    (CallHandlingAction.PLAY_ANNOUNCEMENT_ONLY.value, N_("Play Announcement Only")),
    (CallHandlingAction.UNCONDITIONAL_FORWARDING.value, N_("Unconditional Forwarding")),
)
ACTION_LABELS = dict(RULE_ACTIONS)
WHEN_CHOICES = (
    ("none", N_("Any time")),
    ("weekly", N_("Weekly Schedule")),
    ("dates", N_("Specific Date Range")),
)
STEPS = (N_("Name Rule"), N_("Define Conditions"), N_("Define Call Handling"))
RULE_FIELDS = {
    "calledNumbers": "called",
    "unconditionalForwarding": "unconditional_number",
    "voicemail": "recipient_id",
    "greetings": "vm_greeting",
    "schedule": "when",
    "callers": "caller_0",
}
NOTICES = {
    "created": N_("The rule was added."),
    "saved": N_("Your changes have been saved."),
    "deleted": N_("The rule was deleted."),
}
PREVIEW_TIME = "%Y-%m-%dT%H:%M"


# --- the list, Validate rules and the preview -------------------------------------------


def _custom_rules(request: Request, me: SignedIn) -> list[AnsweringRule]:
    with runtime_of(request).db.transaction() as session:
        return list(rules.read_rules(session, me.account.id, me.extension.id).custom_rules)


def rule_summary(rule: AnsweringRule, translate: Any) -> list[str]:
    """The rule's conditions and action in a few words, for the list."""
    lines = []
    if rule.callers:
        callers = ", ".join(c.caller_id for c in rule.callers)
        lines.append(f"{translate(N_('Caller ID'))}: {callers}")
    if rule.called_numbers:
        called = ", ".join(rule.called_numbers)
        lines.append(f"{translate(N_('Called Number'))}: {called}")
    schedule = rule.schedule
    if schedule is not None and schedule.weekly is not None:
        days = [
            f"{translate(DAY_LABELS[day.value])} {r.from_text}-{r.to_text}"
            for day in WEEKDAYS
            for r in schedule.weekly.day(day)
        ]
        lines.append(f"{translate(N_('Weekly Schedule'))}: {', '.join(days)}")
    elif schedule is not None and schedule.date_ranges:
        ranges = ", ".join(
            f"{r.start:%Y-%m-%d %H:%M} → {r.end:%Y-%m-%d %H:%M}" for r in schedule.date_ranges
        )
        lines.append(f"{translate(N_('Specific Date Range'))}: {ranges}")
    lines.append(translate(ACTION_LABELS[rule.action.value]))
    return lines


def _preview_defaults(me: SignedIn) -> dict[str, str]:
    zone = effective_regional(me.account, me.extension).time_zone
    return {"caller": "", "called": "", "when": datetime.now(ZoneInfo(zone)).strftime(PREVIEW_TIME)}


def _called_choices(request: Request, me: SignedIn) -> list[tuple[str, str]]:
    with runtime_of(request).db.transaction() as session:
        numbers = direct_numbers(session, me.account.id, me.extension.id)
    return [(n.e164, n.e164) for n in numbers] + [(me.extension.number, me.extension.number)]


def _preview(
    request: Request, me: SignedIn, caller: str, called: str, when: str
) -> tuple[list[str], Errors]:
    """The preview's sentences, or the errors of its form."""
    errors: Errors = {}
    region = me.account.home_country
    caller_number: str | None = caller.strip() or None
    if caller_number and not (caller_number.isdigit() and len(caller_number) <= 5):
        try:
            caller_number = to_e164(caller_number, region)
        except PhoneNumberError:
            errors["caller"] = [
                N_("Enter a phone number or an extension number, or nothing for no caller ID")
            ]
    called_choices = {value for value, _label in _called_choices(request, me)}
    if called not in called_choices:
        errors["called"] = [N_("Choose one of your numbers")]
    zone = effective_regional(me.account, me.extension).time_zone
    try:
        moment = datetime.fromisoformat(when.strip()).replace(tzinfo=ZoneInfo(zone))
    except ValueError:
        errors["when"] = [N_("Enter a date and a time")]
    if errors:
        return [], errors
    with runtime_of(request).db.transaction() as session:
        loaded = settings.load_extension_settings(session, me.account.id, me.extension.id)
    plan = route(IncomingCall(caller_number=caller_number, called_number=called), loaded, moment)
    return describe(plan, translator(me)), {}


@router.get(BASE)
def custom_rules_page(
    request: Request,
    me: CurrentUser,
    validate: str | None = None,
    caller: str | None = None,
    called: str | None = None,
    when: str | None = None,
    done: str | None = None,
) -> Response:
    """CH-4: the custom rules in the order they are tried; with ``validate``, the
    findings of Validate rules; with ``when``, the preview of a call."""
    translate = translator(me)
    custom = _custom_rules(request, me)
    findings = None
    if validate:
        with runtime_of(request).db.transaction() as session:
            loaded = settings.load_extension_settings(session, me.account.id, me.extension.id)
        findings = [
            finding.message.render(translate)
            for finding in validate_rules(loaded.custom_rules, user_hours=loaded.user_hours)
        ]
    choices = _called_choices(request, me)
    preview_values = _preview_defaults(me)
    preview_values["called"] = choices[0][0]
    preview: list[str] | None = None
    errors: Errors = {}
    if when is not None:
        preview_values = {"caller": caller or "", "called": called or "", "when": when}
        preview, errors = _preview(request, me, caller or "", called or "", when)
    context = {
        "tab": "settings",
        "panel": "call-handling",
        "subtab": "rules",
        "rules": [(rule, rule_summary(rule, translate)) for rule in custom],
        "findings": findings,
        "preview": preview,
        "values": preview_values,
        "errors": errors,
        "called_choices": choices,
        "notice": translate(NOTICES[done]) if done in NOTICES else None,
    }
    return render(request, "answering/rules.html", context, status_code=400 if errors else 200)


@router.post(BASE + "/{rule_id}/toggle")
def toggle_rule(
    request: Request, rule_id: str, me: CurrentUser, csrf_token: FormText = ""
) -> Response:
    """Disable a rule (how the guide resolves a conflict for a while), or enable it."""
    check_csrf(request, csrf_token)
    with runtime_of(request).db.transaction() as session:
        rule = _custom_rule(session, me, rule_id)
        rules.update_rule(
            session,
            me.account.id,
            me.extension.id,
            rule_id,
            replace(rule, enabled=not rule.enabled),
        )
    return RedirectResponse(f"{BASE}?done=saved", status_code=303)


@router.post(BASE + "/{rule_id}/delete")
def delete_rule(
    request: Request, rule_id: str, me: CurrentUser, csrf_token: FormText = ""
) -> Response:
    check_csrf(request, csrf_token)
    with runtime_of(request).db.transaction() as session:
        _custom_rule(session, me, rule_id)
        rules.delete_rule(session, me.account.id, me.extension.id, rule_id)
    return RedirectResponse(f"{BASE}?done=deleted", status_code=303)


@router.post(BASE + "/{rule_id}/move")
def move_rule(
    request: Request,
    rule_id: str,
    me: CurrentUser,
    csrf_token: FormText = "",
    direction: FormText = "up",
) -> Response:
    """Rules are tried in order: the first whose conditions hold applies."""
    check_csrf(request, csrf_token)
    with runtime_of(request).db.transaction() as session:
        order = [
            rule.id
            for rule in rules.read_rules(session, me.account.id, me.extension.id).custom_rules
        ]
        if rule_id not in order:
            raise HTTPException(404)
        i = order.index(rule_id)
        j = i - 1 if direction == "up" else i + 1
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]
            rules.reorder_custom_rules(session, me.account.id, me.extension.id, order)
    return RedirectResponse(f"{BASE}?done=saved", status_code=303)


def _custom_rule(session: Any, me: SignedIn, rule_id: str) -> AnsweringRule:
    try:
        rule = rules.get_rule(session, me.account.id, me.extension.id, rule_id)
    except NotFound:
        raise HTTPException(404) from None
    if rule.type is not RuleType.CUSTOM:
        raise HTTPException(404)
    return rule


# --- the wizard -------------------------------------------------------------------------


def _values_of(rule: AnsweringRule | None, me: SignedIn) -> dict[str, Any]:
    """The wizard's inputs for an existing rule, or a new one's defaults."""
    schedule = rule.schedule if rule is not None else None
    weekly = schedule.weekly if schedule is not None and schedule.weekly is not None else None
    values: dict[str, Any] = {
        "step": "1",
        "name": rule.name if rule else "",
        "when": "weekly" if weekly is not None else "dates" if schedule else "none",
        **schedule_values(weekly or EMPTY_WEEK, "w_"),
        "action": rule.action.value if rule else CallHandlingAction.TAKE_MESSAGES_ONLY.value,
        "vm_greeting": greeting_value(rule.greetings.voicemail) if rule else DEFAULT,
        "announcement": greeting_value(rule.greetings.announcement) if rule else DEFAULT,
        "recipient": "specific" if rule and rule.voicemail.recipient_extension_id else "this",
        "recipient_id": rule.voicemail.recipient_extension_id or "" if rule else "",
        "unconditional_number": (rule.unconditional_forwarding_number or "") if rule else "",
    }
    callers = [c.caller_id for c in rule.callers] if rule else []
    callers += [""] * max(CALLER_INPUTS - len(callers), 1)
    values["callers"] = callers
    values["called"] = list(rule.called_numbers) if rule else []
    ranges = [
        (r.start.strftime(PREVIEW_TIME), r.end.strftime(PREVIEW_TIME))
        for r in (schedule.date_ranges if schedule else ())
    ]
    ranges += [("", "")] * max(DATE_RANGE_INPUTS - len(ranges), 1)
    values["ranges"] = ranges
    return values


def _posted_values(form: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {
        key: form.get(key, "")
        for key in (
            "step",
            "name",
            "when",
            "action",
            "vm_greeting",
            "announcement",
            "recipient",
            "recipient_id",
            "unconditional_number",
        )
    }
    values["name"] = values["name"].strip()
    values.update(posted_schedule_values(form, "w_"))
    count = int(form["callers_count"]) if form.get("callers_count", "").isdigit() else 0
    values["callers"] = [form.get(f"caller_{i}", "").strip() for i in range(min(count, 50))]
    values["called"] = [v for k, v in form.items() if k.startswith("called_")]
    count = int(form["ranges_count"]) if form.get("ranges_count", "").isdigit() else 0
    values["ranges"] = [
        (form.get(f"range_{i}_from", "").strip(), form.get(f"range_{i}_to", "").strip())
        for i in range(min(count, 20))
    ]
    return values


def _conditions(values: dict[str, Any]) -> tuple[tuple[CallerCondition, ...], RuleSchedule | None]:
    """Step 2 as domain values; FormInvalid names the inputs."""
    errors: Errors = {}
    callers = []
    for i, text in enumerate(values["callers"]):
        if not text:
            continue
        try:
            callers.append(CallerCondition(text))
        except RuleValidationError:
            errors[f"caller_{i}"] = [N_("Enter a full or partial phone number")]
    schedule = None
    if values["when"] == "weekly":
        try:
            weekly = parse_schedule(values, "w_")
        except FormInvalid as invalid:
            errors.update(invalid.errors)
        else:
            if weekly.is_empty:
                errors["when"] = [N_("Choose at least one day of the week")]
            else:
                schedule = RuleSchedule(weekly=weekly)
    elif values["when"] == "dates":
        periods = []
        for i, (start, end) in enumerate(values["ranges"]):
            if not start and not end:
                continue
            try:
                periods.append(
                    DateRange(datetime.fromisoformat(start), datetime.fromisoformat(end))
                )
            except RuleValidationError:
                errors[f"range_{i}_from"] = [N_("The end must be after the start")]
            except ValueError:
                errors[f"range_{i}_from"] = [N_("Enter the date and time it starts and ends")]
        if periods:
            schedule = RuleSchedule(date_ranges=tuple(periods))
        elif not any(k.startswith("range_") for k in errors):
            errors["when"] = [N_("Enter at least one date range")]
    elif values["when"] != "none":
        errors["when"] = [N_("Choose one of the options")]
    if errors:
        raise FormInvalid(errors)
    return tuple(callers), schedule


def _step_of(errors: Errors) -> str:
    if "name" in errors:
        return "1"
    if any(k.startswith(("caller_", "called", "w_", "range_", "when")) for k in errors):
        return "2"
    return "3"


def _wizard(
    request: Request,
    me: SignedIn,
    rule_id: str | None,
    values: dict[str, Any],
    errors: Errors | None = None,
) -> Response:
    with runtime_of(request).db.transaction() as session:
        numbers = [n.e164 for n in direct_numbers(session, me.account.id, me.extension.id)]
        recipients = message_recipients(session, me)
        voicemail_greetings = custom_greetings(session, me, ["Voicemail"])
        announcements = custom_greetings(session, me, ["Announcement"])
    context = {
        "tab": "settings",
        "panel": "call-handling",
        "subtab": "rules",
        "rule_id": rule_id,
        "action_url": f"{BASE}/{rule_id}" if rule_id else f"{BASE}/new",
        "values": values,
        "errors": errors or {},
        "steps": STEPS,
        "my_numbers": numbers,
        "recipients": recipients,
        "voicemail_greetings": voicemail_greetings,
        "announcements": announcements,
        "voicemail_text": prompt_text(me, PromptKind.VOICEMAIL_GREETING),
        "announcement_text": prompt_text(me, PromptKind.ANNOUNCEMENT),
        "rule_actions": RULE_ACTIONS,
        "when_choices": WHEN_CHOICES,
        "day_labels": DAY_LABELS,
        "contacts": recipients,
    }
    return render(request, "answering/wizard.html", context, status_code=400 if errors else 200)


@router.get(BASE + "/new")
def new_rule(request: Request, me: CurrentUser) -> Response:
    """The guide's "Add rule": step 1, the rule's name."""
    return _wizard(request, me, None, _values_of(None, me))


@router.post(BASE + "/new")
def new_rule_step(request: Request, me: CurrentUser, form: PostedForm) -> Response:
    check_csrf(request, form.get("csrf_token"))
    return _wizard_step(request, me, None, form)


@router.get(BASE + "/{rule_id}")
def edit_rule(request: Request, rule_id: str, me: CurrentUser) -> Response:
    with runtime_of(request).db.transaction() as session:
        rule = _custom_rule(session, me, rule_id)
    return _wizard(request, me, rule_id, _values_of(rule, me))


@router.post(BASE + "/{rule_id}")
def edit_rule_step(request: Request, rule_id: str, me: CurrentUser, form: PostedForm) -> Response:
    check_csrf(request, form.get("csrf_token"))
    with runtime_of(request).db.transaction() as session:
        _custom_rule(session, me, rule_id)
    return _wizard_step(request, me, rule_id, form)


def _wizard_step(
    request: Request, me: SignedIn, rule_id: str | None, form: dict[str, str]
) -> Response:
    """Next checks the step shown; Back goes back; Copy to Weekdays stays; Save checks
    everything and saves."""
    values = _posted_values(form)
    op = form.get("op", "next")
    step = values["step"] if values["step"] in ("1", "2", "3") else "1"
    if op.startswith("copy:") and op[5:] in DAY_LABELS:
        copy_to_weekdays(values, op[5:], "w_")
        values["when"] = "weekly"
        return _wizard(request, me, rule_id, values)
    if op == "back":
        values["step"] = str(max(1, int(step) - 1))
        return _wizard(request, me, rule_id, values)
    errors: Errors = {}
    if not values["name"]:
        errors["name"] = [N_("Give your rule a name")]
    elif len(values["name"]) > NAME_MAX:
        errors["name"] = [N_("The name must be at most 64 characters")]
    if step == "1" or errors:
        values["step"] = "1" if errors else "2"
        return _wizard(request, me, rule_id, values, errors)
    try:
        callers, schedule = _conditions(values)
    except FormInvalid as invalid:
        values["step"] = "2"
        return _wizard(request, me, rule_id, values, invalid.errors)
    if step == "2" and op != "save":
        values["step"] = "3"
        return _wizard(request, me, rule_id, values)
    return _save_rule(request, me, rule_id, values, callers, schedule)


def _save_rule(
    request: Request,
    me: SignedIn,
    rule_id: str | None,
    values: dict[str, Any],
    callers: tuple[CallerCondition, ...],
    schedule: RuleSchedule | None,
) -> Response:
    errors: Errors = {}
    if values["action"] not in ACTION_LABELS:
        errors["action"] = [N_("Choose what happens to calls that match this rule")]
    if values["recipient"] == "specific" and not values["recipient_id"]:
        errors["recipient_id"] = [N_("Choose the extension that takes the messages")]
    if errors:
        values["step"] = "3"
        return _wizard(request, me, rule_id, values, errors)
    recipient = values["recipient_id"] if values["recipient"] == "specific" else None
    try:
        with runtime_of(request).db.transaction() as session:
            book = rules.read_rules(session, me.account.id, me.extension.id)
            base = (
                rules.get_rule(session, me.account.id, me.extension.id, rule_id)
                if rule_id
                else book.user_hours_rule
            )
            rule = AnsweringRule(
                id=rule_id or "new",
                type=RuleType.CUSTOM,
                name=values["name"],
                enabled=base.enabled if rule_id else True,
                callers=callers,
                called_numbers=tuple(values["called"]),
                schedule=schedule,
                action=CallHandlingAction(values["action"]),
                forwarding=base.forwarding,
                unconditional_forwarding_number=values["unconditional_number"].strip() or None,
                voicemail=VoicemailSettings(True, recipient),
                greetings=replace(
                    base.greetings,
                    voicemail=greeting_of(values["vm_greeting"]),
                    announcement=greeting_of(values["announcement"]),
                ),
                screening=base.screening,
            )
            if rule_id:
                saved = rules.update_rule(session, me.account.id, me.extension.id, rule_id, rule)
            else:
                saved = rules.create_custom_rule(session, me.account.id, me.extension.id, rule)
    except (InvalidInput, RuleValidationError) as error:
        errors = service_errors(error, RULE_FIELDS)
        values["step"] = _step_of(errors)
        return _wizard(request, me, rule_id, values, errors)
    done = "saved" if rule_id else "created"
    if saved.action is CallHandlingAction.FORWARD_CALLS:  # then choose the phones it rings
        return RedirectResponse(f"{BASE}/{saved.id}/forwarding?done={done}", status_code=303)
    return RedirectResponse(f"{BASE}?done={done}", status_code=303)
