"""SDP offer/answer (RFC 3264) for our audio: G.711 PCMU/PCMA and RFC 4733
telephone-event, direction attributes and hold."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from telephonist.sip.sdp import Connection, MediaDescription, Origin, SessionDescription

_ANSWER_DIRECTION = {
    "sendrecv": "sendrecv",
    "sendonly": "recvonly",
    "recvonly": "sendonly",
    "inactive": "inactive",
}


@dataclass(frozen=True, slots=True)
class Codec:
    """An RTP payload format we can send and receive."""

    payload_type: int
    name: str
    clock_rate: int = 8000
    fmtp: str | None = None

    def matches(self, payload_type: str, rtpmap: dict[str, tuple[str, int, int]]) -> bool:
        """Whether an offered payload type is this codec (static number or rtpmap name)."""
        mapped = rtpmap.get(payload_type)
        if mapped is not None:
            return mapped[0].lower() == self.name.lower() and mapped[1] == self.clock_rate
        return payload_type == str(self.payload_type) and self.payload_type < 96


PCMU = Codec(0, "PCMU")
PCMA = Codec(8, "PCMA")
TELEPHONE_EVENT = Codec(101, "telephone-event", fmtp="0-16")
DEFAULT_CODECS = (PCMU, PCMA, TELEPHONE_EVENT)


def _address_type(address: str) -> str:
    return "IP6" if isinstance(ipaddress.ip_address(address), ipaddress.IPv6Address) else "IP4"


def _audio_media(
    port: int, formats: list[tuple[str, Codec]], direction: str, ptime: str | None
) -> MediaDescription:
    media = MediaDescription(
        media="audio", port=port, proto="RTP/AVP", formats=[pt for pt, _ in formats]
    )
    for payload_type, codec in formats:
        media.attributes.append(("rtpmap", f"{payload_type} {codec.name}/{codec.clock_rate}"))
        if codec.fmtp is not None:
            media.attributes.append(("fmtp", f"{payload_type} {codec.fmtp}"))
    if ptime is not None:
        media.attributes.append(("ptime", ptime))
    media.attributes.append((direction, None))
    return media


def make_offer(
    *,
    address: str,
    port: int,
    session_id: str,
    session_version: int = 1,
    codecs: Sequence[Codec] = DEFAULT_CODECS,
    direction: str = "sendrecv",
) -> SessionDescription:
    """An offer with one audio stream, in our codec preference order."""
    address_type = _address_type(address)
    return SessionDescription(
        origin=Origin("telephonist", session_id, session_version, address, address_type),
        connection=Connection(address, address_type),
        media=[_audio_media(port, [(str(c.payload_type), c) for c in codecs], direction, "20")],
    )


def make_answer(
    offer: SessionDescription,
    *,
    address: str,
    port: int,
    session_id: str,
    session_version: int = 1,
    codecs: Sequence[Codec] = DEFAULT_CODECS,
    hold: bool = False,
) -> SessionDescription:
    """Answer ``offer`` (RFC 3264 §6): the first audio RTP/AVP stream sharing a voice
    codec with us is accepted (offerer's payload types and order); every other m-line
    is rejected with port 0. ``hold`` makes us stop sending (we answer sendonly/inactive).
    """
    address_type = _address_type(address)
    answer = SessionDescription(
        origin=Origin("telephonist", session_id, session_version, address, address_type),
        connection=Connection(address, address_type),
    )
    accepted = False
    for offered in offer.media:
        formats = [] if accepted else _common_formats(offered, codecs)
        if not formats or offered.port == 0:
            answer.media.append(
                MediaDescription(
                    media=offered.media, port=0, proto=offered.proto, formats=offered.formats
                )
            )
            continue
        accepted = True
        direction = _ANSWER_DIRECTION[offer_direction(offer, offered)]
        if hold:
            direction = "sendonly" if direction in ("sendrecv", "sendonly") else "inactive"
        answer.media.append(_audio_media(port, formats, direction, offered.attribute("ptime")))
    return answer


def _common_formats(offered: MediaDescription, codecs: Sequence[Codec]) -> list[tuple[str, Codec]]:
    if offered.media != "audio" or offered.proto.upper() != "RTP/AVP":
        return []
    rtpmap = offered.rtpmap()
    formats: list[tuple[str, Codec]] = []
    for payload_type in offered.formats:
        if not payload_type.isdigit():
            continue
        for codec in codecs:
            if codec.matches(payload_type, rtpmap):
                fmtp = offered.fmtp(payload_type) if codec.fmtp is not None else None
                formats.append(
                    (
                        payload_type,
                        Codec(int(payload_type), codec.name, codec.clock_rate, fmtp or codec.fmtp),
                    )
                )
                break
    if all(codec.name.lower() == "telephone-event" for _, codec in formats):
        return []
    return formats


def offer_direction(offer: SessionDescription, media: MediaDescription) -> str:
    """The direction the offerer asks for; ``c=0.0.0.0`` counts as sendonly (the RFC
    2543 hold of RFC 3264 §8.4)."""
    connection = offer.connection_for(media)
    if connection is not None and connection.is_null and media.direction == "sendrecv":
        return "sendonly"
    return media.direction


def is_hold_offer(offer: SessionDescription) -> bool:
    """Whether a (re-)INVITE offer puts us on hold: its audio stream is sendonly or
    inactive, or uses the old ``c=0.0.0.0`` form."""
    for media in offer.media:
        if media.media == "audio" and media.port != 0:
            return offer_direction(offer, media) in ("sendonly", "inactive")
    return False


def negotiated_codec(answer: SessionDescription) -> tuple[int, str] | None:
    """The payload type and name both sides will use for voice (first non-DTMF format)."""
    for media in answer.media:
        if media.media != "audio" or media.port == 0:
            continue
        rtpmap = media.rtpmap()
        for payload_type in media.formats:
            name = rtpmap.get(payload_type, ("", 0, 0))[0] or {"0": "PCMU", "8": "PCMA"}.get(
                payload_type, ""
            )
            if name and name.lower() != "telephone-event":
                return int(payload_type), name
    return None
