"""The transaction layer: matches messages to the four state machines (RFC 3261 §17.1.3,
§17.2.3, with the RFC 2543 fallback), runs their timers on a heap, and queues what to
send and what happened. It owns no socket and no clock."""

from __future__ import annotations

import heapq
from collections import deque

from telephonist.sip.errors import TransactionError
from telephonist.sip.message import SipMessage, SipRequest, SipResponse
from telephonist.sip.peer import Peer
from telephonist.sip.rport import response_destination, stamp_received
from telephonist.sip.transactions.client import (
    InviteClientTransaction,
    NonInviteClientTransaction,
)
from telephonist.sip.transactions.common import (
    RequestReceived,
    ResponseReceived,
    TimerConfig,
    Transaction,
    TransactionEvent,
    TransactionKey,
    TransactionState,
)
from telephonist.sip.transactions.server import (
    InviteServerTransaction,
    NonInviteServerTransaction,
)

ClientTransaction = InviteClientTransaction | NonInviteClientTransaction
ServerTransaction = InviteServerTransaction | NonInviteServerTransaction


def client_key(message: SipMessage) -> TransactionKey:
    """Client matching (§17.1.3): top Via branch plus CSeq method."""
    return ("client", message.top_via.branch or "", message.cseq.method)


def server_key(request: SipRequest, method: str | None = None) -> TransactionKey:
    """Server matching (§17.2.3): branch, sent-by and method (an ACK matches its INVITE);
    requests without an RFC 3261 branch fall back to the RFC 2543 rules."""
    via = request.top_via
    if method is None:
        method = "INVITE" if request.method == "ACK" else request.method
    if via.has_rfc3261_branch:
        return ("server", via.branch or "", via.sent_by.lower(), method)
    return (
        "server-2543",
        request.uri.serialize(),
        request.from_.tag or "",
        request.call_id,
        str(request.cseq.number),
        method,
        via.sent_by.lower(),
        via.branch or "",
    )


