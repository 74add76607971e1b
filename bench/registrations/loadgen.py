"""A REGISTER load generator for bench/registrations: N devices register with MD5 digest
at a steady rate over several UDP sockets, each registration a challenge round trip.

Written here rather than as a SIPp scenario because SIPp 3.6 cannot take the digest user
name from an injection file (``[authentication username=[field0]]`` is not expanded), and
every device needs its own credentials. Plain asyncio + uvloop, no SIP library, so the
generator stays cheap: it only builds two requests and reads two responses per device."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import time
from dataclasses import dataclass, field

_NONCE = re.compile(rb'nonce="([^"]+)"')
_REALM = re.compile(rb'realm="([^"]+)"')
_OPAQUE = re.compile(rb'opaque="([^"]+)"')
_CALL_ID = re.compile(rb"\r\nCall-ID: ([^\r]+)\r\n", re.IGNORECASE)
_CSEQ = re.compile(rb"\r\nCSeq: (\d+) ", re.IGNORECASE)


@dataclass
class Result:
    completed: int = 0
    failed: int = 0
    unanswered: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    first_start: float = 0.0
    last_done: float = 0.0
    latencies: list[float] = field(default_factory=list)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - digest auth is MD5 by protocol


class Registrations(asyncio.DatagramProtocol):
    """One socket's share of the devices."""

    def __init__(self, target: tuple[str, int], result: Result) -> None:
        self.target = target
        self.result = result
        self.transport: asyncio.DatagramTransport | None = None
        self.pending: dict[str, tuple[str, str, float, int]] = {}
        self.last_sent: dict[str, tuple[float, bytes, int]] = {}
        """Call-ID -> (when, request, retransmissions so far): UDP needs Timer E."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def start(self, user: str, password: str) -> None:
        call_id = secrets.token_hex(8)
        self.pending[call_id] = (user, password, time.monotonic(), 1)
        self._send(call_id, user, 1, "")

    def _send(self, call_id: str, user: str, cseq: int, authorization: str) -> None:
        assert self.transport is not None
        host, port = self.transport.get_extra_info("sockname")[:2]
        server = f"{self.target[0]}:{self.target[1]}"
        message = (
            f"REGISTER sip:{server} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {host}:{port};branch=z9hG4bK{secrets.token_hex(6)};rport\r\n"
            f"Max-Forwards: 70\r\nFrom: <sip:{user}@{server}>;tag={call_id[:8]}\r\n"
            f"To: <sip:{user}@{server}>\r\nCall-ID: {call_id}\r\nCSeq: {cseq} REGISTER\r\n"
            f"Contact: <sip:{user}@{host}:{port}>\r\nExpires: 3600\r\n{authorization}"
            "Content-Length: 0\r\n\r\n"
        )
        data = message.encode()
        self.last_sent[call_id] = (time.monotonic(), data, 0)
        self.transport.sendto(data, self.target)

    def retransmit(self, now: float) -> None:
        """Resend requests unanswered for 500 ms, doubling like RFC 3261 Timer E."""
        assert self.transport is not None
        for call_id, (sent, data, count) in list(self.last_sent.items()):
            if call_id in self.pending and now - sent >= 0.5 * (2**count) and count < 4:
                self.last_sent[call_id] = (now, data, count + 1)
                self.transport.sendto(data, self.target)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        found = _CALL_ID.search(data)
        if found is None:
            return
        call_id = found.group(1).decode()
        state = self.pending.get(call_id)
        if state is None:
            return
        user, password, started, cseq = state
        answered = _CSEQ.search(data)
        if answered is None or int(answered.group(1)) != cseq:
            return
        status = data[8:11]
        if status == b"401" and cseq == 1:
            realm = _REALM.search(data)
            nonce = _NONCE.search(data)
            opaque = _OPAQUE.search(data)
            if realm is None or nonce is None:
                self._fail(call_id)
                return
            uri = f"sip:{self.target[0]}:{self.target[1]}"
            cnonce = secrets.token_hex(4)
            ha1 = _md5(f"{user}:{realm.group(1).decode()}:{password}")
            ha2 = _md5(f"REGISTER:{uri}")
            response = _md5(f"{ha1}:{nonce.group(1).decode()}:00000001:{cnonce}:auth:{ha2}")
            authorization = (
                f'Authorization: Digest username="{user}", realm="{realm.group(1).decode()}", '
                f'nonce="{nonce.group(1).decode()}", uri="{uri}", response="{response}", '
                f'algorithm=MD5, qop=auth, nc=00000001, cnonce="{cnonce}"'
                + (f', opaque="{opaque.group(1).decode()}"' if opaque else "")
                + "\r\n"
            )
            self.pending[call_id] = (user, password, started, 2)
            self._send(call_id, user, 2, authorization)
        elif status == b"200" and cseq == 2:
            del self.pending[call_id]
            self.last_sent.pop(call_id, None)
            now = time.monotonic()
            self.result.completed += 1
            self.result.last_done = now
            self.result.latencies.append(now - started)
        elif status[:1] != b"1":
            key = status.decode(errors="replace")
            self.result.statuses[key] = self.result.statuses.get(key, 0) + 1
            self._fail(call_id)

    def _fail(self, call_id: str) -> None:
        self.pending.pop(call_id, None)
        self.last_sent.pop(call_id, None)
        self.result.failed += 1


async def run(
    target: tuple[str, int], users: list[tuple[str, str]], rate: int, sockets: int = 8
) -> Result:
    """Register every user at ``rate`` per second; waits up to 10 s for stragglers."""
    loop = asyncio.get_running_loop()
    result = Result()
    protocols = []
    for _ in range(sockets):
        _transport, protocol = await loop.create_datagram_endpoint(
            lambda: Registrations(target, result), local_addr=("127.0.0.1", 0)
        )
        protocols.append(protocol)
    result.first_start = time.monotonic()
    interval = 1 / rate

    async def retransmissions() -> None:
        while True:
            await asyncio.sleep(0.1)
            now = time.monotonic()
            for protocol in protocols:
                protocol.retransmit(now)

    retransmitting = asyncio.ensure_future(retransmissions())
    for index, (user, password) in enumerate(users):
        due = result.first_start + index * interval
        delay = due - time.monotonic()
        if delay > 0.002:
            await asyncio.sleep(delay)
        protocols[index % sockets].start(user, password)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(protocol.pending for protocol in protocols):
        await asyncio.sleep(0.05)
    retransmitting.cancel()
    result.unanswered = sum(len(protocol.pending) for protocol in protocols)
    result.failed += result.unanswered
    for protocol in protocols:
        if protocol.transport is not None:
            protocol.transport.close()
    return result
