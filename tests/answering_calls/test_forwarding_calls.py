"""Forwarding on real calls (CH-2..CH-5, GS-1..GS-3, issue 4): sequential forwarding rings
the desk phone for its ring time, cancels it, then rings the softphone; a busy phone
hands over at once; a caller who gives up cancels what rings; simultaneous rings both at
once; the connecting message comes before her phone rings (GS-3); her greeting, then
screening asks the caller's name and plays it to Dulcinea, who
accepts with 1 and talks, or sends the caller to voicemail with 2; the phone that answers
after a mobile's early media is heard; a custom rule for one caller forwards their calls
unconditionally to an outside number through the trunk, with a Diversion header naming
her number; her phone displays the caller's number or the one dialled; her mobile, on
the trunk, must type her PIN (SIP INFO) before the call is announced and connected.

SIPp plays the phones whose INVITEs are timed; baresip the people whose audio counts."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from telephonist.prompts.catalogue import PromptKind
from tests.answering_calls.conftest import CARRIER, AnsweringSettings, spoken
from tests.answering_calls.hearing import RtpEar, found_at, heard, voice_after
from tests.demo_data import DULCINEA
from tests.support import RunningServer
from tests.telephony.audio import RATE, Samples, load, speech_like
from tests.telephony.baresip import Baresip, BaresipPhones
from tests.telephony.peers import sip_address, wait_until
from tests.telephony.sipp import Sipp, SippPeer, SippResult

pytestmark = pytest.mark.sip

JOE_DESK = ("11102", "sip11102demo")
JOE_SOFT = ("11102s", "sip11102sdemo")
DULCINEA_DESK = ("11103", "sip11103demo")
DULCINEA_SOFT = ("11103s", "sip11103sdemo")
_TRACE_ENTRY = re.compile(r"^-{40,} (\S+ \S+)\n\w+ message (sent|received)[^\n]*\n\n([^\n]*)", re.M)


def received_at(result: SippResult, start_line: str) -> list[datetime]:
    """When SIPp received each message whose first line starts with ``start_line``
    (``"INVITE "``, ``"CANCEL "``), from the timestamps of its message trace."""
    trace = (result.work_dir / "messages.log").read_text(errors="replace")
    return [
        datetime.fromisoformat(moment)
        for moment, direction, first_line in _TRACE_ENTRY.findall(trace)
        if direction == "received" and first_line.startswith(start_line)
    ]


def files_open_for_writing(server: RunningServer, name_part: str) -> list[str]:
    """The files the server process holds open for writing whose path contains
    ``name_part`` (from /proc: the target of each descriptor and its access mode)."""
    process = Path(f"/proc/{server.process.pid}")
    found = []
    for descriptor in (process / "fd").iterdir():
        try:
            target = os.readlink(descriptor)
            info = (process / "fdinfo" / descriptor.name).read_text()
        except OSError:
            continue  # closed meanwhile
        flags = int(info.split("flags:")[1].split()[0], 8)
        if name_part in target and flags & os.O_ACCMODE != os.O_RDONLY:
            found.append(target)
    return found


def forward_to(*steps: tuple[int, list[str]], mode: str, screening: str = "Off") -> dict[str, Any]:
    """A ForwardCalls rule: each step's ring count (1 ring = 5 s) and phone ids."""
    return {
        "callHandlingAction": "ForwardCalls",
        "forwarding": {
            "ringingMode": mode,
            "rules": [
                {
                    "index": index,
                    "ringCount": rings,
                    "forwardingNumbers": [{"id": phone} for phone in phones],
                }
                for index, (rings, phones) in enumerate(steps, start=1)
            ],
        },
        "screening": screening,
    }


def joe_calls_dulcinea(server: RunningServer, sipp: Sipp) -> SippResult:
    """Joe's desk phone calls 11103 and hangs up half a second after an answer."""
    return sipp.run(
        "uac_call.xml",
        sip_address(server),
        keys={"user": JOE_DESK[0], "dial": "11103"},
        auth=JOE_DESK,
        pause_ms=500,
        timeout=40,
    )


def her_phones(
    server: RunningServer, sipp: Sipp, *, desk: str, soft: str
) -> tuple[SippPeer, SippPeer]:
    """Her desk phone and softphone as SIPp phones answering with the given scenarios."""
    address = sip_address(server)
    return (
        sipp.phone(address, *DULCINEA_DESK, answer=desk, wait_ms=40000, pause_ms=500),
        sipp.phone(address, *DULCINEA_SOFT, answer=soft, wait_ms=40000, pause_ms=500),
    )


