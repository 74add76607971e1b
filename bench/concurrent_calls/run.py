"""How many bridged G.711 calls the media engine relays with 0 loss and p99 delay < 5 ms.

Starts ``ProcessPoolMediaEngine`` (one worker per core), opens N bridged calls, and drives
RTP both ways at 50 packets/s per stream from a load generator in C (rtpload.c, batched
sendmmsg/recvmmsg, compiled with gcc on first use) in another process; steps N
up, then bisects, within ``--max-seconds``. Prints ``concurrent_calls=N`` on stdout.

With ``--compare-rtpengine`` the same search then runs against rtpengine from Debian in user
space (calls set up by NG offer/answer, same load generator, same criteria), and two more
lines follow: ``rtpengine_concurrent_calls=M`` and ``ratio=N/M``. Every step's details go to
stderr. All traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import rtpengine_ng

from telephonist.media.engine import Codec, MediaConfig, MediaEndpoint
from telephonist.media.workers import ProcessPoolMediaEngine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchserver import (
    cpu_seconds,
    free_port,
    machine_busy_seconds,
    running,
    wait_until_quiet,
)

LOOPBACK = "127.0.0.1"
_HISTOGRAM_US = 100  # the width of rtpload.c's latency histogram buckets

T = TypeVar("T")


@dataclass
class StepResult:
    calls: int
    sent: int
    received: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    cpu_relay: float
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


def generator_binary() -> Path:
    """The C load generator (rtpload.c), compiled with gcc on first use into /tmp."""
    source = Path(__file__).with_name("rtpload.c")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:12]
    binary = Path(tempfile.gettempdir()) / f"telephonist-rtpload-{digest}"
    if not binary.exists():
        partial = binary.with_suffix(".partial")
        subprocess.run(["gcc", "-O2", "-Wall", "-o", str(partial), str(source)], check=True)
        partial.replace(binary)
    return binary


async def _in_batches(coroutines: list[Coroutine[Any, Any, T]], size: int = 200) -> list[T]:
    """Run control requests 200 at a time: fast set-up without flooding the workers."""
    results: list[T] = []
    for i in range(0, len(coroutines), size):
        results += await asyncio.gather(*coroutines[i : i + size])
    return results


async def measure(
    calls: int,
    args: argparse.Namespace,
    connect: Callable[[list[int]], Awaitable[list[int]]],
    pids: list[int],
) -> StepResult:
    """Start the load generator; ``connect`` points the 2 N relay legs at its socket ports
    (stream ``i`` at ``ports[i % len(ports)]``) and returns the relay port each stream is
    sent to; then load for warm-up + measure and read CPU of ``pids`` (the relay)."""
    command = [str(generator_binary()), str(args.sockets), str(args.warmup), str(args.measure)]
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as generator:
        assert generator.stdin is not None and generator.stdout is not None
        try:
            ports = [
                int(port) for port in (await asyncio.to_thread(generator.stdout.readline)).split()
            ]
            targets = await connect(ports)
            cpu_before, machine_before = sum(map(cpu_seconds, pids)), machine_busy_seconds()
            generator.stdin.write(f"{len(targets)}\n{' '.join(map(str, targets))}\n")
            generator.stdin.flush()
            report = json.loads(await asyncio.to_thread(generator.stdout.readline))
            seconds = args.warmup + args.measure + 0.3
            cpu_relay = (sum(map(cpu_seconds, pids)) - cpu_before) / seconds
            cpu_machine = (machine_busy_seconds() - machine_before) / seconds
        finally:
            if generator.poll() is None:
                generator.kill()
    histogram = report["histogram"]
    return StepResult(
        calls=calls,
        sent=report["sent"],
        received=report["received"],
        p50_ms=_percentile(histogram, 0.5),
        p99_ms=_percentile(histogram, 0.99),
        max_ms=report["max_ms"],
        cpu_relay=cpu_relay,
        cpu_generator=report["cpu"],
        cpu_machine=cpu_machine,
    )


async def engine_step(
    engine: ProcessPoolMediaEngine, calls: int, args: argparse.Namespace
) -> StepResult:
    """Open ``calls`` bridged calls in our engine, load them, measure, release them all."""
    legs: list[MediaEndpoint] = await _in_batches(
        [engine.allocate_endpoint(f"call-{i // 2}", "AB"[i % 2]) for i in range(2 * calls)]
    )

    async def connect(ports: list[int]) -> list[int]:
        await _in_batches(
            [
                engine.set_remote(leg, LOOPBACK, ports[i % len(ports)], codec=Codec.PCMU)
                for i, leg in enumerate(legs)
            ]
        )
        await _in_batches([engine.bridge(legs[i], legs[i + 1]) for i in range(0, len(legs), 2)])
        return [leg.rtp_port for leg in legs]

    try:
        result = await measure(calls, args, connect, engine.worker_pids())
    finally:
        await _in_batches([engine.release(leg) for leg in legs])
    assert engine.active_endpoints() == 0
    return result


async def rtpengine_step(
    ng: rtpengine_ng.NgClient, pid: int, calls: int, args: argparse.Namespace
) -> StepResult:
    """The same for rtpengine: one NG offer/answer per call, deleted after the step."""
    call_ids = [f"bench-{calls}-{i}" for i in range(calls)]

    async def connect(ports: list[int]) -> list[int]:
        pairs = await _in_batches(
            [
                ng.bridge(call_id, ports[2 * i % len(ports)], ports[(2 * i + 1) % len(ports)])
                for i, call_id in enumerate(call_ids)
            ]
        )
        return [port for pair in pairs for port in pair]

    try:
        result = await measure(calls, args, connect, [pid])
    finally:
        await _in_batches([ng.delete(call_id) for call_id in call_ids])
    assert await ng.call_count() == 0
    return result


async def search(
    name: str, step: Callable[[int], Awaitable[StepResult]], args: argparse.Namespace
) -> int:
    """Double N from ``--start`` until a step fails, then bisect, within ``--max-seconds``;
    the largest N that passed."""
    deadline = time.monotonic() + args.max_seconds
    best = 0
    low, high = 0, None
    calls = args.calls or args.start
    step_seconds = args.warmup + args.measure + 2.0
    while time.monotonic() + step_seconds * (1 + calls / 2000) < deadline:
        busy_before = await asyncio.to_thread(wait_until_quiet)
        result = await step(calls)
        ok = result.passes(args.p99_limit)
        print(
            json.dumps(
                {
                    "relay": name,
                    "calls": calls,
                    "streams": 2 * calls,
                    "pps_relayed": round(result.sent / args.measure),
                    "loss_percent": round(result.loss_percent, 4),
                    "p50_ms": result.p50_ms,
                    "p99_ms": result.p99_ms,
                    "max_ms": round(result.max_ms, 2),
                    "cpu_relay_cores": round(result.cpu_relay, 2),
                    "cpu_generator_cores": round(result.cpu_generator, 2),
                    "cpu_machine_cores": round(result.cpu_machine, 2),
                    "busy_cores_before": busy_before,
                    "pass": ok,
                }
            ),
            file=sys.stderr,
            flush=True,
        )
        if args.calls:
            return calls if ok else 0
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
        print(f"{name}: time budget reached; reporting the best step so far", file=sys.stderr)
    return best


async def measure_engine(args: argparse.Namespace, workers: int) -> int:
    config = MediaConfig(port_min=args.port_min, port_max=args.port_max)
    print(f"engine: {workers} workers, ports {args.port_min}-{args.port_max}", file=sys.stderr)
    async with ProcessPoolMediaEngine(workers, config) as engine:
        return await search("telephonist", lambda calls: engine_step(engine, calls, args), args)


async def measure_rtpengine(args: argparse.Namespace, threads: int) -> int:
    binary = rtpengine_ng.ensure_installed()
    ng_port = free_port()
    command = rtpengine_ng.command(binary, ng_port, args.port_min, args.port_max, threads)
    log_path = Path(tempfile.mkdtemp(prefix="telephonist-rtpengine-")) / "rtpengine.log"
    print(f"rtpengine: {threads} threads, log {log_path}", file=sys.stderr)
    with (
        log_path.open("wb") as log,
        running(command, stdout=log, stderr=subprocess.STDOUT) as daemon,
    ):
        rtpengine_ng.raise_file_limit(daemon.pid)
        ng = await rtpengine_ng.NgClient.connect(LOOPBACK, ng_port)
        try:
            await rtpengine_ng.wait_ready(ng)
            return await search(
                "rtpengine", lambda calls: rtpengine_step(ng, daemon.pid, calls, args), args
            )
        except rtpengine_ng.NgError as error:
            raise RuntimeError(f"{error}; rtpengine log: {log_path.read_text()[-2000:]}") from None
        finally:
            ng.close()


async def main(args: argparse.Namespace) -> int:
    workers = args.workers or os.cpu_count() or 1
    ours = await measure_engine(args, workers)
    print(f"concurrent_calls={ours}", flush=True)
    if args.compare_rtpengine:
        theirs = await measure_rtpengine(args, workers)
        print(f"rtpengine_concurrent_calls={theirs}")
        print(f"ratio={ours / theirs:.2f}" if theirs else "ratio=inf")
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, help="measure only this many calls")
    parser.add_argument("--start", type=int, default=200, help="first step of the search")
    parser.add_argument("--resolution", type=int, default=50, help="stop bisecting within this")
    parser.add_argument(
        "--max-seconds", type=float, default=170.0, help="budget of each relay's search"
    )
    parser.add_argument(
        "--workers", type=int, help="media workers and rtpengine threads (default: CPU count)"
    )
    parser.add_argument(
        "--compare-rtpengine",
        action="store_true",
        help="also search with rtpengine (Debian, user space) as the relay and print the ratio",
    )
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
