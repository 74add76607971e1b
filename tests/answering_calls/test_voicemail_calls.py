"""Voicemail on real calls (VM-1, VM-2, VM-5, PRE-1, issue 4): a caller hears Dulcinea's
greeting in French and the beep, and what they say is the message the API and the portal
show, with its length and its audio; a message the server was recording when it was
killed keeps what was said; "do not accept any calls" sends callers straight to
voicemail without ringing her phone; she listens to her message by phone with her PIN and
deletes it with 7; * during her greeting opens her mailbox from any phone; and her
messages go to the recipient she chose.

Joe's softphone (baresip) is the caller: it plays a test voice after a silence as long as
what the server says first, and records what it hears."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from ringcentral import SDK

from telephonist.prompts.catalogue import PromptKind
from telephonist.prompts.library import Say
from tests.answering_calls.conftest import AnsweringSettings, spoken, spoken_together
from tests.answering_calls.hearing import found_at, heard, voice_after
from tests.calls.conftest import admin_api, extension_id
from tests.demo_data import DEMO_CLIENT, DULCINEA, PASSWORD, PIN
from tests.support import PortalBrowser, RunningServer
from tests.telephony.audio import (
    RATE,
    Samples,
    best_correlation,
    dominant_frequency,
    load,
    silence,
    speech_like,
)
from tests.telephony.baresip import Baresip, BaresipPhones
from tests.telephony.peers import sip_address, wait_until
from tests.telephony.sipp import Sipp

pytestmark = pytest.mark.sip

JOE_SOFT = ("11102s", "sip11102sdemo")
DULCINEA_SOFT = ("11103s", "sip11103sdemo")
HANK_SOFT = ("11101s", "sip11101sdemo")
STORE = "/restapi/v1.0/account/~/extension/~/message-store"
BEEP_SECONDS = 0.5
BREATH = 1.0
"""Silence a caller leaves after the beep before speaking."""


def greeting_of_dulcinea(server: RunningServer) -> Samples:
    return spoken(server, PromptKind.VOICEMAIL_GREETING, name="Dulcinea Dunn")


def calling_dulcinea(server: RunningServer, phones: BaresipPhones, source: Path) -> Baresip:
    """Joe's softphone playing ``source``, calling 11103, once answered by the server."""
    joe = phones.start(JOE_SOFT[0], source, registrar=sip_address(server), password=JOE_SOFT[1])
    joe.registered()
    joe.dial("11103")
    joe.wait_for_event("CALL_ESTABLISHED", timeout=15)
    return joe


def leave_message(
    server: RunningServer, phones: BaresipPhones, tmp_path: Path, seed: int, seconds: float
) -> tuple[Samples, Baresip]:
    """Joe says ``seconds`` of ``seed``'s speech after the greeting and the beep, then
    presses #; returns what he said and his phone once the server has hung up."""
    greeting = greeting_of_dulcinea(server)
    said = speech_like(seconds, seed)
    lead = len(greeting) / RATE + BEEP_SECONDS + BREATH
    joe = calling_dulcinea(server, phones, voice_after(tmp_path / "joe.wav", lead, said))
    time.sleep(lead + len(said) / RATE + 0.5)
    joe.send_dtmf("#")
    joe.wait_for_event("CALL_CLOSED", timeout=20)  # "message recorded", then we hang up
    return said, joe


def test_a_caller_hears_the_french_greeting_and_leaves_a_voicemail(
    answering_system: RunningServer,
    dulcinea: AnsweringSettings,
    phones: BaresipPhones,
    tmp_path: Path,
) -> None:
    """No phone of hers is registered: the demo rule goes straight to voicemail."""
    said, joe = leave_message(answering_system, phones, tmp_path, seed=41, seconds=3.0)

    recording = load(joe.recordings()[0])
    greeting = greeting_of_dulcinea(answering_system)
    starts, likeness = found_at(greeting, recording)
    assert likeness >= 0.9, f"Joe heard the French greeting ({likeness:.2f})"
    beep_at = round((starts + len(greeting) / RATE + 0.1) * RATE)
    beep = recording[beep_at : beep_at + round(0.3 * RATE)]
    assert abs(dominant_frequency(beep) - 1000) < 20, "then the beep"

    platform = SDK(DEMO_CLIENT[0], DEMO_CLIENT[1], answering_system.url).platform()
    platform.login(username=DULCINEA[0], extension=DULCINEA[1], password=PASSWORD)
    try:
        [message] = platform.get(STORE).json_dict()["records"]
        assert message["from"] == {"extensionNumber": "11102", "name": "Joe Hall"}
        assert message["readStatus"] == "Unread"
        [attachment] = message["attachments"]
        spoke = BREATH + len(said) / RATE + 0.5
        assert abs(attachment["vmDuration"] - spoke) <= 1.5, attachment
        audio = tmp_path / "message.wav"
        audio.write_bytes(platform.get(attachment["uri"]).body())
        assert best_correlation(said, audio) >= 0.9, "the message is what Joe said"
    finally:
        platform.logout()

    [logged] = dulcinea.get("call-log", perPage=1)["records"]
    assert (logged["from"]["extensionNumber"], logged["result"]) == ("11102", "Voicemail")

    portal = PortalBrowser(answering_system.url)
    portal.sign_in(DULCINEA[0], PASSWORD, DULCINEA[1])
    inbox = portal.get("/messages").text
    assert f'data-message-id="{message["id"]}"' in inbox
    assert "Joe Hall" in inbox


