"""SIP trunks through the official SDK (issue 3 item 5): an admin adds, reads, changes and
deletes them; every bad setting is named; the password never comes back; a standard
user and an app without the scope are refused."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from ringcentral import SDK
from ringcentral.http.api_exception import ApiException

from telephonist.identity import apps
from tests.demo_data import HANK, PASSWORD, Login
from tests.support import RunningServer, database_of

TRUNKS = "/restapi/v1.0/account/~/telephonist/trunks"


def failure(call) -> tuple[int, dict[str, Any]]:  # type: ignore[no-untyped-def]
    with pytest.raises(ApiException) as raised:
        call()
    response = raised.value.api_response().response()
    return response.status_code, response.json()


def unique(name: str) -> str:
    return f"{name} {secrets.token_hex(3)}"


def test_an_admin_adds_reads_changes_and_deletes_a_trunk(
    sdk_login: Login, demo_server: RunningServer
) -> None:
    admin = sdk_login(*HANK)
    name = unique("Carrier")
    created = admin.post(
        TRUNKS,
        {
            "name": name,
            "host": "sip.carrier.example",
            "authMode": "registration",
            "username": "acme-4092402583",
            "password": "s3cret-Trunk",
            "numberFormat": "1+10",
        },
    ).json_dict()
    trunk_id = created["id"]
    account_id = admin.get("/restapi/v1.0/account/~").json_dict()["id"]
    assert created == {
        "uri": f"{demo_server.url}/restapi/v1.0/account/{account_id}/telephonist/trunks/{trunk_id}",
        "id": trunk_id,
        "name": name,
        "host": "sip.carrier.example",
        "port": 5060,
        "transport": "udp",
        "authMode": "registration",
        "username": "acme-4092402583",
        "hasPassword": True,
        "allowedAddresses": [],
        "numberFormat": "1+10",
        "enabled": True,
        "creationTime": created["creationTime"],
    }
    assert admin.get(f"{TRUNKS}/{trunk_id}").json_dict() == created
    listed = admin.get(TRUNKS).json_dict()
    assert trunk_id in [record["id"] for record in listed["records"]]
    assert all("password" not in record for record in listed["records"])

    changed = admin.put(
        f"{TRUNKS}/{trunk_id}", {"port": 5080, "transport": "tls", "enabled": False}
    ).json_dict()
    assert (changed["port"], changed["transport"], changed["enabled"]) == (5080, "tls", False)
    assert changed["hasPassword"] is True and changed["authMode"] == "registration"

    switched = admin.put(
        f"{TRUNKS}/{trunk_id}",
        {"authMode": "ip", "username": "", "allowedAddresses": ["203.0.113.5", "198.51.100.0/24"]},
    ).json_dict()
    assert switched["allowedAddresses"] == ["203.0.113.5", "198.51.100.0/24"]
    assert (switched["authMode"], switched["username"], switched["hasPassword"]) == (
        "ip",
        "",
        False,
    )

    assert admin.delete(f"{TRUNKS}/{trunk_id}").response().status_code == 204
    status, body = failure(lambda: admin.get(f"{TRUNKS}/{trunk_id}"))
    assert status == 404 and body["errors"][0]["parameterName"] == "trunkId"


def test_a_client_may_put_back_what_it_read(sdk_login: Login) -> None:
    admin = sdk_login(*HANK)
    trunk = admin.post(TRUNKS, {"name": unique("Round trip"), "host": "203.0.113.9"}).json_dict()
    trunk["port"] = 5062
    assert admin.put(f"{TRUNKS}/{trunk['id']}", trunk).json_dict()["port"] == 5062
    admin.delete(f"{TRUNKS}/{trunk['id']}")


def test_every_bad_setting_is_named_and_nothing_is_stored(sdk_login: Login) -> None:
    admin = sdk_login(*HANK)
    name = unique("Broken")
    status, body = failure(
        lambda: admin.post(
            TRUNKS,
            {
                "name": name,
                "host": "not a host",
                "port": 70000,
                "transport": "sctp",
                "authMode": "registration",
                "allowedAddresses": ["203.0.113.300"],
                "numberFormat": "local",
            },
        )
    )
    assert status == 400
    assert {error["parameterName"] for error in body["errors"]} == {
        "host",
        "port",
        "transport",
        "username",
        "password",
        "allowedAddresses",
        "numberFormat",
    }
    assert {error["errorCode"] for error in body["errors"]} == {"CMN-101"}
    names = [record["name"] for record in admin.get(TRUNKS).json_dict()["records"]]
    assert name not in names


@pytest.mark.parametrize(
    ("body", "parameter", "code"),
    [
        ({"host": "sip.carrier.example"}, "name", "CMN-101"),
        ({"name": "Typo", "host": "h.example", "numberformat": "e164"}, "numberformat", "CMN-101"),
        ({"name": "Text port", "host": "h.example", "port": "five"}, "port", "CMN-101"),
    ],
)
def test_missing_and_unknown_fields_are_refused(
    sdk_login: Login, body: dict[str, Any], parameter: str, code: str
) -> None:
    status, error = failure(lambda: sdk_login(*HANK).post(TRUNKS, body))
    assert status == 400
    assert (error["errors"][0]["parameterName"], error["errors"][0]["errorCode"]) == (
        parameter,
        code,
    )


def test_names_are_unique_in_the_account_whatever_their_case(sdk_login: Login) -> None:
    admin = sdk_login(*HANK)
    name = unique("Twin")
    first = admin.post(TRUNKS, {"name": name, "host": "sip.one.example"}).json_dict()
    status, body = failure(
        lambda: admin.post(TRUNKS, {"name": name.upper(), "host": "two.example"})
    )
    assert status == 409
    assert (body["errors"][0]["errorCode"], body["errors"][0]["parameterName"]) == (
        "CMN-409",
        "name",
    )
    other = admin.post(TRUNKS, {"name": unique("Other"), "host": "sip.two.example"}).json_dict()
    status, _body = failure(lambda: admin.put(f"{TRUNKS}/{other['id']}", {"name": name}))
    assert status == 409
    for trunk in (first, other):
        admin.delete(f"{TRUNKS}/{trunk['id']}")


def test_unknown_trunks_are_not_found(sdk_login: Login) -> None:
    admin = sdk_login(*HANK)
    for trunk_id in ("99999999", "not-a-number"):
        status, body = failure(lambda trunk_id=trunk_id: admin.get(f"{TRUNKS}/{trunk_id}"))
        assert status == 404 and body["errors"][0]["errorCode"] == "CMN-102"
    status, _body = failure(lambda: admin.delete(f"{TRUNKS}/99999999"))
    assert status == 404


def test_a_standard_user_can_neither_read_nor_change_trunks(sdk_login: Login) -> None:
    user = sdk_login()
    for call in (
        lambda: user.get(TRUNKS),
        lambda: user.post(TRUNKS, {"name": "Mine", "host": "sip.carrier.example"}),
    ):
        status, body = failure(call)
        assert status == 403
        assert body["errors"][0]["errorCode"] == "CMN-408"
        assert "[ManageTrunks]" in body["errors"][0]["message"]


def test_an_app_needs_edit_accounts_to_change_trunks(
    demo_server: RunningServer, sdk_login: Login
) -> None:
    account_id = sdk_login(*HANK).get("/restapi/v1.0/account/~").json_dict()["id"]
    database = database_of(demo_server)
    with database.transaction() as session:
        app, secret = apps.create_app(session, account_id, name="Reader", scopes="ReadAccounts")
        client = (app.client_id, secret)
    database.dispose()
    platform = SDK(*client, demo_server.url).platform()
    platform.login(username=HANK[0], extension=HANK[1], password=PASSWORD)
    try:
        assert "records" in platform.get(TRUNKS).json_dict()
        status, body = failure(lambda: platform.post(TRUNKS, {"name": "X", "host": "h.example"}))
        assert status == 403 and body["errors"][0]["errorCode"] == "CMN-401"
    finally:
        platform.logout()
