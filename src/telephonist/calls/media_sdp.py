"""Between SDP and the media engine: what a leg's session description asks the engine to
do (address, codec, telephone-event payload type, direction), and the SDP we give each
leg for its media endpoint (ARCHITECTURE.md principle 3: media anchored)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from telephonist.media.engine import Codec as MediaCodec
from telephonist.media.engine import Direction, MediaEndpoint
from telephonist.sip.errors import SdpParseError
from telephonist.sip.offer_answer import (
    DEFAULT_CODECS,
    PCMA,
    PCMU,
    TELEPHONE_EVENT,
    Codec,
    make_answer,
    make_offer,
    offer_direction,
)
from telephonist.sip.sdp import MediaDescription, SessionDescription

SDP_CONTENT_TYPE = "application/sdp"


@dataclass(frozen=True)
class RemoteMedia:
    """What one leg's SDP says about its audio."""

    address: str
    port: int
    codec: MediaCodec
    telephone_event_pt: int | None
    direction: str


def parse_sdp(body: bytes) -> SessionDescription:
    return SessionDescription.parse(body)


def _audio(description: SessionDescription) -> MediaDescription:
    for media in description.media:
        if media.media == "audio" and media.port != 0:
            return media
    raise SdpParseError("no active audio stream")


def remote_media(description: SessionDescription) -> RemoteMedia:
    """The first active audio stream: where to send, which codec, which DTMF type."""
    media = _audio(description)
    connection = description.connection_for(media)
    if connection is None:
        raise SdpParseError("no c= line for the audio stream")
    rtpmap = media.rtpmap()
    codec: MediaCodec | None = None
    telephone_event: int | None = None
    for payload_type in media.formats:
        if codec is None:
            if PCMU.matches(payload_type, rtpmap):
                codec = MediaCodec.PCMU
            elif PCMA.matches(payload_type, rtpmap):
                codec = MediaCodec.PCMA
        if TELEPHONE_EVENT.matches(payload_type, rtpmap) and payload_type.isdigit():
            telephone_event = int(payload_type)
    if codec is None:
        raise SdpParseError("no PCMU or PCMA in the audio stream")
    address = "0.0.0.0" if connection.is_null else connection.address  # noqa: S104 - RFC 2543 hold
    return RemoteMedia(
        address, media.port, codec, telephone_event, offer_direction(description, media)
    )


def engine_direction(their_direction: str) -> Direction:
    """Our direction toward a leg, from the direction the leg declared: a leg that only
    sends (holding us) is one we only receive from, and so on."""
    return {
        "sendrecv": Direction.SENDRECV,
        "sendonly": Direction.RECVONLY,
        "recvonly": Direction.SENDONLY,
        "inactive": Direction.INACTIVE,
    }[their_direction]


def codec_list(preferred: MediaCodec | None) -> tuple[Codec, ...]:
    """Our codecs, the one already chosen on the other leg first (avoids transcoding)."""
    if preferred is MediaCodec.PCMA:
        return (PCMA, PCMU, TELEPHONE_EVENT)
    return DEFAULT_CODECS


class SdpSession:
    """Our SDP identity toward one leg: one session id, a version that grows with every
    changed description (RFC 3264 §8)."""

    def __init__(self, endpoint: MediaEndpoint) -> None:
        self.endpoint = endpoint
        self.session_id = str(secrets.randbelow(2**31))
        self.version = 0

    def offer(self, preferred: MediaCodec | None, direction: str = "sendrecv") -> bytes:
        self.version += 1
        description = make_offer(
            address=self.endpoint.local_ip,
            port=self.endpoint.rtp_port,
            session_id=self.session_id,
            session_version=self.version,
            codecs=codec_list(preferred),
            direction=direction,
        )
        return description.serialize()

    def answer(
        self, offer: SessionDescription, preferred: MediaCodec | None, *, hold: bool = False
    ) -> bytes:
        self.version += 1
        description = make_answer(
            offer,
            address=self.endpoint.local_ip,
            port=self.endpoint.rtp_port,
            session_id=self.session_id,
            session_version=self.version,
            codecs=codec_list(preferred),
            hold=hold,
        )
        return description.serialize()