def test_a_voicemail_cut_by_a_crash_keeps_what_was_said(
    answering_system: RunningServer,
    dulcinea: AnsweringSettings,
    phones: BaresipPhones,
    tmp_path: Path,
) -> None:
    """kill -9 while Joe speaks: after the restart the message is there, with the audio
    said before the kill (ARCHITECTURE.md principle 5)."""
    greeting = greeting_of_dulcinea(answering_system)
    said = speech_like(6.0, 42)
    lead = len(greeting) / RATE + BEEP_SECONDS + BREATH
    joe = calling_dulcinea(answering_system, phones, voice_after(tmp_path / "joe.wav", lead, said))
    time.sleep(lead + 3.0)
    answering_system.restart(crash=True)
    joe.hangup()
    joe.wait_for_event("CALL_CLOSED")

    wait_until(lambda: len(dulcinea.voicemails()) == 1, 10, "the message after the restart")
    [message] = dulcinea.voicemails()
    [attachment] = message["attachments"]
    assert abs(attachment["vmDuration"] - (BREATH + 3.0)) <= 1.5, attachment
    download = dulcinea.api.get(attachment["uri"])
    audio = tmp_path / "message.wav"
    audio.write_bytes(download.content)
    before_the_kill = said[: round(2.5 * RATE)]
    _, likeness = found_at(before_the_kill, audio)
    assert likeness >= 0.9, f"the message holds what was said before the kill ({likeness:.2f})"


def test_do_not_accept_any_calls_sends_callers_straight_to_voicemail(
    answering_system: RunningServer,
    dulcinea: AnsweringSettings,
    phones: BaresipPhones,
    sipp: Sipp,
    tmp_path: Path,
) -> None:
    """PRE-1 red: her registered desk phone gets no INVITE; the caller is answered by the
    voicemail greeting at once."""
    dulcinea.put("presence", {"dndStatus": "DoNotAcceptAnyCalls"})
    desk = sipp.phone(
        sip_address(answering_system), "11103", "sip11103demo", calls=0, wait_ms=60000
    )
    greeting = greeting_of_dulcinea(answering_system)
    joe = calling_dulcinea(
        answering_system, phones, voice_after(tmp_path / "joe.wav", 30, silence(0))
    )
    time.sleep(len(greeting) / RATE + 1.0)
    joe.hangup()
    joe.wait_for_event("CALL_CLOSED")
    started, likeness = found_at(greeting, joe.recordings()[0])
    assert likeness >= 0.9, f"Joe heard her voicemail greeting ({likeness:.2f})"
    assert started < 1.0, "at once, without ringing first"
    assert not desk.stop().received("INVITE"), "her phone did not ring"


def test_she_listens_to_her_message_by_phone_and_deletes_it_with_7(
    answering_system: RunningServer,
    dulcinea: AnsweringSettings,
    phones: BaresipPhones,
    tmp_path: Path,
) -> None:
    """VM-5: dialling her own extension from her softphone, the PIN, then the message
    plays (announced by who left it); 7 moves it to Deleted."""
    said, _ = leave_message(answering_system, phones, tmp_path, seed=43, seconds=1.5)
    [message] = dulcinea.voicemails()

    quiet = voice_after(tmp_path / "dulcinea.wav", 60, silence(0))
    her = phones.start(
        DULCINEA_SOFT[0],
        quiet,
        registrar=sip_address(answering_system),
        password=DULCINEA_SOFT[1],
    )
    her.registered()
    her.dial("11103")
    her.wait_for_event("CALL_ESTABLISHED", timeout=15)
    time.sleep(1.0)
    her.send_dtmf(f"{PIN}#")

    wait_until(lambda: heard(said, her), 30, "the message to play", interval=0.5)
    her.send_dtmf("7")
    wait_until(
        lambda: dulcinea.get(f"message-store/{message['id']}")["availability"] == "Deleted",
        10,
        "the message to be deleted",
    )
    her.hangup()
    her.wait_for_event("CALL_CLOSED")
    assert dulcinea.voicemails() == [], "no message left in her inbox"
    announced = spoken(answering_system, PromptKind.MESSAGE_FROM, caller="Joe Hall")
    announced_at, likeness = found_at(announced, her.recordings()[0])
    assert likeness >= 0.9, f"the message was announced as Joe's ({likeness:.2f})"
    assert announced_at < found_at(said, her.recordings()[0])[0]


