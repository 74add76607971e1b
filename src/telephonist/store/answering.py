"""How calls are answered (CH-1..CH-5, BLK-1..BLK-7, PRE-1, VM-1, VM-2): answering rules,
each extension's hours, do-not-disturb and blocking settings, its blocked and allowed
numbers, and the account's own settings (company hours, message length, robocall list).

A rule keeps its conditions and actions as one JSON document in the public API's shape
(``answering.codec`` reads and writes it, through the domain model, so nothing malformed
is ever stored). Forwarding numbers are rows of ``store.extensions.ForwardingNumber``;
every device of an extension is one of them, kept so by the listeners at the end of this
module whichever code adds or moves the device."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from telephonist.store.base import Base, TenantOwned, UtcDateTime, utcnow
from telephonist.store.devices import Device
from telephonist.store.extensions import ForwardingNumber

log = logging.getLogger(__name__)

DEFAULT_MAX_MESSAGE_SECONDS = 180
MAX_FORWARDING_NUMBERS = 10
"""CH-2: ten forwarding numbers per extension, its own phones included."""
DEVICE_FORWARDING_TYPES = {
    "HardPhone": "PhoneLine",
    "SoftPhone": "PhoneLine",
    "WebPhone": "ExtensionApps",
    "OtherPhone": "Other",
}
"""The forwarding-number type each kind of device appears as: desk phones and softphones
are phone lines, the browser phone is the extension's apps, an existing phone (a mobile)
is an outside number."""

_DEFAULT_RULE = "type != 'Custom'"


class AnsweringRuleRecord(TenantOwned, Base):
    """One answering rule of an extension. The user-hours and after-hours rules have at
    most one row each (none until first changed: their defaults apply); custom rules are
    tried in ``position`` order."""

    __tablename__ = "answering_rules"
    __table_args__ = (
        Index(
            "uq_answering_rules_default",
            "extension_id",
            "type",
            unique=True,
            sqlite_where=text(_DEFAULT_RULE),
            postgresql_where=text(_DEFAULT_RULE),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    extension_id: Mapped[int] = mapped_column(
        ForeignKey("extensions.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    document: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ExtensionAnsweringSettings(TenantOwned, Base):
    """An extension's settings outside its rules; no row means every default.

    ``user_hours`` is the public API's ``weeklyRanges`` (empty: 24/7);
    ``incoming_call_info`` the CH-5 settings and ``hold_music`` the GS-5 choice, as
    ``answering.codec`` writes them."""

    __tablename__ = "answering_settings"

    extension_id: Mapped[int] = mapped_column(
        ForeignKey("extensions.id", ondelete="CASCADE"), primary_key=True
    )
    user_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dnd_status: Mapped[str] = mapped_column(String(30), default="TakeAllCalls")
    user_status: Mapped[str] = mapped_column(String(10), default="Available")
    status_message: Mapped[str] = mapped_column(String(200), default="")
    allow_see_my_presence: Mapped[bool] = mapped_column(Boolean, default=True)
    ring_on_monitored_call: Mapped[bool] = mapped_column(Boolean, default=False)
    pick_up_calls_on_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    incoming_call_info: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    hold_music: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    block_mode: Mapped[str] = mapped_column(String(10), default="Specific")
    no_caller_id: Mapped[str] = mapped_column(String(20), default="Allow")
    pay_phones_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    robocalls: Mapped[str] = mapped_column(String(30), default="RingDevicesAndApps")
    blocked_greeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("greetings.id", ondelete="SET NULL"), nullable=True
    )
    pay_phone_greeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("greetings.id", ondelete="SET NULL"), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ListedNumber(TenantOwned, Base):
    """BLK-2/BLK-3: a number or area code an extension blocks, or trusts ("Allowed");
    a number is on one list at most."""

    __tablename__ = "caller_blocking_numbers"
    __table_args__ = (UniqueConstraint("extension_id", "phone_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    extension_id: Mapped[int] = mapped_column(
        ForeignKey("extensions.id", ondelete="CASCADE"), index=True
    )
    phone_number: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(10), default="Blocked")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AccountAnsweringSettings(Base):
    """The account's company hours (public API ``weeklyRanges``, empty: 24/7) and the
    longest voicemail message an admin allows (VM-1)."""

    __tablename__ = "account_answering_settings"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    company_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    max_message_seconds: Mapped[int] = mapped_column(Integer, default=DEFAULT_MAX_MESSAGE_SECONDS)


class RobocallNumber(TenantOwned, Base):
    """BLK-3: a number or prefix the admin lists as a robocaller for the whole account."""

    __tablename__ = "robocall_numbers"
    __table_args__ = (UniqueConstraint("account_id", "phone_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone_number: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


# --- every device of an extension is one of its forwarding numbers ----------------------


def _add_device_number(connection: Connection, device: Device, extension_id: int) -> None:
    count = connection.scalar(
        select(func.count())
        .select_from(ForwardingNumber)
        .where(ForwardingNumber.extension_id == extension_id)
    )
    if (count or 0) >= MAX_FORWARDING_NUMBERS:
        log.warning(
            "extension %s has %s forwarding numbers: device %s is not added",
            extension_id,
            MAX_FORWARDING_NUMBERS,
            device.id,
        )
        return
    kind = DEVICE_FORWARDING_TYPES.get(device.kind, "PhoneLine")
    connection.execute(
        insert(ForwardingNumber).values(
            account_id=device.account_id,
            extension_id=extension_id,
            phone_number=(device.external_number or "") if kind == "Other" else "",
            label=device.name[:100],
            type=kind,
            device_id=device.id,
            target_extension_id=extension_id if kind == "ExtensionApps" else None,
        )
    )


@event.listens_for(Device, "after_insert")
def _device_added(_mapper: Mapper[Device], connection: Connection, device: Device) -> None:
    if device.extension_id is not None:
        _add_device_number(connection, device, device.extension_id)


@event.listens_for(Device, "after_update")
def _device_changed(_mapper: Mapper[Device], connection: Connection, device: Device) -> None:
    """A device given to another extension leaves the old one's list and joins the new
    one's; an existing phone's new number follows it."""
    moved = inspect(device).attrs.extension_id.history
    if moved.has_changes():
        for old in moved.deleted:
            connection.execute(
                delete(ForwardingNumber).where(
                    ForwardingNumber.device_id == device.id, ForwardingNumber.extension_id == old
                )
            )
        if device.extension_id is not None:
            _add_device_number(connection, device, device.extension_id)
    if inspect(device).attrs.external_number.history.has_changes():
        connection.execute(
            update(ForwardingNumber)
            .where(ForwardingNumber.device_id == device.id, ForwardingNumber.type == "Other")
            .values(phone_number=device.external_number or "")
        )
