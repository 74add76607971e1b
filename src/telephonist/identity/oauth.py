"""OAuth 2.0 tokens for the public API: the password, JWT bearer and refresh-token grants,
revocation, and turning a bearer token back into a Principal.

Tokens are random strings stored hashed in an ApiSession; a refresh rotates both tokens,
and revoking either token ends the whole session (what the official SDK's logout does)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from telephonist.accounts.extensions import get_extension
from telephonist.domain.extensions import ExtensionStatus
from telephonist.domain.permissions import Principal, parse_scopes
from telephonist.domain.text import N_
from telephonist.errors import AuthenticationFailed, FieldProblem, InvalidInput
from telephonist.identity import jwt_credentials
from telephonist.identity.hashing import new_token, token_digest
from telephonist.identity.sign_in import LoginName, authenticate, principal_for
from telephonist.runtime import Runtime
from telephonist.store.extensions import Extension
from telephonist.store.identity import ApiSession, OAuthApp

ACCESS_TTL_DEFAULT = 3600
ACCESS_TTL_RANGE = (600, 3600)
REFRESH_TTL_DEFAULT = 604800
REFRESH_TTL_MAX = 604800
PASSWORD_GRANT = "password"  # noqa: S105 - the grant type name
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
REFRESH_GRANT = "refresh_token"
SUPPORTED_GRANTS = (PASSWORD_GRANT, JWT_GRANT, REFRESH_GRANT)


class UnsupportedGrant(InvalidInput):
    """A grant type this server does not do."""


@dataclass(frozen=True)
class TokenGrant:
    """What the token endpoint answers."""

    access_token: str
    refresh_token: str
    expires_in: int
    refresh_token_expires_in: int
    scope: str
    owner_id: str
    session_id: str


@dataclass(frozen=True)
class TokenLifetimes:
    """Requested lifetimes, clamped to what the server allows."""

    access: int = ACCESS_TTL_DEFAULT
    refresh: int = REFRESH_TTL_DEFAULT

    @classmethod
    def requested(cls, access: str | None, refresh: str | None) -> TokenLifetimes:
        def number(value: str | None, default: int, field: str) -> int:
            if value in (None, ""):
                return default
            try:
                return int(value)
            except ValueError as error:
                raise InvalidInput([FieldProblem(field, f"{field} must be a number")]) from error

        low, high = ACCESS_TTL_RANGE
        access_ttl = min(max(number(access, ACCESS_TTL_DEFAULT, "access_token_ttl"), low), high)
        refresh_ttl = min(
            max(number(refresh, REFRESH_TTL_DEFAULT, "refresh_token_ttl"), 1), REFRESH_TTL_MAX
        )
        return cls(access_ttl, refresh_ttl)


def _scope_for(app: OAuthApp, requested: str | None) -> str:
    granted = frozenset(app.scopes)
    if requested:
        try:
            wanted = parse_scopes(requested)
        except ValueError as error:
            raise InvalidInput([FieldProblem("scope", str(error))]) from error
        granted = granted & wanted
        if not granted:
            raise InvalidInput(
                [FieldProblem("scope", N_("The application has none of the requested scopes"))]
            )
    return " ".join(sorted(granted))


def _require_same_account(app: OAuthApp, extension: Extension) -> None:
    if app.account_id != extension.account_id:
        raise AuthenticationFailed(
            "The application is not authorized for this account", code="OAU-140"
        )


def _open_session(
    session: Session,
    app: OAuthApp,
    extension: Extension,
    scope: str,
    ttl: TokenLifetimes,
    now: datetime,
) -> TokenGrant:
    access, refresh = new_token(), new_token()
    record = ApiSession(
        id=str(uuid.uuid4()),
        account_id=extension.account_id,
        extension_id=extension.id,
        app_id=app.id,
        scope=scope,
        access_token_hash=token_digest(access),
        access_expires_at=now + timedelta(seconds=ttl.access),
        refresh_token_hash=token_digest(refresh),
        refresh_expires_at=now + timedelta(seconds=ttl.refresh),
        created_at=now,
    )
    session.add(record)
    return TokenGrant(access, refresh, ttl.access, ttl.refresh, scope, str(extension.id), record.id)


def grant_password(
    session: Session,
    runtime: Runtime,
    app: OAuthApp,
    *,
    username: str,
    password: str,
    extension: str | None,
    scope: str | None,
    lifetimes: TokenLifetimes,
    ip: str,
    now: datetime,
) -> TokenGrant:
    """Resource-owner password grant: phone number (+ extension) or e-mail, and password."""
    user = authenticate(session, runtime, LoginName.parse(username, extension), password, ip)
    _require_same_account(app, user)
    return _open_session(session, app, user, _scope_for(app, scope), lifetimes, now)


def grant_jwt(
    session: Session,
    runtime: Runtime,
    app: OAuthApp,
    *,
    assertion: str,
    scope: str | None,
    lifetimes: TokenLifetimes,
    now: datetime,
) -> TokenGrant:
    """JWT bearer grant with a credential the user made in the portal."""
    credential = jwt_credentials.verify_assertion(session, runtime.secret_key, assertion, now)
    user = get_extension(session, credential.account_id, credential.extension_id)
    if user.status != ExtensionStatus.ENABLED.value:
        raise AuthenticationFailed("This user is disabled", code="OAU-140")
    _require_same_account(app, user)
    return _open_session(session, app, user, _scope_for(app, scope), lifetimes, now)


def grant_refresh(
    session: Session, app: OAuthApp, *, refresh_token: str, lifetimes: TokenLifetimes, now: datetime
) -> TokenGrant:
    """Refresh-token grant: new tokens for the same session; the old refresh token dies."""
    record = session.scalar(
        select(ApiSession).where(ApiSession.refresh_token_hash == token_digest(refresh_token))
    )
    if record is None or record.revoked_at is not None or record.app_id != app.id:
        raise AuthenticationFailed("Invalid refresh token", code="OAU-140")
    if record.refresh_expires_at <= now:
        raise AuthenticationFailed("Refresh token has expired", code="OAU-140")
    user = get_extension(session, record.account_id, record.extension_id)
    if user.status != ExtensionStatus.ENABLED.value:
        raise AuthenticationFailed("This user is disabled", code="OAU-140")
    access, refresh = new_token(), new_token()
    record.access_token_hash = token_digest(access)
    record.access_expires_at = now + timedelta(seconds=lifetimes.access)
    record.refresh_token_hash = token_digest(refresh)
    record.refresh_expires_at = now + timedelta(seconds=lifetimes.refresh)
    return TokenGrant(
        access, refresh, lifetimes.access, lifetimes.refresh, record.scope, str(user.id), record.id
    )


def revoke(session: Session, token: str, now: datetime) -> None:
    """End the session of an access or refresh token; unknown tokens are ignored (RFC 7009)."""
    digest = token_digest(token)
    record = session.scalar(
        select(ApiSession).where(
            or_(ApiSession.access_token_hash == digest, ApiSession.refresh_token_hash == digest)
        )
    )
    if record is not None and record.revoked_at is None:
        record.revoked_at = now


def principal_for_access_token(session: Session, token: str, now: datetime) -> Principal:
    """Who a bearer token speaks for, or AuthenticationFailed (401)."""
    record = session.scalar(
        select(ApiSession).where(ApiSession.access_token_hash == token_digest(token))
    )
    if record is None or record.revoked_at is not None:
        raise AuthenticationFailed("Invalid token", code="OAU-129")
    if record.access_expires_at <= now:
        raise AuthenticationFailed("Access token expired", code="OAU-128")
    extension = session.get(Extension, record.extension_id)
    if extension is None or extension.status != ExtensionStatus.ENABLED.value:
        raise AuthenticationFailed("Invalid token", code="OAU-129")
    return principal_for(
        session, extension, app_scopes=parse_scopes(record.scope), session_id=record.id
    )
