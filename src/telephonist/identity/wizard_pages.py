"""The activation wizard in the portal (ACC-2): one page per step, in the guide's order,
with live check marks for the password and PIN criteria (htmx asks the server, which
runs the same rules it enforces)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from telephonist.accounts import company, users
from telephonist.accounts.devices import EmergencyAddressInput
from telephonist.accounts.extensions import direct_numbers
from telephonist.domain import regional
from telephonist.domain.credentials import (
    SECURITY_QUESTION_TEXT,
    check_password,
    check_pin,
)
from telephonist.domain.text import N_
from telephonist.errors import Conflict, InvalidInput, NotFound
from telephonist.i18n import gettext_for
from telephonist.identity import activation, links
from telephonist.identity.activation import STEPS, ForwardingPhone, Wizard
from telephonist.identity.sign_in import open_portal_session
from telephonist.portal.rendering import errors_by_field, render
from telephonist.portal.visitors import SESSION_COOKIE, check_csrf, runtime_of, set_cookie
from telephonist.store.accounts import Account
from telephonist.store.base import utcnow
from telephonist.store.extensions import Extension

router = APIRouter(prefix="/activate/{token}")

FormText = Annotated[str, Form()]
STEP_TITLES = {
    "security": N_("Activate Your Account"),
    "user_info": N_("User Info"),
    "regional": N_("Regional Settings"),
    "emergency": N_("Emergency Calling - Registered Location"),
    "call_handling": N_("Call Handling"),
    "greeting": N_("Voicemail Greeting"),
    "confirm": N_("Confirm Setup"),
}


def _step_url(token: str, step: str) -> str:
    return f"/activate/{token}/{step}"


def _invalid_link(request: Request, error: Exception) -> Response:
    message = getattr(error, "message", "This link is not valid")
    return render(request, "message.html", {"title": message}, status_code=404)


def _context(request: Request, wizard: Wizard, step: str, **extra: Any) -> dict[str, Any]:
    session_account = wizard.extension.account_id
    runtime = runtime_of(request)
    with runtime.db.transaction() as session:
        account = session.get(Account, session_account)
        assert account is not None
        main = company.main_number(session, account.id)
        numbers = direct_numbers(session, account.id, wizard.extension.id)
        facts = users.account_facts(session, wizard.extension)
    language = regional.ui_language(wizard.extension.user_language or account.language)
    draft = wizard.draft
    user = wizard.extension.user
    assert user is not None
    defaults = {
        "first_name": draft.get("first_name", user.first_name),
        "last_name": draft.get("last_name", user.last_name),
        "email": draft.get("email", wizard.extension.email or ""),
        "home_country": draft.get(
            "home_country", wizard.extension.home_country or account.home_country
        ),
        "time_format": draft.get(
            "time_format", wizard.extension.time_format or account.time_format
        ),
        "time_zone": draft.get("time_zone", wizard.extension.time_zone or account.time_zone),
        **{key: value for key, value in draft.get("emergency", {}).items()},
    }
    return {
        "token": request.path_params["token"],
        "step": step,
        "steps": STEPS,
        "step_titles": STEP_TITLES,
        "done": wizard.done,
        "extension": wizard.extension,
        "company_number": main,
        "direct_number": numbers[0].e164 if numbers else None,
        "values": {**defaults, **extra.pop("values", {})},
        "password_criteria": check_password("", facts),
        "pin_criteria": check_pin("", facts),
        "questions": list(SECURITY_QUESTION_TEXT.items()),
        "countries": [
            (c.iso_code, f"{c.name} (+{c.calling_code})") for c in regional.countries(language)
        ],
        "time_zones": regional.time_zone_names(),
        "forwarding": draft.get("forwarding", []),
        "forwarding_types": activation.FORWARDING_TYPES,
        "greeting": draft.get("greeting"),
        "user_name": user.full_name,
        "draft": draft,
        "language": language,
        **extra,
    }


def _language_of(session: Session, extension: Extension) -> str:
    account = session.get(Account, extension.account_id)
    assert account is not None
    return regional.ui_language(extension.user_language or account.language)


def _page(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """Wizard pages speak the invited user's language, like the welcome e-mail."""
    return render(request, template, context, status_code=status_code, language=context["language"])


def _open(request: Request, token: str) -> Wizard:
    with runtime_of(request).db.transaction() as session:
        return activation.open_wizard(session, token, utcnow())


