"""Issue 3 with real SIP peers: phones register with their own credentials (DEV-2) and
call each other through the B2BUA: answer, cancel, busy, no answer, unknown numbers,
hold and resume both ways, hang-up from either side, every phone of an extension ringing
at once, the caller's name and extension shown (CID-2), and a call-log row for each
party (LOG-2). SIPp plays the phones; nothing may leak after a call."""

from __future__ import annotations

import asyncio
import itertools
import socket
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from telephonist.media.music import MusicTrack
from telephonist.prompts.library import PromptLibrary
from tests.answering_calls.hearing import RtpEar, found_at
from tests.calls.conftest import RING_SECONDS, admin_api, admin_token, extension_id
from tests.demo_data import DEMO_CLIENT, PASSWORD
from tests.support import RunningServer
from tests.telephony.audio import Samples, speech_like, write_wav
from tests.telephony.peers import sip_address
from tests.telephony.sipp import Sipp

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("nothing_leaks")]

DULCINEA_DESK = ("11103", "sip11103demo")
DULCINEA_SOFT = ("11103s", "sip11103sdemo")
JOE_DESK = ("11102", "sip11102demo")
HANK_DESK = ("11101", "sip11101demo")
HANK_SOFT = ("11101s", "sip11101sdemo")


def call_log(server: RunningServer, extension: str) -> list[dict[str, Any]]:
    """The extension's call log through the public API, newest first."""
    token = admin_token(server)
    headers = {"Authorization": f"Bearer {token}"}
    found = httpx.get(
        f"{server.url}/restapi/v1.0/account/~/extension",
        params={"extensionNumber": extension},
        headers=headers,
    ).json()["records"][0]
    records: list[dict[str, Any]] = httpx.get(
        f"{server.url}/restapi/v1.0/account/~/extension/{found['id']}/call-log",
        params={"perPage": 5},
        headers=headers,
    ).json()["records"]
    return records


def without_nonce(challenges: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{k: v for k, v in c.items() if k != "nonce"} for c in challenges]


def test_phones_register_with_their_own_credentials(
    phone_system: RunningServer, sipp: Sipp
) -> None:
    server = sip_address(phone_system)
    sipp.run("register.xml", server, keys={"user": "11103"}, auth=DULCINEA_DESK).assert_success()
    refused = sipp.run(
        "register_bad_password.xml", server, keys={"user": "11103"}, auth=("11103", "nope")
    )
    refused.assert_success()
    assert refused.logged("final") == ["401"]
    sipp.run("unregister.xml", server, keys={"user": "11103"}, auth=DULCINEA_DESK).assert_success()


def test_known_and_unknown_users_get_the_same_challenge(
    phone_system: RunningServer, sipp: Sipp
) -> None:
    server = sip_address(phone_system)
    known = sipp.run("register_challenge_only.xml", server, keys={"user": "11103"}).challenges()
    unknown = sipp.run("register_challenge_only.xml", server, keys={"user": "99999"}).challenges()
    assert known and without_nonce(known) == without_nonce(unknown)


def test_registration_over_tcp(phone_system: RunningServer, sipp: Sipp) -> None:
    server = sip_address(phone_system)
    over_tcp = ["-t", "t1"]
    sipp.run(
        "register.xml", server, keys={"user": "11102"}, auth=JOE_DESK, extra_args=over_tcp
    ).assert_success()
    sipp.run(
        "unregister.xml", server, keys={"user": "11102"}, auth=JOE_DESK, extra_args=over_tcp
    ).assert_success()


def test_a_call_between_two_phones_and_both_call_logs(
    phone_system: RunningServer, sipp: Sipp
) -> None:
    server = sip_address(phone_system)
    hank = sipp.phone(server, *HANK_DESK)
    call = sipp.run(
        "uac_call.xml",
        server,
        keys={"user": "11103s", "dial": "11101"},
        auth=DULCINEA_SOFT,
        pause_ms=1200,
    )
    call.assert_success()
    hank_side = hank.wait()
    hank_side.assert_success()
    invite = hank_side.received("INVITE")[0]
    assert str(invite.header("From")).startswith('"Dulcinea Dunn" <sip:11103@'), (
        "CID-2: name and extension"
    )
    inbound = call_log(phone_system, "11101")[0]
    outbound = call_log(phone_system, "11103")[0]
    assert (inbound["direction"], inbound["result"]) == ("Inbound", "Accepted")
    assert inbound["from"]["extensionNumber"] == "11103"
    assert (outbound["direction"], outbound["result"], outbound["action"]) == (
        "Outbound",
        "Call connected",
        "VoIP Call",
    )
    assert inbound["duration"] >= 1


