"""G.711: the numpy tables must match audioop bit for bit, so recordings and test vectors do
not change when audioop leaves the standard library."""

from __future__ import annotations

import struct
import subprocess
import sys

import pytest

from telephonist.media.engine import Codec
from telephonist.media.g711 import (
    G711_IMPLEMENTATION,
    AudioopG711,
    NumpyG711,
    decoder,
    encoder,
    transcoding_table,
)

ALL_SAMPLES = struct.pack("<65536h", *range(-32768, 32768))
ALL_CODES = bytes(range(256))


@pytest.fixture(scope="module")
def numpy_g711() -> NumpyG711:
    pytest.importorskip("numpy", reason="numpy is the G.711 fallback where audioop is missing")
    return NumpyG711()


@pytest.fixture(scope="module")
def audioop_g711() -> AudioopG711:
    try:
        return AudioopG711()
    except ImportError:
        pytest.skip("audioop is not in this Python (removed in 3.13): nothing to compare with")


@pytest.mark.parametrize("law", ["ulaw", "alaw"])
def test_numpy_encoder_matches_audioop_for_all_65536_samples(
    law: str, numpy_g711: NumpyG711, audioop_g711: AudioopG711
) -> None:
    ours = getattr(numpy_g711, f"{law}_encode")(ALL_SAMPLES)
    reference = getattr(audioop_g711, f"{law}_encode")(ALL_SAMPLES)
    assert ours == reference


@pytest.mark.parametrize("law", ["ulaw", "alaw"])
def test_numpy_decoder_matches_audioop_for_all_256_codes(
    law: str, numpy_g711: NumpyG711, audioop_g711: AudioopG711
) -> None:
    assert getattr(numpy_g711, f"{law}_decode")(ALL_CODES) == getattr(
        audioop_g711, f"{law}_decode"
    )(ALL_CODES)


@pytest.mark.parametrize(
    ("codec", "silence", "code_0"),
    [(Codec.PCMU, 0xFF, -32124), (Codec.PCMA, 0xD5, -5504)],
)
def test_known_codes(codec: Codec, silence: int, code_0: int) -> None:
    assert encoder(codec)(b"\0\0") == bytes([silence])
    assert struct.unpack("<h", decoder(codec)(b"\0"))[0] == code_0


def test_decoding_then_encoding_gives_back_every_code_but_negative_zero() -> None:
    assert encoder(Codec.PCMA)(decoder(Codec.PCMA)(ALL_CODES)) == ALL_CODES
    ulaw = encoder(Codec.PCMU)(decoder(Codec.PCMU)(ALL_CODES))
    assert ulaw == ALL_CODES.replace(b"\x7f", b"\xff")  # -0 and +0 both decode to 0


@pytest.mark.parametrize(("source", "target"), [(Codec.PCMU, Codec.PCMA), (Codec.PCMA, Codec.PCMU)])
def test_transcoding_table_equals_decoding_and_reencoding(source: Codec, target: Codec) -> None:
    table = transcoding_table(source, target)
    assert table is not None
    codes = bytes(range(256)) * 2
    assert codes.translate(table) == encoder(target)(decoder(source)(codes))
    assert transcoding_table(source, source) is None


def test_audioop_is_used_on_python_3_11_without_a_deprecation_warning() -> None:
    if sys.version_info < (3, 13):
        assert isinstance(G711_IMPLEMENTATION, AudioopG711)
    result = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", "import telephonist.media.g711"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
