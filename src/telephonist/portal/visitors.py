"""Who is looking at the portal: the signed-in user behind the session cookie, the
visitor's language, and CSRF protection for every form.

Cookies are Secure and HttpOnly (browsers accept Secure cookies from http://127.0.0.1 and
localhost). A form's CSRF token is an HMAC of the session token, or of an anonymous
visitor cookie before sign-in, so a page from another site cannot forge a post."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from telephonist.accounts import company
from telephonist.accounts.extensions import direct_numbers
from telephonist.domain import regional
from telephonist.domain.permissions import Permission, Principal
from telephonist.identity.hashing import new_token
from telephonist.identity.sign_in import portal_session, principal_for
from telephonist.runtime import Runtime
from telephonist.store.accounts import Account
from telephonist.store.base import utcnow
from telephonist.store.extensions import Extension

SESSION_COOKIE = "tp_session"
VISITOR_COOKIE = "tp_visitor"
LANGUAGE_COOKIE = "tp_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class SignInRequired(Exception):
    """The page needs a signed-in user; the portal redirects to the sign-in page."""


class CsrfRejected(Exception):
    """A form arrived without the token of this browser."""


class Forbidden(Exception):
    """The signed-in user's role does not allow this page."""


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@dataclass(frozen=True)
class SignedIn:
    """The user of this browser session, with what the header (WEB-1) shows."""

    extension: Extension
    account: Account
    principal: Principal
    session_token: str
    display_number: str | None

    @property
    def language(self) -> str:
        return regional.ui_language(self.extension.user_language or self.account.language)

    @property
    def is_admin(self) -> bool:
        return self.principal.is_admin

    def can(self, permission: Permission) -> bool:
        return self.principal.has(permission)


def load_signed_in(session: Session, request: Request) -> SignedIn | None:
    """The signed-in user of ``request``, or None."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    record = portal_session(session, token, utcnow())
    if record is None:
        return None
    extension = session.get(Extension, record.extension_id)
    account = session.get(Account, record.account_id)
    if extension is None or account is None:
        return None
    numbers = direct_numbers(session, account.id, extension.id)
    display = numbers[0].e164 if numbers else company.main_number(session, account.id)
    return SignedIn(extension, account, principal_for(session, extension), token, display)


def visitor_language(request: Request, signed_in: SignedIn | None = None) -> str:
    """The user's language setting; before sign-in, the chosen or the browser's language."""
    if signed_in is not None:
        return signed_in.language
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in ("en", "fr"):
        return chosen
    accepted = request.headers.get("accept-language", "").lower()
    return "fr" if accepted.startswith("fr") else "en"


def _csrf_key(runtime: Runtime) -> bytes:
    return hashlib.sha256(("csrf:" + runtime.secret_key).encode()).digest()


def csrf_token(request: Request) -> str:
    """The token forms of this browser must carry; anonymous visitors get a cookie for it."""
    base = request.cookies.get(SESSION_COOKIE) or request.cookies.get(VISITOR_COOKIE)
    if not base:
        base = getattr(request.state, "new_visitor", None) or new_token(16)
        request.state.new_visitor = base
    return hmac.new(_csrf_key(runtime_of(request)), base.encode(), hashlib.sha256).hexdigest()


def check_csrf(request: Request, submitted: str | None) -> None:
    """Raise CsrfRejected unless ``submitted`` (form field or header) is this browser's token."""
    candidate = submitted or request.headers.get(CSRF_HEADER, "")
    base = request.cookies.get(SESSION_COOKIE) or request.cookies.get(VISITOR_COOKIE)
    if not base or not candidate:
        raise CsrfRejected
    expected = hmac.new(_csrf_key(runtime_of(request)), base.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, candidate):
        raise CsrfRejected


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        secure=runtime_of(request).settings.cookie_secure,
        samesite="lax",
        path="/",
    )


def remember_new_visitor(request: Request, response: Response) -> None:
    """Give the browser the visitor cookie its CSRF token was derived from."""
    new_visitor = getattr(request.state, "new_visitor", None)
    if new_visitor:
        set_cookie(request, response, VISITOR_COOKIE, new_visitor, max_age=60 * 60 * 24 * 30)


def sign_in_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/sign-in?next={quote(target)}", status_code=303)


def _signed_in_user(request: Request) -> SignedIn:
    runtime = runtime_of(request)
    with runtime.db.transaction() as session:
        signed_in = load_signed_in(session, request)
    if signed_in is None:
        raise SignInRequired
    request.state.signed_in = signed_in
    return signed_in


def _admin_user(signed_in: Annotated[SignedIn, Depends(_signed_in_user)]) -> SignedIn:
    if not signed_in.is_admin:
        raise Forbidden
    return signed_in


CurrentUser = Annotated[SignedIn, Depends(_signed_in_user)]
AdminUser = Annotated[SignedIn, Depends(_admin_user)]
