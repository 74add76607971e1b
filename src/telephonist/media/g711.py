"""G.711 µ-law (PCMU) and A-law (PCMA) for 16-bit linear PCM.

``audioop`` (C, in the standard library until 3.13) is used when importable. Otherwise
:class:`NumpyG711` builds lookup tables with audioop's exact algorithm, so recordings and
test vectors do not change with the Python version. Converting PCMU to PCMA goes through
256-byte ``bytes.translate`` tables, which is cheaper than decoding and re-encoding.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from telephonist.media.engine import Codec

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


class G711(Protocol):
    """Encoders and decoders of one implementation; all take and return ``bytes``."""

    def ulaw_encode(self, pcm: bytes) -> bytes: ...
    def ulaw_decode(self, data: bytes) -> bytes: ...
    def alaw_encode(self, pcm: bytes) -> bytes: ...
    def alaw_decode(self, data: bytes) -> bytes: ...


class AudioopG711:
    """The C implementation from the standard library (deprecated in 3.11, gone in 3.13)."""

    def __init__(self) -> None:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="'audioop' is deprecated", category=DeprecationWarning
            )
            import audioop
        self._audioop = audioop

    def ulaw_encode(self, pcm: bytes) -> bytes:
        return self._audioop.lin2ulaw(pcm, 2)

    def ulaw_decode(self, data: bytes) -> bytes:
        return self._audioop.ulaw2lin(data, 2)

    def alaw_encode(self, pcm: bytes) -> bytes:
        return self._audioop.lin2alaw(pcm, 2)

    def alaw_decode(self, data: bytes) -> bytes:
        return self._audioop.alaw2lin(data, 2)


class NumpyG711:
    """Lookup tables (64 Ki entries to encode, 256 to decode) computed as audioop does."""

    def __init__(self) -> None:
        import numpy as np

        self._np = np
        samples = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.int16)
        wide = samples.astype(np.int32)
        self._ulaw_table = _ulaw_encode_table(wide >> 2).astype(np.uint8)
        self._alaw_table = _alaw_encode_table(wide >> 3).astype(np.uint8)
        codes = np.arange(256, dtype=np.int32)
        self._ulaw_pcm = _ulaw_decode_table(codes).astype("<i2")
        self._alaw_pcm = _alaw_decode_table(codes).astype("<i2")

    def ulaw_encode(self, pcm: bytes) -> bytes:
        return self._ulaw_table.take(self._np.frombuffer(pcm, dtype="<u2")).tobytes()

    def ulaw_decode(self, data: bytes) -> bytes:
        return self._ulaw_pcm.take(self._np.frombuffer(data, dtype=self._np.uint8)).tobytes()

    def alaw_encode(self, pcm: bytes) -> bytes:
        return self._alaw_table.take(self._np.frombuffer(pcm, dtype="<u2")).tobytes()

    def alaw_decode(self, data: bytes) -> bytes:
        return self._alaw_pcm.take(self._np.frombuffer(data, dtype=self._np.uint8)).tobytes()


_ULAW_SEGMENT_ENDS = [0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF]
_ALAW_SEGMENT_ENDS = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF]


def _ulaw_encode_table(value14: NDArray[np.int32]) -> NDArray[np.int64]:
    """audioop's ``st_14linear2ulaw`` over an array of 14-bit samples."""
    import numpy as np

    mask = np.where(value14 < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(value14), 8159) + 33
    segment = np.searchsorted(_ULAW_SEGMENT_ENDS, magnitude, side="left")
    in_range = np.minimum(segment, 7)
    code = (in_range << 4) | ((magnitude >> (in_range + 1)) & 0xF)
    return np.where(segment >= 8, 0x7F ^ mask, code ^ mask)


def _alaw_encode_table(value13: NDArray[np.int32]) -> NDArray[np.int64]:
    """audioop's ``st_linear2alaw`` over an array of 13-bit samples."""
    import numpy as np

    mask = np.where(value13 >= 0, 0xD5, 0x55)
    magnitude = np.where(value13 >= 0, value13, -value13 - 1)
    segment = np.searchsorted(_ALAW_SEGMENT_ENDS, magnitude, side="left")
    in_range = np.minimum(segment, 7)
    code = (in_range << 4) | ((magnitude >> np.maximum(in_range, 1)) & 0xF)
    return np.where(segment >= 8, 0x7F ^ mask, code ^ mask)


def _ulaw_decode_table(codes: NDArray[np.int32]) -> NDArray[np.int64]:
    """audioop's ``_st_ulaw2linear16`` table."""
    import numpy as np

    u = ~codes & 0xFF
    t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4)
    return np.where(u & 0x80, 0x84 - t, t - 0x84)


def _alaw_decode_table(codes: NDArray[np.int32]) -> NDArray[np.int64]:
    """audioop's ``_st_alaw2linear16`` table."""
    import numpy as np

    a = codes ^ 0x55
    t = (a & 0x0F) << 4
    segment = (a & 0x70) >> 4
    t = np.where(segment == 0, t + 8, (t + 0x108) << np.maximum(segment - 1, 0))
    return np.where(a & 0x80, t, -t)


def _default_g711() -> G711:
    try:
        return AudioopG711()
    except ImportError:
        return NumpyG711()


G711_IMPLEMENTATION: G711 = _default_g711()
"""The implementation this process uses: audioop when importable, else numpy tables."""


def encoder(codec: Codec) -> Callable[[bytes], bytes]:
    """The function turning 16-bit linear PCM into ``codec`` payload."""
    if codec is Codec.PCMU:
        return G711_IMPLEMENTATION.ulaw_encode
    return G711_IMPLEMENTATION.alaw_encode


def decoder(codec: Codec) -> Callable[[bytes], bytes]:
    """The function turning a ``codec`` payload into 16-bit linear PCM."""
    if codec is Codec.PCMU:
        return G711_IMPLEMENTATION.ulaw_decode
    return G711_IMPLEMENTATION.alaw_decode


def transcoding_table(source: Codec, target: Codec) -> bytes | None:
    """A ``bytes.translate`` table from ``source`` to ``target`` codes; None when equal."""
    if source is target:
        return None
    return encoder(target)(decoder(source)(bytes(range(256))))
