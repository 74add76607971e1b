"""Uploaded greetings and music (GS-1, GS-4, GS-5, VM-1): what browsers and people upload
becomes 8 kHz mono WAV, and what cannot be used is refused with a message saying why."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from telephonist.errors import ServiceError
from telephonist.i18n import gettext_for
from telephonist.media.convert import (
    AudioConversionError,
    AudioProblem,
    ConversionLimits,
    convert_upload,
)
from telephonist.media.wav import WavFileSource
from tests.telephony.audio import dominant_frequency, write_wav

RATE = 8000


def ffmpeg(*arguments: str) -> None:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *arguments],
        check=True,
        timeout=60,
    )


def upload(
    tmp_path: Path, name: str, *encoding: str, seconds: float = 3.0, frequency: int = 440
) -> bytes:
    """A ``seconds`` tone at 44.1 kHz stereo, encoded as a browser or a person would."""
    path = tmp_path / name
    ffmpeg(
        "-f", "lavfi", "-i", f"sine=frequency={frequency}:sample_rate=44100:duration={seconds}",
        "-ac", "2", *encoding, str(path),
    )  # fmt: skip
    return path.read_bytes()


def decoded(wav: bytes, tmp_path: Path) -> np.ndarray:
    path = tmp_path / "converted.wav"
    path.write_bytes(wav)
    with wave.open(str(path)) as reader:
        assert (reader.getframerate(), reader.getnchannels(), reader.getsampwidth()) == (RATE, 1, 2)
    return np.frombuffer(b"".join(WavFileSource(path).frames(160)), "<i2") / 32768


FORMATS = {
    "wav": ("greeting.wav", "-c:a", "pcm_s16le"),
    "mp3": ("greeting.mp3", "-c:a", "libmp3lame", "-b:a", "128k"),
    "webm-opus": ("greeting.webm", "-c:a", "libopus"),
    "ogg-opus": ("greeting.ogg", "-c:a", "libopus"),
    "m4a": ("greeting.m4a", "-c:a", "aac"),
    "flac": ("greeting.flac", "-c:a", "flac"),
}


@pytest.mark.parametrize("encoding", FORMATS.values(), ids=FORMATS.keys())
def test_uploads_become_8_khz_mono_wav_of_the_same_sound(
    encoding: tuple[str, ...], tmp_path: Path
) -> None:
    name, *options = encoding
    converted = convert_upload(upload(tmp_path, name, *options))
    audio = decoded(converted.wav, tmp_path)
    assert converted.seconds == pytest.approx(3.0, abs=0.08)
    assert len(audio) / RATE == pytest.approx(converted.seconds)
    assert dominant_frequency(audio[RATE // 2 : 5 * RATE // 2]) == pytest.approx(440, abs=2)


def test_a_file_named_wrongly_is_judged_by_its_content(tmp_path: Path) -> None:
    """A browser may call an Opus WebM recording "greeting.wav"."""
    data = upload(tmp_path, "really.webm", "-c:a", "libopus")
    assert convert_upload(data).seconds == pytest.approx(3.0, abs=0.08)


def refused(data: bytes, limits: ConversionLimits | None = None) -> AudioProblem:
    with pytest.raises(AudioConversionError) as caught:
        convert_upload(data, limits)
    return caught.value.problem


@pytest.mark.parametrize(
    "data",
    [
        b"this is a text file, not a recording\n" * 40,
        bytes(range(256)) * 64,
        b"RIFF\x24\x00\x00\x00WAVEfmt ",
    ],
    ids=["text", "random", "truncated-wav"],
)
def test_what_is_not_audio_is_refused(data: bytes) -> None:
    assert refused(data) is AudioProblem.NOT_AUDIO


def test_a_picture_is_refused(tmp_path: Path) -> None:
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=32x32", "-frames:v", "1", str(tmp_path / "p.png"))
    assert refused((tmp_path / "p.png").read_bytes()) is AudioProblem.NOT_AUDIO


def test_a_playlist_cannot_make_ffmpeg_read_other_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret.wav"
    write_wav(secret, 0.5 * np.sin(2 * np.pi * 440 * np.arange(RATE) / RATE))
    playlist = f"#EXTM3U\n#EXTINF:1,\n{secret}\n".encode()
    concat = f"ffconcat version 1.0\nfile '{secret}'\n".encode()
    assert refused(playlist) is AudioProblem.NOT_AUDIO
    assert refused(concat) is AudioProblem.NOT_AUDIO


def test_too_big_is_refused_before_decoding() -> None:
    assert refused(bytes(2048), ConversionLimits(max_bytes=1024)) is AudioProblem.TOO_BIG


def test_too_long_is_refused(tmp_path: Path) -> None:
    data = upload(tmp_path, "long.mp3", "-c:a", "libmp3lame", seconds=8)
    assert refused(data, ConversionLimits(max_seconds=5)) is AudioProblem.TOO_LONG
    assert convert_upload(data, ConversionLimits(max_seconds=9)).seconds == pytest.approx(
        8, abs=0.1
    )


def test_empty_and_silent_recordings_are_refused(tmp_path: Path) -> None:
    assert refused(b"") is AudioProblem.SILENT
    write_wav(tmp_path / "silent.wav", np.zeros(3 * RATE))
    assert refused((tmp_path / "silent.wav").read_bytes()) is AudioProblem.SILENT
    write_wav(tmp_path / "hiss.wav", np.random.default_rng(1).normal(0, 10 ** (-70 / 20), 3 * RATE))
    assert refused((tmp_path / "hiss.wav").read_bytes()) is AudioProblem.SILENT


def test_a_quiet_greeting_is_kept(tmp_path: Path) -> None:
    write_wav(tmp_path / "quiet.wav", 0.01 * np.sin(2 * np.pi * 300 * np.arange(2 * RATE) / RATE))
    assert convert_upload((tmp_path / "quiet.wav").read_bytes()).seconds == pytest.approx(2.0)


@pytest.mark.parametrize("problem", list(AudioProblem))
def test_each_refusal_says_why_in_english_and_french(problem: AudioProblem) -> None:
    error = AudioConversionError(problem)
    assert isinstance(error, ServiceError)
    french = gettext_for("fr").gettext(error.message)
    assert french != error.message
    assert french.endswith(("autorisée", "silencieux", "M4A"))
