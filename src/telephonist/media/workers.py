"""Media on every core: worker processes, each running a :class:`LocalMediaEngine` in its own
event loop, behind the same ``MediaEngine`` interface.

One Python process relays ~3,000 streams per core at best, and a single event loop uses one
core, so the pool shards calls across workers. All endpoints of a call live in the worker
that got its first leg, so bridging stays in-process. Each worker is controlled over its own
socketpair with length-prefixed pickles: both ends are this module, started by this module,
and nothing from the network is ever unpickled. A worker exits when its socket closes, so
workers never outlive the engine, even when the parent process is killed. Not
``multiprocessing``: its pools run functions, not long-lived event loops owning sockets, and
a plain child process with one socket is simpler to watch and to kill.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import pickle
import signal
import socket
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from telephonist.media.dtmf import DtmfDigit
from telephonist.media.engine import (
    Codec,
    Direction,
    DtmfHandler,
    EndpointStats,
    MediaConfig,
    MediaEndpoint,
    MediaError,
    MediaWorkerError,
    PcmSink,
    PcmSource,
    UnknownEndpointError,
)
from telephonist.media.local import LocalMediaEngine

logger = logging.getLogger(__name__)

_LENGTH = struct.Struct("!I")
_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 5.0
_WORKER_METHODS = frozenset(
    {
        "allocate_endpoint",
        "allocated_ports",
        "bridge",
        "play",
        "record",
        "release",
        "set_direction",
        "set_remote",
        "stats",
        "stop_recording",
        "unbridge",
    }
)

WorkerExitHandler = Callable[[int, list[MediaEndpoint]], None]
"""Called with a dead worker's index and the endpoints that died with it."""


def _frame(message: tuple[Any, ...]) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


