"""Hypothesis properties: generated messages survive serialize -> parse unchanged, valid
torture messages reach a fixed point, and no input makes the parsers raise anything
but their one typed error."""

from __future__ import annotations

import contextlib
import ipaddress
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telephonist.sip import (
    Headers,
    NameAddress,
    SdpParseError,
    SipParseError,
    SipRequest,
    SipResponse,
    SipUri,
    StreamFramer,
    Via,
    parse_message,
)
from telephonist.sip.sdp import SessionDescription

from .fixtures_index import all_fixture_bytes, valid_fixture_bytes

TOKEN = string.ascii_letters + string.digits + "-.!%*_+`'~"
PARAM_CHARS = string.ascii_letters + string.digits + "-_.!~*'()[]/:&+$"
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

tokens = st.text(TOKEN, min_size=1, max_size=12)
label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
domains = st.lists(label, min_size=1, max_size=4).map(".".join)
ipv4 = st.ip_addresses(v=4).map(str)
ipv6 = st.ip_addresses(v=6).map(lambda a: str(ipaddress.IPv6Address(a)))
hosts = st.one_of(domains, ipv4, ipv6)
ports = st.none() | st.integers(1, 65535)
safe_text = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\r\n"), max_size=20
)
uri_params = st.lists(
    st.tuples(
        st.text(string.ascii_lowercase, min_size=1, max_size=8),
        st.none() | st.text(PARAM_CHARS, min_size=1, max_size=8),
    ),
    max_size=3,
).map(tuple)
header_params = st.lists(
    st.tuples(
        st.text(string.ascii_lowercase, min_size=1, max_size=8).filter(lambda n: n != "tag"),
        st.none() | tokens,
    ),
    max_size=3,
).map(tuple)


@st.composite
def sip_uris(draw: st.DrawFn) -> SipUri:
    user = draw(st.none() | safe_text.filter(bool))
    return SipUri(
        host=draw(hosts),
        user=user,
        password=draw(st.none() | safe_text) if user is not None else None,
        port=draw(ports),
        params=draw(uri_params),
        headers=draw(
            st.lists(
                st.tuples(
                    tokens.filter(lambda t: "%" not in t), st.text(string.ascii_letters, min_size=1)
                ),
                max_size=2,
            ).map(tuple)
        ),
        scheme=draw(st.sampled_from(["sip", "sips"])),
    )


@st.composite
def addresses(draw: st.DrawFn, tag: str | None) -> NameAddress:
    params = draw(header_params)
    if tag is not None:
        params = (("tag", tag), *params)
    return NameAddress(
        uri=draw(sip_uris()), display_name=draw(st.none() | safe_text), params=params
    )


@st.composite
def vias(draw: st.DrawFn) -> Via:
    branch = "z9hG4bK" + draw(st.text(string.ascii_letters + string.digits, min_size=1))
    extra = draw(header_params)
    return Via(
        transport=draw(st.sampled_from(["UDP", "TCP", "TLS", "WSS"])),
        host=draw(hosts),
        port=draw(ports),
        params=(("branch", branch), *extra),
    )


@st.composite
def common_headers(draw: st.DrawFn, method: str) -> tuple[Headers, dict[str, object]]:
    via_list = draw(st.lists(vias(), min_size=1, max_size=3))
    sender = draw(addresses(tag=draw(tokens)))
    receiver = draw(addresses(tag=draw(st.none() | tokens)))
    call_id = draw(st.text(TOKEN + "@", min_size=1, max_size=30))
    number = draw(st.integers(0, 2**31 - 1))
    headers = Headers()
    for via in via_list:
        headers.add("Via", via.serialize())
    headers.add("From", sender.serialize())
    headers.add("To", receiver.serialize())
    headers.add("Call-ID", call_id)
    headers.add("CSeq", f"{number} {method}")
    for name, value in draw(st.lists(st.tuples(tokens, safe_text.map(str.strip)), max_size=3)):
        headers.add(f"X-{name}", value)
    expected = {"vias": via_list, "from": sender, "to": receiver, "call_id": call_id}
    return headers, expected


