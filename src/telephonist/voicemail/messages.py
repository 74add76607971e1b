"""The voicemail message store (VM-2, VM-4, VM-5): recording a message durably, finishing
it, reading, marking, deleting, restoring and purging it, for the voice applications, the
REST API and the portal alike. Plain functions on a ``Session``; every query names the
account (ARCHITECTURE.md principle 6).

Durable before acknowledged (principle 5): ``open_message`` commits a row ("InProgress")
before the caller's first word, the audio goes to a WAV that stays valid after every write
(``media.wav.WavWriter``), and ``complete_message`` finishes the row from the file, at
the end of the call or, after a crash, at the next start
(``recover_interrupted_messages``). Messages shorter than a second are discarded.

Deleting follows the public API: the first delete moves a message to "Deleted" (it can be
restored), the second (or ``purge``) to "Purged": the audio is erased and the row stays
as a tombstone the API can still list."""

from __future__ import annotations

import logging
import secrets
import wave
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session

from telephonist.domain.text import N_
from telephonist.errors import Conflict, FieldProblem, InvalidInput, NotFound
from telephonist.media.engine import SAMPLE_RATE
from telephonist.store.blobs import BlobStore
from telephonist.store.database import after_commit
from telephonist.store.paging import PageOf, paginate
from telephonist.store.voicemail import VoicemailMessage
from telephonist.voicemail.waiting import MessageCounts

log = logging.getLogger(__name__)

AUDIO_FOLDER = "voicemail"
AUDIO_CONTENT_TYPE = "audio/wav"
MIN_MESSAGE_MS = 1000
"""Shorter recordings are a caller who hung up at the beep, not a message."""
NUMBER_MAX = 40
NAME_MAX = 200
EXTENSION_NUMBER_MAX = 5


class ReadStatus(StrEnum):
    READ = "Read"
    UNREAD = "Unread"


class Availability(StrEnum):
    ALIVE = "Alive"
    DELETED = "Deleted"
    PURGED = "Purged"


class Priority(StrEnum):
    NORMAL = "Normal"
    HIGH = "High"


class RecordingState(StrEnum):
    """Whether the caller is still speaking."""

    IN_PROGRESS = "InProgress"
    COMPLETED = "Completed"


class TranscriptionStatus(StrEnum):
    """VM-3 (voicemail to text) comes later: every message says so."""

    NOT_AVAILABLE = "NotAvailable"


MESSAGE_TYPES = frozenset({"Fax", "SMS", "VoiceMail", "Pager", "Text"})
"""The public API's message types; this store holds only "VoiceMail"."""
VOICEMAIL = "VoiceMail"
DIRECTIONS = frozenset({"Inbound", "Outbound"})
INBOUND = "Inbound"


@dataclass(frozen=True)
class MessageParty:
    """Someone on a message, as stored: a phone number (E.164), an extension number of the
    company, or neither (caller ID withheld)."""

    phone_number: str = ""
    extension_number: str = ""
    name: str = ""

    @classmethod
    def from_network(cls, number: str | None, name: str | None) -> MessageParty:
        """A party as a call presents it: a short number without "+" is an extension;
        text from the network is cut to the column's size rather than refused."""
        number = (number or "").strip()
        name = (name or "").strip()[:NAME_MAX]
        if number and not number.startswith("+") and len(number) <= EXTENSION_NUMBER_MAX:
            return cls(extension_number=number, name=name)
        return cls(phone_number=number[:NUMBER_MAX], name=name)


def new_audio_key() -> str:
    """Where a new message's WAV goes in the blob store."""
    return f"{AUDIO_FOLDER}/{secrets.token_hex(16)}.wav"


