"""The one interface call control uses to drive media, so the in-process engine
(:mod:`telephonist.media.local`), the per-core worker pool (:mod:`telephonist.media.workers`)
and later an rtpengine client are interchangeable."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from telephonist.media.dtmf import DtmfDigit

SAMPLE_RATE = 8000
FRAME_SAMPLES = 160
"""20 ms at 8 kHz: the packetization of every stream we send."""


class MediaError(Exception):
    """Base of the media layer's errors (parse errors excepted: see ``RtpParseError``)."""


class UnknownEndpointError(MediaError):
    """The endpoint was released, or belongs to another engine."""


class PortsExhaustedError(MediaError):
    """No free even/odd port pair is left in the configured RTP range."""


class MediaFileError(MediaError):
    """An audio file to play is missing or not 8 kHz mono 16-bit PCM WAV."""


class MediaWorkerError(MediaError):
    """A media worker process died or could not start; its endpoints are gone."""


class Codec(enum.Enum):
    """Audio codecs a leg may negotiate; the value is the static RTP payload type."""

    PCMU = 0
    PCMA = 8

    @property
    def payload_type(self) -> int:
        return self.value


class Direction(enum.Enum):
    """Our side's SDP direction toward one leg: whether we send to it and use what it sends.

    Hold is ``RECVONLY`` (stop sending to the held leg) or ``INACTIVE`` (send nothing and
    ignore what it sends); music on hold to a held leg is ``SENDONLY`` plus ``play``.
    """

    SENDRECV = "sendrecv"
    SENDONLY = "sendonly"
    RECVONLY = "recvonly"
    INACTIVE = "inactive"

    @property
    def sends(self) -> bool:
        return self in (Direction.SENDRECV, Direction.SENDONLY)

    @property
    def receives(self) -> bool:
        return self in (Direction.SENDRECV, Direction.RECVONLY)


@dataclass(frozen=True)
class MediaEndpoint:
    """Our RTP/RTCP address for one call leg, to put in that leg's SDP (``c=`` and ``m=``)."""

    endpoint_id: str
    call_id: str
    leg_id: str
    local_ip: str
    rtp_port: int

    @property
    def rtcp_port(self) -> int:
        return self.rtp_port + 1


@dataclass(frozen=True)
class EndpointStats:
    """Counters of one endpoint, for RTCP, the call log, leak checks and benchmarks.

    ``packets_dropped`` counts packets ignored: from an unlatched source, unparseable, of a
    payload type the leg did not negotiate, or arriving before ``set_remote``.
    """

    packets_in: int = 0
    bytes_in: int = 0
    packets_out: int = 0
    bytes_out: int = 0
    packets_lost: int = 0
    packets_dropped: int = 0
    jitter_ms: float = 0.0


@dataclass(frozen=True)
class MediaConfig:
    """Where endpoints bind and how they latch.

    ``relatch_after``: seconds without packets from the latched source after which a packet
    from another source takes over (a phone that changed network); None never re-latches.
    """

    local_ip: str = "127.0.0.1"
    port_min: int = 20000
    port_max: int = 39999
    relatch_after: float | None = None
    rtcp_interval: float = 5.0
    cname: str = "telephonist"


class PcmWriter(Protocol):
    """Receives 16-bit linear PCM at 8 kHz as it arrives."""

    def write(self, pcm: bytes) -> None: ...
    def close(self) -> None: ...


class PcmSink(Protocol):
    """Where a recording goes. Picklable, so the worker pool can open it in a worker."""

    def open(self) -> PcmWriter: ...


class PcmSource(Protocol):
    """Audio to play. Picklable, so the worker pool can open it in a worker."""

    def frames(self, samples: int) -> Iterator[bytes]:
        """Yield 16-bit linear PCM frames of ``samples`` samples at 8 kHz (the last may be
        short)."""
        ...


DtmfHandler = Callable[[MediaEndpoint, DtmfDigit], None]
"""Called once per key press received on a leg: as RFC 4733 events, or heard in the audio
of a leg that negotiated no telephone-event."""


class MediaEngine(Protocol):
    """What call control (the B2BUA) may ask of media for the legs of its calls.

    One call: ``allocate_endpoint`` per leg, ``set_remote`` from each leg's SDP, ``bridge``
    the two, ``set_direction`` for hold, ``release`` both when the call ends.
    """

    def set_dtmf_handler(self, handler: DtmfHandler | None) -> None:
        """Route the key presses of every endpoint (RFC 4733 or in-band) to ``handler``."""
        ...

    async def allocate_endpoint(self, call_id: str, leg_id: str) -> MediaEndpoint:
        """Bind RTP on an even port of the range and RTCP on the next one."""
        ...

    async def set_remote(
        self,
        endpoint: MediaEndpoint,
        ip: str,
        port: int,
        *,
        codec: Codec = Codec.PCMU,
        telephone_event_pt: int | None = None,
    ) -> None:
        """Apply the leg's SDP: where to send (an IPv4 address; port 0 sends nothing) until
        its first packet latches the address, the codec it chose and its telephone-event
        payload type; without one, key presses are detected in the audio it sends. Resets
        the latch, as a re-INVITE may move the phone."""
        ...

    async def bridge(self, a: MediaEndpoint, b: MediaEndpoint) -> None:
        """Relay media both ways between two legs, mapping telephone-event payload types
        and transcoding PCMU/PCMA when they differ. Unbridges either leg first."""
        ...

    async def unbridge(self, endpoint: MediaEndpoint) -> None:
        """Stop relaying between ``endpoint`` and the leg it is bridged to, if any."""
        ...

    async def set_direction(self, endpoint: MediaEndpoint, direction: Direction) -> None:
        """Hold and resume: stop or resume sending to a leg and using what it sends."""
        ...

    async def play(self, endpoint: MediaEndpoint, source: PcmSource) -> bool:
        """Send ``source`` to the leg in 20 ms packets instead of the bridged audio.

        Returns True when it played to the end, False when a newer ``play`` or ``release``
        stopped it; cancelling the caller stops it too.
        """
        ...

    async def record(self, endpoint: MediaEndpoint, sink: PcmSink) -> None:
        """Write the audio received from the leg to ``sink`` until ``stop_recording``."""
        ...

    async def stop_recording(self, endpoint: MediaEndpoint) -> None:
        """Close the leg's recording, if any."""
        ...

    async def stats(self, endpoint: MediaEndpoint) -> EndpointStats:
        """Counters of one endpoint."""
        ...

    async def release(self, endpoint: MediaEndpoint) -> None:
        """Stop everything on the endpoint, send RTCP BYE and free its ports."""
        ...

    def active_endpoints(self) -> int:
        """Endpoints allocated and not released: 0 after every call ends."""
        ...

    async def allocated_ports(self) -> int:
        """UDP ports bound right now (two per endpoint): 0 after every call ends."""
        ...

    async def close(self) -> None:
        """Release every endpoint and stop background work."""
        ...
