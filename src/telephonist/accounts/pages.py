"""Portal pages of the account feature: Overview (WEB-3), Settings > User Details (EXT-3,
EXT-4), Settings > Phones & Numbers (DEV-1, DEV-3, E911-1), Contacts > Company (EXT-5),
and the admin's Users page (ACC-1)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from telephonist.accounts import devices, users
from telephonist.accounts.extensions import (
    ExtensionFilter,
    list_extensions,
    numbers_of_extensions,
    numbers_usable_by,
)
from telephonist.calllog.display import call_lines
from telephonist.calllog.search import recent_calls
from telephonist.domain import regional
from telephonist.domain.credentials import SECURITY_QUESTION_TEXT, check_password, check_pin
from telephonist.domain.extensions import EXTENSION_TYPE_LABELS, ExtensionType
from telephonist.domain.permissions import ROLE_PRESETS
from telephonist.errors import Conflict, InvalidInput, PermissionDenied
from telephonist.i18n import gettext_for
from telephonist.identity import credentials
from telephonist.identity.activation import issue_activation
from telephonist.identity.hashing import verify_secret
from telephonist.portal.rendering import errors_by_field, render
from telephonist.portal.visitors import AdminUser, CurrentUser, SignedIn, check_csrf, runtime_of
from telephonist.store.accounts import Role
from telephonist.store.base import utcnow
from telephonist.store.extensions import Extension
from telephonist.voicemail.display import message_lines
from telephonist.voicemail.messages import MessageFilter, search_messages

router = APIRouter()

FormText = Annotated[str, Form()]
DIRECTORY_PAGE_SIZE = 25
RECENT_MESSAGES = 5


def _translate(me: SignedIn, text: str) -> str:
    return gettext_for(me.language).gettext(text)


@router.get("/overview")
def overview(request: Request, me: CurrentUser) -> Response:
    """WEB-3: the user's numbers, extension, phones, last calls and messages at a glance."""
    runtime = runtime_of(request)
    with runtime.db.transaction() as session:
        numbers = numbers_usable_by(session, me.account.id, me.extension.id)
        phones = devices.list_devices(session, me.account.id, me.extension.id)
        online = devices.online_devices(session, me.account.id)
        regional = users.effective_regional(me.account, me.extension)
        recent = call_lines(recent_calls(session, me.account.id, me.extension.id), regional)
        inbox = MessageFilter(extension_id=me.extension.id)
        messages = message_lines(
            search_messages(session, me.account.id, inbox, 1, RECENT_MESSAGES).rows, regional
        )
    return render(
        request,
        "overview.html",
        {
            "tab": "overview",
            "numbers": numbers,
            "phones": phones,
            "online": online,
            "recent_calls": recent,
            "recent_messages": messages,
        },
    )


def _settings_context(request: Request, me: SignedIn, panel: str, **extra: Any) -> dict[str, Any]:
    extension = me.extension
    user = extension.user
    assert user is not None
    settings = users.effective_regional(me.account, extension)
    values = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "job_title": user.job_title,
        "department": user.department,
        "contact_phone": user.contact_phone,
        "mobile_phone": user.mobile_phone,
        "email": extension.email or "",
        "pronounced_name": user.pronounced_name,
        "marketing_opt_in": user.marketing_opt_in,
        "notify_on_phone_added": user.notify_on_phone_added,
        "time_zone": settings.time_zone,
        "home_country": settings.home_country,
        "greeting_language": settings.greeting_language,
        "user_language": settings.user_language,
        "regional_format": settings.regional_format,
        "time_format": settings.time_format,
    }
    values.update(extra.pop("values", {}))
    return {
        "tab": "settings",
        "panel": panel,
        "values": values,
        "status": extension.status,
        "role_name": _role_name(request, me),
        "languages": [(language.locale_code, language.name) for language in regional.LANGUAGES],
        "countries": [
            (c.iso_code, f"{c.name} (+{c.calling_code})") for c in regional.countries(me.language)
        ],
        "time_zones": regional.time_zone_names(),
        "questions": list(SECURITY_QUESTION_TEXT.items()),
        **extra,
    }


