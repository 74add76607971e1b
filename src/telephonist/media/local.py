"""The in-process media engine: asyncio datagram endpoints in the running event loop (uvloop
when the application installed it; this module never installs a loop policy).

Hot path: :meth:`_Leg.datagram_received` then :meth:`_Leg.relay`. A forwarded packet costs
one ``struct`` unpack, one ``bytearray`` copy and one ``pack_into``: a B2BUA must give each
leg one consistent stream, so the payload type, sequence number, timestamp and SSRC are
rewritten (offsets recomputed only when the source changes), and the payload is translated
only when the legs chose different G.711 laws.

A leg whose SDP offered no telephone-event sends its key presses as tones in the audio:
only such legs decode what they receive and feed an in-band DTMF detector, and only while
they are not bridged (an application, such as the mailbox menu, is listening), so the
phones that send RFC 4733 events (most) and bridged calls pay nothing for it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import secrets
import socket
import struct
import time
from collections import deque
from collections.abc import Iterator
from typing import Any, cast

from telephonist.media.dtmf import DtmfDigit, DtmfReceiver
from telephonist.media.engine import (
    FRAME_SAMPLES,
    SAMPLE_RATE,
    Codec,
    Direction,
    DtmfHandler,
    EndpointStats,
    MediaConfig,
    MediaEndpoint,
    MediaError,
    PcmSink,
    PcmSource,
    PcmWriter,
    PortsExhaustedError,
    UnknownEndpointError,
)
from telephonist.media.g711 import decoder, encoder, transcoding_table
from telephonist.media.inband_dtmf import InbandDtmfDetector
from telephonist.media.rtp import (
    SDES_CNAME,
    RtcpByePacket,
    RtcpPacket,
    RtcpReportBlock,
    RtcpRrPacket,
    RtcpSdesPacket,
    RtcpSourceDescription,
    RtcpSrPacket,
    RtpParseError,
    parse_rtcp,
    payload_bounds,
    serialize_rtcp,
)

logger = logging.getLogger(__name__)

_HEADER = struct.Struct("!BBHII")
_SEQ_TS_SSRC = struct.Struct("!HII")
_NTP_EPOCH_OFFSET = 2208988800
_FRAME_SECONDS = FRAME_SAMPLES / SAMPLE_RATE
COMFORT_NOISE_PT = 13
"""Static payload type of RFC 3389 comfort noise, relayed unchanged."""
_RTCP_SLOTS = 50
"""Reports are spread over the RTCP interval in this many turns: reporting thousands of legs
at once would hold the event loop for tens of milliseconds and delay the media."""

Address = tuple[str | Any, int]


class PortPool:
    """Even RTP ports of a range, each with its RTCP port above it, handed out round-robin
    so that a freed port rests before another call gets it."""

    def __init__(self, ip: str, port_min: int, port_max: int) -> None:
        self._ip = ip
        self._free = deque(range(port_min + port_min % 2, port_max, 2))
        self._in_use: set[int] = set()

    def bind_pair(self) -> tuple[int, socket.socket, socket.socket]:
        """Bind the next free pair; ports another program holds are skipped."""
        for _ in range(len(self._free)):
            port = self._free.popleft()
            try:
                rtp = _bound_socket(self._ip, port)
            except OSError:
                self._free.append(port)
                continue
            try:
                rtcp = _bound_socket(self._ip, port + 1)
            except OSError:
                rtp.close()
                self._free.append(port)
                continue
            self._in_use.add(port)
            return port, rtp, rtcp
        raise PortsExhaustedError(f"no free RTP port pair on {self._ip}")

    def free(self, port: int) -> None:
        self._in_use.discard(port)
        self._free.append(port)

    def bound_ports(self) -> int:
        return 2 * len(self._in_use)


def _bound_socket(ip: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        sock.bind((ip, port))
    except OSError:
        sock.close()
        raise
    return sock


class _RtcpPort(asyncio.DatagramProtocol):
    """The RTCP socket of a leg: latches like RTP and remembers the peer's last SR."""

    __slots__ = ("closed", "last_sr", "last_sr_at", "latched", "leg", "remote", "transport")

    def __init__(self, leg: _Leg) -> None:
        self.leg = leg
        self.transport: asyncio.DatagramTransport | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.remote: Address | None = None
        self.latched = False
        self.last_sr = 0
        self.last_sr_at = 0.0

    def follow(self, rtp_remote: Address | None) -> None:
        """Send to the port above the RTP address until an RTCP packet latches us."""
        self.remote = None if rtp_remote is None else (rtp_remote[0], rtp_remote[1] + 1)
        self.latched = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def datagram_received(self, data: bytes, addr: Address) -> None:
        if self.leg.codec is None or (self.latched and addr != self.remote):
            return
        try:
            packets = parse_rtcp(data)
        except RtpParseError as error:
            logger.debug("call %s: RTCP dropped: %s", self.leg.endpoint.call_id, error)
            return
        self.remote, self.latched = addr, True
        for packet in packets:
            if isinstance(packet, RtcpSrPacket):
                self.last_sr = (packet.ntp_timestamp >> 16) & 0xFFFFFFFF
                self.last_sr_at = time.monotonic()

    def send(self, packets: list[RtcpPacket]) -> None:
        if self.transport is not None and self.remote is not None:
            self.transport.sendto(serialize_rtcp(packets), self.remote)


