"""What callers hear, measured: where a known sound starts in a recording, callers' test
voices (speech after a silence long enough for what the server says first), and an RTP
receiver that plays the ear of a SIPp carrier (SIPp itself cannot record what it gets)."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import numpy as np

from tests.telephony.audio import RATE, Samples, load, silence, write_wav
from tests.telephony.baresip import Baresip


def found_at(sent: Samples, received: Path | Samples) -> tuple[float, float]:
    """Where ``sent`` lines up best in ``received`` (seconds from its start) and how alike
    they are there (normalised correlation over ``sent``'s length, 1.0 = the same)."""
    audio = load(received) if isinstance(received, Path) else received
    if len(audio) < len(sent):
        audio = np.concatenate([audio, silence((len(sent) - len(audio)) / RATE)])
    size = len(sent) + len(audio)
    product = np.fft.irfft(np.fft.rfft(audio, size) * np.conj(np.fft.rfft(sent, size)), size)
    lag = int(np.argmax(product[: len(audio) - len(sent) + 1]))
    part = audio[lag : lag + len(sent)]
    energy = float(np.sqrt(np.dot(sent, sent) * np.dot(part, part)))
    return lag / RATE, float(np.dot(sent, part) / energy) if energy else 0.0


def heard(words: Samples, phone: Baresip) -> bool:
    """Whether ``phone`` has heard ``words`` in its current call so far (its last
    recording: baresip starts another one when early media turns into the answer)."""
    recordings = phone.recordings()
    return bool(recordings) and found_at(words, recordings[-1])[1] >= 0.9


def voice_after(path: Path, lead: float, said: Samples, tail: float = 20.0) -> Path:
    """A phone's audio source: ``lead`` seconds of silence (while the caller listens),
    then ``said``, then ``tail`` seconds of silence (baresip hangs up when its file ends)."""
    return write_wav(path, np.concatenate([silence(lead), said, silence(tail)]))


_ULAW_BIAS = 0x84


def ulaw_to_linear(payload: bytes) -> Samples:
    """G.711 µ-law bytes as samples in [-1, 1] (ITU-T G.711, written out so the test does
    not trust the server's codec to check the server)."""
    codes = ~np.frombuffer(payload, np.uint8)
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = ((mantissa.astype(np.int32) << 3) + _ULAW_BIAS) << exponent
    linear = np.where(sign != 0, _ULAW_BIAS - magnitude, magnitude - _ULAW_BIAS)
    return linear / 32768


class RtpEar:
    """A UDP port on ``host`` that keeps the PCMU audio of the RTP packets it gets, in
    sequence order. Senders start at a random sequence number (RFC 3550 §5.1), so a
    short call may wrap past 65535: packets are placed by their distance from the first
    one received."""

    def __init__(self, host: str) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind((host, 0))
        self.socket.settimeout(0.1)
        self.port: int = self.socket.getsockname()[1]
        self._packets: dict[int, bytes] = {}
        self._first_sequence: int | None = None
        self._lock = threading.Lock()
        self._open = True
        self._thread = threading.Thread(target=self._listen, name=f"rtp-ear-{self.port}")
        self._thread.start()

    def _listen(self) -> None:
        while self._open:
            try:
                data, _ = self.socket.recvfrom(2048)
            except TimeoutError:
                continue
            except OSError:
                return
            if len(data) < 12 or data[1] & 0x7F != 0:
                continue  # not PCMU (a telephone-event, or not RTP)
            sequence = int.from_bytes(data[2:4], "big")
            with self._lock:
                if self._first_sequence is None:
                    self._first_sequence = sequence
                distance = (sequence - self._first_sequence + 0x8000) % 0x10000 - 0x8000
                self._packets[distance] = data[12:]

    def heard(self) -> Samples:
        """Everything received so far, in sequence order."""
        with self._lock:
            ordered = [self._packets[number] for number in sorted(self._packets)]
        return ulaw_to_linear(b"".join(ordered)) if ordered else np.zeros(0)

    def close(self) -> None:
        self._open = False
        self._thread.join()
        self.socket.close()
