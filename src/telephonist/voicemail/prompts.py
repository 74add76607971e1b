"""What the voicemail applications say, as an interface: the prompt library
(``telephonist.prompts``) renders each kind in the caller's language; tests use a fake
that remembers what was said. Kinds are names, not text, so the wording (English and the
guide's French) lives with the recordings."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from telephonist.media.engine import PcmSource


class PromptKind(StrEnum):
    """Every prompt voicemail plays; the parts each one takes are in brackets."""

    VOICEMAIL_GREETING = "voicemail-greeting"
    """"<name> is not available. Please leave a message after the tone." [name]"""
    MESSAGE_RECORDED = "message-recorded"
    """"Your message has been recorded.\""""
    ENTER_PIN = "enter-pin"
    """"Please enter your PIN, then press pound.\""""
    WRONG_PIN = "wrong-pin"
    """"That PIN is not correct.\""""
    MAILBOX_SUMMARY = "mailbox-summary"
    """"You have <new> new and <saved> saved messages." [new, saved: int]"""
    MESSAGE_OPTIONS = "message-options"
    """"To delete this message press 7, to save it press 9, to hear it again press 4,
    to call back press 5, for the next message press pound, for the main menu press
    star.\""""
    MESSAGE_DELETED = "message-deleted"
    """"Message deleted.\""""
    MESSAGE_SAVED = "message-saved"
    """"Message saved.\""""
    NO_MORE_MESSAGES = "no-more-messages"
    """"There are no more messages.\""""
    MAIN_MENU = "main-menu"
    """"To listen to your messages press 1, to change your greeting press 3, to exit
    press star.\""""
    RECORD_GREETING = "record-greeting"
    """"Record your greeting after the tone, then press pound.\""""
    GREETING_SAVED = "greeting-saved"
    """"Your greeting has been saved.\""""
    INVALID_CHOICE = "invalid-choice"
    """"That choice is not valid.\""""
    GOODBYE = "goodbye"
    """"Goodbye.\""""


class Prompts(Protocol):
    """Audio for prompts and the beep, in a language ("en" or "fr")."""

    def source(self, kind: str, language: str, **parts: str | int) -> PcmSource:
        """The prompt ``kind`` (a ``PromptKind`` value) with its parts filled in."""
        ...

    def beep(self) -> PcmSource:
        """The tone before a recording starts."""
        ...
