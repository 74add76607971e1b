"""A phone system of this package's own (short ring time, no address bans: refused
credentials are part of the tests), real SIP peers, and the leak check after each call."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.demo_data import DEMO_CLIENT, PASSWORD
from tests.support import RunningServer, start_server
from tests.telephony.conftest import no_leaked_peers, phones, sipp  # noqa: F401

RING_SECONDS = 3
SETTLED = ("calls", "dialogs", "tasks", "mediaEndpoints", "mediaPorts")
"""What must be back to 0 once every call of a test has ended. Transactions may live on
for their RFC 3261 timers (up to 32 s) and are checked when the module ends."""


@pytest.fixture(scope="module")
def phone_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(
        tmp_path_factory.mktemp("phone-system"),
        extra_env={
            "TELEPHONIST_RING_TIMEOUT": str(RING_SECONDS),
            "TELEPHONIST_SIP_AUTH_FAILURES": "1000",
        },
    )
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
