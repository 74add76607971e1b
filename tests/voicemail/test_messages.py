"""The message store's rules (VM-4, principle 5): deleting, restoring and purging, read
status, counts, filters, one mailbox never showing another's, and a crash mid-message
keeping what was said."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from telephonist.errors import Conflict, InvalidInput, NotFound
from telephonist.media.wav import WavFileSink
from telephonist.store.voicemail import VoicemailMessage
from telephonist.voicemail import messages
from telephonist.voicemail.messages import MessageFilter, MessageParty
from telephonist.voicemail.waiting import MessageCounts
from tests.media.loopback import tone
from tests.support import REPO
from tests.voicemail.conftest import NOON, Demo, seed_message

LATER = NOON + timedelta(minutes=5)


def one(demo: Demo, message_id: int) -> VoicemailMessage:
    with demo.db.transaction() as session:
        return messages.get_message(
            session, demo.account_id, demo.dulcinea.extension_id, message_id
        )


def change(demo: Demo, message_id: int, action: str, **options: object) -> None:
    with demo.db.transaction() as session:
        message = messages.get_message(
            session, demo.account_id, demo.dulcinea.extension_id, message_id
        )
        if action == "delete":
            messages.delete_message(session, demo.blobs, message, LATER, **options)  # type: ignore[arg-type]
        elif action == "restore":
            messages.restore_message(message, LATER)
        else:
            messages.set_availability(session, demo.blobs, message, action, LATER)


def test_delete_moves_to_deleted_items_restore_brings_back_and_a_second_delete_purges(
    demo: Demo,
) -> None:
    message_id = seed_message(demo.db, demo.blobs, demo.dulcinea, tone(frames=60))
    audio = demo.blobs.path(one(demo, message_id).blob_key)
    change(demo, message_id, "delete")
    assert (one(demo, message_id).availability, audio.exists()) == ("Deleted", True)
    assert one(demo, message_id).last_modified == LATER
    change(demo, message_id, "restore")
    assert one(demo, message_id).availability == "Alive"
    change(demo, message_id, "delete")
    change(demo, message_id, "delete")
    purged = one(demo, message_id)
    assert (purged.availability, purged.blob_key, purged.size) == ("Purged", "", 0)
    assert not audio.exists()
    change(demo, message_id, "delete")
    assert one(demo, message_id).availability == "Purged"
    with pytest.raises(Conflict):
        change(demo, message_id, "restore")
    with demo.db.transaction() as session, pytest.raises(NotFound):
        messages.audio_of(
            demo.blobs,
            messages.get_message(session, demo.account_id, demo.dulcinea.extension_id, message_id),
        )


def test_purge_skips_deleted_items(demo: Demo) -> None:
    message_id = seed_message(demo.db, demo.blobs, demo.dulcinea, tone(frames=60))
    change(demo, message_id, "delete", purge=True)
    assert one(demo, message_id).availability == "Purged"


@pytest.mark.parametrize(
    ("steps", "final"),
    [
        (["Deleted"], "Deleted"),
        (["Deleted", "Alive"], "Alive"),
        (["Purged"], "Purged"),
        (["Deleted", "Deleted"], "Deleted"),
        (["Alive"], "Alive"),
    ],
)
def test_availability_set_through_the_api(demo: Demo, steps: list[str], final: str) -> None:
    message_id = seed_message(demo.db, demo.blobs, demo.dulcinea, tone(frames=60))
    for step in steps:
        change(demo, message_id, step)
    assert one(demo, message_id).availability == final


def test_an_unknown_availability_or_read_status_is_refused(demo: Demo) -> None:
    message_id = seed_message(demo.db, demo.blobs, demo.dulcinea, tone(frames=60))
    with pytest.raises(InvalidInput):
        change(demo, message_id, "Archived")
    with demo.db.transaction() as session, pytest.raises(InvalidInput):
        message = messages.get_message(
            session, demo.account_id, demo.dulcinea.extension_id, message_id
        )
        messages.set_read_status(message, "Skimmed", LATER)


def test_counts_are_new_and_saved_alive_messages_with_urgent_ones(demo: Demo) -> None:
    seed = lambda **kw: seed_message(demo.db, demo.blobs, demo.dulcinea, tone(frames=60), **kw)  # noqa: E731
    seed()
    seed(priority="High")
    seed(read=True)
    seed(read=True, priority="High")
    seed(read=True)
    deleted = seed()
    change(demo, deleted, "delete")
    seed_message(demo.db, demo.blobs, demo.message_only, tone(frames=60))
    with demo.db.transaction() as session:
        counts = messages.message_counts(session, demo.account_id, demo.dulcinea.extension_id)
    assert counts == MessageCounts(new=2, old=3, new_urgent=1, old_urgent=1)


def test_a_message_still_recording_is_neither_listed_nor_counted(demo: Demo) -> None:
    with demo.db.transaction() as session:
        recording = messages.open_message(
            session,
            account_id=demo.account_id,
            extension_id=demo.dulcinea.extension_id,
            caller=MessageParty("+12125550100"),
            called=MessageParty(extension_number="11103"),
            now=NOON,
        ).id
    with demo.db.transaction() as session:
        wanted = MessageFilter(extension_id=demo.dulcinea.extension_id)
        assert messages.search_messages(session, demo.account_id, wanted, 1, 100).rows == []
        assert (
            messages.message_counts(session, demo.account_id, demo.dulcinea.extension_id)
            == MessageCounts()
        )
        with pytest.raises(NotFound):
            messages.get_message(session, demo.account_id, demo.dulcinea.extension_id, recording)


def listed(demo: Demo, **wanted: object) -> list[int]:
    with demo.db.transaction() as session:
        page = messages.search_messages(
            session,
            demo.account_id,
            MessageFilter(extension_id=demo.dulcinea.extension_id, **wanted),  # type: ignore[arg-type]
            1,
            100,
        )
        return [message.id for message in page.rows]


def test_filters_of_the_public_api(demo: Demo) -> None:
    pcm = tone(frames=60)
    old = seed_message(demo.db, demo.blobs, demo.dulcinea, pcm, at=NOON - timedelta(days=2))
    read = seed_message(demo.db, demo.blobs, demo.dulcinea, pcm, read=True)
    bakery = MessageParty("+14155550100", "", "Golden Gate Bakery")
    new = seed_message(demo.db, demo.blobs, demo.dulcinea, pcm, caller=bakery, at=LATER)
    deleted = seed_message(demo.db, demo.blobs, demo.dulcinea, pcm)
    change(demo, deleted, "delete")
    assert listed(demo) == [new, read, old]
    assert listed(demo, availabilities=["Deleted"]) == [deleted]
    assert listed(demo, availabilities=["Alive", "Deleted"]) == [new, deleted, read, old]
    assert listed(demo, read_statuses=["Unread"]) == [new, old]
    assert listed(demo, date_from=NOON - timedelta(hours=1)) == [new, read]
    assert listed(demo, date_to=NOON) == [old]
    assert listed(demo, message_types=["VoiceMail", "Fax"]) == [new, read, old]
    assert listed(demo, message_types=["SMS"]) == []
    assert listed(demo, directions=["Outbound"]) == []
    assert listed(demo, directions=["Inbound"]) == [new, read, old]
    assert listed(demo, phone_number="+14155550100") == [new]


@pytest.mark.parametrize(
    ("wanted", "parameter"),
    [
        ({"availabilities": ["Gone"]}, "availability"),
        ({"read_statuses": ["Seen"]}, "readStatus"),
        ({"message_types": ["Telex"]}, "messageType"),
        ({"directions": ["Sideways"]}, "direction"),
        ({"date_from": LATER, "date_to": NOON}, "dateFrom"),
    ],
)
def test_filter_values_are_checked(demo: Demo, wanted: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        listed(demo, **wanted)
    assert [problem.field for problem in refused.value.problems] == [parameter]


def test_one_mailbox_never_shows_anothers_messages(demo: Demo) -> None:
    theirs = seed_message(demo.db, demo.blobs, demo.message_only, tone(frames=60))
    assert listed(demo) == []
    with demo.db.transaction() as session:
        with pytest.raises(NotFound):
            messages.get_message(session, demo.account_id, demo.dulcinea.extension_id, theirs)
        with pytest.raises(NotFound):
            messages.get_message(
                session, demo.account_id + 1, demo.message_only.extension_id, theirs
            )


def test_new_messages_play_before_saved_ones_oldest_first(demo: Demo) -> None:
    pcm = tone(frames=60)
    saved_late = seed_message(demo.db, demo.blobs, demo.dulcinea, pcm, read=True, at=LATER)
    saved_early = seed_message(demo.db, demo.blobs, demo.dulcinea, pcm, read=True)
    new_late = seed_message(demo.db, demo.blobs, demo.dulcinea, pcm, at=LATER)
    new_early = seed_message(demo.db, demo.blobs, demo.dulcinea, pcm)
    change(demo, seed_message(demo.db, demo.blobs, demo.dulcinea, pcm), "delete")
    with demo.db.transaction() as session:
        found = messages.messages_to_play(session, demo.account_id, demo.dulcinea.extension_id)
    assert [m.id for m in found] == [new_early, new_late, saved_early, saved_late]


def start_recording(demo: Demo, seconds_of_audio: float) -> VoicemailMessage:
    """A message left recording, its audio written so far, as a crash would leave it."""
    with demo.db.transaction() as session:
        message = messages.open_message(
            session,
            account_id=demo.account_id,
            extension_id=demo.dulcinea.extension_id,
            caller=MessageParty("+12125550100"),
            called=MessageParty(extension_number="11103"),
            now=NOON,
        )
    if seconds_of_audio:
        writer = WavFileSink(messages.audio_file(demo.blobs, message)).open()
        writer.write(tone(frames=round(seconds_of_audio * 50)))
    return message


def test_recovery_keeps_interrupted_messages_and_drops_empty_ones(demo: Demo) -> None:
    kept = start_recording(demo, 2.5)
    too_short = start_recording(demo, 0.4)
    start_recording(demo, 0)
    with demo.db.transaction() as session:
        assert messages.recover_interrupted_messages(session, demo.blobs, LATER) == 1
    with demo.db.transaction() as session:
        left = {m.id: m for m in session.scalars(select(VoicemailMessage))}
    assert set(left) == {kept.id}
    assert (left[kept.id].recording, left[kept.id].duration_ms) == ("Completed", 2500)
    assert left[kept.id].last_modified == LATER
    assert not demo.blobs.path(too_short.blob_key).exists()


CRASHING_RECORDER = """
import sys, time
from pathlib import Path
from datetime import UTC, datetime
from telephonist.media.wav import WavFileSink
from telephonist.store.blobs import BlobStore
from telephonist.store.database import Database
from telephonist.voicemail import messages
from telephonist.voicemail.messages import MessageParty

