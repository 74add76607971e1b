"""Key presses heard in the audio itself, for phones and trunks that send DTMF in-band
rather than as RFC 4733 events. Sans-I/O: feed 8 kHz 16-bit PCM as it arrives, get digits.

The audio is cut into blocks of 102 samples (12.75 ms). For each block the power of the
eight DTMF frequencies is measured (the single-frequency DFT that the Goertzel recurrence
computes, evaluated here as one matrix product). A block holds a key when one row and one
column frequency stand out: both loud enough, their levels within the allowed twist, each
well above the other frequencies of its group, together carrying most of the block's
energy (speech and music spread theirs), and the block steady (a tone starting or
stopping inside it does not count). A key is reported once it holds for two blocks in a row
(25.5 ms; ITU-T Q.24 asks to accept 40 ms and reject under 23 ms), and released after three
blocks without it, so a 10 ms drop-out inside a long press is not a second press.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from telephonist.media.dtmf import DTMF_DIGITS
from telephonist.media.engine import SAMPLE_RATE

ROW_FREQUENCIES = (697.0, 770.0, 852.0, 941.0)
COLUMN_FREQUENCIES = (1209.0, 1336.0, 1477.0, 1633.0)
KEYPAD = ("123A", "456B", "789C", "*0#D")
BLOCK_SAMPLES = 102

assert sorted("".join(KEYPAD)) == sorted(DTMF_DIGITS)


@dataclass(frozen=True)
class DetectorSettings:
    """Thresholds of the detector. Levels are a sine's peak relative to full scale."""

    min_level_dbfs: float = -36.0
    """Each of the two tones must be at least this loud (about -33 dBm0)."""
    max_high_over_low_db: float = 8.0
    """Forward twist: how much louder the column tone may be than the row tone."""
    max_low_over_high_db: float = 4.0
    """Reverse twist: how much louder the row tone may be than the column tone."""
    min_peak_ratio_db: float = 6.0
    """How far each tone must stand above the other frequencies of its group."""
    min_tone_share: float = 0.7
    """The share of the block's energy the two tones must carry together."""
    max_half_ratio_db: float = 1.5
    """How different the energies of the two halves of a block may be."""
    hits_to_press: int = 2
    misses_to_release: int = 3


def _basis() -> np.ndarray:
    times = np.arange(BLOCK_SAMPLES) / SAMPLE_RATE
    frequencies = np.array(ROW_FREQUENCIES + COLUMN_FREQUENCIES)
    return np.exp(-2j * math.pi * np.outer(times, frequencies))


_BASIS = _basis()


class InbandDtmfDetector:
    """Finds key presses in one direction of one call's audio."""

    def __init__(self, settings: DetectorSettings | None = None) -> None:
        self.settings = settings or DetectorSettings()
        self._pending = np.zeros(0)
        self._candidate: str | None = None
        self._candidate_hits = 0
        self._pressed: str | None = None
        self._misses = 0
        s = self.settings
        self._min_power = (10 ** (s.min_level_dbfs / 20) * BLOCK_SAMPLES / 2) ** 2
        self._forward_twist = 10 ** (s.max_high_over_low_db / 10)
        self._reverse_twist = 10 ** (s.max_low_over_high_db / 10)
        self._peak_ratio = 10 ** (s.min_peak_ratio_db / 10)
        self._half_ratio = 10 ** (s.max_half_ratio_db / 10)

    def feed(self, pcm: bytes) -> list[str]:
        """Add audio (any length); returns the keys whose press was recognised in it."""
        samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], "<i2").astype(np.float64) / 32768
        self._pending = np.concatenate((self._pending, samples))
        usable = len(self._pending) // BLOCK_SAMPLES * BLOCK_SAMPLES
        blocks = self._pending[:usable].reshape(-1, BLOCK_SAMPLES)
        self._pending = self._pending[usable:]
        steps = (self._step(key) for key in self._classify(blocks))
        return [digit for digit in steps if digit is not None]

    def _classify(self, blocks: np.ndarray) -> list[str | None]:
        """The key each block holds, if any."""
        if not len(blocks):
            return []
        powers = np.abs(blocks @ _BASIS) ** 2
        energies = np.sum(blocks * blocks, axis=1)
        half = BLOCK_SAMPLES // 2
        first_halves = np.sum(blocks[:, :half] ** 2, axis=1)
        second_halves = energies - first_halves
        return [
            self._key(row, energy, first, second)
            for row, energy, first, second in zip(
                powers, energies, first_halves, second_halves, strict=True
            )
        ]

    def _key(self, powers: np.ndarray, energy: float, first: float, second: float) -> str | None:
        rows, columns = powers[:4], powers[4:]
        row, column = int(np.argmax(rows)), int(np.argmax(columns))
        low, high = float(rows[row]), float(columns[column])
        if low < self._min_power or high < self._min_power:
            return None
        if high > low * self._forward_twist or low > high * self._reverse_twist:
            return None
        others_low = np.delete(rows, row)
        others_high = np.delete(columns, column)
        if np.any(others_low * self._peak_ratio > low) or np.any(
            others_high * self._peak_ratio > high
        ):
            return None
        # A sine of amplitude A has power (A N / 2)^2 and energy A^2 N / 2.
        if (low + high) * 2 / BLOCK_SAMPLES < self.settings.min_tone_share * energy:
            return None
        if max(first, second) > self._half_ratio * min(first, second):
            return None
        return KEYPAD[row][column]

    def _step(self, key: str | None) -> str | None:
        """Debounce: count consecutive blocks per key; report a press once."""
        if key is not None and key == self._candidate:
            self._candidate_hits += 1
        else:
            self._candidate, self._candidate_hits = key, 1 if key else 0
        if self._pressed is not None:
            if key == self._pressed:
                self._misses = 0
                return None
            self._misses += 1
            if self._misses < self.settings.misses_to_release:
                return None
            self._pressed = None
        if self._candidate is not None and self._candidate_hits >= self.settings.hits_to_press:
            self._pressed, self._misses = self._candidate, 0
            return self._pressed
        return None
