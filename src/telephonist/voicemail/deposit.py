"""Taking a message (VM-1, VM-2): the caller hears the greeting and a beep, then speaks
until they press #, hang up, fall silent or reach the limit the administrator set.

The message's row is committed before the beep ends and its audio is written as it
arrives (``voicemail.mailbox``), so what the caller said survives a crash; a recording
shorter than a second is not a message and is dropped."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from telephonist.calls.channel import Channel, HungUp, Party, RecordingEnd
from telephonist.media.engine import PcmSource
from telephonist.media.tones import Tone
from telephonist.prompts.catalogue import PromptKind, speakable
from telephonist.voicemail.mailbox import Mailbox, MessageStore
from telephonist.voicemail.prompts import Prompts

DEFAULT_MAX_SECONDS = 180.0
"""The longest message when the administrator set no limit."""
SILENCE_SECONDS = 5.0
"""This long without speech ends the message."""
STOP_KEY = "#"
MAILBOX_KEY = "*"
"""Pressed during the greeting: the mailbox owner wants their messages (VM-5)."""
BEEP = Tone.BEEP.source()


class MailboxRequested(Exception):
    """The caller pressed * during the greeting: open the mailbox menu instead."""


async def deposit(
    channel: Channel,
    recipient: Mailbox,
    greeting: PcmSource | None,
    *,
    store: MessageStore,
    prompts: Prompts,
    max_seconds: float = DEFAULT_MAX_SECONDS,
    called: Party | None = None,
) -> int | None:
    """Take a message for ``recipient``; returns its id, or None when the caller left none.

    ``greeting`` is the custom greeting, or None for the default "<name> is not
    available"; ``called`` is the extension the caller dialled when its messages go to
    another one (VM-2), by default the recipient. A key pressed during the greeting skips
    to the beep, except * which raises MailboxRequested."""
    language = channel.language
    called = called or recipient.party
    try:
        pressed = await channel.play(
            greeting or await _default_greeting(prompts, language, called.name),
            interruptible=True,
        )
        channel.flush_keys()
        if pressed == MAILBOX_KEY:
            raise MailboxRequested
        await channel.play(BEEP)
    except HungUp:
        return None
    recording = await store.begin_message(recipient, channel.caller, called)
    recorded = await channel.record(
        recording.sink,
        max_seconds=max_seconds,
        stop_keys=STOP_KEY,
        silence_seconds=SILENCE_SECONDS,
    )
    kept = await store.finish_message(recording)
    if recorded.end is not RecordingEnd.HANG_UP:
        with contextlib.suppress(HungUp):
            if kept:
                await channel.play(await prompts.prompt(language, PromptKind.MESSAGE_RECORDED))
            else:
                await channel.play(await prompts.prompt(language, PromptKind.MESSAGE_TOO_SHORT))
                await channel.play(await prompts.prompt(language, PromptKind.GOODBYE))
            await channel.hang_up()
    return recording.message_id if kept else None


async def _default_greeting(prompts: Prompts, language: str, name: str | None) -> PcmSource:
    """ "<name> is not available. Please leave a message after the tone." """
    if name and speakable(name):
        return await prompts.prompt(language, PromptKind.VOICEMAIL_GREETING, name=name)
    return await prompts.prompt(language, PromptKind.VOICEMAIL_GREETING_NO_NAME)


@dataclass(frozen=True)
class MessageTaker:
    """``deposit`` as the plan executor calls it for a plan's "take a message" step."""

    store: MessageStore
    prompts: Prompts

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
        """Play ``greeting``, record a message for the recipient; True when one was kept.
        ``called_number`` (what the caller dialled) and ``called_name`` (whom they called,
        by default the recipient: VM-2 sends another extension's messages here) are the
        message's "to"."""
        recipient = await self.store.mailbox(account_id, recipient_extension_id)
        called = Party(
            called_number or recipient.extension_number,
            recipient.name if called_name is None else called_name,
        )
        message_id = await deposit(
            channel,
            recipient,
            greeting,
            store=self.store,
            prompts=self.prompts,
            max_seconds=max_seconds,
            called=called,
        )
        return message_id is not None
