"""For the call-handling API: Rita Rules (11150), a Standard user of the demo company
with a desk phone and a softphone whose settings the tests change freely (the demo users'
stay as the demo made them), and a second company whose user must see none of it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from ringcentral import SDK
from ringcentral.http.api_exception import ApiException
from ringcentral.platform.platform import Platform
from sqlalchemy import select

from telephonist.accounts import company, devices, users
from telephonist.identity import apps, credentials
from telephonist.store.base import utcnow
from telephonist.store.numbers import PhoneNumber
from tests.demo_data import COMPANY_NUMBER, PASSWORD, Login
from tests.support import RunningServer, database_of

RITA_NUMBER = "+14092402190"
RITA_EXTENSION = "11150"
OTHER_MAIN = "+16467360200"
OTHER_DIRECT = "+16467360242"


@dataclass(frozen=True)
class Rita:
    account_id: int
    extension_id: int
    desk_phone_id: int
    softphone_id: int


@pytest.fixture(scope="session")
def rita(demo_server: RunningServer) -> Rita:
    """A user of the demo company with a softphone (every new user has one) and a desk
    phone added after her, so both reach her forwarding numbers by themselves."""
    database = database_of(demo_server)
    with database.transaction() as session:
        account_id = session.scalar(
            select(PhoneNumber.account_id).where(PhoneNumber.e164 == COMPANY_NUMBER)
        )
        assert account_id is not None
        extension = users.add_user(
            session,
            account_id,
            first_name="Rita",
            last_name="Rules",
            email=f"rita.{demo_server.http_port}@demo.example",
            extension_number=RITA_EXTENSION,
            direct_number=RITA_NUMBER,
        )
        assert extension.user is not None
        credentials.set_password(
            extension.user, PASSWORD, users.account_facts(session, extension), utcnow()
        )
        extension.status = "Enabled"
        softphone = devices.list_devices(session, account_id, extension.id)[0]
        desk = devices.add_device(
            session, account_id, extension.id, kind="HardPhone", name="Desk Phone"
        )
        found = Rita(account_id, extension.id, desk.id, softphone.id)
    database.dispose()
    return found


@pytest.fixture
def as_rita(sdk_login: Login, rita: Rita) -> Platform:
    return sdk_login(username=RITA_NUMBER, extension=RITA_EXTENSION)


@dataclass(frozen=True)
class OtherCompany:
    client: tuple[str, str]


@pytest.fixture(scope="session")
def other_company(demo_server: RunningServer) -> OtherCompany:
    """Company B with one admin (ext 101) and its own OAuth app, in the same database."""
    database = database_of(demo_server)
    with database.transaction() as session:
        account = company.create_account(
            session, company_name="Answering Other Company", main_number=OTHER_MAIN
        )
        user = users.add_user(
            session,
            account.id,
            first_name="Otto",
            last_name="Other",
            email=f"otto.{demo_server.http_port}@other.example",
            extension_number="101",
            role_name="Super Admin",
            direct_number=OTHER_DIRECT,
        )
        assert user.user is not None
        credentials.set_password(user.user, PASSWORD, users.account_facts(session, user), utcnow())
        user.status = "Enabled"
        app, secret = apps.create_app(session, account.id, name="Other answering app")
        client = (app.client_id, secret)
    database.dispose()
    return OtherCompany(client)


@pytest.fixture
def as_other(demo_server: RunningServer, other_company: OtherCompany) -> Iterator[Platform]:
    platform = SDK(*other_company.client, demo_server.url).platform()
    platform.login(username=OTHER_DIRECT, extension="101", password=PASSWORD)
    yield platform
    platform.logout()


def failure(call: Callable[[], Any]) -> tuple[int, dict[str, Any]]:
    """The status and public error body of a refused call."""
    with pytest.raises(ApiException) as raised:
        call()
    response = raised.value.api_response().response()
    return response.status_code, response.json()


def error_codes(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(errorCode, parameterName) of each error."""
    return [(error["errorCode"], error.get("parameterName")) for error in body["errors"]]
