"""What the voicemail applications ask of the prompt library: the part of
``prompts.library.PromptLibrary`` they use, as a protocol, so tests can hand them a fake
that remembers what was said. The beep before a recording is ``media.tones.Tone.BEEP``.

Kinds used (``prompts.catalogue.PromptKind``): VOICEMAIL_GREETING {name} or
VOICEMAIL_GREETING_NO_NAME, MESSAGE_RECORDED, MESSAGE_TOO_SHORT when taking a message;
ENTER_PIN, INCORRECT_PIN, NEW_MESSAGES {count} + SAVED_MESSAGES {count}, MESSAGE_FROM
{caller}, MESSAGE_MENU, MESSAGE_DELETED, MESSAGE_SAVED, NO_MORE_MESSAGES, MAILBOX_MENU,
RECORD_GREETING, GREETING_SAVED, INVALID_ENTRY and GOODBYE in the mailbox menu."""

from __future__ import annotations

from typing import Protocol

from telephonist.media.engine import PcmSource
from telephonist.prompts.catalogue import PromptKind
from telephonist.prompts.library import Say, SlotValue


class Prompts(Protocol):
    """Prompts in a language ("en" or "fr", or a locale such as "fr-FR")."""

    async def prompt(self, language: str, kind: PromptKind, /, **values: SlotValue) -> PcmSource:
        """One prompt with its slots filled in."""
        ...

    async def sequence(self, language: str, *items: Say) -> PcmSource:
        """Several prompts played as one."""
        ...
