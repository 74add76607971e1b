"""Taking a message (VM-1, VM-2, principle 5) with a scripted call: greeting, beep, the
row committed before the caller speaks, the ways a message ends, too-short messages."""

from __future__ import annotations

import asyncio
import wave
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from telephonist.calls.channel import Party, RecordingEnd
from telephonist.media.engine import PcmSink
from telephonist.media.wav import WavFileSink
from telephonist.store.voicemail import VoicemailMessage
from telephonist.voicemail.deposit import (
    DEFAULT_MAX_SECONDS,
    SILENCE_SECONDS,
    MessageTaker,
    deposit,
)
from tests.media.loopback import tone
from tests.voicemail.conftest import NOON, Demo
from tests.voicemail.fakes import HANG_UP, FakeChannel, FakePrompts, Said, Speech

TWO_SECONDS = tone(frames=100)
HALF_A_SECOND = tone(frames=25)


def rows(demo: Demo) -> list[VoicemailMessage]:
    with demo.db.transaction() as session:
        return list(session.scalars(select(VoicemailMessage).order_by(VoicemailMessage.id)))


def leave(demo: Demo, channel: FakeChannel, **options: object) -> int | None:
    return asyncio.run(
        deposit(
            channel,
            options.pop("recipient", demo.dulcinea),  # type: ignore[arg-type]
            options.pop("greeting", None),  # type: ignore[arg-type]
            store=demo.store,
            prompts=FakePrompts(),
            **options,  # type: ignore[arg-type]
        )
    )


def test_a_caller_leaves_a_message_after_the_greeting_and_the_beep(demo: Demo) -> None:
    channel = FakeChannel(speech=[Speech(TWO_SECONDS)])
    message_id = leave(demo, channel)
    assert channel.said == ["voicemail-greeting", "beep", "message-recorded"]
    greeting = channel.played[0]
    assert isinstance(greeting, Said)
    assert greeting.values == (("name", "Dulcinea Dunn"),) and greeting.language == "en"
    assert channel.we_hung_up
    [message] = rows(demo)
    assert message.id == message_id
    assert (message.recording, message.duration_ms, message.read_status) == (
        "Completed",
        2000,
        "Unread",
    )
    assert (message.availability, message.priority, message.transcription_status) == (
        "Alive",
        "Normal",
        "NotAvailable",
    )
    assert (message.from_number, message.from_name, message.from_extension) == (
        "+12125550100",
        "NEW YORK NY",
        "",
    )
    assert (message.to_extension, message.to_name, message.to_number) == (
        "11103",
        "Dulcinea Dunn",
        "",
    )
    assert message.created_at == NOON and message.extension_id == demo.dulcinea.extension_id
    audio = demo.blobs.path(message.blob_key)
    assert message.size == audio.stat().st_size == 44 + len(TWO_SECONDS)
    with wave.open(str(audio)) as recording:
        assert recording.readframes(recording.getnframes()) == TWO_SECONDS


def test_the_message_ends_on_pound_silence_or_the_limit_the_admin_set(demo: Demo) -> None:
    channel = FakeChannel(speech=[Speech(TWO_SECONDS)])
    leave(demo, channel)
    [default] = channel.recordings
    assert (default.max_seconds, default.stop_keys, default.silence_seconds) == (
        DEFAULT_MAX_SECONDS,
        "#",
        SILENCE_SECONDS,
    )
    assert DEFAULT_MAX_SECONDS == 180 and SILENCE_SECONDS == 5
    limited = FakeChannel(speech=[Speech(TWO_SECONDS, RecordingEnd.LIMIT, None)])
    assert leave(demo, limited, max_seconds=60.0) is not None
    assert limited.recordings[0].max_seconds == 60.0
    assert limited.said[-1] == "message-recorded"


def test_the_row_is_committed_before_the_caller_speaks(demo: Demo) -> None:
    seen: list[tuple[str, int]] = []

    def while_recording(sink: PcmSink) -> None:
        assert isinstance(sink, WavFileSink)
        with demo.db.transaction() as session:
            [row] = session.scalars(select(VoicemailMessage)).all()
            seen.append((row.recording, row.duration_ms))
            assert demo.blobs.path(row.blob_key) == sink.path

    leave(demo, FakeChannel(speech=[Speech(TWO_SECONDS)], on_record=while_recording))
    assert seen == [("InProgress", 0)]