def test_the_caller_cancels_before_an_answer(phone_system: RunningServer, sipp: Sipp) -> None:
    server = sip_address(phone_system)
    joe = sipp.phone(server, *JOE_DESK, answer="uas_no_answer.xml")
    sipp.run(
        "uac_cancel.xml",
        server,
        keys={"user": "11103", "dial": "11102"},
        auth=DULCINEA_DESK,
        pause_ms=500,
    ).assert_success()
    joe_side = joe.wait()
    joe_side.assert_success()
    assert joe_side.received("CANCEL"), "the ringing phone is cancelled too"
    assert call_log(phone_system, "11102")[0]["result"] == "Missed"


def test_a_busy_phone_makes_the_caller_hear_busy(phone_system: RunningServer, sipp: Sipp) -> None:
    server = sip_address(phone_system)
    joe = sipp.phone(server, *JOE_DESK, answer="uas_busy.xml")
    refused = sipp.run(
        "uac_expect_reject.xml",
        server,
        keys={"user": "11103", "dial": "11102"},
        variables={"expected_code": "486"},
        auth=DULCINEA_DESK,
    )
    refused.assert_success()
    joe.wait().assert_success()
    assert call_log(phone_system, "11103")[0]["result"] == "Busy"


def test_nobody_answers_within_the_ring_time(phone_system: RunningServer, sipp: Sipp) -> None:
    server = sip_address(phone_system)
    joe = sipp.phone(server, *JOE_DESK, answer="uas_no_answer.xml")
    refused = sipp.run(
        "uac_expect_reject.xml",
        server,
        keys={"user": "11103", "dial": "11102"},
        variables={"expected_code": "480"},
        auth=DULCINEA_DESK,
        timeout=RING_SECONDS + 30,
    )
    refused.assert_success()
    joe.wait().assert_success()
    assert call_log(phone_system, "11103")[0]["result"] == "No Answer"


@pytest.mark.parametrize(("dialled", "code"), [("99999", 404), ("11001", 480), ("11102", 480)])
def test_unknown_numbers_and_unreachable_extensions_are_refused(
    phone_system: RunningServer, sipp: Sipp, dialled: str, code: int
) -> None:
    """404 for a number that does not exist; 480 for a call queue (until queues exist)
    and for a user with no phone registered (and, here, no voicemail)."""
    sipp.run(
        "uac_expect_reject.xml",
        sip_address(phone_system),
        keys={"user": "11103", "dial": dialled},
        variables={"expected_code": str(code)},
        auth=DULCINEA_DESK,
    ).assert_success()


def test_hold_and_resume_from_the_caller(phone_system: RunningServer, sipp: Sipp) -> None:
    server = sip_address(phone_system)
    joe = sipp.phone(server, *JOE_DESK, answer="uas_hold.xml")
    call = sipp.run(
        "uac_hold_resume.xml",
        server,
        keys={"user": "11103", "dial": "11102"},
        auth=DULCINEA_DESK,
        pause_ms=300,
    )
    call.assert_success()
    assert call.logged("held") == ["a=recvonly"]
    joe_side = joe.wait()
    joe_side.assert_success()
    assert len(joe_side.received("INVITE")) == 3, "the hold and the resume reached the other phone"


def what_joe_hears_on_hold(phone_system: RunningServer, sipp: Sipp) -> Samples:
    """Dulcinea calls Joe and holds him for 3 s; what reaches the RTP port his SDP names
    (an ear of the test's own: SIPp cannot record)."""
    server = sip_address(phone_system)
    ear = RtpEar("127.0.0.1")
    try:
        joe = sipp.phone(
            server,
            *JOE_DESK,
            answer="uas_held_listening.xml",
            keys={"rtp_port": str(ear.port)},
        )
        sipp.run(
            "uac_hold_resume.xml",
            server,
            keys={"user": "11103", "dial": "11102"},
            auth=DULCINEA_DESK,
            pause_ms=3000,
        ).assert_success()
        joe.wait().assert_success()
        return ear.heard()
    finally:
        ear.close()


