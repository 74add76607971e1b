"""Admin Portal > Trunks: the account's SIP trunks, with a form to add one and a page to
change or delete each; errors show next to their fields. Needs the ManageTrunks
permission (Super Admins have it)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from telephonist.domain.dialing import NumberFormat
from telephonist.domain.permissions import Permission
from telephonist.domain.text import N_
from telephonist.errors import Conflict, FieldProblem, InvalidInput
from telephonist.i18n import gettext_for
from telephonist.portal.rendering import errors_by_field, render
from telephonist.portal.visitors import AdminUser, Forbidden, SignedIn, check_csrf, runtime_of
from telephonist.trunks import services
from telephonist.trunks.services import AuthMode, TrunkChange, TrunkSettings, TrunkTransport

router = APIRouter()

FormText = Annotated[str, Form()]

NUMBER_FORMAT_LABELS = {
    NumberFormat.E164.value: N_("E.164 (+14155550100)"),
    NumberFormat.NATIONAL.value: N_("National (4155550100)"),
    NumberFormat.ONE_PLUS_TEN.value: N_("1 + 10 digits (14155550100)"),
}
AUTH_MODE_LABELS = {
    AuthMode.IP.value: N_("By IP address"),
    AuthMode.REGISTRATION.value: N_("By registration"),
}
_FORM_FIELD = {
    "authMode": "auth_mode",
    "allowedAddresses": "allowed_addresses",
    "numberFormat": "number_format",
}
NOTICES = {
    "added": N_("The trunk was added."),
    "saved": N_("Your changes have been saved."),
    "removed": N_("The trunk was deleted."),
}


def _trunk_manager(me: AdminUser) -> SignedIn:
    if not me.can(Permission.MANAGE_TRUNKS):
        raise Forbidden
    return me


TrunkManager = Annotated[SignedIn, Depends(_trunk_manager)]


def _trunk_form(
    name: FormText = "",
    host: FormText = "",
    port: FormText = "",
    transport: FormText = "",
    auth_mode: FormText = "",
    username: FormText = "",
    password: FormText = "",
    allowed_addresses: FormText = "",
    number_format: FormText = "",
    enabled: FormText = "",
) -> dict[str, str]:
    """The trunk form as sent (the password is never shown again)."""
    return {
        "name": name,
        "host": host,
        "port": port,
        "transport": transport,
        "auth_mode": auth_mode,
        "username": username,
        "password": password,
        "allowed_addresses": allowed_addresses,
        "number_format": number_format,
        "enabled": enabled,
    }


TrunkForm = Annotated[dict[str, str], Depends(_trunk_form)]


def _change(form: dict[str, str]) -> TrunkChange:
    """Addresses one per line (commas and spaces work too); an empty password keeps
    the stored one."""
    return TrunkChange(
        name=form["name"],
        host=form["host"],
        port=form["port"],
        transport=form["transport"],
        auth_mode=form["auth_mode"],
        username=form["username"],
        password=form["password"],
        allowed_addresses=form["allowed_addresses"].replace(",", " ").split(),
        number_format=form["number_format"],
        enabled=form["enabled"] == "on",
    )


def _shown(form: dict[str, str]) -> dict[str, Any]:
    """What was typed, to show again next to the errors."""
    return {**form, "password": "", "enabled": form["enabled"] == "on"}


def _stored(settings: TrunkSettings) -> dict[str, Any]:
    return {
        "name": settings.name,
        "host": settings.host,
        "port": str(settings.port),
        "transport": settings.transport,
        "auth_mode": settings.auth_mode,
        "username": settings.username,
        "password": "",
        "allowed_addresses": "\n".join(settings.allowed_addresses),
        "number_format": settings.number_format,
        "enabled": settings.enabled,
        "has_password": bool(settings.password),
    }


def _form_errors(error: InvalidInput | Conflict) -> dict[str, list[str]]:
    problems = (
        error.problems
        if isinstance(error, InvalidInput)
        else [FieldProblem(error.field, error.message)]
    )
    return {
        _FORM_FIELD.get(field, field): messages
        for field, messages in errors_by_field(problems).items()
    }


def _choices(me: SignedIn, **extra: Any) -> dict[str, Any]:
    """The form's options, with their labels in the user's language."""
    translate = gettext_for(me.language).gettext
    return {
        "section": "admin",
        "tab": "trunks",
        "transports": [(value.value, value.value.upper()) for value in TrunkTransport],
        "auth_modes": [(value, translate(label)) for value, label in AUTH_MODE_LABELS.items()],
        "number_formats": [
            (value, translate(label)) for value, label in NUMBER_FORMAT_LABELS.items()
        ],
        **extra,
    }


def _list_context(request: Request, me: SignedIn, **extra: Any) -> dict[str, Any]:
    with runtime_of(request).db.transaction() as session:
        trunks = services.list_trunks(session, me.account.id)
    context = {
        "trunks": trunks,
        "address_of": services.address_of,
        "auth_mode_labels": AUTH_MODE_LABELS,
        "number_format_labels": NUMBER_FORMAT_LABELS,
        "values": _stored(TrunkSettings()),
    }
    return _choices(me, **{**context, **extra})


@router.get("/admin/trunks")
def trunks_page(
    request: Request, me: TrunkManager, done: Annotated[str | None, Query()] = None
) -> Response:
    notice = gettext_for(me.language).gettext(NOTICES[done]) if done in NOTICES else None
    return render(request, "admin/trunks.html", _list_context(request, me, notice=notice))


@router.post("/admin/trunks")
def add_trunk(
    request: Request, me: TrunkManager, form: TrunkForm, csrf_token: FormText = ""
) -> Response:
    check_csrf(request, csrf_token)
    try:
        with runtime_of(request).db.transaction() as session:
            services.add_trunk(session, me.account.id, _change(form))
    except (InvalidInput, Conflict) as error:
        context = _list_context(request, me, values=_shown(form), errors=_form_errors(error))
        return render(request, "admin/trunks.html", context, status_code=400)
    return RedirectResponse("/admin/trunks?done=added", status_code=303)


@router.get("/admin/trunks/{trunk_id}")
def trunk_page(request: Request, trunk_id: int, me: TrunkManager) -> Response:
    with runtime_of(request).db.transaction() as session:
        trunk = services.get_trunk(session, me.account.id, trunk_id)
        values = _stored(services.settings_of(trunk))
    return render(request, "admin/trunks_edit.html", _choices(me, trunk=trunk, values=values))


@router.post("/admin/trunks/{trunk_id}")
def save_trunk(
    request: Request,
    trunk_id: int,
    me: TrunkManager,
    form: TrunkForm,
    csrf_token: FormText = "",
) -> Response:
    """Every field is checked; nothing is saved if one is wrong."""
    check_csrf(request, csrf_token)
    try:
        with runtime_of(request).db.transaction() as session:
            services.update_trunk(session, me.account.id, trunk_id, _change(form))
    except (InvalidInput, Conflict) as error:
        with runtime_of(request).db.transaction() as session:
            trunk = services.get_trunk(session, me.account.id, trunk_id)
            values = {**_shown(form), "has_password": bool(trunk.password)}
        context = _choices(me, trunk=trunk, values=values, errors=_form_errors(error))
        return render(request, "admin/trunks_edit.html", context, status_code=400)
    return RedirectResponse("/admin/trunks?done=saved", status_code=303)


@router.post("/admin/trunks/{trunk_id}/delete")
def delete_trunk(
    request: Request, trunk_id: int, me: TrunkManager, csrf_token: FormText = ""
) -> Response:
    check_csrf(request, csrf_token)
    with runtime_of(request).db.transaction() as session:
        services.remove_trunk(session, me.account.id, trunk_id)
    return RedirectResponse("/admin/trunks?done=removed", status_code=303)