def test_a_caller_who_hangs_up_after_speaking_leaves_a_message(demo: Demo) -> None:
    channel = FakeChannel(speech=[Speech(TWO_SECONDS, RecordingEnd.HANG_UP, None)])
    assert leave(demo, channel) is not None
    assert channel.said == ["voicemail-greeting", "beep"]
    assert [row.duration_ms for row in rows(demo)] == [2000]


def test_a_recording_shorter_than_a_second_is_not_a_message(demo: Demo) -> None:
    channel = FakeChannel(speech=[Speech(HALF_A_SECOND, RecordingEnd.SILENCE, None)])
    assert leave(demo, channel) is None
    assert rows(demo) == []
    assert channel.said == ["voicemail-greeting", "beep", "message-too-short", "goodbye"]
    assert list((demo.blobs.root / "voicemail").iterdir()) == []


def test_hanging_up_during_the_greeting_leaves_nothing(demo: Demo) -> None:
    channel = FakeChannel(keys=[HANG_UP])
    assert leave(demo, channel) is None
    assert channel.recordings == [] and rows(demo) == []
    assert not Path(demo.blobs.root / "voicemail").exists()


def test_a_key_during_the_greeting_skips_to_the_beep_without_ending_the_message(
    demo: Demo,
) -> None:
    channel = FakeChannel(keys=["#"], speech=[Speech(TWO_SECONDS)])
    assert leave(demo, channel, greeting=Said("custom greeting")) is not None
    assert channel.said == ["custom greeting", "beep", "message-recorded"]
    assert len(channel.recordings) == 1


def test_messages_for_an_extension_can_go_to_another_recipient(demo: Demo) -> None:
    """VM-2: Dulcinea's callers hear her greeting; the message-only extension gets it."""
    channel = FakeChannel(speech=[Speech(TWO_SECONDS)], caller_party=Party("11101", "Hank"))
    leave(demo, channel, recipient=demo.message_only, called=demo.dulcinea.party)
    greeting = channel.played[0]
    assert isinstance(greeting, Said) and greeting.values == (("name", "Dulcinea Dunn"),)
    [message] = rows(demo)
    assert message.extension_id == demo.message_only.extension_id
    assert (message.to_extension, message.to_name) == ("11103", "Dulcinea Dunn")
    assert (message.from_extension, message.from_number, message.from_name) == (
        "11101",
        "",
        "Hank",
    )


def test_an_extension_without_a_name_has_the_greeting_without_one(demo: Demo) -> None:
    nameless = replace(demo.dulcinea, name="")
    channel = FakeChannel(speech=[Speech(TWO_SECONDS)])
    leave(demo, channel, recipient=nameless)
    assert channel.said[0] == "voicemail-greeting-no-name"


def test_a_withheld_caller_id_is_stored_as_no_number(demo: Demo) -> None:
    channel = FakeChannel(speech=[Speech(TWO_SECONDS)], caller_party=Party(None, None))
    leave(demo, channel)
    [message] = rows(demo)
    assert (message.from_number, message.from_extension, message.from_name) == ("", "", "")


def test_the_plan_executor_takes_a_message_with_the_greeting_it_chose(demo: Demo) -> None:
    channel = FakeChannel(speech=[Speech(TWO_SECONDS)])
    taker = MessageTaker(demo.store, FakePrompts())
    kept = asyncio.run(
        taker.take_message(
            channel,
            account_id=demo.account_id,
            recipient_extension_id=demo.dulcinea.extension_id,
            greeting=Said("rule greeting"),
            max_seconds=120,
            called_number="+14092402117",
        )
    )
    assert kept and channel.said == ["rule greeting", "beep", "message-recorded"]
    assert channel.recordings[0].max_seconds == 120
    [message] = rows(demo)
    assert (message.to_number, message.to_name) == ("+14092402117", "Dulcinea Dunn")
    short = FakeChannel(speech=[Speech(HALF_A_SECOND)])
    assert not asyncio.run(
        taker.take_message(
            short,
            account_id=demo.account_id,
            recipient_extension_id=demo.dulcinea.extension_id,
            greeting=Said("rule greeting"),
            max_seconds=120,
            called_number="",
        )
    )
