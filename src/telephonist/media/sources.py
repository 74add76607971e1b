"""Building audio to play out of smaller sources: a prompt is spoken sentences, a recorded
name and a beep in a row; hold music loops; a greeting is played at the user's volume.

Every source here is a frozen dataclass of picklable parts, so the worker pool can open it
in a worker, and yields exact ``samples``-long frames (only the very last may be short)
whatever the lengths of its parts: the engine paces one frame per 20 ms, so a short frame in
the middle would make a gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

import numpy as np

from telephonist.media.engine import SAMPLE_RATE, PcmSource


def reframe(chunks: Iterable[bytes], samples: int) -> Iterator[bytes]:
    """Cut a stream of PCM byte chunks of any lengths into frames of ``samples`` samples."""
    size = 2 * samples
    pending = bytearray()
    for chunk in chunks:
        pending += chunk
        while len(pending) >= size:
            yield bytes(pending[:size])
            del pending[:size]
    if pending:
        yield bytes(pending[: len(pending) // 2 * 2])


@dataclass(frozen=True)
class SilenceSource:
    """``seconds`` of digital silence: the pause between two sentences of a prompt."""

    seconds: float

    def frames(self, samples: int) -> Iterator[bytes]:
        remaining = round(self.seconds * SAMPLE_RATE)
        while remaining > 0:
            count = min(samples, remaining)
            yield bytes(2 * count)
            remaining -= count


@dataclass(frozen=True)
class PcmBytesSource:
    """Audio already in memory (a short generated tone, a test signal)."""

    pcm: bytes

    def frames(self, samples: int) -> Iterator[bytes]:
        size = 2 * samples
        for start in range(0, len(self.pcm) - len(self.pcm) % 2, size):
            yield self.pcm[start : start + size]


@dataclass(frozen=True)
class SequenceSource:
    """Plays its parts one after the other as one seamless stream."""

    parts: tuple[PcmSource, ...]

    def frames(self, samples: int) -> Iterator[bytes]:
        return reframe((frame for part in self.parts for frame in part.frames(samples)), samples)


@dataclass(frozen=True)
class LoopSource:
    """Repeats ``source`` until the engine stops playing it (music on hold, ringback), or
    ``times`` times when given. An empty source plays nothing instead of spinning."""

    source: PcmSource
    times: int | None = None

    def frames(self, samples: int) -> Iterator[bytes]:
        return reframe(self._rounds(samples), samples)

    def _rounds(self, samples: int) -> Iterator[bytes]:
        done = 0
        while self.times is None or done < self.times:
            empty = True
            for frame in self.source.frames(samples):
                empty = empty and not frame
                yield frame
            if empty:
                return
            done += 1


@dataclass(frozen=True)
class GainSource:
    """Plays ``source`` louder or softer by ``gain_db`` (the hold-music volume of GS-5),
    clipping instead of wrapping around."""

    source: PcmSource
    gain_db: float

    def frames(self, samples: int) -> Iterator[bytes]:
        factor = 10 ** (self.gain_db / 20)
        for frame in self.source.frames(samples):
            yield scale_pcm(frame, factor)


def scale_pcm(pcm: bytes, factor: float) -> bytes:
    """Multiply 16-bit little-endian samples by ``factor``, saturating at full scale."""
    scaled = np.frombuffer(pcm, "<i2").astype(np.float64) * factor
    return np.clip(np.round(scaled), -32768, 32767).astype("<i2").tobytes()


def take_seconds(source: PcmSource, seconds: float) -> bytes:
    """The first ``seconds`` of ``source`` (all of it when shorter): for previews and tests
    of looping sources."""
    frames = source.frames(SAMPLE_RATE // 50)
    return b"".join(islice(frames, max(0, round(seconds * 50))))