def desk_then_softphone(dulcinea: AnsweringSettings, desk: int, soft: int, mode: str) -> None:
    """Both her rules: her desk phone for ``desk`` rings, then her softphone for ``soft``."""
    dulcinea.both_rules(
        forward_to(
            (desk, [dulcinea.phone("Desk Phone")]),
            (soft, [dulcinea.phone("Softphone")]),
            mode=mode,
        )
    )


def joe_rings_her_phones(
    server: RunningServer, sipp: Sipp, *, desk: str, soft: str
) -> tuple[SippResult, SippResult]:
    """Joe calls her while her phones answer with these scenarios; what each phone got."""
    desk_phone, softphone = her_phones(server, sipp, desk=desk, soft=soft)
    joe_calls_dulcinea(server, sipp).assert_success()
    desk_rang, soft_rang = desk_phone.wait(), softphone.wait()
    desk_rang.assert_success()
    soft_rang.assert_success()
    return desk_rang, soft_rang


def test_sequential_forwarding_rings_the_desk_phone_then_the_softphone(
    answering_system: RunningServer, dulcinea: AnsweringSettings, sipp: Sipp
) -> None:
    """The desk phone for 1 ring (5 s), then the softphone, which answers."""
    desk_then_softphone(dulcinea, 1, 4, "Sequentially")
    desk_rang, soft_rang = joe_rings_her_phones(
        answering_system, sipp, desk="uas_no_answer.xml", soft="uas_answer.xml"
    )
    [desk_invite] = received_at(desk_rang, "INVITE ")
    [desk_cancel] = received_at(desk_rang, "CANCEL ")
    [soft_invite] = received_at(soft_rang, "INVITE ")
    assert 4.0 <= (desk_cancel - desk_invite).total_seconds() <= 6.5, "one ring, then cancelled"
    assert 4.0 <= (soft_invite - desk_invite).total_seconds() <= 7.0, "then the softphone"


def test_simultaneous_forwarding_rings_both_phones_at_once(
    answering_system: RunningServer, dulcinea: AnsweringSettings, sipp: Sipp
) -> None:
    desk_then_softphone(dulcinea, 1, 4, "Simultaneously")
    # the softphone's scenario succeeds when it is cancelled once the desk phone answered
    desk_rang, soft_rang = joe_rings_her_phones(
        answering_system, sipp, desk="uas_answer.xml", soft="uas_no_answer.xml"
    )
    [desk_invite] = received_at(desk_rang, "INVITE ")
    [soft_invite] = received_at(soft_rang, "INVITE ")
    assert abs((soft_invite - desk_invite).total_seconds()) < 0.5, "both ring together"


def test_a_busy_desk_phone_passes_the_call_to_the_next_step_at_once(
    answering_system: RunningServer, dulcinea: AnsweringSettings, sipp: Sipp
) -> None:
    """A busy phone does not hold the sequence for its ring time."""
    desk_then_softphone(dulcinea, 4, 4, "Sequentially")
    desk_rang, soft_rang = joe_rings_her_phones(
        answering_system, sipp, desk="uas_busy.xml", soft="uas_answer.xml"
    )
    [desk_invite] = received_at(desk_rang, "INVITE ")
    [soft_invite] = received_at(soft_rang, "INVITE ")
    assert (soft_invite - desk_invite).total_seconds() < 1.0


def test_a_caller_who_gives_up_cancels_the_phone_that_rings(
    answering_system: RunningServer, dulcinea: AnsweringSettings, sipp: Sipp
) -> None:
    """Joe hangs up while the second step rings: the softphone gets a CANCEL, Joe his
    487, and her call log shows a missed call."""
    desk_then_softphone(dulcinea, 1, 4, "Sequentially")
    desk, soft = her_phones(
        answering_system, sipp, desk="uas_no_answer.xml", soft="uas_no_answer.xml"
    )
    sipp.run(
        "uac_cancel.xml",
        sip_address(answering_system),
        keys={"user": JOE_DESK[0], "dial": "11103"},
        auth=JOE_DESK,
        pause_ms=7000,
    ).assert_success()
    desk.wait().assert_success()
    soft.wait().assert_success()
    wait_until(
        lambda: dulcinea.get("call-log", perPage=1)["records"][0]["result"] == "Missed",
        5,
        "her call log to show the missed call",
    )


