"""In-band DTMF: every key is heard once, however long it is held; speech, music, noise and
call-progress tones are never taken for a key (CH-5 "press 1", VM-5 menus over trunks
that send DTMF in the audio)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telephonist.media.inband_dtmf import (
    BLOCK_SAMPLES,
    COLUMN_FREQUENCIES,
    KEYPAD,
    ROW_FREQUENCIES,
    InbandDtmfDetector,
)
from telephonist.media.sources import take_seconds
from telephonist.media.tones import Tone
from tests.telephony.audio import speech_like

RATE = 8000
ALL_KEYS = "123A456B789C*0#D"


def key_tone(
    key: str, seconds: float, low_dbfs: float = -10.0, high_dbfs: float = -8.0, shift: float = 1.0
) -> np.ndarray:
    """The two sines of ``key`` (row at ``low_dbfs``, column at ``high_dbfs``), their
    frequencies multiplied by ``shift``."""
    row = next(index for index, keys in enumerate(KEYPAD) if key in keys)
    column = KEYPAD[row].index(key)
    times = np.arange(round(seconds * RATE)) / RATE
    low = 10 ** (low_dbfs / 20) * np.sin(2 * math.pi * ROW_FREQUENCIES[row] * shift * times)
    high = 10 ** (high_dbfs / 20) * np.sin(2 * math.pi * COLUMN_FREQUENCIES[column] * shift * times)
    return low + high


def pcm(samples: np.ndarray) -> bytes:
    return np.round(np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()


def gap(seconds: float) -> np.ndarray:
    return np.zeros(round(seconds * RATE))


def detect(samples: np.ndarray, chunk: int = 160) -> list[str]:
    """Feed ``samples`` as the engine does, one 20 ms packet at a time."""
    detector = InbandDtmfDetector()
    data = pcm(samples)
    keys: list[str] = []
    for start in range(0, len(data), 2 * chunk):
        keys += detector.feed(data[start : start + 2 * chunk])
    return keys


@pytest.mark.parametrize("key", ALL_KEYS)
def test_every_key_is_heard_once(key: str) -> None:
    assert detect(np.concatenate([gap(0.1), key_tone(key, 0.1), gap(0.1)])) == [key]


def test_a_dialled_sequence_is_heard_in_order() -> None:
    signal = np.concatenate([part for key in ALL_KEYS for part in (key_tone(key, 0.06), gap(0.05))])
    assert "".join(detect(signal)) == ALL_KEYS


def test_a_key_held_for_seconds_is_one_press() -> None:
    assert detect(key_tone("5", 3.0)) == ["5"]


def test_the_same_key_twice_after_a_pause_is_two_presses() -> None:
    assert detect(np.concatenate([key_tone("1", 0.08), gap(0.05), key_tone("1", 0.08)])) == [
        "1",
        "1",
    ]


def test_a_10_ms_drop_out_does_not_split_a_press() -> None:
    assert detect(np.concatenate([key_tone("9", 0.2), gap(0.01), key_tone("9", 0.2)])) == ["9"]


@pytest.mark.parametrize("offset", range(0, BLOCK_SAMPLES, 7))
def test_40_ms_is_always_long_enough_and_20_ms_never(offset: int) -> None:
    """ITU-T Q.24: accept 40 ms, reject under 23 ms, wherever the tone starts."""
    assert detect(np.concatenate([gap(offset / RATE), key_tone("0", 0.04), gap(0.1)])) == ["0"]
    assert detect(np.concatenate([gap(offset / RATE), key_tone("0", 0.02), gap(0.1)])) == []


@pytest.mark.parametrize(
    ("low_dbfs", "high_dbfs", "heard"),
    [
        (-10, -8, True),  # the usual 2 dB forward twist
        (-16, -10, True),  # column 6 dB louder
        (-10, -13, True),  # row 3 dB louder
        (-20, -10, False),  # column 10 dB louder: too much twist
        (-10, -17, False),  # row 7 dB louder: too much reverse twist
        (-36, -34, True),  # quiet but above the floor
        (-45, -43, False),  # below the floor
    ],
)
def test_levels_and_twist(low_dbfs: float, high_dbfs: float, heard: bool) -> None:
    keys = detect(key_tone("8", 0.1, low_dbfs, high_dbfs))
    assert keys == (["8"] if heard else [])


@pytest.mark.parametrize("shift", [0.985, 1.015])
def test_tones_off_by_1_5_percent_are_accepted(shift: float) -> None:
    assert detect(key_tone("#", 0.1, shift=shift)) == ["#"]


def test_a_single_frequency_is_not_a_key() -> None:
    times = np.arange(RATE) / RATE
    assert detect(0.3 * np.sin(2 * math.pi * 697 * times)) == []
    assert detect(0.3 * np.sin(2 * math.pi * 1336 * times)) == []


@pytest.mark.parametrize("level_dbfs", [-40, -20, -6])
def test_white_noise_is_never_a_key(level_dbfs: float) -> None:
    noise = np.random.default_rng(7).normal(0, 10 ** (level_dbfs / 20), 10 * RATE)
    assert detect(noise) == []


def test_keys_are_heard_through_noise_10_db_down() -> None:
    signal = np.concatenate([part for key in "147*" for part in (key_tone(key, 0.08), gap(0.06))])
    noisy = signal + np.random.default_rng(3).normal(0, 10 ** (-20 / 20), len(signal))
    assert detect(noisy) == list("147*")


@pytest.mark.parametrize("seed", range(8))
def test_speech_like_audio_is_never_a_key(seed: int) -> None:
    assert detect(speech_like(10.0, seed)) == []


@pytest.mark.parametrize("tone", list(Tone))
def test_call_progress_tones_are_never_keys(tone: Tone) -> None:
    audio = take_seconds(tone.source(), 12.0)
    assert InbandDtmfDetector().feed(audio) == []


@settings(max_examples=60, deadline=None)
@given(
    keys=st.text(alphabet=ALL_KEYS, min_size=1, max_size=6),
    press_ms=st.lists(st.integers(40, 400), min_size=6, max_size=6),
    pause_ms=st.lists(st.integers(40, 300), min_size=6, max_size=6),
    low_dbfs=st.floats(-30, -6),
    twist_db=st.floats(-3, 6),
    chunk=st.sampled_from([80, 160, 240, 1000]),
)
def test_any_presses_at_any_level_are_heard_exactly(
    keys: str,
    press_ms: list[int],
    pause_ms: list[int],
    low_dbfs: float,
    twist_db: float,
    chunk: int,
) -> None:
    """Presses of 40 ms or more, pauses of 40 ms or more, levels within range and twist
    within limits: exactly the keys pressed, in order, whatever the packet size."""
    parts = [gap(0.03)]
    for key, press, pause in zip(keys, press_ms, pause_ms, strict=False):
        parts += [key_tone(key, press / 1000, low_dbfs, low_dbfs + twist_db), gap(pause / 1000)]
    assert detect(np.concatenate(parts), chunk) == list(keys)
