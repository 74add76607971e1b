"""RFC 3261 parsing details: compact forms, folding, comma splitting, quoting, datagram
Content-Length rules, stream framing with keep-alives, and precise errors."""

from __future__ import annotations

import pytest

from telephonist.sip import (
    KeepAlive,
    SipParseError,
    SipRequest,
    SipResponse,
    StreamFramer,
    make_response,
    parse_message,
)

from .builders import request

COMPACT = (
    b"OPTIONS sip:bob@example.com SIP/2.0\r\n"
    b"v: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n"
    b"f: <sip:alice@example.com>;tag=1\r\n"
    b"t: <sip:bob@example.com>\r\n"
    b"i: abc@host\r\n"
    b"m: <sip:alice@a.example.com>\r\n"
    b"k: timer, replaces\r\n"
    b"s: hello\r\n"
    b"c: text/plain\r\n"
    b"e: gzip\r\n"
    b"o: presence\r\n"
    b"u: dialog\r\n"
    b"r: <sip:carol@example.com>\r\n"
    b"b: <sip:alice@example.com>\r\n"
    b"x: 1800\r\n"
    b"y: sig\r\n"
    b"a: *;audio\r\n"
    b"CSeq: 1 OPTIONS\r\n"
    b"l: 5\r\n\r\nhello"
)


def test_compact_forms_map_to_long_names_and_serialize_long() -> None:
    # §7.3.3 and the compact forms registered since.
    message = parse_message(COMPACT)
    names = [name for name, _ in message.headers]
    assert names == [
        "Via",
        "From",
        "To",
        "Call-ID",
        "Contact",
        "Supported",
        "Subject",
        "Content-Type",
        "Content-Encoding",
        "Event",
        "Allow-Events",
        "Refer-To",
        "Referred-By",
        "Session-Expires",
        "Identity",
        "Accept-Contact",
        "CSeq",
        "Content-Length",
    ]
    assert message.call_id == "abc@host" and message.body == b"hello"
    assert message.headers.get("CALL-id") == message.headers.get("i") == "abc@host"
    assert message.headers.get_list("Supported") == ["timer", "replaces"]
    assert parse_message(message.serialize()) == message


def test_folded_lines_join_with_a_space() -> None:
    # §7.3.1: LWS with CRLF is equivalent to SP.
    data = (
        b"OPTIONS sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
        b"Subject: I know you're there,\r\n\tpick up the phone\r\n"
        b"   and talk to me!\r\nCSeq: 1 OPTIONS\r\n\r\n"
    )
    assert parse_message(data).headers.get("Subject") == (
        "I know you're there, pick up the phone and talk to me!"
    )


def test_comma_splitting_respects_quotes_and_angle_brackets() -> None:
    message = request(
        "REGISTER",
        extra='Contact: "Smith, J" <sip:a,b@h;x=1>;q=0.5, <sip:b@h>;expires=60\r\n',
    )
    contacts = message.contacts
    assert [c.display_name for c in contacts] == [None, "Smith, J", None]
    assert contacts[1].q == 0.5 and contacts[2].expires == 60


def test_contact_star_is_the_wildcard() -> None:
    message = request("REGISTER")
    message.headers.set("Contact", "*")
    assert message.contact_is_wildcard and message.contacts == []


def test_datagram_body_longer_than_content_length_is_truncated() -> None:
    # §18.3: extra octets are discarded.
    data = request(body="abc").serialize() + b"garbage"
    assert parse_message(data).body == b"abc"


def test_content_length_larger_than_body_is_a_precise_error() -> None:
    data = (
        request(body="twelve bytes")
        .serialize()
        .replace(b"Content-Length: 12", b"Content-Length: 9999")
    )
    with pytest.raises(SipParseError, match="Content-Length 9999 exceeds body of 12 bytes") as e:
        parse_message(data)
    assert e.value.can_answer


def test_missing_blank_line_on_non_terminated_datagram_is_an_error() -> None:
    with pytest.raises(SipParseError, match="missing empty line"):
        parse_message(b"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "missing empty line"),
        (b"\r\n\r\n", "Request-Line"),
        (b"OPTIONS sip:a@b SIP/2.0\r\nNo colon here\r\n\r\n", "malformed header line"),
        (b"SIP/2.0 2000 OK\r\n\r\n", "status code"),
        (b"OPTIONS sip:a@b HTTP/1.1\r\n\r\n", "SIP-Version"),
        (b"OPTIONS sip:a@[::1 SIP/2.0\r\n\r\n", "IPv6"),
        (b"OPTIONS sip:a@b SIP/2.0\r\nCSeq: x OPTIONS\r\n\r\n", "CSeq"),
        (b"OPTIONS sip:a@b SIP/2.0\r\nVia: nonsense\r\n\r\n", "Via"),
        (b"OPTIONS sip:a@b SIP/2.0\r\nMax-Forwards: -1\r\n\r\n", "Max-Forwards"),
    ],
)
def test_malformed_input_raises_sip_parse_error_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(SipParseError, match=message):
        parse_message(data)


def test_leading_crlf_before_start_line_is_ignored() -> None:
    # §7.5.
    assert isinstance(parse_message(b"\r\n\r\n" + request().serialize()), SipRequest)


def test_stream_framer_cuts_messages_at_content_length_across_chunks() -> None:
    first = request("OPTIONS", body="hello").serialize()
    second = make_response(request(), 180, to_tag="t").serialize()
    stream = first + b"\r\n\r\n" + second
    framer = StreamFramer()
    out: list[SipRequest | SipResponse | KeepAlive] = []
    for index in range(0, len(stream), 7):
        out += framer.feed(stream[index : index + 7])
    assert [type(item) for item in out] == [SipRequest, KeepAlive, SipResponse]
    assert out[0].body == b"hello"


def test_stream_framer_refuses_garbage_and_stays_broken() -> None:
    framer = StreamFramer()
    with pytest.raises(SipParseError):
        framer.feed(b"NOT SIP\r\n\r\n")
    with pytest.raises(SipParseError):
        framer.feed(request().serialize())


def test_stream_framer_limits_unterminated_headers() -> None:
    framer = StreamFramer(max_message_bytes=1000)
    with pytest.raises(SipParseError, match="too large"):
        framer.feed(b"OPTIONS sip:a@b SIP/2.0\r\nX: " + b"a" * 2000)


def test_make_response_copies_mandatory_headers_and_adds_to_tag() -> None:
    # §8.2.6.2.
    invite = request(extra="Record-Route: <sip:p1.example.com;lr>\r\n")
    ringing = make_response(invite, 180, to_tag="abc")
    assert ringing.reason == "Ringing" and ringing.to.tag == "abc"
    assert [n for n, _ in ringing.headers] == [
        "Via",
        "From",
        "To",
        "Call-ID",
        "CSeq",
        "Record-Route",
    ]
    trying = make_response(invite, 100, to_tag="abc")
    assert trying.to.tag is None and "Record-Route" not in trying.headers


def test_typed_views_follow_header_changes() -> None:
    message = request()
    assert message.cseq.number == 1
    message.headers.set("CSeq", "2 INVITE")
    assert message.cseq.number == 2