database, blobs = Database(sys.argv[1]), BlobStore(Path(sys.argv[2]))
with database.transaction() as session:
    message = messages.open_message(
        session, account_id=int(sys.argv[3]), extension_id=int(sys.argv[4]),
        caller=MessageParty("+12125550100"), called=MessageParty(extension_number="11103"),
        now=datetime.now(UTC),
    )
writer = WavFileSink(messages.audio_file(blobs, message)).open()
for _ in range(150):
    writer.write(b"\\x10\\x00" * 160)
print(message.id, flush=True)
time.sleep(60)
"""


def test_a_message_cut_by_kill_9_keeps_what_was_said(demo: Demo) -> None:
    """Principle 5: the caller spoke 3 s when the process died; the next start keeps 3 s."""
    recorder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CRASHING_RECORDER,
            str(demo.db.engine.url),
            str(demo.blobs.root),
            str(demo.account_id),
            str(demo.dulcinea.extension_id),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert recorder.stdout is not None
        message_id = int(recorder.stdout.readline())
    finally:
        os.kill(recorder.pid, signal.SIGKILL)
        recorder.wait(timeout=10)
    with demo.db.transaction() as session:
        assert messages.recover_interrupted_messages(session, demo.blobs, LATER) == 1
    message = one(demo, message_id)
    assert (message.recording, message.duration_ms) == ("Completed", 3000)
    assert demo.blobs.get(message.blob_key)[44:] == b"\x10\x00" * 160 * 150


@pytest.mark.parametrize(
    ("number", "name", "party"),
    [
        ("+12125550100", "NEW YORK NY", MessageParty("+12125550100", "", "NEW YORK NY")),
        ("11101", "Hank Hillos", MessageParty("", "11101", "Hank Hillos")),
        ("101", None, MessageParty("", "101", "")),
        ("4155550100", " Bakery ", MessageParty("4155550100", "", "Bakery")),
        (None, None, MessageParty()),
        ("", "anonymous", MessageParty("", "", "anonymous")),
    ],
)
def test_a_caller_is_a_phone_number_an_extension_or_withheld(
    number: str | None, name: str | None, party: MessageParty
) -> None:
    assert MessageParty.from_network(number, name) == party


@given(st.one_of(st.none(), st.text()), st.one_of(st.none(), st.text()))
def test_network_text_always_fits_the_columns(number: str | None, name: str | None) -> None:
    party = MessageParty.from_network(number, name)
    assert len(party.phone_number) <= 40
    assert len(party.extension_number) <= 5
    assert len(party.name) <= 200
