"""REST routes of SIP trunks, our own extension of the public API under its conventions:
``/restapi/v1.0/account/{accountId}/telephonist/trunks[/{trunkId}]``, for admins whose
role has ManageTrunks (app scope ReadAccounts to read, EditAccounts to change)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from telephonist.api.dependencies import (
    PrincipalDep,
    SessionDep,
    require_permission,
    require_scope,
    resolve_account,
)
from telephonist.api.paging import PageDep, list_body
from telephonist.domain.permissions import AppScope, Permission, Principal
from telephonist.errors import NotFound
from telephonist.store.paging import PageOf
from telephonist.trunks import schemas, services

router = APIRouter(prefix="/v1.0/account/{account_id}/telephonist/trunks")


def _trunk_manager(principal: Principal, account_id: str, scope: AppScope) -> int:
    """The caller's account, once the app's scope and the user's permission allow it."""
    require_scope(principal, scope)
    account = resolve_account(principal, account_id)
    require_permission(principal, Permission.MANAGE_TRUNKS)
    return account


def _trunk_id(trunk_id: str) -> int:
    if not trunk_id.isdigit():
        raise NotFound("trunkId")
    return int(trunk_id)


@router.get("")
def list_trunks(
    request: Request, account_id: str, principal: PrincipalDep, session: SessionDep, paging: PageDep
) -> dict[str, Any]:
    account = _trunk_manager(principal, account_id, AppScope.READ_ACCOUNTS)
    page = PageOf.of_list(services.list_trunks(session, account), paging.page, paging.per_page)
    records = [schemas.trunk_json(request, trunk) for trunk in page.rows]
    return list_body(request, schemas.trunks_path(account), records, page, {})


@router.post("")
def create_trunk(
    request: Request,
    account_id: str,
    body: schemas.TrunkBody,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    account = _trunk_manager(principal, account_id, AppScope.EDIT_ACCOUNTS)
    trunk = services.add_trunk(session, account, body.change())
    return schemas.trunk_json(request, trunk)


@router.get("/{trunk_id}")
def read_trunk(
    request: Request, account_id: str, trunk_id: str, principal: PrincipalDep, session: SessionDep
) -> dict[str, Any]:
    account = _trunk_manager(principal, account_id, AppScope.READ_ACCOUNTS)
    return schemas.trunk_json(request, services.get_trunk(session, account, _trunk_id(trunk_id)))


@router.put("/{trunk_id}")
def update_trunk(
    request: Request,
    account_id: str,
    trunk_id: str,
    body: schemas.TrunkBody,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    """Only the fields given change; an empty or missing password keeps the stored one."""
    account = _trunk_manager(principal, account_id, AppScope.EDIT_ACCOUNTS)
    trunk = services.update_trunk(session, account, _trunk_id(trunk_id), body.change())
    return schemas.trunk_json(request, trunk)


@router.delete("/{trunk_id}", status_code=204)
def delete_trunk(
    account_id: str, trunk_id: str, principal: PrincipalDep, session: SessionDep
) -> Response:
    account = _trunk_manager(principal, account_id, AppScope.EDIT_ACCOUNTS)
    services.remove_trunk(session, account, _trunk_id(trunk_id))
    return Response(status_code=204)
