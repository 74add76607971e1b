"""How many bridged G.711 calls the media engine relays with 0 loss and p99 delay < 5 ms.

Starts ``ProcessPoolMediaEngine`` (one worker per core), opens N bridged calls, and drives
RTP both ways at 50 packets/s per stream from a load generator in another process; steps N
up, then bisects, within ``--max-seconds``. Prints one line, ``concurrent_calls=N``, on
stdout; every step's details go to stderr. All traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import select
import socket
import struct
import sys
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from telephonist.media.engine import Codec, MediaConfig, MediaEndpoint
from telephonist.media.workers import ProcessPoolMediaEngine

LOOPBACK = "127.0.0.1"
PACKET_INTERVAL_NS = 20_000_000
# After the 12-byte RTP header the payload starts with: stream id, packet counter, send time.
_STAMP = struct.Struct("!HIIIIQ")
_RECEIVED = struct.Struct("!IIQ")
_HISTOGRAM_US = 100  # latency histogram bucket width
_HISTOGRAM_BUCKETS = 2000

T = TypeVar("T")


@dataclass
class StepResult:
    calls: int
    sent: int
    received: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    cpu_workers: float
    cpu_generator: float
    cpu_machine: float

    @property
    def loss_percent(self) -> float:
        return 100 * (self.sent - self.received) / self.sent if self.sent else 100.0

    def passes(self, p99_limit_ms: float) -> bool:
        return self.sent > 0 and self.received >= self.sent and self.p99_ms < p99_limit_ms


def _percentile(histogram: list[int], fraction: float) -> float:
    total = sum(histogram)
    if not total:
        return float("inf")
    rank = fraction * total
    seen = 0
    for bucket, count in enumerate(histogram):
        seen += count
        if seen >= rank:
            return (bucket + 1) * _HISTOGRAM_US / 1000
    return float("inf")


def generate(
    conn: Connection, targets: list[int], sockets: int, warmup: float, measure: float
) -> None:
    """The load generator (its own process): stream ``i`` sends PCMU every 20 ms to port
    ``targets[i]``, phases spread evenly; receives what the engine relays back."""
    socks = []
    for _ in range(sockets):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        sock.bind((LOOPBACK, 0))
        sock.setblocking(False)
        socks.append(sock)
    conn.send([s.getsockname()[1] for s in socks])
    conn.recv()
    streams = len(targets)
    destinations = [(LOOPBACK, port) for port in targets]
    senders = [socks[i % sockets].sendto for i in range(streams)]
    by_fd = {s.fileno(): s for s in socks}
    poller = select.epoll()
    for sock in socks:
        poller.register(sock.fileno(), select.EPOLLIN)
    packet = bytearray(b"\x80\x00" + bytes(10) + b"\xff" * 160)
    buffer = bytearray(2048)
    histogram = [0] * _HISTOGRAM_BUCKETS
    now_ns = time.monotonic_ns
    start = now_ns()
    window_start = start + int(warmup * 1e9)
    window_end = window_start + int(measure * 1e9)
    stop_sending = window_end
    stop_receiving = stop_sending + 300_000_000
    sent_in_window = 0
    received_in_window = 0
    max_ns = 0
    index = 0
    cpu_start = time.process_time()
    while True:
        now = now_ns()
        if now >= stop_receiving:
            break
        if now < stop_sending:
            due = (now - start) * streams // PACKET_INTERVAL_NS
            while index < due:
                stream = index % streams
                counter = index // streams
                stamp = now_ns()
                _STAMP.pack_into(
                    packet, 2, counter & 0xFFFF, (counter * 160) & 0xFFFFFFFF, stream, stream,
                    counter, stamp,
                )  # fmt: skip
                senders[stream](packet, destinations[stream])
                if window_start <= stamp < window_end:
                    sent_in_window += 1
                index += 1
            wait = (start + (index + 1) * PACKET_INTERVAL_NS // streams - now_ns()) / 1e9
        else:
            wait = 0.01
        for fd, _ in poller.poll(max(0.0, min(wait, 0.01))):
            recv_into = by_fd[fd].recv_into
            while True:
                try:
                    size = recv_into(buffer)
                except BlockingIOError:
                    break
                if size < 12 + _RECEIVED.size:
                    continue
                _, _, sent_at = _RECEIVED.unpack_from(buffer, 12)
                if window_start <= sent_at < window_end:
                    received_in_window += 1
                    latency = now_ns() - sent_at
                    max_ns = max(max_ns, latency)
                    histogram[min(latency // (_HISTOGRAM_US * 1000), _HISTOGRAM_BUCKETS - 1)] += 1
    conn.send(
        {
            "sent": sent_in_window,
            "received": received_in_window,
            "histogram": histogram,
            "max_ms": max_ns / 1e6,
            "cpu": (time.process_time() - cpu_start) / (warmup + measure),
        }
    )
    for sock in socks:
        sock.close()


def _busy_cpu_seconds() -> float:
    """CPU time the whole machine spent busy: shows load from other programs during a step."""
    with open("/proc/stat") as stat:
        fields = [int(f) for f in stat.readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / os.sysconf("SC_CLK_TCK")


async def _in_batches(coroutines: list[Coroutine[Any, Any, T]], size: int = 200) -> list[T]:
    """Run control requests 200 at a time: fast set-up without flooding the workers."""
    results: list[T] = []
    for i in range(0, len(coroutines), size):
        results += await asyncio.gather(*coroutines[i : i + size])
    return results


async def run_step(
    engine: ProcessPoolMediaEngine, calls: int, args: argparse.Namespace
) -> StepResult:
    """Open ``calls`` bridged calls, load them, measure, release them all."""
    legs: list[MediaEndpoint] = await _in_batches(
        [engine.allocate_endpoint(f"call-{i // 2}", "AB"[i % 2]) for i in range(2 * calls)]
    )
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    targets = [leg.rtp_port for leg in legs]
    generator = context.Process(
        target=generate, args=(child, targets, args.sockets, args.warmup, args.measure)
    )
    generator.start()
    try:
        ports = await asyncio.to_thread(parent.recv)
        await _in_batches(
            [
                engine.set_remote(leg, LOOPBACK, ports[i % len(ports)], codec=Codec.PCMU)
                for i, leg in enumerate(legs)
            ]
        )
        await _in_batches([engine.bridge(legs[i], legs[i + 1]) for i in range(0, len(legs), 2)])
        pids = engine.worker_pids()
        cpu_before, machine_before = _cpu_seconds(pids), _busy_cpu_seconds()
        parent.send("go")
        report = await asyncio.to_thread(parent.recv)
        seconds = args.warmup + args.measure + 0.3
        cpu_workers = (_cpu_seconds(pids) - cpu_before) / seconds
        cpu_machine = (_busy_cpu_seconds() - machine_before) / seconds
    finally:
        generator.join(10)
        if generator.is_alive():
            generator.kill()
        await _in_batches([engine.release(leg) for leg in legs])
    assert engine.active_endpoints() == 0
    histogram = report["histogram"]
    return StepResult(
        calls=calls,
        sent=report["sent"],
        received=report["received"],
        p50_ms=_percentile(histogram, 0.5),
        p99_ms=_percentile(histogram, 0.99),
        max_ms=report["max_ms"],
        cpu_workers=cpu_workers,
        cpu_generator=report["cpu"],
        cpu_machine=cpu_machine,
    )


async def main(args: argparse.Namespace) -> int:
    deadline = time.monotonic() + args.max_seconds
    config = MediaConfig(port_min=args.port_min, port_max=args.port_max)
    workers = args.workers or os.cpu_count() or 1
    log = sys.stderr
    print(f"engine: {workers} workers, ports {args.port_min}-{args.port_max}", file=log)
    best = 0
    async with ProcessPoolMediaEngine(workers, config) as engine:
        low, high = 0, None
        calls = args.calls or args.start
        step_seconds = args.warmup + args.measure + 2.0
        while time.monotonic() + step_seconds * (1 + calls / 2000) < deadline:
            result = await run_step(engine, calls, args)
            ok = result.passes(args.p99_limit)
            print(
                json.dumps(
                    {
                        "calls": calls,
                        "streams": 2 * calls,
                        "pps_relayed": round(result.sent / args.measure),
                        "loss_percent": round(result.loss_percent, 4),
                        "p50_ms": result.p50_ms,
                        "p99_ms": result.p99_ms,
                        "max_ms": round(result.max_ms, 2),
                        "cpu_workers_cores": round(result.cpu_workers, 2),
                        "cpu_generator_cores": round(result.cpu_generator, 2),
                        "cpu_machine_cores": round(result.cpu_machine, 2),
                        "pass": ok,
                    }
                ),
                file=log,
                flush=True,
            )
            if args.calls:
                best = calls if ok else 0
                break
            if ok:
                low = best = calls
            else:
                high = calls
            if high is None:
                calls *= 2
            elif high - low <= max(args.resolution, low // 20):
                break
            else:
                calls = (low + high) // 2
        else:
            print("time budget reached; reporting the best step so far", file=log)
    print(f"concurrent_calls={best}")
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, help="measure only this many calls")
    parser.add_argument("--start", type=int, default=200, help="first step of the search")
    parser.add_argument("--resolution", type=int, default=50, help="stop bisecting within this")
    parser.add_argument("--max-seconds", type=float, default=170.0, help="whole-run budget")
    parser.add_argument("--workers", type=int, help="media workers (default: CPU count)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before measuring")
    parser.add_argument("--measure", type=float, default=4.0, help="seconds measured per step")
    parser.add_argument("--p99-limit", type=float, default=5.0, help="p99 delay limit, ms")
    parser.add_argument("--sockets", type=int, default=32, help="load generator sockets")
    parser.add_argument("--port-min", type=int, default=20000)
    parser.add_argument("--port-max", type=int, default=39999)
    return parser.parse_args(argv)


if __name__ == "__main__":
    options = parse_args()
    try:
        import uvloop
    except ImportError:
        sys.exit(asyncio.run(main(options)))
    sys.exit(uvloop.run(main(options)))
