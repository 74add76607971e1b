"""For the voice applications and the message store: a migrated SQLite database holding
the demo company, its blob store, and the mailboxes of Dulcinea (11103, PIN 591738) and of
the message-only extension (11011). For the REST API and the portal: voicemails left on
the demo server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from telephonist.accounts import company, users
from telephonist.accounts.extensions import find_by_number
from telephonist.demo import load_demo
from telephonist.identity import apps, credentials
from telephonist.media.wav import WavFileSink
from telephonist.store.base import utcnow
from telephonist.store.blobs import BlobStore
from telephonist.store.database import Database
from telephonist.store.numbers import PhoneNumber
from telephonist.voicemail import messages
from telephonist.voicemail.mailbox import Mailbox, MessageStore, mailbox_of
from telephonist.voicemail.messages import MessageParty
from tests.demo_data import COMPANY_NUMBER, PASSWORD
from tests.media.loopback import tone
from tests.portal.conftest import chromium, page  # noqa: F401 - the browser tests' fixtures
from tests.support import RunningServer, database_of

NOON = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Demo:
    db: Database
    blobs: BlobStore
    store: MessageStore
    account_id: int
    dulcinea: Mailbox
    message_only: Mailbox


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, Mailbox, Mailbox]:
    """The demo company, migrated and loaded once; each test works on a copy."""
    path = tmp_path_factory.mktemp("voicemail-demo") / "telephonist.db"
    database = Database(f"sqlite:///{path}")
    database.migrate()
    with database.transaction() as session:
        account = load_demo(session)
        dulcinea = find_by_number(session, account.id, "11103")
        message_only = find_by_number(session, account.id, "11011")
        assert dulcinea is not None and message_only is not None
        mailboxes = (
            mailbox_of(session, account.id, dulcinea.id),
            mailbox_of(session, account.id, message_only.id),
        )
    database.dispose()
    return path, account.id, *mailboxes


@pytest.fixture
def demo(tmp_path: Path, demo_database: tuple[Path, int, Mailbox, Mailbox]) -> Iterator[Demo]:
    template, account_id, dulcinea, message_only = demo_database
    shutil.copyfile(template, tmp_path / "telephonist.db")
    database = Database(f"sqlite:///{tmp_path / 'telephonist.db'}")
    blobs = BlobStore(tmp_path / "blobs")
    store = MessageStore(database, blobs, clock=lambda: NOON)
    yield Demo(database, blobs, store, account_id, dulcinea, message_only)
    database.dispose()


def seed_message(
    db: Database,
    blobs: BlobStore,
    mailbox: Mailbox,
    pcm: bytes,
    *,
    caller: MessageParty = MessageParty("+12125550100", "", "NEW YORK NY"),
    at: datetime = NOON,
    read: bool = False,
    priority: str = "Normal",
) -> int:
    """A finished message recorded the way a call records one (row first, audio written
    as it comes, then completed)."""
    with db.transaction() as session:
        message = messages.open_message(
            session,
            account_id=mailbox.account_id,
            extension_id=mailbox.extension_id,
            caller=caller,
            called=MessageParty(extension_number=mailbox.extension_number, name=mailbox.name),
            now=at,
            priority=priority,
        )
        writer = WavFileSink(messages.audio_file(blobs, message)).open()
        writer.write(pcm)
        writer.close()
        assert messages.complete_message(session, blobs, message, at)
        if read:
            messages.set_read_status(message, "Read", at)
        return message.id


@dataclass(frozen=True)
class ServerMailboxes:
    """Voicemails left on the demo server. Dulcinea's on BASE's afternoon are listed
    newest first in ``afternoon``."""

    blobs: BlobStore
    account_id: int
    dulcinea: Mailbox
    hank: Mailbox
    afternoon: list[int]
    from_hank: int
    urgent: int
    recent: int
    stale: int
    hanks_own: int
    other_company: int
    other_client: tuple[str, str]


BASE = datetime(2025, 6, 2, 15, 0, tzinfo=UTC)
"""A Monday afternoon no other test leaves voicemail on."""
OTHER_MAIN_NUMBER = "+16467360177"
OTHER_DIRECT_NUMBER = "+16467360178"
MESSAGE_AUDIO = tone(700.0, frames=150)
"""Three seconds of a 700 Hz tone."""


@pytest.fixture(scope="session")
def server_mailboxes(demo_server: RunningServer) -> ServerMailboxes:
    """Voicemails of Dulcinea (11103), of Hank (11101) and of another company's user (101,
    English-speaking, who signs in with her company's own app), written the way calls
    write them."""
    database = database_of(demo_server)
    blobs = BlobStore(demo_server.data_dir / "blobs")
    with database.transaction() as session:
        account_id = session.scalar(
            select(PhoneNumber.account_id).where(PhoneNumber.e164 == COMPANY_NUMBER)
        )
        assert account_id is not None
        found = [find_by_number(session, account_id, number) for number in ("11103", "11101")]
        dulcinea, hank = (mailbox_of(session, account_id, e.id) for e in found if e is not None)
        other = company.create_account(
            session, company_name="Voicemail Other Company", main_number=OTHER_MAIN_NUMBER
        )
        vera = users.add_user(
            session,
            other.id,
            first_name="Vera",
            last_name="Voicemail",
            email=f"vera.{demo_server.http_port}@other.example",
            extension_number="101",
            role_name="Super Admin",
            direct_number=OTHER_DIRECT_NUMBER,
            language="en-US",
        )
        assert vera.user is not None
        credentials.set_password(vera.user, PASSWORD, users.account_facts(session, vera), utcnow())
        vera.status = "Enabled"
        app, secret = apps.create_app(session, other.id, name="Other voicemail app")
        other_mailbox = mailbox_of(session, other.id, vera.id)
    hank_party = MessageParty(extension_number="11101", name="Hank Hillos")
    bakery = MessageParty("+14155550100", "", "Golden Gate Bakery")

    def leave(mailbox: Mailbox, at: datetime, **options: Any) -> int:
        return seed_message(database, blobs, mailbox, MESSAGE_AUDIO, at=at, **options)

    from_hank = leave(dulcinea, BASE, caller=hank_party)
    read = leave(dulcinea, BASE + timedelta(hours=1), read=True)
    urgent = leave(dulcinea, BASE + timedelta(hours=2), caller=bakery, priority="High")
    now = utcnow()
    mailboxes = ServerMailboxes(
        blobs=blobs,
        account_id=account_id,
        dulcinea=dulcinea,
        hank=hank,
        afternoon=[urgent, read, from_hank],
        from_hank=from_hank,
        urgent=urgent,
        recent=leave(dulcinea, now - timedelta(hours=1)),
        stale=leave(dulcinea, now - timedelta(hours=30)),
        hanks_own=leave(hank, BASE),
        other_company=leave(other_mailbox, BASE),
        other_client=(app.client_id, secret),
    )
    database.dispose()
    return mailboxes


def fresh_message(demo_server: RunningServer, mailboxes: ServerMailboxes, **options: Any) -> int:
    """A message of Dulcinea's, left a minute ago, that only the calling test changes."""
    database = database_of(demo_server)
    message_id = seed_message(
        database,
        mailboxes.blobs,
        mailboxes.dulcinea,
        MESSAGE_AUDIO,
        at=utcnow() - timedelta(minutes=1),
        **options,
    )
    database.dispose()
    return message_id
