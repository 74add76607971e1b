"""Voice activity for "end the message on silence" (VM-1): the recording is complete, and
the waiting side learns when the caller stopped talking, even from another process."""

from __future__ import annotations

import asyncio
import math
import pickle
import time
from pathlib import Path

import numpy as np
import pytest

from telephonist.media.levels import (
    VoiceActivity,
    VoiceActivitySink,
    rms_dbfs,
    voiced_seconds,
    wait_for_silence,
)
from telephonist.media.wav import WavFileSink, WavFileSource
from tests.telephony.audio import speech_like

RATE = 8000
FRAME = 160


def pcm(samples: np.ndarray) -> bytes:
    return np.round(np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()


def frames(data: bytes) -> list[bytes]:
    return [data[start : start + 2 * FRAME] for start in range(0, len(data), 2 * FRAME)]


class FakeClock:
    """A picklable clock the test moves by hand (one 20 ms packet per tick)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("signal", "expected"),
    [
        (np.full(800, 1.0), 0.0),
        (np.sin(2 * math.pi * 1000 * np.arange(8000) / RATE), -3.01),
        (0.1 * np.sin(2 * math.pi * 1000 * np.arange(8000) / RATE), -23.01),
    ],
)
def test_rms_level_relative_to_full_scale(signal: np.ndarray, expected: float) -> None:
    assert rms_dbfs(pcm(signal)) == pytest.approx(expected, abs=0.05)


def test_silence_and_nothing_are_minus_infinity() -> None:
    assert rms_dbfs(bytes(320)) == -math.inf
    assert rms_dbfs(b"") == -math.inf


def test_voiced_seconds_count_only_the_loud_frames() -> None:
    tone = 0.3 * np.sin(2 * math.pi * 300 * np.arange(2 * RATE) / RATE)
    audio = np.concatenate([np.zeros(RATE), tone, np.zeros(RATE)])
    assert voiced_seconds(pcm(audio)) == pytest.approx(2.0, abs=0.02)


def record(
    activity: VoiceActivity, path: Path, audio: bytes, clock: FakeClock | None = None
) -> None:
    sink = VoiceActivitySink(WavFileSink(path), activity, clock=clock or time.monotonic)
    writer = sink.open()
    for frame in frames(audio):
        if clock:
            clock.now += 0.02
        writer.write(frame)
    writer.close()


def test_the_recording_is_kept_whole_by_a_sink_sent_to_a_worker(tmp_path: Path) -> None:
    audio = pcm(np.concatenate([speech_like(1.5, 2), np.zeros(RATE)]))
    with VoiceActivity.create(tmp_path) as activity:
        sink = VoiceActivitySink(WavFileSink(tmp_path / "message.wav"), activity)
        writer = pickle.loads(pickle.dumps(sink)).open()  # noqa: S301 - our own object
        for frame in frames(audio):
            writer.write(frame)
        writer.close()
        assert activity.voiced_seconds == pytest.approx(voiced_seconds(audio), abs=0.1)
        assert activity.silent_for() < 1
    assert b"".join(WavFileSource(tmp_path / "message.wav").frames(FRAME)) == audio


def test_silence_is_counted_from_the_last_spoken_frame(tmp_path: Path) -> None:
    clock = FakeClock()
    talk = pcm(0.3 * np.sin(2 * math.pi * 300 * np.arange(2 * RATE) / RATE))
    with VoiceActivity.create(tmp_path, now=clock.now) as activity:
        record(activity, tmp_path / "m.wav", talk + bytes(2 * 3 * RATE), clock)
        last_voice, spoken = activity.read()
        assert last_voice == pytest.approx(1000.0 + 2.0, abs=0.001)
        assert spoken == pytest.approx(2.0, abs=0.001)
        assert activity.silent_for(clock.now) == pytest.approx(3.0, abs=0.001)


def test_a_caller_who_never_speaks_is_silent_since_the_start(tmp_path: Path) -> None:
    clock = FakeClock()
    line_noise = pcm(np.random.default_rng(5).normal(0, 10 ** (-55 / 20), 4 * RATE))
    with VoiceActivity.create(tmp_path, now=clock.now) as activity:
        record(activity, tmp_path / "m.wav", line_noise, clock)
        assert activity.silent_for(clock.now) == pytest.approx(4.0, abs=0.001)
        assert activity.voiced_seconds == 0.0


def test_a_click_does_not_restart_the_silence_count(tmp_path: Path) -> None:
    clock = FakeClock()
    click = pcm(np.full(FRAME, 0.5))
    with VoiceActivity.create(tmp_path, now=clock.now) as activity:
        record(activity, tmp_path / "m.wav", bytes(2 * RATE) + click + bytes(2 * RATE), clock)
        assert activity.silent_for(clock.now) == pytest.approx(2.02, abs=0.001)


def test_the_activity_file_is_removed_after_use(tmp_path: Path) -> None:
    with VoiceActivity.create(tmp_path) as activity:
        assert activity.path.exists()
    assert list(tmp_path.iterdir()) == []


def test_wait_for_silence_returns_once_the_caller_stops_talking(tmp_path: Path) -> None:
    """What Channel.record does for ``silence_seconds``: talk for a while, stop, and the
    wait ends about ``silence_seconds`` after the last word."""

    async def scenario() -> float:
        with VoiceActivity.create(tmp_path) as activity:
            writer = VoiceActivitySink(WavFileSink(tmp_path / "m.wav"), activity).open()
            loud = pcm(0.3 * np.sin(2 * math.pi * 300 * np.arange(FRAME) / RATE))

            async def caller() -> None:
                for _ in range(15):
                    writer.write(loud)
                    await asyncio.sleep(0.02)
                while True:
                    writer.write(bytes(2 * FRAME))
                    await asyncio.sleep(0.02)

            talking = asyncio.create_task(caller())
            try:
                await asyncio.sleep(0.1)
                started = time.monotonic()
                await asyncio.wait_for(wait_for_silence(activity, 0.5, poll=0.02), 5)
                return time.monotonic() - started
            finally:
                talking.cancel()
                await asyncio.gather(talking, return_exceptions=True)
                writer.close()

    waited = asyncio.run(scenario())
    assert 0.6 <= waited <= 1.2
