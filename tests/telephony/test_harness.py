"""The harness proves itself without Telephonist: SIPp and baresip peers talk to each other
on 127.0.0.1, so a failing acceptance test points at the server, not at the harness."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.support import RunningServer

from .audio import best_correlation, source_wav
from .baresip import BaresipPhones
from .peers import sip_address
from .sipp import Sipp

pytestmark = pytest.mark.sip

CALL = {"user": "1001", "dial": "1002"}
STUB_USER = "1001"
STUB_PASSWORD = "stub-secret"
STUB = {"user": STUB_USER, "password": STUB_PASSWORD}


def test_a_call_to_a_plain_uas_succeeds(sipp: Sipp) -> None:
    callee = sipp.start("uas_answer.xml", pause_ms=100)
    caller = sipp.run("uac_call.xml", callee.address, keys=CALL, pause_ms=200)
    caller.assert_success()
    callee.wait().assert_success()
    at = f"127.0.0.1:{callee.port}"
    assert caller.flow() == [
        f"-> INVITE sip:1002@{at} SIP/2.0",
        "<- SIP/2.0 100 Trying (INVITE)",
        "<- SIP/2.0 180 Ringing (INVITE)",
        "<- SIP/2.0 200 OK (INVITE)",
        f"-> ACK sip:{at} SIP/2.0",
        f"-> BYE sip:{at} SIP/2.0",
        "<- SIP/2.0 200 OK (BYE)",
    ]
    assert caller.logged("answer") == [f"m=audio {callee.port + 2} RTP/AVP 0 101"]


def test_a_caller_answers_a_digest_challenge_once(sipp: Sipp) -> None:
    carrier = sipp.start("trunk_uas.xml", variables={"challenge": "1"})
    call = sipp.run(
        "uac_call.xml",
        carrier.address,
        keys={"user": "+14092402117", "dial": "+14155550100"},
        auth=("telephonist", "trunk-secret"),
    )
    call.assert_success()
    carrier_side = carrier.wait()
    carrier_side.assert_success()
    assert [m.kind for m in call.messages[:4]] == ["INVITE", "401", "ACK", "INVITE"]
    invite = carrier_side.received("INVITE")[-1]
    assert invite.request_uri == f"sip:+14155550100@127.0.0.1:{carrier.port}"
    assert 'username="telephonist"' in (invite.header("Authorization") or "")


def test_refused_credentials_fail_the_call(sipp: Sipp) -> None:
    carrier = sipp.start("trunk_uas.xml", variables={"challenge": "1"})
    call = sipp.run("uac_call.xml", carrier.address, keys=CALL, auth=("telephonist", "wrong"))
    assert (call.returncode, call.successful, call.failed) == (1, 0, 1), call.report()
    assert call.received("403")
    assert carrier.wait().failed == 1


def test_a_caller_cancels_while_the_phone_rings(sipp: Sipp) -> None:
    callee = sipp.start("uas_no_answer.xml")
    caller = sipp.run("uac_cancel.xml", callee.address, keys=CALL, pause_ms=200)
    caller.assert_success()
    callee.wait().assert_success()
    assert [m.kind for m in caller.messages if m.sent] == ["INVITE", "CANCEL", "ACK"]
    assert caller.received("487")


@pytest.mark.parametrize(("expected", "succeeds"), [("486", True), ("404", False)])
def test_a_refusal_must_have_the_expected_code(sipp: Sipp, expected: str, succeeds: bool) -> None:
    callee = sipp.start("uas_busy.xml")
    caller = sipp.run(
        "uac_expect_reject.xml",
        callee.address,
        keys=CALL,
        variables={"expected_code": expected},
    )
    assert caller.ok is succeeds, caller.report()
    assert caller.logged("final") == ["486"]
    callee.wait().assert_success()


def test_the_far_end_hangs_up(sipp: Sipp) -> None:
    callee = sipp.start("uas_hangs_up.xml", pause_ms=200)
    caller = sipp.run("uac_wait_bye.xml", callee.address, keys=CALL)
    caller.assert_success()
    callee.wait().assert_success()
    bye = caller.received("BYE")[0]
    assert f"<{bye.request_uri}>" == caller.sent("INVITE")[0].header("Contact")


def test_hold_then_resume(sipp: Sipp) -> None:
    callee = sipp.start("uas_hold.xml")
    caller = sipp.run("uac_hold_resume.xml", callee.address, keys=CALL)
    caller.assert_success()
    callee_side = callee.wait()
    callee_side.assert_success()
    assert caller.logged("held") == ["a=recvonly"]
    assert callee_side.logged("hold") == ["a=sendonly"]


def test_registration_is_challenged_then_accepted_or_refused(sipp: Sipp) -> None:
    registrar = sipp.start("registrar_stub.xml", keys=STUB, calls=4)
    user = {"user": STUB_USER}
    accepted = sipp.run(
        "register.xml", registrar.address, keys=user, auth=(STUB_USER, STUB_PASSWORD)
    )
    accepted.assert_success()
    assert accepted.sent("REGISTER")[-1].header("Authorization")

    refused = sipp.run(
        "register_bad_password.xml",
        registrar.address,
        keys=user,
        variables={"expected_code": "403"},
        auth=(STUB_USER, "wrong"),
    )
    refused.assert_success()
    assert refused.logged("final") == ["403"]

    challenged = sipp.run("register_challenge_only.xml", registrar.address, keys={"user": "42"})
    challenged.assert_success()
    challenge = challenged.challenges()[0]
    assert (challenge["scheme"], challenge["realm"], challenge["algorithm"]) == (
        "Digest",
        "telephonist-test",
        "MD5",
    )
    assert challenged.logged("challenge")[0].startswith(' Digest realm="telephonist-test"')

    gone = sipp.run("unregister.xml", registrar.address, keys=user, auth=(STUB_USER, STUB_PASSWORD))
    gone.assert_success()
    assert gone.sent("REGISTER")[0].header("Contact") == "*"


def test_a_registered_phone_answers_then_unregisters(sipp: Sipp) -> None:
    registrar = sipp.start("registrar_stub.xml", keys=STUB)
    phone = sipp.phone(registrar.address, STUB_USER, STUB_PASSWORD, calls=1, expires=60)
    carrier = sipp.run(
        "trunk_uac.xml", phone.address, keys={"user": "+14155550100", "dial": STUB_USER}
    )
    carrier.assert_success()
    phone_side = phone.wait()
    phone_side.assert_success()
    assert [m.header("Expires") for m in phone_side.sent("REGISTER")] == ["60", "60", "0", "0"]
    invite = phone_side.received("INVITE")[0]
    assert invite.request_uri == f"sip:{STUB_USER}@127.0.0.1:{phone.port}"
    identity = carrier.sent("INVITE")[0].header("P-Asserted-Identity")
    assert invite.header("P-Asserted-Identity") == identity


def test_two_softphones_hear_each_other_and_get_dtmf(tmp_path: Path, phones: BaresipPhones) -> None:
    alice_says = source_wav(tmp_path / "alice.wav", seed=1, seconds=2)
    bob_says = source_wav(tmp_path / "bob.wav", seed=2, seconds=2)
    alice = phones.start("alice", alice_says)
    bob = phones.start("bob", bob_says, answermode="manual")
    alice.dial(bob.uri)
    bob.wait_for_event("CALL_INCOMING")
    bob.accept()
    alice.wait_for_event("CALL_ESTABLISHED")
    bob.wait_for_event("CALL_ESTABLISHED")
    time.sleep(2.2)
    alice.send_dtmf("123#")
    bob.wait_for_event("CALL_DTMF_END", count=4)
    alice.hangup()
    alice.wait_for_event("CALL_CLOSED")
    bob.wait_for_event("CALL_CLOSED")

    assert bob.dtmf_received() == "123#"
    assert best_correlation(alice_says, bob.recordings()[0]) >= 0.9
    assert best_correlation(bob_says, alice.recordings()[0]) >= 0.9
    assert best_correlation(alice_says, alice.recordings()[0]) < 0.3


def test_a_softphone_registers_with_digest(
    tmp_path: Path, sipp: Sipp, phones: BaresipPhones
) -> None:
    registrar = sipp.start("registrar_stub.xml", keys=STUB)
    phone = phones.start(
        STUB_USER,
        source_wav(tmp_path / "quiet.wav", seed=3),
        registrar=registrar.address,
        password=STUB_PASSWORD,
    )
    phone.registered()
    phone.stop()
    registers = registrar.stop().received("REGISTER")
    assert 'username="1001"' in (registers[1].header("Authorization") or "")
    assert (registers[-1].header("Contact") or "").endswith(";expires=0")


def test_a_softphone_dials_a_number_at_its_domain(
    tmp_path: Path, sipp: Sipp, phones: BaresipPhones
) -> None:
    callee = sipp.start("uas_answer.xml")
    phone = phones.start(
        "alice", source_wav(tmp_path / "alice.wav", seed=1), registrar=callee.address, regint=0
    )
    phone.dial("1002")
    phone.wait_for_event("CALL_ESTABLISHED")
    phone.hangup()
    phone.wait_for_event("CALL_CLOSED")
    callee_side = callee.wait()
    callee_side.assert_success()
    assert callee_side.received("INVITE")[0].request_uri == f"sip:1002@127.0.0.1:{callee.port}"


def test_a_built_in_scenario_runs(sipp: Sipp) -> None:
    callee = sipp.start("uas_answer.xml")
    sipp.run("uac", callee.address, service="1002").assert_success()
    callee_side = callee.wait()
    callee_side.assert_success()
    assert callee_side.received("INVITE")[0].request_uri == f"sip:1002@127.0.0.1:{callee.port}"


def test_each_call_takes_its_row_of_the_injection_file(tmp_path: Path, sipp: Sipp) -> None:
    scenario = tmp_path / "invite_from_field.xml"
    scenario.write_text(INVITE_FROM_FIELD)
    callee = sipp.start("uas_busy.xml", calls=2)
    caller = sipp.run(str(scenario), callee.address, calls=2, injection=[["2001"], ["2002"]])
    caller.assert_success(calls=2)
    callee.wait().assert_success(calls=2)
    senders = [m.header("From") or "" for m in caller.sent("INVITE")]
    assert [sender.split("@")[0] for sender in senders] == ["<sip:2001", "<sip:2002"]


def test_sip_address_is_the_servers_sip_port(tmp_path: Path) -> None:
    process = subprocess.Popen(["true", "--sip-port", "5099"])
    process.wait()
    server = RunningServer(tmp_path, 8080, process, tmp_path / "server.log")
    assert sip_address(server) == ("127.0.0.1", 5099)


INVITE_FROM_FIELD = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="invite from field">
  <send retrans="500">
    <![CDATA[

      INVITE sip:1002@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[field0]@[remote_ip]:[remote_port]>;tag=[call_number]
      To: <sip:1002@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Content-Length: 0

    ]]>
  </send>
  <recv response="100" optional="true" timeout="5000" />
  <recv response="486" timeout="5000" />
  <send>
    <![CDATA[

      ACK sip:1002@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      From: <sip:[field0]@[remote_ip]:[remote_port]>;tag=[call_number]
      To: <sip:1002@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Content-Length: 0

    ]]>
  </send>
</scenario>
"""