@st.composite
def requests(draw: st.DrawFn) -> tuple[SipRequest, dict[str, object]]:
    method = draw(st.sampled_from(["INVITE", "ACK", "BYE", "REGISTER", "OPTIONS"]) | tokens)
    headers, expected = draw(common_headers(method))
    body = draw(st.binary(max_size=64))
    headers.add("Content-Length", str(len(body)))
    request = SipRequest(method=method, uri=draw(sip_uris()), headers=headers, body=body)
    return request, expected


@st.composite
def responses(draw: st.DrawFn) -> tuple[SipResponse, dict[str, object]]:
    headers, expected = draw(common_headers("INVITE"))
    body = draw(st.binary(max_size=64))
    headers.add("Content-Length", str(len(body)))
    reason = draw(safe_text)
    response = SipResponse(
        status=draw(st.integers(100, 699)), reason=reason, headers=headers, body=body
    )
    return response, expected


def _assert_typed_views(message: SipRequest | SipResponse, expected: dict[str, object]) -> None:
    assert message.vias == expected["vias"]
    assert message.from_ == expected["from"]
    assert message.to == expected["to"]
    assert message.call_id == expected["call_id"]


@FAST
@given(requests())
def test_generated_requests_round_trip(case: tuple[SipRequest, dict[str, object]]) -> None:
    request, expected = case
    parsed = parse_message(request.serialize())
    assert parsed == request
    assert isinstance(parsed, SipRequest) and parsed.uri == request.uri
    _assert_typed_views(parsed, expected)


@FAST
@given(responses())
def test_generated_responses_round_trip(case: tuple[SipResponse, dict[str, object]]) -> None:
    response, expected = case
    parsed = parse_message(response.serialize())
    assert parsed == response
    _assert_typed_views(parsed, expected)


def test_valid_torture_messages_reach_a_fixed_point() -> None:
    for data in valid_fixture_bytes():
        first = parse_message(data)
        once = first.serialize()
        second = parse_message(once)
        assert second.serialize() == once
        assert parse_message(second.serialize()) == second
        views = (
            ("vias", "Via"),
            ("from_", "From"),
            ("to", "To"),
            ("call_id", "Call-ID"),
            ("cseq", "CSeq"),
            ("contacts", "Contact"),
        )
        for view, header in views:
            if header in first.headers:
                assert getattr(second, view) == getattr(first, view), view
        assert second.body == first.body


def _exercise(message: SipRequest | SipResponse) -> None:
    for view in ("vias", "routes", "record_routes", "contacts", "expires", "content_type"):
        with contextlib.suppress(SipParseError):
            getattr(message, view)
    for name in ("Authorization", "WWW-Authenticate"):
        with contextlib.suppress(SipParseError):
            message.auth_headers(name)
    message.serialize()


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_only_ever_raise_sip_parse_error(data: bytes) -> None:
    with contextlib.suppress(SipParseError):
        _exercise(parse_message(data))
    try:
        for item in StreamFramer().feed(data):
            if not hasattr(item, "headers"):
                continue
            _exercise(item)
    except SipParseError:
        pass


MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["flip", "insert", "delete", "cut"]),
        st.integers(0, 10_000),
        st.binary(min_size=1, max_size=4),
    ),
    min_size=1,
    max_size=6,
)
INTERESTING = [b"\r\n", b" ", b":", b";", b",", b'"', b"<", b">", b"[", b"]", b"%", b"\\", b"\x00"]


@settings(max_examples=800, deadline=None)
@given(st.sampled_from(all_fixture_bytes()), MUTATIONS, st.sampled_from(INTERESTING))
def test_mutated_fixtures_only_ever_raise_sip_parse_error(
    data: bytes, mutations: list[tuple[str, int, bytes]], token: bytes
) -> None:
    buffer = bytearray(data)
    for kind, position, chunk in mutations:
        index = position % (len(buffer) + 1)
        if kind == "flip":
            buffer[index : index + len(chunk)] = chunk
        elif kind == "insert":
            buffer[index:index] = token
        elif kind == "delete":
            del buffer[index : index + len(chunk)]
        else:
            del buffer[index:]
    with contextlib.suppress(SipParseError):
        _exercise(parse_message(bytes(buffer)))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: f"v=0\r\n{t}".encode()))
def test_arbitrary_sdp_only_ever_raises_sdp_parse_error(data: bytes) -> None:
    with contextlib.suppress(SdpParseError):
        SessionDescription.parse(data).serialize()
