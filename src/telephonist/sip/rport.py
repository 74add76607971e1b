"""Where responses go: the server side of RFC 3261 §18.2.1/§18.2.2 and RFC 3581 (rport).

A server stamps ``received`` (and ``rport``) on the top Via of each request it receives,
then sends responses to the address the request really came from, which is what makes
phones behind NAT reachable."""

from __future__ import annotations

from telephonist.sip.grammar import split_commas
from telephonist.sip.message import SipRequest
from telephonist.sip.peer import Peer

DEFAULT_PORTS = {"udp": 5060, "tcp": 5060, "tls": 5061, "ws": 80, "wss": 443}


def stamp_received(request: SipRequest, source: Peer) -> None:
    """Add ``received`` when the sent-by host is not the packet's source (§18.2.1) and
    fill in ``rport`` when the client asked for it (RFC 3581 §4)."""
    vias = request.vias
    top = vias[0] if vias else request.top_via
    via = top
    if via.wants_rport:
        via = via.with_param("received", source.host).with_param("rport", str(source.port))
    elif via.host.lower() != source.host.lower():
        via = via.with_param("received", source.host)
    if via is top:
        return
    first_line = request.headers.get("via") or ""
    rest = split_commas(first_line)[1:]
    request.headers.set_first("via", ", ".join([via.serialize(), *rest]))
    request.remember_vias([via, *vias[1:]])


def response_destination(request: SipRequest, source: Peer) -> Peer:
    """Where to send responses to ``request`` (§18.2.2 with RFC 3581 §4).

    Reliable transports answer on the connection the request came from (``source``);
    otherwise ``maddr``, then ``received``/``rport``, then the sent-by are used.
    """
    if source.reliable:
        return source
    via = request.top_via
    transport = via.transport.lower()
    default = DEFAULT_PORTS.get(transport, 5060)
    if via.maddr:
        return Peer(via.maddr, via.port or default, transport)
    if via.received:
        port = via.rport if via.rport is not None else via.port or default
        return Peer(via.received, port, transport)
    return Peer(via.host, via.port or default, transport)