@router.get("")
def wizard_start(request: Request, token: str) -> Response:
    try:
        wizard = _open(request, token)
    except (NotFound, links.LinkUnusable) as error:
        return _invalid_link(request, error)
    return RedirectResponse(_step_url(token, wizard.current_step), status_code=303)


@router.get("/{step}")
def wizard_step(request: Request, token: str, step: str) -> Response:
    if step not in STEPS:
        return render(
            request, "message.html", {"title": N_("This page does not exist.")}, status_code=404
        )
    try:
        wizard = _open(request, token)
    except (NotFound, links.LinkUnusable) as error:
        return _invalid_link(request, error)
    if not wizard.allows(step):
        return RedirectResponse(_step_url(token, wizard.current_step), status_code=303)
    return _page(request, f"activate/{step}.html", _context(request, wizard, step))


@router.post("/check")
def live_criteria(
    request: Request,
    token: str,
    password: FormText = "",
    pin: FormText = "",
    csrf_token: FormText = "",
) -> Response:
    """The criteria lists with check marks for what is typed so far (htmx fragment)."""
    check_csrf(request, csrf_token)
    try:
        with runtime_of(request).db.transaction() as session:
            wizard = activation.open_wizard(session, token, utcnow())
            facts = users.account_facts(session, wizard.extension)
            language = _language_of(session, wizard.extension)
    except (NotFound, links.LinkUnusable) as error:
        return _invalid_link(request, error)
    return render(
        request,
        "activate/_criteria.html",
        {
            "password_criteria": check_password(password, facts),
            "pin_criteria": check_pin(pin, facts),
        },
        language=language,
    )


def _save(request: Request, token: str, step: str, action: Any) -> Response:
    """Run one step's save in a transaction; on refusal show the step again with errors."""
    runtime = runtime_of(request)
    try:
        with runtime.db.transaction() as session:
            wizard = activation.open_wizard(session, token, utcnow())
            action(session, wizard)
    except (NotFound, links.LinkUnusable) as error:
        return _invalid_link(request, error)
    except activation.WizardOrderError:
        return RedirectResponse(_step_url(token, "security"), status_code=303)
    except InvalidInput as error:
        wizard = _open(request, token)
        submitted = getattr(request.state, "submitted", {})
        context = _context(
            request, wizard, step, values=submitted, errors=errors_by_field(error.problems)
        )
        if step == "security":
            with runtime.db.transaction() as session:
                facts = users.account_facts(session, wizard.extension)
            context["password_criteria"] = check_password(submitted.get("password", ""), facts)
            context["pin_criteria"] = check_pin(submitted.get("pin", ""), facts)
        return _page(request, f"activate/{step}.html", context, status_code=422)
    following = STEPS[STEPS.index(step) + 1]
    return RedirectResponse(_step_url(token, following), status_code=303)


@router.post("/security")
def post_security(
    request: Request,
    token: str,
    csrf_token: FormText = "",
    password: FormText = "",
    password_again: FormText = "",
    pin: FormText = "",
    pin_again: FormText = "",
    question: FormText = "",
    answer: FormText = "",
) -> Response:
    check_csrf(request, csrf_token)
    request.state.submitted = {
        "password": password,
        "pin": pin,
        "question": question,
        "answer": answer,
    }
    return _save(
        request,
        token,
        "security",
        lambda session, wizard: activation.save_security(
            session,
            wizard,
            password=password,
            password_again=password_again,
            pin=pin,
            pin_again=pin_again,
            question=question,
            answer=answer,
        ),
    )


@router.post("/user_info")
def post_user_info(
    request: Request,
    token: str,
    csrf_token: FormText = "",
    first_name: FormText = "",
    last_name: FormText = "",
    email: FormText = "",
) -> Response:
    check_csrf(request, csrf_token)
    request.state.submitted = {"first_name": first_name, "last_name": last_name, "email": email}
    try:
        return _save(
            request,
            token,
            "user_info",
            lambda session, wizard: activation.save_user_info(
                session, wizard, first_name=first_name, last_name=last_name, email=email
            ),
        )
    except Conflict as error:
        wizard = _open(request, token)
        context = _context(
            request,
            wizard,
            "user_info",
            values=request.state.submitted,
            errors={"email": [error.message]},
        )
        return _page(request, "activate/user_info.html", context, status_code=409)


