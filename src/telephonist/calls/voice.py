"""The audio a plan runner plays, from the prompt library (speech in the user's greeting
language), the tones, the music tracks and the custom greetings users uploaded or
recorded (GS-1, GS-3, GS-4, VM-1, BLK-2, BLK-5). The answering rules name prompts by
their own kinds (domain.answering.plan); this module says which recording each is."""

from __future__ import annotations

import asyncio
from pathlib import Path

from telephonist.answering.recordings import greeting_blob_key
from telephonist.calls.channel import Channel
from telephonist.domain.answering.model import ConnectingAudioKind, HoldMusic
from telephonist.domain.answering.plan import Prompt
from telephonist.domain.answering.plan import PromptKind as PlanPrompt
from telephonist.errors import NotFound
from telephonist.media.engine import PcmSource
from telephonist.media.music import MusicTrack
from telephonist.media.sources import GainSource, LoopSource
from telephonist.media.tones import Tone, ringback
from telephonist.media.wav import WavFileSource
from telephonist.prompts.catalogue import PromptKind, prompt_language, prompt_text, slots
from telephonist.prompts.library import PromptLibrary
from telephonist.store.blobs import BlobStore
from telephonist.store.database import Database
from telephonist.voicemail.deposit import MessageTaker
from telephonist.voicemail.mailbox import MessageStore
from telephonist.voicemail.menu import mailbox_menu

PLAN_PROMPTS: dict[PlanPrompt, PromptKind] = {
    PlanPrompt.USER_GREETING: PromptKind.USER_GREETING,
    PlanPrompt.CONNECTING_MESSAGE: PromptKind.CONNECTING,
    PlanPrompt.SCREENING: PromptKind.SCREENING_ASK_NAME,
    PlanPrompt.VOICEMAIL_GREETING: PromptKind.VOICEMAIL_GREETING,
    PlanPrompt.UNAVAILABLE: PromptKind.UNAVAILABLE,
    PlanPrompt.ANNOUNCEMENT: PromptKind.ANNOUNCEMENT,
    PlanPrompt.BLOCKED: PromptKind.BLOCKED,
    PlanPrompt.BLOCKED_PAY_PHONE: PromptKind.PAYPHONE_BLOCKED,
    PlanPrompt.BLOCKED_NO_CALLER_ID: PromptKind.NO_CALLER_ID_BLOCKED,
    PlanPrompt.CALL_ANNOUNCEMENT: PromptKind.CALL_ANNOUNCEMENT,
    PlanPrompt.CALL_ANNOUNCEMENT_UNNAMED: PromptKind.CALL_ANNOUNCEMENT_NO_NAME,
    PlanPrompt.QUEUE_CALL_UNNAMED: PromptKind.QUEUE_CALL_ANNOUNCEMENT,
    PlanPrompt.PRESS_1_TO_ACCEPT: PromptKind.PRESS_1_TO_ACCEPT,
}
NAMELESS: dict[PromptKind, PromptKind] = {
    PromptKind.VOICEMAIL_GREETING: PromptKind.VOICEMAIL_GREETING_NO_NAME,
    PromptKind.CALL_ANNOUNCEMENT: PromptKind.CALL_ANNOUNCEMENT_NO_NAME,
}
"""What to say instead when the user has no name to speak."""


class VoicePrompts:
    """The plan runner's PromptSource."""

    def __init__(self, library: PromptLibrary, database: Database, blobs: BlobStore) -> None:
        self.library = library
        self.database = database
        self.blobs = blobs

    async def prompt(self, prompt: Prompt, account_id: int, extension_id: int) -> PcmSource:
        if prompt.custom_greeting_id is not None:
            path = await asyncio.to_thread(
                self._greeting_path, account_id, prompt.custom_greeting_id
            )
            if path is not None:
                return WavFileSource(path)
        kind = PLAN_PROMPTS[prompt.kind]
        language = prompt_language(prompt.language)
        if not prompt.name.strip() and kind in NAMELESS:
            kind = NAMELESS[kind]
        wanted = slots(prompt_text(kind, language))
        values = {"name": prompt.name} if "name" in wanted else {}
        return await self.library.prompt(language, kind, **values)

    async def screening_offer(self, language: str, name_recording: Path) -> PcmSource:
        return await self.library.prompt(
            language, PromptKind.SCREENING_OFFER, recorded_name=WavFileSource(name_recording)
        )

    async def enter_pin(self, language: str) -> PcmSource:
        return await self.library.prompt(language, PromptKind.ENTER_PIN)

    def beep(self) -> PcmSource:
        return Tone.BEEP.source()

    def ringback(self, country: str) -> PcmSource:
        return ringback(country)

    async def music(self, track: str) -> PcmSource:
        known = {music.value: music for music in MusicTrack}
        return await self.library.music(known.get(track.lower(), MusicTrack.ACOUSTIC))

    async def hold_music(self, account_id: int, music: HoldMusic, country: str) -> PcmSource | None:
        gain_db = music.gain_db
        if gain_db is None:
            return None
        path = None
        if music.kind is ConnectingAudioKind.CUSTOM and music.custom_id is not None:
            path = await asyncio.to_thread(self._greeting_path, account_id, music.custom_id)
        source: PcmSource
        if path is not None:
            source = LoopSource(WavFileSource(path))
        elif music.kind is ConnectingAudioKind.RING_TONES:
            source = self.ringback(country)
        else:  # a track, or a custom recording deleted since: the track
            source = await self.music(music.music_track)
        return GainSource(source, gain_db) if gain_db else source

    def _greeting_path(self, account_id: int, greeting_id: str) -> Path | None:
        """The audio of a custom greeting of this account, if it still exists."""
        with self.database.transaction() as session:
            try:
                blob_key = greeting_blob_key(session, account_id, greeting_id)
            except NotFound:
                return None
        path = self.blobs.path(blob_key)
        return path if path.exists() else None


class MailboxPins:
    """CH-5 "require my PIN to answer": the same PIN check (and lock-out after repeated
    failures) as the phone mailbox menu."""

    def __init__(self, store: MessageStore) -> None:
        self.store = store

    async def verify(self, account_id: int, extension_id: int, pin: str) -> bool:
        mailbox = await self.store.mailbox(account_id, extension_id)
        return await self.store.pin_matches(mailbox, pin)


class VoicemailService:
    """The plan runner's Voicemail: deposit and the mailbox menu of the voicemail
    package, with the prompt library's voice."""

    def __init__(self, store: MessageStore, library: PromptLibrary) -> None:
        self.store = store
        self.library = library
        self._taker = MessageTaker(store, library)

    async def take_message(
        self,
        channel: Channel,
        *,
        account_id: int,
        recipient_extension_id: int,
        greeting: PcmSource,
        max_seconds: int,
        called_number: str,
        called_name: str | None = None,
    ) -> bool:
        return await self._taker.take_message(
            channel,
            account_id=account_id,
            recipient_extension_id=recipient_extension_id,
            greeting=greeting,
            max_seconds=max_seconds,
            called_number=called_number,
            called_name=called_name,
        )

    async def menu(self, channel: Channel, account_id: int, extension_id: int) -> str | None:
        mailbox = await self.store.mailbox(account_id, extension_id)
        call_back = await mailbox_menu(channel, mailbox, store=self.store, prompts=self.library)
        return call_back.number if call_back is not None else None
