"""Composed sources: parts play back to back as whole 20 ms frames, loops repeat until the
engine stops them, and the hold-music volume (GS-5) scales without wrapping around."""

from __future__ import annotations

import pickle
from itertools import islice

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from telephonist.media.sources import (
    GainSource,
    LoopSource,
    PcmBytesSource,
    SequenceSource,
    SilenceSource,
    reframe,
    take_seconds,
)


def ramp(count: int, start: int = 0) -> bytes:
    return (np.arange(start, start + count) % 30000).astype("<i2").tobytes()


@given(
    lengths=st.lists(st.integers(0, 700), max_size=6),
    samples=st.integers(1, 400),
)
def test_a_sequence_is_its_parts_in_whole_frames(lengths: list[int], samples: int) -> None:
    parts = [ramp(length, sum(lengths[:index])) for index, length in enumerate(lengths)]
    frames = list(SequenceSource(tuple(PcmBytesSource(part) for part in parts)).frames(samples))
    assert b"".join(frames) == b"".join(parts)
    assert all(len(frame) == 2 * samples for frame in frames[:-1])
    assert all(frame for frame in frames)


def test_reframe_drops_a_dangling_half_sample() -> None:
    assert list(reframe([b"\x01\x00\x02"], 160)) == [b"\x01\x00"]


def test_silence_lasts_its_seconds() -> None:
    assert b"".join(SilenceSource(0.25).frames(160)) == bytes(2 * 2000)


def test_a_loop_repeats_until_stopped() -> None:
    frames = LoopSource(PcmBytesSource(ramp(100))).frames(160)
    assert b"".join(islice(frames, 5)) == (ramp(100) * 8)[: 2 * 800]


def test_a_counted_loop_ends_and_an_empty_loop_plays_nothing() -> None:
    assert b"".join(LoopSource(PcmBytesSource(ramp(50)), times=3).frames(160)) == ramp(50) * 3
    assert list(LoopSource(PcmBytesSource(b"")).frames(160)) == []


@pytest.mark.parametrize(
    ("gain_db", "sample", "expected"),
    [
        (0.0, 1000, 1000),
        (-6.0206, 1000, 500),
        (6.0206, 1000, 2000),
        (20.0, 20000, 32767),
        (20.0, -20000, -32768),
    ],
)
def test_gain_scales_and_saturates(gain_db: float, sample: int, expected: int) -> None:
    source = GainSource(PcmBytesSource(np.array([sample] * 4, "<i2").tobytes()), gain_db)
    assert np.frombuffer(b"".join(source.frames(160)), "<i2").tolist() == [expected] * 4


def test_composed_sources_survive_pickling_for_the_worker_pool() -> None:
    source = SequenceSource(
        (
            PcmBytesSource(ramp(300)),
            SilenceSource(0.1),
            GainSource(LoopSource(PcmBytesSource(ramp(7)), 2), -3),
        )
    )
    copy = pickle.loads(pickle.dumps(source))  # noqa: S301 - our own object
    assert take_seconds(copy, 1) == take_seconds(source, 1)