@router.post("/regional")
def post_regional(
    request: Request,
    token: str,
    csrf_token: FormText = "",
    home_country: FormText = "",
    time_format: FormText = "",
    time_zone: FormText = "",
) -> Response:
    check_csrf(request, csrf_token)
    request.state.submitted = {
        "home_country": home_country,
        "time_format": time_format,
        "time_zone": time_zone,
    }
    return _save(
        request,
        token,
        "regional",
        lambda _session, wizard: activation.save_regional(
            wizard, home_country=home_country, time_format=time_format, time_zone=time_zone
        ),
    )


@router.post("/emergency")
def post_emergency(
    request: Request,
    token: str,
    csrf_token: FormText = "",
    customer_name: FormText = "",
    country: FormText = "",
    street: FormText = "",
    street2: FormText = "",
    city: FormText = "",
    state: FormText = "",
    postal_code: FormText = "",
    terms_accepted: FormText = "",
) -> Response:
    check_csrf(request, csrf_token)
    address = EmergencyAddressInput(
        customer_name=customer_name,
        street=street,
        street2=street2,
        city=city,
        state=state,
        postal_code=postal_code,
        country=country,
    )
    request.state.submitted = {**address.__dict__, "terms_accepted": terms_accepted}
    return _save(
        request,
        token,
        "emergency",
        lambda _session, wizard: activation.save_emergency(
            wizard, address, terms_accepted=terms_accepted == "on", now=utcnow()
        ),
    )


@router.post("/call_handling")
async def post_call_handling(request: Request, token: str) -> Response:
    """Forwarding phones come as numbered rows (``number_0``, ``type_0``...); Skip sends none."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    phones = []
    if form.get("action") != "skip":
        for index in range(activation.MAX_FORWARDING_NUMBERS + 1):
            number = str(form.get(f"number_{index}", "")).strip()
            if number:
                phones.append(
                    ForwardingPhone(
                        number,
                        str(form.get(f"type_{index}", "Other")),
                        str(form.get(f"label_{index}", "")),
                    )
                )
    request.state.submitted = {}
    return await run_in_threadpool(
        _save,
        request,
        token,
        "call_handling",
        lambda _session, wizard: activation.save_call_handling(
            wizard, phones, str(wizard.draft.get("home_country", "US"))
        ),
    )


@router.post("/greeting")
def post_greeting(
    request: Request,
    token: str,
    csrf_token: FormText = "",
    mode: FormText = "default",
    greeting: Annotated[UploadFile | None, File()] = None,
) -> Response:
    check_csrf(request, csrf_token)
    request.state.submitted = {"mode": mode}
    data = greeting.file.read(activation.GREETING_MAX_BYTES + 1) if greeting is not None else b""
    file_name = greeting.filename or "" if greeting is not None else ""
    runtime = runtime_of(request)
    return _save(
        request,
        token,
        "greeting",
        lambda _session, wizard: activation.save_greeting(
            runtime, wizard, keep_default=mode != "custom", file_name=file_name, data=data
        ),
    )


@router.post("/confirm")
def post_confirm(request: Request, token: str, csrf_token: FormText = "") -> Response:
    """Commit the whole wizard, then sign the new user in."""
    check_csrf(request, csrf_token)
    runtime = runtime_of(request)
    try:
        with runtime.db.transaction() as session:
            wizard = activation.open_wizard(session, token, utcnow())
            extension = activation.finish(session, wizard, utcnow())
            session_token = open_portal_session(
                session,
                extension,
                utcnow(),
                request.client.host if request.client else "",
                request.headers.get("user-agent", ""),
            )
            numbers = direct_numbers(session, extension.account_id, extension.id)
            main = company.main_number(session, extension.account_id)
            language = _language_of(session, extension)
    except (NotFound, links.LinkUnusable) as error:
        return _invalid_link(request, error)
    except activation.WizardOrderError:
        return RedirectResponse(f"/activate/{token}", status_code=303)
    except Conflict as error:
        return render(request, "message.html", {"title": error.message}, status_code=409)
    _ = gettext_for(language).gettext
    response = render(
        request,
        "activate/done.html",
        {
            "number": numbers[0].e164 if numbers else main,
            "extension_number": extension.number,
            "title": _("Congratulations!"),
        },
        language=language,
    )
    set_cookie(request, response, SESSION_COOKIE, session_token, max_age=12 * 3600)
    return response