def open_message(
    session: Session,
    *,
    account_id: int,
    extension_id: int,
    caller: MessageParty,
    called: MessageParty,
    now: datetime,
    priority: str = Priority.NORMAL,
) -> VoicemailMessage:
    """The row of a message about to be recorded into ``blob_key`` (its id is set); commit
    it before recording starts."""
    message = VoicemailMessage(
        account_id=account_id,
        extension_id=extension_id,
        from_number=caller.phone_number,
        from_name=caller.name,
        from_extension=caller.extension_number,
        to_number=called.phone_number,
        to_name=called.name,
        to_extension=called.extension_number,
        created_at=now,
        last_modified=now,
        duration_ms=0,
        read_status=ReadStatus.UNREAD.value,
        availability=Availability.ALIVE.value,
        priority=Priority(priority).value,
        blob_key=new_audio_key(),
        content_type=AUDIO_CONTENT_TYPE,
        size=0,
        transcription_status=TranscriptionStatus.NOT_AVAILABLE.value,
        recording=RecordingState.IN_PROGRESS.value,
    )
    session.add(message)
    session.flush()
    return message


def audio_file(blobs: BlobStore, message: VoicemailMessage) -> Path:
    """The message's WAV, its folder created (for a recording about to start)."""
    path = blobs.path(message.blob_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def audio_length_ms(path: Path) -> int:
    """How much audio a WAV holds, from its header (``WavWriter`` keeps it true after
    every write); 0 for a missing or unreadable file."""
    try:
        with wave.open(str(path), "rb") as reader:
            return reader.getnframes() * 1000 // (reader.getframerate() or SAMPLE_RATE)
    except (OSError, EOFError, wave.Error):
        return 0


def _erase_audio_after_commit(session: Session, blobs: BlobStore, key: str) -> None:
    """Delete the file only once the row that named it is gone for good."""
    if key:
        after_commit(session, lambda: blobs.delete(key))


def complete_message(
    session: Session, blobs: BlobStore, message: VoicemailMessage, now: datetime
) -> bool:
    """Finish a recorded message from its file: length, size, "Completed". A message
    shorter than a second is discarded (row and file). Returns whether it was kept."""
    path = blobs.path(message.blob_key)
    length = audio_length_ms(path)
    if length < MIN_MESSAGE_MS:
        session.delete(message)
        _erase_audio_after_commit(session, blobs, message.blob_key)
        return False
    message.duration_ms = length
    message.size = path.stat().st_size
    message.recording = RecordingState.COMPLETED.value
    message.last_modified = now
    return True


def recover_interrupted_messages(session: Session, blobs: BlobStore, now: datetime) -> int:
    """At start-up, finish the messages a previous run was recording when it stopped or
    crashed, keeping what the caller said until then. Returns how many were kept.

    Every account's in-progress messages are finished: one process records them."""
    kept = 0
    interrupted = session.scalars(
        select(VoicemailMessage).where(
            VoicemailMessage.recording == RecordingState.IN_PROGRESS.value
        )
    ).all()
    for message in interrupted:
        kept += complete_message(session, blobs, message, now)
    if interrupted:
        log.info(
            "finished %d voicemail message(s) left recording by the previous run, kept %d",
            len(interrupted),
            kept,
        )
    return kept


def _in_mailbox(account_id: int, extension_id: int) -> Select[VoicemailMessage]:
    """Finished messages of one mailbox."""
    return select(VoicemailMessage).where(
        VoicemailMessage.account_id == account_id,
        VoicemailMessage.extension_id == extension_id,
        VoicemailMessage.recording == RecordingState.COMPLETED.value,
    )


def get_message(
    session: Session, account_id: int, extension_id: int, message_id: int
) -> VoicemailMessage:
    """A finished message of this mailbox; any other does not exist for the caller."""
    message = session.scalar(
        _in_mailbox(account_id, extension_id).where(VoicemailMessage.id == message_id)
    )
    if message is None:
        raise NotFound("messageId")
    return message


@dataclass(frozen=True)
class MessageFilter:
    """What to list, with the public API's values; empty sequences and None mean "any".
    ``date_to`` is exclusive."""

    extension_id: int
    availabilities: Sequence[str] = (Availability.ALIVE,)
    read_statuses: Sequence[str] = ()
    message_types: Sequence[str] = ()
    directions: Sequence[str] = ()
    date_from: datetime | None = None
    date_to: datetime | None = None
    phone_number: str | None = None


def filter_problems(wanted: MessageFilter) -> list[FieldProblem]:
    """Every value the filter cannot use, named with the public API's parameter."""
    problems = []
    if any(value not in Availability.__members__.values() for value in wanted.availabilities):
        problems.append(
            FieldProblem("availability", N_("Availability must be Alive, Deleted or Purged"))
        )
    if any(value not in ReadStatus.__members__.values() for value in wanted.read_statuses):
        problems.append(FieldProblem("readStatus", N_("Read status must be Read or Unread")))
    if any(value not in MESSAGE_TYPES for value in wanted.message_types):
        problems.append(
            FieldProblem("messageType", N_("Message type must be Fax, SMS, VoiceMail or Pager"))
        )
    if any(value not in DIRECTIONS for value in wanted.directions):
        problems.append(FieldProblem("direction", N_("Direction must be Inbound or Outbound")))
    if wanted.date_from and wanted.date_to and wanted.date_from > wanted.date_to:
        problems.append(FieldProblem("dateFrom", N_("The start date is after the end date")))
    return problems


def _query(account_id: int, wanted: MessageFilter) -> Select[VoicemailMessage]:
    query = _in_mailbox(account_id, wanted.extension_id)
    if (wanted.message_types and VOICEMAIL not in wanted.message_types) or (
        wanted.directions and INBOUND not in wanted.directions
    ):
        query = query.where(false())
    if wanted.availabilities:
        query = query.where(VoicemailMessage.availability.in_(wanted.availabilities))
    if wanted.read_statuses:
        query = query.where(VoicemailMessage.read_status.in_(wanted.read_statuses))
    if wanted.date_from is not None:
        query = query.where(VoicemailMessage.created_at >= wanted.date_from)
    if wanted.date_to is not None:
        query = query.where(VoicemailMessage.created_at < wanted.date_to)
    if wanted.phone_number:
        query = query.where(
            or_(
                VoicemailMessage.from_number == wanted.phone_number,
                VoicemailMessage.to_number == wanted.phone_number,
            )
        )
    return query.order_by(VoicemailMessage.created_at.desc(), VoicemailMessage.id.desc())


def search_messages(
    session: Session, account_id: int, wanted: MessageFilter, page: int, per_page: int
) -> PageOf[VoicemailMessage]:
    """One page of the messages ``wanted`` names, newest first."""
    problems = filter_problems(wanted)
    if problems:
        raise InvalidInput(problems)
    return paginate(session, _query(account_id, wanted), page, per_page)


def messages_to_play(
    session: Session, account_id: int, extension_id: int
) -> list[VoicemailMessage]:
    """VM-5: the mailbox as the phone menu plays it: new messages, then saved ones, each
    oldest first."""
    alive = _in_mailbox(account_id, extension_id).where(
        VoicemailMessage.availability == Availability.ALIVE.value
    )
    order = (VoicemailMessage.created_at, VoicemailMessage.id)
    new = alive.where(VoicemailMessage.read_status == ReadStatus.UNREAD.value).order_by(*order)
    saved = alive.where(VoicemailMessage.read_status == ReadStatus.READ.value).order_by(*order)
    return [*session.scalars(new), *session.scalars(saved)]


def message_counts(session: Session, account_id: int, extension_id: int) -> MessageCounts:
    """The mailbox's new and saved voicemails, for the phone menu and the message light."""
    return count_messages(session, {extension_id: account_id})[extension_id]


def count_messages(session: Session, mailboxes: Mapping[int, int]) -> dict[int, MessageCounts]:
    """The new and saved voicemails of several mailboxes (extension id -> account id) in
    one grouped query (the message light of every registered phone)."""
    if not mailboxes:
        return {}
    rows = session.execute(
        select(
            VoicemailMessage.account_id,
            VoicemailMessage.extension_id,
            VoicemailMessage.read_status,
            VoicemailMessage.priority,
            func.count(),
        )
        .where(
            VoicemailMessage.account_id.in_(set(mailboxes.values())),
            VoicemailMessage.extension_id.in_(mailboxes),
            VoicemailMessage.recording == RecordingState.COMPLETED.value,
            VoicemailMessage.availability == Availability.ALIVE.value,
        )
        .group_by(
            VoicemailMessage.account_id,
            VoicemailMessage.extension_id,
            VoicemailMessage.read_status,
            VoicemailMessage.priority,
        )
    ).all()
    totals = {
        extension_id: dict.fromkeys(("new", "old", "new_urgent", "old_urgent"), 0)
        for extension_id in mailboxes
    }
    for account_id, extension_id, read_status, priority, count in rows:
        if mailboxes.get(extension_id) != account_id:
            continue
        kind = "new" if read_status == ReadStatus.UNREAD else "old"
        totals[extension_id][kind] += count
        if priority == Priority.HIGH:
            totals[extension_id][f"{kind}_urgent"] += count
    return {extension_id: MessageCounts(**counts) for extension_id, counts in totals.items()}


def set_read_status(message: VoicemailMessage, status: str, now: datetime) -> None:
    """Mark a message read (heard, "saved" in the phone menu) or unread again."""
    try:
        message.read_status = ReadStatus(status).value
    except ValueError:
        raise InvalidInput(
            [FieldProblem("readStatus", N_("Read status must be Read or Unread"))]
        ) from None
    message.last_modified = now


def delete_message(
    session: Session,
    blobs: BlobStore,
    message: VoicemailMessage,
    now: datetime,
    *,
    purge: bool = False,
) -> None:
    """Move a message to Deleted Items, or purge it when it is already there (or when
    ``purge``): its audio is erased for good. Purging a purged message changes nothing."""
    if message.availability == Availability.PURGED:
        return
    if message.availability == Availability.ALIVE and not purge:
        message.availability = Availability.DELETED.value
    else:
        _erase_audio_after_commit(session, blobs, message.blob_key)
        message.availability = Availability.PURGED.value
        message.blob_key = ""
        message.size = 0
    message.last_modified = now


def restore_message(message: VoicemailMessage, now: datetime) -> None:
    """Bring a deleted message back to the Inbox; a purged one is gone."""
    if message.availability == Availability.PURGED:
        raise Conflict("availability", N_("This message was purged and cannot be restored"))
    message.availability = Availability.ALIVE.value
    message.last_modified = now


def set_availability(
    session: Session, blobs: BlobStore, message: VoicemailMessage, availability: str, now: datetime
) -> None:
    """The public API's way to move a message: Alive restores, Deleted deletes, Purged
    purges."""
    if availability == Availability.ALIVE:
        restore_message(message, now)
    elif availability == Availability.DELETED:
        if message.availability == Availability.PURGED:
            raise Conflict("availability", N_("This message was purged and cannot be restored"))
        message.availability = Availability.DELETED.value
        message.last_modified = now
    elif availability == Availability.PURGED:
        delete_message(session, blobs, message, now, purge=True)
    else:
        raise InvalidInput(
            [FieldProblem("availability", N_("Availability must be Alive, Deleted or Purged"))]
        )


def audio_of(blobs: BlobStore, message: VoicemailMessage) -> Path:
    """The WAV of a message that still has one."""
    if not message.blob_key:
        raise NotFound("attachmentId")
    path = blobs.path(message.blob_key)
    if not path.is_file():
        log.error("voicemail %s has lost its audio file %s", message.id, message.blob_key)
        raise NotFound("attachmentId")
    return path


def duration_seconds(message: VoicemailMessage) -> int:
    """The length in whole seconds, rounded to the nearest."""
    return (message.duration_ms + 500) // 1000