def test_star_during_her_greeting_opens_her_mailbox_after_the_pin(
    answering_system: RunningServer,
    dulcinea: AnsweringSettings,
    phones: BaresipPhones,
    tmp_path: Path,
) -> None:
    """VM-5 from any phone: * during the greeting, then her PIN, then the mailbox says
    how many messages wait."""
    joe = calling_dulcinea(
        answering_system, phones, voice_after(tmp_path / "joe.wav", 30, silence(0))
    )
    time.sleep(1.5)
    joe.send_dtmf("*")
    time.sleep(1.0)
    joe.send_dtmf(f"{PIN}#")
    summary = spoken_together(
        answering_system,
        Say(PromptKind.NEW_MESSAGES, {"count": 0}),
        Say(PromptKind.SAVED_MESSAGES, {"count": 0}),
    )

    wait_until(
        lambda: heard(summary, joe), 15, "the mailbox to say how many messages wait", interval=0.3
    )
    joe.hangup()
    joe.wait_for_event("CALL_CLOSED")
    recording = joe.recordings()[0]
    greeting_at, _ = found_at(greeting_of_dulcinea(answering_system), recording)
    asked_for_pin = spoken(answering_system, PromptKind.ENTER_PIN)[: round(0.8 * RATE)]
    pin_at, likeness = found_at(asked_for_pin, recording)  # the PIN's first key cut it short
    assert likeness >= 0.9, f"* asked for the PIN ({likeness:.2f})"
    assert greeting_at < pin_at < greeting_at + 3.0, "at once, cutting the greeting short"


def test_her_messages_go_to_the_recipient_she_chose(
    answering_system: RunningServer,
    dulcinea: AnsweringSettings,
    phones: BaresipPhones,
    tmp_path: Path,
) -> None:
    """VM-2: with Joe's extension as her message recipient, what Hank says after her
    greeting is in Joe's mailbox, addressed to her."""
    joe_id = extension_id(dulcinea.api, "11102")
    dulcinea.both_rules({"voicemail": {"enabled": True, "recipient": {"id": joe_id}}})
    greeting = greeting_of_dulcinea(answering_system)
    said = speech_like(2.0, 44)
    lead = len(greeting) / RATE + BEEP_SECONDS + BREATH
    hank = phones.start(
        HANK_SOFT[0],
        voice_after(tmp_path / "hank.wav", lead, said),
        registrar=sip_address(answering_system),
        password=HANK_SOFT[1],
    )
    hank.registered()
    hank.dial("11103")
    hank.wait_for_event("CALL_ESTABLISHED", timeout=15)
    time.sleep(lead + len(said) / RATE + 0.5)
    hank.hangup()
    hank.wait_for_event("CALL_CLOSED")

    assert dulcinea.voicemails() == [], "nothing in her own mailbox"
    joes = AnsweringSettings(dulcinea.api, joe_id)
    try:
        wait_until(lambda: len(joes.voicemails()) == 1, 5, "the message in Joe's mailbox")
        [message] = joes.voicemails()
        assert message["from"] == {"extensionNumber": "11101", "name": "Hank Hillos"}
        assert message["to"] == [{"extensionNumber": "11103", "name": "Dulcinea Dunn"}]
        audio = tmp_path / "message.wav"
        audio.write_bytes(dulcinea.api.get(message["attachments"][0]["uri"]).content)
        assert best_correlation(said, audio) >= 0.9
    finally:
        for left in joes.voicemails():
            path = joes.path(f"message-store/{left['id']}")
            dulcinea.api.delete(path, params={"purge": "true"})


def test_a_message_only_extension_takes_messages_in_the_company_language(
    answering_system: RunningServer, phones: BaresipPhones, tmp_path: Path
) -> None:
    """EXT-1: 11011 answers every call with its greeting (French, the account's greeting
    language) and keeps what the caller says in its own mailbox."""
    greeting = spoken(answering_system, PromptKind.VOICEMAIL_GREETING, name="Message-only Ext")
    said = speech_like(2.0, 43)
    lead = len(greeting) / RATE + BEEP_SECONDS + BREATH
    joe = phones.start(
        JOE_SOFT[0],
        voice_after(tmp_path / "joe.wav", lead, said),
        registrar=sip_address(answering_system),
        password=JOE_SOFT[1],
    )
    joe.registered()
    joe.dial("11011")
    joe.wait_for_event("CALL_ESTABLISHED", timeout=15)
    time.sleep(lead + len(said) / RATE + 0.5)
    joe.send_dtmf("#")
    joe.wait_for_event("CALL_CLOSED", timeout=20)
    _, likeness = found_at(greeting, load(joe.recordings()[0]))
    assert likeness >= 0.9, f"Joe heard the message-only greeting ({likeness:.2f})"

    with admin_api(answering_system) as api:
        mailbox = extension_id(api, "11011")
        [message] = api.get(f"/extension/{mailbox}/message-store").json()["records"]
        assert message["from"]["extensionNumber"] == "11102"
        [attachment] = message["attachments"]
        audio = tmp_path / "message.wav"
        audio.write_bytes(api.get(attachment["uri"]).content)
        assert best_correlation(said, audio) >= 0.9
        api.delete(f"/extension/{mailbox}/message-store/{message['id']}", params={"purge": "true"})
