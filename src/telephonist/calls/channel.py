"""What a voice application (voicemail, call screening, the mailbox menu, announcements)
sees of the call it serves: one answered leg it can play to, record from, and read keys
from. The plan executor implements it on a SIP leg and the media engine; tests implement
it in memory. Voice applications never touch SIP or RTP themselves.

Keys arrive however the phone sends them (RFC 4733 events, SIP INFO, in-band tones) and
are queued in order, so a key pressed during a prompt is not lost."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from telephonist.media.engine import PcmSink, PcmSource


class RecordingEnd(enum.Enum):
    """Why a recording stopped."""

    KEY = "key"  # the caller pressed one of the stop keys
    HANG_UP = "hang-up"
    SILENCE = "silence"
    LIMIT = "limit"  # the maximum length was reached


@dataclass(frozen=True)
class Recorded:
    end: RecordingEnd
    seconds: float
    key: str | None = None


@dataclass(frozen=True)
class Party:
    """Who is on the other end, as far as we know."""

    number: str | None  # E.164, an extension number, or None when withheld
    name: str | None


class HungUp(Exception):
    """The caller hung up: raised by every Channel method called after that, so an
    application unwinds at once (recordings are kept: see Channel.record)."""


class Channel(Protocol):
    """One answered call leg."""

    @property
    def caller(self) -> Party: ...

    @property
    def language(self) -> str:
        """The prompts' language (the called user's greeting language: en or fr)."""
        ...

    async def play(self, source: PcmSource, *, interruptible: bool = False) -> str | None:
        """Play ``source`` to the end. When ``interruptible``, a key press stops it and
        is returned (and stays queued for ``read_keys``); otherwise keys stay queued."""
        ...

    async def record(
        self,
        sink: PcmSink,
        *,
        max_seconds: float,
        stop_keys: str = "#",
        silence_seconds: float | None = None,
    ) -> Recorded:
        """Record what the caller says into ``sink`` (written as it arrives, so a crash
        keeps what was said) until a stop key, hang-up, silence or the limit. Does not
        raise HungUp: a message left by hanging up is a normal message."""
        ...

    async def read_keys(self, count: int, *, timeout: float, terminators: str = "#") -> str:
        """Up to ``count`` keys (queued ones first), ending early on a terminator (not
        returned) or when ``timeout`` seconds pass without a key. "" when none came."""
        ...

    def flush_keys(self) -> None:
        """Forget keys pressed so far (before a question whose answer must be fresh)."""
        ...

    async def hang_up(self) -> None:
        """End the call (BYE). Idempotent."""
        ...
