"""Listening to voicemail by phone (VM-5), protected by the user's PIN (ACC-4).

After the PIN (three tries), the caller hears how many new and saved messages wait, then
each new message and each saved one, oldest first, each announced by who left it. During
or after a message: 7 deletes it (to Deleted Items, restorable), 9 saves it, 4 plays it
again, 5 calls the caller back, # goes to the next one and * to the main menu. A message
heard to its end counts as read. The main menu offers 1 for new messages, 2 for saved
ones, 3 to record a new voicemail greeting and * to leave."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from telephonist.calls.channel import Channel, HungUp, RecordingEnd
from telephonist.domain.credentials import PIN_MAX_LENGTH
from telephonist.media.engine import PcmSource
from telephonist.prompts.catalogue import PromptKind
from telephonist.prompts.library import Say, SlotValue
from telephonist.voicemail.deposit import BEEP, SILENCE_SECONDS, STOP_KEY
from telephonist.voicemail.mailbox import Mailbox, MessageStore, MessageToPlay
from telephonist.voicemail.prompts import Prompts

PIN_TRIES = 3
PIN_TIMEOUT = 10.0
CHOICE_TIMEOUT = 5.0
"""Seconds to wait for a key after a menu was read out."""
MENU_REPEATS = 3
"""A menu is read out this many times without an answer before moving on."""
GREETING_MAX_SECONDS = 120.0


@dataclass(frozen=True)
class CallBack:
    """The user pressed 5: the plan executor calls ``number`` for them."""

    number: str


class _After(Enum):
    """Where the caller goes after a message."""

    NEXT = "next"
    MAIN_MENU = "main menu"


class _Folder(Enum):
    """Which messages to play."""

    ALL = "all"
    NEW = "new"
    SAVED = "saved"


@dataclass
class _Session:
    """One caller in the menu."""

    channel: Channel
    mailbox: Mailbox
    store: MessageStore
    prompts: Prompts

    async def prompt(self, kind: PromptKind, **values: SlotValue) -> PcmSource:
        return await self.prompts.prompt(self.channel.language, kind, **values)

    async def say(self, kind: PromptKind, **values: SlotValue) -> None:
        await self.channel.play(await self.prompt(kind, **values))

    async def choice(self, source: PcmSource | None = None) -> str:
        """A key pressed while ``source`` plays or in the seconds after; "" if none."""
        if source is not None:
            await self.channel.play(source, interruptible=True)
        return await self.channel.read_keys(1, timeout=CHOICE_TIMEOUT, terminators="")


async def mailbox_menu(
    channel: Channel, mailbox: Mailbox, *, store: MessageStore, prompts: Prompts
) -> CallBack | None:
    """Run the menu until the caller leaves; a CallBack when they asked to call someone."""
    caller = _Session(channel, mailbox, store, prompts)
    try:
        if not await _pin_accepted(caller):
            await _goodbye(caller)
            return None
        counts = await store.counts(mailbox)
        summary = await prompts.sequence(
            channel.language,
            Say(PromptKind.NEW_MESSAGES, {"count": counts.new}),
            Say(PromptKind.SAVED_MESSAGES, {"count": counts.old}),
        )
        await channel.play(summary)
        call_back = await _listen(caller, _Folder.ALL)
        if call_back is None:
            call_back = await _main_menu(caller)
        if call_back is None:
            await _goodbye(caller)
        return call_back
    except HungUp:
        return None


async def _goodbye(caller: _Session) -> None:
    await caller.say(PromptKind.GOODBYE)
    await caller.channel.hang_up()


async def _pin_accepted(caller: _Session) -> bool:
    channel = caller.channel
    for _ in range(PIN_TRIES):
        await channel.play(await caller.prompt(PromptKind.ENTER_PIN), interruptible=True)
        pin = await channel.read_keys(PIN_MAX_LENGTH + 1, timeout=PIN_TIMEOUT, terminators="#")
        if pin and await caller.store.pin_matches(caller.mailbox, pin):
            return True
        await caller.say(PromptKind.INCORRECT_PIN)
        channel.flush_keys()
    return False


async def _listen(caller: _Session, folder: _Folder) -> CallBack | None:
    """The folder's messages in turn; None when they are over or the caller asked for
    the main menu."""
    found = await caller.store.messages_to_play(caller.mailbox)
    if folder is not _Folder.ALL:
        found = [message for message in found if message.new == (folder is _Folder.NEW)]
    for message in found:
        after = await _one_message(caller, message)
        if after is _After.MAIN_MENU:
            return None
        if isinstance(after, CallBack):
            return after
    await caller.say(PromptKind.NO_MORE_MESSAGES)
    return None


async def _one_message(caller: _Session, message: MessageToPlay) -> CallBack | _After:
    key = await _play_message(caller, message, announce=True)
    options = await caller.prompt(PromptKind.MESSAGE_MENU)
    silent_rounds = 0
    while True:
        choice = await caller.choice(None if key is not None else options)
        key = None
        silent_rounds = silent_rounds + 1 if choice == "" else 0
        if choice == "7":
            await caller.store.delete(caller.mailbox, message.message_id)
            await caller.say(PromptKind.MESSAGE_DELETED)
            return _After.NEXT
        if choice == "9":
            await caller.store.mark_read(caller.mailbox, message.message_id)
            await caller.say(PromptKind.MESSAGE_SAVED)
            return _After.NEXT
        if choice == "4":
            key = await _play_message(caller, message, announce=False)
        elif choice == "5" and message.callback_number:
            return CallBack(message.callback_number)
        elif choice == "#":
            return _After.NEXT
        elif choice == "*":
            return _After.MAIN_MENU
        elif choice == "":
            if silent_rounds >= MENU_REPEATS:
                return _After.NEXT
        else:
            await caller.say(PromptKind.INVALID_ENTRY)


async def _play_message(caller: _Session, message: MessageToPlay, *, announce: bool) -> str | None:
    """Say who left the message, then play it; heard to its end, it counts as read.
    Returns the key that interrupted it."""
    channel = caller.channel
    if announce and message.caller:
        key = await channel.play(
            await caller.prompt(PromptKind.MESSAGE_FROM, caller=message.caller), interruptible=True
        )
        if key is not None:
            return key
    key = await channel.play(message.audio, interruptible=True)
    if key is None:
        await caller.store.mark_read(caller.mailbox, message.message_id)
    return key


async def _main_menu(caller: _Session) -> CallBack | None:
    """1 plays new messages, 2 saved ones, 3 records a greeting, * (or silence) leaves."""
    silent_rounds = 0
    while silent_rounds < MENU_REPEATS:
        choice = await caller.choice(await caller.prompt(PromptKind.MAILBOX_MENU))
        silent_rounds = silent_rounds + 1 if choice == "" else 0
        if choice in ("1", "2"):
            call_back = await _listen(caller, _Folder.NEW if choice == "1" else _Folder.SAVED)
            if call_back is not None:
                return call_back
        elif choice == "3":
            await _record_greeting(caller)
        elif choice == "*":
            return None
        elif choice != "":
            await caller.say(PromptKind.INVALID_ENTRY)
    return None


async def _record_greeting(caller: _Session) -> None:
    """VM-1's "call me" recording, from the mailbox: the new greeting replaces the old one
    once it is kept; hanging up while recording keeps the old one."""
    channel = caller.channel
    await channel.play(await caller.prompt(PromptKind.RECORD_GREETING), interruptible=True)
    channel.flush_keys()
    await channel.play(BEEP)
    recording = caller.store.new_greeting()
    recorded = await channel.record(
        recording.sink,
        max_seconds=GREETING_MAX_SECONDS,
        stop_keys=STOP_KEY,
        silence_seconds=SILENCE_SECONDS,
    )
    if recorded.end is RecordingEnd.HANG_UP:
        caller.store.drop_greeting(recording)
        raise HungUp
    if await caller.store.keep_greeting(caller.mailbox, recording):
        await caller.say(PromptKind.GREETING_SAVED)
    else:
        await caller.say(PromptKind.MESSAGE_TOO_SHORT)
