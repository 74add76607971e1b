"""REST routes of call handling at the public API's paths: answering rules (CH-1..CH-4),
user and company hours, forwarding numbers (CH-2), caller blocking (BLK-1..BLK-5),
custom greetings and the greeting dictionary (GS-1..GS-5, VM-1), presence and
do-not-disturb (PRE-1); and our own resources under the same conventions: the rule
preview and "Validate rules" (``answering-rule/preview``, ``answering-rule/validation``),
incoming call information (CH-5, ``incoming-call-info``), hold music (GS-5,
``hold-music``), the account's longest message
and robocall list (``telephonist/answering-settings``, ``telephonist/robocall-numbers``).

Users read and change their own extension; admins any extension of their account.
Reading needs the app scope ReadAccounts (ReadPresence for presence), changing
EditExtensions (EditPresence); account-wide settings need an admin."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from telephonist.accounts import company
from telephonist.accounts.access import require_editor
from telephonist.accounts.extensions import direct_numbers, get_extension
from telephonist.accounts.schemas import account_path, extension_path
from telephonist.answering import (
    blocking,
    forwarding,
    greetings,
    hours,
    presence,
    recordings,
    rules,
    schemas,
    settings,
)
from telephonist.answering.codec import (
    PRESETS,
    GreetingType,
    RuleDoc,
    hold_music_document,
    incoming_call_info_document,
    rule_document,
)
from telephonist.api.dependencies import (
    PrincipalDep,
    RuntimeDep,
    SessionDep,
    now,
    require_scope,
    resolve_account,
    resolve_extension,
)
from telephonist.api.errors import ApiError
from telephonist.api.paging import PageDep, absolute_uri, list_body
from telephonist.domain.answering.model import (
    DEFAULT_GREETING,
    ConnectingAudioKind,
    ForwardingNumber,
    ForwardingNumberType,
    Greeting,
    IncomingCall,
    RuleType,
)
from telephonist.domain.answering.preview import describe
from telephonist.domain.answering.route import route
from telephonist.domain.answering.validate import validate_rules
from telephonist.domain.answering.wording import Translate
from telephonist.domain.permissions import AppScope, Principal
from telephonist.domain.phone_numbers import PhoneNumberError, to_e164
from telephonist.errors import FieldProblem, InvalidInput, NotFound, PermissionDenied
from telephonist.i18n import gettext_for
from telephonist.media.convert import ConversionLimits
from telephonist.store.extensions import Extension
from telephonist.store.paging import PageOf

router = APIRouter(prefix="/v1.0/account/{account_id}")
dictionary = APIRouter(prefix="/v1.0/dictionary")

MultiValue = Annotated[list[str], Query()]
RULE_VIEWS = ("Simple", "Detailed")


def _readable(
    session: SessionDep,
    principal: Principal,
    account_id: str,
    extension_id: str,
    scope: AppScope = AppScope.READ_ACCOUNTS,
) -> Extension:
    """The extension whose settings are read: one's own, or any for an admin."""
    require_scope(principal, scope)
    extension = resolve_extension(session, principal, account_id, extension_id)
    if extension.id != principal.extension_id and not principal.is_admin:
        raise PermissionDenied("You may only read your own call handling settings", code="CMN-404")
    return extension


def _editable(
    session: SessionDep,
    principal: Principal,
    account_id: str,
    extension_id: str,
    scope: AppScope = AppScope.EDIT_EXTENSIONS,
) -> Extension:
    """The extension whose settings change: one's own (if the role allows), any for an admin."""
    require_scope(principal, scope)
    extension = resolve_extension(session, principal, account_id, extension_id)
    require_editor(principal, extension)
    return extension


def _admin_account(principal: Principal, account_id: str, scope: AppScope) -> int:
    require_scope(principal, scope)
    account = resolve_account(principal, account_id)
    if not principal.is_admin:
        raise PermissionDenied("Only an administrator can change company settings", code="CMN-402")
    return account


def _translate(request: Request) -> Translate:
    """English, or French when the client asks for it (Accept-Language: fr)."""
    wanted = request.headers.get("accept-language", "").strip().lower()
    return gettext_for("fr" if wanted.startswith("fr") else "en").gettext


