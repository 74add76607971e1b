"""The SIP transports as thin asyncio adapters (UDP datagrams; TCP and TLS streams framed
by the sans-I/O StreamFramer). They own sockets and nothing else: every byte goes to the
stack, which decides what it means."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Protocol, cast

from telephonist.sip import KeepAlive, Peer, SipParseError, SipRequest, SipResponse, StreamFramer

log = logging.getLogger(__name__)

Address = tuple[str, int]


class Receiver(Protocol):
    """What the transports deliver to (the SipStack)."""

    def datagram_received(self, data: bytes, peer: Peer) -> None: ...

    def stream_message_received(self, message: SipRequest | SipResponse, peer: Peer) -> None: ...

    def connection_opened(self, peer: Peer, connection: StreamConnection) -> bool: ...

    def connection_closed(self, peer: Peer, connection: StreamConnection) -> None: ...


class UdpTransport(asyncio.DatagramProtocol):
    """SIP over UDP on one socket."""

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)  # uvloop's is not a subclass

    def datagram_received(self, data: bytes, addr: Address) -> None:
        self.receiver.datagram_received(data, Peer(addr[0], addr[1], "udp"))

    def error_received(self, exc: Exception) -> None:
        log.debug("UDP error: %s", exc)

    def send(self, data: bytes, peer: Peer) -> None:
        if self.transport is not None:
            self.transport.sendto(data, (peer.host, peer.port))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class StreamConnection(asyncio.Protocol):
    """One TCP or TLS connection, inbound or outbound. Bytes queued before an outbound
    connection is up are sent once it is."""

    def __init__(self, receiver: Receiver, transport_name: str, max_message_bytes: int) -> None:
        self.receiver = receiver
        self.transport_name = transport_name
        self.framer = StreamFramer(max_message_bytes)
        self.transport: asyncio.Transport | None = None
        self.peer: Peer | None = None
        self.pending: list[bytes] = []
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        stream = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.transport = stream
        host, port = stream.get_extra_info("peername")[:2]
        self.peer = Peer(host, port, self.transport_name)
        if not self.receiver.connection_opened(self.peer, self):
            stream.abort()
            return
        for data in self.pending:
            stream.write(data)
        self.pending.clear()

    def data_received(self, data: bytes) -> None:
        assert self.peer is not None and self.transport is not None
        try:
            items = self.framer.feed(data)
        except SipParseError as error:
            log.info("closing %s connection from %s: %s", self.transport_name, self.peer, error)
            self.transport.close()
            return
        for item in items:
            if isinstance(item, KeepAlive):
                self.transport.write(b"\r\n")
            else:
                self.receiver.stream_message_received(item, self.peer)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.peer is not None:
            self.receiver.connection_closed(self.peer, self)

    def send(self, data: bytes) -> None:
        if self.transport is None:
            self.pending.append(data)
        elif not self.closed:
            self.transport.write(data)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


ConnectionFactory = Callable[[], StreamConnection]
