"""Rule data that cannot work is refused when it is built (RuleValidationError names
the public API field), and schedules read "hh:mm" as the API writes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from telephonist.domain.answering.errors import RuleValidationError
from telephonist.domain.answering.model import (
    AnnouncementScope,
    AnsweringRule,
    CallerCondition,
    CallHandlingAction,
    ConnectingAudio,
    ConnectingAudioKind,
    Forwarding,
    ForwardingEntry,
    ForwardingNumber,
    ForwardingNumberType,
    HoldMusic,
    IncomingCallInfo,
    ListedNumber,
    RuleType,
)
from telephonist.domain.answering.schedule import (
    WEEKDAYS,
    WORKDAYS,
    DateRange,
    RuleSchedule,
    ScheduleRef,
    TimeInterval,
    Weekday,
    WeeklySchedule,
)
from tests.domain.answering.builders import settings

ELEVEN = tuple(
    ForwardingNumber(f"fn{i}", f"Phone {i}", ForwardingNumberType.MOBILE, f"+1650555{i:04d}")
    for i in range(11)
)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (
            lambda: Forwarding(
                entries=tuple(ForwardingEntry(i, (n,)) for i, n in enumerate(ELEVEN))
            ),
            "forwarding.rules",
        ),
        (lambda: settings(forwarding_numbers=ELEVEN), "forwardingNumbers"),
        (
            lambda: Forwarding(
                entries=(ForwardingEntry(1, (ELEVEN[0],)), ForwardingEntry(1, (ELEVEN[1],)))
            ),
            "forwarding.rules",
        ),
        (lambda: ForwardingEntry(1, ()), "forwarding.rules"),
        (lambda: ForwardingEntry(1, (ELEVEN[0],), ring_count=0), "forwarding.rules"),
        (lambda: ForwardingNumber("x", "Desk", ForwardingNumberType.PHONE_LINE), "device"),
        (lambda: ForwardingNumber("x", "Apps", ForwardingNumberType.EXTENSION_APPS), "extension"),
        (lambda: ForwardingNumber("x", "Mobile", ForwardingNumberType.MOBILE), "phoneNumber"),
        (
            lambda: AnsweringRule(
                "r", RuleType.CUSTOM, action=CallHandlingAction.UNCONDITIONAL_FORWARDING
            ),
            "unconditionalForwarding.phoneNumber",
        ),
        (
            lambda: AnsweringRule("r", RuleType.BUSINESS_HOURS, callers=(CallerCondition("650"),)),
            "type",
        ),
        (lambda: CallerCondition("John"), "callers.callerId"),
        (lambda: ListedNumber("spam"), "phoneNumber"),
        (lambda: TimeInterval.parse("25:00", "26:00"), "schedule.weeklyRanges"),
        (lambda: TimeInterval.parse("9h", "17:00"), "schedule.weeklyRanges"),
        (lambda: TimeInterval.parse("09:60", "17:00"), "schedule.weeklyRanges"),
        (lambda: TimeInterval.parse("24:00", "01:00"), "schedule.weeklyRanges"),
        (lambda: DateRange(datetime(2027, 12, 26), datetime(2027, 12, 24)), "schedule.ranges"),
        (
            lambda: DateRange(datetime(2027, 12, 24), datetime(2027, 12, 26, tzinfo=UTC)),
            "schedule.ranges",
        ),
        (lambda: RuleSchedule(), "schedule"),
        (lambda: RuleSchedule(weekly=WeeklySchedule(), ref=ScheduleRef.AFTER_HOURS), "schedule"),
        (lambda: WeeklySchedule(((),)), "schedule"),
        (lambda: ConnectingAudio(ConnectingAudioKind.MUSIC), "greetings.ConnectingAudio"),
        (lambda: ConnectingAudio(ConnectingAudioKind.CUSTOM), "greetings.ConnectingAudio"),
        (lambda: IncomingCallInfo(queue_calls=AnnouncementScope.NEVER), "queueCalls"),
        (lambda: HoldMusic(music_track=""), "musicTrack"),
        (lambda: HoldMusic(kind=ConnectingAudioKind.CUSTOM), "customGreetingId"),
        (lambda: HoldMusic(volume=101), "volume"),
        (lambda: HoldMusic(volume=-1), "volume"),
        (lambda: settings(time_zone="Mars/Olympus_Mons"), "regionalSettings.timezone"),
        (lambda: settings(custom_rules=(AnsweringRule("r", RuleType.AFTER_HOURS),)), "type"),
        (lambda: settings(user_hours_rule=AnsweringRule("r", RuleType.AFTER_HOURS)), "type"),
    ],
)
def test_unusable_rule_data_is_refused(build: Callable[[], object], field: str) -> None:
    with pytest.raises(RuleValidationError) as raised:
        build()
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("music", "gain_db"),
    [
        (HoldMusic(), 0.0),
        (HoldMusic(volume=50), -6.02),
        (HoldMusic(volume=10), -20.0),
        (HoldMusic(volume=0), None),
        (HoldMusic(enabled=False), None),
    ],
)
def test_hold_music_volume_is_a_level_change(music: HoldMusic, gain_db: float | None) -> None:
    """GS-5: 100 % plays the recording as it is, lower is softer, 0 % or off is silence."""
    assert music.gain_db == (pytest.approx(gain_db, abs=0.01) if gain_db is not None else None)


def test_ten_forwarding_numbers_are_allowed() -> None:
    forwarding = Forwarding(
        entries=tuple(ForwardingEntry(i, (n,)) for i, n in enumerate(ELEVEN[:10]))
    )
    assert len(forwarding.ordered_entries) == 10


@pytest.mark.parametrize(
    ("start", "end", "minutes", "crosses"),
    [
        ("12:00", "13:00", 60, False),
        ("00:00", "24:00", 1440, False),  # "24 hours"
        ("22:00", "06:00", 480, True),
        ("00:00", "00:00", 1440, True),
        ("9:30", "17:00", 450, False),
    ],
)
def test_time_ranges(start: str, end: str, minutes: int, crosses: bool) -> None:
    interval = TimeInterval.parse(start, end)
    assert (interval.minutes, interval.crosses_midnight) == (minutes, crosses)


def test_times_round_trip_in_api_form() -> None:
    interval = TimeInterval.whole_day()
    assert (interval.from_text, interval.to_text) == ("00:00", "24:00")


def test_copy_to_weekdays_fills_monday_to_friday() -> None:
    lunch = TimeInterval.parse("12:00", "13:00")
    week = WeeklySchedule.every_day(lunch, days=WORKDAYS)
    assert [bool(week.day(day)) for day in WEEKDAYS] == [True] * 5 + [False] * 2
    assert week == WeeklySchedule.from_days({day: (lunch,) for day in WORKDAYS})
    assert Weekday.SUNDAY.number == 6
