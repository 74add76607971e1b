"""What a UAS answers to a request that parsed but cannot be accepted (RFC 3261 §8.2):
wrong version, missing or repeated mandatory headers, CSeq/method mismatch, unsupported
URI scheme, extension, body type or Accept. The checks run before the transaction user
sees the request; the first failing check decides the response."""

from __future__ import annotations

from dataclasses import dataclass

from telephonist.sip.errors import SipParseError
from telephonist.sip.message import SipRequest
from telephonist.sip.uri import SipUri

_MANDATORY = ("Via", "To", "From", "Call-ID", "CSeq")
_SINGLE_VALUED = ("To", "From", "Call-ID", "CSeq", "Max-Forwards", "Content-Type")
_SDP_ACCEPTS = ("application/sdp", "application/*", "*/*")


@dataclass(frozen=True, slots=True)
class Rejection:
    """The response to send instead of processing the request."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class UasCapabilities:
    """What this user agent server understands."""

    uri_schemes: frozenset[str] = frozenset({"sip", "sips", "tel"})
    extensions: frozenset[str] = frozenset({"replaces", "timer", "path", "outbound"})
    body_types: frozenset[str] = frozenset({"application/sdp"})
    key_press_types: frozenset[str] = frozenset({"application/dtmf-relay", "application/dtmf"})
    """Bodies of INFO requests that carry a key press (phones without RFC 4733 events)."""


def check_request(request: SipRequest, capabilities: UasCapabilities) -> Rejection | None:
    """The rejection a UAS must send for ``request``, or None when it may be processed."""
    if request.version.upper() != "SIP/2.0":
        return Rejection(505, "Version Not Supported")
    for name in _MANDATORY:
        if name not in request.headers:
            return Rejection(400, f"Missing {name} header")
    for name in _SINGLE_VALUED:
        if len(request.headers.get_all(name)) > 1:
            return Rejection(400, f"More than one {name} header")
    try:
        if request.cseq.method != request.method:
            return Rejection(400, "CSeq method does not match the request method")
        if request.method == "REGISTER" and not isinstance(request.to.uri, SipUri):
            return Rejection(400, "Address-of-record must be a SIP or SIPS URI")
    except SipParseError as exc:
        return Rejection(400, str(exc)[:80])
    if request.uri.scheme.lower() not in capabilities.uri_schemes:
        return Rejection(416, "Unsupported URI Scheme")
    if request.method not in ("ACK", "CANCEL"):
        unsupported = [
            tag
            for tag in request.headers.get_list("require")
            if tag.lower() not in capabilities.extensions
        ]
        if unsupported:
            return Rejection(420, "Bad Extension", (("Unsupported", ", ".join(unsupported)),))
    understood = capabilities.body_types
    if request.method == "INFO":
        understood = understood | capabilities.key_press_types
    if request.body and request.content_type not in understood:
        accept = ", ".join(sorted(understood))
        return Rejection(415, "Unsupported Media Type", (("Accept", accept),))
    accepts = [item.split(";", 1)[0].strip().lower() for item in request.headers.get_list("accept")]
    if request.method == "INVITE" and accepts and not any(a in _SDP_ACCEPTS for a in accepts):
        return Rejection(406, "Not Acceptable")
    return None
