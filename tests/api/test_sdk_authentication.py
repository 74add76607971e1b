"""ACC-6/ACC-8 through the public API, driven by the official ringcentral SDK from PyPI:
password grant (phone number + extension, company number + extension, e-mail), JWT bearer
grant with a credential made in the portal, refresh, revoke, and the error shape."""

from __future__ import annotations

import re

import httpx
import pytest
from ringcentral import SDK
from ringcentral.http.api_exception import ApiException

from tests.demo_data import COMPANY_NUMBER, DEMO_CLIENT, DULCINEA, PASSWORD, Login
from tests.support import PortalBrowser, RunningServer


def error_of(exception: ApiException) -> tuple[int, dict]:
    response = exception.api_response().response()
    assert response.headers["content-type"].startswith("application/json")
    return response.status_code, response.json()


def test_sign_in_with_direct_number_and_extension(sdk_login: Login) -> None:
    platform = sdk_login(*DULCINEA)
    me = platform.get("/restapi/v1.0/account/~/extension/~").json_dict()
    assert (me["extensionNumber"], me["name"]) == ("11103", "Dulcinea Dunn")


def test_sign_in_with_company_number_and_extension(sdk_login: Login) -> None:
    platform = sdk_login(COMPANY_NUMBER, "11102")
    assert platform.get("/account/~/extension/~").json_dict()["name"] == "Joe Hall"


def test_sign_in_with_company_number_alone_opens_the_operator(sdk_login: Login) -> None:
    platform = sdk_login(COMPANY_NUMBER, None)
    assert platform.get("/account/~/extension/~").json_dict()["extensionNumber"] == "11101"


def test_sign_in_with_email(sdk_login: Login) -> None:
    platform = sdk_login("dulcinea.dunn@demo.example", None)
    assert platform.get("/account/~/extension/~").json_dict()["extensionNumber"] == "11103"


def test_sign_in_with_number_star_extension_username(sdk_login: Login) -> None:
    platform = sdk_login(f"{COMPANY_NUMBER}*11103", None)
    assert platform.get("/account/~/extension/~").json_dict()["extensionNumber"] == "11103"


def test_token_answer_has_what_the_sdk_needs(demo_server: RunningServer) -> None:
    response = httpx.post(
        f"{demo_server.url}/restapi/oauth/token",
        auth=DEMO_CLIENT,
        data={
            "grant_type": "password",
            "username": DULCINEA[0],
            "extension": DULCINEA[1],
            "password": PASSWORD,
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600 and body["refresh_token_expires_in"] == 604800
    assert {"access_token", "refresh_token", "scope", "owner_id", "session_id"} <= body.keys()


def test_wrong_password_gets_the_public_error_shape(demo_server: RunningServer) -> None:
    platform = SDK(*DEMO_CLIENT, demo_server.url).platform()
    with pytest.raises(ApiException) as raised:
        platform.login(username=DULCINEA[0], extension=DULCINEA[1], password="Wrong#Pass99")
    status, body = error_of(raised.value)
    assert status == 400
    assert body["error"] == "invalid_grant"
    assert body["errors"][0]["errorCode"] == "OAU-140"
    assert body["errors"][0]["message"] == "Invalid resource owner credentials"


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(demo_server: RunningServer) -> None:
    platform = SDK(*DEMO_CLIENT, demo_server.url).platform()
    with pytest.raises(ApiException) as raised:
        platform.login(username="+12125550100", extension="101", password="Wrong#Pass99")
    assert error_of(raised.value)[1]["errors"][0]["message"] == "Invalid resource owner credentials"


def test_wrong_client_secret_is_an_invalid_client(demo_server: RunningServer) -> None:
    platform = SDK("demo-client", "not-the-secret", demo_server.url).platform()
    with pytest.raises(ApiException) as raised:
        platform.login(username=DULCINEA[0], extension=DULCINEA[1], password=PASSWORD)
    status, body = error_of(raised.value)
    assert (status, body["error"], body["errors"][0]["errorCode"]) == (
        401,
        "invalid_client",
        "OAU-146",
    )


def test_refresh_gives_new_tokens_and_retires_the_old_access_token(
    sdk_login: Login, demo_server: RunningServer
) -> None:
    platform = sdk_login()
    old_token = platform.auth().access_token()
    platform.refresh()
    assert platform.auth().access_token() != old_token
    assert platform.get("/account/~/extension/~").json_dict()["extensionNumber"] == "11103"
    stale = httpx.get(
        f"{demo_server.url}/restapi/v1.0/account/~/extension/~",
        headers={"Authorization": f"bearer {old_token}"},
    )
    assert stale.status_code == 401


def test_logout_revokes_the_token_and_then_calls_get_401(
    sdk_login: Login, demo_server: RunningServer
) -> None:
    platform = sdk_login()
    token = platform.auth().access_token()
    platform.logout()
    response = httpx.get(
        f"{demo_server.url}/restapi/v1.0/account/~",
        headers={"Authorization": f"bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["errorCode"] == "OAU-129"


def test_missing_token_is_401_with_the_error_shape(demo_server: RunningServer) -> None:
    response = httpx.get(f"{demo_server.url}/restapi/v1.0/account/~")
    assert response.status_code == 401
    body = response.json()
    assert body["errors"][0]["errorCode"] == "OAU-123" and body["errorCode"] == "OAU-123"


def make_jwt_in_portal(server: RunningServer, identifier: str, extension: str, name: str) -> str:
    """A user creates a JWT credential on More > API Credentials."""
    browser = PortalBrowser(server.url)
    assert browser.sign_in(identifier, PASSWORD, extension).status_code == 200
    page = browser.post_form("/more/credentials", {"name": name})
    assert page.status_code == 200
    found = re.search(r'id="new-jwt">([^<]+)<', page.text)
    assert found, page.text
    return found.group(1).strip()


def test_jwt_grant_with_a_credential_made_in_the_portal(demo_server: RunningServer) -> None:
    jwt = make_jwt_in_portal(demo_server, *DULCINEA, name="CRM integration")
    platform = SDK(*DEMO_CLIENT, demo_server.url).platform()
    platform.login(jwt=jwt)
    assert platform.get("/account/~/extension/~").json_dict()["extensionNumber"] == "11103"
    platform.refresh()
    assert platform.get("/account/~").json_dict()["mainNumber"] == COMPANY_NUMBER
    platform.logout()


def test_a_revoked_jwt_no_longer_signs_in(demo_server: RunningServer) -> None:
    browser = PortalBrowser(demo_server.url)
    browser.sign_in(*DULCINEA[:1], PASSWORD, DULCINEA[1])
    page = browser.post_form("/more/credentials", {"name": "to revoke"})
    jwt = re.search(r'id="new-jwt">([^<]+)<', page.text).group(1).strip()  # type: ignore[union-attr]
    credential_ids = re.findall(r'action="/more/credentials/(\d+)/revoke"', page.text)
    newest = max(int(number) for number in credential_ids)
    browser.post_form(f"/more/credentials/{newest}/revoke", {}, page.text)
    platform = SDK(*DEMO_CLIENT, demo_server.url).platform()
    with pytest.raises(ApiException) as raised:
        platform.login(jwt=jwt)
    status, body = error_of(raised.value)
    assert status == 400 and body["errors"][0]["errorCode"] == "OAU-140"


def test_a_forged_jwt_is_refused(demo_server: RunningServer) -> None:
    forged = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    platform = SDK(*DEMO_CLIENT, demo_server.url).platform()
    with pytest.raises(ApiException) as raised:
        platform.login(jwt=forged)
    assert error_of(raised.value)[0] == 400
