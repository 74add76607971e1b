"""RTP (RFC 3550) and RTCP packets as dataclasses with ``parse``/``serialize``.

Written here rather than taken from aiortc: ``aiortc.rtp`` pulls in PyAV and aioice, and the
relay needs ``payload_bounds`` to transcode a packet in place without building an object.
Parsers raise only :class:`RtpParseError`, so callers can drop hostile packets with one
``except``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field

RTP_VERSION = 2
RTP_HEADER_SIZE = 12

RTCP_SR = 200
RTCP_RR = 201
RTCP_SDES = 202
RTCP_BYE = 203

SDES_CNAME = 1

_RTP_HEADER = struct.Struct("!BBHII")
_RTCP_HEADER = struct.Struct("!BBH")
_REPORT_BLOCK = struct.Struct("!IIIIII")
_SENDER_INFO = struct.Struct("!QIII")


class RtpParseError(ValueError):
    """Raised for any truncated or malformed RTP, RTCP or telephone-event payload."""


def payload_bounds(data: bytes | bytearray) -> tuple[int, int]:
    """Start and end offsets of the payload of the RTP packet ``data`` (after CSRCs,
    extension, before padding), so the relay can rewrite a payload in place."""
    if len(data) < RTP_HEADER_SIZE:
        raise RtpParseError("RTP header is truncated")
    first = data[0]
    if first >> 6 != RTP_VERSION:
        raise RtpParseError(f"RTP version is {first >> 6}, expected 2")
    start = RTP_HEADER_SIZE + 4 * (first & 0x0F)
    if start > len(data):
        raise RtpParseError("RTP CSRC list is truncated")
    if first & 0x10:
        if start + 4 > len(data):
            raise RtpParseError("RTP extension header is truncated")
        (words,) = struct.unpack_from("!H", data, start + 2)
        start += 4 + 4 * words
        if start > len(data):
            raise RtpParseError("RTP extension is truncated")
    end = len(data)
    if first & 0x20:
        padding = data[-1]
        if padding == 0:
            raise RtpParseError("RTP padding length is zero")
        if padding > end - start:
            raise RtpParseError("RTP padding length exceeds payload")
        end -= padding
    return start, end


@dataclass
class RtpPacket:
    """One RTP packet; ``extension_profile`` is None when the packet has no header extension."""

    payload_type: int = 0
    marker: bool = False
    sequence_number: int = 0
    timestamp: int = 0
    ssrc: int = 0
    csrc: list[int] = field(default_factory=list)
    extension_profile: int | None = None
    extension: bytes = b""
    padding_size: int = 0
    payload: bytes = b""

    @classmethod
    def parse(cls, data: bytes) -> RtpPacket:
        start, end = payload_bounds(data)
        first, second, sequence_number, timestamp, ssrc = _RTP_HEADER.unpack_from(data)
        csrc_count = first & 0x0F
        csrc = list(struct.unpack_from(f"!{csrc_count}I", data, RTP_HEADER_SIZE))
        extension_profile = None
        extension = b""
        if first & 0x10:
            offset = RTP_HEADER_SIZE + 4 * csrc_count
            (extension_profile,) = struct.unpack_from("!H", data, offset)
            extension = bytes(data[offset + 4 : start])
        return cls(
            payload_type=second & 0x7F,
            marker=bool(second & 0x80),
            sequence_number=sequence_number,
            timestamp=timestamp,
            ssrc=ssrc,
            csrc=csrc,
            extension_profile=extension_profile,
            extension=extension,
            padding_size=len(data) - end,
            payload=bytes(data[start:end]),
        )

    def serialize(self) -> bytes:
        first = RTP_VERSION << 6 | len(self.csrc)
        if self.padding_size:
            first |= 0x20
        if self.extension_profile is not None:
            first |= 0x10
        parts = [
            _RTP_HEADER.pack(
                first,
                self.marker << 7 | self.payload_type,
                self.sequence_number,
                self.timestamp,
                self.ssrc,
            ),
            struct.pack(f"!{len(self.csrc)}I", *self.csrc),
        ]
        if self.extension_profile is not None:
            if len(self.extension) % 4:
                raise ValueError("RTP extension length must be a multiple of 4")
            parts.append(struct.pack("!HH", self.extension_profile, len(self.extension) // 4))
            parts.append(self.extension)
        parts.append(self.payload)
        if self.padding_size:
            parts.append(bytes(self.padding_size - 1) + bytes([self.padding_size]))
        return b"".join(parts)


@dataclass
class RtcpReportBlock:
    """Reception statistics about one source (RFC 3550 §6.4.1)."""

    ssrc: int
    fraction_lost: int = 0
    packets_lost: int = 0
    highest_sequence: int = 0
    jitter: int = 0
    last_sr: int = 0
    delay_since_last_sr: int = 0

    @classmethod
    def parse(cls, data: bytes, offset: int) -> RtcpReportBlock:
        ssrc, lost, highest, jitter, lsr, dlsr = _REPORT_BLOCK.unpack_from(data, offset)
        cumulative = lost & 0xFFFFFF
        if cumulative & 0x800000:
            cumulative -= 0x1000000
        return cls(ssrc, lost >> 24, cumulative, highest, jitter, lsr, dlsr)

    def serialize(self) -> bytes:
        return _REPORT_BLOCK.pack(
            self.ssrc,
            self.fraction_lost << 24 | (self.packets_lost & 0xFFFFFF),
            self.highest_sequence,
            self.jitter,
            self.last_sr,
            self.delay_since_last_sr,
        )


def _parse_report_blocks(body: bytes, offset: int, count: int, kind: str) -> list[RtcpReportBlock]:
    if offset + count * _REPORT_BLOCK.size > len(body):
        raise RtpParseError(f"RTCP {kind} report block is truncated")
    return [RtcpReportBlock.parse(body, offset + i * _REPORT_BLOCK.size) for i in range(count)]


def _rtcp_header(packet_type: int, count: int, body: bytes) -> bytes:
    if count > 0x1F:
        raise ValueError("an RTCP packet holds at most 31 reports, chunks or sources")
    return _RTCP_HEADER.pack(RTP_VERSION << 6 | count, packet_type, len(body) // 4) + body


def _pad32(data: bytes) -> bytes:
    return data + bytes(-len(data) % 4)


@dataclass
class RtcpSrPacket:
    """Sender report: what we sent, plus reception blocks about what we received."""

    ssrc: int
    ntp_timestamp: int = 0
    rtp_timestamp: int = 0
    packet_count: int = 0
    octet_count: int = 0
    reports: list[RtcpReportBlock] = field(default_factory=list)

    @classmethod
    def parse_body(cls, count: int, body: bytes) -> RtcpSrPacket:
        if len(body) < 4 + _SENDER_INFO.size:
            raise RtpParseError("RTCP SR sender info is truncated")
        (ssrc,) = struct.unpack_from("!I", body)
        ntp, rtp_timestamp, packets, octets = _SENDER_INFO.unpack_from(body, 4)
        reports = _parse_report_blocks(body, 4 + _SENDER_INFO.size, count, "SR")
        return cls(ssrc, ntp, rtp_timestamp, packets, octets, reports)

    def serialize(self) -> bytes:
        body = struct.pack("!I", self.ssrc) + _SENDER_INFO.pack(
            self.ntp_timestamp, self.rtp_timestamp, self.packet_count, self.octet_count
        )
        body += b"".join(report.serialize() for report in self.reports)
        return _rtcp_header(RTCP_SR, len(self.reports), body)


@dataclass
class RtcpRrPacket:
    """Receiver report, sent by a leg that has received but not sent since the last report."""

    ssrc: int
    reports: list[RtcpReportBlock] = field(default_factory=list)

    @classmethod
    def parse_body(cls, count: int, body: bytes) -> RtcpRrPacket:
        if len(body) < 4:
            raise RtpParseError("RTCP RR is truncated")
        (ssrc,) = struct.unpack_from("!I", body)
        return cls(ssrc, _parse_report_blocks(body, 4, count, "RR"))

    def serialize(self) -> bytes:
        body = struct.pack("!I", self.ssrc) + b"".join(r.serialize() for r in self.reports)
        return _rtcp_header(RTCP_RR, len(self.reports), body)


@dataclass
class RtcpSourceDescription:
    """One SDES chunk: items such as ``(SDES_CNAME, b"host")`` about one source."""

    ssrc: int
    items: list[tuple[int, bytes]] = field(default_factory=list)


@dataclass
class RtcpSdesPacket:
    """Source descriptions; a compound RTCP packet must carry our CNAME."""

    chunks: list[RtcpSourceDescription] = field(default_factory=list)

    @classmethod
    def parse_body(cls, count: int, body: bytes) -> RtcpSdesPacket:
        chunks = []
        pos = 0
        for _ in range(count):
            if pos + 4 > len(body):
                raise RtpParseError("RTCP SDES chunk is truncated")
            (ssrc,) = struct.unpack_from("!I", body, pos)
            pos += 4
            items = []
            while True:
                if pos >= len(body):
                    raise RtpParseError("RTCP SDES item is truncated")
                item_type = body[pos]
                if item_type == 0:
                    pos += 4 - pos % 4
                    break
                if pos + 2 > len(body) or pos + 2 + body[pos + 1] > len(body):
                    raise RtpParseError("RTCP SDES item is truncated")
                length = body[pos + 1]
                items.append((item_type, bytes(body[pos + 2 : pos + 2 + length])))
                pos += 2 + length
            chunks.append(RtcpSourceDescription(ssrc, items))
        return cls(chunks)

    def serialize(self) -> bytes:
        body = b""
        for chunk in self.chunks:
            encoded = b"".join(bytes([kind, len(value)]) + value for kind, value in chunk.items)
            body += struct.pack("!I", chunk.ssrc) + _pad32(encoded + b"\x00")
        return _rtcp_header(RTCP_SDES, len(self.chunks), body)


@dataclass
class RtcpByePacket:
    """Sources leaving the session, sent when an endpoint is released."""

    sources: list[int] = field(default_factory=list)
    reason: bytes | None = None

    @classmethod
    def parse_body(cls, count: int, body: bytes) -> RtcpByePacket:
        if 4 * count > len(body):
            raise RtpParseError("RTCP BYE source list is truncated")
        sources = list(struct.unpack_from(f"!{count}I", body))
        reason = None
        pos = 4 * count
        if pos < len(body):
            length = body[pos]
            if pos + 1 + length > len(body):
                raise RtpParseError("RTCP BYE reason is truncated")
            reason = bytes(body[pos + 1 : pos + 1 + length])
        return cls(sources, reason)

    def serialize(self) -> bytes:
        body = struct.pack(f"!{len(self.sources)}I", *self.sources)
        if self.reason is not None:
            body += _pad32(bytes([len(self.reason)]) + self.reason)
        return _rtcp_header(RTCP_BYE, len(self.sources), body)


RtcpPacket = RtcpSrPacket | RtcpRrPacket | RtcpSdesPacket | RtcpByePacket

_RTCP_PARSERS: dict[int, Callable[[int, bytes], RtcpPacket]] = {
    RTCP_SR: RtcpSrPacket.parse_body,
    RTCP_RR: RtcpRrPacket.parse_body,
    RTCP_SDES: RtcpSdesPacket.parse_body,
    RTCP_BYE: RtcpByePacket.parse_body,
}


def parse_rtcp(data: bytes) -> list[RtcpPacket]:
    """Parse a compound RTCP packet; types we do not use (APP, feedback, XR) are skipped."""
    packets: list[RtcpPacket] = []
    pos = 0
    if not data:
        raise RtpParseError("RTCP header is truncated")
    while pos < len(data):
        if pos + _RTCP_HEADER.size > len(data):
            raise RtpParseError("RTCP header is truncated")
        first, packet_type, words = _RTCP_HEADER.unpack_from(data, pos)
        if first >> 6 != RTP_VERSION:
            raise RtpParseError(f"RTCP version is {first >> 6}, expected 2")
        end = pos + 4 + 4 * words
        if end > len(data):
            raise RtpParseError("RTCP packet is truncated")
        body_end = end
        if first & 0x20:
            padding = data[end - 1] if end > pos + 4 else 0
            if padding == 0 or padding > end - pos - 4:
                raise RtpParseError("RTCP padding length exceeds packet")
            body_end -= padding
        parser = _RTCP_PARSERS.get(packet_type)
        if parser is not None:
            packets.append(parser(first & 0x1F, data[pos + 4 : body_end]))
        pos = end
    return packets


def serialize_rtcp(packets: list[RtcpPacket]) -> bytes:
    """Serialize a compound RTCP packet (RFC 3550 wants SR/RR first, then SDES)."""
    return b"".join(packet.serialize() for packet in packets)
