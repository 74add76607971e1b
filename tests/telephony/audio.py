"""Audio for the telephony tests: distinctive test signals as 8 kHz WAV files for phones to
play, and measures of what a phone recorded: likeness to what was sent (through G.711,
delay and silence), tone frequency, and how long sound lasts."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

RATE = 8000
Samples = npt.NDArray[np.float64]
_FRAME_SECONDS = 0.02


def silence(seconds: float, rate: int = RATE) -> Samples:
    return np.zeros(round(seconds * rate))


def tone(frequency: float, seconds: float, amplitude: float = 0.5, rate: int = RATE) -> Samples:
    times = np.arange(round(seconds * rate)) / rate
    return amplitude * np.sin(2 * np.pi * frequency * times)


def speech_like(seconds: float, seed: int, rate: int = RATE) -> Samples:
    """Syllable-like bursts (two gliding partials under a smooth envelope, short pauses
    between) with seeded pitches: unlike any other seed's, and unlike itself shifted, so a
    correlation peak marks the one true alignment."""
    generator = np.random.default_rng(seed)
    pieces: list[Samples] = []
    while sum(len(piece) for piece in pieces) < seconds * rate:
        length = round(generator.uniform(0.08, 0.25) * rate)
        times = np.arange(length) / rate
        start, end = generator.uniform(250, 1400, size=2)
        glide = start + (end - start) * times / times[-1]
        phase = 2 * np.pi * np.cumsum(glide) / rate
        burst = np.sin(phase) + 0.5 * np.sin(2.7 * phase)
        pieces += [0.3 * burst * np.hanning(length), silence(generator.uniform(0.01, 0.06), rate)]
    return np.concatenate(pieces)[: round(seconds * rate)]


def write_wav(path: Path, samples: Samples, rate: int = RATE) -> Path:
    """16-bit mono WAV of samples in [-1, 1]."""
    pcm = np.round(np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path


def source_wav(path: Path, seed: int, seconds: float = 3.0, padding: float = 20.0) -> Path:
    """A phone's audio source: ``seconds`` of speech_like(seed), then ``padding`` seconds of
    silence, because baresip's aufile ends the call when its file ends."""
    return write_wav(path, np.concatenate([speech_like(seconds, seed), silence(padding)]))


def read_wav(path: Path) -> tuple[Samples, int]:
    """Samples in [-1, 1] (channels mixed down) and the rate of a 16-bit PCM WAV. The size of
    the data chunk comes from the file, not the header, so a recording whose writer has
    not finished it can still be read."""
    raw = path.read_bytes()
    if raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise ValueError(f"{path} is not a WAV file")
    position, channels, rate, width = 12, 1, RATE, 2
    while position + 8 <= len(raw):
        chunk = raw[position : position + 4]
        size = int.from_bytes(raw[position + 4 : position + 8], "little")
        body = position + 8
        if chunk == b"fmt ":
            channels = int.from_bytes(raw[body + 2 : body + 4], "little")
            rate = int.from_bytes(raw[body + 4 : body + 8], "little")
            width = int.from_bytes(raw[body + 14 : body + 16], "little") // 8
        elif chunk == b"data":
            if width != 2:
                raise ValueError(f"{path}: {8 * width}-bit samples, expected 16")
            data = raw[body:]
            frames = np.frombuffer(data[: len(data) // (2 * channels) * 2 * channels], "<i2")
            return frames.reshape(-1, channels).mean(axis=1) / 32768, rate
        position = body + size + (size & 1)
    raise ValueError(f"{path} has no data chunk")


def resample(samples: Samples, rate: int, to_rate: int = RATE) -> Samples:
    """Band-limited resampling (through the spectrum), enough for comparing test audio."""
    if rate == to_rate or len(samples) == 0:
        return samples
    length = round(len(samples) * to_rate / rate)
    spectrum = np.fft.rfft(samples)
    kept = np.zeros(length // 2 + 1, dtype=complex)
    count = min(len(kept), len(spectrum))
    kept[:count] = spectrum[:count]
    return np.fft.irfft(kept, length) * (length / len(samples))


def load(path: Path) -> Samples:
    """A WAV file as 8 kHz mono samples."""
    samples, rate = read_wav(path)
    return resample(samples, rate)


def best_correlation(sent: Path | Samples, received: Path | Samples) -> float:
    """How much ``received`` is ``sent`` (normalised cross-correlation, 1.0 = the same
    waveform) at the delay where they line up best, over the part where they overlap.
    Leading or trailing silence, delay and G.711 quantisation barely change it; other
    audio, gaps or distortion bring it down. Files are resampled to 8 kHz mono first."""
    a = load(sent) if isinstance(sent, Path) else sent
    b = load(received) if isinstance(received, Path) else received
    if not a.any() or not b.any():
        return 0.0
    size = len(a) + len(b)
    product = np.fft.irfft(np.fft.rfft(b, size) * np.conj(np.fft.rfft(a, size)), size)
    lag = int(np.argmax(product))
    if lag >= len(b):
        lag -= size
    a_part = a[max(0, -lag) :]
    b_part = b[max(0, lag) :]
    overlap = min(len(a_part), len(b_part))
    a_part, b_part = a_part[:overlap], b_part[:overlap]
    energy = float(np.sqrt(np.dot(a_part, a_part) * np.dot(b_part, b_part)))
    return float(np.dot(a_part, b_part) / energy) if energy else 0.0


def dominant_frequency(samples: Samples, rate: int = RATE) -> float:
    """The strongest frequency in Hz (spectral peak, refined between bins), e.g. to tell a
    ringback or a prompt's beep."""
    windowed = samples * np.hanning(len(samples))
    magnitude = np.abs(np.fft.rfft(windowed))
    peak = int(np.argmax(magnitude[1:])) + 1
    offset = 0.0
    if peak < len(magnitude) - 1:
        left, centre, right = np.log(magnitude[peak - 1 : peak + 2] + 1e-12)
        curvature = left - 2 * centre + right
        offset = float(0.5 * (left - right) / curvature) if curvature else 0.0
    return (peak + offset) * rate / len(samples)


def sound_frames(
    samples: Samples, rate: int = RATE, threshold_db: float = -40
) -> npt.NDArray[np.bool_]:
    """Per 20 ms frame, whether it holds sound (RMS above ``threshold_db`` dBFS)."""
    size = round(_FRAME_SECONDS * rate)
    frames = samples[: len(samples) // size * size].reshape(-1, size)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    loud: npt.NDArray[np.bool_] = 20 * np.log10(rms + 1e-12) > threshold_db
    return loud


def sounding_seconds(samples: Samples, rate: int = RATE, threshold_db: float = -40) -> float:
    """How long there is sound in total, in 20 ms steps (a prompt's length, a tone's)."""
    return int(sound_frames(samples, rate, threshold_db).sum()) * _FRAME_SECONDS


def first_sound_at(samples: Samples, rate: int = RATE, threshold_db: float = -40) -> float | None:
    """When sound starts, in seconds from the beginning (None: only silence)."""
    active = np.flatnonzero(sound_frames(samples, rate, threshold_db))
    return float(active[0]) * _FRAME_SECONDS if len(active) else None
