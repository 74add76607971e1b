"""The SIP stack: the asyncio glue around the sans-I/O transaction layer.

It owns the transports, screens what arrives (edge protection, RFC 3261 §8.2 checks),
feeds the transaction layer, pumps what the layer wants sent, hands requests to the
application and responses to whoever sent the request, and keeps the one timer the
layer needs. Everything else (registrar, calls) sits above it."""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from telephonist.calls.edge import EdgeGuard, is_scanner
from telephonist.calls.transport import StreamConnection, UdpTransport
from telephonist.sip import (
    NameAddress,
    Peer,
    SipParseError,
    SipRequest,
    SipResponse,
    TransactionLayer,
    Via,
    make_error_response,
    make_response,
    new_branch,
    new_tag,
    parse_message,
)
from telephonist.sip.rport import response_destination
from telephonist.sip.transactions import (
    RequestReceived,
    ResponseReceived,
    TransactionKey,
    TransactionTerminated,
    TransactionTimedOut,
)
from telephonist.sip.uri import SipUri
from telephonist.sip.validation import UasCapabilities, check_request

log = logging.getLogger(__name__)

USER_AGENT = "Telephonist"
ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, INFO, NOTIFY, SUBSCRIBE, UPDATE"

ResponseHandler = Callable[[SipResponse], None]


class Application(Protocol):
    """What sits on the stack: it answers every request that reaches it."""

    def request_received(
        self, request: SipRequest, source: Peer, key: TransactionKey | None
    ) -> None:
        """A new request; ``key`` is None for an ACK to a 2xx (it has no transaction)."""

    def stray_response(self, response: SipResponse) -> None:
        """A response matching no transaction: a retransmitted 2xx to an INVITE."""


@dataclass(frozen=True)
class Endpoint:
    """Where we listen and what we advertise in Via and Contact."""

    host: str
    port: int

    @property
    def tls_port(self) -> int:
        return self.port + 1

    def port_for(self, transport: str) -> int:
        return self.tls_port if transport == "tls" else self.port


UDP_BUFFER_BYTES = 8 * 1024 * 1024
"""Room for bursts (thousands of phones re-registering after an outage) while the loop is
busy; the kernel caps it at net.core.rmem_max unless we may force it."""


def _udp_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    for option in (getattr(socket, "SO_RCVBUFFORCE", None), socket.SO_RCVBUF):
        if option is None:
            continue
        try:
            sock.setsockopt(socket.SOL_SOCKET, option, UDP_BUFFER_BYTES)
            break
        except PermissionError:
            continue
    sock.bind((host, port))
    sock.setblocking(False)
    return sock


