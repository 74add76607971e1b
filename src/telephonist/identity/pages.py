"""Portal pages to sign in and out (ACC-6), choose the language before sign-in, and recover
a forgotten password with the security question or an e-mailed link."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from telephonist.domain import regional
from telephonist.domain.credentials import SECURITY_QUESTION_TEXT, SecurityQuestion
from telephonist.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotFound,
    ServiceError,
    TooManyAttempts,
)
from telephonist.i18n import gettext_for
from telephonist.identity import links, password_reset
from telephonist.identity.sign_in import (
    BAD_CREDENTIALS,
    LoginName,
    authenticate,
    close_portal_session,
    open_portal_session,
)
from telephonist.portal.rendering import errors_by_field, render
from telephonist.portal.visitors import (
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    runtime_of,
    set_cookie,
    visitor_language,
)
from telephonist.store.base import utcnow

router = APIRouter()

FormText = Annotated[str, Form()]


def _safe_next(target: str | None) -> str:
    """Only local paths: a sign-in link must not bounce the user to another site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/overview"


def refusal_text(request: Request, error: ServiceError) -> str:
    """What the portal says when credentials are refused, in the visitor's language."""
    _ = gettext_for(visitor_language(request)).gettext
    if isinstance(error, TooManyAttempts):
        minutes = max(1, round(error.retry_after / 60))
        return _("Too many failed attempts. Try again in %(minutes)d minutes.") % {
            "minutes": minutes
        }
    if error.message == BAD_CREDENTIALS:
        return _("The sign-in name or the password is incorrect.")
    return _(error.message)


def _country_options(request: Request) -> list[tuple[str, str]]:
    language = visitor_language(request)
    return [
        (country.iso_code, f"{country.name} (+{country.calling_code})")
        for country in regional.countries(language)
    ]


@router.get("/sign-in")
def sign_in_page(request: Request, next: str | None = None) -> Response:
    return render(request, "sign_in.html", {"step": "identifier", "next": _safe_next(next)})


@router.post("/sign-in")
def sign_in(
    request: Request,
    csrf_token: FormText = "",
    identifier: FormText = "",
    step: FormText = "identifier",
    country: FormText = "US",
    extension: FormText = "",
    password: FormText = "",
    next: FormText = "/overview",
) -> Response:
    """Step 1 takes the e-mail or phone number; step 2 the extension and password."""
    check_csrf(request, csrf_token)
    identifier = identifier.strip()
    context = {
        "identifier": identifier,
        "next": _safe_next(next),
        "values": {"identifier": identifier, "country": country, "extension": extension},
        "countries": _country_options(request),
        "is_email": "@" in identifier,
    }
    if not identifier:
        _ = gettext_for(visitor_language(request)).gettext
        context["errors"] = {"identifier": [_("Enter your e-mail address or phone number")]}
        return render(request, "sign_in.html", {**context, "step": "identifier"}, status_code=400)
    if step == "identifier":
        return render(request, "sign_in.html", {**context, "step": "password"})
    runtime = runtime_of(request)
    ip = request.client.host if request.client else "unknown"
    try:
        with runtime.db.transaction() as session:
            user = authenticate(
                session, runtime, LoginName(identifier, extension.strip(), country), password, ip
            )
            token = open_portal_session(
                session, user, utcnow(), ip, request.headers.get("user-agent", "")
            )
    except (AuthenticationFailed, TooManyAttempts) as error:
        status = 429 if isinstance(error, TooManyAttempts) else 401
        return render(
            request,
            "sign_in.html",
            {**context, "step": "password", "form_error": refusal_text(request, error)},
            status_code=status,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token, max_age=12 * 3600)
    return response


@router.post("/sign-out")
def sign_out(request: Request, csrf_token: FormText = "") -> Response:
    check_csrf(request, csrf_token)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with runtime_of(request).db.transaction() as session:
            close_portal_session(session, token)
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{language}")
def choose_language(request: Request, language: str, next: str | None = None) -> Response:
    """The language switch of the public pages (signed-in users follow their setting)."""
    response = RedirectResponse(_safe_next(next) if next else "/sign-in", status_code=303)
    if language in ("en", "fr"):
        set_cookie(request, response, LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600)
    return response


