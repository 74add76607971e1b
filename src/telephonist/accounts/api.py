"""REST routes for the account, extensions, their numbers and devices, and the company
directory, at the public API's paths."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from telephonist.accounts import company, devices, schemas, users
from telephonist.accounts.extensions import (
    ExtensionFilter,
    direct_numbers,
    get_extension,
    list_extensions,
    numbers_of_extensions,
    numbers_usable_by,
    sites_of,
)
from telephonist.api.dependencies import (
    PrincipalDep,
    RuntimeDep,
    SessionDep,
    now,
    require_permission,
    require_scope,
    resolve_account,
    resolve_extension,
)
from telephonist.api.paging import PageDep, list_body
from telephonist.domain.permissions import AppScope, Permission
from telephonist.errors import PermissionDenied
from telephonist.identity import credentials
from telephonist.identity.activation import issue_activation
from telephonist.identity.sign_in import principal_for
from telephonist.store.accounts import Account
from telephonist.store.extensions import Extension
from telephonist.store.paging import PageOf

router = APIRouter(prefix="/v1.0/account/{account_id}")

MultiValue = Annotated[list[str], Query()]


@router.get("")
def read_account(
    request: Request, account_id: str, principal: PrincipalDep, session: SessionDep
) -> dict[str, Any]:
    require_scope(principal, AppScope.READ_ACCOUNTS)
    require_permission(principal, Permission.READ_COMPANY)
    account = company.get_account(session, resolve_account(principal, account_id))
    operator = (
        get_extension(session, account.id, account.operator_extension_id)
        if account.operator_extension_id
        else None
    )
    return schemas.account_json(
        request, account, company.main_number(session, account.id), operator, now()
    )


@router.get("/extension")
def list_account_extensions(
    request: Request,
    account_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    paging: PageDep,
    type: MultiValue = [],  # noqa: B006 - the public API's parameter name
    status: MultiValue = [],  # noqa: B006
    email: MultiValue = [],  # noqa: B006
    extension_number: Annotated[str | None, Query(alias="extensionNumber")] = None,
) -> dict[str, Any]:
    require_scope(principal, AppScope.READ_ACCOUNTS)
    require_permission(principal, Permission.READ_DIRECTORY)
    account = company.get_account(session, resolve_account(principal, account_id))
    page = list_extensions(
        session,
        account.id,
        ExtensionFilter(
            types=type, statuses=status, emails=email, extension_number=extension_number
        ),
        paging.page,
        paging.per_page,
    )
    records = [
        schemas.extension_summary_json(request, extension, account) for extension in page.rows
    ]
    query = {"type": type, "status": status, "email": email}
    if extension_number:
        query["extensionNumber"] = [extension_number]
    return list_body(request, f"{schemas.account_path(account.id)}/extension", records, page, query)


def _extension_body(request: Request, session: SessionDep, extension: Extension) -> dict[str, Any]:
    account = session.get(Account, extension.account_id)
    assert account is not None
    owner = principal_for(session, extension)
    site = sites_of(session, account.id).get(extension.site_id) if extension.site_id else None
    return schemas.extension_json(
        request,
        extension,
        account,
        users.effective_regional(account, extension),
        owner.permissions,
        owner.is_admin,
        site,
        now(),
    )


@router.post("/extension")
def create_extension(
    request: Request,
    account_id: str,
    body: schemas.ExtensionCreate,
    principal: PrincipalDep,
    session: SessionDep,
    runtime: RuntimeDep,
) -> dict[str, Any]:
    """An admin adds a user; the welcome e-mail leaves once this is committed (ACC-1)."""
    require_scope(principal, AppScope.EDIT_ACCOUNTS)
    require_permission(principal, Permission.MANAGE_USERS)
    account = resolve_account(principal, account_id)
    if body.type != "User":
        raise PermissionDenied(
            "Only User extensions can be created through this API yet", code="CMN-101"
        )
    extension = users.add_user(
        session,
        account,
        first_name=body.contact.first_name,
        last_name=body.contact.last_name,
        email=body.contact.email,
        extension_number=body.extension_number,
        role_name=body.role,
        direct_number=body.direct_number,
        language=body.language,
    )
    admin = get_extension(session, account, principal.extension_id)
    issue_activation(session, runtime, extension, admin.name, now())
    return _extension_body(request, session, extension)


@router.get("/extension/{extension_id}")
def read_extension(
    request: Request,
    account_id: str,
    extension_id: str,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    require_scope(principal, AppScope.READ_ACCOUNTS)
    extension = resolve_extension(session, principal, account_id, extension_id)
    if extension.id != principal.extension_id:
        require_permission(principal, Permission.READ_DIRECTORY)
    return _extension_body(request, session, extension)


@router.put("/extension/{extension_id}")
def update_extension(
    request: Request,
    account_id: str,
    extension_id: str,
    body: schemas.ExtensionUpdate,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    """Contact info and regional settings; one transaction for both."""
    require_scope(principal, AppScope.EDIT_EXTENSIONS)
    extension = resolve_extension(session, principal, account_id, extension_id)
    if extension.id == principal.extension_id:
        require_permission(principal, Permission.EDIT_OWN_SETTINGS)
    users.update_user_details(session, principal, extension, body.details_change())
    users.update_regional_settings(session, principal, extension, body.regional_change())
    credentials.change_credentials(
        session, principal, extension, password=body.password, pin=body.ivr_pin, now=now()
    )
    session.flush()
    return _extension_body(request, session, extension)


@router.get("/extension/{extension_id}/phone-number")
def list_extension_numbers(
    request: Request,
    account_id: str,
    extension_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    paging: PageDep,
    usage_type: Annotated[list[str], Query(alias="usageType")] = [],  # noqa: B006
) -> dict[str, Any]:
    require_scope(principal, AppScope.READ_ACCOUNTS)
    extension = resolve_extension(session, principal, account_id, extension_id)
    numbers = [
        number
        for number in numbers_usable_by(session, extension.account_id, extension.id)
        if not usage_type or number.usage in usage_type
    ]
    page = PageOf.of_list(numbers, paging.page, paging.per_page)
    records = [schemas.phone_number_json(request, number, extension) for number in page.rows]
    path = f"{schemas.extension_path(extension.account_id, extension.id)}/phone-number"
    return list_body(request, path, records, page, {"usageType": usage_type})


@router.get("/extension/{extension_id}/device")
def list_extension_devices(
    request: Request,
    account_id: str,
    extension_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    runtime: RuntimeDep,
    paging: PageDep,
) -> dict[str, Any]:
    """The extension's phones; SIP credentials only for their owner or an admin."""
    require_scope(principal, AppScope.READ_ACCOUNTS)
    extension = resolve_extension(session, principal, account_id, extension_id)
    if extension.id != principal.extension_id and not principal.is_admin:
        raise PermissionDenied("You may only list your own phones", code="CMN-404")
    online = devices.online_devices(session, extension.account_id)
    found = devices.list_devices(session, extension.account_id, extension.id)
    numbers = direct_numbers(session, extension.account_id, extension.id)
    direct = numbers[0] if numbers else None
    page = PageOf.of_list(found, paging.page, paging.per_page)
    sip_domain = f"{runtime.settings.sip_host}:{runtime.settings.sip_port}"
    records = [
        schemas.device_json(
            request,
            device,
            extension,
            direct,
            online=device.id in online,
            show_credentials=True,
            sip_domain=sip_domain,
        )
        for device in page.rows
    ]
    path = f"{schemas.extension_path(extension.account_id, extension.id)}/device"
    return list_body(request, path, records, page, {})