def test_the_party_put_on_hold_hears_music(phone_system: RunningServer, sipp: Sipp) -> None:
    """GS-5: while Dulcinea holds the call, Joe's phone gets the hold music from us (the
    Acoustic track until she chooses)."""
    heard = what_joe_hears_on_hold(phone_system, sipp)
    _, likeness = found_at(music_start(phone_system, seconds=2.0), heard)
    assert likeness >= 0.9, f"Joe heard the hold music ({likeness:.2f})"


def test_the_held_party_hears_the_holders_own_hold_music_at_her_volume(
    phone_system: RunningServer, sipp: Sipp, tmp_path: Path
) -> None:
    """GS-5: Dulcinea's own recording, chosen as her hold music at 50 % volume, is what
    Joe hears while she holds him, at half its level."""
    recording = speech_like(2.0, seed=55)
    wav = write_wav(tmp_path / "hold.wav", recording).read_bytes()
    acoustic = {"kind": "Music", "musicTrack": "acoustic", "volume": 100}
    with admin_api(phone_system) as api:
        dulcinea = f"/extension/{extension_id(api, '11103')}"
        uploaded = api.post(
            f"{dulcinea}/greeting",
            data={"type": "HoldMusic"},
            files={"binary": ("hold.wav", wav)},
        )
        uploaded.raise_for_status()
        api.put(f"{dulcinea}/hold-music", json={"volume": 50}).raise_for_status()
        try:
            heard = what_joe_hears_on_hold(phone_system, sipp)
        finally:
            api.put(f"{dulcinea}/hold-music", json=acoustic).raise_for_status()
    lag, likeness = found_at(recording, heard)
    assert likeness >= 0.9, f"Joe heard Dulcinea's recording ({likeness:.2f})"
    start = round(lag * 8000)
    part = heard[start : start + len(recording)]
    level = float(np.sqrt(np.mean(part**2)) / np.sqrt(np.mean(recording**2)))
    assert 0.4 <= level <= 0.6, f"at half its level ({level:.2f})"


def music_start(server: RunningServer, seconds: float) -> Samples:
    """The first seconds of the hold music, from the server's own prompt cache."""
    source = asyncio.run(PromptLibrary.in_data_dir(server.data_dir).music(MusicTrack.ACOUSTIC))
    frames = itertools.islice(source.frames(160), round(seconds / 0.02))
    return np.frombuffer(b"".join(frames), "<i2") / 32768


def test_the_called_phone_hangs_up(phone_system: RunningServer, sipp: Sipp) -> None:
    server = sip_address(phone_system)
    joe = sipp.phone(server, *JOE_DESK, answer="uas_hangs_up.xml", pause_ms=800)
    sipp.run(
        "uac_wait_bye.xml", server, keys={"user": "11103", "dial": "11102"}, auth=DULCINEA_DESK
    ).assert_success()
    joe.wait().assert_success()


def test_early_media_reaches_the_caller_through_the_anchored_media(
    phone_system: RunningServer, sipp: Sipp
) -> None:
    """A 183 with SDP from the called phone reaches the caller before the answer, with
    Telephonist's media address in it (the same one the 200 then confirms)."""
    server = sip_address(phone_system)
    joe = sipp.phone(server, *JOE_DESK, answer="uas_early_media.xml", pause_ms=800)
    call = sipp.run(
        "uac_call.xml", server, keys={"user": "11103", "dial": "11102"}, auth=DULCINEA_DESK
    )
    call.assert_success()
    joe_side = joe.wait()
    joe_side.assert_success()
    early = call.received("183")
    assert early, f"no early media reached the caller: {call.flow()}"
    early_audio = media_line(early[0].body)
    assert early_audio == media_line(call.received("200")[0].body)
    assert early_audio != media_line(joe_side.sent("183")[0].body), "media stays anchored"


def media_line(sdp: str) -> str:
    """The m=audio line of an SDP body."""
    return next(line for line in sdp.splitlines() if line.startswith("m=audio"))