def _merged(base: Mapping[str, Any], change: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with the fields of ``change`` (a PUT changes only what it names): objects
    merge field by field, ``greetings`` by type; a ``schedule`` and lists are replaced."""
    merged = dict(base)
    for key, value in change.items():
        if key == "schedule":
            merged[key] = value
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        elif key == "greetings" and isinstance(value, list):
            by_type = {greeting.get("type"): greeting for greeting in merged.get(key, [])}
            by_type.update({greeting.get("type"): greeting for greeting in value})
            merged[key] = list(by_type.values())
        else:
            merged[key] = value
    return merged


# --- answering rules --------------------------------------------------------------------


@router.get("/extension/{extension_id}/answering-rule")
def list_answering_rules(
    request: Request,
    account_id: str,
    extension_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    paging: PageDep,
    type: MultiValue = [],  # noqa: B006 - the public API's parameter name
    view: str = "Simple",
    enabled_only: Annotated[bool, Query(alias="enabledOnly")] = False,
) -> dict[str, Any]:
    """CH-1: user hours, after hours, then the custom rules in the order they are tried."""
    extension = _readable(session, principal, account_id, extension_id)
    if view not in RULE_VIEWS:
        raise ApiError(
            400,
            "CMN-101",
            "Parameter [view] value is invalid: use Simple or Detailed",
            parameterName="view",
        )
    unknown = [kind for kind in type if kind not in set(RuleType)]
    if unknown:
        raise ApiError(
            400,
            "CMN-101",
            "Parameter [type] value is invalid: use BusinessHours, AfterHours or Custom",
            parameterName="type",
        )
    found = [
        rule
        for rule in rules.list_rules(session, extension.account_id, extension.id)
        if (not type or rule.type.value in type) and (rule.enabled or not enabled_only)
    ]
    page = PageOf.of_list(found, paging.page, paging.per_page)
    records = [
        schemas.rule_json(request, extension, rule, detailed=view == "Detailed")
        for rule in page.rows
    ]
    query: dict[str, Any] = {"type": type, "view": view}
    if enabled_only:
        query["enabledOnly"] = "true"
    return list_body(
        request, schemas.rules_path(extension.account_id, extension.id), records, page, query
    )


@router.post("/extension/{extension_id}/answering-rule")
def create_answering_rule(
    request: Request,
    account_id: str,
    extension_id: str,
    body: RuleDoc,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    """CH-4: a custom rule (``type`` Custom and a ``name``), tried after the others."""
    extension = _editable(session, principal, account_id, extension_id)
    if body.type is not RuleType.CUSTOM:
        raise InvalidInput([FieldProblem("type", "Only Custom rules can be created")])
    document = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    rule = rules.parse_rule(
        session, extension.account_id, extension.id, document, "new", RuleType.CUSTOM
    )
    created = rules.create_custom_rule(session, extension.account_id, extension.id, rule)
    return schemas.rule_json(request, extension, created)


@router.get("/extension/{extension_id}/answering-rule/preview")
def preview_call(
    request: Request,
    account_id: str,
    extension_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    caller_number: Annotated[str | None, Query(alias="callerNumber")] = None,
    called_number: Annotated[str | None, Query(alias="calledNumber")] = None,
    date_time: Annotated[str | None, Query(alias="dateTime")] = None,
    queue_name: Annotated[str | None, Query(alias="queueName")] = None,
) -> dict[str, Any]:
    """What happens if this caller calls this number at this time (ARCHITECTURE
    principle 2): the plan the router makes now, and its description."""
    extension = _readable(session, principal, account_id, extension_id)
    loaded = settings.load_extension_settings(session, extension.account_id, extension.id)
    region = company.get_account(session, extension.account_id).home_country
    call = IncomingCall(
        caller_number=_caller(caller_number, region),
        called_number=_called(session, extension, called_number, region),
        queue_name=queue_name or None,
    )
    plan = route(call, loaded, _when(date_time, loaded.time_zone))
    return schemas.preview_json(request, extension, plan, describe(plan, _translate(request)))


def _caller(text: str | None, region: str) -> str | None:
    """A caller's number: an extension number as is, anything else in E.164."""
    if not text or not text.strip():
        return None
    cleaned = text.strip()
    if cleaned.isdigit() and len(cleaned) <= 5:
        return cleaned
    try:
        return to_e164(cleaned, region)
    except PhoneNumberError as error:
        raise ApiError(400, "CMN-101", str(error), parameterName="callerNumber") from error


def _called(session: SessionDep, extension: Extension, text: str | None, region: str) -> str:
    """The number dialled: given, or the extension's first direct number (its extension
    number when it has none)."""
    if text and text.strip():
        cleaned = text.strip()
        if cleaned == extension.number:
            return cleaned
        try:
            return to_e164(cleaned, region)
        except PhoneNumberError as error:
            raise ApiError(400, "CMN-101", str(error), parameterName="calledNumber") from error
    numbers = direct_numbers(session, extension.account_id, extension.id)
    return numbers[0].e164 if numbers else extension.number


def _when(text: str | None, time_zone: str) -> datetime:
    """``dateTime`` in ISO 8601; without an offset it is the user's wall-clock time."""
    if not text:
        return now()
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ApiError(
            400,
            "CMN-101",
            "Parameter [dateTime] value is invalid: use ISO 8601, e.g. 2026-06-06T10:00:00",
            parameterName="dateTime",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(time_zone))


@router.get("/extension/{extension_id}/answering-rule/validation")
def validate_answering_rules(
    request: Request,
    account_id: str,
    extension_id: str,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    """CH-4 "Validate rules": overlapping or conflicting custom rules, and rules that
    cannot work as written."""
    extension = _readable(session, principal, account_id, extension_id)
    loaded = settings.load_extension_settings(session, extension.account_id, extension.id)
    findings = validate_rules(loaded.custom_rules, user_hours=loaded.user_hours)
    return schemas.findings_json(request, extension, findings, _translate(request))


@router.get("/extension/{extension_id}/answering-rule/{rule_id}")
def read_answering_rule(
    request: Request,
    account_id: str,
    extension_id: str,
    rule_id: str,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    extension = _readable(session, principal, account_id, extension_id)
    return schemas.rule_json(
        request, extension, rules.get_rule(session, extension.account_id, extension.id, rule_id)
    )


@router.put("/extension/{extension_id}/answering-rule/{rule_id}")
def update_answering_rule(
    request: Request,
    account_id: str,
    extension_id: str,
    rule_id: str,
    body: RuleDoc,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    """Only the fields given change; the user-hours and after-hours rules take no
    conditions (their hours are ``business-hours``)."""
    extension = _editable(session, principal, account_id, extension_id)
    current = rules.get_rule(session, extension.account_id, extension.id, rule_id)
    change = body.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if "type" in change and change["type"] != current.type.value:
        raise InvalidInput([FieldProblem("type", "A rule's type cannot be changed")])
    document = _merged(rule_document(current), change)
    rule = rules.parse_rule(
        session, extension.account_id, extension.id, document, rule_id, current.type
    )
    updated = rules.update_rule(session, extension.account_id, extension.id, rule_id, rule)
    return schemas.rule_json(request, extension, updated)


@router.delete("/extension/{extension_id}/answering-rule/{rule_id}", status_code=204)
def delete_answering_rule(
    account_id: str, extension_id: str, rule_id: str, principal: PrincipalDep, session: SessionDep
) -> Response:
    extension = _editable(session, principal, account_id, extension_id)
    rules.delete_rule(session, extension.account_id, extension.id, rule_id)
    return Response(status_code=204)


# --- user and company hours -------------------------------------------------------------


@router.get("/extension/{extension_id}/business-hours")
def read_user_hours(
    request: Request,
    account_id: str,
    extension_id: str,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    extension = _readable(session, principal, account_id, extension_id)
    schedule = hours.get_user_hours(session, extension.account_id, extension.id)
    path = f"{extension_path(extension.account_id, extension.id)}/business-hours"
    return schemas.schedule_json(request, path, schedule)


@router.put("/extension/{extension_id}/business-hours")
def update_user_hours(
    request: Request,
    account_id: str,
    extension_id: str,
    body: schemas.BusinessHoursBody,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    """An empty ``weeklyRanges`` means user hours all the time (24/7)."""
    extension = _editable(session, principal, account_id, extension_id)
    schedule = hours.parse_weekly_ranges(
        body.schedule.weekly_ranges.model_dump(mode="json", by_alias=True)
    )
    hours.set_user_hours(session, extension.account_id, extension.id, schedule)
    path = f"{extension_path(extension.account_id, extension.id)}/business-hours"
    return schemas.schedule_json(request, path, schedule)


@router.get("/business-hours")
def read_company_hours(
    request: Request, account_id: str, principal: PrincipalDep, session: SessionDep
) -> dict[str, Any]:
    require_scope(principal, AppScope.READ_ACCOUNTS)
    account = resolve_account(principal, account_id)
    schedule = hours.get_company_hours(session, account)
    return schemas.schedule_json(request, f"{account_path(account)}/business-hours", schedule)


@router.put("/business-hours")
def update_company_hours(
    request: Request,
    account_id: str,
    body: schemas.BusinessHoursBody,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    account = _admin_account(principal, account_id, AppScope.EDIT_EXTENSIONS)
    schedule = hours.parse_weekly_ranges(
        body.schedule.weekly_ranges.model_dump(mode="json", by_alias=True)
    )
    hours.set_company_hours(session, account, schedule)
    return schemas.schedule_json(request, f"{account_path(account)}/business-hours", schedule)


# --- forwarding numbers -----------------------------------------------------------------


def _number_json(
    request: Request, session: SessionDep, extension: Extension, number: ForwardingNumber
) -> dict[str, Any]:
    apps_of = None
    if number.type is ForwardingNumberType.EXTENSION_APPS and number.extension_id:
        apps_of = get_extension(session, extension.account_id, int(number.extension_id))
    return schemas.forwarding_number_json(request, extension, number, apps_of)


def _id(value: str | None, field: str) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        raise InvalidInput([FieldProblem(field, f"'{value}' is not an id")])
    return int(value)


@router.get("/extension/{extension_id}/forwarding-number")
def list_forwarding_numbers(
    request: Request,
    account_id: str,
    extension_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    paging: PageDep,
) -> dict[str, Any]:
    """CH-2: the extension's phones, then the numbers the user added."""
    extension = _readable(session, principal, account_id, extension_id)
    numbers = forwarding.list_forwarding_numbers(session, extension.account_id, extension.id)
    page = PageOf.of_list(numbers, paging.page, paging.per_page)
    records = [_number_json(request, session, extension, number) for number in page.rows]
    path = f"{extension_path(extension.account_id, extension.id)}/forwarding-number"
    return list_body(request, path, records, page, {})


@router.post("/extension/{extension_id}/forwarding-number")
def create_forwarding_number(
    request: Request,
    account_id: str,
    extension_id: str,
    body: schemas.ForwardingNumberBody,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    """Add an outside number, another user's phone (``device.id``) or an extension's
    apps (``extension.id``); ten numbers at most."""
    extension = _editable(session, principal, account_id, extension_id)
    kind = body.type or (
        ForwardingNumberType.PHONE_LINE if body.device is not None else ForwardingNumberType.OTHER
    )
    new = forwarding.ForwardingNumberInput(
        type=kind,
        phone_number=body.phone_number or "",
        label=body.label or "",
        device_id=_id(body.device.id if body.device else None, "device.id"),
        extension_id=_id(body.extension.id if body.extension else None, "extension.id"),
    )
    number = forwarding.add_forwarding_number(session, extension.account_id, extension.id, new)
    return _number_json(request, session, extension, number)


@router.get("/extension/{extension_id}/forwarding-number/{number_id}")
def read_forwarding_number(
    request: Request,
    account_id: str,
    extension_id: str,
    number_id: str,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    extension = _readable(session, principal, account_id, extension_id)
    number = forwarding.get_forwarding_number(
        session, extension.account_id, extension.id, number_id
    )
    return _number_json(request, session, extension, number)


@router.put("/extension/{extension_id}/forwarding-number/{number_id}")
def update_forwarding_number(
    request: Request,
    account_id: str,
    extension_id: str,
    number_id: str,
    body: schemas.ForwardingNumberBody,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    extension = _editable(session, principal, account_id, extension_id)
    change = forwarding.ForwardingNumberChange(
        phone_number=body.phone_number, label=body.label, type=body.type
    )
    number = forwarding.update_forwarding_number(
        session, extension.account_id, extension.id, number_id, change
    )
    return _number_json(request, session, extension, number)


@router.delete("/extension/{extension_id}/forwarding-number/{number_id}", status_code=204)
def delete_forwarding_number(
    account_id: str, extension_id: str, number_id: str, principal: PrincipalDep, session: SessionDep
) -> Response:
    extension = _editable(session, principal, account_id, extension_id)
    forwarding.remove_forwarding_number(session, extension.account_id, extension.id, number_id)
    return Response(status_code=204)


# --- caller blocking --------------------------------------------------------------------


@router.get("/extension/{extension_id}/caller-blocking")
def read_caller_blocking(
    request: Request,
    account_id: str,
    extension_id: str,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    extension = _readable(session, principal, account_id, extension_id)
    settings_now = blocking.get_blocking(session, extension.account_id, extension.id)
    return schemas.blocking_json(request, extension, settings_now)


def _blocking_greeting(docs: list[Any], kinds: set[GreetingType]) -> Greeting | None:
    for doc in docs:
        if doc.type in {kind.value for kind in kinds}:
            if doc.custom is not None:
                return Greeting(doc.custom.id)
            return DEFAULT_GREETING
    return None


@router.put("/extension/{extension_id}/caller-blocking")
def update_caller_blocking(
    request: Request,
    account_id: str,
    extension_id: str,
    body: schemas.CallerBlockingBody,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    """BLK-1, BLK-3..BLK-5; a greeting is the default one (``preset``) or ``custom``."""
    extension = _editable(session, principal, account_id, extension_id)
    docs = body.greetings or []
    change = blocking.BlockingChange(
        mode=body.mode,
        no_caller_id=body.no_caller_id,
        pay_phones_blocked=None if body.pay_phones is None else body.pay_phones == "Block",
        robocalls=body.robocalls,
        blocked_greeting=_blocking_greeting(
            docs, {GreetingType.BLOCKED_CALLERS_SPECIFIC, GreetingType.BLOCKED_CALLERS_ALL}
        ),
        pay_phone_greeting=_blocking_greeting(docs, {GreetingType.BLOCKED_PAY_PHONES}),
    )
    changed = blocking.update_blocking(session, extension.account_id, extension.id, change)
    return schemas.blocking_json(request, extension, changed)


@router.get("/extension/{extension_id}/caller-blocking/phone-numbers")
def list_listed_numbers(
    request: Request,
    account_id: str,
    extension_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    paging: PageDep,
    status: str = blocking.ListStatus.BLOCKED.value,
) -> dict[str, Any]:
    """BLK-2: the block list (``status=Blocked``, the default) or the trusted numbers
    (``status=Allowed``)."""
    extension = _readable(session, principal, account_id, extension_id)
    if status not in set(blocking.ListStatus):
        raise ApiError(
            400,
            "CMN-101",
            "Parameter [status] value is invalid: use Blocked or Allowed",
            parameterName="status",
        )
    found = blocking.list_numbers(
        session, extension.account_id, extension.id, blocking.ListStatus(status)
    )
    page = PageOf.of_list(found, paging.page, paging.per_page)
    records = [schemas.listed_number_json(request, extension, number) for number in page.rows]
    path = f"{extension_path(extension.account_id, extension.id)}/caller-blocking/phone-numbers"
    return list_body(request, path, records, page, {"status": status})


@router.post("/extension/{extension_id}/caller-blocking/phone-numbers")
def create_listed_number(
    request: Request,
    account_id: str,
    extension_id: str,
    body: schemas.ListedNumberBody,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    extension = _editable(session, principal, account_id, extension_id)
    if not body.phone_number:
        raise InvalidInput([FieldProblem("phoneNumber", "Enter a phone number or an area code")])
    number = blocking.add_number(
        session,
        extension.account_id,
        extension.id,
        body.phone_number,
        body.label or "",
        body.status or blocking.ListStatus.BLOCKED,
    )
    return schemas.listed_number_json(request, extension, number)


@router.get("/extension/{extension_id}/caller-blocking/phone-numbers/{number_id}")
def read_listed_number(
    request: Request,
    account_id: str,
    extension_id: str,
    number_id: str,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    extension = _readable(session, principal, account_id, extension_id)
    number = blocking.get_number(session, extension.account_id, extension.id, number_id)
    return schemas.listed_number_json(request, extension, number)


@router.put("/extension/{extension_id}/caller-blocking/phone-numbers/{number_id}")
def update_listed_number(
    request: Request,
    account_id: str,
    extension_id: str,
    number_id: str,
    body: schemas.ListedNumberBody,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    extension = _editable(session, principal, account_id, extension_id)
    number = blocking.update_number(
        session,
        extension.account_id,
        extension.id,
        number_id,
        phone_number=body.phone_number,
        label=body.label,
        status=body.status,
    )
    return schemas.listed_number_json(request, extension, number)


@router.delete(
    "/extension/{extension_id}/caller-blocking/phone-numbers/{number_id}", status_code=204
)
def delete_listed_number(
    account_id: str, extension_id: str, number_id: str, principal: PrincipalDep, session: SessionDep
) -> Response:
    extension = _editable(session, principal, account_id, extension_id)
    blocking.remove_number(session, extension.account_id, extension.id, number_id)
    return Response(status_code=204)


# --- greetings --------------------------------------------------------------------------


class GreetingUpload:
    """The parts of a greeting upload: form fields ``type``, ``answeringRuleId`` and the
    file ``binary`` (the public API's form), or the SDK's ``json`` part
    (``{"type": ..., "answeringRule": {"id": ...}}``) and an attachment, sent as
    multipart/form-data or multipart/mixed."""

    def __init__(self, fields: dict[str, Any], audio: bytes, file_name: str) -> None:
        self.fields = fields
        self.audio = audio
        self.file_name = file_name


async def greeting_upload(request: Request) -> GreetingUpload:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("multipart/form-data", "multipart/mixed")):
        raise InvalidInput([FieldProblem("binary", "Upload the recording as multipart/form-data")])
    headers = Headers(
        {"content-type": content_type.replace("multipart/mixed", "multipart/form-data", 1)}
    )
    try:
        form = await MultiPartParser(headers, request.stream()).parse()
    except MultiPartException as error:
        raise InvalidInput([FieldProblem("binary", error.message)]) from error
    fields: dict[str, Any] = {}
    audio: UploadFile | None = None
    limit = ConversionLimits().max_bytes
    try:
        for name, value in form.multi_items():
            if isinstance(value, str):
                fields[name] = value
            elif name == "json" or (value.content_type or "").startswith("application/json"):
                fields = {**_json_fields(await value.read(1_000_000)), **fields}
            elif audio is None or name == "binary":
                audio = value
        if audio is None:
            raise InvalidInput([FieldProblem("binary", "Attach the recording")])
        data = await audio.read(limit + 1)
        if len(data) > limit:
            raise InvalidInput([FieldProblem("binary", "The file is larger than 20 MB")])
        return GreetingUpload(fields, data, audio.filename or "")
    finally:
        await form.close()


def _json_fields(raw: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(raw or b"{}")
    except ValueError:
        raise InvalidInput([FieldProblem("json", "The request part is not valid JSON")]) from None
    if not isinstance(parsed, dict):
        raise InvalidInput([FieldProblem("json", "The request part must be a JSON object")])
    rule = parsed.get("answeringRule")
    if isinstance(rule, dict) and "id" in rule:
        parsed["answeringRuleId"] = str(rule["id"])
    return parsed


GreetingUploadDep = Annotated[GreetingUpload, Depends(greeting_upload)]


@router.post("/extension/{extension_id}/greeting")
def create_greeting(
    request: Request,
    account_id: str,
    extension_id: str,
    upload: GreetingUploadDep,
    principal: PrincipalDep,
    session: SessionDep,
    runtime: RuntimeDep,
    apply: bool = True,
) -> dict[str, Any]:
    """GS-1, VM-1...: a custom greeting of ``type`` from a WAV, MP3, Ogg, WebM or M4A
    recording, played by the rule ``answeringRuleId`` (by default the user-hours and
    after-hours rules) unless ``apply=false``."""
    extension = _editable(session, principal, account_id, extension_id)
    kind_text = str(upload.fields.get("type", ""))
    try:
        kind = GreetingType(kind_text)
    except ValueError:
        raise InvalidInput(
            [FieldProblem("type", f"'{kind_text}' is not a greeting type that can be uploaded")]
        ) from None
    rule_id = upload.fields.get("answeringRuleId") or None
    greeting = greetings.upload_greeting(
        session,
        runtime.blobs,
        extension.account_id,
        extension.id,
        kind,
        upload.audio,
        upload.file_name,
        answering_rule_id=str(rule_id) if rule_id else None,
        apply=apply,
    )
    rule = greetings.rule_playing(session, extension.account_id, extension.id, str(greeting.id))
    return schemas.greeting_json(request, extension, greeting, rule)


@router.get("/extension/{extension_id}/greeting/hold-music")
def read_hold_music_greeting(
    request: Request,
    account_id: str,
    extension_id: str,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    """The public API's custom hold music: the recording held callers hear, if any."""
    extension = _readable(session, principal, account_id, extension_id)
    music = settings.get_hold_music(session, extension.account_id, extension.id)
    if music.kind is not ConnectingAudioKind.CUSTOM or music.custom_id is None:
        raise NotFound("greetingId")
    greeting = recordings.get_greeting(session, extension.account_id, extension.id, music.custom_id)
    return schemas.greeting_json(request, extension, greeting, None)


@router.get("/extension/{extension_id}/greeting/{greeting_id}")
def read_greeting(
    request: Request,
    account_id: str,
    extension_id: str,
    greeting_id: str,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    extension = _readable(session, principal, account_id, extension_id)
    greeting = recordings.get_greeting(session, extension.account_id, extension.id, greeting_id)
    rule = greetings.rule_playing(session, extension.account_id, extension.id, greeting_id)
    return schemas.greeting_json(request, extension, greeting, rule)


@router.get("/extension/{extension_id}/greeting/{greeting_id}/content")
def read_greeting_content(
    account_id: str,
    extension_id: str,
    greeting_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    runtime: RuntimeDep,
) -> Response:
    extension = _readable(session, principal, account_id, extension_id)
    data, content_type = greetings.greeting_content(
        session, runtime.blobs, extension.account_id, extension.id, greeting_id
    )
    return Response(content=data, media_type=content_type)


@dictionary.get("/greeting")
def list_standard_greetings(
    request: Request,
    principal: PrincipalDep,
    paging: PageDep,
    type: str | None = None,
    usage_type: Annotated[str | None, Query(alias="usageType")] = None,
) -> dict[str, Any]:
    """The standard greetings a rule or the blocking settings may choose."""
    found = [
        chosen
        for chosen in PRESETS
        if (type is None or chosen.type.value == type)
        and (usage_type is None or chosen.usage_type == usage_type)
    ]
    page = PageOf.of_list(found, paging.page, paging.per_page)
    translate = _translate(request)
    records = [schemas.preset_json(request, chosen, translate) for chosen in page.rows]
    query = {key: value for key, value in (("type", type), ("usageType", usage_type)) if value}
    return list_body(request, "/restapi/v1.0/dictionary/greeting", records, page, query)


@dictionary.get("/greeting/{greeting_id}")
def read_standard_greeting(
    request: Request, greeting_id: str, principal: PrincipalDep
) -> dict[str, Any]:
    chosen = schemas.find_preset(greeting_id)
    if chosen is None:
        raise NotFound("greetingId")
    return schemas.preset_json(request, chosen, _translate(request))


# --- presence and do-not-disturb --------------------------------------------------------


@router.get("/extension/{extension_id}/presence")
def read_presence(
    request: Request,
    account_id: str,
    extension_id: str,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    extension = _readable(session, principal, account_id, extension_id, AppScope.READ_PRESENCE)
    state = presence.get_presence(session, extension.account_id, extension.id)
    return schemas.presence_json(request, extension, state)


@router.put("/extension/{extension_id}/presence")
def update_presence(
    request: Request,
    account_id: str,
    extension_id: str,
    body: schemas.PresenceBody,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    """PRE-1: ``dndStatus`` TakeAllCalls (green), DoNotAcceptDepartmentCalls (orange),
    DoNotAcceptAnyCalls (red) or TakeDepartmentCallsOnly."""
    extension = _editable(session, principal, account_id, extension_id, AppScope.EDIT_PRESENCE)
    change = presence.PresenceChange(
        dnd_status=body.dnd_status,
        user_status=body.user_status,
        message=body.message,
        allow_see_my_presence=body.allow_see_my_presence,
        ring_on_monitored_call=body.ring_on_monitored_call,
        pick_up_calls_on_hold=body.pick_up_calls_on_hold,
    )
    state = presence.update_presence(session, extension.account_id, extension.id, change)
    return schemas.presence_json(request, extension, state)


# --- our own: incoming call information, account settings, robocall list ----------------


def _setting_json(
    request: Request, extension: Extension, resource: str, document: dict[str, Any]
) -> dict[str, Any]:
    """One of our per-extension settings resources: its ``uri``, then its fields."""
    path = f"{extension_path(extension.account_id, extension.id)}/{resource}"
    return {"uri": absolute_uri(request, path), **document}


def _with_changes(document: dict[str, Any], body: BaseModel) -> dict[str, Any]:
    """A partial PUT: the fields sent replace those of the current document."""
    return {**document, **body.model_dump(mode="json", by_alias=True, exclude_unset=True)}


@router.get("/extension/{extension_id}/incoming-call-info")
def read_incoming_call_info(
    request: Request,
    account_id: str,
    extension_id: str,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    """CH-5: the number shown, the announcement before connecting, the PIN to answer."""
    extension = _readable(session, principal, account_id, extension_id)
    info = settings.get_incoming_call_info(session, extension.account_id, extension.id)
    return _setting_json(
        request, extension, "incoming-call-info", incoming_call_info_document(info)
    )


@router.put("/extension/{extension_id}/incoming-call-info")
def update_incoming_call_info(
    request: Request,
    account_id: str,
    extension_id: str,
    body: schemas.IncomingCallInfoBody,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    extension = _editable(session, principal, account_id, extension_id)
    current = settings.get_incoming_call_info(session, extension.account_id, extension.id)
    info = settings.parse_incoming_call_info(
        _with_changes(incoming_call_info_document(current), body)
    )
    settings.set_incoming_call_info(session, extension.account_id, extension.id, info)
    return _setting_json(
        request, extension, "incoming-call-info", incoming_call_info_document(info)
    )


@router.get("/extension/{extension_id}/hold-music")
def read_hold_music(
    request: Request,
    account_id: str,
    extension_id: str,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    """GS-5: what callers hear while the user holds them, and how loud."""
    extension = _readable(session, principal, account_id, extension_id)
    music = settings.get_hold_music(session, extension.account_id, extension.id)
    return _setting_json(request, extension, "hold-music", hold_music_document(music))


@router.put("/extension/{extension_id}/hold-music")
def update_hold_music(
    request: Request,
    account_id: str,
    extension_id: str,
    body: schemas.HoldMusicBody,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    extension = _editable(session, principal, account_id, extension_id)
    current = settings.get_hold_music(session, extension.account_id, extension.id)
    music = settings.parse_hold_music(_with_changes(hold_music_document(current), body))
    settings.set_hold_music(session, extension.account_id, extension.id, music)
    return _setting_json(request, extension, "hold-music", hold_music_document(music))


@router.get("/telephonist/answering-settings")
def read_answering_settings(
    request: Request, account_id: str, principal: PrincipalDep, session: SessionDep
) -> dict[str, Any]:
    """VM-1: the longest voicemail message callers may leave."""
    require_scope(principal, AppScope.READ_ACCOUNTS)
    account = resolve_account(principal, account_id)
    seconds = settings.get_max_message_seconds(session, account)
    return schemas.answering_settings_json(request, account, seconds)


@router.put("/telephonist/answering-settings")
def update_answering_settings(
    request: Request,
    account_id: str,
    body: schemas.AnsweringSettingsBody,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    account = _admin_account(principal, account_id, AppScope.EDIT_ACCOUNTS)
    seconds = settings.set_max_message_seconds(session, account, body.max_message_seconds)
    return schemas.answering_settings_json(request, account, seconds)


@router.get("/telephonist/robocall-numbers")
def list_robocall_numbers(
    request: Request, account_id: str, principal: PrincipalDep, session: SessionDep, paging: PageDep
) -> dict[str, Any]:
    """BLK-3: the numbers the admin lists as robocallers for the whole company."""
    require_scope(principal, AppScope.READ_ACCOUNTS)
    account = resolve_account(principal, account_id)
    found = blocking.list_robocall_numbers(session, account)
    page = PageOf.of_list(found, paging.page, paging.per_page)
    records = [schemas.robocall_number_json(request, number) for number in page.rows]
    return list_body(
        request, f"{account_path(account)}/telephonist/robocall-numbers", records, page, {}
    )


@router.post("/telephonist/robocall-numbers")
def create_robocall_number(
    request: Request,
    account_id: str,
    body: schemas.RobocallNumberBody,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    account = _admin_account(principal, account_id, AppScope.EDIT_ACCOUNTS)
    number = blocking.add_robocall_number(session, account, body.phone_number, body.label)
    return schemas.robocall_number_json(request, number)


@router.delete("/telephonist/robocall-numbers/{number_id}", status_code=204)
def delete_robocall_number(
    account_id: str, number_id: str, principal: PrincipalDep, session: SessionDep
) -> Response:
    account = _admin_account(principal, account_id, AppScope.EDIT_ACCOUNTS)
    blocking.remove_robocall_number(session, account, number_id)
    return Response(status_code=204)
