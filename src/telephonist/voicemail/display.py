"""Voicemails as the guide's Messages table shows them (VM-4): priority, who left the
message (extension number, or the number as the user's country writes it, and the name),
its length, and when it was received in the user's time zone and formats."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from telephonist.accounts.users import EffectiveRegional
from telephonist.calllog.display import length_text, moment_text, number_text
from telephonist.store.voicemail import VoicemailMessage
from telephonist.voicemail.messages import Priority, ReadStatus, duration_seconds


@dataclass(frozen=True)
class MessageLine:
    """One row of the Inbox or of Deleted Items."""

    id: int
    unread: bool
    urgent: bool
    party: str
    name: str
    dial: str
    """What to call back ("" when the caller ID was withheld)."""
    blockable: bool
    """The caller has a phone number to block (BLK-7)."""
    length: str
    when: str


def message_line(message: VoicemailMessage, settings: EffectiveRegional) -> MessageLine:
    number = message.from_number
    shown = number_text(number, settings.home_country) if number else ""
    return MessageLine(
        id=message.id,
        unread=message.read_status == ReadStatus.UNREAD,
        urgent=message.priority == Priority.HIGH,
        party=message.from_extension or shown,
        name=message.from_name,
        dial=message.from_extension or number,
        blockable=bool(number),
        length=length_text(duration_seconds(message)),
        when=moment_text(message.created_at, settings),
    )


def message_lines(
    messages: Iterable[VoicemailMessage], settings: EffectiveRegional
) -> list[MessageLine]:
    return [message_line(message, settings) for message in messages]
