"""The worker-process pool: same interface, calls sharded over processes, deaths detected."""

from __future__ import annotations

import asyncio
import os
import signal
import wave
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from telephonist.media.dtmf import DtmfDigit, digit_schedule
from telephonist.media.engine import Codec, MediaConfig, MediaEndpoint, MediaError, MediaWorkerError
from telephonist.media.g711 import encoder
from telephonist.media.rtp import RtpPacket
from telephonist.media.wav import WavFileSink, WavFileSource
from telephonist.media.workers import (
    ProcessPoolMediaEngine,
    WorkerExitHandler,
    worker_port_ranges,
)

from .loopback import LOOPBACK, Phone, frames_of, port_slice, rtp_stream, tone

Scenario = Callable[[ProcessPoolMediaEngine], Awaitable[None]]


def run_pool(scenario: Scenario, on_worker_exit: WorkerExitHandler | None = None) -> None:
    """Run ``scenario`` on a 2-worker pool, then check nothing leaked in the workers or here."""

    async def main() -> None:
        low, high = port_slice(400)
        config = MediaConfig(port_min=low, port_max=high)
        engine = ProcessPoolMediaEngine(2, config, on_worker_exit=on_worker_exit)
        async with engine:
            await asyncio.wait_for(scenario(engine), 20)
            assert engine.active_endpoints() == 0
            assert await engine.allocated_ports() == 0
            pids = engine.worker_pids()
        for pid in pids:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)  # stopped and reaped
        leftover = asyncio.all_tasks() - {asyncio.current_task()}
        assert not leftover, leftover

    asyncio.run(main())


def test_port_range_is_split_into_disjoint_even_slices() -> None:
    config = MediaConfig(port_min=20000, port_max=39999)
    assert worker_port_ranges(config, 2) == [(20000, 29999), (30000, 39999)]
    assert worker_port_ranges(config, 3)[1] == (26666, 33331)
    with pytest.raises(MediaError, match="too small"):
        worker_port_ranges(MediaConfig(port_min=20000, port_max=20002), 2)


def test_a_call_is_relayed_with_dtmf_and_calls_spread_over_both_workers(tmp_path: Path) -> None:
    async def scenario(engine: ProcessPoolMediaEngine) -> None:
        digits: list[tuple[str, DtmfDigit]] = []
        engine.set_dtmf_handler(lambda endpoint, digit: digits.append((endpoint.leg_id, digit)))
        phone_a, phone_b = await Phone.open(), await Phone.open()
        a = await engine.allocate_endpoint("call-1", "A")
        b = await engine.allocate_endpoint("call-1", "B")
        other = await engine.allocate_endpoint("call-2", "A")
        # Both legs of a call share a worker's slice; the next call goes to the other worker.
        assert abs(a.rtp_port - b.rtp_port) < 200 <= abs(a.rtp_port - other.rtp_port)
        await engine.set_remote(a, LOOPBACK, phone_a.port, telephone_event_pt=101)
        await engine.set_remote(b, LOOPBACK, phone_b.port, codec=Codec.PCMA, telephone_event_pt=96)
        await engine.bridge(a, b)
        await engine.record(b, WavFileSink(tmp_path / "b.wav"))
        sent = rtp_stream(frames_of(encoder(Codec.PCMU)(tone(frames=10)), 160))
        for packet in sent:
            phone_a.send(packet, a.rtp_port)
        got = await phone_b.receive(10)
        assert {p.payload_type for p in got} == {8}
        event = digit_schedule("5")[0]
        phone_a.send(
            RtpPacket(101, True, 2000, 9000, 1, payload=event.event.serialize()), a.rtp_port
        )
        assert (await phone_b.receive())[0].payload_type == 96
        assert [(leg, d.digit) for leg, d in digits] == [("A", "5")]
        stats = await engine.stats(a)
        assert stats.packets_in == 11
        await engine.stop_recording(b)
        for endpoint in (a, b, other):
            await engine.release(endpoint)
        phone_a.close()
        phone_b.close()

    run_pool(scenario)


def test_cross_worker_bridge_is_refused() -> None:
    async def scenario(engine: ProcessPoolMediaEngine) -> None:
        a = await engine.allocate_endpoint("call-1", "A")
        b = await engine.allocate_endpoint("call-2", "A")
        with pytest.raises(MediaError, match="different media workers"):
            await engine.bridge(a, b)
        await engine.release(a)
        await engine.release(b)

    run_pool(scenario)


def test_a_killed_worker_is_detected_and_its_endpoints_reported() -> None:
    exits: list[tuple[int, list[MediaEndpoint]]] = []
    exited = asyncio.Event()

    def on_exit(index: int, lost: list[MediaEndpoint]) -> None:
        exits.append((index, lost))
        exited.set()

    async def scenario(engine: ProcessPoolMediaEngine) -> None:
        doomed = await engine.allocate_endpoint("call-1", "A")
        survivor = await engine.allocate_endpoint("call-2", "A")
        pids = engine.worker_pids()
        os.kill(pids[0], signal.SIGKILL)
        with pytest.raises(MediaWorkerError, match="media worker 0 exited with code -9"):
            await engine.stats(doomed)
        await asyncio.wait_for(exited.wait(), 5)
        assert exits == [(0, [doomed])]
        assert engine.worker_pids() == pids[1:]
        assert engine.active_endpoints() == 1
        # The remaining worker carries on, and takes new calls.
        assert (await engine.stats(survivor)).packets_in == 0
        fresh = await engine.allocate_endpoint("call-3", "A")
        for endpoint in (survivor, fresh):
            await engine.release(endpoint)

    run_pool(scenario, on_worker_exit=on_exit)


def test_cancelling_a_pool_play_stops_it_in_the_worker(tmp_path: Path) -> None:
    with wave.open(str(tmp_path / "long.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(tone(frames=200))

    async def scenario(engine: ProcessPoolMediaEngine) -> None:
        phone = await Phone.open()
        a = await engine.allocate_endpoint("call-1", "A")
        await engine.set_remote(a, LOOPBACK, phone.port)
        player = asyncio.create_task(engine.play(a, WavFileSource(tmp_path / "long.wav")))
        await phone.receive()
        player.cancel()
        with pytest.raises(asyncio.CancelledError):
            await player
        await asyncio.sleep(0.1)
        while not phone.inbox.empty():
            phone.inbox.get_nowait()
        await phone.assert_silent(0.06)
        await engine.release(a)
        phone.close()

    run_pool(scenario)
