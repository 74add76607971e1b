"""What the four RFC 3261 §17 transaction state machines share: timer values, peers,
events handed to the transaction user, and the base class that keeps timers."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from typing import Protocol

from telephonist.sip.fields import BRANCH_COOKIE
from telephonist.sip.message import SipRequest, SipResponse
from telephonist.sip.peer import Peer


@dataclass(frozen=True, slots=True)
class TimerConfig:
    """RFC 3261 §17.1.1.1 timer base values in seconds (Table 4 defaults)."""

    t1: float = 0.5
    t2: float = 4.0
    t4: float = 5.0

    @property
    def timeout(self) -> float:
        """64*T1: Timers B, F, H, J (and L of RFC 6026)."""
        return 64 * self.t1


class TransactionState(enum.Enum):
    """States of Figures 5-8 of RFC 3261, plus Accepted from RFC 6026."""

    CALLING = "calling"
    TRYING = "trying"
    PROCEEDING = "proceeding"
    COMPLETED = "completed"
    CONFIRMED = "confirmed"
    ACCEPTED = "accepted"
    TERMINATED = "terminated"


TransactionKey = tuple[str, ...]
"""Opaque, hashable transaction identity (§17.1.3 and §17.2.3)."""


@dataclass(frozen=True, slots=True)
class RequestReceived:
    """A new request for the transaction user. ``key`` is None for an ACK that matched
    no transaction (the ACK of a 2xx, which belongs to the dialog, §13.3.1.4)."""

    request: SipRequest
    source: Peer
    key: TransactionKey | None


@dataclass(frozen=True, slots=True)
class ResponseReceived:
    """A response for the transaction user. ``key`` is None for a 2xx retransmission that
    arrived after the INVITE client transaction ended (§13.2.2.4: re-send the ACK)."""

    response: SipResponse
    key: TransactionKey | None


@dataclass(frozen=True, slots=True)
class TransactionTimedOut:
    """Timer B or F fired (no final response), or Timer H fired (no ACK for our final
    response): the transaction failed (§17.1.1.2, §17.1.2.2, §17.2.1)."""

    key: TransactionKey
    request: SipRequest


@dataclass(frozen=True, slots=True)
class TransactionTerminated:
    """The transaction is gone; the transaction user may drop state tied to it."""

    key: TransactionKey


TransactionEvent = RequestReceived | ResponseReceived | TransactionTimedOut | TransactionTerminated


class Sink(Protocol):
    """What a transaction needs from the layer that owns it."""

    def transmit(self, data: bytes, peer: Peer) -> None:
        """Queue bytes for the network."""

    def emit(self, event: TransactionEvent) -> None:
        """Queue an event for the transaction user."""

    def schedule(self, transaction: Transaction, timer: str, deadline: float) -> None:
        """Arrange for ``transaction.fire(timer, now)`` at ``deadline``."""

    def terminated(self, transaction: Transaction) -> None:
        """Forget the transaction."""


class Transaction:
    """Base of the four state machines: identity, peer, timers and termination."""

    def __init__(
        self,
        key: TransactionKey,
        request: SipRequest,
        peer: Peer,
        config: TimerConfig,
        sink: Sink,
    ) -> None:
        self.key = key
        self.request = request
        self.peer = peer
        self.config = config
        self.state = TransactionState.TRYING
        self.timers: dict[str, float] = {}
        self._sink = sink

    def _start_timer(self, name: str, delay: float, now: float) -> None:
        deadline = now + delay
        self.timers[name] = deadline
        self._sink.schedule(self, name, deadline)

    def _stop_timer(self, name: str) -> None:
        self.timers.pop(name, None)

    def _send(self, data: bytes) -> None:
        self._sink.transmit(data, self.peer)

    def _terminate(self) -> None:
        self.state = TransactionState.TERMINATED
        self.timers.clear()
        self._sink.terminated(self)
        self._sink.emit(TransactionTerminated(self.key))

    def fire(self, timer: str, now: float) -> None:
        """A timer this transaction started has expired."""
        raise NotImplementedError


def new_branch() -> str:
    """A fresh RFC 3261 branch: the magic cookie plus 64 random bits (§8.1.1.7)."""
    return BRANCH_COOKIE + secrets.token_hex(8)
