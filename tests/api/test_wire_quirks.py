"""How the official SDKs talk on the wire (rc-api README §2.1): raw ``+`` in query strings,
duplicate slashes, lower-case ``bearer``, JSON content type on GET, empty JSON bodies."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from starlette.types import Receive, Scope, Send

from telephonist.api.wire import CollapseSlashes, LiteralPlusInQuery
from tests.demo_data import Login
from tests.support import RunningServer


def seen_scope(middleware: type, scope: dict[str, Any]) -> dict[str, Any]:
    captured: dict[str, Any] = {}

    async def app(inner: Scope, _receive: Receive, _send: Send) -> None:
        captured.update(inner)

    async def nothing() -> dict[str, Any]:
        return {}

    async def ignore(_message: Any) -> None:
        return None

    asyncio.run(middleware(app)(scope, nothing, ignore))
    return captured


def test_a_raw_plus_in_the_query_means_plus() -> None:
    scope = seen_scope(
        LiteralPlusInQuery,
        {
            "type": "http",
            "query_string": b"phoneNumber=+16505550100&dateFrom=2024-01-01T00:00:00+00:00",
        },
    )
    assert (
        scope["query_string"] == b"phoneNumber=%2B16505550100&dateFrom=2024-01-01T00:00:00%2B00:00"
    )


def test_duplicate_slashes_collapse() -> None:
    scope = seen_scope(
        CollapseSlashes,
        {
            "type": "http",
            "path": "//restapi//v1.0/account/~",
            "raw_path": b"//restapi//v1.0/account/~",
        },
    )
    assert scope["path"] == "/restapi/v1.0/account/~"


def test_lower_case_bearer_and_json_content_type_on_get(
    sdk_login: Login, demo_server: RunningServer
) -> None:
    token = sdk_login().auth().access_token()
    response = httpx.get(
        f"{demo_server.url}//restapi/v1.0/account/~/extension/~",
        headers={"authorization": f"bearer {token}", "content-type": "application/json"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")


def test_plus_in_an_email_filter_is_kept(sdk_login: Login, demo_server: RunningServer) -> None:
    token = sdk_login().auth().access_token()
    response = httpx.get(
        f"{demo_server.url}/restapi/v1.0/account/~/extension?email=dulcinea.dunn@demo.example&perPage=5",
        headers={"authorization": f"Bearer {token}"},
    )
    assert [record["extensionNumber"] for record in response.json()["records"]] == ["11103"]


def test_an_update_is_all_or_nothing(sdk_login: Login, demo_server: RunningServer) -> None:
    platform = sdk_login()
    before = platform.get("/account/~/extension/~").json_dict()
    token = platform.auth().access_token()
    response = httpx.put(
        f"{demo_server.url}/restapi/v1.0/account/~/extension/~",
        json={
            "contact": {"jobTitle": "Should not stick"},
            "regionalSettings": {"timezone": {"id": "Nowhere/Land"}},
        },
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert (
        platform.get("/account/~/extension/~").json_dict()["contact"]["jobTitle"]
        == before["contact"]["jobTitle"]
    )


def test_api_versions_answer_at_restapi(demo_server: RunningServer) -> None:
    body = httpx.get(f"{demo_server.url}/restapi", follow_redirects=True).json()
    assert body["apiVersions"][0]["uriString"] == "v1.0"