def _directory_page(
    request: Request,
    session: SessionDep,
    account: Account,
    wanted: ExtensionFilter,
    page_number: int,
    per_page: int,
) -> tuple[list[dict[str, Any]], Any]:
    page = list_extensions(session, account.id, wanted, page_number, per_page)
    numbers = numbers_of_extensions(session, account.id, [extension.id for extension in page.rows])
    sites = sites_of(session, account.id)
    main = company.main_number(session, account.id)
    records = [
        schemas.directory_entry_json(
            extension,
            account,
            main,
            numbers[extension.id],
            sites.get(extension.site_id) if extension.site_id else None,
        )
        for extension in page.rows
    ]
    return records, page


@router.get("/directory/entries")
def list_directory_entries(
    request: Request,
    account_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    paging: PageDep,
    type: Annotated[str | None, Query()] = None,
    site_id: Annotated[str | None, Query(alias="siteId")] = None,
) -> dict[str, Any]:
    """EXT-5: every extension with names, number, direct numbers and e-mail."""
    require_scope(principal, AppScope.READ_ACCOUNTS)
    require_permission(principal, Permission.READ_DIRECTORY)
    account = company.get_account(session, resolve_account(principal, account_id))
    wanted = ExtensionFilter(
        types=[type] if type else (),
        site_id=int(site_id) if site_id and site_id.isdigit() else None,
    )
    records, page = _directory_page(request, session, account, wanted, paging.page, paging.per_page)
    query: dict[str, Any] = {"type": type} if type else {}
    return list_body(
        request, f"{schemas.account_path(account.id)}/directory/entries", records, page, query
    )


@router.post("/directory/entries/search")
def search_directory_entries(
    request: Request,
    account_id: str,
    body: schemas.DirectorySearch,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    require_scope(principal, AppScope.READ_ACCOUNTS)
    require_permission(principal, Permission.READ_DIRECTORY)
    account = company.get_account(session, resolve_account(principal, account_id))
    wanted = ExtensionFilter(search=body.search_string or None)
    records, page = _directory_page(request, session, account, wanted, body.page, body.per_page)
    return list_body(
        request, f"{schemas.account_path(account.id)}/directory/entries/search", records, page, {}
    )


@router.get("/directory/entries/{entry_id}")
def read_directory_entry(
    account_id: str, entry_id: str, principal: PrincipalDep, session: SessionDep
) -> dict[str, Any]:
    require_scope(principal, AppScope.READ_ACCOUNTS)
    require_permission(principal, Permission.READ_DIRECTORY)
    account = company.get_account(session, resolve_account(principal, account_id))
    extension = resolve_extension(session, principal, account_id, entry_id)
    numbers = direct_numbers(session, account.id, extension.id)
    site = sites_of(session, account.id).get(extension.site_id) if extension.site_id else None
    return schemas.directory_entry_json(
        extension, account, company.main_number(session, account.id), numbers, site
    )
