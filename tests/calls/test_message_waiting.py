"""The message light (VM-5, RFC 3842) with SIPp as the phone: a phone learns its mailbox's
state when it registers, and again each time the counts change, whoever changed them (a
message left by another process, marked read or deleted through the REST API); changes
that leave the counts as they were send nothing. A phone that subscribes gets the state in
its subscription's dialog. The grouped count the server uses agrees with each mailbox's
own count."""

from __future__ import annotations

import socket
import time
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from telephonist.accounts.extensions import find_by_number
from telephonist.calls.message_waiting import count_messages
from telephonist.store.base import utcnow
from telephonist.store.blobs import BlobStore
from telephonist.store.numbers import PhoneNumber
from telephonist.voicemail.mailbox import mailbox_of
from telephonist.voicemail.waiting import MessageCounts
from tests.calls.conftest import admin_api, extension_id
from tests.demo_data import COMPANY_NUMBER
from tests.support import RunningServer, database_of
from tests.telephony.peers import sip_address, wait_until
from tests.telephony.sipp import Sipp, SippPeer
from tests.voicemail.conftest import MESSAGE_AUDIO, seed_message

pytestmark = [pytest.mark.sip, pytest.mark.usefixtures("nothing_leaks")]

DULCINEA_DESK = ("11103", "sip11103demo")


def leave_voicemail(server: RunningServer, number: str, **options: object) -> int:
    """A message for extension ``number``, written from this process the way a call writes
    one: the server learns of it only by looking again."""
    database = database_of(server)
    try:
        with database.transaction() as session:
            account_id = session.scalar(
                select(PhoneNumber.account_id).where(PhoneNumber.e164 == COMPANY_NUMBER)
            )
            assert account_id is not None
            extension = find_by_number(session, account_id, number)
            assert extension is not None
            mailbox = mailbox_of(session, account_id, extension.id)
        return seed_message(
            database,
            BlobStore(server.data_dir / "blobs"),
            mailbox,
            MESSAGE_AUDIO,
            at=utcnow() - timedelta(minutes=1),
            **options,  # type: ignore[arg-type]
        )
    finally:
        database.dispose()


def message_store(api: httpx.Client, number: str) -> str:
    return f"/extension/{extension_id(api, number)}/message-store"


def notifies(phone: SippPeer) -> list[str]:
    """What the phone's light was told so far: "yes 1/0" for one new message."""
    return [line.removeprefix("notify=") for line in phone.logs() if line.startswith("notify=")]


def wait_for_notifies(phone: SippPeer, count: int, timeout: float = 15) -> list[str]:
    wait_until(
        lambda: len(notifies(phone)) >= count or not phone.running,
        timeout,
        f"NOTIFY number {count}",
    )
    told = notifies(phone)
    assert len(told) >= count, phone.wait(0).report()
    return told


def test_the_light_follows_the_mailbox_from_registration_to_deletion(
    phone_system: RunningServer, sipp: Sipp
) -> None:
    phone = sipp.phone(
        sip_address(phone_system),
        *DULCINEA_DESK,
        answer="registered_mwi_phone.xml",
        calls=4,
        wait_ms=60000,
    )
    assert wait_for_notifies(phone, 1) == ["no 0/0"]  # at registration

    message_id = leave_voicemail(phone_system, "11103")
    assert wait_for_notifies(phone, 2)[1] == "yes 1/0"

    with admin_api(phone_system) as api:
        store = message_store(api, "11103")
        leave_voicemail(phone_system, "11101")  # another mailbox: nothing for this phone
        read = api.put(f"{store}/{message_id}", json={"readStatus": "Read"})
        assert read.status_code == 200, read.text
        assert wait_for_notifies(phone, 3)[2] == "no 0/1"
        again = api.put(f"{store}/{message_id}", json={"readStatus": "Read"})
        assert again.status_code == 200, again.text
        time.sleep(1.0)  # a commit that changes no count tells the phone nothing
        assert len(notifies(phone)) == 3
        deleted = api.delete(f"{store}/{message_id}")
        assert deleted.status_code == 204, deleted.text
        assert wait_for_notifies(phone, 4)[3] == "no 0/0"

    result = phone.wait()
    result.assert_success()
    [register_call_id] = {m.header("Call-ID") for m in result.sent("REGISTER")}
    for notify in result.received("NOTIFY"):
        assert notify.header("Event") == "message-summary"
        assert notify.header("Subscription-State") == "terminated"
        assert notify.header("Content-Type") == "application/simple-message-summary"
        assert ";tag=" not in (notify.header("To") or ""), "an unsolicited NOTIFY is out of dialog"
        assert notify.header("Call-ID") != register_call_id
        assert "Message-Account: sip:11103@127.0.0.1" in notify.body


