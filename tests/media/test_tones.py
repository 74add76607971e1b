"""Call-progress tones: the right frequencies and cadence for each network (GS-4 "ring
tones"), the voicemail beep (VM-1 "after the tone"), looping until stopped."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from telephonist.media.sources import take_seconds
from telephonist.media.tones import Segment, Tone, ToneSource, busy, ringback
from tests.telephony.audio import dominant_frequency, sound_frames

RATE = 8000


def samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, "<i2") / 32768


def strongest_frequencies(audio: np.ndarray, count: int) -> list[float]:
    """The ``count`` strongest spectral peaks, rounded to 1 Hz (1 s of audio: 1 Hz bins)."""
    magnitude = np.abs(np.fft.rfft(audio[:RATE] * np.hanning(RATE)))
    peaks = [
        i
        for i in range(1, len(magnitude) - 1)
        if magnitude[i - 1] < magnitude[i] >= magnitude[i + 1]
    ]
    return sorted(float(i) for i in sorted(peaks, key=lambda i: -magnitude[i])[:count])


def on_off_runs(audio: np.ndarray) -> list[tuple[bool, float]]:
    """(sounding?, seconds) runs of 20 ms frames."""
    loud = sound_frames(audio)
    runs: list[tuple[bool, float]] = []
    for frame in loud:
        if runs and runs[-1][0] == frame:
            runs[-1] = (frame, runs[-1][1] + 0.02)
        else:
            runs.append((bool(frame), 0.02))
    return [(state, round(seconds, 2)) for state, seconds in runs]


@pytest.mark.parametrize(
    ("tone", "frequencies", "cadence"),
    [
        (Tone.RINGBACK_US, [440, 480], [(True, 2.0), (False, 4.0), (True, 2.0), (False, 4.0)]),
        (Tone.RINGBACK_FR, [440], [(True, 1.5), (False, 3.5), (True, 1.5), (False, 3.5)]),
        (Tone.BUSY_US, [480, 620], [(True, 0.5), (False, 0.5)] * 12),
        (Tone.BUSY_FR, [440], [(True, 0.5), (False, 0.5)] * 12),
    ],
)
def test_network_tones_have_their_frequencies_and_cadence(
    tone: Tone, frequencies: list[int], cadence: list[tuple[bool, float]]
) -> None:
    audio = samples(take_seconds(tone.source(), sum(seconds for _, seconds in cadence)))
    assert strongest_frequencies(audio, len(frequencies)) == frequencies
    assert on_off_runs(audio) == cadence


def test_the_beep_is_half_a_second_of_1_khz_once() -> None:
    audio = samples(take_seconds(Tone.BEEP.source(), 5.0))
    assert len(audio) == RATE // 2
    assert dominant_frequency(audio) == pytest.approx(1000, abs=2)


def test_tone_level_is_about_minus_13_dbm0_per_frequency() -> None:
    audio = samples(take_seconds(Tone.RINGBACK_FR.source(), 1.0))
    assert np.max(np.abs(audio)) == pytest.approx(10 ** (-16 / 20), rel=0.02)


def test_bursts_start_and_end_softly() -> None:
    audio = samples(ToneSource((Segment(0.1, (1000.0,)),), repeat=1).period_pcm())
    assert abs(audio[0]) < 1e-3
    assert abs(audio[-1]) < 0.01
    assert np.max(np.abs(audio[:8])) < np.max(np.abs(audio[200:400])) / 4


def test_ringback_and_busy_follow_the_home_country() -> None:
    assert ringback("FR") == Tone.RINGBACK_FR.source()
    assert ringback("fr") == Tone.RINGBACK_FR.source()
    assert ringback("US") == Tone.RINGBACK_US.source()
    assert ringback("CA") == Tone.RINGBACK_US.source()
    assert busy("FR") == Tone.BUSY_FR.source()
    assert busy("GB") == Tone.BUSY_US.source()


@pytest.mark.parametrize("samples_per_frame", [160, 240, 7])
def test_frames_are_whole_whatever_the_cadence(samples_per_frame: int) -> None:
    frames = list(
        ToneSource((Segment(0.0123, (440.0,)), Segment(0.0077)), repeat=3).frames(samples_per_frame)
    )
    assert all(len(frame) == 2 * samples_per_frame for frame in frames[:-1])
    assert sum(len(frame) for frame in frames) == 2 * 3 * round(0.0123 * RATE + 0.0077 * RATE)


def test_tones_survive_pickling_for_the_worker_pool() -> None:
    source = ringback("FR")
    copy = pickle.loads(pickle.dumps(source))  # noqa: S301 - our own object
    assert take_seconds(copy, 6.0) == take_seconds(source, 6.0)
