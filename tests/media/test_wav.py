"""Recordings survive a crash: the WAV header never counts more than the file holds."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

from telephonist.media.engine import Codec
from telephonist.media.g711 import decoder, encoder
from telephonist.media.wav import WavFileSink, WavFileSource

from .loopback import Phone, frames_of, port_slice, rtp_stream, tone


def test_a_recording_is_a_valid_wav_after_every_write(tmp_path: Path) -> None:
    writer = WavFileSink(tmp_path / "rec.wav").open()
    for frame in frames_of(tone(frames=3), 320):
        writer.write(frame)
        with wave.open(str(tmp_path / "rec.wav")) as recording:
            assert recording.getnframes() * 2 == os.path.getsize(tmp_path / "rec.wav") - 44
    writer.close()
    frames = list(WavFileSource(tmp_path / "rec.wav").frames(160))
    assert b"".join(frames) == tone(frames=3)


RECORDER = """
import asyncio, sys
from pathlib import Path
from telephonist.media.engine import MediaConfig
from telephonist.media.local import LocalMediaEngine
from telephonist.media.wav import WavFileSink

async def main():
    low, high, path = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    engine = LocalMediaEngine(MediaConfig(port_min=low, port_max=high))
    endpoint = await engine.allocate_endpoint("voicemail", "caller")
    await engine.set_remote(endpoint, "127.0.0.1", 9)
    await engine.record(endpoint, WavFileSink(path))
    print(endpoint.rtp_port, flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


def test_recording_keeps_what_was_received_when_the_process_is_killed(tmp_path: Path) -> None:
    path = tmp_path / "voicemail.wav"
    low, high = port_slice()
    recorder = subprocess.Popen(
        [sys.executable, "-c", RECORDER, str(low), str(high), str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert recorder.stdout is not None
        port = int(recorder.stdout.readline())
        payloads = frames_of(encoder(Codec.PCMU)(tone(frames=12)), 160)

        async def speak() -> None:
            phone = await Phone.open()
            for packet in rtp_stream(payloads):
                phone.send(packet, port)
            phone.close()

        asyncio.run(speak())
        expected_size = 44 + 2 * 160 * len(payloads)
        for _ in range(500):
            if path.stat().st_size >= expected_size:
                break
            time.sleep(0.01)
        recorder.send_signal(signal.SIGKILL)
        recorder.wait(5)
    finally:
        recorder.kill()
        recorder.wait(5)
    assert recorder.returncode == -signal.SIGKILL
    with wave.open(str(path)) as recording:
        assert recording.getnframes() == 160 * len(payloads)
        assert recording.readframes(recording.getnframes()) == decoder(Codec.PCMU)(
            b"".join(payloads)
        )
