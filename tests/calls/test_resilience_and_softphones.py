"""What must survive and what must be heard: registrations survive a restart (DEV-2); a
call up when the process dies is ended on both phones by the next start and keeps its
call-log rows (ARCHITECTURE.md principle 5); an address guessing passwords is banned;
two baresip softphones hear each other's audio and DTMF through the B2BUA with its
media anchored, and call each other over SIP on TLS (issue 3)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.calls.conftest import admin_token, wait_for_counters
from tests.calls.test_calls import call_log
from tests.support import RunningServer, start_server
from tests.telephony.audio import best_correlation, source_wav
from tests.telephony.baresip import BaresipPhones
from tests.telephony.peers import sip_address
from tests.telephony.sipp import Sipp

pytestmark = pytest.mark.sip

DULCINEA_DESK = ("11103", "sip11103demo")
JOE_DESK = ("11102", "sip11102demo")


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[RunningServer]:
    server = start_server(
        tmp_path / "server",
        extra_env={"TELEPHONIST_SIP_AUTH_FAILURES": "5", "TELEPHONIST_SIP_AUTH_WINDOW": "60"},
    )
    yield server
    server.stop()


def test_registrations_survive_a_restart(own_server: RunningServer, sipp: Sipp) -> None:
    server = sip_address(own_server)
    joe = sipp.phone(server, *JOE_DESK, wait_ms=60000)
    time.sleep(1.5)  # bindings are written to the database once a second
    own_server.restart()
    sipp.run(
        "uac_call.xml",
        server,
        keys={"user": "11103", "dial": "11102"},
        auth=DULCINEA_DESK,
        pause_ms=300,
    ).assert_success()
    joe.wait().assert_success()


def test_a_call_up_during_a_crash_is_ended_and_logged(
    own_server: RunningServer, sipp: Sipp
) -> None:
    server = sip_address(own_server)
    joe = sipp.phone(server, *JOE_DESK, wait_ms=60000)
    caller = sipp.start(
        "uac_wait_bye.xml",
        server,
        keys={"user": "11103", "dial": "11102"},
        auth=DULCINEA_DESK,
        timeout=60,
    )
    time.sleep(2.5)  # answered, and the dialogs journaled
    own_server.restart(crash=True)
    caller.wait().assert_success()  # the new process sent BYE to the caller...
    joe.wait().assert_success()  # ...and to the phone
    inbound = call_log(own_server, "11102")[0]
    outbound = call_log(own_server, "11103")[0]
    assert inbound["result"] == outbound["result"] == "Hang Up"
    assert inbound["duration"] >= 2


def test_an_address_guessing_passwords_is_banned(own_server: RunningServer, sipp: Sipp) -> None:
    server = sip_address(own_server)
    for _ in range(5):
        sipp.run(
            "register_bad_password.xml", server, keys={"user": "11103"}, auth=("11103", "guess")
        )
    banned = sipp.run("register.xml", server, keys={"user": "11103"}, auth=DULCINEA_DESK, timeout=6)
    assert not banned.ok, "even the right password gets no answer during the ban"
    assert not banned.received("200")
    log = own_server.log()
    assert "banned 127.0.0.1" in log


def test_two_softphones_hear_each_other_and_their_keys(
    phone_system: RunningServer, phones: BaresipPhones, tmp_path: Path
) -> None:
    server = sip_address(phone_system)
    dulcinea_says = source_wav(tmp_path / "dulcinea.wav", seed=1)
    joe_says = source_wav(tmp_path / "joe.wav", seed=2)
    dulcinea = phones.start("11103s", dulcinea_says, registrar=server, password="sip11103sdemo")
    joe = phones.start("11102s", joe_says, registrar=server, password="sip11102sdemo")
    dulcinea.registered()
    joe.registered()
    dulcinea.dial("11102")
    joe.wait_for_event("CALL_ESTABLISHED", timeout=15)
    dulcinea.wait_for_event("CALL_ESTABLISHED", timeout=15)
    time.sleep(3.5)
    dulcinea.send_dtmf("123#")
    joe.wait_for_event("CALL_DTMF_END", count=4, timeout=10)
    dulcinea.hangup()
    joe.wait_for_event("CALL_CLOSED")
    dulcinea.wait_for_event("CALL_CLOSED")
    assert joe.dtmf_received() == "123#"
    assert best_correlation(dulcinea_says, joe.recordings()[0]) >= 0.9
    assert best_correlation(joe_says, dulcinea.recordings()[0]) >= 0.9
    wait_for_counters(phone_system, ("calls", "dialogs", "mediaEndpoints", "mediaPorts"))
    token = admin_token(phone_system)
    assert (
        httpx.get(
            f"{phone_system.url}/restapi/v1.0/telephonist/diagnostics",
            headers={"Authorization": f"Bearer {token}"},
        ).json()["sip"]["registrations"]
        >= 2
    )


def test_softphones_talk_sip_over_tls(
    phone_system: RunningServer, phones: BaresipPhones, tmp_path: Path
) -> None:
    """TLS on the SIP port + 1, with the self-signed certificate made on first start."""
    host, port = sip_address(phone_system)
    certificate = phone_system.data_dir / "sip-tls.crt"
    silence = source_wav(tmp_path / "silence.wav", seed=3)
    dulcinea = phones.start(
        "11103s", silence, registrar=(host, port + 1), password="sip11103sdemo", tls_ca=certificate
    )
    joe = phones.start(
        "11102s", silence, registrar=(host, port + 1), password="sip11102sdemo", tls_ca=certificate
    )
    dulcinea.registered()
    joe.registered()
    assert all("{0/TLS/v4} 200 OK" in phone.log(200) for phone in (joe, dulcinea))
    dulcinea.dial("11102")
    joe.wait_for_event("CALL_ESTABLISHED", timeout=15)
    dulcinea.wait_for_event("CALL_ESTABLISHED", timeout=15)
    joe.hangup()
    dulcinea.wait_for_event("CALL_CLOSED")  # the BYE came back over her TLS connection
    wait_for_counters(phone_system, ("calls", "dialogs", "mediaEndpoints", "mediaPorts"))
