"""A phone system of this package's own (no address bans: refused credentials are part
of the tests), real SIP peers, and the leak check after each call.

The demo users' answering rules are set, through the REST API, to what these tests are
about (issue 3's call handling): every phone of the user rings at once for one ring (5 s),
then the caller hears the phone is unavailable. Answering rules proper are tested in
tests/answering_calls."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.demo_data import DEMO_CLIENT, PASSWORD
from tests.support import RunningServer, start_server
from tests.telephony.conftest import no_leaked_peers, phones, sipp  # noqa: F401

RING_SECONDS = 5
DEMO_USERS = ("11101", "11102", "11103")
SETTLED = ("calls", "dialogs", "tasks", "mediaEndpoints", "mediaPorts")
"""What must be back to 0 once every call of a test has ended. Transactions may live on
for their RFC 3261 timers (up to 32 s) and are checked when the module ends."""


@pytest.fixture(scope="module")
def phone_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(
        tmp_path_factory.mktemp("phone-system"),
        extra_env={"TELEPHONIST_SIP_AUTH_FAILURES": "1000"},
    )
    for number in DEMO_USERS:
        ring_all_phones_then_give_up(server, number)
    yield server
    try:
        wait_for_counters(server, ("transactions", *SETTLED), timeout=45)
    finally:
        server.stop()


def admin_token(server: RunningServer) -> str:
    response = httpx.post(
        f"{server.url}/restapi/oauth/token",
        auth=DEMO_CLIENT,
        data={
            "grant_type": "password",
            "username": "hank.hillos@demo.example",
            "password": PASSWORD,
        },
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def admin_api(server: RunningServer) -> httpx.Client:
    """An httpx client on the REST API, signed in as the demo's Super Admin."""
    return httpx.Client(
        base_url=f"{server.url}/restapi/v1.0/account/~",
        headers={"Authorization": f"Bearer {admin_token(server)}"},
    )


def extension_id(api: httpx.Client, number: str) -> str:
    found = api.get("/extension", params={"extensionNumber": number})
    found.raise_for_status()
    return str(found.json()["records"][0]["id"])


def ring_all_phones_then_give_up(server: RunningServer, number: str) -> None:
    """Both rules of the user: all their phones ring together for one ring, no voicemail."""
    with admin_api(server) as api:
        extension = extension_id(api, number)
        phones = api.get(f"/extension/{extension}/forwarding-number")
        phones.raise_for_status()
        rule = {
            "callHandlingAction": "ForwardCalls",
            "forwarding": {
                "ringingMode": "Simultaneously",
                "rules": [
                    {"index": index, "ringCount": 1, "forwardingNumbers": [{"id": phone["id"]}]}
                    for index, phone in enumerate(phones.json()["records"], start=1)
                ],
            },
            "voicemail": {"enabled": False},
        }
        for rule_id in ("business-hours-rule", "after-hours-rule"):
            response = api.put(f"/extension/{extension}/answering-rule/{rule_id}", json=rule)
            assert response.status_code == 200, response.text


def counters(server: RunningServer, token: str) -> dict[str, int]:
    response = httpx.get(
        f"{server.url}/restapi/v1.0/telephonist/diagnostics",
        headers={"Authorization": f"Bearer {token}"},
    )
    response.raise_for_status()
    found: dict[str, int] = response.json()["sip"]
    return found


def wait_for_counters(server: RunningServer, names: tuple[str, ...], timeout: float = 10) -> None:
    """Fail unless every named counter drops to 0 within ``timeout`` seconds."""
    token = admin_token(server)
    deadline = time.monotonic() + timeout
    current = counters(server, token)
    while time.monotonic() < deadline:
        if all(current[name] == 0 for name in names):
            return
        time.sleep(0.2)
        current = counters(server, token)
    leaked = {name: current[name] for name in names if current[name]}
    raise AssertionError(f"leaked after the calls ended: {leaked}")


@pytest.fixture
def nothing_leaks(phone_system: RunningServer) -> Iterator[None]:
    """After the test: no call, dialog, task, media endpoint or RTP port left."""
    yield
    wait_for_counters(phone_system, SETTLED)