def _role_name(request: Request, me: SignedIn) -> str:
    with runtime_of(request).db.transaction() as session:
        user = me.extension.user
        role = session.get(Role, user.role_id) if user is not None else None
        return role.name if role else ""


@router.get("/settings/user-details")
def user_details(request: Request, me: CurrentUser, saved: str | None = None) -> Response:
    notice = _translate(me, "Your changes have been saved.") if saved else None
    return render(
        request,
        "settings/user_details.html",
        {**_settings_context(request, me, "general"), "notice": notice},
    )


@router.post("/settings/user-details")
def save_user_details(
    request: Request,
    me: CurrentUser,
    csrf_token: FormText = "",
    first_name: FormText = "",
    last_name: FormText = "",
    job_title: FormText = "",
    department: FormText = "",
    contact_phone: FormText = "",
    mobile_phone: FormText = "",
    email: FormText = "",
    pronounced_name: FormText = "",
    marketing_opt_in: FormText = "",
    notify_on_phone_added: FormText = "",
) -> Response:
    """EXT-3: every field is checked; nothing is saved if one is wrong."""
    check_csrf(request, csrf_token)
    submitted = {
        "first_name": first_name,
        "last_name": last_name,
        "job_title": job_title,
        "department": department,
        "contact_phone": contact_phone,
        "mobile_phone": mobile_phone,
        "email": email,
        "pronounced_name": pronounced_name,
        "marketing_opt_in": marketing_opt_in == "on",
        "notify_on_phone_added": notify_on_phone_added == "on",
    }
    change = users.UserDetailsChange(
        first_name=first_name,
        last_name=last_name,
        job_title=job_title,
        department=department,
        contact_phone=contact_phone,
        mobile_phone=mobile_phone,
        email=email,
        pronounced_name=pronounced_name,
        marketing_opt_in=marketing_opt_in == "on",
        notify_on_phone_added=notify_on_phone_added == "on",
    )
    try:
        with runtime_of(request).db.transaction() as session:
            extension = session.get(Extension, me.extension.id)
            assert extension is not None
            users.update_user_details(session, me.principal, extension, change)
    except InvalidInput as error:
        context = _settings_context(
            request, me, "general", values=submitted, errors=_by_form_field(error)
        )
        return render(request, "settings/user_details.html", context, status_code=400)
    except Conflict as error:
        context = _settings_context(
            request, me, "general", values=submitted, errors={"email": [error.message]}
        )
        return render(request, "settings/user_details.html", context, status_code=409)
    return RedirectResponse("/settings/user-details?saved=1", status_code=303)


_FORM_FIELD = {
    "firstName": "first_name",
    "lastName": "last_name",
    "jobTitle": "job_title",
    "businessPhone": "contact_phone",
    "mobilePhone": "mobile_phone",
    "pronouncedName": "pronounced_name",
    "timezone": "time_zone",
    "homeCountry": "home_country",
    "greetingLanguage": "greeting_language",
    "language": "user_language",
    "formattingLocale": "regional_format",
    "timeFormat": "time_format",
    "customerName": "customer_name",
    "zip": "postal_code",
    "defaultAreaCode": "default_area_code",
}


def _by_form_field(error: InvalidInput) -> dict[str, list[str]]:
    """Service field names (the public API's) mapped to this form's input names."""
    grouped = errors_by_field(error.problems)
    return {_FORM_FIELD.get(field, field): messages for field, messages in grouped.items()}


@router.get("/settings/user-details/settings")
def settings_and_permissions(
    request: Request, me: CurrentUser, saved: str | None = None
) -> Response:
    notice = _translate(me, "Your changes have been saved.") if saved else None
    return render(
        request,
        "settings/regional.html",
        {**_settings_context(request, me, "settings"), "notice": notice},
    )


