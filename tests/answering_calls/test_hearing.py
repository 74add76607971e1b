"""The RTP ear the carrier tests listen with puts packets in the order they were sent,
even when the sender's random first sequence number wraps past 65535 mid-call."""

from __future__ import annotations

import socket
import time

import numpy as np

from tests.answering_calls.hearing import RtpEar, ulaw_to_linear


def test_the_ear_keeps_the_order_across_a_sequence_wrap() -> None:
    ear = RtpEar("127.0.0.1")
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payloads = [bytes([level]) * 160 for level in (0x10, 0x30, 0x50, 0x70)]
    try:
        for sequence, payload in zip((65534, 65535, 0, 1), payloads, strict=True):
            header = bytes([0x80, 0]) + sequence.to_bytes(2, "big") + bytes(8)
            sender.sendto(header + payload, ("127.0.0.1", ear.port))
        deadline = time.monotonic() + 5
        while len(ear.heard()) < 640 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert np.array_equal(ear.heard(), ulaw_to_linear(b"".join(payloads)))
    finally:
        sender.close()
        ear.close()
