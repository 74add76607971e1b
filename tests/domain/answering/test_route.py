"""route(): one row per behaviour the guide describes (CH-1..CH-5, GS-1..GS-4,
BLK-1..BLK-6, PRE-1, VM-1, VM-2)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from telephonist.domain.answering.blocking import check_company_number_blocking
from telephonist.domain.answering.model import (
    AnnouncementScope,
    Attestation,
    BlockingSettings,
    BlockMode,
    CallerCondition,
    CallHandlingAction,
    ConnectingAudio,
    ConnectingAudioKind,
    DisplayedNumber,
    DndStatus,
    Forwarding,
    ForwardingEntry,
    Greeting,
    IncomingCallInfo,
    ListedNumber,
    NoCallerIdBlocking,
    RingingMode,
    RobocallHandling,
    RuleGreetings,
    Screening,
    Verstat,
    VoicemailSettings,
)
from telephonist.domain.answering.plan import (
    Disconnect,
    DisconnectReason,
    PlanReason,
    PlayPrompt,
    PromptKind,
    Ring,
    TakeMessage,
)
from telephonist.domain.answering.route import route
from telephonist.domain.answering.schedule import (
    WORKDAYS,
    DateRange,
    RuleSchedule,
    ScheduleRef,
    TimeInterval,
    WeeklySchedule,
)
from tests.domain.answering.builders import (
    APPS,
    DESK,
    DULCINEA,
    GUIDE_FORWARDING,
    HOME,
    MARKETING_NUMBER,
    MOBILE,
    MONDAY_10,
    SATURDAY_10,
    USER_HOURS_RULE,
    call,
    custom,
    local,
    settings,
)
from tests.domain.answering.summary import summary

GUIDE_RINGS = (
    "ring Desktop & Mobile Apps 5s > ring Desk phone 20s > ring Home 20s > ring Mobile 20s"
)
LUNCH = custom(
    "lunch",
    schedule=RuleSchedule(
        weekly=WeeklySchedule.every_day(TimeInterval.parse("12:00", "13:00"), days=WORKDAYS)
    ),
    action=CallHandlingAction.TAKE_MESSAGES_ONLY,
)
NIGHT = custom(
    "night",
    schedule=RuleSchedule(
        weekly=WeeklySchedule.every_day(TimeInterval.parse("22:00", "06:00"), days=WORKDAYS)
    ),
    action=CallHandlingAction.PLAY_ANNOUNCEMENT_ONLY,
)
HOLIDAY = custom(
    "holiday",
    schedule=RuleSchedule(date_ranges=(DateRange(datetime(2027, 12, 24), datetime(2027, 12, 26)),)),
    action=CallHandlingAction.PLAY_ANNOUNCEMENT_ONLY,
    greetings=RuleGreetings(announcement=Greeting("closed-for-holidays")),
)
FROM_650 = custom(
    "from 650",
    callers=(CallerCondition("+1650", "Bay Area"),),
    action=CallHandlingAction.UNCONDITIONAL_FORWARDING,
    unconditional_forwarding_number="+16505559999",
)


def with_user_hours_rule(**fields: object) -> dict[str, object]:
    return {"user_hours_rule": replace(USER_HOURS_RULE, **fields)}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "incoming", "now", "reason", "expected"),
    [
        pytest.param(
            {},
            call(),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > voicemail 11103",
            id="user hours ring the forwarding list in order then voicemail",
        ),
        pytest.param(
            {},
            call(),
            SATURDAY_10,
            PlanReason.AFTER_HOURS,
            "voicemail 11103",
            id="after hours send callers to voicemail",
        ),
        pytest.param(
            {},
            call(),
            local("2027-03-01 17:00"),
            PlanReason.AFTER_HOURS,
            "voicemail 11103",
            id="user hours end at 17:00 exactly",
        ),
        pytest.param(
            {},
            call(),
            local("2027-03-01 08:59"),
            PlanReason.AFTER_HOURS,
            "voicemail 11103",
            id="user hours start at 09:00",
        ),
        pytest.param(
            {"user_hours": WeeklySchedule()},
            call(),
            SATURDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > voicemail 11103",
            id="empty user hours mean 24/7",
        ),
        # CH-1 and CH-4: custom rules first, first match wins, all conditions must hold
        pytest.param(
            {"custom_rules": (FROM_650,)},
            call("+16505550100"),
            MONDAY_10,
            PlanReason.CUSTOM_RULE,
            "forward +16505559999",
            id="custom rule beats the user-hours rule",
        ),
        pytest.param(
            {"custom_rules": (FROM_650,)},
            call("+12125550100"),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > voicemail 11103",
            id="custom rule for other callers does not apply",
        ),
        pytest.param(
            {"custom_rules": (replace(FROM_650, enabled=False),)},
            call("+16505550100"),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > voicemail 11103",
            id="a disabled custom rule is skipped",
        ),
        pytest.param(
            {"custom_rules": (LUNCH, FROM_650)},
            call("+16505550100"),
            local("2027-03-01 12:30"),
            PlanReason.CUSTOM_RULE,
            "voicemail 11103",
            id="first matching custom rule wins",
        ),
        pytest.param(
            {"custom_rules": (replace(FROM_650, schedule=LUNCH.schedule),)},
            call("+16505550100"),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > voicemail 11103",
            id="a rule needs all its conditions: caller matches but not the time",
        ),
        pytest.param(
            {
                "custom_rules": (
                    custom(
                        "marketing",
                        called_numbers=(MARKETING_NUMBER,),
                        action=CallHandlingAction.TAKE_MESSAGES_ONLY,
                    ),
                )
            },
            call(called_number=MARKETING_NUMBER),
            MONDAY_10,
            PlanReason.CUSTOM_RULE,
            "voicemail 11103",
            id="called number condition matches the dialled number",
        ),
        pytest.param(
            {
                "custom_rules": (
                    custom(
                        "marketing",
                        called_numbers=(MARKETING_NUMBER,),
                        action=CallHandlingAction.TAKE_MESSAGES_ONLY,
                    ),
                )
            },
            call(),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > voicemail 11103",
            id="called number condition ignores other numbers",
        ),
        pytest.param(
            {
                "custom_rules": (
                    custom(
                        "at work",
                        schedule=RuleSchedule(ref=ScheduleRef.BUSINESS_HOURS),
                        action=CallHandlingAction.TAKE_MESSAGES_ONLY,
                    ),
                )
            },
            call(),
            MONDAY_10,
            PlanReason.CUSTOM_RULE,
            "voicemail 11103",
            id="a rule can follow the user's business hours",
        ),
        pytest.param(
            {
                "custom_rules": (
                    custom(
                        "at work",
                        schedule=RuleSchedule(ref=ScheduleRef.BUSINESS_HOURS),
                        action=CallHandlingAction.TAKE_MESSAGES_ONLY,
                    ),
                )
            },
            call(),
            SATURDAY_10,
            PlanReason.AFTER_HOURS,
            "voicemail 11103",
            id="a business-hours rule does not apply after hours",
        ),
        # lunch break, holidays, midnight crossing
        pytest.param(
            {"custom_rules": (LUNCH,)},
            call(),
            local("2027-03-01 12:00"),
            PlanReason.CUSTOM_RULE,
            "voicemail 11103",
            id="lunch break starts at 12:00",
        ),
        pytest.param(
            {"custom_rules": (LUNCH,)},
            call(),
            local("2027-03-05 12:59"),
            PlanReason.CUSTOM_RULE,
            "voicemail 11103",
            id="lunch break on Friday 12:59",
        ),
        pytest.param(
            {"custom_rules": (LUNCH,)},
            call(),
            local("2027-03-01 13:00"),
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > voicemail 11103",
            id="lunch break ends at 13:00",
        ),
        pytest.param(
            {"custom_rules": (LUNCH,)},
            call(),
            local("2027-03-06 12:30"),
            PlanReason.AFTER_HOURS,
            "voicemail 11103",
            id="no lunch-break rule on Saturday",
        ),
        pytest.param(
            {"custom_rules": (HOLIDAY,)},
            call(),
            local("2027-12-25 10:00"),
            PlanReason.CUSTOM_RULE,
            "play Announcement(closed-for-holidays) > disconnect Announcement",
            id="holiday date range plays the announcement",
        ),
        pytest.param(
            {"custom_rules": (HOLIDAY,)},
            call(),
            local("2027-12-24 00:00"),
            PlanReason.CUSTOM_RULE,
            "play Announcement(closed-for-holidays) > disconnect Announcement",
            id="holiday starts at its first minute",
        ),
        pytest.param(
            {"custom_rules": (HOLIDAY,)},
            call(),
            local("2027-12-27 10:00"),
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > voicemail 11103",
            id="after the holiday user hours return",
        ),
        pytest.param(
            {"custom_rules": (NIGHT,)},
            call(),
            local("2027-03-01 23:00"),
            PlanReason.CUSTOM_RULE,
            "play Announcement > disconnect Announcement",
            id="22:00-06:00 applies Monday 23:00",
        ),
        pytest.param(
            {"custom_rules": (NIGHT,)},
            call(),
            local("2027-03-02 05:59"),
            PlanReason.CUSTOM_RULE,
            "play Announcement > disconnect Announcement",
            id="22:00-06:00 runs into Tuesday 05:59",
        ),
        pytest.param(
            {"custom_rules": (NIGHT,)},
            call(),
            local("2027-03-02 06:00"),
            PlanReason.AFTER_HOURS,
            "voicemail 11103",
            id="22:00-06:00 ends Tuesday 06:00",
        ),
        pytest.param(
            {"custom_rules": (NIGHT,)},
            call(),
            local("2027-03-06 03:00"),
            PlanReason.CUSTOM_RULE,
            "play Announcement > disconnect Announcement",
            id="Friday night runs into Saturday",
        ),
        pytest.param(
            {"custom_rules": (NIGHT,)},
            call(),
            local("2027-03-01 03:00"),
            PlanReason.AFTER_HOURS,
            "voicemail 11103",
            id="no Sunday range, so Monday 03:00 is not covered",
        ),
        # CH-2 forwarding
        pytest.param(
            with_user_hours_rule(
                forwarding=replace(GUIDE_FORWARDING, ringing_mode=RingingMode.SIMULTANEOUSLY)
            ),
            call(),
            MONDAY_10,
            PlanReason.USER_HOURS,
            "ring Desktop & Mobile Apps+Desk phone+Home+Mobile 20s > voicemail 11103",
            id="simultaneous rings everything for the longest time",
        ),
        pytest.param(
            with_user_hours_rule(
                forwarding=Forwarding(
                    entries=(ForwardingEntry(1, (DESK,), 2), ForwardingEntry(2, (HOME, MOBILE), 3))
                )
            ),
            call(),
            MONDAY_10,
            PlanReason.USER_HOURS,
            "ring Desk phone 10s > ring Home+Mobile 15s > voicemail 11103",
            id="a ring group rings together inside a sequence",
        ),
        pytest.param(
            with_user_hours_rule(
                forwarding=Forwarding(
                    entries=(
                        ForwardingEntry(1, (DESK,)),
                        ForwardingEntry(2, (HOME,), enabled=False),
                        ForwardingEntry(3, (MOBILE,)),
                    )
                )
            ),
            call(),
            MONDAY_10,
            PlanReason.USER_HOURS,
            "ring Desk phone 20s > ring Mobile 20s > voicemail 11103",
            id="inactive forwarding numbers do not ring",
        ),
        pytest.param(
            with_user_hours_rule(
                forwarding=Forwarding(
                    entries=(
                        ForwardingEntry(3, (DESK,)),
                        ForwardingEntry(1, (MOBILE,)),
                        ForwardingEntry(9, (APPS,), 1),
                    )
                )
            ),
            call(),
            MONDAY_10,
            PlanReason.USER_HOURS,
            "ring Desktop & Mobile Apps 5s > ring Mobile 20s > ring Desk phone 20s"
            " > voicemail 11103",
            id="apps ring first then priority order",
        ),
        pytest.param(
            with_user_hours_rule(
                forwarding=Forwarding(
                    entries=(
                        ForwardingEntry(3, (DESK,)),
                        ForwardingEntry(1, (MOBILE,)),
                        ForwardingEntry(9, (APPS,), 1),
                    ),
                    apps_ring_first=False,
                )
            ),
            call(),
            MONDAY_10,
            PlanReason.USER_HOURS,
            "ring Mobile 20s > ring Desk phone 20s > ring Desktop & Mobile Apps 5s"
            " > voicemail 11103",
            id="without apps first, strict priority order",
        ),
        pytest.param(
            with_user_hours_rule(forwarding=Forwarding()),
            call(),
            MONDAY_10,
            PlanReason.USER_HOURS,
            "voicemail 11103",
            id="no forwarding number goes straight to voicemail",
        ),
        pytest.param(
            with_user_hours_rule(voicemail=VoicemailSettings(enabled=False)),
            call(),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > play Unavailable > disconnect Unavailable",
            id="messages off: unavailable message then disconnect",
        ),
        pytest.param(
            with_user_hours_rule(voicemail=VoicemailSettings(recipient_extension_id="11011")),
            call(),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > voicemail 11011",
            id="messages go to a specific extension",
        ),
        # GS-1..GS-3 greeting, screening, connecting message
        pytest.param(
            with_user_hours_rule(
                greetings=RuleGreetings(
                    introductory=Greeting(), connecting_message=Greeting("hold-on")
                ),
                screening=Screening.ALWAYS,
            ),
            call(),
            MONDAY_10,
            PlanReason.USER_HOURS,
            "play UserGreeting > screen > play ConnectingMessage(hold-on)"
            f" > {GUIDE_RINGS} > voicemail 11103",
            id="greeting, screening, connecting message, then phones",
        ),
        pytest.param(
            with_user_hours_rule(screening=Screening.NO_CALLER_ID),
            call(None),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"screen > {GUIDE_RINGS} > voicemail 11103",
            id="screening when caller ID is missing",
        ),
        pytest.param(
            with_user_hours_rule(screening=Screening.NO_CALLER_ID),
            call(),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > voicemail 11103",
            id="no screening when caller ID is present",
        ),
        pytest.param(
            with_user_hours_rule(screening=Screening.UNKNOWN_CALLER_ID),
            call(),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"screen > {GUIDE_RINGS} > voicemail 11103",
            id="screening callers not in contacts",
        ),
        pytest.param(
            {
                **with_user_hours_rule(screening=Screening.UNKNOWN_CALLER_ID),
                "contact_numbers": frozenset({"+12125550100"}),
            },
            call(),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > voicemail 11103",
            id="no screening for a contact",
        ),
        pytest.param(
            {
                "after_hours_rule": replace(
                    DULCINEA.after_hours_rule,
                    action=CallHandlingAction.UNCONDITIONAL_FORWARDING,
                    unconditional_forwarding_number="+16505551234",
                    greetings=RuleGreetings(introductory=Greeting()),
                    screening=Screening.ALWAYS,
                )
            },
            call(),
            SATURDAY_10,
            PlanReason.AFTER_HOURS,
            "forward +16505551234",
            id="unconditional forwarding skips greeting and screening",
        ),
        pytest.param(
            {
                "after_hours_rule": replace(
                    DULCINEA.after_hours_rule, action=CallHandlingAction.PLAY_ANNOUNCEMENT_ONLY
                )
            },
            call(),
            SATURDAY_10,
            PlanReason.AFTER_HOURS,
            "play Announcement > disconnect Announcement",
            id="after hours play announcement and disconnect",
        ),
        pytest.param(
            {
                "after_hours_rule": replace(
                    DULCINEA.after_hours_rule,
                    greetings=RuleGreetings(voicemail=Greeting("vm-away")),
                )
            },
            call(),
            SATURDAY_10,
            PlanReason.AFTER_HOURS,
            "voicemail 11103",
            id="after hours voicemail greeting is the period's own",
        ),
        # PRE-1 do not disturb
        pytest.param(
            {"dnd": DndStatus.DO_NOT_ACCEPT_ANY_CALLS},
            call(),
            MONDAY_10,
            PlanReason.DND_NO_CALLS,
            "voicemail 11103",
            id="red: every call goes to voicemail",
        ),
        pytest.param(
            {
                "dnd": DndStatus.DO_NOT_ACCEPT_ANY_CALLS,
                **with_user_hours_rule(voicemail=VoicemailSettings(enabled=False)),
            },
            call(),
            MONDAY_10,
            PlanReason.DND_NO_CALLS,
            "play Unavailable > disconnect Unavailable",
            id="red with messages off disconnects",
        ),
        pytest.param(
            {"dnd": DndStatus.DO_NOT_ACCEPT_ANY_CALLS},
            call(queue_name="Sales"),
            MONDAY_10,
            PlanReason.DND_NO_CALLS,
            "back to queue",
            id="red: queue calls skip the user",
        ),
        pytest.param(
            {"dnd": DndStatus.DO_NOT_ACCEPT_DEPARTMENT_CALLS},
            call(queue_name="Sales"),
            MONDAY_10,
            PlanReason.DND_NO_QUEUE_CALLS,
            "back to queue",
            id="orange: queue calls skip the user",
        ),
        pytest.param(
            {"dnd": DndStatus.DO_NOT_ACCEPT_DEPARTMENT_CALLS},
            call(),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > voicemail 11103",
            id="orange: direct calls ring as usual",
        ),
        pytest.param(
            {"dnd": DndStatus.TAKE_DEPARTMENT_CALLS_ONLY},
            call(),
            MONDAY_10,
            PlanReason.DND_QUEUE_CALLS_ONLY,
            "voicemail 11103",
            id="queue calls only: direct calls go to voicemail",
        ),
        pytest.param(
            {},
            call(queue_name="Sales"),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > back to queue",
            id="a queue call rings the member then returns to the queue",
        ),
        pytest.param(
            {},
            call(queue_name="Sales"),
            SATURDAY_10,
            PlanReason.AFTER_HOURS,
            "ring Dulcinea Dunn 20s > back to queue",
            id="a queue call rings all the member's phones when the rule does not forward",
        ),
        # BLK blocking
        pytest.param(
            {"blocking": BlockingSettings(blocked=(ListedNumber("650", "Bay Area"),))},
            call("+16505550100"),
            MONDAY_10,
            PlanReason.BLOCKED_NUMBER,
            "play Blocked > disconnect Blocked",
            id="blocked area code",
        ),
        pytest.param(
            {"blocking": BlockingSettings(blocked=(ListedNumber("650"),))},
            call("+16515550100"),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > voicemail 11103",
            id="another area code is not blocked",
        ),
        pytest.param(
            {
                "blocking": BlockingSettings(
                    blocked=(ListedNumber("+1 (650) 555-0100"),),
                    blocked_greeting=Greeting("go-away"),
                )
            },
            call("+16505550100"),
            MONDAY_10,
            PlanReason.BLOCKED_NUMBER,
            "play Blocked(go-away) > disconnect Blocked",
            id="blocked number hears the custom message",
        ),
        pytest.param(
            {"blocking": BlockingSettings(blocked=(ListedNumber("650"),))},
            call("+16505550100", queue_name="Sales"),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > back to queue",
            id="personal blocking does not apply to queue calls",
        ),
        pytest.param(
            {"blocking": BlockingSettings(no_caller_id=NoCallerIdBlocking.BLOCK_CALLS_AND_FAXES)},
            call(None),
            MONDAY_10,
            PlanReason.BLOCKED_NO_CALLER_ID,
            "play BlockedNoCallerId > disconnect Blocked",
            id="no caller ID: calls and faxes blocked",
        ),
        pytest.param(
            {"blocking": BlockingSettings(no_caller_id=NoCallerIdBlocking.BLOCK_FAXES)},
            call(None),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > voicemail 11103",
            id="no caller ID: faxes-only lets calls through",
        ),
        pytest.param(
            {"blocking": BlockingSettings(no_caller_id=NoCallerIdBlocking.BLOCK_FAXES)},
            call(None, fax=True),
            MONDAY_10,
            PlanReason.BLOCKED_NO_CALLER_ID,
            "play BlockedNoCallerId > disconnect Blocked",
            id="no caller ID: faxes-only blocks a fax",
        ),
        pytest.param(
            {}, call(None, fax=True), MONDAY_10, PlanReason.FAX, "fax", id="a fax is received"
        ),
        pytest.param(
            {
                "blocking": BlockingSettings(
                    pay_phones_blocked=True, pay_phone_greeting=Greeting("no-payphones")
                )
            },
            call(pay_phone=True),
            MONDAY_10,
            PlanReason.BLOCKED_PAY_PHONE,
            "play BlockedPayPhone(no-payphones) > disconnect Blocked",
            id="pay phone blocked with its own message",
        ),
        pytest.param(
            {},
            call(pay_phone=True),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > voicemail 11103",
            id="pay phones allowed by default",
        ),
        pytest.param(
            {"blocking": BlockingSettings(robocalls=RobocallHandling.PLAY_MESSAGE_AND_DISCONNECT)},
            call(verstat=Verstat.TN_VALIDATION_FAILED),
            MONDAY_10,
            PlanReason.BLOCKED_ROBOCALL,
            "play Blocked > disconnect Blocked",
            id="robocall with failed validation is disconnected",
        ),
        pytest.param(
            {"blocking": BlockingSettings(robocalls=RobocallHandling.PLAY_MESSAGE_AND_DISCONNECT)},
            call(attestation=Attestation.C),
            MONDAY_10,
            PlanReason.BLOCKED_ROBOCALL,
            "play Blocked > disconnect Blocked",
            id="attestation C is a suspected robocall",
        ),
        pytest.param(
            {"blocking": BlockingSettings(robocalls=RobocallHandling.PLAY_MESSAGE_AND_DISCONNECT)},
            call(on_robocall_list=True),
            MONDAY_10,
            PlanReason.BLOCKED_ROBOCALL,
            "play Blocked > disconnect Blocked",
            id="a number on the robocall list",
        ),
        pytest.param(
            {
                "blocking": BlockingSettings(
                    robocalls=RobocallHandling.PLAY_MESSAGE_AND_DISCONNECT,
                    allowed=(ListedNumber("+12125550100", "Pharmacy"),),
                )
            },
            call(verstat=Verstat.NO_TN_VALIDATION),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > voicemail 11103",
            id="a trusted number is never a robocall",
        ),
        pytest.param(
            {"blocking": BlockingSettings(robocalls=RobocallHandling.PLAY_MESSAGE_AND_DISCONNECT)},
            call(verstat=Verstat.TN_VALIDATION_PASSED, attestation=Attestation.A),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > voicemail 11103",
            id="a validated caller is not a robocall",
        ),
        pytest.param(
            {"blocking": BlockingSettings(mode=BlockMode.ALL, allowed=(ListedNumber("+1212"),))},
            call("+12125550100"),
            MONDAY_10,
            PlanReason.USER_HOURS,
            f"{GUIDE_RINGS} > voicemail 11103",
            id="all calls blocked except allowed numbers",
        ),
        pytest.param(
            {"blocking": BlockingSettings(mode=BlockMode.ALL, allowed=(ListedNumber("+1212"),))},
            call("+16505550100"),
            MONDAY_10,
            PlanReason.BLOCKED_ALL_CALLS,
            "play Blocked > disconnect Blocked",
            id="all calls blocked for everyone else",
        ),
        pytest.param(
            {"blocking": BlockingSettings(mode=BlockMode.ALL)},
            call(None),
            MONDAY_10,
            PlanReason.BLOCKED_ALL_CALLS,
            "play Blocked > disconnect Blocked",
            id="all calls blocked includes withheld numbers",
        ),
    ],
)
def test_route_follows_the_guide(
    changes: dict[str, object], incoming, now: datetime, reason: PlanReason, expected: str
) -> None:
    plan = route(incoming, settings(**changes), now)
    assert (plan.reason, summary(plan)) == (reason, expected)


def test_custom_rule_beats_user_hours_rule_and_is_named_in_the_plan() -> None:
    plan = route(call("+16505550100"), settings(custom_rules=(FROM_650,)), MONDAY_10)
    assert plan.rule is not None
    assert (plan.rule.id, plan.rule.name) == ("from 650", "From 650")


def test_blocked_plan_names_the_block_list_entry() -> None:
    blocking = BlockingSettings(blocked=(ListedNumber("+1 650", "Bay Area"),))
    plan = route(call("+16505550100"), settings(blocking=blocking), MONDAY_10)
    assert plan.detail == "+1 650"
    assert plan.rule is None


def test_robocall_let_through_is_flagged() -> None:
    plan = route(call(attestation=Attestation.C), DULCINEA, MONDAY_10)
    assert plan.robocall_suspected
    assert plan.reason is PlanReason.USER_HOURS


@pytest.mark.parametrize(
    ("now", "reason"),
    [
        # America/New_York springs forward on Sunday 14 March 2027: 09:30 is 14:30 UTC
        # the Friday before and 13:30 UTC the Monday after.
        (datetime(2027, 3, 12, 14, 30, tzinfo=UTC), PlanReason.USER_HOURS),
        (datetime(2027, 3, 12, 13, 30, tzinfo=UTC), PlanReason.AFTER_HOURS),
        (datetime(2027, 3, 15, 13, 30, tzinfo=UTC), PlanReason.USER_HOURS),
        (datetime(2027, 3, 15, 12, 30, tzinfo=UTC), PlanReason.AFTER_HOURS),
        # falls back on Sunday 7 November: 16:59 local is 21:59 UTC on Monday the 8th
        (datetime(2027, 11, 5, 20, 59, tzinfo=UTC), PlanReason.USER_HOURS),
        (datetime(2027, 11, 8, 21, 59, tzinfo=UTC), PlanReason.USER_HOURS),
        (datetime(2027, 11, 8, 22, 0, tzinfo=UTC), PlanReason.AFTER_HOURS),
    ],
)
def test_user_hours_follow_new_york_wall_clock_across_dst(
    now: datetime, reason: PlanReason
) -> None:
    assert route(call(), DULCINEA, now).reason is reason


@pytest.mark.parametrize(
    ("now", "reason"),
    [
        # Europe/Paris springs forward on Sunday 28 March 2027 and falls back on 31 October
        (datetime(2027, 3, 26, 8, 0, tzinfo=UTC), PlanReason.USER_HOURS),  # 09:00 CET
        (datetime(2027, 3, 29, 7, 0, tzinfo=UTC), PlanReason.USER_HOURS),  # 09:00 CEST
        (datetime(2027, 3, 29, 6, 59, tzinfo=UTC), PlanReason.AFTER_HOURS),  # 08:59 CEST
        (datetime(2027, 11, 1, 8, 0, tzinfo=UTC), PlanReason.USER_HOURS),  # 09:00 CET
        (datetime(2027, 11, 1, 7, 59, tzinfo=UTC), PlanReason.AFTER_HOURS),
    ],
)
def test_user_hours_follow_paris_wall_clock_across_dst(now: datetime, reason: PlanReason) -> None:
    assert route(call(), settings(time_zone="Europe/Paris"), now).reason is reason


NIGHT_SHIFT = custom(
    "night shift",
    schedule=RuleSchedule(weekly=WeeklySchedule.every_day(TimeInterval.parse("01:00", "02:00"))),
    action=CallHandlingAction.TAKE_MESSAGES_ONLY,
)


@pytest.mark.parametrize(
    ("now", "applies"),
    [
        # 01:30 happens twice on 7 November 2027 in New York: both match 01:00-02:00
        (local("2027-11-07 01:30", fold=0), True),
        (local("2027-11-07 01:30", fold=1), True),
        (datetime(2027, 11, 7, 5, 30, tzinfo=UTC), True),
        (datetime(2027, 11, 7, 6, 30, tzinfo=UTC), True),
        (datetime(2027, 11, 7, 7, 30, tzinfo=UTC), False),  # 02:30 EST
    ],
)
def test_fall_back_hour_matches_twice(now: datetime, applies: bool) -> None:
    plan = route(call(), settings(custom_rules=(NIGHT_SHIFT,)), now)
    assert (plan.reason is PlanReason.CUSTOM_RULE) is applies


@pytest.mark.parametrize(
    "now",
    [
        datetime(2027, 3, 14, 6, 59, tzinfo=UTC),  # 01:59 EST
        datetime(2027, 3, 14, 7, 0, tzinfo=UTC),  # 03:00 EDT: 02:00-03:00 never happened
    ],
)
def test_skipped_spring_forward_hour_never_applies(now: datetime) -> None:
    skipped = custom(
        "skipped",
        schedule=RuleSchedule(
            weekly=WeeklySchedule.every_day(TimeInterval.parse("02:00", "03:00"))
        ),
        action=CallHandlingAction.TAKE_MESSAGES_ONLY,
    )
    assert (
        route(call(), settings(custom_rules=(skipped,)), now).reason is not PlanReason.CUSTOM_RULE
    )


def test_24_hours_covers_the_whole_day() -> None:
    all_day = custom(
        "all day",
        schedule=RuleSchedule(weekly=WeeklySchedule.every_day(TimeInterval.whole_day())),
        action=CallHandlingAction.TAKE_MESSAGES_ONLY,
    )
    for moment in ("2027-03-01 00:00", "2027-03-03 12:00", "2027-03-07 23:59"):
        assert (
            route(call(), settings(custom_rules=(all_day,)), local(moment)).reason
            is PlanReason.CUSTOM_RULE
        )


def test_aware_date_range_is_an_instant() -> None:
    outage = custom(
        "outage",
        schedule=RuleSchedule(
            date_ranges=(
                DateRange(
                    datetime(2027, 3, 1, 15, 0, tzinfo=UTC), datetime(2027, 3, 1, 16, 0, tzinfo=UTC)
                ),
            )
        ),
        action=CallHandlingAction.TAKE_MESSAGES_ONLY,
    )
    assert (
        route(call(), settings(custom_rules=(outage,)), local("2027-03-01 10:30")).reason
        is PlanReason.CUSTOM_RULE
    )
    assert (
        route(call(), settings(custom_rules=(outage,)), local("2027-03-01 11:30")).reason
        is PlanReason.USER_HOURS
    )


def test_voicemail_step_carries_greeting_recipient_and_length() -> None:
    rule = replace(
        DULCINEA.after_hours_rule,
        greetings=RuleGreetings(voicemail=Greeting("vm-away")),
        voicemail=VoicemailSettings(recipient_extension_id="11011"),
    )
    plan = route(
        call(), settings(after_hours_rule=rule, max_message_seconds=120, language="fr"), SATURDAY_10
    )
    step = plan.final_step
    assert isinstance(step, TakeMessage)
    assert step.recipient_extension_id == "11011"
    assert step.max_seconds == 120
    assert (step.greeting.kind, step.greeting.custom_greeting_id) == (
        PromptKind.VOICEMAIL_GREETING,
        "vm-away",
    )
    assert (step.greeting.language, step.greeting.name) == ("fr", "Dulcinea Dunn")


def test_default_prompt_texts_speak_the_name() -> None:
    plan = route(
        call(),
        settings(
            user_hours_rule=replace(
                USER_HOURS_RULE, greetings=RuleGreetings(introductory=Greeting())
            )
        ),
        MONDAY_10,
    )
    first = plan.steps[0]
    assert isinstance(first, PlayPrompt)
    assert first.prompt.default_text == "Thank you for calling Dulcinea Dunn."


def test_audio_while_connecting_comes_from_the_rule() -> None:
    music = ConnectingAudio(ConnectingAudioKind.MUSIC, music_track="Acoustic")
    rule = replace(USER_HOURS_RULE, greetings=RuleGreetings(connecting_audio=music))
    plan = route(call(), settings(user_hours_rule=rule), MONDAY_10)
    assert {ring.audio for ring in plan.rings} == {music}


def ring_options(plan, label: str):  # type: ignore[no-untyped-def]
    return next(leg.answer for ring in plan.rings for leg in ring.legs if leg.target.label == label)


@pytest.mark.parametrize(
    ("info", "desk_prompts", "mobile_prompts"),
    [
        (IncomingCallInfo(), (), ()),
        (IncomingCallInfo(announce=True), (), (PromptKind.CALL_ANNOUNCEMENT,)),
        (
            IncomingCallInfo(announce=True, direct_calls=AnnouncementScope.ALWAYS),
            (PromptKind.CALL_ANNOUNCEMENT,),
            (PromptKind.CALL_ANNOUNCEMENT,),
        ),
        (IncomingCallInfo(announce=True, direct_calls=AnnouncementScope.NEVER), (), ()),
        (
            IncomingCallInfo(announce=True, include_mailbox_name=False),
            (),
            (PromptKind.CALL_ANNOUNCEMENT_UNNAMED,),
        ),
    ],
)
def test_direct_call_announcement_before_connecting(
    info: IncomingCallInfo, desk_prompts, mobile_prompts
) -> None:  # type: ignore[no-untyped-def]
    plan = route(call(), settings(incoming_call_info=info), MONDAY_10)
    desk, mobile = ring_options(plan, "Desk phone"), ring_options(plan, "Mobile")
    assert tuple(p.kind for p in desk.announcement) == desk_prompts
    assert tuple(p.kind for p in mobile.announcement) == mobile_prompts
    assert desk.accept_key is None and mobile.accept_key is None
    if mobile_prompts == (PromptKind.CALL_ANNOUNCEMENT,):
        assert mobile.announcement[0].default_text == "Dulcinea Dunn, you have a call."


@pytest.mark.parametrize(
    ("info", "desk_prompts", "mobile_prompts", "mobile_name"),
    [
        (
            IncomingCallInfo(announce=True),
            (),
            (PromptKind.CALL_ANNOUNCEMENT, PromptKind.PRESS_1_TO_ACCEPT),
            "Sales",
        ),
        (
            IncomingCallInfo(announce=True, include_mailbox_name=False),
            (),
            (PromptKind.QUEUE_CALL_UNNAMED, PromptKind.PRESS_1_TO_ACCEPT),
            "",
        ),
        (
            IncomingCallInfo(announce=True, queue_calls=AnnouncementScope.ALWAYS),
            (PromptKind.CALL_ANNOUNCEMENT,),
            (PromptKind.CALL_ANNOUNCEMENT, PromptKind.PRESS_1_TO_ACCEPT),
            "Sales",
        ),
        (
            IncomingCallInfo(),
            (),
            (PromptKind.CALL_ANNOUNCEMENT, PromptKind.PRESS_1_TO_ACCEPT),
            "Sales",
        ),
    ],
)
def test_queue_calls_need_1_on_non_system_phones(
    info: IncomingCallInfo, desk_prompts, mobile_prompts, mobile_name: str
) -> None:  # type: ignore[no-untyped-def]
    plan = route(call(queue_name="Sales"), settings(incoming_call_info=info), MONDAY_10)
    desk, mobile = ring_options(plan, "Desk phone"), ring_options(plan, "Mobile")
    assert tuple(p.kind for p in desk.announcement) == desk_prompts
    assert tuple(p.kind for p in mobile.announcement) == mobile_prompts
    assert mobile.announcement[0].name == mobile_name
    assert (desk.accept_key, mobile.accept_key) == (None, "1")


@pytest.mark.parametrize(
    ("displayed", "expected"),
    [
        (DisplayedNumber.INCOMING_CALLER_ID, "+12125550100"),
        (DisplayedNumber.CALLED_NUMBER, "+14092402788"),
    ],
)
def test_number_displayed_to_me(displayed: DisplayedNumber, expected: str) -> None:
    plan = route(
        call(), settings(incoming_call_info=IncomingCallInfo(displayed_number=displayed)), MONDAY_10
    )
    assert {leg.answer.displayed_number for ring in plan.rings for leg in ring.legs} == {expected}


def test_pin_to_answer_is_asked_on_outside_phones_only() -> None:
    plan = route(call(), settings(incoming_call_info=IncomingCallInfo(require_pin=True)), MONDAY_10)
    assert {
        leg.target.label: leg.answer.require_pin for ring in plan.rings for leg in ring.legs
    } == {
        "Desktop & Mobile Apps": False,
        "Desk phone": False,
        "Home": True,
        "Mobile": True,
    }


def test_admin_blocking_guards_the_company_number() -> None:
    blocking = BlockingSettings(blocked=(ListedNumber("+1650"),))
    admin = settings(is_admin=True, blocking=blocking)
    user = settings(extension_id="11104", blocking=blocking)
    company_call = call("+16505550100", called_number="+14092400000")
    assert check_company_number_blocking(company_call, [user]) is None
    blocked = check_company_number_blocking(company_call, [user, admin])
    assert blocked is not None and blocked.reason is PlanReason.BLOCKED_NUMBER


def test_blocked_call_plays_the_message_then_disconnects() -> None:
    plan = route(
        call(pay_phone=True),
        settings(blocking=BlockingSettings(pay_phones_blocked=True)),
        MONDAY_10,
    )
    assert plan.steps == (
        PlayPrompt(plan.steps[0].prompt),  # type: ignore[union-attr]
        Disconnect(DisconnectReason.BLOCKED),
    )
    assert not plan.rings
    assert "payphones" in plan.steps[0].prompt.default_text  # type: ignore[union-attr]


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        route(call(), DULCINEA, datetime(2027, 3, 1, 10, 0))


def test_ring_steps_use_five_seconds_per_ring() -> None:
    plan = route(call(), DULCINEA, MONDAY_10)
    assert [ring.seconds for ring in plan.rings] == [5, 20, 20, 20]
    assert all(isinstance(ring, Ring) for ring in plan.rings)
    assert plan.rings[2].targets[0].value == HOME.phone_number
    assert plan.rings[3].targets[0].value == MOBILE.phone_number
