"""Plain UDP sockets on 127.0.0.1 playing the phones of integration tests, and audio helpers."""

from __future__ import annotations

import asyncio
import itertools
import math
import random
import statistics
import struct
import time
from collections.abc import Iterable
from typing import Any, cast

from telephonist.media.rtp import RtpPacket

LOOPBACK = "127.0.0.1"
Address = tuple[str, int]

# Each test gets its own slice of ports, so it never sees packets of an earlier test; the
# random start keeps two test runs at the same time apart.
_port_slices = itertools.count(random.randrange(60))


def port_slice(size: int = 200) -> tuple[int, int]:
    """RTP ports below Linux's ephemeral range (32768+), where the phones' sockets land."""
    start = 20000 + (next(_port_slices) * size) % 12000
    return start, start + size - 1


class Phone(asyncio.DatagramProtocol):
    """One UDP socket: sends RTP (or RTCP) and queues what arrives with its arrival time."""

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.inbox: asyncio.Queue[tuple[bytes, Address, float]] = asyncio.Queue()

    @classmethod
    async def open(cls) -> Phone:
        loop = asyncio.get_running_loop()
        _, phone = await loop.create_datagram_endpoint(cls, local_addr=(LOOPBACK, 0))
        return phone

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self.inbox.put_nowait((data, addr, time.monotonic()))

    @property
    def port(self) -> int:
        assert self.transport is not None
        return int(self.transport.get_extra_info("sockname")[1])

    def send(self, data: bytes | RtpPacket, port: int) -> None:
        assert self.transport is not None
        if isinstance(data, RtpPacket):
            data = data.serialize()
        self.transport.sendto(data, (LOOPBACK, port))

    async def receive_raw(self, timeout: float = 2.0) -> tuple[bytes, Address, float]:
        return await asyncio.wait_for(self.inbox.get(), timeout)

    async def receive(self, count: int = 1, timeout: float = 2.0) -> list[RtpPacket]:
        packets = []
        for _ in range(count):
            data, _, _ = await self.receive_raw(timeout)
            packets.append(RtpPacket.parse(data))
        return packets

    async def assert_silent(self, seconds: float = 0.1) -> None:
        await asyncio.sleep(seconds)
        assert self.inbox.empty(), f"{self.inbox.qsize()} unexpected packets"

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def tone(frequency: float = 1000.0, frames: int = 50, amplitude: int = 8000) -> bytes:
    """16-bit little-endian PCM of a sine at 8 kHz, ``frames`` × 20 ms."""
    samples = frames * 160
    return struct.pack(
        f"<{samples}h",
        *(round(amplitude * math.sin(2 * math.pi * frequency * i / 8000)) for i in range(samples)),
    )


def frames_of(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def correlation(a: bytes, b: bytes) -> float:
    """Pearson correlation of two 16-bit PCM buffers (cut to the shorter)."""
    n = min(len(a), len(b)) // 2
    x = struct.unpack(f"<{n}h", a[: 2 * n])
    y = struct.unpack(f"<{n}h", b[: 2 * n])
    return statistics.correlation(x, y)


def rtp_stream(
    payloads: Iterable[bytes], *, payload_type: int = 0, ssrc: int = 0x1234, first_seq: int = 1000
) -> list[RtpPacket]:
    """Consecutive RTP packets of 20 ms G.711 frames."""
    return [
        RtpPacket(
            payload_type=payload_type,
            marker=i == 0,
            sequence_number=(first_seq + i) & 0xFFFF,
            timestamp=(5000 + 160 * i) & 0xFFFFFFFF,
            ssrc=ssrc,
            payload=payload,
        )
        for i, payload in enumerate(payloads)
    ]


async def send_paced(phone: Phone, packets: list[RtpPacket], port: int, pacing: float) -> None:
    """Send at ``pacing`` seconds per packet on absolute deadlines."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    for i, packet in enumerate(packets):
        phone.send(packet, port)
        await asyncio.sleep(start + (i + 1) * pacing - loop.time())
