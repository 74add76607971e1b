"""Music for callers on hold or waiting to be connected (GS-4, GS-5), composed by this code.

Each track is synthesised from a short score with numpy, so the project owns it outright
(dedicated to the public domain, see MUSIC_LICENSES.md) and no recording is kept in the
repository: the prompt library renders each track once to an 8 kHz WAV file in the data dir
and loops it.
Tracks loop seamlessly: notes still ringing at the end of the loop are folded back onto its
start. Timbres are rich in harmonics and chords keep several notes sounding, so no moment of
the music looks like a DTMF key press to the in-band detector.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from telephonist.domain.text import N_
from telephonist.media.engine import SAMPLE_RATE

Samples = npt.NDArray[np.float64]

_BAND_TOP = 3400.0
"""Telephone band: no partial above this (it would alias or be cut by G.711 phones)."""
_RMS_DBFS = -24.0
MUSIC_VERSION = 1
"""Part of the rendered files' names: bump it when a score changes, to render anew."""
_PEAK_DBFS = -3.0


class MusicTrack(enum.Enum):
    """The music a user can choose for hold or while connecting."""

    ACOUSTIC = "acoustic"
    AMBIENT = "ambient"

    @property
    def title(self) -> str:
        """The name shown in the portal (translated there)."""
        return _TITLES[self]


_TITLES = {MusicTrack.ACOUSTIC: N_("Acoustic"), MusicTrack.AMBIENT: N_("Ambient")}


def _hz(midi_note: int) -> float:
    return 440.0 * 2 ** ((midi_note - 69) / 12)


def _pluck(frequency: float, seconds: float) -> Samples:
    """A plucked string: harmonics plucked near the bridge, higher ones dying faster."""
    times = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    note = np.zeros(len(times))
    for k in range(1, int(_BAND_TOP // frequency) + 1):
        amplitude = abs(math.sin(math.pi * k * 0.18)) / k**1.2
        decay = 1.6 / k**0.8
        note += amplitude * np.exp(-times / decay) * np.sin(2 * math.pi * k * frequency * times)
    attack = min(len(note), SAMPLE_RATE * 4 // 1000)
    note[:attack] *= np.linspace(0.0, 1.0, attack, endpoint=False)
    return note


def _pad(frequency: float, seconds: float, fade: float) -> Samples:
    """A soft sustained voice: three slightly detuned copies with a few harmonics, faded
    in and out over ``fade`` seconds so chords melt into each other."""
    times = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    note = np.zeros(len(times))
    for detune in (0.997, 1.0, 1.003):
        for k, amplitude in ((1, 1.0), (2, 0.35), (3, 0.12), (4, 0.05)):
            if k * frequency * detune < _BAND_TOP:
                note += amplitude * np.sin(2 * math.pi * k * frequency * detune * times)
    envelope: Samples = np.minimum(1.0, np.minimum(times, times[-1] - times) / fade)
    return note * envelope


def _bell(frequency: float, seconds: float) -> Samples:
    """A small bell: a fundamental and inharmonic partials, decaying."""
    times = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    note = np.zeros(len(times))
    for ratio, amplitude, decay in ((1.0, 1.0, 1.2), (2.76, 0.4, 0.5), (5.4, 0.15, 0.25)):
        if ratio * frequency < _BAND_TOP:
            note += (
                amplitude * np.exp(-times / decay) * np.sin(2 * math.pi * ratio * frequency * times)
            )
    return note


def _place(loop: Samples, note: Samples, at: float, gain: float) -> None:
    """Add ``note`` to ``loop`` starting ``at`` seconds, wrapping past the end of the loop."""
    start = round(at * SAMPLE_RATE) % len(loop)
    end = start + len(note)
    if end <= len(loop):
        loop[start:end] += gain * note
        return
    head = len(loop) - start
    loop[start:] += gain * note[:head]
    _place(loop, note[head:], 0.0, gain)


_C_MAJOR, _A_MINOR, _F_MAJOR, _G_MAJOR = (
    (48, 52, 55, 60, 64),
    (45, 52, 57, 60, 64),
    (41, 48, 53, 57, 60),
    (43, 50, 55, 59, 62),
)


def _acoustic() -> Samples:
    """Fingerpicked guitar: C, Am, F, G, two bars each, eighth-note arpeggios over a bass
    note, at 88 beats per minute."""
    eighth = 60 / 88 / 2
    pattern = (0, 2, 3, 4, 3, 2, 1, 2)
    progression: Sequence[tuple[int, ...]] = (_C_MAJOR, _A_MINOR, _F_MAJOR, _G_MAJOR)
    loop = np.zeros(round(len(progression) * 2 * 8 * eighth * SAMPLE_RATE))
    for chord_index, chord in enumerate(progression):
        for bar in range(2):
            bar_start = (chord_index * 2 + bar) * 8 * eighth
            _place(loop, _pluck(_hz(chord[0] - 12), 3.0), bar_start, 0.9)
            for step, voice in enumerate(pattern):
                _place(loop, _pluck(_hz(chord[voice]), 1.8), bar_start + step * eighth, 0.5)
    return loop


def _ambient() -> Samples:
    """Slow pads (Cmaj7, Am7, Fmaj7, G6, four seconds each) under a few soft bells from
    the C major pentatonic scale."""
    chord_seconds, fade = 4.0, 1.5
    chords = ((48, 52, 55, 59), (45, 48, 52, 55), (41, 45, 48, 52), (43, 47, 50, 52))
    bells = ((0.5, 76), (2.5, 79), (4.5, 72), (6.5, 74), (8.5, 81), (10.5, 76), (13.0, 74))
    loop = np.zeros(round(len(chords) * chord_seconds * SAMPLE_RATE))
    for index, chord in enumerate(chords):
        start = index * chord_seconds - fade / 2
        for note in chord:
            _place(loop, _pad(_hz(note), chord_seconds + fade, fade), start, 0.25)
    for at, note in bells:
        _place(loop, _bell(_hz(note), 3.0), at, 0.35)
    return loop


_SCORES = {MusicTrack.ACOUSTIC: _acoustic, MusicTrack.AMBIENT: _ambient}


def render_track(track: MusicTrack) -> bytes:
    """One loop of ``track`` as 8 kHz 16-bit PCM, at a calm level (RMS -24 dBFS)."""
    loop = _SCORES[track]()
    loop *= 10 ** (_RMS_DBFS / 20) / float(np.sqrt(np.mean(loop * loop)))
    peak = float(np.max(np.abs(loop)))
    ceiling = 10 ** (_PEAK_DBFS / 20)
    if peak > ceiling:
        loop *= ceiling / peak
    return np.round(loop * 32767).astype("<i2").tobytes()
