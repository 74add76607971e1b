"""REST routes of the call log at the public API's paths: an extension's log (its owner,
or an admin) and the company's (admins), with the public API's filters and views."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from telephonist.accounts.schemas import iso_time
from telephonist.api.dependencies import (
    PrincipalDep,
    SessionDep,
    now,
    require_scope,
    resolve_account,
    resolve_extension,
)
from telephonist.api.errors import ApiError
from telephonist.api.paging import PageDep, list_body
from telephonist.api.parameters import moment_parameter, phone_number_parameter
from telephonist.calllog import schemas, search
from telephonist.domain.permissions import AppScope, Principal
from telephonist.errors import PermissionDenied
from telephonist.store.extensions import Extension

router = APIRouter(prefix="/v1.0/account/{account_id}")

DEFAULT_PERIOD = timedelta(hours=24)

MultiValue = Annotated[list[str], Query()]


def _detailed(view: str) -> bool:
    if view not in schemas.VIEWS:
        raise ApiError(
            400,
            "CMN-101",
            "Parameter [view] value is invalid: use Simple or Detailed",
            parameterName="view",
        )
    return view == schemas.DETAILED


class CallLogQuery:
    """The public API's call-log query: dateFrom/dateTo (default: the last 24 hours),
    direction and type (repeatable), view, sessionId and phoneNumber."""

    def __init__(
        self,
        date_from: Annotated[str | None, Query(alias="dateFrom")] = None,
        date_to: Annotated[str | None, Query(alias="dateTo")] = None,
        direction: MultiValue = [],  # noqa: B006 - the public API's parameter names
        type: MultiValue = [],  # noqa: B006
        view: str = schemas.SIMPLE,
        session_id: Annotated[str | None, Query(alias="sessionId")] = None,
        phone_number: Annotated[str | None, Query(alias="phoneNumber")] = None,
    ) -> None:
        self.detailed = _detailed(view)
        self.date_to = moment_parameter(date_to, "dateTo") or now()
        self.date_from = moment_parameter(date_from, "dateFrom") or self.date_to - DEFAULT_PERIOD
        self.directions = direction
        self.types = type
        self.session_id = session_id or None
        self.phone_number = phone_number_parameter(phone_number)

    def filter(self, extension_id: int | None) -> search.CallLogFilter:
        """The search for one extension's log, or the company's (None)."""
        return search.CallLogFilter(
            extension_id=extension_id,
            date_from=self.date_from,
            date_to=self.date_to,
            directions=self.directions,
            types=self.types,
            session_id=self.session_id,
            phone_number=self.phone_number,
        )

    def link_query(self) -> dict[str, Any]:
        """The query for paging links, with the period fixed so pages do not slide."""
        query: dict[str, Any] = {
            "dateFrom": iso_time(self.date_from),
            "dateTo": iso_time(self.date_to),
            "direction": self.directions,
            "type": self.types,
            "view": schemas.DETAILED if self.detailed else schemas.SIMPLE,
        }
        if self.session_id:
            query["sessionId"] = self.session_id
        if self.phone_number:
            query["phoneNumber"] = self.phone_number.removeprefix("+")
        return query


CallLogQueryDep = Annotated[CallLogQuery, Depends()]


def _readable_extension(
    session: SessionDep, principal: Principal, account_id: str, extension_id: str
) -> Extension:
    """The extension whose log is asked for: one's own, or any for an admin."""
    require_scope(principal, AppScope.READ_CALL_LOG)
    extension = resolve_extension(session, principal, account_id, extension_id)
    if extension.id != principal.extension_id and not principal.is_admin:
        raise PermissionDenied("You may only read your own call log", code="CMN-404")
    return extension


def _require_company_reader(principal: Principal, account_id: str) -> int:
    require_scope(principal, AppScope.READ_CALL_LOG)
    account = resolve_account(principal, account_id)
    if not principal.is_admin:
        raise PermissionDenied(
            "Only an administrator can read the company call log", code="CMN-402"
        )
    return account


def _list(
    request: Request,
    session: SessionDep,
    account_id: int,
    extension_id: int | None,
    query: CallLogQuery,
    paging: PageDep,
) -> dict[str, Any]:
    page = search.search_call_log(
        session, account_id, query.filter(extension_id), paging.page, paging.per_page
    )
    records = [
        schemas.call_record_json(request, record, detailed=query.detailed) for record in page.rows
    ]
    path = schemas.call_log_path(account_id, extension_id)
    return list_body(request, path, records, page, query.link_query())


@router.get("/extension/{extension_id}/call-log")
def read_extension_call_log(
    request: Request,
    account_id: str,
    extension_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    query: CallLogQueryDep,
    paging: PageDep,
) -> dict[str, Any]:
    """LOG-1: an extension's calls, newest first."""
    extension = _readable_extension(session, principal, account_id, extension_id)
    return _list(request, session, extension.account_id, extension.id, query, paging)


@router.get("/extension/{extension_id}/call-log/{record_id}")
def read_extension_call_record(
    request: Request,
    account_id: str,
    extension_id: str,
    record_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    view: str = schemas.SIMPLE,
) -> dict[str, Any]:
    extension = _readable_extension(session, principal, account_id, extension_id)
    record = search.get_call_record(
        session, extension.account_id, record_id, extension_id=extension.id
    )
    return schemas.call_record_json(request, record, detailed=_detailed(view))


@router.get("/call-log")
def read_company_call_log(
    request: Request,
    account_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    query: CallLogQueryDep,
    paging: PageDep,
) -> dict[str, Any]:
    """LOG-1: every extension's calls and the company number's, for admins."""
    account = _require_company_reader(principal, account_id)
    return _list(request, session, account, None, query, paging)


@router.get("/call-log/{record_id}")
def read_company_call_record(
    request: Request,
    account_id: str,
    record_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    view: str = schemas.SIMPLE,
) -> dict[str, Any]:
    account = _require_company_reader(principal, account_id)
    record = search.get_call_record(session, account, record_id)
    return schemas.call_record_json(request, record, detailed=_detailed(view))
