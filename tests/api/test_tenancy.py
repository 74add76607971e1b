"""A second company in the same database sees none of the first one's data, through any
endpoint (ARCHITECTURE.md principle 6)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from ringcentral import SDK
from ringcentral.http.api_exception import ApiException
from ringcentral.platform.platform import Platform

from telephonist.accounts import company, users
from telephonist.identity import apps, credentials
from telephonist.store.base import utcnow
from tests.demo_data import DEMO_CLIENT, PASSWORD, Login
from tests.support import RunningServer, database_of

OTHER_NUMBER = "+16467360100"
OTHER_DIRECT = "+16467360142"


@dataclass(frozen=True)
class OtherCompany:
    client: tuple[str, str]
    user_number: str


@pytest.fixture(scope="module")
def other_company(demo_server: RunningServer) -> Iterator[OtherCompany]:
    """Company B with one active user (ext 101) and its own OAuth app, in A's database."""
    database = database_of(demo_server)
    with database.transaction() as session:
        account = company.create_account(
            session, company_name="Other Company", main_number=OTHER_NUMBER
        )
        user = users.add_user(
            session,
            account.id,
            first_name="Olga",
            last_name="Other",
            email=f"olga.{demo_server.http_port}@other.example",
            extension_number="101",
            role_name="Super Admin",
            direct_number=OTHER_DIRECT,
        )
        facts = users.account_facts(session, user)
        assert user.user is not None
        credentials.set_password(user.user, PASSWORD, facts, utcnow())
        user.status = "Enabled"
        app, secret = apps.create_app(session, account.id, name="Other app")
        client = (app.client_id, secret)
    database.dispose()
    yield OtherCompany(client, OTHER_DIRECT)


@pytest.fixture
def olga(other_company: OtherCompany, demo_server: RunningServer) -> Iterator[Platform]:
    platform = SDK(*other_company.client, demo_server.url).platform()
    platform.login(username=other_company.user_number, extension="101", password=PASSWORD)
    yield platform
    platform.logout()


def status_of(call) -> int:  # type: ignore[no-untyped-def]
    with pytest.raises(ApiException) as raised:
        call()
    response = raised.value.api_response().response()
    assert "errors" in response.json()
    return int(response.status_code)


def test_lists_show_only_the_callers_company(olga: Platform) -> None:
    extensions = olga.get("/account/~/extension").json_dict()
    assert [record["extensionNumber"] for record in extensions["records"]] == ["101"]
    directory = olga.get("/account/~/directory/entries").json_dict()
    assert [entry["name"] for entry in directory["records"]] == ["Olga Other"]
    assert (
        olga.post("/account/~/directory/entries/search", {"searchString": "Dunn"}).json_dict()[
            "records"
        ]
        == []
    )
    numbers = olga.get("/account/~/extension/~/phone-number").json_dict()["records"]
    assert {record["phoneNumber"] for record in numbers} == {OTHER_DIRECT, OTHER_NUMBER}


def test_the_other_companys_ids_do_not_exist_for_the_caller(
    olga: Platform, sdk_login: Login
) -> None:
    demo = sdk_login()
    demo_account = demo.get("/account/~").json_dict()["id"]
    demo_extension = demo.get("/account/~/extension/~").json_dict()["id"]
    paths = [
        f"/restapi/v1.0/account/{demo_account}",
        f"/restapi/v1.0/account/{demo_account}/extension",
        f"/restapi/v1.0/account/~/extension/{demo_extension}",
        f"/restapi/v1.0/account/~/extension/{demo_extension}/phone-number",
        f"/restapi/v1.0/account/~/extension/{demo_extension}/device",
        f"/restapi/v1.0/account/~/directory/entries/{demo_extension}",
    ]
    for path in paths:
        assert status_of(lambda path=path: olga.get(path)) == 404, path
    assert (
        status_of(
            lambda: olga.put(
                f"/account/~/extension/{demo_extension}", {"contact": {"jobTitle": "x"}}
            )
        )
        == 404
    )


def test_an_app_of_one_company_cannot_sign_in_users_of_another(
    demo_server: RunningServer, other_company: OtherCompany
) -> None:
    demo_app_for_olga = SDK(*DEMO_CLIENT, demo_server.url).platform()
    with pytest.raises(ApiException):
        demo_app_for_olga.login(
            username=other_company.user_number, extension="101", password=PASSWORD
        )
    other_app_for_dulcinea = SDK(*other_company.client, demo_server.url).platform()
    with pytest.raises(ApiException):
        other_app_for_dulcinea.login(username="+14092402117", extension="11103", password=PASSWORD)