def screened_call(
    server: RunningServer, dulcinea: AnsweringSettings, phones: BaresipPhones, tmp_path: Path
) -> tuple[Baresip, Baresip, Samples]:
    """Her greeting (GS-1, the default one), then screening "always", on her softphone
    only; Joe calls and says his name after the question. Returns Joe's phone, hers, and
    her words (said 8 s after she answers), once she has heard his name in the offer."""
    rule = forward_to((4, [dulcinea.phone("Softphone")]), mode="Sequentially", screening="Always")
    dulcinea.both_rules(rule | {"greetings": [{"type": "Introductory", "preset": {"id": "101"}}]})
    welcome = spoken(server, PromptKind.USER_GREETING, name="Dulcinea Dunn")
    asked = spoken(server, PromptKind.SCREENING_ASK_NAME)
    name = speech_like(1.5, 51)
    her_words = speech_like(2.0, 52)
    registrar = sip_address(server)
    lead = (len(welcome) + len(asked)) / RATE + 1.0  # and the beep
    joe_source = voice_after(tmp_path / "joe.wav", lead, name, tail=40)
    her_source = voice_after(tmp_path / "dulcinea.wav", 8.0, her_words)
    her = phones.start(DULCINEA_SOFT[0], her_source, registrar=registrar, password=DULCINEA_SOFT[1])
    joe = phones.start(JOE_SOFT[0], joe_source, registrar=registrar, password=JOE_SOFT[1])
    her.registered()
    joe.registered()
    joe.dial("11103")
    joe.wait_for_event("CALL_ESTABLISHED", timeout=15)  # answered by the screening
    her.wait_for_event("CALL_ESTABLISHED", timeout=20)  # once his name is recorded
    wait_until(lambda: heard(name, her), 15, "Dulcinea to hear Joe's name", interval=0.3)
    return joe, her, her_words


def test_screening_plays_the_callers_name_and_1_connects(
    answering_system: RunningServer,
    dulcinea: AnsweringSettings,
    phones: BaresipPhones,
    tmp_path: Path,
) -> None:
    """GS-1 and GS-2 "always": Joe hears her greeting, is asked his name and says it;
    Dulcinea's softphone answers, hears the offer with his recorded name, presses 1, and
    they hear each other."""
    joe, her, her_words = screened_call(answering_system, dulcinea, phones, tmp_path)
    her.send_dtmf("1")
    wait_until(lambda: heard(her_words, joe), 20, "Joe to hear Dulcinea", interval=0.3)
    joe.hangup()
    joe.wait_for_event("CALL_CLOSED")
    her.wait_for_event("CALL_CLOSED")
    heard_first = joe.recordings()[0]
    welcome = spoken(answering_system, PromptKind.USER_GREETING, name="Dulcinea Dunn")
    welcomed_at, welcomed = found_at(welcome, heard_first)
    assert welcomed >= 0.9, f"Joe heard her greeting in French ({welcomed:.2f})"
    asked = spoken(answering_system, PromptKind.SCREENING_ASK_NAME)
    asked_at, likeness = found_at(asked, heard_first)
    assert likeness >= 0.9, f"then he was asked his name ({likeness:.2f})"
    assert welcomed_at < asked_at
    assert not list(answering_system.data_dir.glob("screened-*")), "his name is not kept"
    assert files_open_for_writing(answering_system, "screened-") == [], "nor left open"


def test_the_connecting_message_comes_before_her_phone_rings(
    answering_system: RunningServer,
    dulcinea: AnsweringSettings,
    phones: BaresipPhones,
    tmp_path: Path,
) -> None:
    """GS-3: with the connecting message on, Joe is answered and hears "Veuillez patienter
    pendant que j'essaie de vous mettre en relation" before her softphone rings; then they
    talk."""
    rule = forward_to((4, [dulcinea.phone("Softphone")]), mode="Sequentially")
    dulcinea.both_rules(
        rule | {"greetings": [{"type": "ConnectingMessage", "preset": {"id": "201"}}]}
    )
    connecting = spoken(answering_system, PromptKind.CONNECTING)
    her_words = speech_like(2.0, 53)
    registrar = sip_address(answering_system)
    her_source = voice_after(tmp_path / "dulcinea.wav", 2.0, her_words)
    joe_source = voice_after(tmp_path / "joe.wav", 30.0, speech_like(0.5, 54))
    her = phones.start(DULCINEA_SOFT[0], her_source, registrar=registrar, password=DULCINEA_SOFT[1])
    joe = phones.start(JOE_SOFT[0], joe_source, registrar=registrar, password=JOE_SOFT[1])
    her.registered()
    joe.registered()
    joe.dial("11103")
    joe.wait_for_event("CALL_ESTABLISHED", timeout=15)  # answered, for the message
    her.wait_for_event("CALL_ESTABLISHED", timeout=20)
    wait_until(lambda: heard(her_words, joe), 20, "Joe to hear Dulcinea", interval=0.3)
    joe.hangup()
    joe.wait_for_event("CALL_CLOSED")
    her.wait_for_event("CALL_CLOSED")
    heard_all = np.concatenate([load(recording) for recording in joe.recordings()])
    said_at, likeness = found_at(connecting, heard_all)
    assert likeness >= 0.9, f"Joe heard the connecting message in French ({likeness:.2f})"
    spoke_at, _ = found_at(her_words, heard_all)
    assert said_at + len(connecting) / RATE < spoke_at, "before she answered"


