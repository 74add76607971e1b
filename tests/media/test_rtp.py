"""RTP and RTCP packets: known bytes, malformed input, and round trips."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telephonist.media.rtp import (
    SDES_CNAME,
    RtcpByePacket,
    RtcpPacket,
    RtcpReportBlock,
    RtcpRrPacket,
    RtcpSdesPacket,
    RtcpSourceDescription,
    RtcpSrPacket,
    RtpPacket,
    RtpParseError,
    parse_rtcp,
    payload_bounds,
    serialize_rtcp,
)

# A PCMU packet as a desk phone sends it: marker on the first packet of a talkspurt.
PCMU_FIRST = bytes.fromhex("8080 04d2 0001e240 deadbeef") + b"\xff" * 160


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            PCMU_FIRST,
            RtpPacket(0, True, 1234, 123456, 0xDEADBEEF, payload=b"\xff" * 160),
        ),
        (  # two CSRCs (a mixer), PCMA, no marker
            bytes.fromhex("8208 0001 00000000 00000001 00000002 00000003") + b"\xd5" * 4,
            RtpPacket(8, False, 1, 0, 1, csrc=[2, 3], payload=b"\xd5" * 4),
        ),
        (  # one-word header extension (RFC 8285 one-byte profile 0xBEDE)
            bytes.fromhex("9000 0002 00000010 00000001 bede0001 10ff0000") + b"ab",
            RtpPacket(
                0,
                False,
                2,
                16,
                1,
                extension_profile=0xBEDE,
                extension=b"\x10\xff\0\0",
                payload=b"ab",
            ),
        ),
        (  # 3 bytes of padding, the last one counting them
            bytes.fromhex("a065 0003 00000020 00000001") + b"\x00\x0a\x00\xa0" + b"\0\0\x03",
            RtpPacket(101, False, 3, 32, 1, padding_size=3, payload=b"\x00\x0a\x00\xa0"),
        ),
        (  # extension present but empty
            bytes.fromhex("9000 0004 00000000 00000001 10000000"),
            RtpPacket(0, False, 4, 0, 1, extension_profile=0x1000),
        ),
    ],
    ids=["pcmu-marker", "csrc", "extension", "padding", "empty-extension"],
)
def test_rtp_packet_parses_and_serializes_to_the_same_bytes(
    data: bytes, expected: RtpPacket
) -> None:
    packet = RtpPacket.parse(data)
    assert packet == expected
    assert packet.serialize() == data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "RTP header is truncated"),
        (PCMU_FIRST[:11], "RTP header is truncated"),
        (b"\x40" + PCMU_FIRST[1:], "RTP version is 1, expected 2"),
        (bytes.fromhex("8300 0001 00000000 00000001 00000002"), "RTP CSRC list is truncated"),
        (bytes.fromhex("9000 0001 00000000 00000001 bede"), "RTP extension header is truncated"),
        (
            bytes.fromhex("9000 0001 00000000 00000001 bede0002 00000000"),
            "RTP extension is truncated",
        ),
        (bytes.fromhex("a000 0001 00000000 00000001 aabb00"), "RTP padding length is zero"),
        (bytes.fromhex("a000 0001 00000000 00000001 aabb04"), "RTP padding length exceeds payload"),
    ],
)
def test_malformed_rtp_raises_a_precise_parse_error(data: bytes, message: str) -> None:
    with pytest.raises(RtpParseError, match=f"^{message}$"):
        RtpPacket.parse(data)


def test_payload_bounds_skip_csrc_extension_and_padding() -> None:
    data = bytes.fromhex("b100 0001 00000000 00000001 00000009 bede0001 11223344") + b"pay\0\x02"
    start, end = payload_bounds(data)
    assert data[start:end] == b"pay"


rtp_packets = st.builds(
    RtpPacket,
    payload_type=st.integers(0, 127),
    marker=st.booleans(),
    sequence_number=st.integers(0, 0xFFFF),
    timestamp=st.integers(0, 0xFFFFFFFF),
    ssrc=st.integers(0, 0xFFFFFFFF),
    csrc=st.lists(st.integers(0, 0xFFFFFFFF), max_size=15),
    extension_profile=st.none() | st.integers(0, 0xFFFF),
    extension=st.binary(max_size=16).map(lambda b: b + bytes(-len(b) % 4)),
    padding_size=st.integers(0, 255),
    payload=st.binary(max_size=200),
).map(lambda p: p if p.extension_profile is not None else _without_extension(p))


def _without_extension(packet: RtpPacket) -> RtpPacket:
    packet.extension = b""
    return packet


@settings(derandomize=True)
@given(rtp_packets)
def test_any_rtp_packet_survives_a_round_trip(packet: RtpPacket) -> None:
    assert RtpPacket.parse(packet.serialize()) == packet


@settings(derandomize=True, max_examples=500)
@given(st.binary(max_size=80))
def test_arbitrary_bytes_only_ever_raise_rtp_parse_error(data: bytes) -> None:
    for parse in (RtpPacket.parse, parse_rtcp):
        with contextlib.suppress(RtpParseError):
            parse(data)


@settings(derandomize=True, max_examples=300)
@given(rtp_packets, st.data())
def test_truncated_rtp_raises_only_rtp_parse_error(packet: RtpPacket, data: st.DataObject) -> None:
    raw = packet.serialize()
    cut = data.draw(st.integers(0, len(raw)))
    with contextlib.suppress(RtpParseError):
        RtpPacket.parse(raw[:cut])


# A compound packet as a phone sends it every few seconds: SR + SDES CNAME.
COMPOUND = RtcpSrPacket(
    ssrc=0x11111111,
    ntp_timestamp=0xE8F0_1234_8000_0000,
    rtp_timestamp=160_000,
    packet_count=1000,
    octet_count=160_000,
    reports=[RtcpReportBlock(0x22222222, 12, -1, 0x0001_0010, 40, 0x1234_8000, 65536)],
)
CNAME = RtcpSdesPacket([RtcpSourceDescription(0x11111111, [(SDES_CNAME, b"alice@10.0.0.5")])])


def test_rtcp_compound_packet_round_trips() -> None:
    packets = [COMPOUND, CNAME, RtcpByePacket([0x11111111], b"hangup")]
    data = serialize_rtcp(packets)
    assert len(data) % 4 == 0
    assert parse_rtcp(data) == packets


def test_rtcp_sender_report_has_the_rfc_3550_layout() -> None:
    data = COMPOUND.serialize()
    assert data[:4] == bytes.fromhex("81c8000c")  # V=2, RC=1, SR, 12 words follow
    assert data[28:32] == bytes.fromhex("22222222")
    assert data[32:36] == bytes.fromhex("0cffffff")  # fraction 12, cumulative lost -1


def test_rtcp_types_we_do_not_use_are_skipped() -> None:
    app = bytes.fromhex("80cc0002 11111111 6e616d65")  # APP "name"
    rr = RtcpRrPacket(0x33333333)
    assert parse_rtcp(rr.serialize() + app) == [rr]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "RTCP header is truncated"),
        (b"\x80\xc9", "RTCP header is truncated"),
        (bytes.fromhex("40c90001 00000001"), "RTCP version is 1, expected 2"),
        (bytes.fromhex("80c90002 00000001"), "RTCP packet is truncated"),
        (bytes.fromhex("80c90000"), "RTCP RR is truncated"),
        (bytes.fromhex("81c90001 00000001"), "RTCP RR report block is truncated"),
        (bytes.fromhex("80c80001 00000001"), "RTCP SR sender info is truncated"),
        (bytes.fromhex("81ca0001 00000001"), "RTCP SDES item is truncated"),
        (bytes.fromhex("81ca0002 00000001 0105616c"), "RTCP SDES item is truncated"),
        (bytes.fromhex("82ca0002 00000001 00000000"), "RTCP SDES chunk is truncated"),
        (bytes.fromhex("82cb0001 00000001"), "RTCP BYE source list is truncated"),
        (bytes.fromhex("81cb0002 00000001 0a616263"), "RTCP BYE reason is truncated"),
        (bytes.fromhex("a0c90001 00000005"), "RTCP padding length exceeds packet"),
    ],
)
def test_malformed_rtcp_raises_a_precise_parse_error(data: bytes, message: str) -> None:
    with pytest.raises(RtpParseError, match=f"^{message}$"):
        parse_rtcp(data)


report_blocks = st.builds(
    RtcpReportBlock,
    ssrc=st.integers(0, 0xFFFFFFFF),
    fraction_lost=st.integers(0, 255),
    packets_lost=st.integers(-0x800000, 0x7FFFFF),
    highest_sequence=st.integers(0, 0xFFFFFFFF),
    jitter=st.integers(0, 0xFFFFFFFF),
    last_sr=st.integers(0, 0xFFFFFFFF),
    delay_since_last_sr=st.integers(0, 0xFFFFFFFF),
)
u32 = st.integers(0, 0xFFFFFFFF)
rtcp_packets = st.one_of(
    st.builds(
        RtcpSrPacket,
        u32,
        st.integers(0, 2**64 - 1),
        u32,
        u32,
        u32,
        st.lists(report_blocks, max_size=3),
    ),
    st.builds(RtcpRrPacket, u32, st.lists(report_blocks, max_size=3)),
    st.builds(
        RtcpSdesPacket,
        st.lists(
            st.builds(
                RtcpSourceDescription,
                u32,
                st.lists(st.tuples(st.integers(1, 8), st.binary(max_size=20)), max_size=3),
            ),
            max_size=3,
        ),
    ),
    st.builds(RtcpByePacket, st.lists(u32, max_size=3), st.none() | st.binary(max_size=20)),
)


@settings(derandomize=True)
@given(st.lists(rtcp_packets, min_size=1, max_size=4))
def test_any_rtcp_compound_packet_survives_a_round_trip(packets: list[RtcpPacket]) -> None:
    assert parse_rtcp(serialize_rtcp(packets)) == packets
