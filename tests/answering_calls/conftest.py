"""Issue 4 end to end: one phone system for the package, Dulcinea's answering settings
changed through the REST API by each test and put back afterwards, the carrier of
tests/calls/test_trunks.py, the prompts the server speaks (to compare with what callers
heard), and the leak check after every test."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np
import pytest

from telephonist.prompts.catalogue import PromptKind
from telephonist.prompts.library import PromptLibrary, Say, SlotValue
from tests.calls.conftest import SETTLED, admin_api, extension_id, wait_for_counters
from tests.support import RunningServer, start_server
from tests.telephony.audio import Samples
from tests.telephony.conftest import no_leaked_peers, phones, sipp  # noqa: F401
from tests.telephony.peers import sip_address
from tests.telephony.sipp import Sipp, SippPeer

CARRIER = "127.0.0.2"
"""The carrier's address: calls from it come in through the company's IP trunk."""
DULCINEA_PHONES = ("11103", "11103s")
"""SIP user names of her desk phone and her softphone."""
RULE_IDS = ("business-hours-rule", "after-hours-rule")
DEFAULT_INCOMING_CALL_INFO = {
    "displayedNumber": "IncomingCallerId",
    "announce": False,
    "requirePin": False,
}
DEFAULT_BLOCKING = {
    "mode": "Specific",
    "noCallerId": "Allow",
    "payPhones": "Allow",
    "robocalls": "RingDevicesAndApps",
}


@pytest.fixture(scope="package")
def answering_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The demo company on a server of this package's own."""
    server = start_server(
        tmp_path_factory.mktemp("answering-system"),
        extra_env={"TELEPHONIST_SIP_AUTH_FAILURES": "1000"},
    )
    yield server
    try:
        wait_for_counters(server, ("transactions", *SETTLED), timeout=45)
    finally:
        server.stop()


@dataclass
class AnsweringSettings:
    """One user's call handling through the REST API (as the Super Admin)."""

    api: httpx.Client
    extension: str
    """The extension's id."""

    def path(self, tail: str) -> str:
        return f"/extension/{self.extension}/{tail}"

    def get(self, tail: str, **params: Any) -> Any:
        response = self.api.get(self.path(tail), params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def put(self, tail: str, body: dict[str, Any]) -> Any:
        response = self.api.put(self.path(tail), json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, tail: str, body: dict[str, Any]) -> Any:
        response = self.api.post(self.path(tail), json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def phone(self, label: str) -> str:
        """The forwarding-number id of one of her phones ("Desk Phone", "Softphone")."""
        records = self.get("forwarding-number")["records"]
        return next(str(record["id"]) for record in records if record["label"] == label)

    def both_rules(self, rule: dict[str, Any]) -> None:
        """The same handling in and out of user hours, whatever the time of the test."""
        for rule_id in RULE_IDS:
            self.put(f"answering-rule/{rule_id}", rule)

    def voicemails(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = self.get("message-store", perPage="max")["records"]
        return records


@pytest.fixture
def dulcinea(answering_system: RunningServer, sipp: Sipp) -> Iterator[AnsweringSettings]:  # noqa: F811
    """Dulcinea's settings, as the demo made them until the test changes them, and as
    they were again after it: rules, custom rules, blocking, DND, incoming call
    information, an empty mailbox, no phone registered. Nothing may leak from the test's
    calls (no call, dialog, task, media endpoint or RTP port)."""
    with admin_api(answering_system) as api:
        settings = AnsweringSettings(api, extension_id(api, "11103"))
        saved = {rule_id: settings.get(f"answering-rule/{rule_id}") for rule_id in RULE_IDS}
        yield settings
        wait_for_counters(answering_system, SETTLED)
        for user in DULCINEA_PHONES:
            sipp.run(
                "unregister.xml",
                sip_address(answering_system),
                keys={"user": user},
                auth=(user, f"sip{user}demo"),
            ).assert_success()
        for rule_id, rule in saved.items():
            settings.put(f"answering-rule/{rule_id}", rule)
        for custom in settings.get("answering-rule", type="Custom")["records"]:
            api.delete(settings.path(f"answering-rule/{custom['id']}")).raise_for_status()
        settings.put("caller-blocking", DEFAULT_BLOCKING)
        for listed in settings.get("caller-blocking/phone-numbers")["records"]:
            api.delete(settings.path(f"caller-blocking/phone-numbers/{listed['id']}"))
        settings.put("presence", {"dndStatus": "TakeAllCalls"})
        settings.put("incoming-call-info", DEFAULT_INCOMING_CALL_INFO)
        for message in settings.get("message-store", perPage="max", availability="Alive")[
            "records"
        ]:
            api.delete(
                settings.path(f"message-store/{message['id']}"), params={"purge": "true"}
            ).raise_for_status()


@pytest.fixture
def trunk_to(answering_system: RunningServer) -> Iterator[Callable[[SippPeer], None]]:
    """Makes a SIPp peer on 127.0.0.2 the company's IP-authenticated trunk: calls from
    127.0.0.2 come in through it, calls out go to that peer. Removed after the test."""
    with admin_api(answering_system) as api:
        created: list[str] = []

        def point_at(peer: SippPeer) -> None:
            response = api.post(
                "/telephonist/trunks",
                json={
                    "name": "carrier",
                    "host": CARRIER,
                    "port": peer.port,
                    "transport": "udp",
                    "authMode": "ip",
                    "allowedAddresses": [CARRIER],
                    "numberFormat": "e164",
                },
            )
            assert response.status_code == 200, response.text
            created.append(response.json()["uri"])

        yield point_at
        for uri in created:
            api.delete(uri).raise_for_status()


@pytest.fixture
def carrier(trunk_to: Callable[[SippPeer], None], sipp: Sipp) -> SippPeer:  # noqa: F811
    """The carrier behind the trunk, answering what Telephonist sends out."""
    peer = sipp.start("trunk_uas.xml", local_ip=CARRIER, pause_ms=200, timeout=60)
    trunk_to(peer)
    return peer


def spoken(server: RunningServer, kind: PromptKind, **values: SlotValue) -> Samples:
    """A prompt as the server says it in French (the demo users' greeting language): the
    same speech cache and engines, as samples in [-1, 1] at 8 kHz."""
    return spoken_together(server, Say(kind, values))


def spoken_together(server: RunningServer, *items: Say) -> Samples:
    """Prompts said as one (the mailbox's "no new messages and no saved messages")."""
    library = PromptLibrary.in_data_dir(server.data_dir)
    source = asyncio.run(library.sequence("fr", *items))
    pcm = b"".join(source.frames(160))
    return np.frombuffer(pcm, "<i2") / 32768
