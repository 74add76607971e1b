"""The message store as the voice applications use it during a call: each method runs
the service functions of ``voicemail.messages`` and ``answering.greetings`` in a worker
thread, in a transaction of its own, so the event loop that carries the call's audio never
waits on the database, and every step is committed before the next one starts."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from telephonist.accounts.extensions import get_extension
from telephonist.answering.codec import GreetingType
from telephonist.answering.greetings import save_custom_greeting
from telephonist.calls.channel import Party
from telephonist.domain.failure_limits import FailureLimiter
from telephonist.errors import NotFound
from telephonist.identity.hashing import verify_secret
from telephonist.media.wav import WavFileSink, WavFileSource
from telephonist.prompts.catalogue import speakable, spoken_digits
from telephonist.runtime import Runtime
from telephonist.store.base import utcnow
from telephonist.store.blobs import BlobStore
from telephonist.store.database import Database
from telephonist.store.extensions import UserProfile
from telephonist.store.voicemail import VoicemailMessage
from telephonist.voicemail import messages
from telephonist.voicemail.messages import MIN_MESSAGE_MS, MessageParty, ReadStatus
from telephonist.voicemail.waiting import MessageCounts

T = TypeVar("T")


@dataclass(frozen=True)
class Mailbox:
    """Whose messages: the extension that receives them (VM-2: the called extension, or
    the one its settings name as message recipient)."""

    account_id: int
    extension_id: int
    extension_number: str
    name: str

    @property
    def party(self) -> Party:
        return Party(self.extension_number, self.name)


def mailbox_of(session: Session, account_id: int, extension_id: int) -> Mailbox:
    """The mailbox of an extension of this account."""
    extension = get_extension(session, account_id, extension_id)
    return Mailbox(account_id, extension.id, extension.number, extension.name)


@dataclass(frozen=True)
class Recording:
    """A message being recorded: its committed row and where the audio goes."""

    message_id: int
    sink: WavFileSink


@dataclass(frozen=True)
class GreetingRecording:
    """A greeting being recorded by phone, not yet the extension's greeting."""

    blob_key: str
    sink: WavFileSink


@dataclass(frozen=True)
class MessageToPlay:
    """A message as the phone menu plays it."""

    message_id: int
    audio: WavFileSource
    new: bool
    caller: str
    """Who left it, as the menu says it: their name, or their number digit by digit; ""
    when the caller ID was withheld."""
    callback_number: str
    """The caller's number or extension, "" when the caller ID was withheld."""


RECORDING_FOLDER = "greetings/by-phone"
"""Where a greeting recorded by phone is written as it is spoken, before it is kept."""
RECORDED_BY_PHONE = "recorded-by-phone.wav"
PIN_FAILURES = 10
"""Wrong PINs for one mailbox, over all calls, before it refuses every PIN for a while."""
PIN_WINDOW_SECONDS = 900.0


