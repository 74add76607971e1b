"""rtpengine as a reference relay for bench/concurrent_calls: its daemon from Debian in user
space (``--table=-1``, no kernel module) and a small asyncio client of its NG control
protocol (bencode over UDP).

Bencode is written here (30 lines) rather than taken from PyPI so that the comparison adds
no dependency to the project; NG needs only strings, integers, lists and dictionaries."""

from __future__ import annotations

import asyncio
import os
import re
import resource
import secrets
import shutil
import subprocess
import sys
from typing import Any

_MEDIA_PORT = re.compile(r"^m=audio (\d+) ", re.MULTILINE)
_SDP = (
    "v=0\r\no=- {session} 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
)


class NgError(RuntimeError):
    """rtpengine answered a request with ``result: error``, or not at all."""


def bencode(value: object) -> bytes:
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, list):
        return b"l" + b"".join(bencode(item) for item in value) + b"e"
    if isinstance(value, dict):
        pairs = sorted(value.items())
        return b"d" + b"".join(bencode(key) + bencode(item) for key, item in pairs) + b"e"
    raise TypeError(f"cannot bencode {type(value).__name__}")


def bdecode(data: bytes) -> Any:
    """Decode one bencoded value; strings come back as ``str``."""
    value, end = _decode(data, 0)
    if end != len(data):
        raise ValueError(f"bencode: {len(data) - end} bytes after the value")
    return value


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    kind = data[at : at + 1]
    if kind == b"i":
        end = data.index(b"e", at)
        return int(data[at + 1 : end]), end + 1
    if kind in (b"l", b"d"):
        items = []
        at += 1
        while data[at : at + 1] != b"e":
            if at >= len(data):
                raise ValueError("bencode: list or dictionary is truncated")
            item, at = _decode(data, at)
            items.append(item)
        if kind == b"l":
            return items, at + 1
        return dict(zip(items[::2], items[1::2], strict=True)), at + 1
    if kind.isdigit():
        colon = data.index(b":", at)
        start = colon + 1
        end = start + int(data[at:colon])
        if end > len(data):
            raise ValueError("bencode: string is truncated")
        return data[start:end].decode(errors="replace"), end
    raise ValueError(f"bencode: unexpected {kind!r} at {at}")


class NgClient(asyncio.DatagramProtocol):
    """Up to 32 NG requests in flight at once, each matched to its reply by cookie; a
    request unanswered for a second is sent again with the same cookie (rtpengine caches
    replies). More in flight would overflow the socket: a delete's reply (the call's
    statistics) is about 2 kB, and 200 of them at once were dropped."""

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.waiting: dict[bytes, asyncio.Future[dict[str, Any]]] = {}
        self.in_flight = asyncio.Semaphore(32)

    @classmethod
    async def connect(cls, host: str, port: int) -> NgClient:
        loop = asyncio.get_running_loop()
        _, client = await loop.create_datagram_endpoint(cls, remote_addr=(host, port))
        return client

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        cookie, _, body = data.partition(b" ")
        future = self.waiting.pop(cookie, None)
        if future is not None and not future.done():
            future.set_result(bdecode(body))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    async def request(self, message: dict[str, Any], tries: int = 3) -> dict[str, Any]:
        assert self.transport is not None
        cookie = secrets.token_hex(8).encode()
        data = cookie + b" " + bencode(message)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        async with self.in_flight:
            self.waiting[cookie] = future
            try:
                for _ in range(tries):
                    self.transport.sendto(data)
                    try:
                        return await asyncio.wait_for(asyncio.shield(future), 1.0)
                    except TimeoutError:
                        continue
            finally:
                self.waiting.pop(cookie, None)
        raise NgError(f"no answer to {message['command']} after {tries} tries")

    async def checked(self, message: dict[str, Any]) -> dict[str, Any]:
        reply = await self.request(message)
        if reply.get("result") != "ok":
            raise NgError(f"{message['command']}: {reply.get('error-reason', reply)}")
        return reply

    async def bridge(self, call_id: str, caller_port: int, callee_port: int) -> tuple[int, int]:
        """Offer and answer one call whose two ends are 127.0.0.1 at these ports; returns
        the rtpengine ports that the caller and the callee send their RTP to."""
        offer = await self.checked(
            {
                "command": "offer",
                "call-id": call_id,
                "from-tag": "caller",
                "sdp": _SDP.format(session=1, port=caller_port),
            }
        )
        answer = await self.checked(
            {
                "command": "answer",
                "call-id": call_id,
                "from-tag": "caller",
                "to-tag": "callee",
                "sdp": _SDP.format(session=2, port=callee_port),
            }
        )
        return _media_port(answer["sdp"]), _media_port(offer["sdp"])

    async def delete(self, call_id: str) -> None:
        """Best effort: a call whose offer never got through is unknown and that is fine."""
        await self.request({"command": "delete", "call-id": call_id, "from-tag": "caller"})

    async def call_count(self) -> int:
        reply = await self.checked({"command": "list", "limit": 100_000})
        return len(reply.get("calls", []))


def _media_port(sdp: str) -> int:
    found = _MEDIA_PORT.search(sdp)
    if found is None:
        raise NgError(f"no m=audio line in rtpengine's SDP: {sdp!r}")
    return int(found.group(1))


def ensure_installed() -> str:
    """The ``rtpengine`` binary, installed from Debian (``rtpengine-daemon``) if missing."""
    found = shutil.which("rtpengine")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print("rtpengine missing: installing Debian's rtpengine-daemon", file=sys.stderr)
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "rtpengine-daemon"]):
        subprocess.run(sudo + command, check=True, env=environment, timeout=600)
    found = shutil.which("rtpengine")
    if not found:
        raise RuntimeError("rtpengine-daemon installed but no rtpengine binary on PATH")
    return found


def raise_file_limit(pid: int) -> None:
    """rtpengine holds 4 sockets per call, so the usual 20,000 descriptors would stop it at
    5,000 calls (research sip-media.md §4.2): raise its limit (the hard one too as root)."""
    _, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    wanted = max(hard, 1 << 17)
    try:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (wanted, wanted))
    except (ValueError, OSError):
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (hard, hard))


def command(binary: str, ng_port: int, port_min: int, port_max: int, threads: int) -> list[str]:
    """rtpengine in the foreground, user-space forwarding only, on 127.0.0.1."""
    return [
        binary,
        "--config-file=none",
        "--table=-1",  # no kernel forwarding module: packets go through user space
        "--interface=127.0.0.1",
        f"--listen-ng=127.0.0.1:{ng_port}",
        f"--port-min={port_min}",
        f"--port-max={port_max}",
        f"--num-threads={threads}",
        "--delete-delay=0",  # free a deleted call's ports at once, for the next step
        "--foreground",
        "--log-stderr",
        "--log-level=4",
    ]


async def wait_ready(client: NgClient, seconds: float = 10) -> None:
    """Ping until rtpengine answers pong: it binds its NG socket a moment after starting."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        try:
            if (await client.request({"command": "ping"}, tries=1)).get("result") == "pong":
                return
        except NgError:
            pass
        if asyncio.get_running_loop().time() > deadline:
            raise NgError("rtpengine did not answer ping")
        await asyncio.sleep(0.2)
