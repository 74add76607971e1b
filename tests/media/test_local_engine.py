"""The in-process engine on 127.0.0.1 with plain UDP sockets as the phones of a call."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import socket
import wave
from collections.abc import Callable
from pathlib import Path

import pytest

from telephonist.media.dtmf import DtmfDigit, digit_schedule
from telephonist.media.engine import (
    Codec,
    Direction,
    MediaConfig,
    MediaEndpoint,
    MediaFileError,
    PortsExhaustedError,
    UnknownEndpointError,
)
from telephonist.media.g711 import decoder, encoder
from telephonist.media.local import LocalMediaEngine
from telephonist.media.rtp import RtcpByePacket, RtcpSdesPacket, RtcpSrPacket, RtpPacket, parse_rtcp
from telephonist.media.wav import WavFileSink, WavFileSource

from .loopback import LOOPBACK, Phone, correlation, frames_of, rtp_stream, send_paced, tone

Run = Callable[..., None]


@dataclasses.dataclass
class Call:
    """Two phones, two endpoints, bridged: what a B2BUA sets up for an answered call."""

    engine: LocalMediaEngine
    a: MediaEndpoint
    b: MediaEndpoint
    phone_a: Phone
    phone_b: Phone

    async def hang_up(self) -> None:
        await self.engine.release(self.a)
        await self.engine.release(self.b)
        self.phone_a.close()
        self.phone_b.close()


async def bridged_call(
    engine: LocalMediaEngine,
    *,
    codec_a: Codec = Codec.PCMU,
    codec_b: Codec = Codec.PCMU,
    te_a: int | None = 101,
    te_b: int | None = 101,
) -> Call:
    phone_a, phone_b = await Phone.open(), await Phone.open()
    a = await engine.allocate_endpoint("call-1", "A")
    b = await engine.allocate_endpoint("call-1", "B")
    await engine.set_remote(a, LOOPBACK, phone_a.port, codec=codec_a, telephone_event_pt=te_a)
    await engine.set_remote(b, LOOPBACK, phone_b.port, codec=codec_b, telephone_event_pt=te_b)
    await engine.bridge(a, b)
    return Call(engine, a, b, phone_a, phone_b)


def test_endpoints_use_an_even_rtp_port_and_rtcp_above_it(run_engine: Run) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        endpoints = [await engine.allocate_endpoint("c", str(i)) for i in range(3)]
        assert all(e.rtp_port % 2 == 0 and e.rtcp_port == e.rtp_port + 1 for e in endpoints)
        assert len({e.rtp_port for e in endpoints}) == 3
        assert engine.active_endpoints() == 3
        assert await engine.allocated_ports() == 6
        for endpoint in endpoints:
            await engine.release(endpoint)

    run_engine(scenario)


def test_a_bridged_call_relays_a_1_khz_tone_unchanged(run_engine: Run) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        call = await bridged_call(engine)
        pcm = tone(1000, frames=50)
        sent = rtp_stream(frames_of(encoder(Codec.PCMU)(pcm), 160))
        await send_paced(call.phone_a, sent, call.a.rtp_port, 0.02)
        got = await call.phone_b.receive(len(sent))
        assert [p.payload for p in got] == [p.payload for p in sent]
        assert correlation(decoder(Codec.PCMU)(b"".join(p.payload for p in got)), pcm) >= 0.99
        # B sees one stream of ours: one SSRC, consecutive numbers, timestamps 160 apart.
        assert {p.ssrc for p in got} == {got[0].ssrc} != {sent[0].ssrc}
        assert all(
            (q.sequence_number - p.sequence_number) % 65536 == 1 for p, q in itertools.pairwise(got)
        )
        assert all((q.timestamp - p.timestamp) % 2**32 == 160 for p, q in itertools.pairwise(got))
        assert got[0].marker and not any(p.marker for p in got[1:])
        stats_a, stats_b = await engine.stats(call.a), await engine.stats(call.b)
        assert (stats_a.packets_in, stats_a.packets_lost, stats_b.packets_out) == (50, 0, 50)
        assert stats_b.bytes_out == 50 * 172
        await call.hang_up()

    run_engine(scenario)


def test_media_flows_both_ways(run_engine: Run) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        call = await bridged_call(engine)
        call.phone_b.send(rtp_stream([b"\x11" * 160])[0], call.b.rtp_port)
        (packet,) = await call.phone_a.receive()
        assert packet.payload == b"\x11" * 160
        await call.hang_up()

    run_engine(scenario)


def test_pcmu_leg_and_pcma_leg_are_transcoded(run_engine: Run) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        call = await bridged_call(engine, codec_a=Codec.PCMU, codec_b=Codec.PCMA)
        pcm = tone(1000, frames=25)
        for packet in rtp_stream(frames_of(encoder(Codec.PCMU)(pcm), 160)):
            call.phone_a.send(packet, call.a.rtp_port)
        got = await call.phone_b.receive(25)
        assert {p.payload_type for p in got} == {8}
        assert correlation(decoder(Codec.PCMA)(b"".join(p.payload for p in got)), pcm) >= 0.99
        call.phone_b.send(
            rtp_stream([encoder(Codec.PCMA)(pcm[:320])], payload_type=8)[0], call.b.rtp_port
        )
        (back,) = await call.phone_a.receive()
        assert back.payload_type == 0
        assert back.payload == encoder(Codec.PCMU)(
            decoder(Codec.PCMA)(encoder(Codec.PCMA)(pcm[:320]))
        )
        await call.hang_up()

    run_engine(scenario)


def test_rtp_latches_to_the_address_packets_come_from(run_engine: Run) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        call = await bridged_call(engine)
        nat_phone = (
            await Phone.open()
        )  # B is behind NAT: its SDP address is not where it sends from
        call.phone_b.send(rtp_stream([b"\x22" * 160])[0], call.b.rtp_port)
        await call.phone_a.receive()
        nat_phone.send(rtp_stream([b"\x33" * 160], ssrc=7)[0], call.b.rtp_port)
        await asyncio.sleep(0.05)
        # Once latched to B's SDP address, other sources are ignored...
        assert (await engine.stats(call.b)).packets_dropped == 1
        await call.phone_a.assert_silent(0.01)
        # ...and after a re-INVITE the first packet latches anew, and media goes there.
        await engine.set_remote(call.b, LOOPBACK, 9, codec=Codec.PCMU, telephone_event_pt=101)
        nat_phone.send(rtp_stream([b"\x44" * 160], ssrc=7)[0], call.b.rtp_port)
        await call.phone_a.receive()
        call.phone_a.send(rtp_stream([b"\x55" * 160])[0], call.a.rtp_port)
        (packet,) = await nat_phone.receive()
        assert packet.payload == b"\x55" * 160
        await call.phone_b.assert_silent(0.01)
        nat_phone.close()
        await call.hang_up()

    run_engine(scenario)


def test_relatch_after_silence_when_configured(run_engine: Run, media_config: MediaConfig) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        call = await bridged_call(engine)
        moved = await Phone.open()
        call.phone_b.send(rtp_stream([b"\x22" * 160])[0], call.b.rtp_port)
        await call.phone_a.receive()
        await asyncio.sleep(0.06)
        moved.send(rtp_stream([b"\x23" * 160])[0], call.b.rtp_port)
        await call.phone_a.receive()
        call.phone_a.send(rtp_stream([b"\x24" * 160])[0], call.a.rtp_port)
        assert (await moved.receive())[0].payload == b"\x24" * 160
        moved.close()
        await call.hang_up()

    run_engine(scenario, dataclasses.replace(media_config, relatch_after=0.05))


def test_dtmf_passes_through_with_payload_type_mapping_and_is_reported_once(
    run_engine: Run,
) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        reported: list[tuple[str, DtmfDigit]] = []
        engine.set_dtmf_handler(lambda endpoint, digit: reported.append((endpoint.leg_id, digit)))
        call = await bridged_call(engine, te_a=101, te_b=96)
        sent = []
        for i, digit in enumerate("1#"):
            for j, event in enumerate(digit_schedule(digit)):
                sent.append(
                    RtpPacket(
                        101,
                        event.marker,
                        10 * i + j,
                        8000 * (i + 1),
                        5,
                        payload=event.event.serialize(),
                    )
                )
        for packet in sent:
            call.phone_a.send(packet, call.a.rtp_port)
        got = await call.phone_b.receive(len(sent))
        assert {p.payload_type for p in got} == {96}
        assert [p.payload for p in got] == [p.payload for p in sent]
        assert len({p.timestamp for p in got}) == 2  # one timestamp per key press
        assert [(leg, d.digit) for leg, d in reported] == [("A", "1"), ("A", "#")]
        start = sent[0]
        call.phone_b.send(dataclasses.replace(start, payload_type=96), call.b.rtp_port)
        (back,) = await call.phone_a.receive()
        assert back.payload_type == 101
        assert [(leg, d.digit) for leg, d in reported][-1] == ("B", "1")
        await call.hang_up()

    run_engine(scenario)


def test_dtmf_is_not_sent_to_a_leg_without_telephone_event(run_engine: Run) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        reported: list[DtmfDigit] = []
        engine.set_dtmf_handler(lambda endpoint, digit: reported.append(digit))
        call = await bridged_call(engine, te_b=None)
        event = digit_schedule("9")[0].event
        call.phone_a.send(
            RtpPacket(101, True, 1, 800, 5, payload=event.serialize()), call.a.rtp_port
        )
        await call.phone_b.assert_silent(0.05)
        assert [d.digit for d in reported] == ["9"]
        await call.hang_up()

    run_engine(scenario)


def test_hold_stops_media_to_the_held_leg(run_engine: Run) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        call = await bridged_call(engine)
        packets = iter(rtp_stream([b"\x66" * 160] * 10))
        await engine.set_direction(call.b, Direction.RECVONLY)
        call.phone_a.send(next(packets), call.a.rtp_port)
        await call.phone_b.assert_silent(0.05)
        call.phone_b.send(rtp_stream([b"\x67" * 160])[0], call.b.rtp_port)
        await call.phone_a.receive()  # the held leg is still heard
        await engine.set_direction(call.b, Direction.INACTIVE)
        call.phone_b.send(rtp_stream([b"\x68" * 160], first_seq=2000)[0], call.b.rtp_port)
        call.phone_a.send(next(packets), call.a.rtp_port)
        await call.phone_a.assert_silent(0.05)
        await call.phone_b.assert_silent(0.0)
        await engine.set_direction(call.b, Direction.SENDRECV)
        call.phone_a.send(next(packets), call.a.rtp_port)
        assert (await call.phone_b.receive())[0].payload == b"\x66" * 160
        await call.hang_up()

    run_engine(scenario)


def test_unbridged_legs_relay_nothing(run_engine: Run) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        call = await bridged_call(engine)
        await engine.unbridge(call.a)
        call.phone_a.send(rtp_stream([b"\x01" * 160])[0], call.a.rtp_port)
        await call.phone_b.assert_silent(0.05)
        await call.hang_up()

    run_engine(scenario)


def test_release_frees_the_ports_for_anyone(run_engine: Run) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        call = await bridged_call(engine)
        ports = [call.a.rtp_port, call.a.rtcp_port, call.b.rtp_port, call.b.rtcp_port]
        await call.hang_up()
        for port in ports:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.bind((LOOPBACK, port))
        with pytest.raises(UnknownEndpointError):
            await engine.stats(call.a)

    run_engine(scenario)


def test_port_range_exhaustion_and_busy_ports(run_engine: Run, media_config: MediaConfig) -> None:
    low = media_config.port_min

    async def scenario(engine: LocalMediaEngine) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as squatter:
            squatter.bind((LOOPBACK, low + 1))  # another program holds the first RTCP port
            first = await engine.allocate_endpoint("c", "1")
            second = await engine.allocate_endpoint("c", "2")
            assert {first.rtp_port, second.rtp_port} == {low + 2, low + 4}
            with pytest.raises(PortsExhaustedError):
                await engine.allocate_endpoint("c", "3")
        await engine.release(first)
        await engine.release(second)

    run_engine(scenario, dataclasses.replace(media_config, port_max=low + 5))


def test_lost_packets_and_jitter_are_counted(run_engine: Run) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        call = await bridged_call(engine)
        stream = rtp_stream([b"\xff" * 160] * 10, first_seq=65530)  # wraps around
        for packet in stream[:3] + stream[4:8] + stream[9:]:
            call.phone_a.send(packet, call.a.rtp_port)
        await call.phone_b.receive(8)
        stats = await engine.stats(call.a)
        assert (stats.packets_in, stats.packets_lost) == (8, 2)
        assert stats.jitter_ms > 0  # sent in a burst, not every 20 ms
        await call.hang_up()

    run_engine(scenario)


def write_wav(path: Path, pcm: bytes, rate: int = 8000, channels: int = 1) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)


def test_play_sends_a_wav_at_20_ms_pacing_and_bridged_audio_resumes_after(
    run_engine: Run, tmp_path: Path
) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        call = await bridged_call(engine, codec_b=Codec.PCMA)
        pcm = tone(440, frames=15)
        write_wav(tmp_path / "prompt.wav", pcm)
        call.phone_a.send(rtp_stream([b"\xff" * 160])[0], call.a.rtp_port)
        (before,) = await call.phone_b.receive()
        assert await engine.play(call.b, WavFileSource(tmp_path / "prompt.wav")) is True
        prompt = await call.phone_b.receive(15)
        assert correlation(decoder(Codec.PCMA)(b"".join(p.payload for p in prompt)), pcm) >= 0.99
        call.phone_a.send(rtp_stream([b"\xff" * 160], first_seq=1001)[0], call.a.rtp_port)
        (after,) = await call.phone_b.receive()
        stream = [before, *prompt, after]
        assert {p.ssrc for p in stream} == {before.ssrc}
        assert [p.sequence_number for p in stream] == [
            (before.sequence_number + i) % 65536 for i in range(17)
        ]
        assert [p.marker for p in stream] == [True, True] + [False] * 14 + [True]
        assert all(
            (q.timestamp - p.timestamp) % 2**32 >= 160 for p, q in itertools.pairwise(stream)
        )
        await call.hang_up()

    run_engine(scenario)


def test_play_is_paced_in_real_time(run_engine: Run, tmp_path: Path) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        call = await bridged_call(engine)
        write_wav(tmp_path / "beep.wav", tone(440, frames=10))
        loop = asyncio.get_running_loop()
        start = loop.time()
        receiving = asyncio.ensure_future(  # noqa: RUF006 - awaited below
            asyncio.gather(*[call.phone_a.receive_raw() for _ in range(10)])
        )
        await engine.play(call.a, WavFileSource(tmp_path / "beep.wav"))
        assert loop.time() - start >= 0.19, "ten 20 ms frames take at least 180 ms to send"
        arrivals = [arrival for _payload, _address, arrival in await receiving]
        assert max(arrivals) - start >= 0.17, "the last frame leaves at its time, not in a burst"
        await call.hang_up()

    run_engine(scenario)


def test_release_stops_playback_and_a_new_play_replaces_the_old(
    run_engine: Run, tmp_path: Path
) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        call = await bridged_call(engine)
        write_wav(tmp_path / "long.wav", tone(440, frames=200))
        first = asyncio.create_task(engine.play(call.a, WavFileSource(tmp_path / "long.wav")))
        await call.phone_a.receive()
        second = asyncio.create_task(engine.play(call.a, WavFileSource(tmp_path / "long.wav")))
        assert await first is False
        await call.phone_a.receive()
        await engine.release(call.a)
        assert await second is False
        await engine.release(call.b)
        call.phone_a.close()
        call.phone_b.close()

    run_engine(scenario)


def test_cancelling_the_caller_stops_playback(run_engine: Run, tmp_path: Path) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        call = await bridged_call(engine)
        write_wav(tmp_path / "long.wav", tone(440, frames=200))
        player = asyncio.create_task(engine.play(call.a, WavFileSource(tmp_path / "long.wav")))
        await call.phone_a.receive()
        player.cancel()
        with pytest.raises(asyncio.CancelledError):
            await player
        await asyncio.sleep(0.05)
        while not call.phone_a.inbox.empty():
            call.phone_a.inbox.get_nowait()
        await call.phone_a.assert_silent(0.05)
        await call.hang_up()

    run_engine(scenario)


def test_play_rejects_files_that_are_not_8_khz_mono(run_engine: Run, tmp_path: Path) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        call = await bridged_call(engine)
        write_wav(tmp_path / "cd.wav", b"\0\0" * 4410, rate=44100)
        with pytest.raises(MediaFileError, match="44100 Hz"):
            await engine.play(call.a, WavFileSource(tmp_path / "cd.wav"))
        with pytest.raises(MediaFileError, match="cannot read"):
            await engine.play(call.a, WavFileSource(tmp_path / "missing.wav"))
        await call.hang_up()

    run_engine(scenario)


def test_record_writes_the_received_audio_to_a_wav(run_engine: Run, tmp_path: Path) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        call = await bridged_call(engine, codec_a=Codec.PCMA)
        pcm = tone(1000, frames=20)
        await engine.record(call.a, WavFileSink(tmp_path / "rec.wav"))
        for packet in rtp_stream(frames_of(encoder(Codec.PCMA)(pcm), 160), payload_type=8):
            call.phone_a.send(packet, call.a.rtp_port)
        await call.phone_b.receive(20)
        await engine.stop_recording(call.a)
        with wave.open(str(tmp_path / "rec.wav")) as recording:
            assert (recording.getframerate(), recording.getnchannels()) == (8000, 1)
            recorded = recording.readframes(recording.getnframes())
        assert recorded == decoder(Codec.PCMA)(encoder(Codec.PCMA)(pcm))
        await call.hang_up()

    run_engine(scenario)


def test_rtcp_reports_are_answered_and_bye_is_sent_on_release(
    run_engine: Run, media_config: MediaConfig
) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        call = await bridged_call(engine)
        rtcp_b = await Phone.open()
        call.phone_a.send(rtp_stream([b"\xff" * 160])[0], call.a.rtp_port)
        await call.phone_b.receive()
        their_sr = RtcpSrPacket(ssrc=0x1234, ntp_timestamp=0x0000_1111_2222_0000)
        rtcp_b.send(their_sr.serialize(), call.b.rtcp_port)  # latches B's RTCP
        data, _, _ = await rtcp_b.receive_raw()
        report = parse_rtcp(data)
        assert isinstance(report[0], RtcpSrPacket) and report[0].packet_count == 1
        assert isinstance(report[1], RtcpSdesPacket)
        assert report[1].chunks[0].items == [(1, b"telephonist")]
        await engine.release(call.b)
        while True:
            packets = parse_rtcp((await rtcp_b.receive_raw())[0])
            if isinstance(packets[-1], RtcpByePacket):
                break
        await engine.release(call.a)
        for phone in (rtcp_b, call.phone_a, call.phone_b):
            phone.close()

    run_engine(scenario, dataclasses.replace(media_config, rtcp_interval=0.05))


def test_packets_before_set_remote_and_garbage_are_dropped(run_engine: Run) -> None:
    async def scenario(engine: LocalMediaEngine) -> None:
        phone = await Phone.open()
        endpoint = await engine.allocate_endpoint("c", "A")
        phone.send(rtp_stream([b"\xff" * 160])[0], endpoint.rtp_port)
        await asyncio.sleep(0.02)
        await engine.set_remote(endpoint, LOOPBACK, phone.port)
        phone.send(b"\x00garbage-not-rtp", endpoint.rtp_port)
        phone.send(rtp_stream([b"\xff" * 160], payload_type=18)[0], endpoint.rtp_port)
        await asyncio.sleep(0.05)
        stats = await engine.stats(endpoint)
        assert (stats.packets_dropped, stats.packets_in) == (3, 1)  # in: the one of type 18
        await engine.release(endpoint)
        phone.close()

    run_engine(scenario)
