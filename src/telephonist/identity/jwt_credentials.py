"""JWT credentials (the JWT bearer grant): a user makes one in the portal and gives it to a
server-side integration, which exchanges it for tokens without a password.

The JWT is signed with the instance secret (HS256) and names a stored credential by its
``jti``, so the user can revoke it at any time."""

from __future__ import annotations

import secrets
from datetime import datetime

import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from telephonist.domain.text import N_
from telephonist.errors import AuthenticationFailed, FieldProblem, InvalidInput, NotFound
from telephonist.store.identity import JwtCredential

ALGORITHM = "HS256"
AUDIENCE = "telephonist:oauth/token"
INVALID_JWT = "Invalid JWT: it is unknown, revoked or expired"


def create_credential(
    session: Session,
    secret_key: str,
    issuer: str,
    account_id: int,
    extension_id: int,
    *,
    name: str,
    now: datetime,
    expires_at: datetime | None = None,
) -> tuple[JwtCredential, str]:
    """A new credential and its JWT (shown once; only the ``jti`` is kept)."""
    problems = []
    if not name.strip():
        problems.append(FieldProblem("name", N_("Give the credential a name")))
    if expires_at is not None and expires_at <= now:
        problems.append(FieldProblem("expiresAt", N_("The expiry date must be in the future")))
    if problems:
        raise InvalidInput(problems)
    credential = JwtCredential(
        account_id=account_id,
        extension_id=extension_id,
        name=name.strip()[:100],
        jti=secrets.token_hex(16),
        created_at=now,
        expires_at=expires_at,
    )
    session.add(credential)
    session.flush()
    claims: dict[str, object] = {
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": str(extension_id),
        "acc": str(account_id),
        "jti": credential.jti,
        "iat": int(now.timestamp()),
    }
    if expires_at is not None:
        claims["exp"] = int(expires_at.timestamp())
    return credential, jwt.encode(claims, secret_key, algorithm=ALGORITHM)


def verify_assertion(
    session: Session, secret_key: str, assertion: str, now: datetime
) -> JwtCredential:
    """The live credential behind a JWT, or AuthenticationFailed."""
    try:
        claims = jwt.decode(
            assertion,
            secret_key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["jti", "sub", "acc"]},
        )
    except jwt.PyJWTError as error:
        raise AuthenticationFailed(f"Invalid JWT: {error}", code="OAU-140") from error
    credential = session.scalar(select(JwtCredential).where(JwtCredential.jti == claims["jti"]))
    if (
        credential is None
        or credential.revoked_at is not None
        or str(credential.extension_id) != claims["sub"]
        or str(credential.account_id) != claims["acc"]
        or (credential.expires_at is not None and credential.expires_at <= now)
    ):
        raise AuthenticationFailed(INVALID_JWT, code="OAU-140")
    credential.last_used_at = now
    return credential


def list_credentials(session: Session, account_id: int, extension_id: int) -> list[JwtCredential]:
    return list(
        session.scalars(
            select(JwtCredential)
            .where(
                JwtCredential.account_id == account_id, JwtCredential.extension_id == extension_id
            )
            .order_by(JwtCredential.created_at.desc())
        )
    )


def revoke_credential(
    session: Session, account_id: int, extension_id: int, credential_id: int, now: datetime
) -> None:
    credential = session.scalar(
        select(JwtCredential).where(
            JwtCredential.account_id == account_id,
            JwtCredential.extension_id == extension_id,
            JwtCredential.id == credential_id,
        )
    )
    if credential is None:
        raise NotFound("credentialId")
    credential.revoked_at = credential.revoked_at or now
