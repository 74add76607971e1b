"""In-band DTMF in the media engines: a phone or trunk that negotiated no telephone-event has
its key presses heard in its audio and reported like RFC 4733 ones, in-process and from the
worker processes alike; legs with telephone-event never run the detector; speech and hold
music are never taken for keys (VM-5 menus, CH-5 "press 1", issue 4)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import numpy as np
import pytest

from telephonist.media import local
from telephonist.media.dtmf import DtmfDigit
from telephonist.media.engine import Codec, MediaEndpoint, MediaEngine
from telephonist.media.g711 import encoder
from telephonist.media.inband_dtmf import InbandDtmfDetector
from telephonist.media.music import MusicTrack, render_track
from telephonist.media.rtp import RtpPacket
from telephonist.media.workers import ProcessPoolMediaEngine
from tests.telephony.audio import speech_like

from .loopback import LOOPBACK, Phone, frames_of, rtp_stream, send_paced
from .test_inband_dtmf import gap, key_tone, pcm
from .test_workers import run_pool

Run = Callable[..., None]
KEYS = "15#9*0"
PRESS_SECONDS = 0.08
PAUSE_SECONDS = 0.06
FIRST_TIMESTAMP = 5000
"""The RTP timestamp of the first packet ``rtp_stream`` makes."""


def keyed_audio() -> bytes:
    """The keys of ``KEYS`` pressed one after the other, as a phone sends them in-band."""
    parts = [gap(0.1)]
    for key in KEYS:
        parts += [key_tone(key, PRESS_SECONDS), gap(PAUSE_SECONDS)]
    return pcm(np.concatenate(parts))


def press_starts() -> list[int]:
    """The RTP timestamp at which each key of ``keyed_audio`` starts."""
    step = round((PRESS_SECONDS + PAUSE_SECONDS) * 8000)
    return [FIRST_TIMESTAMP + 800 + i * step for i in range(len(KEYS))]


def packets(audio: bytes, codec: Codec = Codec.PCMU) -> list[RtpPacket]:
    payload = encoder(codec)(audio)
    return rtp_stream(frames_of(payload, 160), payload_type=codec.payload_type)


async def send_to(
    engine: MediaEngine, endpoint: MediaEndpoint, phone: Phone, stream: list[RtpPacket]
) -> None:
    """Send ``stream`` at ten times real time and wait until the engine has taken it all."""
    await send_paced(phone, stream, endpoint.rtp_port, 0.002)
    for _ in range(200):
        if (await engine.stats(endpoint)).packets_in == len(stream):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the engine did not receive every packet")


async def keys_heard(
    engine: MediaEngine,
    audio: bytes,
    *,
    codec: Codec = Codec.PCMU,
    telephone_event_pt: int | None = None,
) -> list[DtmfDigit]:
    """What the DTMF handler reports while one leg receives ``audio``."""
    digits: list[DtmfDigit] = []
    engine.set_dtmf_handler(lambda endpoint, digit: digits.append(digit))
    phone = await Phone.open()
    endpoint = await engine.allocate_endpoint("call-1", "a")
    try:
        await engine.set_remote(
            endpoint, LOOPBACK, phone.port, codec=codec, telephone_event_pt=telephone_event_pt
        )
        await send_to(engine, endpoint, phone, packets(audio, codec))
        await asyncio.sleep(0.05)  # a digit from the worker is one more message away
    finally:
        await engine.release(endpoint)
        phone.close()
    return digits


def assert_each_key_once(digits: list[DtmfDigit]) -> None:
    assert "".join(d.digit for d in digits) == KEYS
    for digit, start in zip(digits, press_starts(), strict=True):
        # Stamped with the packet that completed the recognition, within 60 ms of the start.
        assert start <= digit.timestamp <= start + 480


@pytest.mark.parametrize("codec", list(Codec))
def test_keys_heard_in_the_audio_of_a_leg_without_telephone_event(
    run_engine: Run, codec: Codec
) -> None:
    async def scenario(engine: local.LocalMediaEngine) -> None:
        assert_each_key_once(await keys_heard(engine, keyed_audio(), codec=codec))

    run_engine(scenario)


def test_keys_heard_in_the_audio_reach_the_main_process_from_a_worker() -> None:
    async def scenario(engine: ProcessPoolMediaEngine) -> None:
        assert_each_key_once(await keys_heard(engine, keyed_audio()))
        assert await keys_heard(engine, keyed_audio(), telephone_event_pt=101) == []

    run_pool(scenario)


class CountingDetector(InbandDtmfDetector):
    """The engine's detector, counting the audio it is fed."""

    fed = 0

    def feed(self, pcm: bytes) -> list[str]:
        CountingDetector.fed += 1
        return super().feed(pcm)


def test_a_leg_with_telephone_event_runs_no_detector(
    run_engine: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local, "InbandDtmfDetector", CountingDetector)
    monkeypatch.setattr(CountingDetector, "fed", 0)

    async def scenario(engine: local.LocalMediaEngine) -> None:
        assert await keys_heard(engine, keyed_audio(), telephone_event_pt=101) == []
        assert CountingDetector.fed == 0
        assert_each_key_once(await keys_heard(engine, keyed_audio()))
        assert CountingDetector.fed == len(packets(keyed_audio()))

    run_engine(scenario)


def test_a_reinvite_adding_telephone_event_stops_in_band_detection(run_engine: Run) -> None:
    async def scenario(engine: local.LocalMediaEngine) -> None:
        digits: list[DtmfDigit] = []
        engine.set_dtmf_handler(lambda endpoint, digit: digits.append(digit))
        phone = await Phone.open()
        endpoint = await engine.allocate_endpoint("call-1", "a")
        await engine.set_remote(endpoint, LOOPBACK, phone.port)
        await engine.set_remote(endpoint, LOOPBACK, phone.port, telephone_event_pt=101)
        await send_to(engine, endpoint, phone, packets(keyed_audio()))
        assert digits == []
        await engine.release(endpoint)
        phone.close()

    run_engine(scenario)


@pytest.mark.parametrize(
    "audio",
    [
        pytest.param(lambda: pcm(speech_like(10.0, seed=4)), id="speech"),
        pytest.param(lambda: render_track(MusicTrack.ACOUSTIC), id="acoustic music"),
        pytest.param(lambda: render_track(MusicTrack.AMBIENT), id="ambient music"),
    ],
)
def test_speech_and_music_are_never_keys(run_engine: Run, audio: Callable[[], bytes]) -> None:
    async def scenario(engine: local.LocalMediaEngine) -> None:
        assert await keys_heard(engine, audio()) == []

    run_engine(scenario)
