"""Issue 3 item 5 with a real carrier (SIPp on 127.0.0.2, an IP-authenticated trunk):
calls to a direct number ring its extension, calls to the company number ring the
operator, outside numbers dialled as 10 digits, 1+10 or E.164 go out with the user's
direct number as caller ID, emergency numbers go out with the phone's registered address
(RFC 6442 by value), and nothing unauthenticated ever reaches the trunk."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.calls.conftest import admin_token
from tests.support import RunningServer
from tests.telephony.peers import sip_address
from tests.telephony.sipp import Sipp, SippPeer

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("nothing_leaks")]

CARRIER = "127.0.0.2"
DULCINEA_DESK = ("11103", "sip11103demo")
HANK_DESK = ("11101", "sip11101demo")


@pytest.fixture
def carrier(phone_system: RunningServer, sipp: Sipp) -> Iterator[tuple[SippPeer, int]]:
    """A carrier answering calls on 127.0.0.2, configured as the company's trunk through
    the REST API; removed again after the test."""
    peer = sipp.start("trunk_uas.xml", local_ip=CARRIER, pause_ms=200)
    token = admin_token(phone_system)
    headers = {"Authorization": f"Bearer {token}"}
    created = httpx.post(
        f"{phone_system.url}/restapi/v1.0/account/~/telephonist/trunks",
        json={
            "name": "carrier",
            "host": CARRIER,
            "port": peer.port,
            "transport": "udp",
            "authMode": "ip",
            "allowedAddresses": [CARRIER],
            "numberFormat": "e164",
        },
        headers=headers,
    )
    assert created.status_code == 200, created.text
    yield peer, peer.port
    httpx.delete(f"{created.json()['uri']}", headers=headers)


@pytest.mark.parametrize("dialled", ["6502530000", "16502530000", "+16502530000"])
def test_outside_numbers_go_out_through_the_trunk_with_the_direct_number(
    phone_system: RunningServer, sipp: Sipp, carrier: tuple[SippPeer, int], dialled: str
) -> None:
    peer, _port = carrier
    sipp.run(
        "uac_call.xml",
        sip_address(phone_system),
        keys={"user": "11103", "dial": dialled},
        auth=DULCINEA_DESK,
        pause_ms=300,
    ).assert_success()
    received = peer.wait()
    received.assert_success()
    invite = received.received("INVITE")[0]
    assert invite.request_uri is not None and invite.request_uri.startswith("sip:+16502530000@")
    assert "+14092402117" in (invite.header("From") or ""), "the user's direct number"
    assert "+14092402117" in (invite.header("P-Asserted-Identity") or "")


def test_an_emergency_call_goes_out_with_the_registered_address(
    phone_system: RunningServer, sipp: Sipp, carrier: tuple[SippPeer, int]
) -> None:
    peer, _port = carrier
    sipp.run(
        "uac_call.xml",
        sip_address(phone_system),
        keys={"user": "11103", "dial": "911"},
        auth=DULCINEA_DESK,
        pause_ms=300,
    ).assert_success()
    invite = peer.wait().received("INVITE")[0]
    assert invite.request_uri is not None and invite.request_uri.startswith("sip:911@")
    assert (invite.header("Geolocation") or "").startswith("<cid:")
    assert "<ca:A3>Belmont</ca:A3>" in invite.body and "application/pidf+xml" in invite.body


def test_the_carrier_reaches_a_direct_number_and_the_company_number(
    phone_system: RunningServer, sipp: Sipp, carrier: tuple[SippPeer, int]
) -> None:
    carrier_peer, _port = carrier
    server = sip_address(phone_system)
    dulcinea = sipp.phone(server, *DULCINEA_DESK)
    hank = sipp.phone(server, *HANK_DESK)
    for dialled in ("+14092402117", "+14092402583"):
        sipp.start(
            "trunk_uac.xml",
            server,
            keys={"user": "+12125550123", "dial": dialled},
            local_ip=CARRIER,
            pause_ms=300,
        ).wait().assert_success()
    assert dulcinea.wait().received("INVITE"), "the direct number rings its extension"
    assert hank.wait().received("INVITE"), "the company number rings the operator"
    carrier_peer.stop()


def test_an_unauthenticated_caller_never_reaches_the_trunk(
    phone_system: RunningServer, sipp: Sipp, carrier: tuple[SippPeer, int]
) -> None:
    """Toll-fraud guard: a stranger dialling out is challenged, and a wrong answer gets
    nothing further; the carrier sees no INVITE."""
    peer, _port = carrier
    refused = sipp.run(
        "uac_expect_reject.xml",
        sip_address(phone_system),
        keys={"user": "11103", "dial": "6502530000"},
        variables={"expected_code": "407"},
        auth=("11103", "wrong-password"),
    )
    assert refused.received("407"), "a stranger is challenged, not connected"
    stopped = peer.stop()
    assert not stopped.received("INVITE")
