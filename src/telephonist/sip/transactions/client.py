"""Client transactions: INVITE (RFC 3261 §17.1.1, Figure 5) and non-INVITE
(§17.1.2, Figure 6), plus the ACK and CANCEL requests a client builds from its INVITE."""

from __future__ import annotations

from telephonist.sip.message import Headers, SipRequest, SipResponse
from telephonist.sip.peer import Peer
from telephonist.sip.transactions.common import (
    ResponseReceived,
    Sink,
    TimerConfig,
    Transaction,
    TransactionKey,
    TransactionState,
    TransactionTimedOut,
)


def _request_like(invite: SipRequest, method: str, to: str) -> SipRequest:
    headers = Headers()
    top_via = invite.headers.get_list("via")[0]
    headers.add("Via", top_via)
    for key in ("max-forwards", "from"):
        value = invite.headers.get(key)
        if value is not None:
            headers.add(key, value)
    headers.add("To", to)
    headers.add("Call-ID", invite.call_id)
    headers.add("CSeq", f"{invite.cseq.number} {method}")
    for route in invite.headers.get_all("route"):
        headers.add("Route", route)
    return SipRequest(method=method, uri=invite.uri, headers=headers)


def make_ack_for_failure(invite: SipRequest, response: SipResponse) -> SipRequest:
    """The ACK for a 300-699 response, built by the client transaction (§17.1.1.3): same
    Request-URI, Call-ID, From, CSeq number, top Via and Route; To from the response."""
    to = response.headers.get("to") or invite.headers.get("to") or ""
    return _request_like(invite, "ACK", to)


def make_cancel(invite: SipRequest) -> SipRequest:
    """A CANCEL for ``invite`` (§9.1): same Request-URI, Call-ID, To, From, CSeq number,
    top Via (so it reaches the same server transaction's peer) and Route."""
    return _request_like(invite, "CANCEL", invite.headers.get("to") or "")


class InviteClientTransaction(Transaction):
    """Figure 5: Calling -> Proceeding -> Completed -> Terminated. A 2xx ends it at once;
    the ACK for a 2xx belongs to the dialog (§13.2.2.4)."""

    def __init__(
        self,
        key: TransactionKey,
        request: SipRequest,
        peer: Peer,
        config: TimerConfig,
        sink: Sink,
        now: float,
    ) -> None:
        super().__init__(key, request, peer, config, sink)
        self.state = TransactionState.CALLING
        self._request_bytes = request.serialize()
        self._ack_bytes: bytes | None = None
        self._interval = config.t1
        self._send(self._request_bytes)
        if not peer.reliable:
            self._start_timer("A", self._interval, now)
        self._start_timer("B", config.timeout, now)

    def receive(self, response: SipResponse, now: float) -> None:
        """A response matched this transaction (§17.1.3)."""
        state = self.state
        if state in (TransactionState.CALLING, TransactionState.PROCEEDING):
            self._stop_timer("A")
            if response.status < 200:
                self.state = TransactionState.PROCEEDING
                self._sink.emit(ResponseReceived(response, self.key))
            elif response.status < 300:
                self._sink.emit(ResponseReceived(response, self.key))
                self._terminate()
            else:
                self._stop_timer("B")
                self.state = TransactionState.COMPLETED
                self._ack_bytes = make_ack_for_failure(self.request, response).serialize()
                self._send(self._ack_bytes)
                self._sink.emit(ResponseReceived(response, self.key))
                self._start_timer("D", 0.0 if self.peer.reliable else 32.0, now)
        elif (
            state is TransactionState.COMPLETED
            and response.status >= 300
            and self._ack_bytes is not None
        ):
            self._send(self._ack_bytes)

    def fire(self, timer: str, now: float) -> None:
        """Timer A retransmits with doubling interval; B gives up; D ends Completed."""
        if timer == "A" and self.state is TransactionState.CALLING:
            self._send(self._request_bytes)
            self._interval *= 2
            self._start_timer("A", self._interval, now)
        elif timer == "B" and self.state is TransactionState.CALLING:
            self._sink.emit(TransactionTimedOut(self.key, self.request))
            self._terminate()
        elif timer == "B" and self.state is TransactionState.PROCEEDING:
            # Figure 5 only times out in Calling; an unanswered provisional waits for the TU
            # (which sends CANCEL, §9.1) - Timer C belongs to proxies.
            self._stop_timer("B")
        elif timer == "D" and self.state is TransactionState.COMPLETED:
            self._terminate()


class NonInviteClientTransaction(Transaction):
    """Figure 6: Trying -> Proceeding -> Completed -> Terminated, retransmitting with
    Timer E capped at T2 and timing out with Timer F."""

    def __init__(
        self,
        key: TransactionKey,
        request: SipRequest,
        peer: Peer,
        config: TimerConfig,
        sink: Sink,
        now: float,
    ) -> None:
        super().__init__(key, request, peer, config, sink)
        self.state = TransactionState.TRYING
        self._request_bytes = request.serialize()
        self._interval = config.t1
        self._send(self._request_bytes)
        if not peer.reliable:
            self._start_timer("E", self._interval, now)
        self._start_timer("F", config.timeout, now)

    def receive(self, response: SipResponse, now: float) -> None:
        """A response matched this transaction (§17.1.3)."""
        if self.state not in (TransactionState.TRYING, TransactionState.PROCEEDING):
            return
        if response.status < 200:
            self.state = TransactionState.PROCEEDING
            self._sink.emit(ResponseReceived(response, self.key))
            return
        self._stop_timer("E")
        self._stop_timer("F")
        self.state = TransactionState.COMPLETED
        self._sink.emit(ResponseReceived(response, self.key))
        self._start_timer("K", 0.0 if self.peer.reliable else self.config.t4, now)

    def fire(self, timer: str, now: float) -> None:
        """Timer E retransmits (T2 in Proceeding); F gives up; K ends Completed."""
        if timer == "E" and self.state in (TransactionState.TRYING, TransactionState.PROCEEDING):
            self._send(self._request_bytes)
            if self.state is TransactionState.TRYING:
                self._interval = min(2 * self._interval, self.config.t2)
            else:
                self._interval = self.config.t2
            self._start_timer("E", self._interval, now)
        elif timer == "F" and self.state in (
            TransactionState.TRYING,
            TransactionState.PROCEEDING,
        ):
            self._sink.emit(TransactionTimedOut(self.key, self.request))
            self._terminate()
        elif timer == "K" and self.state is TransactionState.COMPLETED:
            self._terminate()
