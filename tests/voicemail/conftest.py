"""A migrated SQLite database holding the demo company, its blob store, and the mailboxes
of Dulcinea (11103, PIN 591738) and of the message-only extension (11011)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from telephonist.accounts.extensions import find_by_number
from telephonist.demo import load_demo
from telephonist.media.wav import WavFileSink
from telephonist.store.blobs import BlobStore
from telephonist.store.database import Database
from telephonist.voicemail import messages
from telephonist.voicemail.mailbox import Mailbox, MessageStore, mailbox_of
from telephonist.voicemail.messages import MessageParty

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