def _question_text(request: Request, question: str) -> str:
    _ = gettext_for(visitor_language(request)).gettext
    return _(SECURITY_QUESTION_TEXT[SecurityQuestion(question)])


@router.get("/forgot-password")
def forgot_password_page(request: Request) -> Response:
    return render(
        request,
        "password/forgot.html",
        {"step": "identify", "countries": _country_options(request)},
    )


@router.post("/forgot-password")
def forgot_password(
    request: Request,
    csrf_token: FormText = "",
    identifier: FormText = "",
    country: FormText = "US",
    extension: FormText = "",
    method: FormText = "",
    answer: FormText = "",
    password: FormText = "",
    password_again: FormText = "",
) -> Response:
    """Identify the user, then reset with the security question or an e-mailed link."""
    check_csrf(request, csrf_token)
    runtime = runtime_of(request)
    name = LoginName(identifier.strip(), extension.strip(), country)
    values = {"identifier": identifier, "country": country, "extension": extension}
    context = {"values": values, "countries": _country_options(request)}
    if not identifier.strip():
        _ = gettext_for(visitor_language(request)).gettext
        context["errors"] = {"identifier": [_("Enter your e-mail address or phone number")]}
        return render(
            request, "password/forgot.html", {**context, "step": "identify"}, status_code=400
        )
    if method == "email":
        with runtime.db.transaction() as session:
            password_reset.email_reset_link(session, runtime, name, utcnow())
        return render(request, "password/forgot.html", {**context, "step": "sent"})
    with runtime.db.transaction() as session:
        question = password_reset.security_question_for(session, name)
    context["question"] = _question_text(request, question)
    if method != "question":
        return render(request, "password/forgot.html", {**context, "step": "choose"})
    try:
        with runtime.db.transaction() as session:
            password_reset.reset_with_answer(
                session,
                runtime,
                name,
                answer=answer,
                password=password,
                password_again=password_again,
                ip=request.client.host if request.client else "unknown",
                now=utcnow(),
            )
    except InvalidInput as error:
        context["errors"] = errors_by_field(error.problems)
        return render(
            request, "password/forgot.html", {**context, "step": "choose"}, status_code=422
        )
    except (AuthenticationFailed, TooManyAttempts) as error:
        status = 429 if isinstance(error, TooManyAttempts) else 401
        context["errors"] = {"answer": [refusal_text(request, error)]}
        return render(
            request, "password/forgot.html", {**context, "step": "choose"}, status_code=status
        )
    return render(request, "password/forgot.html", {**context, "step": "done"})


@router.get("/password-reset/{token}")
def password_reset_page(request: Request, token: str) -> Response:
    try:
        with runtime_of(request).db.transaction() as session:
            links.open_link(session, token, links.PASSWORD_RESET, utcnow())
    except (NotFound, links.LinkUnusable) as error:
        return render(request, "message.html", {"title": error.message}, status_code=404)
    return render(request, "password/reset.html", {"token": token})


@router.post("/password-reset/{token}")
def password_reset_submit(
    request: Request,
    token: str,
    csrf_token: FormText = "",
    password: FormText = "",
    password_again: FormText = "",
) -> Response:
    check_csrf(request, csrf_token)
    try:
        with runtime_of(request).db.transaction() as session:
            password_reset.reset_with_link(
                session, token, password=password, password_again=password_again, now=utcnow()
            )
    except (NotFound, links.LinkUnusable) as error:
        return render(request, "message.html", {"title": error.message}, status_code=404)
    except InvalidInput as error:
        return render(
            request,
            "password/reset.html",
            {"token": token, "errors": errors_by_field(error.problems)},
            status_code=422,
        )
    _ = gettext_for(visitor_language(request)).gettext
    return render(
        request,
        "message.html",
        {"title": _("Your password has been changed."), "sign_in_link": True},
    )
