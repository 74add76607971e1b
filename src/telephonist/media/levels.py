"""Sound levels and voice activity: how loud a frame is, how much of a recording is voice,
and when a caller stopped talking, so voicemail can end a message on silence.

A recording sink runs wherever the engine runs it, possibly in a media worker process, while
the voice application waits in the main process. So the sink does not call back: it writes
the ``time.monotonic()`` of the caller's last voiced frame into a 16-byte
:class:`VoiceActivity` file, and the waiting side reads it. ``CLOCK_MONOTONIC`` is one clock
for every process of the machine, so the two sides compare times directly; and a phone
that stops sending packets altogether counts as silent too.

How ``Channel.record`` uses it for ``silence_seconds``::

    with VoiceActivity.create() as activity:
        await engine.record(endpoint, VoiceActivitySink(sink, activity))
        ... race wait_for_silence(activity, silence_seconds) with keys and the time limit ...
        await engine.stop_recording(endpoint)
"""

from __future__ import annotations

import asyncio
import math
import os
import struct
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import numpy as np

from telephonist.media.engine import SAMPLE_RATE, PcmSink, PcmWriter

VOICE_THRESHOLD_DBFS = -40.0
"""A frame louder than this is voice: speech on a phone is around -20 dBFS, line noise and
comfort noise below -50."""

_RECORD = struct.Struct("<dd")


def rms_dbfs(pcm: bytes) -> float:
    """Loudness of 16-bit PCM as RMS relative to full scale (a full-scale sine is -3 dB);
    ``-inf`` for digital silence or no samples."""
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], "<i2").astype(np.float64)
    if not len(samples):
        return -math.inf
    rms = float(np.sqrt(np.mean(samples * samples))) / 32768
    return 20 * math.log10(rms) if rms > 0 else -math.inf


def voiced_seconds(
    pcm: bytes, *, threshold_dbfs: float = VOICE_THRESHOLD_DBFS, frame_seconds: float = 0.02
) -> float:
    """How much of ``pcm`` is louder than the threshold, in whole frames: a prompt's or a
    message's amount of actual sound."""
    size = 2 * round(frame_seconds * SAMPLE_RATE)
    loud = sum(
        1
        for start in range(0, len(pcm) - size + 1, size)
        if rms_dbfs(pcm[start : start + size]) > threshold_dbfs
    )
    return loud * frame_seconds


@dataclass(frozen=True)
class VoiceActivity:
    """When the caller last spoke and how long they have spoken, shared through a small
    file between the recording (any process) and the application waiting on it."""

    path: Path

    @classmethod
    def create(cls, directory: Path | None = None, *, now: float | None = None) -> VoiceActivity:
        """A new record saying "silent since ``now``" (the start of the recording)."""
        descriptor, name = tempfile.mkstemp(prefix="voice-", suffix=".activity", dir=directory)
        try:
            started = time.monotonic() if now is None else now
            os.write(descriptor, _RECORD.pack(started, 0.0))
        finally:
            os.close(descriptor)
        return cls(Path(name))

    def read(self) -> tuple[float, float]:
        """(monotonic time of the last voiced frame, seconds of voice so far)."""
        with self.path.open("rb") as handle:
            last_voice, spoken = _RECORD.unpack(handle.read(_RECORD.size))
        return last_voice, spoken

    def silent_for(self, now: float | None = None) -> float:
        """Seconds since the caller last spoke (since the start if they never did)."""
        last_voice, _ = self.read()
        return max(0.0, (time.monotonic() if now is None else now) - last_voice)

    @property
    def voiced_seconds(self) -> float:
        """How long the caller has spoken: ~0 means a message with nothing said."""
        return self.read()[1]

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> VoiceActivity:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.remove()


async def wait_for_silence(activity: VoiceActivity, seconds: float, *, poll: float = 0.1) -> None:
    """Return once the caller has been silent for ``seconds`` (checked every ``poll``)."""
    while (left := seconds - activity.silent_for()) > 0:
        await asyncio.sleep(min(poll, left))


@dataclass(frozen=True)
class VoiceActivitySink:
    """Records into ``inner`` and keeps ``activity`` up to date with the caller's voice.

    A frame counts as voice once ``min_voice_seconds`` of consecutive frames are louder
    than ``threshold_dbfs``, so a click on the line does not restart the silence count.
    """

    inner: PcmSink
    activity: VoiceActivity
    threshold_dbfs: float = VOICE_THRESHOLD_DBFS
    min_voice_seconds: float = 0.04
    clock: Callable[[], float] = field(default=time.monotonic)

    def open(self) -> PcmWriter:
        return _VoiceActivityWriter(self, self.inner.open())


class _VoiceActivityWriter:
    """Writes each frame to the recording first, then measures it."""

    def __init__(self, sink: VoiceActivitySink, inner: PcmWriter) -> None:
        self._sink = sink
        self._inner = inner
        self._descriptor: int | None = os.open(sink.activity.path, os.O_WRONLY)
        _, self._spoken = sink.activity.read()
        self._loud_run = 0.0

    def write(self, pcm: bytes) -> None:
        self._inner.write(pcm)
        duration = len(pcm) / 2 / SAMPLE_RATE
        if rms_dbfs(pcm) <= self._sink.threshold_dbfs:
            self._loud_run = 0.0
            return
        was_voice = self._loud_run >= self._sink.min_voice_seconds
        self._loud_run += duration
        if self._loud_run < self._sink.min_voice_seconds:
            return
        self._spoken += duration if was_voice else self._loud_run
        if self._descriptor is not None:
            os.pwrite(self._descriptor, _RECORD.pack(self._sink.clock(), self._spoken), 0)

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            if self._descriptor is not None:
                os.close(self._descriptor)
                self._descriptor = None
