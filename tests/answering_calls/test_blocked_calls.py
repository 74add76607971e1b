"""Blocked calls from the carrier (BLK-2..BLK-5, issue 4): a caller on Dulcinea's block
list, calling from a pay phone while she blocks pay phones, without caller ID while she
blocks those, or that the carrier could not verify (STIR/SHAKEN ``verstat``) while she
sends robocalls a message, is answered, hears the message for their case in her language
(the RTP the carrier receives is compared with the prompt), and is hung up on; her call
log says Blocked and her phone never rings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from telephonist.prompts.catalogue import PromptKind
from tests.answering_calls.conftest import CARRIER, AnsweringSettings, spoken
from tests.answering_calls.hearing import RtpEar, found_at
from tests.demo_data import DULCINEA
from tests.support import RunningServer
from tests.telephony.peers import sip_address
from tests.telephony.sipp import Sipp

pytestmark = pytest.mark.sip

CALLER = "+12125550123"


@pytest.fixture
def carrier_ear() -> Iterator[RtpEar]:
    """The RTP port of the carrier's calls, on the carrier's address."""
    ear = RtpEar(CARRIER)
    yield ear
    ear.close()


@pytest.mark.parametrize(
    ("blocking", "listed", "caller", "user_params", "message"),
    [
        pytest.param({}, True, CALLER, "", PromptKind.BLOCKED, id="listed number"),
        pytest.param(
            {"payPhones": "Block"},
            False,
            CALLER,
            ";cpc=payphone",
            PromptKind.PAYPHONE_BLOCKED,
            id="pay phone",
        ),
        pytest.param(
            {"noCallerId": "BlockCallsAndFaxes"},
            False,
            "anonymous",
            "",
            PromptKind.NO_CALLER_ID_BLOCKED,
            id="no caller ID",
        ),
        pytest.param(
            {"robocalls": "PlayMessageAndDisconnect"},
            False,
            CALLER,
            ";verstat=TN-Validation-Failed",
            PromptKind.BLOCKED,
            id="robocall",
        ),
    ],
)
def test_a_blocked_caller_hears_the_message_and_is_disconnected(
    answering_system: RunningServer,
    dulcinea: AnsweringSettings,
    carrier: object,
    carrier_ear: RtpEar,
    sipp: Sipp,
    blocking: dict[str, str],
    listed: bool,
    caller: str,
    user_params: str,
    message: PromptKind,
) -> None:
    if blocking:
        dulcinea.put("caller-blocking", blocking)
    if listed:
        dulcinea.post("caller-blocking/phone-numbers", {"phoneNumber": CALLER, "status": "Blocked"})
    server = sip_address(answering_system)
    desk = sipp.phone(server, "11103", "sip11103demo", calls=0, wait_ms=60000)
    call = sipp.run(
        "trunk_uac_hear_until_bye.xml",
        server,
        keys={
            "user": caller,
            "dial": DULCINEA[0],
            "rtp_port": str(carrier_ear.port),
            "user_params": user_params,
        },
        local_ip=CARRIER,
    )
    call.assert_success()  # answered, then hung up on by Telephonist

    said = spoken(answering_system, message)
    _, likeness = found_at(said, carrier_ear.heard())
    assert likeness >= 0.9, f"the caller heard the {message.value} message ({likeness:.2f})"
    [row] = dulcinea.get("call-log", perPage=1)["records"]
    withheld = caller == "anonymous"  # logged with no number, shown as "Unknown"
    assert (row["from"].get("phoneNumber"), row["result"]) == (
        None if withheld else caller,
        "Blocked",
    )
    assert not desk.stop().received("INVITE"), "her phone never rang"
