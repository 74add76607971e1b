"""Uploaded greetings and hold music (GS-1, GS-4, GS-5, VM-1) turned into what the media
engine plays: 8 kHz mono 16-bit WAV.

Debian's ffmpeg decodes every format people upload: WAV, MP3, Ogg or WebM Opus (what a
browser's MediaRecorder produces), M4A/AAC, FLAC. It runs as a bounded subprocess on a
private copy of the upload, limited to those demuxers and to local files, so a crafted
playlist cannot make it read other files or reach the network. Decoding stops just past the
length limit, so a very long file costs no more than an acceptable one.
"""

from __future__ import annotations

import enum
import io
import logging
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

from telephonist.domain.text import N_
from telephonist.errors import ServiceError
from telephonist.media.engine import SAMPLE_RATE
from telephonist.media.levels import voiced_seconds

logger = logging.getLogger(__name__)

_DEMUXERS = "wav,w64,mp3,ogg,matroska,webm,mov,mp4,m4a,3gp,aac,flac,caf"
_SILENCE_DBFS = -50.0
_MIN_SOUND_SECONDS = 0.2


@dataclass(frozen=True)
class ConversionLimits:
    """What an upload may be: at most ``max_bytes`` and ``max_seconds`` long, converted
    within ``timeout_seconds``."""

    max_bytes: int = 20 * 1024 * 1024
    max_seconds: float = 300.0
    timeout_seconds: float = 60.0


class AudioProblem(enum.Enum):
    """Why an upload was refused."""

    NOT_AUDIO = "not-audio"
    TOO_BIG = "too-big"
    TOO_LONG = "too-long"
    SILENT = "silent"


_MESSAGES = {
    AudioProblem.NOT_AUDIO: N_(
        "This file is not a recording that can be played: upload a WAV, MP3, Ogg, WebM or M4A "
        "audio file"
    ),
    AudioProblem.TOO_BIG: N_("The file is larger than the allowed size"),
    AudioProblem.TOO_LONG: N_("The recording is longer than the allowed length"),
    AudioProblem.SILENT: N_("The recording is empty or silent"),
}


class AudioConversionError(ServiceError):
    """An upload that cannot become a greeting; ``message`` is shown to the user (the
    portal translates it) and ``problem`` says which rule it broke."""

    def __init__(self, problem: AudioProblem) -> None:
        super().__init__(_MESSAGES[problem])
        self.problem = problem


@dataclass(frozen=True)
class ConvertedAudio:
    """An upload ready to store and play."""

    wav: bytes
    seconds: float


def convert_upload(data: bytes, limits: ConversionLimits | None = None) -> ConvertedAudio:
    """Decode ``data`` (any supported format) into an 8 kHz mono 16-bit WAV, or raise
    :class:`AudioConversionError`. Blocks for up to ``timeout_seconds``: call it from a
    thread (``asyncio.to_thread``) in async code."""
    limits = limits or ConversionLimits()
    if not data:
        raise AudioConversionError(AudioProblem.SILENT)
    if len(data) > limits.max_bytes:
        raise AudioConversionError(AudioProblem.TOO_BIG)
    pcm = _decode(data, limits)
    seconds = len(pcm) / 2 / SAMPLE_RATE
    if seconds > limits.max_seconds:
        raise AudioConversionError(AudioProblem.TOO_LONG)
    if voiced_seconds(pcm, threshold_dbfs=_SILENCE_DBFS) < _MIN_SOUND_SECONDS:
        raise AudioConversionError(AudioProblem.SILENT)
    return ConvertedAudio(wav_bytes(pcm), seconds)


def _decode(data: bytes, limits: ConversionLimits) -> bytes:
    """Run ffmpeg on a private copy of the upload; 16-bit 8 kHz mono samples out."""
    with tempfile.TemporaryDirectory(prefix="upload-") as directory:
        source = Path(directory) / "upload"
        source.write_bytes(data)
        command = [
            "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
            "-protocol_whitelist", "file", "-format_whitelist", _DEMUXERS,
            "-i", str(source),
            "-map", "0:a:0", "-t", f"{limits.max_seconds + 1:.3f}",
            "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le", "-f", "s16le", "pipe:1",
        ]  # fmt: skip
        try:
            result = subprocess.run(  # noqa: S603 - fixed program, no shell
                command, capture_output=True, timeout=limits.timeout_seconds, check=False
            )
        except subprocess.TimeoutExpired as error:
            logger.warning("audio upload not converted within %ss", limits.timeout_seconds)
            raise AudioConversionError(AudioProblem.NOT_AUDIO) from error
    if result.returncode != 0:
        logger.info("audio upload refused by ffmpeg: %s", result.stderr.decode(errors="replace"))
        raise AudioConversionError(AudioProblem.NOT_AUDIO)
    return result.stdout[: len(result.stdout) // 2 * 2]


def wav_bytes(pcm: bytes) -> bytes:
    """8 kHz mono 16-bit PCM wrapped in a plain WAV header."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm)
    return buffer.getvalue()
