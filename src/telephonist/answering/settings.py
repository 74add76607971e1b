"""Everything the router reads about an extension, loaded from the database in one go
(``load_extension_settings``), plus the settings kept beside the rules: incoming call
information (CH-5), hold music (GS-5) and the account's longest voicemail message (VM-1).

The SIP side keeps a snapshot per extension and drops it when a commit writes one of
``SETTINGS_TABLES`` (``store.database.Database.on_commit``, as ``calls.directory`` does)."""

from __future__ import annotations

import logging

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from telephonist.accounts import company
from telephonist.accounts.devices import list_devices
from telephonist.accounts.extensions import get_extension
from telephonist.accounts.users import effective_regional
from telephonist.answering import recordings, storage
from telephonist.answering.blocking import blocking_settings
from telephonist.answering.codec import (
    GreetingType,
    HoldMusicDoc,
    IncomingCallInfoDoc,
    WeeklyRangesDoc,
    hold_music,
    hold_music_document,
    incoming_call_info,
    incoming_call_info_document,
    weekly_schedule,
)
from telephonist.answering.forwarding import list_forwarding_numbers
from telephonist.answering.rules import problems_of, read_rules
from telephonist.domain.answering.errors import RuleValidationError
from telephonist.domain.answering.model import (
    Device,
    DeviceKind,
    DndStatus,
    ExtensionSettings,
    HoldMusic,
    IncomingCallInfo,
)
from telephonist.domain.answering.schedule import EMPTY_WEEK, WeeklySchedule
from telephonist.domain.text import N_
from telephonist.errors import FieldProblem, InvalidInput
from telephonist.store.accounts import Role
from telephonist.store.extensions import Extension, UserProfile
from telephonist.store.numbers import PhoneNumber

log = logging.getLogger(__name__)

SETTINGS_TABLES = frozenset(
    {
        "accounts",
        "account_answering_settings",
        "answering_rules",
        "answering_settings",
        "caller_blocking_numbers",
        "devices",
        "extensions",
        "forwarding_numbers",
        "greetings",
        "phone_numbers",
        "robocall_numbers",
        "roles",
        "user_profiles",
    }
)
"""A commit that writes any of these may change some extension's ExtensionSettings (or
the account's robocall list): cached snapshots must be loaded again."""

MIN_MESSAGE_SECONDS = 10
MAX_MESSAGE_SECONDS = 600

_DEVICE_KINDS = {
    "HardPhone": DeviceKind.DESK_PHONE,
    "SoftPhone": DeviceKind.SOFTPHONE,
    "WebPhone": DeviceKind.SOFTPHONE,
}
"""The system phones among the devices; an existing phone (OtherPhone) is an outside number."""


def load_extension_settings(
    session: Session, account_id: int, extension_id: int
) -> ExtensionSettings:
    """The extension's settings as ``route()`` reads them."""
    extension = get_extension(session, account_id, extension_id)
    account = company.get_account(session, account_id)
    regional = effective_regional(account, extension)
    numbers = list_forwarding_numbers(session, account_id, extension_id)
    rules = read_rules(session, account_id, extension_id, numbers)
    row = storage.extension_settings(session, account_id, extension_id)
    return ExtensionSettings(
        extension_id=str(extension.id),
        extension_number=extension.number,
        name=extension.name,
        user_hours_rule=rules.user_hours_rule,
        after_hours_rule=rules.after_hours_rule,
        language=regional.greeting_language,
        time_zone=regional.time_zone,
        user_hours=_schedule(row.user_hours, extension_id),
        custom_rules=rules.custom_rules,
        blocking=blocking_settings(session, account_id, extension_id),
        dnd=DndStatus(row.dnd_status),
        incoming_call_info=_incoming_call_info(row.incoming_call_info, extension_id),
        max_message_seconds=storage.account_settings(session, account_id).max_message_seconds,
        devices=tuple(
            Device(str(device.id), device.name, _DEVICE_KINDS[device.kind])
            for device in list_devices(session, account_id, extension_id)
            if device.kind in _DEVICE_KINDS
        ),
        forwarding_numbers=tuple(numbers),
        contact_numbers=company_contact_numbers(session, account_id),
        is_admin=_is_admin(session, extension),
        hold_music=_hold_music(row.hold_music, extension_id),
    )


def _schedule(document: dict[str, object], extension_id: int) -> WeeklySchedule:
    try:
        return weekly_schedule(WeeklyRangesDoc.model_validate(document))
    except (RuleValidationError, ValidationError):
        log.exception("user hours of extension %s do not read; using 24/7", extension_id)
        return EMPTY_WEEK


