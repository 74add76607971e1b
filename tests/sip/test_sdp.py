"""SDP (RFC 4566) parsing and RFC 3264 offer/answer for G.711 and RFC 4733 DTMF."""

from __future__ import annotations

import pytest

from telephonist.sip import SdpParseError
from telephonist.sip.offer_answer import (
    PCMA,
    TELEPHONE_EVENT,
    is_hold_offer,
    make_answer,
    make_offer,
    negotiated_codec,
)
from telephonist.sip.sdp import SessionDescription

OFFER = (
    "v=0\r\n"
    "o=alice 2890844526 2890844526 IN IP4 198.51.100.1\r\n"
    "s=-\r\n"
    "c=IN IP4 198.51.100.1\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/AVP 18 8 0 96\r\n"
    "a=rtpmap:18 G729/8000\r\n"
    "a=rtpmap:96 telephone-event/8000\r\n"
    "a=fmtp:96 0-15\r\n"
    "a=ptime:20\r\n"
    "m=video 51372 RTP/AVP 31\r\n"
    "a=rtpmap:31 H261/90000\r\n"
)


def answer_to(offer: str, **kwargs: object) -> SessionDescription:
    return make_answer(
        SessionDescription.parse(offer.encode()),
        address="203.0.113.5",
        port=30000,
        session_id="42",
        **kwargs,
    )


def test_parse_then_serialize_keeps_every_line() -> None:
    parsed = SessionDescription.parse(OFFER.encode())
    assert parsed.serialize().decode() == OFFER
    audio = parsed.media[0]
    assert audio.rtpmap()["96"] == ("telephone-event", 8000, 1)
    assert audio.fmtp("96") == "0-15" and audio.direction == "sendrecv"


def test_answer_keeps_offerer_payload_types_and_rejects_video_with_port_zero() -> None:
    # RFC 3264 §6.1: same number of m-lines; unsupported streams get port 0.
    answer = answer_to(OFFER)
    audio, video = answer.media
    assert audio.port == 30000 and audio.formats == ["8", "0", "96"]
    assert audio.fmtp("96") == "0-15" and audio.attribute("ptime") == "20"
    assert video.port == 0 and video.formats == ["31"]
    assert answer.connection is not None and answer.connection.address == "203.0.113.5"
    assert negotiated_codec(answer) == (8, "PCMA")


@pytest.mark.parametrize(
    ("offered", "answered"),
    [
        ("sendrecv", "sendrecv"),
        ("sendonly", "recvonly"),
        ("recvonly", "sendonly"),
        ("inactive", "inactive"),
    ],
)
def test_answer_direction_mirrors_the_offer(offered: str, answered: str) -> None:
    answer = answer_to(OFFER.replace("a=ptime:20\r\n", f"a=ptime:20\r\na={offered}\r\n"))
    assert answer.media[0].direction == answered


def test_old_style_hold_with_null_address_is_detected_and_answered_recvonly() -> None:
    # RFC 3264 §8.4: c=0.0.0.0 is the RFC 2543 way to hold.
    held = OFFER.replace("c=IN IP4 198.51.100.1", "c=IN IP4 0.0.0.0")
    assert is_hold_offer(SessionDescription.parse(held))
    assert answer_to(held).media[0].direction == "recvonly"
    assert not is_hold_offer(SessionDescription.parse(OFFER))


def test_sendonly_reinvite_offer_is_hold() -> None:
    held = OFFER.replace("a=ptime:20\r\n", "a=ptime:20\r\na=sendonly\r\n")
    assert is_hold_offer(SessionDescription.parse(held))


def test_offer_without_common_codec_is_rejected_entirely() -> None:
    only_g729 = OFFER.replace("RTP/AVP 18 8 0 96", "RTP/AVP 18 96")
    assert [m.port for m in answer_to(only_g729).media] == [0, 0]


def test_we_put_the_other_side_on_hold_by_answering_sendonly() -> None:
    assert answer_to(OFFER, hold=True).media[0].direction == "sendonly"


def test_our_offer_lists_codecs_in_preference_and_dtmf_with_fmtp() -> None:
    offer = make_offer(
        address="2001:db8::5", port=4000, session_id="7", codecs=(PCMA, TELEPHONE_EVENT)
    )
    text = offer.serialize().decode()
    assert "c=IN IP6 2001:db8::5\r\n" in text
    assert "m=audio 4000 RTP/AVP 8 101\r\n" in text
    assert "a=fmtp:101 0-16\r\n" in text
    assert SessionDescription.parse(text).serialize().decode() == text


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"o=x 1 1 IN IP4 h\r\n",
        b"v=0\r\nbogus\r\n",
        b"v=0\r\no=only three fields\r\n",
        b"v=0\r\no=a 1 1 IN IP4 h\r\nm=audio port RTP/AVP 0\r\n",
        b"v=0\r\n\xff\r\n",
        b"v=0\r\no=a 1 1 IN IP4 h\r\nc=IN IP4\r\n",
    ],
)
def test_malformed_sdp_raises_sdp_parse_error(body: bytes) -> None:
    with pytest.raises(SdpParseError):
        SessionDescription.parse(body)