async def _receive(reader: asyncio.StreamReader) -> tuple[Any, ...]:
    (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
    message = pickle.loads(await reader.readexactly(length))  # noqa: S301 - our own child
    assert isinstance(message, tuple)
    return message


def worker_port_ranges(config: MediaConfig, workers: int) -> list[tuple[int, int]]:
    """Split the RTP range into one disjoint, even-aligned slice per worker."""
    span = (config.port_max - config.port_min + 1) // workers // 2 * 2
    if span < 2:
        raise MediaError(f"the RTP port range is too small for {workers} workers")
    return [
        (config.port_min + i * span, config.port_min + (i + 1) * span - 1) for i in range(workers)
    ]


@dataclass(eq=False)
class _Worker:
    index: int
    process: asyncio.subprocess.Process
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    pending: dict[int, asyncio.Future[Any]] = field(default_factory=dict)
    endpoints: dict[str, MediaEndpoint] = field(default_factory=dict)
    listener: asyncio.Task[None] | None = None
    alive: bool = True


class ProcessPoolMediaEngine:
    """``MediaEngine`` spread over ``workers`` processes (default: one per core).

    A dead worker is reported to ``on_worker_exit`` and logged; its pending requests raise
    :class:`MediaWorkerError`, its endpoints are forgotten (the kernel freed their ports),
    and new calls go to the remaining workers. Use it as an async context manager, or call
    :meth:`start` and :meth:`close`.
    """

    def __init__(
        self,
        workers: int | None = None,
        config: MediaConfig | None = None,
        *,
        use_uvloop: bool = True,
        on_worker_exit: WorkerExitHandler | None = None,
    ) -> None:
        self.config = config or MediaConfig()
        self.worker_count = workers or os.cpu_count() or 1
        self.use_uvloop = use_uvloop
        self.on_worker_exit = on_worker_exit
        self.dtmf_handler: DtmfHandler | None = None
        self._workers: list[_Worker] = []
        self._endpoint_workers: dict[str, _Worker] = {}
        self._calls: dict[str, tuple[_Worker, int]] = {}
        self._request_ids = itertools.count(1)
        self._closing = False

    async def __aenter__(self) -> ProcessPoolMediaEngine:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Start the workers and wait until each is ready."""
        ranges = worker_port_ranges(self.config, self.worker_count)
        try:
            for index, (low, high) in enumerate(ranges):
                worker_config = replace(self.config, port_min=low, port_max=high)
                self._workers.append(await self._spawn(index, worker_config))
        except BaseException:
            await self.close()
            raise

    async def _spawn(self, index: int, config: MediaConfig) -> _Worker:
        parent_sock, child_sock = socket.socketpair()
        with child_sock:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "telephonist.media.workers",
                str(child_sock.fileno()),
                *(["--uvloop"] if self.use_uvloop else []),
                pass_fds=(child_sock.fileno(),),
                stdin=asyncio.subprocess.DEVNULL,
            )
        reader, writer = await asyncio.open_connection(sock=parent_sock)
        worker = _Worker(index, process, reader, writer)
        writer.write(_frame(("config", config)))
        try:
            await asyncio.wait_for(_receive(reader), _START_TIMEOUT)
        except (asyncio.IncompleteReadError, ConnectionError, TimeoutError) as error:
            writer.close()
            process.kill()
            await process.wait()
            raise MediaWorkerError(f"media worker {index} did not start: {error!r}") from error
        worker.listener = asyncio.create_task(self._listen(worker), name=f"media worker {index}")
        return worker

    async def _listen(self, worker: _Worker) -> None:
        try:
            while True:
                self._dispatch(worker, await _receive(worker.reader))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        await self._worker_exited(worker)

    def _dispatch(self, worker: _Worker, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "dtmf":
            _, endpoint_id, digit = message
            endpoint = worker.endpoints.get(endpoint_id)
            if endpoint is not None and self.dtmf_handler is not None:
                self._report_dtmf(self.dtmf_handler, endpoint, digit)
            return
        future = worker.pending.pop(message[1], None)
        if future is None or future.done():
            return
        if kind == "result":
            future.set_result(message[2])
        elif kind == "error":
            future.set_exception(message[2])
        else:  # stopped by the worker itself, not by our caller: an error, not a cancel
            future.set_exception(MediaWorkerError(f"media worker {worker.index} cancelled it"))

    @staticmethod
    def _report_dtmf(handler: DtmfHandler, endpoint: MediaEndpoint, digit: DtmfDigit) -> None:
        try:
            handler(endpoint, digit)
        except Exception:
            logger.exception("call %s: DTMF handler failed", endpoint.call_id)

    async def _worker_exited(self, worker: _Worker) -> None:
        worker.alive = False
        worker.writer.close()
        code = await worker.process.wait()
        error = MediaWorkerError(f"media worker {worker.index} exited with code {code}")
        for future in worker.pending.values():
            if not future.done():
                future.set_exception(error)
        worker.pending.clear()
        lost = list(worker.endpoints.values())
        for endpoint in lost:
            self._forget(endpoint)
        if self._closing:
            return
        logger.error("%s; %d endpoints lost", error, len(lost))
        if self.on_worker_exit is not None:
            self.on_worker_exit(worker.index, lost)

    def _forget(self, endpoint: MediaEndpoint) -> None:
        worker = self._endpoint_workers.pop(endpoint.endpoint_id, None)
        if worker is None:
            return
        del worker.endpoints[endpoint.endpoint_id]
        _, count = self._calls[endpoint.call_id]
        if count > 1:
            self._calls[endpoint.call_id] = (worker, count - 1)
        else:
            del self._calls[endpoint.call_id]

    async def _request(self, worker: _Worker, method: str, *args: Any, **kwargs: Any) -> Any:
        if not worker.alive:
            raise MediaWorkerError(f"media worker {worker.index} is not running")
        request_id = next(self._request_ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        worker.pending[request_id] = future
        worker.writer.write(_frame(("call", request_id, method, args, kwargs)))
        try:
            return await future
        except asyncio.CancelledError:
            if worker.alive and not worker.writer.is_closing():
                worker.writer.write(_frame(("cancel", request_id)))
            raise
        finally:
            worker.pending.pop(request_id, None)

    def _worker_of(self, endpoint: MediaEndpoint) -> _Worker:
        worker = self._endpoint_workers.get(endpoint.endpoint_id)
        if worker is None:
            raise UnknownEndpointError(
                f"no endpoint {endpoint.endpoint_id} (leg {endpoint.leg_id})"
            )
        return worker

    def worker_pids(self) -> list[int]:
        """Process ids of the running workers (for monitoring and tests)."""
        return [w.process.pid for w in self._workers if w.alive]

    def set_dtmf_handler(self, handler: DtmfHandler | None) -> None:
        self.dtmf_handler = handler

    async def allocate_endpoint(self, call_id: str, leg_id: str) -> MediaEndpoint:
        known = self._calls.get(call_id)
        if known is not None and known[0].alive:
            worker = known[0]
        else:
            alive = [w for w in self._workers if w.alive]
            if not alive:
                raise MediaWorkerError("no media worker is running")
            worker = min(alive, key=lambda w: len(w.endpoints))
        endpoint: MediaEndpoint = await self._request(worker, "allocate_endpoint", call_id, leg_id)
        worker.endpoints[endpoint.endpoint_id] = endpoint
        self._endpoint_workers[endpoint.endpoint_id] = worker
        count = self._calls[call_id][1] if call_id in self._calls else 0
        self._calls[call_id] = (worker, count + 1)
        return endpoint

    async def set_remote(
        self,
        endpoint: MediaEndpoint,
        ip: str,
        port: int,
        *,
        codec: Codec = Codec.PCMU,
        telephone_event_pt: int | None = None,
    ) -> None:
        await self._request(
            self._worker_of(endpoint),
            "set_remote",
            endpoint,
            ip,
            port,
            codec=codec,
            telephone_event_pt=telephone_event_pt,
        )

    async def bridge(self, a: MediaEndpoint, b: MediaEndpoint) -> None:
        worker = self._worker_of(a)
        if self._worker_of(b) is not worker:
            raise MediaError(
                f"legs {a.leg_id} and {b.leg_id} belong to calls in different media workers"
            )
        await self._request(worker, "bridge", a, b)

    async def unbridge(self, endpoint: MediaEndpoint) -> None:
        await self._request(self._worker_of(endpoint), "unbridge", endpoint)

    async def set_direction(self, endpoint: MediaEndpoint, direction: Direction) -> None:
        await self._request(self._worker_of(endpoint), "set_direction", endpoint, direction)

    async def play(self, endpoint: MediaEndpoint, source: PcmSource) -> bool:
        played: bool = await self._request(self._worker_of(endpoint), "play", endpoint, source)
        return played

    async def record(self, endpoint: MediaEndpoint, sink: PcmSink) -> None:
        await self._request(self._worker_of(endpoint), "record", endpoint, sink)

    async def stop_recording(self, endpoint: MediaEndpoint) -> None:
        await self._request(self._worker_of(endpoint), "stop_recording", endpoint)

    async def stats(self, endpoint: MediaEndpoint) -> EndpointStats:
        stats: EndpointStats = await self._request(self._worker_of(endpoint), "stats", endpoint)
        return stats

    async def release(self, endpoint: MediaEndpoint) -> None:
        worker = self._worker_of(endpoint)
        try:
            await self._request(worker, "release", endpoint)
        finally:
            self._forget(endpoint)

    def active_endpoints(self) -> int:
        return len(self._endpoint_workers)

    async def allocated_ports(self) -> int:
        counts = [await self._request(w, "allocated_ports") for w in self._workers if w.alive]
        return sum(counts)

    async def close(self) -> None:
        """Stop every worker: each releases its endpoints when its control socket closes."""
        self._closing = True
        for worker in self._workers:
            worker.writer.close()
        for worker in self._workers:
            try:
                await asyncio.wait_for(worker.process.wait(), _STOP_TIMEOUT)
            except TimeoutError:
                logger.error("media worker %d did not stop; killing it", worker.index)
                worker.process.kill()
            if worker.listener is not None:
                await worker.listener
        self._workers.clear()


async def _serve(sock: socket.socket) -> None:
    """A worker's life: answer requests until the control socket closes."""
    reader, writer = await asyncio.open_connection(sock=sock)
    _, config = await _receive(reader)
    engine = LocalMediaEngine(config)
    running: dict[int, asyncio.Task[None]] = {}

    def post(message: tuple[Any, ...]) -> None:
        if not reader.at_eof():  # the parent is gone: nobody to tell
            writer.write(_frame(message))

    engine.set_dtmf_handler(lambda endpoint, digit: post(("dtmf", endpoint.endpoint_id, digit)))

    async def answer(request_id: int, method: str, args: Any, kwargs: Any) -> None:
        try:
            result = await getattr(engine, method)(*args, **kwargs)
        except asyncio.CancelledError:
            post(("cancelled", request_id))
            raise
        except Exception as error:
            if not isinstance(error, MediaError | ValueError):
                logger.exception("media worker: %s failed", method)
            post(("error", request_id, _picklable(error)))
        else:
            post(("result", request_id, result))
        finally:
            running.pop(request_id, None)

    post(("ready",))
    try:
        while True:
            try:
                message = await _receive(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                break
            if message[0] == "cancel":
                task = running.get(message[1])
                if task is not None:
                    task.cancel()
            elif message[0] == "call" and message[2] in _WORKER_METHODS:
                _, request_id, method, args, kwargs = message
                running[request_id] = asyncio.create_task(answer(request_id, method, args, kwargs))
            else:
                logger.error("media worker: unexpected control message %r", message[:3])
    finally:
        for task in list(running.values()):
            task.cancel()
        await asyncio.gather(*running.values(), return_exceptions=True)
        await engine.close()
        writer.close()


def _picklable(error: Exception) -> Exception:
    try:
        pickle.dumps(error)
    except (pickle.PicklingError, TypeError, AttributeError):
        return MediaError(f"{type(error).__name__}: {error}")
    return error


def main(argv: list[str] | None = None) -> None:
    """Entry point of a worker process (started by :class:`ProcessPoolMediaEngine`)."""
    parser = argparse.ArgumentParser(description="Telephonist media worker (internal).")
    parser.add_argument("control_fd", type=int, help="file descriptor of the control socket")
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop when installed")
    options = parser.parse_args(argv)
    # Ctrl-C reaches the whole process group; the parent decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sock = socket.socket(fileno=options.control_fd)
    loop_factory = None
    if options.uvloop:
        try:
            import uvloop
        except ImportError:
            logger.warning("uvloop is not installed; the media worker uses asyncio's loop")
        else:
            loop_factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(_serve(sock))


if __name__ == "__main__":
    main()
