"""Listening to voicemail by phone (VM-5) with a scripted call: the PIN, the summary, new
messages then saved ones, and what each key does."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from telephonist.answering.settings import load_extension_settings
from telephonist.calls.channel import RecordingEnd
from telephonist.media.wav import WavFileSource
from telephonist.store.identity import Greeting
from telephonist.store.voicemail import VoicemailMessage
from telephonist.voicemail.mailbox import PIN_WINDOW_SECONDS, MessageStore
from telephonist.voicemail.menu import CallBack, mailbox_menu
from telephonist.voicemail.messages import MessageParty
from tests.demo_data import PIN
from tests.media.loopback import tone
from tests.voicemail.conftest import Demo, seed_message
from tests.voicemail.fakes import HANG_UP, WAIT, FakeChannel, FakePrompts, Said, Speech

SPOKEN_PIN = [*PIN, "#"]
HEARD = [WAIT, WAIT]
"""Who left the message is said, then the message plays, both to the end."""
HANK = MessageParty(extension_number="11101", name="Hank Hillos")


def run(demo: Demo, channel: FakeChannel) -> CallBack | None:
    return asyncio.run(
        mailbox_menu(channel, demo.dulcinea, store=demo.store, prompts=FakePrompts())
    )


def messages_by_id(demo: Demo) -> dict[int, VoicemailMessage]:
    with demo.db.transaction() as session:
        return {m.id: m for m in session.scalars(select(VoicemailMessage))}


def seed_mailbox(demo: Demo) -> tuple[int, int, int]:
    """An old saved message, then two new ones (the second from Hank, extension 11101)."""
    saved = seed_message(demo.db, demo.blobs, demo.dulcinea, tone(frames=60), read=True)
    first_new = seed_message(demo.db, demo.blobs, demo.dulcinea, tone(500.0, frames=60))
    second_new = seed_message(
        demo.db, demo.blobs, demo.dulcinea, tone(700.0, frames=60), caller=HANK
    )
    return saved, first_new, second_new


def played_messages(channel: FakeChannel, demo: Demo) -> list[int]:
    """Which messages were played, in order, by their audio files."""
    by_path = {demo.blobs.path(m.blob_key): m.id for m in messages_by_id(demo).values()}
    return [by_path[s.path] for s in channel.played if isinstance(s, WavFileSource)]


def test_three_wrong_pins_end_the_call(demo: Demo) -> None:
    seed_mailbox(demo)
    channel = FakeChannel(keys=[*"111111#", WAIT, *"222222#", WAIT, WAIT])
    assert run(demo, channel) is None
    assert channel.said == [
        "enter-pin",
        "incorrect-pin",
        "enter-pin",
        "incorrect-pin",
        "enter-pin",
        "incorrect-pin",
        "goodbye",
    ]
    assert channel.we_hung_up
    assert played_messages(channel, demo) == []


def test_the_pin_opens_the_mailbox_on_a_later_try(demo: Demo) -> None:
    channel = FakeChannel(keys=[*"111111#", WAIT, *SPOKEN_PIN, WAIT, "*"])
    run(demo, channel)
    assert channel.said[:4] == ["enter-pin", "incorrect-pin", "enter-pin", "new-messages"]


def test_new_messages_play_first_then_saved_ones_and_heard_ones_become_read(
    demo: Demo,
) -> None:
    saved, first_new, second_new = seed_mailbox(demo)
    # Each message is announced and plays to its end, the options are read out, "#" moves on.
    keys = [*SPOKEN_PIN, *HEARD, WAIT, "#", *HEARD, WAIT, "#", *HEARD, WAIT, "#", "*"]
    channel = FakeChannel(keys=keys)
    assert run(demo, channel) is None
    summary = channel.played[1]
    assert isinstance(summary, Said)
    assert [(item.kind, item.values) for item in summary.items] == [
        ("new-messages", (("count", 2),)),
        ("saved-messages", (("count", 1),)),
    ]
    assert played_messages(channel, demo) == [first_new, second_new, saved]
    announced = [
        s.values for s in channel.played if isinstance(s, Said) and s.kind == "message-from"
    ]
    assert announced == [
        (("caller", "NEW YORK NY"),),
        (("caller", "Hank Hillos"),),
        (("caller", "NEW YORK NY"),),
    ]
    assert channel.said.count("message-menu") == 3
    assert channel.said[-3:] == ["no-more-messages", "mailbox-menu", "goodbye"]
    assert {m.read_status for m in messages_by_id(demo).values()} == {"Read"}


def test_seven_deletes_nine_saves_and_a_skipped_message_stays_new(demo: Demo) -> None:
    saved, first_new, second_new = seed_mailbox(demo)
    # 7 while the first new one plays, 9 while the second is announced.
    channel = FakeChannel(keys=[*SPOKEN_PIN, WAIT, "7", "9", *HEARD, "*", "*"])
    run(demo, channel)
    found = messages_by_id(demo)
    assert found[first_new].availability == "Deleted"
    assert found[second_new].read_status == "Read" and found[second_new].availability == "Alive"
    assert "message-deleted" in channel.said and "message-saved" in channel.said
    assert found[saved].availability == "Alive"


def test_an_interrupted_message_is_not_marked_read(demo: Demo) -> None:
    _saved, first_new, _second_new = seed_mailbox(demo)
    channel = FakeChannel(keys=[*SPOKEN_PIN, WAIT, "#", "*", "*"])
    run(demo, channel)
    assert messages_by_id(demo)[first_new].read_status == "Unread"
    assert channel.said[-2:] == ["mailbox-menu", "goodbye"]


def test_four_replays_the_message(demo: Demo) -> None:
    _saved, first_new, _ = seed_mailbox(demo)
    channel = FakeChannel(keys=[*SPOKEN_PIN, *HEARD, "4", WAIT, "*", "*"])
    run(demo, channel)
    assert played_messages(channel, demo) == [first_new, first_new]
    assert channel.said.count("message-from") == 1


def test_five_calls_the_caller_back(demo: Demo) -> None:
    seed_mailbox(demo)
    # Skip the first new message (+1 212...), call back Hank at extension 11101.
    channel = FakeChannel(keys=[*SPOKEN_PIN, WAIT, "#", "5"])
    assert run(demo, channel) == CallBack("11101")
    assert not channel.we_hung_up


def test_five_is_not_valid_when_the_caller_id_was_withheld(demo: Demo) -> None:
    seed_message(demo.db, demo.blobs, demo.dulcinea, tone(frames=60), caller=MessageParty())
    channel = FakeChannel(keys=[*SPOKEN_PIN, WAIT, "5", WAIT, "#", "*"])
    assert run(demo, channel) is None
    assert "invalid-entry" in channel.said
    assert "message-from" not in channel.said


def test_silence_after_a_message_moves_on_after_three_readings(demo: Demo) -> None:
    seed_message(demo.db, demo.blobs, demo.dulcinea, tone(frames=60))
    channel = FakeChannel(keys=SPOKEN_PIN)
    run(demo, channel)
    assert channel.said.count("message-menu") == 3
    assert channel.said.count("mailbox-menu") == 3
    assert channel.said[-1] == "goodbye"


def test_an_empty_mailbox_says_zero_and_offers_the_menu(demo: Demo) -> None:
    channel = FakeChannel(keys=[*SPOKEN_PIN, WAIT, "*"])
    run(demo, channel)
    assert channel.said == [
        "enter-pin",
        "new-messages",
        "saved-messages",
        "no-more-messages",
        "mailbox-menu",
        "goodbye",
    ]


def test_one_plays_new_messages_and_two_saved_ones(demo: Demo) -> None:
    saved, first_new, second_new = seed_mailbox(demo)
    # The first new one is heard, then * for the menu; 1 plays the one still new, then
    # 2 plays the saved ones (the first new one is saved now), oldest first.
    keys = [*SPOKEN_PIN, *HEARD, "*", "1", *HEARD, "#", "2", *HEARD, "#", *HEARD, "#", "*"]
    channel = FakeChannel(keys=keys)
    run(demo, channel)
    assert played_messages(channel, demo) == [first_new, second_new, saved, first_new]


def test_three_records_a_new_voicemail_greeting(demo: Demo) -> None:
    channel = FakeChannel(
        keys=[*SPOKEN_PIN, WAIT, "3", WAIT, WAIT, "*"], speech=[Speech(tone(frames=100))]
    )
    run(demo, channel)
    assert channel.said[-6:] == [
        "mailbox-menu",
        "record-greeting",
        "beep",
        "greeting-saved",
        "mailbox-menu",
        "goodbye",
    ]
    with demo.db.transaction() as session:
        settings = load_extension_settings(session, demo.account_id, demo.dulcinea.extension_id)
        played = settings.user_hours_rule.greetings.voicemail.custom_id
        assert played is not None
        assert played == settings.after_hours_rule.greetings.voicemail.custom_id
        greeting = session.get(Greeting, int(played))
        assert greeting is not None
        assert (greeting.kind, greeting.content_type) == ("Voicemail", "audio/wav")
        assert demo.blobs.get(greeting.blob_key)[44:] == tone(frames=100)


def test_a_greeting_shorter_than_a_second_or_cut_by_hanging_up_is_not_kept(
    demo: Demo,
) -> None:
    channel = FakeChannel(
        keys=[*SPOKEN_PIN, WAIT, "3", WAIT, WAIT, "3", WAIT],
        speech=[
            Speech(tone(frames=20), RecordingEnd.SILENCE, None),
            Speech(tone(frames=200), RecordingEnd.HANG_UP, None),
        ],
    )
    assert run(demo, channel) is None
    assert len(channel.recordings) == 2 and channel.caller_hung_up
    assert "message-too-short" in channel.said and "greeting-saved" not in channel.said
    with demo.db.transaction() as session:
        assert session.scalars(select(Greeting)).all() == []
    assert [path for path in (demo.blobs.root / "greetings").rglob("*") if path.is_file()] == []


def test_hanging_up_anywhere_ends_quietly(demo: Demo) -> None:
    seed_mailbox(demo)
    for keys in ([HANG_UP], [*SPOKEN_PIN, HANG_UP], [*SPOKEN_PIN, WAIT, "7", HANG_UP]):
        channel = FakeChannel(keys=keys)
        assert run(demo, channel) is None
        assert channel.caller_hung_up


def test_a_mailbox_refuses_every_pin_after_ten_wrong_ones_over_several_calls(
    demo: Demo,
) -> None:
    moment = [1000.0]
    store = MessageStore(demo.db, demo.blobs, monotonic=lambda: moment[0])

    def call(*pins: str) -> FakeChannel:
        keys = [key for pin in pins for key in (*pin, "#", WAIT)]
        channel = FakeChannel(keys=keys)
        asyncio.run(mailbox_menu(channel, demo.dulcinea, store=store, prompts=FakePrompts()))
        return channel

    for _ in range(3):
        call("111111", "222222", "333333")
    call("444444")
    locked_out = call(PIN)
    assert "new-messages" not in locked_out.said
    moment[0] += PIN_WINDOW_SECONDS
    assert "new-messages" in call(PIN).said


def test_a_message_whose_audio_was_lost_is_skipped(demo: Demo) -> None:
    saved, first_new, second_new = seed_mailbox(demo)
    demo.blobs.path(messages_by_id(demo)[first_new].blob_key).unlink()
    channel = FakeChannel(keys=[*SPOKEN_PIN, *HEARD, "#", *HEARD, "#", "*"])
    run(demo, channel)
    assert played_messages(channel, demo) == [second_new, saved]
