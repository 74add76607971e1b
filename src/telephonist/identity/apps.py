"""OAuth applications an admin registers (MORE-5): client id, secret and scopes."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from telephonist.domain.permissions import AppScope, parse_scopes
from telephonist.domain.text import N_
from telephonist.errors import AuthenticationFailed, Conflict, FieldProblem, InvalidInput, NotFound
from telephonist.identity.hashing import token_digest, tokens_equal
from telephonist.store.identity import OAuthApp

DEFAULT_SCOPES = " ".join(scope.value for scope in AppScope)
INVALID_CLIENT = "Invalid client"


def create_app(
    session: Session,
    account_id: int,
    *,
    name: str,
    scopes: str = DEFAULT_SCOPES,
    client_id: str | None = None,
    client_secret: str | None = None,
    publisher: str = "",
) -> tuple[OAuthApp, str]:
    """A new application; returns it with its secret, which is shown only this once."""
    problems = []
    if not name.strip():
        problems.append(FieldProblem("name", N_("Application name is required")))
    try:
        scope_set = parse_scopes(scopes)
    except ValueError as error:
        problems.append(FieldProblem("scopes", str(error)))
        scope_set = frozenset()
    if problems:
        raise InvalidInput(problems)
    client_id = client_id or secrets.token_urlsafe(16)
    if session.scalar(select(OAuthApp.id).where(OAuthApp.client_id == client_id)) is not None:
        raise Conflict("clientId", N_("This client id is already taken"))
    client_secret = client_secret or secrets.token_urlsafe(32)
    app = OAuthApp(
        account_id=account_id,
        name=name.strip(),
        publisher=publisher,
        client_id=client_id,
        client_secret_hash=token_digest(client_secret),
        scopes=sorted(scope_set),
    )
    session.add(app)
    session.flush()
    return app, client_secret


def list_apps(session: Session, account_id: int) -> list[OAuthApp]:
    return list(
        session.scalars(
            select(OAuthApp).where(OAuthApp.account_id == account_id).order_by(OAuthApp.id)
        )
    )


def delete_app(session: Session, account_id: int, app_id: int) -> None:
    app = session.scalar(
        select(OAuthApp).where(OAuthApp.account_id == account_id, OAuthApp.id == app_id)
    )
    if app is None:
        raise NotFound("appId")
    session.delete(app)


def authenticate_client(session: Session, client_id: str, client_secret: str) -> OAuthApp:
    """The application these client credentials belong to, or OAU-146."""
    app = session.scalar(select(OAuthApp).where(OAuthApp.client_id == client_id))
    if app is None or not tokens_equal(app.client_secret_hash, token_digest(client_secret)):
        raise AuthenticationFailed(INVALID_CLIENT, code="OAU-146")
    return app
