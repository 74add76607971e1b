"""Server transactions: INVITE (RFC 3261 §17.2.1, Figure 7, with the Accepted state of
RFC 6026) and non-INVITE (§17.2.2, Figure 8). They absorb request retransmissions and
replay the last response."""

from __future__ import annotations

from telephonist.sip.message import SipRequest, SipResponse, make_response
from telephonist.sip.peer import Peer
from telephonist.sip.transactions.common import (
    Sink,
    TimerConfig,
    Transaction,
    TransactionKey,
    TransactionState,
    TransactionTimedOut,
)


class InviteServerTransaction(Transaction):
    """Figure 7: Proceeding -> Completed -> Confirmed -> Terminated for 3xx-6xx, and
    Proceeding -> Accepted -> Terminated for 2xx (RFC 6026 §7.1)."""

    def __init__(
        self,
        key: TransactionKey,
        request: SipRequest,
        peer: Peer,
        config: TimerConfig,
        sink: Sink,
        *,
        send_trying: bool,
    ) -> None:
        super().__init__(key, request, peer, config, sink)
        self.state = TransactionState.PROCEEDING
        self._last_response: bytes | None = None
        self._interval = config.t1
        if send_trying:
            self._last_response = make_response(request, 100).serialize()
            self._send(self._last_response)

    def receive_request(self, request: SipRequest, now: float) -> None:
        """A retransmitted INVITE or the ACK for our non-2xx final response."""
        if request.method == "ACK":
            if self.state is TransactionState.COMPLETED:
                self.state = TransactionState.CONFIRMED
                self._stop_timer("G")
                self._stop_timer("H")
                self._start_timer("I", 0.0 if self.peer.reliable else self.config.t4, now)
            return
        if (
            self.state in (TransactionState.PROCEEDING, TransactionState.COMPLETED)
            and self._last_response is not None
        ):
            self._send(self._last_response)

    def send_response(self, response: SipResponse, now: float) -> None:
        """The transaction user answers (§17.2.1)."""
        data = response.serialize()
        if self.state is TransactionState.ACCEPTED and 200 <= response.status < 300:
            self._send(data)
            return
        if self.state is not TransactionState.PROCEEDING:
            return
        self._last_response = data
        self._send(data)
        if response.status < 200:
            return
        if response.status < 300:
            self.state = TransactionState.ACCEPTED
            self._start_timer("L", self.config.timeout, now)
            return
        self.state = TransactionState.COMPLETED
        if not self.peer.reliable:
            self._start_timer("G", self._interval, now)
        self._start_timer("H", self.config.timeout, now)

    def fire(self, timer: str, now: float) -> None:
        """G retransmits the final response; H gives up on the ACK; I and L clean up."""
        if timer == "G" and self.state is TransactionState.COMPLETED:
            if self._last_response is not None:
                self._send(self._last_response)
            self._interval = min(2 * self._interval, self.config.t2)
            self._start_timer("G", self._interval, now)
        elif timer == "H" and self.state is TransactionState.COMPLETED:
            self._sink.emit(TransactionTimedOut(self.key, self.request))
            self._terminate()
        elif (timer == "I" and self.state is TransactionState.CONFIRMED) or (
            timer == "L" and self.state is TransactionState.ACCEPTED
        ):
            self._terminate()


class NonInviteServerTransaction(Transaction):
    """Figure 8: Trying -> Proceeding -> Completed -> Terminated (Timer J)."""

    def __init__(
        self,
        key: TransactionKey,
        request: SipRequest,
        peer: Peer,
        config: TimerConfig,
        sink: Sink,
    ) -> None:
        super().__init__(key, request, peer, config, sink)
        self.state = TransactionState.TRYING
        self._last_response: bytes | None = None

    def receive_request(self, request: SipRequest, now: float) -> None:
        """A retransmission: absorbed in Trying, answered with the last response later."""
        if self._last_response is not None and self.state in (
            TransactionState.PROCEEDING,
            TransactionState.COMPLETED,
        ):
            self._send(self._last_response)

    def send_response(self, response: SipResponse, now: float) -> None:
        """The transaction user answers (§17.2.2)."""
        if self.state not in (TransactionState.TRYING, TransactionState.PROCEEDING):
            return
        self._last_response = response.serialize()
        self._send(self._last_response)
        if response.status < 200:
            self.state = TransactionState.PROCEEDING
            return
        self.state = TransactionState.COMPLETED
        self._start_timer("J", 0.0 if self.peer.reliable else self.config.timeout, now)

    def fire(self, timer: str, now: float) -> None:
        """Timer J ends the Completed state."""
        if timer == "J" and self.state is TransactionState.COMPLETED:
            self._terminate()
