"""Message-waiting indication (RFC 3842): the ``application/simple-message-summary`` body
a phone's message light follows. Pure: the counts come from
``voicemail.messages.message_counts`` and the SIP side sends the NOTIFY."""

from __future__ import annotations

from dataclasses import dataclass

CONTENT_TYPE = "application/simple-message-summary"
EVENT = "message-summary"


@dataclass(frozen=True)
class MessageCounts:
    """A mailbox's voicemails: ``new`` are unread, ``old`` are read (the phone menu's
    "saved"); the urgent ones (priority High) are counted in both totals too."""

    new: int = 0
    old: int = 0
    new_urgent: int = 0
    old_urgent: int = 0

    def __post_init__(self) -> None:
        if min(self.new, self.old, self.new_urgent, self.old_urgent) < 0:
            raise ValueError("message counts cannot be negative")
        if self.new_urgent > self.new or self.old_urgent > self.old:
            raise ValueError("urgent messages are counted in the totals too")


def message_summary(counts: MessageCounts, account_uri: str | None = None) -> str:
    """The body of RFC 3842 §5.2: "Messages-Waiting" is yes while a message is new, and
    "Voice-Message" is new/old (urgent new/urgent old)."""
    if account_uri is not None and any(c in account_uri for c in "\r\n"):
        raise ValueError("the account URI must be one line")
    lines = [f"Messages-Waiting: {'yes' if counts.new else 'no'}"]
    if account_uri:
        lines.append(f"Message-Account: {account_uri}")
    lines.append(
        f"Voice-Message: {counts.new}/{counts.old} ({counts.new_urgent}/{counts.old_urgent})"
    )
    return "".join(line + "\r\n" for line in lines)
