"""Small message builders shared by the SIP tests."""

from __future__ import annotations

from telephonist.sip import SipRequest, SipResponse, parse_message


def request(
    method: str = "INVITE",
    *,
    branch: str = "z9hG4bK74bf9",
    cseq: int = 1,
    via_host: str = "pc33.atlanta.example.com",
    extra: str = "",
    body: str = "",
) -> SipRequest:
    """A well-formed request from Alice to Bob (RFC 3665 style)."""
    text = (
        f"{method} sip:bob@biloxi.example.com SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {via_host};branch={branch}\r\n"
        "Max-Forwards: 70\r\n"
        "From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n"
        "To: Bob <sip:bob@biloxi.example.com>\r\n"
        "Call-ID: 3848276298220188511@atlanta.example.com\r\n"
        f"CSeq: {cseq} {method}\r\n"
        "Contact: <sip:alice@client.atlanta.example.com;transport=udp>\r\n"
        f"{extra}"
        f"Content-Length: {len(body.encode())}\r\n\r\n{body}"
    )
    message = parse_message(text.encode())
    assert isinstance(message, SipRequest)
    return message


def response_to(
    original: SipRequest, status: int, *, to_tag: str | None = "8321234356", extra: str = ""
) -> SipResponse:
    """A response as the far end would send it, parsed from wire bytes."""
    to = original.headers.get("To") or ""
    if to_tag is not None:
        to = f"{to};tag={to_tag}"
    lines = [f"SIP/2.0 {status} Whatever"]
    lines += [f"Via: {via}" for via in original.headers.get_all("Via")]
    lines += [
        f"From: {original.headers.get('From')}",
        f"To: {to}",
        f"Call-ID: {original.call_id}",
        f"CSeq: {original.headers.get('CSeq')}",
    ]
    text = "\r\n".join(lines) + "\r\n" + extra + "Content-Length: 0\r\n\r\n"
    message = parse_message(text.encode())
    assert isinstance(message, SipResponse)
    return message