def test_a_phone_that_subscribes_is_told_in_its_subscription(
    phone_system: RunningServer, sipp: Sipp
) -> None:
    message_id = leave_voicemail(phone_system, "11103", priority="High")
    subscriber = sipp.run(
        "subscribe_mwi.xml", sip_address(phone_system), keys={"user": "11103"}, auth=DULCINEA_DESK
    )
    subscriber.assert_success()
    assert subscriber.logged("granted") == ["600"]
    assert subscriber.logged("state") == ["active;expires=600", "terminated;reason=timeout"]
    assert subscriber.logged("notify") == ["yes 1/0", "yes 1/0"]
    assert "Voice-Message: 1/0 (1/0)" in subscriber.received("NOTIFY")[0].body
    with admin_api(phone_system) as api:
        purged = api.delete(f"{message_store(api, '11103')}/{message_id}", params={"purge": True})
        assert purged.status_code == 204, purged.text


def test_other_event_packages_are_refused_with_489(phone_system: RunningServer) -> None:
    host, port = sip_address(phone_system)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as phone:
        phone.bind((host, 0))
        phone.settimeout(5)
        me = f"{host}:{phone.getsockname()[1]}"
        phone.sendto(
            (
                f"SUBSCRIBE sip:11103@{host}:{port} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP {me};branch=z9hG4bK-presence-1;rport\r\n"
                f"From: <sip:11103@{host}>;tag=presence\r\n"
                f"To: <sip:11103@{host}>\r\n"
                "Call-ID: presence-subscribe-1\r\n"
                "CSeq: 1 SUBSCRIBE\r\n"
                f"Contact: <sip:11103@{me}>\r\n"
                "Event: presence\r\n"
                "Max-Forwards: 70\r\n"
                "Content-Length: 0\r\n\r\n"
            ).encode(),
            (host, port),
        )
        answer = phone.recv(65536).decode()
    assert answer.startswith("SIP/2.0 489 Bad Event\r\n"), answer
    assert "\r\nAllow-Events: message-summary\r\n" in answer


def test_the_grouped_count_counts_each_mailbox_of_its_account(
    phone_system: RunningServer,
) -> None:
    database = database_of(phone_system)
    try:

        def counts() -> tuple[list[int], dict[int, MessageCounts]]:
            with database.transaction() as session:
                account_id = session.scalar(
                    select(PhoneNumber.account_id).where(PhoneNumber.e164 == COMPANY_NUMBER)
                )
                assert account_id is not None
                extensions = [
                    found.id
                    for number in ("11101", "11102", "11103", "11011")
                    if (found := find_by_number(session, account_id, number)) is not None
                ]
                elsewhere = count_messages(session, {extensions[1]: account_id + 1000})
                assert elsewhere == {extensions[1]: MessageCounts()}  # another account's
                return extensions, count_messages(session, dict.fromkeys(extensions, account_id))

        extensions, before = counts()
        for number, options in [
            ("11102", {}),
            ("11102", {"read": True}),
            ("11102", {"priority": "High"}),
            ("11102", {"read": True, "priority": "High"}),
            ("11103", {"read": True}),
        ]:
            leave_voicemail(phone_system, number, **options)
        _, after = counts()
        added = {
            extension: tuple(
                getattr(after[extension], field) - getattr(before[extension], field)
                for field in ("new", "old", "new_urgent", "old_urgent")
            )
            for extension in extensions
        }
        assert added == {
            extensions[0]: (0, 0, 0, 0),
            extensions[1]: (2, 2, 1, 1),
            extensions[2]: (0, 1, 0, 0),
            extensions[3]: (0, 0, 0, 0),
        }
    finally:
        database.dispose()