@router.post("/settings/user-details/settings")
def save_regional_settings(
    request: Request,
    me: CurrentUser,
    csrf_token: FormText = "",
    time_zone: FormText = "",
    home_country: FormText = "",
    greeting_language: FormText = "",
    user_language: FormText = "",
    regional_format: FormText = "",
    time_format: FormText = "",
) -> Response:
    """EXT-4 regional settings; the portal switches language when the user language changes."""
    check_csrf(request, csrf_token)
    change = users.RegionalChange(
        time_zone=time_zone,
        home_country=home_country,
        greeting_language=greeting_language,
        user_language=user_language,
        regional_format=regional_format,
        time_format=time_format,
    )
    try:
        with runtime_of(request).db.transaction() as session:
            extension = session.get(Extension, me.extension.id)
            assert extension is not None
            users.update_regional_settings(session, me.principal, extension, change)
    except InvalidInput as error:
        submitted = change.__dict__
        context = _settings_context(
            request, me, "settings", values=submitted, errors=_by_form_field(error)
        )
        return render(request, "settings/regional.html", context, status_code=400)
    return RedirectResponse("/settings/user-details/settings?saved=1", status_code=303)


@router.get("/settings/password")
def password_page(request: Request, me: CurrentUser, saved: str | None = None) -> Response:
    with runtime_of(request).db.transaction() as session:
        extension = session.get(Extension, me.extension.id)
        assert extension is not None
        facts = users.account_facts(session, extension)
    notice = _translate(me, "Your changes have been saved.") if saved else None
    context = {
        **_settings_context(request, me, "password"),
        "password_criteria": check_password("", facts),
        "pin_criteria": check_pin("", facts),
        "notice": notice,
    }
    return render(request, "settings/password.html", context)


