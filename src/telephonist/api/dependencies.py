"""What every REST route needs: the runtime, one transaction per request, the caller
(from the bearer token) and the ``~`` ids resolved against that caller."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from telephonist.accounts.extensions import get_extension
from telephonist.domain.permissions import AppScope, Permission, Principal
from telephonist.errors import AuthenticationFailed, NotFound, PermissionDenied
from telephonist.identity.oauth import principal_for_access_token
from telephonist.runtime import Runtime
from telephonist.store.base import utcnow
from telephonist.store.extensions import Extension

CURRENT = "~"


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def transaction(runtime: RuntimeDep) -> Iterator[Session]:
    """One request, one transaction, committed before the response is sent."""
    with runtime.db.transaction() as session:
        yield session


SessionDep = Annotated[Session, Depends(transaction, scope="function")]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def now() -> datetime:
    return utcnow()


def bearer_token(request: Request) -> str:
    """The token of ``Authorization: Bearer ...`` (the SDK sends lower-case ``bearer``)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("Authorization header is not specified", code="OAU-123")
    return token.strip()


def current_principal(request: Request, session: SessionDep) -> Principal:
    return principal_for_access_token(session, bearer_token(request), now())


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require_scope(principal: Principal, scope: AppScope) -> None:
    """CMN-401 when the application was not granted ``scope``."""
    if not principal.app_allows(scope):
        raise PermissionDenied(
            "In order to call this API endpoint, application needs to have "
            f"[{scope.value}] permission",
            code="CMN-401",
        )


def require_permission(principal: Principal, permission: Permission) -> None:
    """CMN-408 when the user's role lacks ``permission``."""
    if not principal.has(permission):
        raise PermissionDenied(
            "In order to call this API endpoint, user needs to have "
            f"[{permission.value}] permission",
            code="CMN-408",
        )


def resolve_account(principal: Principal, account_id: str) -> int:
    """``~`` or the caller's own id; any other account does not exist for the caller."""
    if account_id == CURRENT or account_id == str(principal.account_id):
        return principal.account_id
    raise NotFound("accountId")


def resolve_extension(
    session: Session, principal: Principal, account_id: str, extension_id: str
) -> Extension:
    """The extension named by the path, within the caller's account."""
    account = resolve_account(principal, account_id)
    if extension_id == CURRENT:
        return get_extension(session, account, principal.extension_id)
    if not extension_id.isdigit():
        raise NotFound("extensionId")
    return get_extension(session, account, int(extension_id))