def _incoming_call_info(document: dict[str, object], extension_id: int) -> IncomingCallInfo:
    try:
        return incoming_call_info(IncomingCallInfoDoc.model_validate(document))
    except (RuleValidationError, ValidationError):
        log.exception("incoming call info of extension %s does not read", extension_id)
        return IncomingCallInfo()


def _hold_music(document: dict[str, object], extension_id: int) -> HoldMusic:
    try:
        return hold_music(HoldMusicDoc.model_validate(document))
    except (RuleValidationError, ValidationError):
        log.exception("hold music of extension %s does not read", extension_id)
        return HoldMusic()


def company_contact_numbers(session: Session, account_id: int) -> frozenset[str]:
    """CON-1's company contacts: every extension number and company phone number, the
    numbers screening treats as known callers (GS-2 "not in my contacts")."""
    extension_numbers = session.scalars(
        select(Extension.number).where(Extension.account_id == account_id)
    )
    phone_numbers = session.scalars(
        select(PhoneNumber.e164).where(PhoneNumber.account_id == account_id)
    )
    return frozenset((*extension_numbers, *phone_numbers))


def _is_admin(session: Session, extension: Extension) -> bool:
    """BLK-6: an admin's blocking also guards the company number."""
    is_admin = session.scalar(
        select(Role.is_admin)
        .join(UserProfile, UserProfile.role_id == Role.id)
        .where(UserProfile.extension_id == extension.id)
    )
    return bool(is_admin)


# --- incoming call information (CH-5) ---------------------------------------------------


def get_incoming_call_info(
    session: Session, account_id: int, extension_id: int
) -> IncomingCallInfo:
    get_extension(session, account_id, extension_id)
    row = storage.extension_settings(session, account_id, extension_id)
    return _incoming_call_info(row.incoming_call_info, extension_id)


def parse_incoming_call_info(document: dict[str, object]) -> IncomingCallInfo:
    """CH-5 settings from our own JSON resource; InvalidInput names the field."""
    try:
        return incoming_call_info(IncomingCallInfoDoc.model_validate(document))
    except (RuleValidationError, ValidationError) as error:
        raise problems_of(error) from error


def set_incoming_call_info(
    session: Session, account_id: int, extension_id: int, info: IncomingCallInfo
) -> IncomingCallInfo:
    get_extension(session, account_id, extension_id)
    row = storage.extension_settings_for_change(session, account_id, extension_id)
    row.incoming_call_info = incoming_call_info_document(info)
    session.flush()
    return info


# --- hold music (GS-5) ------------------------------------------------------------------


def get_hold_music(session: Session, account_id: int, extension_id: int) -> HoldMusic:
    get_extension(session, account_id, extension_id)
    row = storage.extension_settings(session, account_id, extension_id)
    return _hold_music(row.hold_music, extension_id)


def parse_hold_music(document: dict[str, object]) -> HoldMusic:
    """GS-5 settings from our own JSON resource; InvalidInput names the field."""
    try:
        return hold_music(HoldMusicDoc.model_validate(document))
    except (RuleValidationError, ValidationError) as error:
        raise problems_of(error) from error


def set_hold_music(
    session: Session, account_id: int, extension_id: int, music: HoldMusic
) -> HoldMusic:
    """Keep the choice; a custom recording must be one of the extension's own."""
    get_extension(session, account_id, extension_id)
    if music.custom_id is not None:
        greeting = recordings.find_greeting(session, account_id, extension_id, music.custom_id)
        if greeting is None or greeting.kind != GreetingType.HOLD_MUSIC.value:
            raise InvalidInput(
                [FieldProblem("customGreetingId", N_("Choose one of your hold music recordings"))]
            )
    row = storage.extension_settings_for_change(session, account_id, extension_id)
    row.hold_music = hold_music_document(music)
    session.flush()
    return music


# --- the account's message length (VM-1) ------------------------------------------------


def get_max_message_seconds(session: Session, account_id: int) -> int:
    return storage.account_settings(session, account_id).max_message_seconds


def set_max_message_seconds(session: Session, account_id: int, seconds: int) -> int:
    """An admin sets how long callers may speak (default 180 s)."""
    company.get_account(session, account_id)
    if not MIN_MESSAGE_SECONDS <= seconds <= MAX_MESSAGE_SECONDS:
        raise InvalidInput(
            [
                FieldProblem(
                    "maxMessageSeconds",
                    N_("The longest message must be between 10 and 600 seconds"),
                )
            ]
        )
    storage.account_settings_for_change(session, account_id).max_message_seconds = seconds
    session.flush()
    return seconds
