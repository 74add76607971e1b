"""User hours (``business-hours`` of an extension) and company hours (of the account):
weekly schedules in the owner's time zone; an empty schedule means 24 hours a day, 7
days a week, as the public API returns it. Outside user hours the after-hours rule
applies (CH-1)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from telephonist.accounts import company
from telephonist.accounts.extensions import get_extension
from telephonist.answering import storage
from telephonist.answering.codec import WeeklyRangesDoc, weekly_ranges_document, weekly_schedule
from telephonist.answering.rules import problems_of
from telephonist.domain.answering.errors import RuleValidationError
from telephonist.domain.answering.schedule import WeeklySchedule

FIELD = "schedule.weeklyRanges"


def parse_weekly_ranges(document: Mapping[str, Any]) -> WeeklySchedule:
    """A schedule from the public API's ``weeklyRanges``; InvalidInput names the day."""
    try:
        return weekly_schedule(WeeklyRangesDoc.model_validate(document), field=FIELD)
    except (RuleValidationError, ValidationError) as error:
        raise problems_of(error) from error


def _stored(document: Mapping[str, Any]) -> WeeklySchedule:
    return weekly_schedule(WeeklyRangesDoc.model_validate(document), field=FIELD)


def get_user_hours(session: Session, account_id: int, extension_id: int) -> WeeklySchedule:
    """The extension's user hours (empty: always)."""
    get_extension(session, account_id, extension_id)
    return _stored(storage.extension_settings(session, account_id, extension_id).user_hours)


def set_user_hours(
    session: Session, account_id: int, extension_id: int, schedule: WeeklySchedule
) -> WeeklySchedule:
    get_extension(session, account_id, extension_id)
    row = storage.extension_settings_for_change(session, account_id, extension_id)
    row.user_hours = weekly_ranges_document(schedule)
    session.flush()
    return schedule


def get_company_hours(session: Session, account_id: int) -> WeeklySchedule:
    """The company's hours (empty: always)."""
    company.get_account(session, account_id)
    return _stored(storage.account_settings(session, account_id).company_hours)


def set_company_hours(
    session: Session, account_id: int, schedule: WeeklySchedule
) -> WeeklySchedule:
    company.get_account(session, account_id)
    row = storage.account_settings_for_change(session, account_id)
    row.company_hours = weekly_ranges_document(schedule)
    session.flush()
    return schedule