@router.post("/settings/password/check")
def password_live_check(
    request: Request,
    me: CurrentUser,
    password: FormText = "",
    pin: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    check_csrf(request, csrf_token)
    with runtime_of(request).db.transaction() as session:
        extension = session.get(Extension, me.extension.id)
        assert extension is not None
        facts = users.account_facts(session, extension)
    return render(
        request,
        "activate/_criteria.html",
        {
            "password_criteria": check_password(password, facts),
            "pin_criteria": check_pin(pin, facts),
        },
    )


@router.post("/settings/password")
def change_credentials(
    request: Request,
    me: CurrentUser,
    csrf_token: FormText = "",
    current_password: FormText = "",
    password: FormText = "",
    password_again: FormText = "",
    pin: FormText = "",
    pin_again: FormText = "",
    question: FormText = "",
    answer: FormText = "",
) -> Response:
    """EXT-3 "Change Password": password, PIN and/or security question, each optional,
    after the current password."""
    check_csrf(request, csrf_token)
    errors: dict[str, list[str]] = {}
    with runtime_of(request).db.transaction() as session:
        extension = session.get(Extension, me.extension.id)
        assert extension is not None and extension.user is not None
        facts = users.account_facts(session, extension)
        if not verify_secret(extension.user.password_hash, current_password):
            errors["current_password"] = [_translate(me, "The current password is not correct")]
        problems = []
        if password or password_again:
            problems += credentials.password_problems(password, password_again, facts)
        if pin or pin_again:
            problems += credentials.pin_problems(pin, pin_again, facts)
        if question or answer:
            problems += credentials.question_problems(question, answer)
        errors.update(errors_by_field(problems))
        if not errors:
            if password:
                credentials.set_password(extension.user, password, facts, utcnow())
            if pin:
                credentials.set_pin(extension.user, pin, facts)
            if question:
                credentials.set_security_question(extension.user, question, answer)
    if errors:
        context = {
            **_settings_context(
                request, me, "password", values={"question": question, "answer": answer}
            ),
            "errors": errors,
            "password_criteria": check_password(password, facts),
            "pin_criteria": check_pin(pin, facts),
        }
        return render(request, "settings/password.html", context, status_code=422)
    return RedirectResponse("/settings/password?saved=1", status_code=303)


@router.get("/settings/phones")
def phones_and_numbers(request: Request, me: CurrentUser, saved: str | None = None) -> Response:
    """DEV-1 and DEV-3: the user's phones with their SIP credentials, and their numbers."""
    runtime = runtime_of(request)
    with runtime.db.transaction() as session:
        phones = devices.list_devices(session, me.account.id, me.extension.id)
        online = devices.online_devices(session, me.account.id)
        numbers = numbers_usable_by(session, me.account.id, me.extension.id)
    notice = _translate(me, "Your changes have been saved.") if saved else None
    context = {
        "tab": "settings",
        "panel": "phones",
        "phones": phones,
        "online": online,
        "numbers": numbers,
        "sip_server": f"{runtime.settings.sip_host}:{runtime.settings.sip_port}",
        "notice": notice,
    }
    return render(request, "settings/phones.html", context)


def _device_context(request: Request, me: SignedIn, device_id: int, **extra: Any) -> dict[str, Any]:
    with runtime_of(request).db.transaction() as session:
        device = devices.get_device(session, me.account.id, device_id)
        online = device.id in devices.online_devices(session, me.account.id)
    if device.extension_id != me.extension.id and not me.is_admin:
        raise PermissionDenied("You may only change your own phones")
    address = device.emergency_address
    values = {
        "name": device.name,
        "default_area_code": device.default_area_code,
        "bandwidth": device.bandwidth,
        "hd_voice": device.hd_voice,
        "customer_name": address.customer_name if address else me.extension.name,
        "street": address.street if address else "",
        "street2": address.street2 if address else "",
        "city": address.city if address else "",
        "state": address.state if address else "",
        "postal_code": address.postal_code if address else "",
        "country": address.country if address else me.account.home_country,
    }
    values.update(extra.pop("values", {}))
    return {
        "tab": "settings",
        "panel": "phones",
        "device": device,
        "online": online,
        "values": values,
        "countries": [
            (c.iso_code, f"{c.name} (+{c.calling_code})") for c in regional.countries(me.language)
        ],
        **extra,
    }


@router.get("/settings/phones/{device_id}")
def device_page(request: Request, device_id: int, me: CurrentUser) -> Response:
    return render(request, "settings/device.html", _device_context(request, me, device_id))


@router.post("/settings/phones/{device_id}")
def save_device(
    request: Request,
    device_id: int,
    me: CurrentUser,
    csrf_token: FormText = "",
    name: FormText = "",
    default_area_code: FormText = "",
    bandwidth: FormText = "High",
    hd_voice: FormText = "",
    customer_name: FormText = "",
    street: FormText = "",
    street2: FormText = "",
    city: FormText = "",
    state: FormText = "",
    postal_code: FormText = "",
    country: FormText = "",
) -> Response:
    """DEV-1 edit: name, area code, data usage, HD voice and the emergency address."""
    check_csrf(request, csrf_token)
    address = devices.EmergencyAddressInput(
        customer_name=customer_name,
        street=street,
        street2=street2,
        city=city,
        state=state,
        postal_code=postal_code,
        country=country,
    )
    change = devices.DeviceChange(
        name=name,
        default_area_code=default_area_code,
        bandwidth=bandwidth,
        hd_voice=hd_voice == "on",
        emergency_address=address,
    )
    try:
        with runtime_of(request).db.transaction() as session:
            device = devices.get_device(session, me.account.id, device_id)
            extension = session.get(Extension, device.extension_id) if device.extension_id else None
            if extension is None:
                raise PermissionDenied("This phone is not assigned to an extension")
            devices.update_device(session, me.principal, device, extension, change)
    except InvalidInput as error:
        submitted = {
            **address.__dict__,
            "name": name,
            "default_area_code": default_area_code,
            "bandwidth": bandwidth,
            "hd_voice": hd_voice == "on",
        }
        context = _device_context(
            request, me, device_id, values=submitted, errors=_by_form_field(error)
        )
        return render(request, "settings/device.html", context, status_code=400)
    return RedirectResponse("/settings/phones?saved=1", status_code=303)


@router.get("/contacts/company")
def company_contacts(
    request: Request,
    me: CurrentUser,
    q: str = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """EXT-5: all extensions, searchable, 25 per page."""
    with runtime_of(request).db.transaction() as session:
        found = list_extensions(
            session,
            me.account.id,
            ExtensionFilter(search=q.strip() or None),
            page,
            DIRECTORY_PAGE_SIZE,
        )
        numbers = numbers_of_extensions(
            session, me.account.id, [extension.id for extension in found.rows]
        )
    return render(
        request,
        "contacts/company.html",
        {
            "tab": "contacts",
            "page": found,
            "numbers": numbers,
            "q": q,
            "type_labels": EXTENSION_TYPE_LABELS,
            "ExtensionType": ExtensionType,
        },
    )


@router.get("/admin/users")
def admin_users(
    request: Request, me: AdminUser, page: Annotated[int, Query(ge=1)] = 1, added: str | None = None
) -> Response:
    """The admin's list of users, with a form to add one (ACC-1)."""
    return render(request, "admin/users.html", _admin_users_context(request, me, page, added=added))


def _admin_users_context(request: Request, me: SignedIn, page: int, **extra: Any) -> dict[str, Any]:
    with runtime_of(request).db.transaction() as session:
        found = list_extensions(
            session, me.account.id, ExtensionFilter(types=[ExtensionType.USER.value]), page, 50
        )
        numbers = numbers_of_extensions(
            session, me.account.id, [extension.id for extension in found.rows]
        )
    added = extra.pop("added", None)
    return {
        "section": "admin",
        "tab": "users",
        "page": found,
        "numbers": numbers,
        "roles": [(preset.name, preset.name) for preset in ROLE_PRESETS],
        "languages": [(language.locale_code, language.name) for language in regional.LANGUAGES],
        "notice": _translate(me, "The user was added and the welcome e-mail sent.")
        if added
        else None,
        **extra,
    }


@router.post("/admin/users")
def admin_add_user(
    request: Request,
    me: AdminUser,
    csrf_token: FormText = "",
    first_name: FormText = "",
    last_name: FormText = "",
    email: FormText = "",
    extension_number: FormText = "",
    direct_number: FormText = "",
    role: FormText = "Standard",
    language: FormText = "",
) -> Response:
    check_csrf(request, csrf_token)
    submitted = {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "extension_number": extension_number,
        "direct_number": direct_number,
        "role": role,
        "language": language,
    }
    runtime = runtime_of(request)
    try:
        with runtime.db.transaction() as session:
            extension = users.add_user(
                session,
                me.account.id,
                first_name=first_name,
                last_name=last_name,
                email=email,
                extension_number=extension_number,
                role_name=role,
                direct_number=direct_number or None,
                language=language or None,
            )
            issue_activation(session, runtime, extension, me.extension.name, utcnow())
    except InvalidInput as error:
        errors = {
            {
                "firstName": "first_name",
                "lastName": "last_name",
                "extensionNumber": "extension_number",
                "directNumber": "direct_number",
            }.get(field, field): messages
            for field, messages in errors_by_field(error.problems).items()
        }
        context = _admin_users_context(request, me, 1, values=submitted, errors=errors)
        return render(request, "admin/users.html", context, status_code=400)
    except Conflict as error:
        field = {"extensionNumber": "extension_number", "directNumber": "direct_number"}.get(
            error.field, error.field
        )
        context = _admin_users_context(
            request, me, 1, values=submitted, errors={field: [error.message]}
        )
        return render(request, "admin/users.html", context, status_code=409)
    return RedirectResponse("/admin/users?added=1", status_code=303)
