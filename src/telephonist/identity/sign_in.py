"""Signing in (ACC-6, ACC-8): the same credentials open the portal and API sessions.

Users sign in with the company or a direct number (plus an optional extension), or with
their e-mail when the account allows it. Failures are counted per user and per IP; an
unknown user costs as much time as a known one, and gets the same answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from telephonist.accounts.extensions import find_by_number, get_extension
from telephonist.domain.extensions import ExtensionStatus, ExtensionType
from telephonist.domain.permissions import AppScope, Principal, parse_permissions
from telephonist.domain.phone_numbers import PhoneNumberError, to_e164
from telephonist.domain.text import N_
from telephonist.errors import AuthenticationFailed, TooManyAttempts
from telephonist.identity.hashing import (
    new_token,
    spend_verification_time,
    token_digest,
    verify_secret,
)
from telephonist.runtime import Runtime
from telephonist.store.accounts import Account, Role
from telephonist.store.extensions import Extension, UserProfile
from telephonist.store.identity import PortalSession
from telephonist.store.numbers import PhoneNumber

PORTAL_SESSION_LIFETIME = timedelta(hours=12)
BAD_CREDENTIALS = "Invalid resource owner credentials"
NOT_ACTIVATED = N_("This account is not activated yet: use the link in your welcome e-mail")
DISABLED = N_("This user is disabled; contact your administrator")


@dataclass(frozen=True)
class LoginName:
    """What the user typed to say who they are."""

    identifier: str
    extension: str = ""
    country: str = "US"

    @classmethod
    def parse(cls, username: str, extension: str | None, country: str = "US") -> LoginName:
        """Accept the public API's ``+16505550100*101`` form as well."""
        if "*" in username and not extension:
            username, _, extension = username.partition("*")
        return cls(username.strip(), (extension or "").strip(), country)

    @property
    def is_email(self) -> bool:
        return "@" in self.identifier


def find_user(session: Session, name: LoginName) -> Extension | None:
    """The user extension these words designate, if any (no secret is checked here)."""
    if name.is_email:
        found = session.scalar(
            select(Extension)
            .join(Account, Account.id == Extension.account_id)
            .where(
                Extension.type == ExtensionType.USER.value,
                func.lower(Extension.email) == name.identifier.lower(),
                Account.email_sign_in.is_(True),
            )
        )
        return found
    try:
        e164 = to_e164(name.identifier, name.country)
    except PhoneNumberError:
        return None
    number = session.scalar(select(PhoneNumber).where(PhoneNumber.e164 == e164))
    if number is None:
        return None
    if name.extension:
        extension = find_by_number(session, number.account_id, name.extension)
    elif number.extension_id is not None:
        extension = get_extension(session, number.account_id, number.extension_id)
    else:
        account = session.get(Account, number.account_id)
        extension = (
            get_extension(session, account.id, account.operator_extension_id)
            if account is not None and account.operator_extension_id is not None
            else None
        )
    if extension is None or extension.type != ExtensionType.USER.value:
        return None
    return extension


def _guard_key(extension: Extension | None, name: LoginName) -> str:
    if extension is not None:
        return f"extension:{extension.id}"
    return f"name:{name.identifier.lower()}*{name.extension}"


def authenticate(
    session: Session, runtime: Runtime, name: LoginName, password: str, ip: str
) -> Extension:
    """The signed-in user, or AuthenticationFailed / TooManyAttempts."""
    guard = runtime.sign_in_guard
    now = runtime.monotonic()
    extension = find_user(session, name)
    user_key = _guard_key(extension, name)
    wait = max(guard.per_ip.retry_after(ip, now), guard.per_user.retry_after(user_key, now))
    if wait > 0:
        raise TooManyAttempts(wait)
    user = extension.user if extension is not None else None
    if user is None:
        spend_verification_time(password)
        ok = False
    else:
        ok = verify_secret(user.password_hash, password)
    if not ok:
        guard.per_ip.record_failure(ip, now)
        guard.per_user.record_failure(user_key, now)
        raise AuthenticationFailed(BAD_CREDENTIALS)
    assert extension is not None
    guard.per_user.record_success(user_key)
    if extension.status == ExtensionStatus.NOT_ACTIVATED.value:
        raise AuthenticationFailed(NOT_ACTIVATED, code="OAU-140")
    if extension.status != ExtensionStatus.ENABLED.value:
        raise AuthenticationFailed(DISABLED, code="OAU-140")
    return extension


def principal_for(
    session: Session,
    extension: Extension,
    *,
    app_scopes: frozenset[AppScope] | None = None,
    session_id: str | None = None,
) -> Principal:
    """What this user may do, from their role."""
    user = session.get(UserProfile, extension.id)
    role = session.get(Role, user.role_id) if user is not None else None
    return Principal(
        account_id=extension.account_id,
        extension_id=extension.id,
        is_admin=bool(role and role.is_admin),
        permissions=parse_permissions(role.permissions) if role else frozenset(),
        app_scopes=app_scopes,
        session_id=session_id,
    )


def open_portal_session(
    session: Session, extension: Extension, now: datetime, ip: str, user_agent: str
) -> str:
    """A new browser session; returns the cookie token."""
    token = new_token()
    session.add(
        PortalSession(
            account_id=extension.account_id,
            extension_id=extension.id,
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + PORTAL_SESSION_LIFETIME,
            ip=ip[:64],
            user_agent=user_agent[:300],
        )
    )
    return token


def portal_session(session: Session, token: str, now: datetime) -> PortalSession | None:
    """The live session behind a cookie, if any."""
    record = session.get(PortalSession, token_digest(token))
    if record is None or record.expires_at <= now:
        return None
    extension = session.get(Extension, record.extension_id)
    if extension is None or extension.status != ExtensionStatus.ENABLED.value:
        return None
    return record


def close_portal_session(session: Session, token: str) -> None:
    record = session.get(PortalSession, token_digest(token))
    if record is not None:
        session.delete(record)
