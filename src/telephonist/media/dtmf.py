"""RFC 4733 telephone-events: the payload, a receiver that reports each key press once, and
the packet schedule a sender follows. Sans-I/O: callers feed packets and own the clock."""

from __future__ import annotations

import struct
from collections import deque
from dataclasses import dataclass

from telephonist.media.rtp import RtpParseError

DTMF_DIGITS = "0123456789*#ABCD"
"""Event codes 0-15 of RFC 4733 §3.2, in order."""

_EVENT = struct.Struct("!BBH")


def event_code(digit: str) -> int:
    """The RFC 4733 event code of a DTMF key such as ``"5"``, ``"*"`` or ``"D"``."""
    code = DTMF_DIGITS.find(digit.upper())
    if len(digit) != 1 or code < 0:
        raise ValueError(f"not a DTMF digit: {digit!r}")
    return code


@dataclass(frozen=True)
class TelephoneEvent:
    """One event block; ``duration`` is in RTP timestamp units since the event started."""

    event: int
    end: bool = False
    volume: int = 10
    duration: int = 0

    @classmethod
    def parse(cls, data: bytes) -> TelephoneEvent:
        """Parse the first event block (redundant blocks after it repeat older events)."""
        if len(data) < _EVENT.size:
            raise RtpParseError("telephone-event payload is truncated")
        event, flags, duration = _EVENT.unpack_from(data)
        return cls(event, bool(flags & 0x80), flags & 0x3F, duration)

    def serialize(self) -> bytes:
        return _EVENT.pack(self.event, self.end << 7 | self.volume, self.duration)


@dataclass(frozen=True)
class DtmfDigit:
    """A key press received on a leg; ``timestamp`` is the RTP timestamp of its start."""

    digit: str
    timestamp: int


class DtmfReceiver:
    """Reports each key press once, at its first packet, whatever the loss, duplication or
    reordering of its start, update and end packets.

    A key press is known by its event code and RTP timestamp, which all its packets share;
    the last ``memory`` presses are remembered to ignore their late packets.
    """

    def __init__(self, memory: int = 16) -> None:
        self._seen: deque[tuple[int, int]] = deque(maxlen=memory)

    def receive(self, timestamp: int, payload: bytes) -> DtmfDigit | None:
        """Feed one telephone-event payload; returns the digit when it is a new key press."""
        event = TelephoneEvent.parse(payload)
        if event.event >= len(DTMF_DIGITS):
            return None
        key = (timestamp, event.event)
        if key in self._seen:
            return None
        self._seen.append(key)
        return DtmfDigit(DTMF_DIGITS[event.event], timestamp)


@dataclass(frozen=True)
class ScheduledEvent:
    """A telephone-event packet to send ``offset`` seconds after the key press starts."""

    offset: float
    marker: bool
    event: TelephoneEvent


def digit_schedule(
    digit: str,
    *,
    duration_ms: int = 100,
    volume: int = 10,
    clock_rate: int = 8000,
    update_ms: int = 50,
    end_repeats: int = 3,
) -> list[ScheduledEvent]:
    """The packets of one key press (RFC 4733 §2.5.1): a marked start, an update every
    ``update_ms``, and ``end_repeats`` end packets; all share the RTP timestamp of the start
    and each takes the next sequence number."""
    code = event_code(digit)
    total = duration_ms * clock_rate // 1000
    if not 0 < total <= 0xFFFF:
        raise ValueError(f"a key press lasts 1 to {0xFFFF * 1000 // clock_rate} ms")
    schedule = [
        ScheduledEvent(
            elapsed_ms / 1000,
            elapsed_ms == 0,
            TelephoneEvent(code, False, volume, elapsed_ms * clock_rate // 1000),
        )
        for elapsed_ms in range(0, duration_ms, update_ms)
    ]
    end = TelephoneEvent(code, True, volume, total)
    schedule += [ScheduledEvent(duration_ms / 1000, False, end)] * end_repeats
    return schedule
