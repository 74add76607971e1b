"""RFC 4733 telephone-events: payload, sender schedule, and a receiver reporting each key once."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telephonist.media.dtmf import (
    DtmfDigit,
    DtmfReceiver,
    TelephoneEvent,
    digit_schedule,
    event_code,
)
from telephonist.media.rtp import RtpParseError


@pytest.mark.parametrize(
    ("data", "event"),
    [
        (bytes.fromhex("01 0a 00a0"), TelephoneEvent(1, False, 10, 160)),
        (bytes.fromhex("0b 8a 0320"), TelephoneEvent(11, True, 10, 800)),
        (bytes.fromhex("0f bf ffff"), TelephoneEvent(15, True, 63, 0xFFFF)),
    ],
    ids=["digit-1-update", "hash-end", "D-loudest-longest"],
)
def test_telephone_event_payload_parses_and_serializes(data: bytes, event: TelephoneEvent) -> None:
    assert TelephoneEvent.parse(data) == event
    assert event.serialize() == data


def test_truncated_telephone_event_raises_parse_error() -> None:
    with pytest.raises(RtpParseError, match=r"^telephone-event payload is truncated$"):
        TelephoneEvent.parse(b"\x01\x0a\x00")


@pytest.mark.parametrize(("digit", "code"), [("0", 0), ("9", 9), ("*", 10), ("#", 11), ("a", 12)])
def test_event_codes_follow_rfc_4733(digit: str, code: int) -> None:
    assert event_code(digit) == code


@pytest.mark.parametrize("digit", ["", "E", "12", "x"])
def test_event_code_rejects_what_is_not_a_key(digit: str) -> None:
    with pytest.raises(ValueError, match="not a DTMF digit"):
        event_code(digit)


def test_a_key_press_is_a_start_updates_every_50_ms_and_three_ends() -> None:
    schedule = digit_schedule("5", duration_ms=160)
    assert [(s.offset, s.marker, s.event.end, s.event.duration) for s in schedule] == [
        (0.0, True, False, 0),
        (0.05, False, False, 400),
        (0.1, False, False, 800),
        (0.15, False, False, 1200),
        (0.16, False, True, 1280),
        (0.16, False, True, 1280),
        (0.16, False, True, 1280),
    ]
    assert {s.event.event for s in schedule} == {5}


def packets(digit: str, timestamp: int) -> list[tuple[int, bytes]]:
    """(RTP timestamp, payload) of one key press: every packet shares the start timestamp."""
    return [(timestamp, s.event.serialize()) for s in digit_schedule(digit)]


def received(receiver: DtmfReceiver, stream: list[tuple[int, bytes]]) -> list[str]:
    digits = [receiver.receive(ts, payload) for ts, payload in stream]
    return [d.digit for d in digits if d is not None]


def test_each_key_press_is_reported_once_despite_redundant_end_packets() -> None:
    stream = packets("1", 8000) + packets("2", 16000) + packets("1", 24000)
    assert received(DtmfReceiver(), stream) == ["1", "2", "1"]


def test_a_retransmitted_start_does_not_repeat_the_digit() -> None:
    start = packets("#", 1000)[0]
    assert received(DtmfReceiver(), [start, start, *packets("#", 1000)]) == ["#"]


def test_a_key_press_whose_start_was_lost_is_still_reported() -> None:
    receiver = DtmfReceiver()
    assert receiver.receive(*packets("7", 500)[-1]) == DtmfDigit("7", 500)


def test_events_that_are_not_keys_are_ignored() -> None:
    flash = TelephoneEvent(16, False, 10, 0).serialize()
    assert DtmfReceiver().receive(100, flash) is None


@settings(derandomize=True)
@given(st.text("0123456789*#ABCD", min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_reordered_and_duplicated_packets_yield_each_digit_once(
    digits: str, rnd: random.Random
) -> None:
    presses = [packets(d, 10_000 + 2000 * i) for i, d in enumerate(digits)]
    stream = []
    for press in presses:
        # Packets of one press may be duplicated and reordered; presses stay in order.
        press = press + rnd.sample(press, k=rnd.randint(0, len(press)))
        rnd.shuffle(press)
        stream += press
    # A late duplicate of the previous press arrives after the next one started.
    for i in range(1, len(presses)):
        stream.append(presses[i - 1][-1])
    assert received(DtmfReceiver(), stream) == list(digits)


def test_schedule_rejects_durations_beyond_the_16_bit_field() -> None:
    with pytest.raises(ValueError, match="lasts 1 to 8191 ms"):
        digit_schedule("1", duration_ms=9000)
