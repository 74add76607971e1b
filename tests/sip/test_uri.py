"""SIP URIs: RFC 3261 §19.1 syntax, RFC 5118 IPv6 references and §19.1.4 comparison."""

from __future__ import annotations

import pytest

from telephonist.sip import AbsoluteUri, SipParseError, SipUri, parse_uri


@pytest.mark.parametrize(
    ("left", "right"),
    [
        # §19.1.4 equivalent pairs.
        ("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"),
        ("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"),
        ("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;newparam=5"),
        (
            "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
            "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com",
        ),
        (
            "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
            "sip:alice@atlanta.com?priority=urgent&subject=project%20x",
        ),
        ("sip:alice@[2001:DB8::1]", "sip:alice@[2001:db8::1]"),
    ],
)
def test_equivalent_uris_per_rfc3261(left: str, right: str) -> None:
    assert parse_uri(left).equivalent(parse_uri(right))


@pytest.mark.parametrize(
    ("left", "right"),
    [
        # §19.1.4 non-equivalent pairs.
        ("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp;user=phone"),
        ("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"),
        ("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"),
        ("sip:alice@h", "sips:alice@h"),
        ("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;newparam=6"),
    ],
)
def test_different_uris_per_rfc3261(left: str, right: str) -> None:
    assert not parse_uri(left).equivalent(parse_uri(right))


def test_password_ipv6_port_params_and_headers_are_parsed() -> None:
    uri = parse_uri("sips:alice:se%63ret@[2001:db8::10]:5061;transport=tls;lr?Subject=hi")
    assert isinstance(uri, SipUri)
    assert (uri.user, uri.password, uri.host, uri.port) == ("alice", "secret", "2001:db8::10", 5061)
    assert uri.transport == "tls" and uri.param("lr") == "" and uri.header("subject") == "hi"
    assert uri.serialize() == "sips:alice:secret@[2001:db8::10]:5061;transport=tls;lr?Subject=hi"


def test_other_schemes_are_kept_opaque() -> None:
    uri = parse_uri("tel:+1-201-555-0123;phone-context=example.com")
    assert uri == AbsoluteUri("tel", "+1-201-555-0123;phone-context=example.com")


@pytest.mark.parametrize(
    "text",
    [
        "sip:",
        "sip:@host",
        "sip:host:",
        "sip:host:99999",
        "sip:[::1",
        "sip:[1:2:3]",
        "sip:ho st",
        "sip:host;=x",
        "nocolon",
        "1sip:host",
        "sip:a@b?noequals",
    ],
)
def test_malformed_uris_raise(text: str) -> None:
    with pytest.raises(SipParseError):
        parse_uri(text)
