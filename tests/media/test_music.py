"""Hold and connecting music (GS-4, GS-5): our own tracks, calm, in the telephone band,
looping without a click, and never mistaken for a key press."""

from __future__ import annotations

import numpy as np
import pytest

from telephonist.i18n import gettext_for
from telephonist.media.inband_dtmf import InbandDtmfDetector
from telephonist.media.levels import rms_dbfs
from telephonist.media.music import MusicTrack, render_track

RATE = 8000


@pytest.fixture(scope="module", params=list(MusicTrack), ids=lambda track: track.value)
def track(request: pytest.FixtureRequest) -> tuple[MusicTrack, bytes]:
    return request.param, render_track(request.param)


def samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, "<i2") / 32768


def test_the_portal_offers_acoustic_and_ambient() -> None:
    assert [track.title for track in MusicTrack] == ["Acoustic", "Ambient"]


def test_a_track_is_a_calm_loop_of_a_quarter_minute(track: tuple[MusicTrack, bytes]) -> None:
    _, pcm = track
    assert 12 <= len(pcm) / 2 / RATE <= 40
    assert rms_dbfs(pcm) == pytest.approx(-24, abs=0.5)
    assert np.max(np.abs(samples(pcm))) <= 10 ** (-3 / 20) + 1e-4


def test_a_track_renders_the_same_every_time(track: tuple[MusicTrack, bytes]) -> None:
    name, pcm = track
    assert render_track(name) == pcm


def test_the_loop_point_does_not_click(track: tuple[MusicTrack, bytes]) -> None:
    """The jump from the last sample back to the first is no bigger than the music's own
    sample-to-sample steps."""
    audio = samples(pcm := track[1])
    assert len(pcm) > 0
    steps = np.abs(np.diff(audio))
    assert abs(audio[0] - audio[-1]) <= np.percentile(steps, 99.9)


def test_a_track_stays_in_the_telephone_band(track: tuple[MusicTrack, bytes]) -> None:
    spectrum = np.abs(np.fft.rfft(samples(track[1]))) ** 2
    frequencies = np.fft.rfftfreq(len(samples(track[1])), 1 / RATE)
    assert spectrum[frequencies > 3500].sum() < 1e-4 * spectrum.sum()


def test_a_track_is_never_taken_for_a_key_press(track: tuple[MusicTrack, bytes]) -> None:
    assert InbandDtmfDetector().feed(track[1] * 2) == []


def test_track_titles_are_translated() -> None:
    assert [gettext_for("fr").gettext(track.title) for track in MusicTrack] == [
        "Acoustique",
        "Ambiance",
    ]