class TransactionLayer:
    """All client and server transactions of one SIP endpoint.

    An adapter calls :meth:`receive` for each parsed message, :meth:`handle_timer` when
    :meth:`next_timer` is due, then drains :meth:`datagrams_to_send` and
    :meth:`next_event`. The transaction user sends with :meth:`send_request` and
    :meth:`send_response`.
    """

    def __init__(self, config: TimerConfig | None = None, *, send_trying: bool = True) -> None:
        self.config = config or TimerConfig()
        self._send_trying = send_trying
        self._clients: dict[TransactionKey, ClientTransaction] = {}
        self._servers: dict[TransactionKey, ServerTransaction] = {}
        self._heap: list[tuple[float, int, str, Transaction]] = []
        self._sequence = 0
        self._events: deque[TransactionEvent] = deque()
        self._outgoing: list[tuple[bytes, Peer]] = []

    # -- Sink protocol, used by the transactions -------------------------------------------

    def transmit(self, data: bytes, peer: Peer) -> None:
        """Queue bytes for the network."""
        self._outgoing.append((data, peer))

    def emit(self, event: TransactionEvent) -> None:
        """Queue an event for the transaction user."""
        self._events.append(event)

    def schedule(self, transaction: Transaction, timer: str, deadline: float) -> None:
        """Remember that ``timer`` of ``transaction`` expires at ``deadline``."""
        self._sequence += 1
        heapq.heappush(self._heap, (deadline, self._sequence, timer, transaction))

    def terminated(self, transaction: Transaction) -> None:
        """Forget a finished transaction."""
        if self._clients.get(transaction.key) is transaction:
            del self._clients[transaction.key]
        if self._servers.get(transaction.key) is transaction:
            del self._servers[transaction.key]

    # -- adapter side ---------------------------------------------------------------------

    def receive(self, message: SipRequest | SipResponse, source: Peer, now: float) -> None:
        """Hand in a message that arrived from ``source``. Requests get ``received`` and
        ``rport`` stamped on their top Via (§18.2.1, RFC 3581). Raises SipParseError
        when Via or CSeq is missing: screen requests with ``check_request`` first."""
        if isinstance(message, SipResponse):
            client = self._clients.get(client_key(message))
            if client is None:
                self.emit(ResponseReceived(message, None))
            else:
                client.receive(message, now)
            return
        stamp_received(message, source)
        key = server_key(message)
        server = self._servers.get(key)
        if server is not None:
            server.receive_request(message, now)
            return
        if message.method == "ACK":
            self.emit(RequestReceived(message, source, None))
            return
        peer = response_destination(message, source)
        created: ServerTransaction
        if message.method == "INVITE":
            created = InviteServerTransaction(
                key, message, peer, self.config, self, send_trying=self._send_trying
            )
        else:
            created = NonInviteServerTransaction(key, message, peer, self.config, self)
        self._servers[key] = created
        self.emit(RequestReceived(message, source, key))

    def handle_timer(self, now: float) -> None:
        """Fire every timer due at ``now``; each fires at its own deadline, so a late call
        does not shift later retransmissions."""
        heap = self._heap
        while heap and heap[0][0] <= now:
            deadline, _, timer, transaction = heapq.heappop(heap)
            if transaction.timers.get(timer) != deadline:
                continue
            del transaction.timers[timer]
            transaction.fire(timer, deadline)

    def next_timer(self) -> float | None:
        """When :meth:`handle_timer` must next be called, or None when nothing is pending."""
        heap = self._heap
        while heap:
            deadline, _, timer, transaction = heap[0]
            if transaction.timers.get(timer) == deadline:
                return deadline
            heapq.heappop(heap)
        return None

    def datagrams_to_send(self) -> list[tuple[bytes, Peer]]:
        """Everything queued for the network since the last call, in order."""
        outgoing, self._outgoing = self._outgoing, []
        return outgoing

    def next_event(self) -> TransactionEvent | None:
        """The next event for the transaction user, or None."""
        return self._events.popleft() if self._events else None

    # -- transaction user side ------------------------------------------------------------

    def send_request(self, request: SipRequest, destination: Peer, now: float) -> TransactionKey:
        """Start a client transaction; the request's top Via must carry a fresh RFC 3261
        branch (:func:`new_branch`). ACKs have no transaction: use :meth:`send_stateless`."""
        if request.method == "ACK":
            raise TransactionError("ACK is sent without a transaction; use send_stateless")
        if not request.top_via.has_rfc3261_branch:
            raise TransactionError("client requests need a z9hG4bK branch in their top Via")
        key = client_key(request)
        if key in self._clients:
            raise TransactionError(f"a client transaction with branch {key[1]} exists")
        client: ClientTransaction
        if request.method == "INVITE":
            client = InviteClientTransaction(key, request, destination, self.config, self, now)
        else:
            client = NonInviteClientTransaction(key, request, destination, self.config, self, now)
        self._clients[key] = client
        return key

    def send_response(self, key: TransactionKey, response: SipResponse, now: float) -> None:
        """Answer the server transaction ``key`` (from :class:`RequestReceived`)."""
        server = self._servers.get(key)
        if server is None:
            raise TransactionError(f"no server transaction {key!r}")
        server.send_response(response, now)

    def send_stateless(self, message: SipMessage, destination: Peer) -> None:
        """Send outside any transaction: ACK for 2xx, or a stateless error response."""
        self.transmit(message.serialize(), destination)

    def invite_for_cancel(self, cancel: SipRequest) -> TransactionKey | None:
        """The INVITE server transaction a CANCEL targets (§9.2), if it still exists."""
        key = server_key(cancel, method="INVITE")
        return key if key in self._servers else None

    def state(self, key: TransactionKey) -> TransactionState | None:
        """The state of a live transaction, or None once it has terminated."""
        transaction = self._clients.get(key) or self._servers.get(key)
        return transaction.state if transaction is not None else None

    def request_of(self, key: TransactionKey) -> SipRequest | None:
        """The request that created a live transaction."""
        transaction = self._clients.get(key) or self._servers.get(key)
        return transaction.request if transaction is not None else None

    @property
    def active_transactions(self) -> int:
        """How many transactions are alive (tests assert this drops to zero)."""
        return len(self._clients) + len(self._servers)