def test_screening_2_sends_the_caller_to_voicemail(
    answering_system: RunningServer,
    dulcinea: AnsweringSettings,
    phones: BaresipPhones,
    tmp_path: Path,
) -> None:
    """She presses 2: her phone is hung up on and Joe hears her voicemail greeting."""
    joe, her, _ = screened_call(answering_system, dulcinea, phones, tmp_path)
    her.send_dtmf("2")
    her.wait_for_event("CALL_CLOSED", timeout=5)
    greeting = spoken(answering_system, PromptKind.VOICEMAIL_GREETING, name="Dulcinea Dunn")
    wait_until(lambda: heard(greeting, joe), 15, "Joe to hear her greeting", interval=0.3)
    joe.hangup()
    joe.wait_for_event("CALL_CLOSED")


def test_a_custom_rule_forwards_one_callers_calls_out_through_the_trunk(
    answering_system: RunningServer,
    dulcinea: AnsweringSettings,
    carrier: SippPeer,
    sipp: Sipp,
) -> None:
    """CH-4 + CH-3: calls from +1 212 555 0123 go to her mobile, unconditionally; the
    carrier gets them with the caller's number and her number as the diverting one."""
    dulcinea.post(
        "answering-rule",
        {
            "type": "Custom",
            "name": "Big customer to my mobile",
            "callers": [{"callerId": "+1 212 555 0123"}],
            "callHandlingAction": "UnconditionalForwarding",
            "unconditionalForwarding": {"phoneNumber": "+16505550199"},
        },
    )
    sipp.start(
        "trunk_uac.xml",
        sip_address(answering_system),
        keys={"user": "+12125550123", "dial": DULCINEA[0]},
        local_ip=CARRIER,
        pause_ms=300,
    ).wait().assert_success()
    forwarded = carrier.wait()
    forwarded.assert_success()
    [invite] = forwarded.received("INVITE")
    assert (invite.request_uri or "").startswith("sip:+16505550199@")
    assert "+12125550123" in (invite.header("P-Asserted-Identity") or "")
    diversion = invite.header("Diversion") or ""
    assert "+14092402117" in diversion and "reason=unconditional" in diversion


def test_the_phone_that_answers_after_a_mobile_with_early_media_is_heard(
    answering_system: RunningServer,
    dulcinea: AnsweringSettings,
    trunk_to: Callable[[SippPeer], None],
    phones: BaresipPhones,
    sipp: Sipp,
    tmp_path: Path,
) -> None:
    """Sequential forwarding: her mobile first (through the trunk; its network answers
    183 with SDP, early media in PCMU, and nobody answers), then her softphone, which
    answers in PCMA: she and Joe hear each other, the media following the phone that
    answered rather than the mobile's early media."""
    mobile = sipp.start("uas_early_media_no_answer.xml", local_ip=CARRIER, timeout=60)
    trunk_to(mobile)
    her_mobile = dulcinea.post(
        "forwarding-number", {"phoneNumber": "+16505550199", "label": "Mobile", "type": "Mobile"}
    )
    dulcinea.both_rules(
        forward_to(
            (1, [str(her_mobile["id"])]),
            (4, [dulcinea.phone("Softphone")]),
            mode="Sequentially",
        )
    )
    joe_words = speech_like(2.0, 54)
    her_words = speech_like(2.0, 55)
    registrar = sip_address(answering_system)
    joe_source = voice_after(tmp_path / "joe.wav", 8.0, joe_words, tail=30)
    her_source = voice_after(tmp_path / "dulcinea.wav", 1.5, her_words)
    her = phones.start(
        DULCINEA_SOFT[0],
        her_source,
        registrar=registrar,
        password=DULCINEA_SOFT[1],
        codecs="PCMA",
    )
    joe = phones.start(JOE_SOFT[0], joe_source, registrar=registrar, password=JOE_SOFT[1])
    her.registered()
    joe.registered()
    try:
        joe.dial("11103")
        her.wait_for_event("CALL_ESTABLISHED", timeout=15)  # after the mobile's ring
        wait_until(lambda: heard(her_words, joe), 10, "Joe to hear Dulcinea", interval=0.3)
        wait_until(lambda: heard(joe_words, her), 10, "Dulcinea to hear Joe", interval=0.3)
        joe.hangup()
        her.wait_for_event("CALL_CLOSED")
    finally:
        dulcinea.api.delete(dulcinea.path(f"forwarding-number/{her_mobile['id']}"))
    mobile.wait().assert_success()  # early media, then cancelled


