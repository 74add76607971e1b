"""Sans-I/O SIP core: codecs and state machines that own no socket and no clock.

Everything here is fed bytes and ``now`` (seconds, any monotonic origin) and returns
what to send and what happened, in the style of aioquic. The asyncio transports are thin
adapters around it:

Datagram transport (UDP)::

    layer = TransactionLayer()                       # one per SIP endpoint
    def datagram_received(data, addr):
        try:
            message = parse_message(data)
        except SipParseError as error:                # answer 400 when possible
            response = make_error_response(error, to_tag=new_tag())
            if response is not None:
                transport.sendto(response.serialize(), addr)
            return
        layer.receive(message, Peer(addr[0], addr[1], "udp"), loop.time())
        pump()

Stream transport (TCP/TLS/WS): one :class:`StreamFramer` per connection; ``feed(data)``
returns messages and :class:`KeepAlive` pings (answer ``b"\\r\\n"``); a SipParseError
means the connection must be closed. Messages go to ``layer.receive`` as above.

After every input (a message, or the timer), the adapter pumps::

    def pump():
        for data, peer in layer.datagrams_to_send():  # bytes plus Peer(host, port, transport)
            send(data, peer)
        while (event := layer.next_event()) is not None:
            transaction_user.handle(event)            # RequestReceived, ResponseReceived, ...
        reschedule(layer.next_timer())                # call_at(deadline, on_timer)

    def on_timer():
        layer.handle_timer(loop.time())
        pump()

The transaction user (B2BUA legs, registrar) answers with
``layer.send_response(event.key, make_response(event.request, 200, to_tag=tag), now)``,
starts requests with ``layer.send_request(request, peer, now)`` (top Via with
:func:`new_branch`), keeps :class:`Dialog` objects for in-dialog requests, screens new
requests with :func:`check_request`, and authenticates with
:class:`DigestAuthenticator`.
"""

from telephonist.sip.dialog import (
    Dialog,
    DialogId,
    dialog_id_of_request,
    dialog_id_of_response,
    new_tag,
)
from telephonist.sip.digest import (
    ClientCredentials,
    DigestAuthenticator,
    Verdict,
    authorization_for,
    pick_challenge,
)
from telephonist.sip.errors import (
    DialogError,
    DigestError,
    SdpParseError,
    SipError,
    SipParseError,
    TransactionError,
)
from telephonist.sip.fields import AuthHeader, CSeq, NameAddress, Via
from telephonist.sip.message import (
    Headers,
    SipMessage,
    SipRequest,
    SipResponse,
    make_error_response,
    make_response,
)
from telephonist.sip.parser import KeepAlive, StreamFramer, parse_message
from telephonist.sip.peer import Peer
from telephonist.sip.rport import response_destination, stamp_received
from telephonist.sip.transactions import (
    RequestReceived,
    ResponseReceived,
    TimerConfig,
    TransactionLayer,
    TransactionTerminated,
    TransactionTimedOut,
    make_cancel,
    new_branch,
)
from telephonist.sip.uri import AbsoluteUri, SipUri, parse_uri
from telephonist.sip.validation import Rejection, UasCapabilities, check_request

__all__ = [
    "AbsoluteUri",
    "AuthHeader",
    "CSeq",
    "ClientCredentials",
    "Dialog",
    "DialogError",
    "DialogId",
    "DigestAuthenticator",
    "DigestError",
    "Headers",
    "KeepAlive",
    "NameAddress",
    "Peer",
    "Rejection",
    "RequestReceived",
    "ResponseReceived",
    "SdpParseError",
    "SipError",
    "SipMessage",
    "SipParseError",
    "SipRequest",
    "SipResponse",
    "SipUri",
    "StreamFramer",
    "TimerConfig",
    "TransactionError",
    "TransactionLayer",
    "TransactionTerminated",
    "TransactionTimedOut",
    "UasCapabilities",
    "Verdict",
    "Via",
    "authorization_for",
    "check_request",
    "dialog_id_of_request",
    "dialog_id_of_response",
    "make_cancel",
    "make_error_response",
    "make_response",
    "new_branch",
    "new_tag",
    "parse_message",
    "parse_uri",
    "pick_challenge",
    "response_destination",
    "stamp_received",
]