class MessageStore:
    """Storage for the voicemail applications of one process."""

    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        clock: Callable[[], datetime] = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.clock = clock
        self.monotonic = monotonic
        self.pin_guard = FailureLimiter(PIN_FAILURES, PIN_WINDOW_SECONDS, PIN_WINDOW_SECONDS)

    @classmethod
    def of(cls, runtime: Runtime) -> MessageStore:
        return cls(runtime.db, runtime.blobs, monotonic=runtime.monotonic)

    def _commit(self, work: Callable[[Session], T]) -> T:
        with self.db.transaction() as session:
            return work(session)

    async def _run(self, work: Callable[[Session], T]) -> T:
        return await asyncio.to_thread(self._commit, work)

    async def mailbox(self, account_id: int, extension_id: int) -> Mailbox:
        """The mailbox of an extension of this account (NotFound otherwise)."""
        return await self._run(lambda session: mailbox_of(session, account_id, extension_id))

    async def begin_message(self, mailbox: Mailbox, caller: Party, called: Party) -> Recording:
        """Commit the row of a new message ("InProgress") and say where to record it."""

        def work(session: Session) -> Recording:
            message = messages.open_message(
                session,
                account_id=mailbox.account_id,
                extension_id=mailbox.extension_id,
                caller=MessageParty.from_network(caller.number, caller.name),
                called=MessageParty.from_network(called.number, called.name),
                now=self.clock(),
            )
            return Recording(message.id, WavFileSink(messages.audio_file(self.blobs, message)))

        return await self._run(work)

    async def finish_message(self, recording: Recording) -> bool:
        """Finish the message from what was recorded; False when it was too short to keep."""

        def work(session: Session) -> bool:
            message = session.get(VoicemailMessage, recording.message_id)
            if message is None:
                return False
            return messages.complete_message(session, self.blobs, message, self.clock())

        return await self._run(work)

    async def counts(self, mailbox: Mailbox) -> MessageCounts:
        return await self._run(
            lambda session: messages.message_counts(
                session, mailbox.account_id, mailbox.extension_id
            )
        )

    async def messages_to_play(self, mailbox: Mailbox) -> list[MessageToPlay]:
        """New messages, then saved ones."""

        def work(session: Session) -> list[MessageToPlay]:
            found = messages.messages_to_play(session, mailbox.account_id, mailbox.extension_id)
            playable = []
            for message in found:
                try:
                    audio = WavFileSource(messages.audio_of(self.blobs, message))
                except NotFound:
                    continue  # its lost file is logged; the other messages still play
                playable.append(
                    MessageToPlay(
                        message.id,
                        audio,
                        message.read_status == ReadStatus.UNREAD,
                        speakable(message.from_name)
                        or spoken_digits(message.from_number or message.from_extension),
                        message.from_number or message.from_extension,
                    )
                )
            return playable

        return await self._run(work)

    async def mark_read(self, mailbox: Mailbox, message_id: int) -> None:
        def work(session: Session) -> None:
            message = messages.get_message(
                session, mailbox.account_id, mailbox.extension_id, message_id
            )
            messages.set_read_status(message, ReadStatus.READ, self.clock())

        await self._run(work)

    async def delete(self, mailbox: Mailbox, message_id: int) -> None:
        """Move the message to Deleted Items (restorable from the portal)."""

        def work(session: Session) -> None:
            message = messages.get_message(
                session, mailbox.account_id, mailbox.extension_id, message_id
            )
            messages.delete_message(session, self.blobs, message, self.clock())

        await self._run(work)

    async def pin_matches(self, mailbox: Mailbox, pin: str) -> bool:
        """VM-5: the mailbox owner's PIN (ACC-4); an extension without one never matches.
        After PIN_FAILURES wrong PINs in PIN_WINDOW_SECONDS, calls as many as they may,
        the mailbox refuses every PIN for that long: guessing six digits takes ages."""
        key = f"{mailbox.account_id}:{mailbox.extension_id}"
        if self.pin_guard.retry_after(key, self.monotonic()) > 0:
            return False

        def work(session: Session) -> bool:
            user = session.get(UserProfile, mailbox.extension_id)
            if user is None or user.account_id != mailbox.account_id:
                return False
            return verify_secret(user.pin_hash, pin)

        if await self._run(work):
            self.pin_guard.record_success(key)
            return True
        self.pin_guard.record_failure(key, self.monotonic())
        return False

    def new_greeting(self) -> GreetingRecording:
        """Where to record a greeting by phone."""
        key = f"{RECORDING_FOLDER}/{secrets.token_hex(16)}.wav"
        path = self.blobs.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        return GreetingRecording(key, WavFileSink(path))

    async def keep_greeting(self, mailbox: Mailbox, recording: GreetingRecording) -> bool:
        """Make a greeting recorded by phone the mailbox's voicemail greeting; a recording
        shorter than a second is dropped. Returns whether it was kept."""
        if messages.audio_length_ms(recording.sink.path) < MIN_MESSAGE_MS:
            self.drop_greeting(recording)
            return False

        def work(session: Session) -> None:
            save_custom_greeting(
                session,
                self.blobs,
                mailbox.account_id,
                mailbox.extension_id,
                GreetingType.VOICEMAIL,
                self.blobs.get(recording.blob_key),
                RECORDED_BY_PHONE,
            )

        await self._run(work)
        self.drop_greeting(recording)
        return True

    def drop_greeting(self, recording: GreetingRecording) -> None:
        self.blobs.delete(recording.blob_key)