class SipStack:
    """One SIP endpoint on UDP, TCP and TLS."""

    def __init__(
        self,
        endpoint: Endpoint,
        edge: EdgeGuard,
        tls_context: ssl.SSLContext | None,
        layer: TransactionLayer | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.edge = edge
        self.tls_context = tls_context
        self.layer = layer or TransactionLayer()
        self.application: Application | None = None
        self.capabilities = UasCapabilities()
        self._udp: UdpTransport | None = None
        self._servers: list[asyncio.base_events.Server] = []
        self._connections: dict[tuple[str, str, int], StreamConnection] = {}
        self._response_handlers: dict[TransactionKey, ResponseHandler] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._timer_deadline: float | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind UDP and TCP on the SIP port and TLS on the next one."""
        loop = asyncio.get_running_loop()
        self._loop = loop
        host, port = self.endpoint.host, self.endpoint.port
        _transport, protocol = await loop.create_datagram_endpoint(
            lambda: UdpTransport(self), sock=_udp_socket(host, port)
        )
        self._udp = protocol
        limit = self.edge.max_message_bytes
        self._servers.append(
            await loop.create_server(lambda: StreamConnection(self, "tcp", limit), host, port)
        )
        if self.tls_context is not None:
            self._servers.append(
                await loop.create_server(
                    lambda: StreamConnection(self, "tls", limit),
                    host,
                    self.endpoint.tls_port,
                    ssl=self.tls_context,
                )
            )

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        for server in self._servers:
            server.close()
        for connection in list(self._connections.values()):
            connection.close()
        for server in self._servers:
            await server.wait_closed()
        if self._udp is not None:
            self._udp.close()

    def now(self) -> float:
        assert self._loop is not None
        return self._loop.time()

    # -- from the transports ---------------------------------------------------------------

    def datagram_received(self, data: bytes, peer: Peer) -> None:
        if len(data) > self.edge.max_message_bytes or self.edge.banned(peer.host, self.now()):
            return
        if not data.strip(b"\r\n"):
            return
        try:
            message = parse_message(data)
        except SipParseError as error:
            log.info("dropping malformed datagram from %s:%s: %s", peer.host, peer.port, error)
            response = make_error_response(error, to_tag=new_tag())
            if response is not None:
                self.send(response.serialize(), peer)
            return
        self._incoming(message, peer)

    def stream_message_received(self, message: SipRequest | SipResponse, peer: Peer) -> None:
        if self.edge.banned(peer.host, self.now()):
            return
        self._incoming(message, peer)

    def connection_opened(self, peer: Peer, connection: StreamConnection) -> bool:
        if not self.edge.open_connection(peer.host):
            return False
        self._connections[(peer.transport, peer.host, peer.port)] = connection
        return True

    def connection_closed(self, peer: Peer, connection: StreamConnection) -> None:
        key = (peer.transport, peer.host, peer.port)
        if self._connections.get(key) is connection:
            del self._connections[key]
            self.edge.close_connection(peer.host)

    def _incoming(self, message: SipRequest | SipResponse, peer: Peer) -> None:
        if isinstance(message, SipRequest):
            if is_scanner(message.headers.get("User-Agent")):
                return
            rejection = check_request(message, self.capabilities)
            if rejection is not None:
                if message.method != "ACK":
                    response = make_response(
                        message, rejection.status, rejection.reason, to_tag=new_tag()
                    )
                    for name, value in rejection.headers:
                        response.headers.add(name, value)
                    self._send_stateless_response(message, response, peer)
                return
        try:
            self.layer.receive(message, peer, self.now())
        except SipParseError as error:
            log.info("dropping message from %s: %s", peer, error)
            return
        self.pump()

    def _send_stateless_response(
        self, request: SipRequest, response: SipResponse, peer: Peer
    ) -> None:
        try:
            destination = response_destination(request, peer)
        except SipParseError:
            destination = peer
        self.send(response.serialize(), destination)

    # -- to the transports -----------------------------------------------------------------

    def send(self, data: bytes, peer: Peer) -> None:
        """Send on the right transport; streams reuse the connection to that peer, or open
        one (outbound calls to a TCP/TLS trunk)."""
        if peer.transport == "udp":
            if self._udp is not None:
                self._udp.send(data, peer)
            return
        connection = self._connections.get((peer.transport, peer.host, peer.port))
        if connection is None:
            connection = self._connect(peer)
        connection.send(data)

    def _connect(self, peer: Peer) -> StreamConnection:
        assert self._loop is not None
        connection = StreamConnection(self, peer.transport, self.edge.max_message_bytes)
        self._connections[(peer.transport, peer.host, peer.port)] = connection
        context = None
        if peer.transport == "tls":
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        task = self._loop.create_task(
            self._loop.create_connection(lambda: connection, peer.host, peer.port, ssl=context)
        )
        task.add_done_callback(lambda done: self._connect_done(done, peer, connection))
        return connection

    def _connect_done(
        self, task: asyncio.Task[object], peer: Peer, connection: StreamConnection
    ) -> None:
        if task.cancelled() or task.exception() is not None:
            log.warning(
                "could not connect to %s: %s",
                peer,
                task.exception() if not task.cancelled() else "cancelled",
            )
            key = (peer.transport, peer.host, peer.port)
            if self._connections.get(key) is connection:
                del self._connections[key]

    # -- the transaction layer --------------------------------------------------------------

    def pump(self) -> None:
        """Send what the layer queued, deliver its events, and re-arm the timer."""
        layer = self.layer
        for data, peer in layer.datagrams_to_send():
            self.send(data, peer)
        while (event := layer.next_event()) is not None:
            self._deliver(event)
            for data, peer in layer.datagrams_to_send():
                self.send(data, peer)
        self._arm_timer(layer.next_timer())

    def _deliver(self, event: object) -> None:
        application = self.application
        if isinstance(event, RequestReceived):
            if application is not None:
                try:
                    application.request_received(event.request, event.source, event.key)
                except Exception:
                    log.exception(
                        "error handling %s %s", event.request.method, event.request.call_id
                    )
                    if event.key is not None and event.request.method != "ACK":
                        self.respond(event.key, make_response(event.request, 500, to_tag=new_tag()))
        elif isinstance(event, ResponseReceived):
            handler = self._response_handlers.get(event.key) if event.key is not None else None
            if handler is not None:
                self._safely(handler, event.response)
            elif application is not None:
                application.stray_response(event.response)
        elif isinstance(event, TransactionTimedOut):
            handler = self._response_handlers.get(event.key)
            if handler is not None:
                self._safely(handler, make_response(event.request, 408, "Request Timeout"))
        elif isinstance(event, TransactionTerminated):
            self._response_handlers.pop(event.key, None)

    def _safely(self, handler: ResponseHandler, response: SipResponse) -> None:
        try:
            handler(response)
        except Exception:
            log.exception("error handling response %s for %s", response.status, response.call_id)

    def _arm_timer(self, deadline: float | None) -> None:
        if deadline == self._timer_deadline:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_deadline = deadline
        if deadline is not None and self._loop is not None:
            self._timer = self._loop.call_at(deadline, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._timer_deadline = None
        self.layer.handle_timer(self.now())
        self.pump()

    # -- for the application --------------------------------------------------------------------

    def request(
        self, request: SipRequest, destination: Peer, on_response: ResponseHandler
    ) -> TransactionKey:
        """Start a client transaction; ``on_response`` gets every response (a 408 on timeout)."""
        key = self.layer.send_request(request, destination, self.now())
        self._response_handlers[key] = on_response
        self.pump()
        return key

    def respond(self, key: TransactionKey, response: SipResponse) -> None:
        """Answer a server transaction."""
        response.headers.set("Server", USER_AGENT)
        self.layer.send_response(key, response, self.now())
        self.pump()

    def send_stateless(self, message: SipRequest | SipResponse, destination: Peer) -> None:
        """Send outside any transaction (the ACK of a 2xx)."""
        self.layer.send_stateless(message, destination)
        self.pump()

    def via(self, transport: str) -> Via:
        """A top Via for a new client transaction on ``transport``."""
        return Via(
            transport=transport.upper(),
            host=self.endpoint.host,
            port=self.endpoint.port_for(transport),
            params=(("branch", new_branch()), ("rport", None)),
        )

    def contact(self, user: str | None, transport: str) -> NameAddress:
        """Our Contact for dialogs we take part in on ``transport``."""
        params: tuple[tuple[str, str | None], ...] = ()
        if transport != "udp":
            params = (("transport", transport),)
        return NameAddress(
            SipUri(
                host=self.endpoint.host,
                user=user,
                port=self.endpoint.port_for(transport),
                params=params,
            )
        )

    @property
    def open_connections(self) -> int:
        return len(self._connections)