class _Leg(asyncio.DatagramProtocol):
    """The RTP socket of one endpoint: latching, reception statistics, DTMF (RFC 4733, or
    in-band when the leg negotiated no telephone-event), recording, and
    the stream we send to the leg (our SSRC, sequence numbers and timestamps continuing
    across bridge changes and prompts)."""

    __slots__ = (
        "base_seq",
        "bytes_in",
        "bytes_out",
        "closed",
        "codec",
        "codec_pt",
        "cycles",
        "dropped",
        "dtmf",
        "endpoint",
        "engine",
        "expected_prior",
        "in_ssrc",
        "inband",
        "jitter",
        "last_audio_at",
        "last_audio_ts",
        "last_rx",
        "last_sent",
        "last_seq",
        "last_ts",
        "latched",
        "lost_before",
        "marker_due",
        "max_seq",
        "packets_in",
        "packets_out",
        "peer",
        "playback",
        "received",
        "received_prior",
        "receives",
        "remote",
        "rtcp",
        "sends",
        "seq_delta",
        "source",
        "source_ssrc",
        "ssrc",
        "te_pt",
        "transcode",
        "transport",
        "ts_delta",
        "writer",
    )

    def __init__(self, endpoint: MediaEndpoint, engine: LocalMediaEngine) -> None:
        self.endpoint = endpoint
        self.engine = engine
        self.transport: asyncio.DatagramTransport | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.rtcp = _RtcpPort(self)
        self.remote: Address | None = None
        self.latched = False
        self.codec: Codec | None = None
        self.codec_pt = -1
        self.te_pt = -1
        self.sends = True
        self.receives = True
        self.peer: _Leg | None = None
        self.transcode: bytes | None = None
        self.playback: asyncio.Task[None] | None = None
        self.writer: PcmWriter | None = None
        self.dtmf = DtmfReceiver()
        self.inband: InbandDtmfDetector | None = None
        # The stream we send: offsets map the current source's numbering onto ours.
        self.ssrc = secrets.randbits(32)
        self.source: object = None
        self.source_ssrc = -1
        self.seq_delta = 0
        self.ts_delta = 0
        self.last_seq = secrets.randbits(16)
        self.last_ts = secrets.randbits(32)
        self.last_sent = -1.0
        self.marker_due = False
        self.packets_out = 0
        self.bytes_out = 0
        # What we receive (RFC 3550 A.1 and A.8, without probation).
        self.last_rx = 0.0
        self.packets_in = 0
        self.bytes_in = 0
        self.dropped = 0
        self.in_ssrc = -1
        self.base_seq = 0
        self.max_seq = 0
        self.cycles = 0
        self.received = 0
        self.lost_before = 0
        self.expected_prior = 0
        self.received_prior = 0
        self.jitter = 0.0
        self.last_audio_at = -1.0
        self.last_audio_ts = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def error_received(self, exc: Exception) -> None:
        logger.debug("call %s: RTP socket error: %s", self.endpoint.call_id, exc)

    def datagram_received(self, data: bytes, addr: Address) -> None:
        now = time.monotonic()
        if (addr != self.remote or not self.latched) and not self._latch(addr, now):
            self.dropped += 1
            return
        self.last_rx = now
        if len(data) < 12 or data[0] & 0xC0 != 0x80:
            self.dropped += 1
            return
        _, second, seq, ts, ssrc = _HEADER.unpack_from(data)
        self.packets_in += 1
        self.bytes_in += len(data)
        if ssrc != self.in_ssrc:
            self._new_incoming_source(ssrc, seq)
        elif (seq - self.max_seq) & 0xFFFF < 0x8000:
            if seq < self.max_seq:
                self.cycles += 0x10000
            self.max_seq = seq
        self.received += 1
        payload_type = second & 0x7F
        if payload_type == self.codec_pt:
            self._measure_jitter(ts, now)
            if self.receives and (self.writer is not None or self._listens_inband):
                self._use_audio(data, ts)
        elif payload_type == self.te_pt:
            if self.receives:
                self._receive_dtmf(data, ts)
        elif payload_type != COMFORT_NOISE_PT:
            self.dropped += 1
            return
        peer = self.peer
        if peer is not None and self.receives:
            peer.relay(data, second, seq, ts, ssrc, now, self)

    def relay(
        self, data: bytes, second: int, seq: int, ts: int, ssrc: int, now: float, src: _Leg
    ) -> None:
        """Send a packet received on the bridged leg ``src`` as part of our stream."""
        if self.remote is None or not self.sends or self.playback is not None:
            return
        payload_type = second & 0x7F
        table = None
        if payload_type == src.codec_pt:
            out_pt = self.codec_pt
            table = self.transcode
        elif payload_type == src.te_pt:
            out_pt = self.te_pt
        else:
            out_pt = payload_type
        if out_pt < 0:
            return
        if src is not self.source or ssrc != self.source_ssrc:
            self._switch_source(src, ssrc, seq, ts, now)
        packet = bytearray(data)
        if self.marker_due:
            packet[1] = 0x80 | out_pt
            self.marker_due = False
        else:
            packet[1] = (second & 0x80) | out_pt
        seq_out = (seq + self.seq_delta) & 0xFFFF
        ts_out = (ts + self.ts_delta) & 0xFFFFFFFF
        _SEQ_TS_SSRC.pack_into(packet, 2, seq_out, ts_out, self.ssrc)
        if table is not None:
            try:
                start, end = payload_bounds(data)
            except RtpParseError:
                return
            packet[start:end] = data[start:end].translate(table)
        self._send(packet, seq_out, ts_out, now)

    def send_frame(self, pcm: bytes, index: int, source: object) -> None:
        """Send frame number ``index`` of a prompt, encoded with the leg's codec."""
        if self.remote is None or not self.sends or self.codec is None:
            return
        now = time.monotonic()
        seq = index & 0xFFFF
        ts = (index * FRAME_SAMPLES) & 0xFFFFFFFF
        if source is not self.source:
            self._switch_source(source, 0, seq, ts, now)
        seq_out = (seq + self.seq_delta) & 0xFFFF
        ts_out = (ts + self.ts_delta) & 0xFFFFFFFF
        second = 0x80 | self.codec_pt if self.marker_due else self.codec_pt
        self.marker_due = False
        header = _HEADER.pack(0x80, second, seq_out, ts_out, self.ssrc)
        self._send(header + encoder(self.codec)(pcm), seq_out, ts_out, now)

    def _send(self, packet: bytes | bytearray, seq: int, ts: int, now: float) -> None:
        assert self.transport is not None and self.remote is not None
        self.transport.sendto(packet, self.remote)
        self.last_seq = seq
        self.last_ts = ts
        self.last_sent = now
        self.packets_out += 1
        self.bytes_out += len(packet)

    def _switch_source(self, source: object, ssrc: int, seq: int, ts: int, now: float) -> None:
        """Continue our numbering from what we last sent; the timestamp advances by the
        real time elapsed (at least the 20 ms the last packet lasted) so the far end's jitter
        buffer sees neither a jump nor an overlap. Marks a new talkspurt."""
        elapsed = FRAME_SAMPLES
        if self.last_sent >= 0:
            elapsed = max(elapsed, round((now - self.last_sent) * SAMPLE_RATE))
        self.seq_delta = self.last_seq + 1 - seq
        self.ts_delta = self.last_ts + elapsed - ts
        self.source = source
        self.source_ssrc = ssrc
        self.marker_due = True

    def _latch(self, addr: Address, now: float) -> bool:
        """Symmetric RTP: the first packet after ``set_remote`` fixes where we send."""
        if self.codec is None:
            return False
        if self.latched:
            relatch_after = self.engine.config.relatch_after
            if relatch_after is None or now - self.last_rx < relatch_after:
                return False
            logger.info("call %s: RTP re-latched to %s", self.endpoint.call_id, addr)
        self.remote = addr
        self.latched = True
        self.rtcp.follow(addr)
        return True

    def _new_incoming_source(self, ssrc: int, seq: int) -> None:
        self.lost_before += self._lost()
        self.in_ssrc = ssrc
        self.base_seq = seq
        self.max_seq = seq
        self.cycles = 0
        self.received = 0
        self.expected_prior = 0
        self.received_prior = 0
        self.jitter = 0.0
        self.last_audio_at = -1.0

    def _expected(self) -> int:
        return self.cycles + self.max_seq - self.base_seq + 1 if self.in_ssrc >= 0 else 0

    def _lost(self) -> int:
        return max(0, self._expected() - self.received)

    def _measure_jitter(self, ts: int, now: float) -> None:
        if self.last_audio_at >= 0:
            sent_apart = ((ts - self.last_audio_ts + 0x80000000) & 0xFFFFFFFF) - 0x80000000
            difference = abs((now - self.last_audio_at) * SAMPLE_RATE - sent_apart)
            self.jitter += (difference - self.jitter) / 16
        self.last_audio_at = now
        self.last_audio_ts = ts

    def _receive_dtmf(self, data: bytes, ts: int) -> None:
        try:
            start, end = payload_bounds(data)
            digit = self.dtmf.receive(ts, data[start:end])
        except RtpParseError as error:
            logger.debug("call %s: telephone-event dropped: %s", self.endpoint.call_id, error)
            return
        if digit is not None:
            self._report_dtmf(digit)

    def _report_dtmf(self, digit: DtmfDigit) -> None:
        handler = self.engine.dtmf_handler
        if handler is not None:
            try:
                handler(self.endpoint, digit)
            except Exception:
                logger.exception("call %s: DTMF handler failed", self.endpoint.call_id)

    def _use_audio(self, data: bytes, ts: int) -> None:
        """Decode a received audio packet once, for the recording and the in-band detector.

        An in-band key is stamped with the timestamp of the packet in which it was
        recognised, about 25 ms after the tone began."""
        assert self.codec is not None
        try:
            start, end = payload_bounds(data)
        except RtpParseError:
            return
        pcm = decoder(self.codec)(data[start:end])
        if self.writer is not None:
            try:
                self.writer.write(pcm)
            except OSError:
                logger.exception("call %s: recording stopped", self.endpoint.call_id)
                self.stop_recording()
        if self._listens_inband:
            assert self.inband is not None
            for key in self.inband.feed(pcm):
                self._report_dtmf(DtmfDigit(key, ts))

    @property
    def _listens_inband(self) -> bool:
        """Keys are listened for while an application has the leg; once it is bridged, its
        tones reach the other party inside the audio, and nobody here waits for them."""
        return self.inband is not None and self.peer is None

    def stop_recording(self) -> None:
        writer, self.writer = self.writer, None
        if writer is not None:
            writer.close()

    def update_transcoding(self) -> None:
        """Choose the table for audio relayed to this leg from its peer."""
        peer = self.peer
        if peer is None or peer.codec is None or self.codec is None:
            self.transcode = None
        else:
            self.transcode = transcoding_table(peer.codec, self.codec)

    def rtcp_report(self, *, bye: bool = False) -> None:
        """Send SR (or RR if we sent nothing) + SDES CNAME (+ BYE) to the leg."""
        now = time.monotonic()
        blocks = [self._report_block(now)] if self.in_ssrc >= 0 else []
        first: RtcpPacket
        if self.packets_out:
            rtp_now = self.last_ts + round((now - self.last_sent) * SAMPLE_RATE)
            first = RtcpSrPacket(
                self.ssrc,
                int((time.time() + _NTP_EPOCH_OFFSET) * 2**32) & 0xFFFFFFFFFFFFFFFF,
                rtp_now & 0xFFFFFFFF,
                self.packets_out & 0xFFFFFFFF,
                (self.bytes_out - 12 * self.packets_out) & 0xFFFFFFFF,
                blocks,
            )
        else:
            first = RtcpRrPacket(self.ssrc, blocks)
        cname = self.engine.config.cname.encode()[:255]
        sdes = RtcpSdesPacket([RtcpSourceDescription(self.ssrc, [(SDES_CNAME, cname)])])
        packets: list[RtcpPacket] = [first, sdes]
        if bye:
            packets.append(RtcpByePacket([self.ssrc]))
        self.rtcp.send(packets)

    def _report_block(self, now: float) -> RtcpReportBlock:
        expected = self._expected()
        expected_interval = expected - self.expected_prior
        lost_interval = expected_interval - (self.received - self.received_prior)
        self.expected_prior = expected
        self.received_prior = self.received
        fraction = 0
        if expected_interval > 0 and lost_interval > 0:
            fraction = min(255, (lost_interval << 8) // expected_interval)
        delay = 0
        if self.rtcp.last_sr:
            delay = int((now - self.rtcp.last_sr_at) * 65536) & 0xFFFFFFFF
        return RtcpReportBlock(
            self.in_ssrc,
            fraction,
            min(self._lost(), 0x7FFFFF),
            (self.cycles + self.max_seq) & 0xFFFFFFFF,
            int(self.jitter) & 0xFFFFFFFF,
            self.rtcp.last_sr,
            delay,
        )

    def stats(self) -> EndpointStats:
        return EndpointStats(
            packets_in=self.packets_in,
            bytes_in=self.bytes_in,
            packets_out=self.packets_out,
            bytes_out=self.bytes_out,
            packets_lost=self.lost_before + self._lost(),
            packets_dropped=self.dropped,
            jitter_ms=1000 * self.jitter / SAMPLE_RATE,
        )


class LocalMediaEngine:
    """:class:`~telephonist.media.engine.MediaEngine` running in the caller's event loop:
    the embedded default, and the engine inside each worker of the process pool."""

    def __init__(self, config: MediaConfig | None = None) -> None:
        self.config = config or MediaConfig()
        self.dtmf_handler: DtmfHandler | None = None
        self._ports = PortPool(self.config.local_ip, self.config.port_min, self.config.port_max)
        self._legs: dict[str, _Leg] = {}
        self._rtcp_turns: deque[_Leg] = deque()
        self._rtcp_timer: asyncio.TimerHandle | None = None

    def set_dtmf_handler(self, handler: DtmfHandler | None) -> None:
        self.dtmf_handler = handler

    async def allocate_endpoint(self, call_id: str, leg_id: str) -> MediaEndpoint:
        loop = asyncio.get_running_loop()
        port, rtp_sock, rtcp_sock = self._ports.bind_pair()
        endpoint = MediaEndpoint(secrets.token_hex(8), call_id, leg_id, self.config.local_ip, port)
        leg = _Leg(endpoint, self)
        try:
            await loop.create_datagram_endpoint(lambda: leg, sock=rtp_sock)
            await loop.create_datagram_endpoint(lambda: leg.rtcp, sock=rtcp_sock)
        except BaseException:
            for transport, sock in ((leg.transport, rtp_sock), (leg.rtcp.transport, rtcp_sock)):
                (transport or sock).close()
            self._ports.free(port)
            raise
        self._legs[endpoint.endpoint_id] = leg
        self._rtcp_turns.append(leg)
        if self._rtcp_timer is None:
            self._schedule_rtcp(loop)
        return endpoint

    def _schedule_rtcp(self, loop: asyncio.AbstractEventLoop) -> None:
        delay = self.config.rtcp_interval / _RTCP_SLOTS
        self._rtcp_timer = loop.call_later(delay, self._send_rtcp)

    def _send_rtcp(self) -> None:
        """Report for the next share of legs, so each leg reports once per interval."""
        turns = self._rtcp_turns
        for _ in range(-(-len(turns) // _RTCP_SLOTS)):
            leg = turns[0]
            turns.rotate(-1)
            if leg.codec is not None:
                leg.rtcp_report()
        self._schedule_rtcp(asyncio.get_running_loop())

    def _leg(self, endpoint: MediaEndpoint) -> _Leg:
        leg = self._legs.get(endpoint.endpoint_id)
        if leg is None:
            raise UnknownEndpointError(
                f"no endpoint {endpoint.endpoint_id} (leg {endpoint.leg_id})"
            )
        return leg

    async def set_remote(
        self,
        endpoint: MediaEndpoint,
        ip: str,
        port: int,
        *,
        codec: Codec = Codec.PCMU,
        telephone_event_pt: int | None = None,
    ) -> None:
        leg = self._leg(endpoint)
        leg.remote = (str(ipaddress.IPv4Address(ip)), port) if port else None
        leg.latched = False
        leg.rtcp.follow(leg.remote)
        leg.codec = codec
        leg.codec_pt = codec.payload_type
        leg.te_pt = -1 if telephone_event_pt is None else telephone_event_pt
        if telephone_event_pt is not None:
            leg.inband = None
        elif leg.inband is None:
            leg.inband = InbandDtmfDetector()
        leg.update_transcoding()
        if leg.peer is not None:
            leg.peer.update_transcoding()

    async def bridge(self, a: MediaEndpoint, b: MediaEndpoint) -> None:
        leg_a, leg_b = self._leg(a), self._leg(b)
        if leg_a is leg_b:
            raise MediaError("cannot bridge an endpoint to itself")
        _unbridge(leg_a)
        _unbridge(leg_b)
        leg_a.peer, leg_b.peer = leg_b, leg_a
        leg_a.update_transcoding()
        leg_b.update_transcoding()

    async def unbridge(self, endpoint: MediaEndpoint) -> None:
        _unbridge(self._leg(endpoint))

    async def set_direction(self, endpoint: MediaEndpoint, direction: Direction) -> None:
        leg = self._leg(endpoint)
        leg.sends = direction.sends
        leg.receives = direction.receives

    async def play(self, endpoint: MediaEndpoint, source: PcmSource) -> bool:
        leg = self._leg(endpoint)
        if leg.playback is not None:
            leg.playback.cancel()
        task = asyncio.create_task(_play(leg, source), name=f"play {endpoint.call_id}")
        leg.playback = task
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                task.cancel()
                raise
            return False
        return True

    async def record(self, endpoint: MediaEndpoint, sink: PcmSink) -> None:
        leg = self._leg(endpoint)
        leg.stop_recording()
        leg.writer = sink.open()

    async def stop_recording(self, endpoint: MediaEndpoint) -> None:
        self._leg(endpoint).stop_recording()

    async def stats(self, endpoint: MediaEndpoint) -> EndpointStats:
        return self._leg(endpoint).stats()

    async def release(self, endpoint: MediaEndpoint) -> None:
        leg = self._leg(endpoint)
        del self._legs[endpoint.endpoint_id]
        self._rtcp_turns.remove(leg)
        _unbridge(leg)
        playback = leg.playback
        if playback is not None:
            playback.cancel()
            await asyncio.wait([playback])
        leg.stop_recording()
        if leg.codec is not None:
            leg.rtcp_report(bye=True)
        for transport in (leg.transport, leg.rtcp.transport):
            assert transport is not None
            transport.close()
        await asyncio.gather(leg.closed, leg.rtcp.closed)
        self._ports.free(endpoint.rtp_port)
        if not self._legs and self._rtcp_timer is not None:
            self._rtcp_timer.cancel()
            self._rtcp_timer = None

    def active_endpoints(self) -> int:
        return len(self._legs)

    async def allocated_ports(self) -> int:
        return self._ports.bound_ports()

    async def close(self) -> None:
        for leg in list(self._legs.values()):
            await self.release(leg.endpoint)


def _unbridge(leg: _Leg) -> None:
    peer = leg.peer
    if peer is not None:
        peer.peer = None
        peer.transcode = None
        leg.peer = None
        leg.transcode = None


async def _play(leg: _Leg, source: PcmSource) -> None:
    """Send ``source`` at 20 ms pacing, on absolute deadlines so it does not drift."""
    loop = asyncio.get_running_loop()
    frames: Iterator[bytes] = source.frames(FRAME_SAMPLES)
    start = loop.time()
    try:
        for index, frame in enumerate(frames):
            leg.send_frame(frame, index, frames)
            await asyncio.sleep(start + (index + 1) * _FRAME_SECONDS - loop.time())
    finally:
        if leg.playback is asyncio.current_task():
            leg.playback = None
        close = getattr(frames, "close", None)
        if close is not None:
            close()  # a source cut short (a key pressed) lets go of its file now
