"""Dulcinea Dunn's extension as the guide shows it (Ext. 11103, New York): user hours
Monday to Friday 09:00-17:00, forwarding to her apps, desk phone, home and mobile."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from telephonist.domain.answering.model import (
    AnsweringRule,
    CallHandlingAction,
    ExtensionSettings,
    Forwarding,
    ForwardingEntry,
    ForwardingNumber,
    ForwardingNumberType,
    IncomingCall,
    RuleType,
)
from telephonist.domain.answering.schedule import WORKDAYS, TimeInterval, WeeklySchedule

NEW_YORK = "America/New_York"
DULCINEA_NUMBER = "+14092402788"
MARKETING_NUMBER = "+14092402117"

APPS = ForwardingNumber(
    "fn-apps", "Desktop & Mobile Apps", ForwardingNumberType.EXTENSION_APPS, extension_id="11103"
)
DESK = ForwardingNumber(
    "fn-desk", "Desk phone", ForwardingNumberType.PHONE_LINE, device_id="dev-desk"
)
HOME = ForwardingNumber("fn-home", "Home", ForwardingNumberType.HOME, "+16505551234")
MOBILE = ForwardingNumber("fn-mobile", "Mobile", ForwardingNumberType.MOBILE, "+16505555078")

GUIDE_FORWARDING = Forwarding(
    entries=(
        ForwardingEntry(1, (APPS,), ring_count=1),
        ForwardingEntry(2, (DESK,)),
        ForwardingEntry(3, (HOME,)),
        ForwardingEntry(4, (MOBILE,)),
    )
)

USER_HOURS_RULE = AnsweringRule(
    "business-hours-rule", RuleType.BUSINESS_HOURS, "User hours", forwarding=GUIDE_FORWARDING
)
AFTER_HOURS_RULE = AnsweringRule(
    "after-hours-rule",
    RuleType.AFTER_HOURS,
    "After hours",
    action=CallHandlingAction.TAKE_MESSAGES_ONLY,
)

DULCINEA = ExtensionSettings(
    extension_id="11103",
    extension_number="11103",
    name="Dulcinea Dunn",
    user_hours_rule=USER_HOURS_RULE,
    after_hours_rule=AFTER_HOURS_RULE,
    time_zone=NEW_YORK,
    user_hours=WeeklySchedule.every_day(TimeInterval.parse("09:00", "17:00"), days=WORKDAYS),
    forwarding_numbers=(APPS, DESK, HOME, MOBILE),
)


def local(text: str, zone: str = NEW_YORK, *, fold: int = 0) -> datetime:
    """An aware datetime from "2027-03-15 10:00" wall clock in ``zone``."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone), fold=fold)


MONDAY_10 = local("2027-03-01 10:00")
SATURDAY_10 = local("2027-03-06 10:00")


def call(caller: str | None = "+12125550100", **changes: object) -> IncomingCall:
    return replace(IncomingCall(caller, DULCINEA_NUMBER), **changes)  # type: ignore[arg-type]


def settings(**changes: object) -> ExtensionSettings:
    return replace(DULCINEA, **changes)  # type: ignore[arg-type]


def custom(rule_id: str, **fields: object) -> AnsweringRule:
    return AnsweringRule(rule_id, RuleType.CUSTOM, rule_id.title(), **fields)  # type: ignore[arg-type]
