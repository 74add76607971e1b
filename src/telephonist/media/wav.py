"""WAV files as playback sources and recording sinks (8 kHz, mono, 16-bit PCM).

Playback reads with the standard library's ``wave``. Recording does not use ``wave``: it
writes the header only on close, so a killed process would leave an unreadable file.
:class:`WavWriter` appends each frame with one unbuffered write and then updates the two
size fields with ``os.pwrite``; the header never counts more than the file holds, so a
recording cut by a crash is a valid WAV of everything received until then.
"""

from __future__ import annotations

import os
import struct
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from telephonist.media.engine import SAMPLE_RATE, MediaFileError

_HEADER = struct.Struct("<4sI4s4sIHHIIHH4sI")
_RIFF_SIZE_OFFSET = 4
_DATA_SIZE_OFFSET = 40


@dataclass(frozen=True)
class WavFileSource:
    """Plays an 8 kHz mono 16-bit WAV file (prompts, greetings, music on hold)."""

    path: Path

    def frames(self, samples: int) -> Iterator[bytes]:
        try:
            with wave.open(str(self.path), "rb") as reader:
                shape = (reader.getframerate(), reader.getnchannels(), reader.getsampwidth())
                if shape != (SAMPLE_RATE, 1, 2):
                    raise MediaFileError(
                        f"{self.path} is {shape[0]} Hz, {shape[1]} channel(s), "
                        f"{8 * shape[2]}-bit; expected 8000 Hz mono 16-bit"
                    )
                while frame := reader.readframes(samples):
                    yield frame
        except (OSError, EOFError, wave.Error) as error:
            raise MediaFileError(f"cannot read {self.path}: {error}") from error


@dataclass(frozen=True)
class WavFileSink:
    """Records to an 8 kHz mono 16-bit WAV file that stays valid if the process dies."""

    path: Path

    def open(self) -> WavWriter:
        return WavWriter(self.path)


class WavWriter:
    """Appends PCM to a WAV file, keeping its header true after every write."""

    def __init__(self, path: Path) -> None:
        self._fd: int | None = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
        self._data_size = 0
        header = _HEADER.pack(
            b"RIFF", 36, b"WAVE", b"fmt ", 16, 1, 1, SAMPLE_RATE, 2 * SAMPLE_RATE, 2, 16,
            b"data", 0,
        )  # fmt: skip
        os.write(self._fd, header)

    def write(self, pcm: bytes) -> None:
        if self._fd is None:
            raise ValueError("the recording is closed")
        os.write(self._fd, pcm)
        self._data_size += len(pcm)
        os.pwrite(self._fd, struct.pack("<I", 36 + self._data_size), _RIFF_SIZE_OFFSET)
        os.pwrite(self._fd, struct.pack("<I", self._data_size), _DATA_SIZE_OFFSET)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
