"""Call-progress tones the system plays itself: ringback while connecting (GS-4 "ring
tones"), busy, and the voicemail beep. Each is a cadence (frequencies sounding for a while,
then silence) that :class:`ToneSource` synthesises on the fly: a tone is a few numbers, so
no file is needed and every tone is exact at 8 kHz.

Ringback depends on the country's network, not on the caller's language: French-speaking
Canada hears the North American ring.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from telephonist.media.engine import SAMPLE_RATE
from telephonist.media.sources import reframe

TONE_LEVEL_DBFS = -16.0
"""Amplitude of each frequency of a tone, as a sine's peak relative to full scale (about
-13 dBm0, the level networks send call-progress tones at)."""


@dataclass(frozen=True)
class Segment:
    """``seconds`` of the given frequencies summed (none: silence)."""

    seconds: float
    frequencies: tuple[float, ...] = ()


@dataclass(frozen=True)
class ToneSource:
    """Plays ``segments`` in order, ``repeat`` times (None: until stopped)."""

    segments: tuple[Segment, ...]
    repeat: int | None = None
    level_dbfs: float = TONE_LEVEL_DBFS

    def frames(self, samples: int) -> Iterator[bytes]:
        period = self.period_pcm()
        if not period:
            return iter(())
        rounds = repeat(period) if self.repeat is None else repeat(period, self.repeat)
        return reframe(rounds, samples)

    def period_pcm(self) -> bytes:
        """One round of the cadence as 16-bit PCM. Each burst starts and ends at zero
        with 5 ms ramps, so the tone does not click."""
        amplitude = 32767 * 10 ** (self.level_dbfs / 20)
        pieces: list[np.ndarray] = []
        for segment in self.segments:
            count = round(segment.seconds * SAMPLE_RATE)
            times = np.arange(count) / SAMPLE_RATE
            wave = np.zeros(count)
            for frequency in segment.frequencies:
                wave += np.sin(2 * math.pi * frequency * times)
            ramp = min(count // 2, SAMPLE_RATE // 200)
            if ramp:
                envelope = np.linspace(0.0, 1.0, ramp, endpoint=False)
                wave[:ramp] *= envelope
                wave[count - ramp :] *= envelope[::-1]
            pieces.append(wave * amplitude)
        pcm = np.concatenate(pieces) if pieces else np.zeros(0)
        encoded: bytes = np.clip(np.round(pcm), -32768, 32767).astype("<i2").tobytes()
        return encoded


class Tone(enum.Enum):
    """The tones of the product, by purpose and network."""

    RINGBACK_US = "ringback-us"
    RINGBACK_FR = "ringback-fr"
    BUSY_US = "busy-us"
    BUSY_FR = "busy-fr"
    BEEP = "beep"

    def source(self) -> ToneSource:
        return _TONES[self]


_TONES = {
    # North America (ANSI T1.401): 440 + 480 Hz, 2 s on, 4 s off.
    Tone.RINGBACK_US: ToneSource((Segment(2.0, (440.0, 480.0)), Segment(4.0))),
    # France: 440 Hz, 1.5 s on, 3.5 s off.
    Tone.RINGBACK_FR: ToneSource((Segment(1.5, (440.0,)), Segment(3.5))),
    Tone.BUSY_US: ToneSource((Segment(0.5, (480.0, 620.0)), Segment(0.5))),
    Tone.BUSY_FR: ToneSource((Segment(0.5, (440.0,)), Segment(0.5))),
    # "Leave a message after the tone": one 1 kHz beep, a little louder than call progress.
    Tone.BEEP: ToneSource((Segment(0.5, (1000.0,)),), repeat=1, level_dbfs=-10.0),
}


def ringback(country: str) -> ToneSource:
    """The ringback callers of a ``country`` (ISO code of the account's home country)
    expect to hear while their call connects."""
    return Tone.RINGBACK_FR.source() if country.upper() == "FR" else Tone.RINGBACK_US.source()


def busy(country: str) -> ToneSource:
    """The busy tone of a ``country``'s network."""
    return Tone.BUSY_FR.source() if country.upper() == "FR" else Tone.BUSY_US.source()