def test_her_phone_shows_the_number_that_was_dialled_when_she_asks(
    answering_system: RunningServer,
    dulcinea: AnsweringSettings,
    carrier: SippPeer,
    sipp: Sipp,
) -> None:
    """CH-5 "number displayed to me": the caller's number by default, her own direct
    number (the one the caller dialled) when she chose it."""
    desk = sipp.phone(sip_address(answering_system), *DULCINEA_DESK, calls=2, pause_ms=200)
    for displayed in ("IncomingCallerId", "CalledNumber"):
        dulcinea.put("incoming-call-info", {"displayedNumber": displayed})
        sipp.start(
            "trunk_uac.xml",
            sip_address(answering_system),
            keys={"user": "+12125550123", "dial": DULCINEA[0]},
            local_ip=CARRIER,
            pause_ms=300,
        ).wait().assert_success()
    rang = desk.wait()
    rang.assert_success(calls=1)
    shown = [invite.header("From") or "" for invite in rang.received("INVITE")]
    assert "+12125550123" in shown[0] and "+14092402117" in shown[1], shown


@pytest.mark.parametrize(
    ("pin", "connected"),
    [pytest.param("591738", True, id="her PIN"), pytest.param("111111", False, id="wrong PIN")],
)
def test_her_mobile_asks_for_her_pin_then_announces_the_call(
    answering_system: RunningServer,
    dulcinea: AnsweringSettings,
    trunk_to: Callable[[SippPeer], None],
    sipp: Sipp,
    pin: str,
    connected: bool,
) -> None:
    """CH-5 on a phone outside the system (her mobile, through the trunk): it is asked
    for her PIN; with it, "Dulcinea Dunn, vous avez un appel." and Joe is connected;
    with another PIN, the mobile is hung up on and Joe reaches her voicemail instead
    (he hangs up during the greeting: a missed call). The mobile types by SIP INFO."""
    mobile = dulcinea.post(
        "forwarding-number", {"phoneNumber": "+16505550199", "label": "Mobile", "type": "Mobile"}
    )["id"]
    ear = RtpEar(CARRIER)
    try:
        dulcinea.both_rules(forward_to((3, [str(mobile)]), mode="Sequentially"))
        dulcinea.put("incoming-call-info", {"announce": True, "requirePin": True})
        digits = {f"d{position}": digit for position, digit in enumerate(pin, start=1)}
        phone = sipp.start(
            "trunk_uas_pin.xml",
            local_ip=CARRIER,
            keys={"rtp_port": str(ear.port), **digits},
            timeout=60,
        )
        trunk_to(phone)
        joe = sipp.start(
            "uac_call.xml",
            sip_address(answering_system),
            keys={"user": JOE_DESK[0], "dial": "11103"},
            auth=JOE_DESK,
            pause_ms=1500,
            timeout=40,
        )
        joe.wait().assert_success()
        phone.wait().assert_success()
        heard_there = ear.heard()
    finally:
        ear.close()
        dulcinea.api.delete(dulcinea.path(f"forwarding-number/{mobile}")).raise_for_status()
    _, asked = found_at(spoken(answering_system, PromptKind.ENTER_PIN), heard_there)
    assert asked >= 0.9, f"the mobile was asked for her PIN ({asked:.2f})"
    announcement = spoken(answering_system, PromptKind.CALL_ANNOUNCEMENT, name="Dulcinea Dunn")
    _, announced = found_at(announcement, heard_there)
    assert (announced >= 0.9) is connected, f"the call announced ({announced:.2f})"
    [row] = dulcinea.get("call-log", perPage=1)["records"]
    assert row["result"] == ("Accepted" if connected else "Missed"), "he reached her voicemail"