def test_every_phone_of_the_extension_rings_and_the_first_answer_wins(
    phone_system: RunningServer, sipp: Sipp
) -> None:
    server = sip_address(phone_system)
    desk = sipp.phone(server, *HANK_DESK, answer="uas_no_answer.xml")
    soft = sipp.phone(server, *HANK_SOFT, pause_ms=300)
    sipp.run(
        "uac_call.xml", server, keys={"user": "11102", "dial": "11101"}, auth=JOE_DESK, pause_ms=500
    ).assert_success()
    soft.wait().assert_success()
    desk_side = desk.wait()
    desk_side.assert_success()
    assert desk_side.received("CANCEL"), "the phone that did not answer stops ringing"


def test_a_device_with_two_contacts_rings_on_both(phone_system: RunningServer, sipp: Sipp) -> None:
    """DEV-2: one device may hold several contacts (the same credentials on two ports)."""
    server = sip_address(phone_system)
    first = sipp.phone(server, *JOE_DESK, answer="uas_no_answer.xml")
    second = sipp.phone(server, *JOE_DESK, pause_ms=300)
    sipp.run(
        "uac_call.xml", server, keys={"user": "11103", "dial": "11102"}, auth=DULCINEA_DESK
    ).assert_success()
    second.wait().assert_success()
    first_side = first.wait()
    first_side.assert_success()
    assert first_side.received("CANCEL")


def test_a_phone_behind_nat_is_reached_at_its_real_address(
    phone_system: RunningServer, sipp: Sipp
) -> None:
    """The phone claims 127.0.0.99:5999 in Via and Contact (its private address); the
    INVITE must go where its REGISTER really came from (RFC 3581 rport)."""
    server = sip_address(phone_system)
    joe = sipp.phone(server, *JOE_DESK, claimed_address="127.0.0.99:5999")
    sipp.run(
        "uac_call.xml", server, keys={"user": "11103", "dial": "11102"}, auth=DULCINEA_DESK
    ).assert_success()
    joe_side = joe.wait()
    joe_side.assert_success()
    assert "127.0.0.99:5999" in str(joe_side.sent("REGISTER")[0].header("Contact"))


def test_tcp_keep_alive_pings_get_their_pong(phone_system: RunningServer) -> None:
    """NAT keep-alive on a connection (RFC 5626 §4.4.1): CRLF CRLF is answered with CRLF."""
    with socket.create_connection(sip_address(phone_system), timeout=3) as connection:
        connection.sendall(b"\r\n\r\n")
        assert connection.recv(16) == b"\r\n"


SCANNER_PROBE = (
    "OPTIONS sip:{host}:{port} SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK-{tag}\r\n"
    "From: <sip:100@{host}>;tag={tag}\r\nTo: <sip:100@{host}>\r\nCall-ID: {tag}\r\n"
    "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nUser-Agent: {agent}\r\nContent-Length: 0\r\n\r\n"
)


@pytest.mark.parametrize(
    ("agent", "answered"), [("friendly-scanner", False), ("Polycom VVX", True)]
)
def test_requests_from_scanners_are_dropped(
    phone_system: RunningServer, agent: str, answered: bool
) -> None:
    """What sipvicious sends (User-Agent friendly-scanner) gets no answer at all."""
    host, port = sip_address(phone_system)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        probe.settimeout(1.5)
        local = probe.getsockname()[1]
        tag = agent.replace(" ", "-")
        message = SCANNER_PROBE.format(host=host, port=port, local=local, tag=tag, agent=agent)
        probe.sendto(message.encode(), (host, port))
        try:
            reply = probe.recv(65535)
        except TimeoutError:
            reply = b""
    assert bool(reply) is answered


def test_the_api_logs_in_as_a_user_not_a_sip_device(phone_system: RunningServer) -> None:
    """SIP credentials are for phones only: they do not open the REST API."""
    response = httpx.post(
        f"{phone_system.url}/restapi/oauth/token",
        auth=DEMO_CLIENT,
        data={"grant_type": "password", "username": "11103", "password": "sip11103demo"},
    )
    assert response.status_code == 400
    assert PASSWORD not in response.text
