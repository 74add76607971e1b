"""The portal application: static files, the tabs whose features come later (said
plainly, WEB-2), and the pages shown for errors."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from telephonist.accounts import pages as account_pages
from telephonist.answering import pages as answering_pages
from telephonist.calllog import pages as calllog_pages
from telephonist.errors import NotFound, PermissionDenied
from telephonist.i18n import gettext_for
from telephonist.identity import credential_pages, wizard_pages
from telephonist.identity import pages as identity_pages
from telephonist.portal.rendering import render
from telephonist.portal.visitors import (
    CsrfRejected,
    CurrentUser,
    Forbidden,
    SignInRequired,
    load_signed_in,
    runtime_of,
    sign_in_redirect,
    visitor_language,
)
from telephonist.runtime import Runtime
from telephonist.trunks import pages as trunk_pages
from telephonist.voicemail import pages as voicemail_pages

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"


def _later(
    request: Request,
    tab: str,
    heading: str,
    explanation: str,
    links: list[tuple[str, str]] | None = None,
) -> Response:
    return render(
        request,
        "coming_later.html",
        {"tab": tab, "heading": heading, "explanation": explanation, "links": links or []},
    )


def _shell_routes(app: FastAPI) -> None:
    @app.get("/")
    def home(request: Request) -> Response:
        with runtime_of(request).db.transaction() as session:
            signed_in = load_signed_in(session, request)
        return RedirectResponse("/overview" if signed_in else "/sign-in", status_code=303)

    @app.get("/more")
    def more(request: Request, me: CurrentUser) -> Response:
        _ = gettext_for(me.language).gettext
        return _later(
            request,
            "more",
            _("More"),
            _(
                "Authorized apps, service status, meetings and the other tools "
                "come in later releases."
            ),
            [
                ("/more/credentials", _("API Credentials")),
                ("/restapi/docs", _("REST API reference")),
            ],
        )

    @app.get("/support")
    def support(request: Request, me: CurrentUser) -> Response:
        _ = gettext_for(me.language).gettext
        return _later(
            request,
            "",
            _("Support"),
            _("Contact your administrator for help with your phone system."),
        )


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def on_sign_in_required(request: Request, _error: SignInRequired) -> Response:
        return sign_in_redirect(request)

    @app.exception_handler(CsrfRejected)
    async def on_csrf(request: Request, _error: CsrfRejected) -> Response:
        _ = gettext_for(visitor_language(request)).gettext
        return render(
            request,
            "message.html",
            {"title": _("This form has expired. Go back, reload the page and try again.")},
            status_code=403,
        )

    @app.exception_handler(Forbidden)
    @app.exception_handler(PermissionDenied)
    async def on_forbidden(request: Request, _error: Exception) -> Response:
        _ = gettext_for(
            visitor_language(request, getattr(request.state, "signed_in", None))
        ).gettext
        return render(
            request,
            "message.html",
            {"title": _("You do not have permission to see this page.")},
            status_code=403,
        )

    @app.exception_handler(NotFound)
    @app.exception_handler(StarletteHTTPException)
    async def on_not_found(request: Request, error: Exception) -> Response:
        status = error.status_code if isinstance(error, StarletteHTTPException) else 404
        _ = gettext_for(visitor_language(request)).gettext
        title = (
            _("This page does not exist.") if status == 404 else _("This request cannot be done.")
        )
        return render(request, "message.html", {"title": title}, status_code=status)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, error: Exception) -> Response:
        log.exception("portal error on %s %s", request.method, request.url.path, exc_info=error)
        _ = gettext_for(visitor_language(request)).gettext
        return render(
            request,
            "message.html",
            {"title": _("Something went wrong. Please try again.")},
            status_code=500,
        )


def create_portal(runtime: Runtime) -> FastAPI:
    """The portal pages; the REST API is mounted on it by telephonist.app."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.runtime = runtime
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _shell_routes(app)
    app.include_router(identity_pages.router)
    app.include_router(wizard_pages.router)
    app.include_router(credential_pages.router)
    app.include_router(account_pages.router)
    app.include_router(calllog_pages.router)
    app.include_router(trunk_pages.router)
    app.include_router(voicemail_pages.router)
    app.include_router(answering_pages.router)
    _error_handlers(app)
    return app
