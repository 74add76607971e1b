"""The audio measures tell a phone's recording of the sent signal from anything else, and
read tones and durations right, so voice-app tests can rely on them."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from .audio import (
    RATE,
    Samples,
    best_correlation,
    dominant_frequency,
    first_sound_at,
    read_wav,
    resample,
    silence,
    sounding_seconds,
    source_wav,
    speech_like,
    tone,
    write_wav,
)


def mu_law(samples: Samples) -> Samples:
    """8-bit µ-law companding and back (continuous formula): G.711's quantisation noise."""
    compressed = np.sign(samples) * np.log1p(255 * np.abs(samples)) / np.log(256)
    quantised = np.round(compressed * 127) / 127
    restored: Samples = np.sign(quantised) * np.expm1(np.abs(quantised) * np.log(256)) / 255
    return restored


def test_a_delayed_g711_copy_between_silences_correlates_fully() -> None:
    sent = speech_like(2, seed=1)
    received = np.concatenate([silence(0.37), mu_law(sent), silence(1.5)])
    assert best_correlation(sent, received) > 0.99


def test_another_voice_or_silence_does_not_correlate() -> None:
    sent = speech_like(2, seed=1)
    assert best_correlation(sent, np.concatenate([silence(0.2), speech_like(2, seed=2)])) < 0.3
    assert best_correlation(sent, silence(2)) == 0.0


def test_files_at_other_rates_are_compared_at_8_khz(tmp_path: Path) -> None:
    sent = speech_like(2, seed=4)
    wide = write_wav(tmp_path / "wide.wav", resample(sent, RATE, 16000), rate=16000)
    assert best_correlation(sent, wide) > 0.99


def test_an_unfinished_recording_is_read_from_its_data(tmp_path: Path) -> None:
    path = tmp_path / "recording.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
    with path.open("ab") as out:
        out.write((np.arange(160, dtype="<i2") * 100).tobytes())
    samples, rate = read_wav(path)
    assert (len(samples), rate) == (160, RATE)
    assert samples[1] == 100 / 32768


def test_a_source_is_the_signal_then_silence(tmp_path: Path) -> None:
    samples, rate = read_wav(source_wav(tmp_path / "source.wav", seed=5, seconds=1, padding=4))
    assert (len(samples), rate) == (5 * RATE, RATE)
    assert 0.7 < sounding_seconds(samples) <= 1.0
    assert not samples[RATE:].any()


def test_tone_frequency_and_timing() -> None:
    ringback = np.concatenate([silence(0.5), tone(440, 1.0) + tone(480, 1.0, 0.2), silence(2)])
    assert abs(dominant_frequency(ringback) - 440) < 1
    assert abs(dominant_frequency(tone(1004, 0.3)) - 1004) < 1
    assert sounding_seconds(ringback) == 1.0
    assert first_sound_at(ringback) == 0.5
    assert first_sound_at(silence(1)) is None
