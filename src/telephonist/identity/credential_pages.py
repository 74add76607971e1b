"""Portal pages for API access (MORE-5): a user's JWT credentials, and the admin's OAuth
applications. Secrets are shown once, right after they are made."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from telephonist.domain.permissions import APP_SCOPE_DESCRIPTIONS, AppScope
from telephonist.domain.text import N_
from telephonist.errors import Conflict, FieldProblem, InvalidInput, NotFound
from telephonist.identity import apps, jwt_credentials
from telephonist.portal.rendering import errors_by_field, render
from telephonist.portal.visitors import AdminUser, CurrentUser, SignedIn, check_csrf, runtime_of
from telephonist.store.base import utcnow

router = APIRouter()

FormText = Annotated[str, Form()]


def _credentials_context(request: Request, me: SignedIn, **extra: Any) -> dict[str, Any]:
    with runtime_of(request).db.transaction() as session:
        found = jwt_credentials.list_credentials(session, me.account.id, me.extension.id)
    return {"tab": "more", "credentials": found, "now": utcnow(), **extra}


@router.get("/more/credentials")
def credentials_page(request: Request, me: CurrentUser) -> Response:
    return render(request, "more/credentials.html", _credentials_context(request, me))


@router.post("/more/credentials")
def create_credential(
    request: Request,
    me: CurrentUser,
    csrf_token: FormText = "",
    name: FormText = "",
    expires_on: FormText = "",
) -> Response:
    """Make a JWT credential and show it once."""
    check_csrf(request, csrf_token)
    runtime = runtime_of(request)
    try:
        expires_at = (
            datetime.combine(
                datetime.fromisoformat(expires_on).date(), time.max, tzinfo=utcnow().tzinfo
            )
            if expires_on
            else None
        )
    except ValueError:
        errors = {"expiresAt": [N_("Enter the date as YYYY-MM-DD")]}
        context = _credentials_context(
            request, me, errors=errors, values={"name": name, "expires_on": expires_on}
        )
        return render(request, "more/credentials.html", context, status_code=400)
    try:
        with runtime.db.transaction() as session:
            _credential, token = jwt_credentials.create_credential(
                session,
                runtime.secret_key,
                runtime.settings.base_url,
                me.account.id,
                me.extension.id,
                name=name,
                now=utcnow(),
                expires_at=expires_at,
            )
    except InvalidInput as error:
        context = _credentials_context(
            request,
            me,
            errors=errors_by_field(error.problems),
            values={"name": name, "expires_on": expires_on},
        )
        return render(request, "more/credentials.html", context, status_code=400)
    return render(
        request, "more/credentials.html", _credentials_context(request, me, new_token=token)
    )


@router.post("/more/credentials/{credential_id}/revoke")
def revoke_credential(
    request: Request, credential_id: int, me: CurrentUser, csrf_token: FormText = ""
) -> Response:
    check_csrf(request, csrf_token)
    try:
        with runtime_of(request).db.transaction() as session:
            jwt_credentials.revoke_credential(
                session, me.account.id, me.extension.id, credential_id, utcnow()
            )
    except NotFound:
        return render(
            request, "more/credentials.html", _credentials_context(request, me), status_code=404
        )
    return RedirectResponse("/more/credentials", status_code=303)


def _apps_context(request: Request, me: SignedIn, **extra: Any) -> dict[str, Any]:
    with runtime_of(request).db.transaction() as session:
        found = apps.list_apps(session, me.account.id)
    return {
        "section": "admin",
        "tab": "apps",
        "apps": found,
        "scopes": [(scope.value, APP_SCOPE_DESCRIPTIONS[scope]) for scope in AppScope],
        **extra,
    }


@router.get("/admin/apps")
def apps_page(request: Request, me: AdminUser) -> Response:
    return render(request, "admin/apps.html", _apps_context(request, me))


@router.post("/admin/apps")
async def create_app(request: Request, me: AdminUser) -> Response:
    """Register an OAuth application; its client secret is shown once."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    name = str(form.get("name", ""))
    scopes = " ".join(str(value) for value in form.getlist("scopes"))

    def work() -> Response:
        try:
            if not scopes:
                raise InvalidInput([FieldProblem("scopes", N_("Choose at least one permission"))])
            with runtime_of(request).db.transaction() as session:
                app, secret = apps.create_app(
                    session,
                    me.account.id,
                    name=name,
                    scopes=scopes,
                    publisher=me.account.company_name,
                )
                created = {"client_id": app.client_id, "client_secret": secret, "name": app.name}
        except (InvalidInput, Conflict) as error:
            problems = (
                error.problems
                if isinstance(error, InvalidInput)
                else [FieldProblem(error.field, error.message)]
            )
            context = _apps_context(
                request, me, errors=errors_by_field(problems), values={"name": name}
            )
            return render(request, "admin/apps.html", context, status_code=400)
        return render(request, "admin/apps.html", _apps_context(request, me, created=created))

    return await run_in_threadpool(work)
