"""RFC 3261 §17 transactions: the layer plus its four state machines."""

from telephonist.sip.transactions.client import make_ack_for_failure, make_cancel
from telephonist.sip.transactions.common import (
    RequestReceived,
    ResponseReceived,
    TimerConfig,
    TransactionEvent,
    TransactionKey,
    TransactionState,
    TransactionTerminated,
    TransactionTimedOut,
    new_branch,
)
from telephonist.sip.transactions.layer import TransactionLayer, client_key, server_key

__all__ = [
    "RequestReceived",
    "ResponseReceived",
    "TimerConfig",
    "TransactionEvent",
    "TransactionKey",
    "TransactionLayer",
    "TransactionState",
    "TransactionTerminated",
    "TransactionTimedOut",
    "client_key",
    "make_ack_for_failure",
    "make_cancel",
    "new_branch",
    "server_key",
]
