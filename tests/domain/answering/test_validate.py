"""CH-4 "Validate rules": overlapping, conflicting, shadowed and unusable custom rules."""

from __future__ import annotations

from datetime import datetime

import pytest

from telephonist.domain.answering.model import (
    AnsweringRule,
    CallerCondition,
    CallHandlingAction,
    Forwarding,
)
from telephonist.domain.answering.schedule import (
    WEEKDAYS,
    WORKDAYS,
    DateRange,
    RuleSchedule,
    ScheduleRef,
    TimeInterval,
    WeeklySchedule,
)
from telephonist.domain.answering.validate import FindingKind, validate_rules
from telephonist.i18n import gettext_for
from tests.domain.answering.builders import DULCINEA, GUIDE_FORWARDING, MARKETING_NUMBER, custom

MESSAGES = CallHandlingAction.TAKE_MESSAGES_ONLY
ANNOUNCE = CallHandlingAction.PLAY_ANNOUNCEMENT_ONLY


def weekly(start: str, end: str, days: tuple = WORKDAYS) -> RuleSchedule:  # type: ignore[type-arg]
    return RuleSchedule(weekly=WeeklySchedule.every_day(TimeInterval.parse(start, end), days=days))


def holidays(*spans: tuple[str, str]) -> RuleSchedule:
    return RuleSchedule(
        date_ranges=tuple(
            DateRange(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in spans
        )
    )


def rule(name: str, action: CallHandlingAction = MESSAGES, **conditions: object) -> AnsweringRule:
    return custom(name, action=action, **conditions)


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        pytest.param(
            [
                rule("lunch", schedule=weekly("12:00", "13:00")),
                rule("evening", schedule=weekly("18:00", "20:00")),
            ],
            [],
            id="separate times do not overlap",
        ),
        pytest.param(
            [
                rule("lunch", schedule=weekly("12:00", "13:00")),
                rule("long lunch", ANNOUNCE, schedule=weekly("12:30", "14:00")),
            ],
            [(FindingKind.CONFLICT, ("lunch", "long lunch"))],
            id="overlapping times with different actions conflict",
        ),
        pytest.param(
            [
                rule("lunch", schedule=weekly("12:00", "13:00")),
                rule("long lunch", schedule=weekly("12:30", "14:00")),
            ],
            [(FindingKind.OVERLAP, ("lunch", "long lunch"))],
            id="overlapping times with the same handling overlap",
        ),
        pytest.param(
            [
                rule("afternoon", schedule=weekly("12:00", "18:00")),
                rule("lunch", ANNOUNCE, schedule=weekly("12:30", "13:30")),
            ],
            [(FindingKind.SHADOWED, ("afternoon", "lunch"))],
            id="a rule inside an earlier one is shadowed",
        ),
        pytest.param(
            [
                rule("lunch", ANNOUNCE, schedule=weekly("12:30", "13:30")),
                rule("afternoon", schedule=weekly("12:00", "18:00")),
            ],
            [(FindingKind.CONFLICT, ("lunch", "afternoon"))],
            id="the narrower rule first is only a conflict",
        ),
        pytest.param(
            [
                rule("nights", schedule=weekly("22:00", "06:00")),
                rule("early", ANNOUNCE, schedule=weekly("05:00", "07:00")),
            ],
            [(FindingKind.CONFLICT, ("nights", "early"))],
            id="ranges crossing midnight overlap the next morning",
        ),
        pytest.param(
            [
                rule("sunday night", schedule=weekly("22:00", "06:00", (WEEKDAYS[6],))),
                rule("monday dawn", ANNOUNCE, schedule=weekly("05:00", "07:00", (WEEKDAYS[0],))),
            ],
            [(FindingKind.CONFLICT, ("sunday night", "monday dawn"))],
            id="sunday night runs into monday",
        ),
        pytest.param(
            [
                rule("bay area", callers=(CallerCondition("+1650"),)),
                rule("one number", ANNOUNCE, callers=(CallerCondition("+1 (650) 555-1234"),)),
            ],
            [(FindingKind.SHADOWED, ("bay area", "one number"))],
            id="a partial caller ID shadows a number it covers",
        ),
        pytest.param(
            [
                rule("bay area", callers=(CallerCondition("+1650"),)),
                rule("new york", ANNOUNCE, callers=(CallerCondition("+1212"),)),
            ],
            [],
            id="different callers never overlap",
        ),
        pytest.param(
            [
                rule("bay area", callers=(CallerCondition("+1650"),)),
                rule("marketing", ANNOUNCE, called_numbers=(MARKETING_NUMBER,)),
            ],
            [(FindingKind.CONFLICT, ("bay area", "marketing"))],
            id="caller and called-number rules can meet",
        ),
        pytest.param(
            [
                rule("christmas", schedule=holidays(("2027-12-24", "2027-12-26"))),
                rule("new year", ANNOUNCE, schedule=holidays(("2027-12-31", "2028-01-02"))),
            ],
            [],
            id="separate holidays",
        ),
        pytest.param(
            [
                rule("year end", schedule=holidays(("2027-12-20", "2028-01-03"))),
                rule("christmas", ANNOUNCE, schedule=holidays(("2027-12-24", "2027-12-26"))),
            ],
            [(FindingKind.SHADOWED, ("year end", "christmas"))],
            id="a holiday inside an earlier holiday is shadowed",
        ),
        pytest.param(
            [
                rule("lunch", schedule=weekly("12:00", "13:00")),
                rule(
                    "christmas eve",
                    ANNOUNCE,
                    schedule=holidays(("2027-12-24 10:00", "2027-12-24 12:30")),
                ),
            ],
            [(FindingKind.CONFLICT, ("lunch", "christmas eve"))],
            id="a weekly rule meets a date range on the same weekday and time",
        ),
        pytest.param(
            [
                rule("weekend lunch", schedule=weekly("12:00", "13:00", WEEKDAYS[5:])),
                rule(
                    "christmas eve",
                    ANNOUNCE,
                    schedule=holidays(("2027-12-24 10:00", "2027-12-24 12:30")),
                ),
            ],
            [],
            id="christmas eve 2027 is a friday, not a weekend",
        ),
        pytest.param(
            [
                rule("office", schedule=RuleSchedule(ref=ScheduleRef.BUSINESS_HOURS)),
                rule("closed", ANNOUNCE, schedule=RuleSchedule(ref=ScheduleRef.AFTER_HOURS)),
            ],
            [],
            id="business hours and after hours never meet",
        ),
        pytest.param(
            [
                rule("office", schedule=RuleSchedule(ref=ScheduleRef.BUSINESS_HOURS)),
                rule("lunch", ANNOUNCE, schedule=weekly("12:00", "13:00")),
            ],
            [(FindingKind.SHADOWED, ("office", "lunch"))],
            id="a lunch rule inside user hours is shadowed by a business-hours rule",
        ),
        pytest.param(
            [rule("everything")],
            [(FindingKind.NO_CONDITIONS, ("everything",))],
            id="a rule without condition takes every call",
        ),
        pytest.param(
            [rule("never", schedule=RuleSchedule(weekly=WeeklySchedule()))],
            [(FindingKind.EMPTY_SCHEDULE, ("never",))],
            id="an empty weekly schedule never applies",
        ),
        pytest.param(
            [
                rule(
                    "nobody",
                    CallHandlingAction.FORWARD_CALLS,
                    callers=(CallerCondition("650"),),
                    forwarding=Forwarding(),
                )
            ],
            [(FindingKind.NOTHING_RINGS, ("nobody",))],
            id="forwarding with no active number",
        ),
        pytest.param(
            [
                rule("lunch", schedule=weekly("12:00", "13:00")),
                rule("lunch again", ANNOUNCE, enabled=False, schedule=weekly("12:00", "13:00")),
            ],
            [],
            id="disabled rules are not compared",
        ),
    ],
)
def test_validate_rules(
    rules: list[AnsweringRule], expected: list[tuple[FindingKind, tuple[str, ...]]]
) -> None:
    findings = validate_rules(rules, user_hours=DULCINEA.user_hours)
    assert [(f.kind, f.rule_ids) for f in findings] == expected


def test_findings_name_the_rules_in_both_languages() -> None:
    rules = [
        custom("Lunch", action=MESSAGES, schedule=weekly("12:00", "18:00")),
        custom("Late lunch", action=ANNOUNCE, schedule=weekly("12:30", "13:30")),
    ]
    (finding,) = validate_rules(rules)
    assert finding.message.render() == (
        '"Late Lunch" never applies: "Lunch" comes first and takes every call it would.'
    )
    assert finding.message.render(gettext_for("fr").gettext) == (
        "« Late Lunch » ne s'applique jamais : « Lunch » passe avant et prend tous ses appels."
    )


def test_same_forwarding_is_the_same_handling() -> None:
    rules = [
        rule(
            "a",
            CallHandlingAction.FORWARD_CALLS,
            schedule=weekly("09:00", "10:00"),
            forwarding=GUIDE_FORWARDING,
        ),
        rule(
            "b",
            CallHandlingAction.FORWARD_CALLS,
            schedule=weekly("09:30", "11:00"),
            forwarding=GUIDE_FORWARDING,
        ),
    ]
    assert [f.kind for f in validate_rules(rules)] == [FindingKind.OVERLAP]
