"""The settings rows of an extension and of an account, read with their defaults when
they do not exist yet and created on the first change, so every extension and account
has settings without a row per extension written up front."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from telephonist.store.answering import AccountAnsweringSettings, ExtensionAnsweringSettings
from telephonist.store.base import utcnow


def extension_settings(
    session: Session, account_id: int, extension_id: int
) -> ExtensionAnsweringSettings:
    """The extension's row, or an unsaved one holding the defaults."""
    row = session.scalar(
        select(ExtensionAnsweringSettings).where(
            ExtensionAnsweringSettings.account_id == account_id,
            ExtensionAnsweringSettings.extension_id == extension_id,
        )
    )
    if row is not None:
        return row
    return ExtensionAnsweringSettings(
        account_id=account_id,
        extension_id=extension_id,
        user_hours={},
        dnd_status="TakeAllCalls",
        user_status="Available",
        status_message="",
        allow_see_my_presence=True,
        ring_on_monitored_call=False,
        pick_up_calls_on_hold=False,
        incoming_call_info={},
        hold_music={},
        block_mode="Specific",
        no_caller_id="Allow",
        pay_phones_blocked=False,
        robocalls="RingDevicesAndApps",
    )


def extension_settings_for_change(
    session: Session, account_id: int, extension_id: int
) -> ExtensionAnsweringSettings:
    """The extension's row, added to the session so that changes to it are saved."""
    row = extension_settings(session, account_id, extension_id)
    row.updated_at = utcnow()
    session.add(row)
    return row


def account_settings(session: Session, account_id: int) -> AccountAnsweringSettings:
    """The account's row, or an unsaved one holding the defaults."""
    row = session.get(AccountAnsweringSettings, account_id)
    if row is not None:
        return row
    return AccountAnsweringSettings(
        account_id=account_id, company_hours={}, max_message_seconds=180
    )


def account_settings_for_change(session: Session, account_id: int) -> AccountAnsweringSettings:
    row = account_settings(session, account_id)
    session.add(row)
    return row
