"""Principle 5 end to end: a voicemail the server was recording when it died is in the
mailbox after the next start, with what the caller said until then."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ringcentral import SDK
from sqlalchemy import select

from telephonist.accounts.extensions import find_by_number
from telephonist.media.wav import WavFileSink
from telephonist.store.base import utcnow
from telephonist.store.blobs import BlobStore
from telephonist.store.numbers import PhoneNumber
from telephonist.voicemail import messages
from telephonist.voicemail.mailbox import mailbox_of
from telephonist.voicemail.messages import MessageParty
from tests.demo_data import COMPANY_NUMBER, DEMO_CLIENT, DULCINEA, PASSWORD
from tests.media.loopback import tone
from tests.support import RunningServer, database_of, start_server

SPOKEN = tone(frames=125)
"""Two and a half seconds."""


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[RunningServer]:
    server = start_server(tmp_path / "server")
    yield server
    server.stop()


def test_a_message_left_recording_by_a_crash_is_in_the_mailbox_after_restart(
    own_server: RunningServer,
) -> None:
    database = database_of(own_server)
    with database.transaction() as session:
        account_id = session.scalar(
            select(PhoneNumber.account_id).where(PhoneNumber.e164 == COMPANY_NUMBER)
        )
        assert account_id is not None
        found = find_by_number(session, account_id, DULCINEA[1])
        assert found is not None
        mailbox = mailbox_of(session, found.account_id, found.id)
        message = messages.open_message(
            session,
            account_id=mailbox.account_id,
            extension_id=mailbox.extension_id,
            caller=MessageParty("+12125550100", "", "NEW YORK NY"),
            called=MessageParty(extension_number=DULCINEA[1], name=mailbox.name),
            now=utcnow(),
        )
    writer = WavFileSink(
        messages.audio_file(BlobStore(own_server.data_dir / "blobs"), message)
    ).open()
    writer.write(SPOKEN)
    writer.close()
    database.dispose()
    own_server.restart(crash=True)

    platform = SDK(*DEMO_CLIENT, own_server.url).platform()
    platform.login(username=DULCINEA[0], extension=DULCINEA[1], password=PASSWORD)
    try:
        body = platform.get(f"/restapi/v1.0/account/~/extension/~/message-store/{message.id}")
        [attachment] = body.json_dict()["attachments"]
        assert attachment["vmDuration"] == 3
        assert platform.get(attachment["uri"]).body()[44:] == SPOKEN
    finally:
        platform.logout()
    assert "kept 1" in own_server.log()
