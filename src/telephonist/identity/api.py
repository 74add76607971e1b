"""REST routes of the OAuth server: ``POST /restapi/oauth/token`` and ``/revoke``, as the
official SDKs call them (form-encoded, HTTP Basic client authentication)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from telephonist.api.dependencies import RuntimeDep, client_ip, now
from telephonist.errors import AuthenticationFailed, InvalidInput, ServiceError, TooManyAttempts
from telephonist.identity import apps, oauth

router = APIRouter()


def oauth_error(status: int, error: str, description: str, code: str) -> JSONResponse:
    """RFC 6749 fields plus the public API's ``errors[]``."""
    return JSONResponse(
        {
            "error": error,
            "error_description": description,
            "errorCode": code,
            "message": description,
            "errors": [{"errorCode": code, "message": description}],
        },
        status_code=status,
    )


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError) as error:
            raise AuthenticationFailed(apps.INVALID_CLIENT, code="OAU-146") from error
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return form.get("client_id", ""), form.get("client_secret", "")


async def _form(request: Request) -> dict[str, str]:
    """The form body; query parameters are accepted too (some clients send them there)."""
    values = {key: value for key, value in request.query_params.items()}
    if request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/")
    ):
        form = await request.form()
        values.update({key: value for key, value in form.items() if isinstance(value, str)})
    return values


def _grant_body(grant: oauth.TokenGrant) -> dict[str, Any]:
    return {
        "access_token": grant.access_token,
        "token_type": "bearer",
        "expires_in": grant.expires_in,
        "refresh_token": grant.refresh_token,
        "refresh_token_expires_in": grant.refresh_token_expires_in,
        "scope": grant.scope,
        "owner_id": grant.owner_id,
        "session_id": grant.session_id,
        "endpoint_id": grant.session_id.replace("-", "")[:22],
    }


@router.post("/oauth/token")
async def issue_token(request: Request, runtime: RuntimeDep) -> Response:
    """Password, JWT bearer and refresh-token grants."""
    form = await _form(request)
    grant_type = form.get("grant_type", "")
    if grant_type not in oauth.SUPPORTED_GRANTS:
        return oauth_error(
            400, "unsupported_grant_type", f"Unsupported grant type '{grant_type}'", "OAU-250"
        )
    try:
        lifetimes = oauth.TokenLifetimes.requested(
            form.get("access_token_ttl"), form.get("refresh_token_ttl")
        )
        client_id, client_secret = _client_credentials(request, form)
        with runtime.db.transaction() as session:
            app = apps.authenticate_client(session, client_id, client_secret)
            if grant_type == oauth.PASSWORD_GRANT:
                missing = [name for name in ("username", "password") if not form.get(name)]
                if missing:
                    return oauth_error(
                        400, "invalid_request", f"Parameter [{missing[0]}] is missing", "OAU-101"
                    )
                grant = oauth.grant_password(
                    session,
                    runtime,
                    app,
                    username=form["username"],
                    password=form["password"],
                    extension=form.get("extension"),
                    scope=form.get("scope"),
                    lifetimes=lifetimes,
                    ip=client_ip(request),
                    now=now(),
                )
            elif grant_type == oauth.JWT_GRANT:
                if not form.get("assertion"):
                    return oauth_error(
                        400, "invalid_request", "Parameter [assertion] is missing", "OAU-101"
                    )
                grant = oauth.grant_jwt(
                    session,
                    runtime,
                    app,
                    assertion=form["assertion"],
                    scope=form.get("scope"),
                    lifetimes=lifetimes,
                    now=now(),
                )
            else:
                if not form.get("refresh_token"):
                    return oauth_error(
                        400, "invalid_request", "Parameter [refresh_token] is missing", "OAU-101"
                    )
                grant = oauth.grant_refresh(
                    session,
                    app,
                    refresh_token=form["refresh_token"],
                    lifetimes=lifetimes,
                    now=now(),
                )
    except TooManyAttempts as error:
        response = oauth_error(429, "invalid_grant", error.message, "CMN-301")
        response.headers["Retry-After"] = str(int(error.retry_after) + 1)
        return response
    except AuthenticationFailed as error:
        if error.code == "OAU-146":
            return oauth_error(401, "invalid_client", error.message, error.code)
        return oauth_error(400, "invalid_grant", error.message, error.code)
    except InvalidInput as error:
        return oauth_error(400, "invalid_request", error.message, "OAU-101")
    except ServiceError as error:
        return oauth_error(400, "invalid_request", error.message, "OAU-101")
    return JSONResponse(
        _grant_body(grant), headers={"Cache-Control": "no-store", "Pragma": "no-cache"}
    )


@router.post("/oauth/revoke")
async def revoke_token(request: Request, runtime: RuntimeDep) -> Response:
    """End the session of an access or refresh token (RFC 7009: unknown tokens are fine)."""
    form = await _form(request)
    token = form.get("token", "")
    if not token:
        return oauth_error(400, "invalid_request", "Parameter [token] is missing", "OAU-101")
    try:
        client_id, client_secret = _client_credentials(request, form)
        with runtime.db.transaction() as session:
            apps.authenticate_client(session, client_id, client_secret)
            oauth.revoke(session, token, now())
    except AuthenticationFailed as error:
        return oauth_error(401, "invalid_client", error.message, error.code)
    return Response(status_code=200)
