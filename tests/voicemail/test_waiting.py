"""RFC 3842 message summaries for the message light, as table and property tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telephonist.voicemail.waiting import MessageCounts, message_summary

ACCOUNT = "sip:11103@pbx.example"


@pytest.mark.parametrize(
    ("counts", "body"),
    [
        (
            MessageCounts(),
            "Messages-Waiting: no\r\nMessage-Account: sip:11103@pbx.example\r\n"
            "Voice-Message: 0/0 (0/0)\r\n",
        ),
        (
            MessageCounts(new=2, old=8),
            "Messages-Waiting: yes\r\nMessage-Account: sip:11103@pbx.example\r\n"
            "Voice-Message: 2/8 (0/0)\r\n",
        ),
        (
            MessageCounts(new=0, old=3, old_urgent=1),
            "Messages-Waiting: no\r\nMessage-Account: sip:11103@pbx.example\r\n"
            "Voice-Message: 0/3 (0/1)\r\n",
        ),
        (
            MessageCounts(new=4, old=0, new_urgent=4),
            "Messages-Waiting: yes\r\nMessage-Account: sip:11103@pbx.example\r\n"
            "Voice-Message: 4/0 (4/0)\r\n",
        ),
    ],
)
def test_the_summary_body_of_rfc_3842(counts: MessageCounts, body: str) -> None:
    assert message_summary(counts, ACCOUNT) == body


def test_the_message_account_line_is_optional() -> None:
    assert message_summary(MessageCounts(new=1)) == (
        "Messages-Waiting: yes\r\nVoice-Message: 1/0 (0/0)\r\n"
    )


@pytest.mark.parametrize(
    "counts",
    [
        {"new": -1},
        {"old": -2},
        {"new": 1, "new_urgent": 2},
        {"old": 0, "old_urgent": 1},
    ],
)
def test_impossible_counts_are_refused(counts: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="count"):
        MessageCounts(**counts)


def test_a_header_cannot_be_smuggled_in_the_account() -> None:
    with pytest.raises(ValueError, match="one line"):
        message_summary(MessageCounts(), "sip:a@b\r\nMessages-Waiting: yes")


@st.composite
def counts(draw: st.DrawFn) -> MessageCounts:
    new, old = draw(st.integers(0, 10_000)), draw(st.integers(0, 10_000))
    return MessageCounts(new, old, draw(st.integers(0, new)), draw(st.integers(0, old)))


@given(counts())
def test_the_light_is_on_exactly_while_a_message_is_new(found: MessageCounts) -> None:
    lines = message_summary(found, ACCOUNT).split("\r\n")
    assert lines[-1] == ""
    headers = dict(line.split(": ", 1) for line in lines[:-1])
    assert headers["Messages-Waiting"] == ("yes" if found.new else "no")
    totals, urgent = headers["Voice-Message"].split(" ")
    assert totals == f"{found.new}/{found.old}"
    assert urgent == f"({found.new_urgent}/{found.old_urgent})"
