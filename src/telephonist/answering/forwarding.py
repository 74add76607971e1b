"""An extension's forwarding numbers (CH-2, ``forwarding-number``): the phones its rules
may ring. Its own devices are on the list by themselves (``store.answering`` keeps them
there); the user adds outside numbers (Home, Mobile, Work, Other...), another user's phone
("PhoneLine" with that device) or another extension's apps, ten numbers in all."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from telephonist.accounts import company
from telephonist.accounts.extensions import get_extension
from telephonist.domain.answering.model import (
    MAX_FORWARDING_NUMBERS,
    Forwarding,
    ForwardingEntry,
    ForwardingNumber,
    ForwardingNumberType,
)
from telephonist.domain.extensions import ExtensionType
from telephonist.domain.phone_numbers import PhoneNumberError, to_e164
from telephonist.domain.text import N_
from telephonist.errors import Conflict, FieldProblem, InvalidInput, NotFound
from telephonist.store.devices import Device
from telephonist.store.extensions import Extension
from telephonist.store.extensions import ForwardingNumber as ForwardingNumberRow

LABEL_MAX = 100
OUTSIDE_TYPES = frozenset(
    {
        ForwardingNumberType.HOME,
        ForwardingNumberType.MOBILE,
        ForwardingNumberType.WORK,
        ForwardingNumberType.OTHER,
        ForwardingNumberType.OUTAGE,
        ForwardingNumberType.BUSINESS_MOBILE_PHONE,
    }
)
DEFAULT_RING_COUNT = 4
"""4 rings, 20 seconds, on each phone of a rule nobody has set up yet."""


@dataclass(frozen=True)
class ForwardingNumberInput:
    """A forwarding number to add: an outside ``phone_number`` (typed as people write
    it), another user's device (PhoneLine, ``device_id``) or an extension's apps
    (ExtensionApps, ``extension_id``). An empty label takes the type's name."""

    type: ForwardingNumberType
    phone_number: str = ""
    label: str = ""
    device_id: int | None = None
    extension_id: int | None = None


@dataclass(frozen=True)
class ForwardingNumberChange:
    """What to change; None keeps it. A device's number and type follow the device."""

    phone_number: str | None = None
    label: str | None = None
    type: ForwardingNumberType | None = None


def _rows(session: Session, account_id: int, extension_id: int) -> list[ForwardingNumberRow]:
    """Phones first (in the order they were added), then outside numbers in ring order."""
    return list(
        session.scalars(
            select(ForwardingNumberRow)
            .where(
                ForwardingNumberRow.account_id == account_id,
                ForwardingNumberRow.extension_id == extension_id,
            )
            .order_by(
                ForwardingNumberRow.device_id.is_(None),
                ForwardingNumberRow.position,
                ForwardingNumberRow.id,
            )
        )
    )


def _device_owners(
    session: Session, account_id: int, rows: Sequence[ForwardingNumberRow]
) -> dict[int, int | None]:
    device_ids = [row.device_id for row in rows if row.device_id is not None]
    if not device_ids:
        return {}
    rows_found = session.execute(
        select(Device.id, Device.extension_id).where(
            Device.account_id == account_id, Device.id.in_(device_ids)
        )
    )
    return {device_id: owner for device_id, owner in rows_found}


def _number(row: ForwardingNumberRow, owners: dict[int, int | None]) -> ForwardingNumber | None:
    """The domain value of a row; None for a row that can no longer ring anything."""
    try:
        kind = ForwardingNumberType(row.type)
    except ValueError:
        return None
    other_user = None
    if row.device_id is not None:
        owner = owners.get(row.device_id)
        if owner is not None and owner != row.extension_id:
            other_user = str(owner)
    if kind is ForwardingNumberType.EXTENSION_APPS:
        other_user = str(row.target_extension_id) if row.target_extension_id else None
    if kind is ForwardingNumberType.PHONE_LINE and row.device_id is None:
        return None
    if kind is ForwardingNumberType.EXTENSION_APPS and other_user is None:
        return None
    if kind in OUTSIDE_TYPES and not row.phone_number:
        return None
    return ForwardingNumber(
        id=str(row.id),
        label=row.label,
        type=kind,
        phone_number=row.phone_number,
        device_id=str(row.device_id) if row.device_id is not None else None,
        extension_id=other_user,
    )


def list_forwarding_numbers(
    session: Session, account_id: int, extension_id: int
) -> list[ForwardingNumber]:
    """The extension's forwarding numbers, its phones first."""
    rows = _rows(session, account_id, extension_id)
    owners = _device_owners(session, account_id, rows)
    numbers = (_number(row, owners) for row in rows)
    return [number for number in numbers if number is not None][:MAX_FORWARDING_NUMBERS]


def get_forwarding_number(
    session: Session, account_id: int, extension_id: int, number_id: str
) -> ForwardingNumber:
    """One forwarding number of the extension; any other id is not found."""
    for number in list_forwarding_numbers(session, account_id, extension_id):
        if number.id == number_id:
            return number
    raise NotFound("forwardingNumberId")


def is_own_device(number: ForwardingNumber, extension_id: int) -> bool:
    """One of the extension's own devices: on the list because the device is."""
    return number.device_id is not None and number.extension_id in (None, str(extension_id))


def default_forwarding(numbers: Sequence[ForwardingNumber], extension_id: int) -> Forwarding:
    """What a rule nobody set up rings: the extension's own phones one after the other,
    4 rings each, then voicemail."""
    own = [number for number in numbers if is_own_device(number, extension_id)]
    return Forwarding(
        entries=tuple(
            ForwardingEntry(index, (number,), DEFAULT_RING_COUNT)
            for index, number in enumerate(own, start=1)
        )
    )


def _row(
    session: Session, account_id: int, extension_id: int, number_id: str
) -> ForwardingNumberRow:
    if not number_id.isdigit():
        raise NotFound("forwardingNumberId")
    row = session.scalar(
        select(ForwardingNumberRow).where(
            ForwardingNumberRow.account_id == account_id,
            ForwardingNumberRow.extension_id == extension_id,
            ForwardingNumberRow.id == int(number_id),
        )
    )
    if row is None:
        raise NotFound("forwardingNumberId")
    return row


def _outside_number(session: Session, account_id: int, text: str) -> str:
    account = company.get_account(session, account_id)
    try:
        return to_e164(text, account.home_country)
    except PhoneNumberError as error:
        raise InvalidInput([FieldProblem("phoneNumber", str(error))]) from error


def _label(label: str, kind: ForwardingNumberType) -> str:
    label = label.strip() or kind.value
    if len(label) > LABEL_MAX:
        raise InvalidInput([FieldProblem("label", N_("The label must be at most 100 characters"))])
    return label


def _check_room(session: Session, account_id: int, extension_id: int) -> None:
    count = session.scalar(
        select(func.count())
        .select_from(ForwardingNumberRow)
        .where(
            ForwardingNumberRow.account_id == account_id,
            ForwardingNumberRow.extension_id == extension_id,
        )
    )
    if (count or 0) >= MAX_FORWARDING_NUMBERS:
        raise InvalidInput(
            [
                FieldProblem(
                    "forwardingNumber",
                    N_("An extension has at most 10 forwarding numbers: remove one first"),
                )
            ]
        )


def _check_not_listed(rows: Sequence[ForwardingNumberRow], candidate: ForwardingNumberRow) -> None:
    for row in rows:
        if row.id == candidate.id:
            continue
        same = (
            (candidate.device_id is not None and row.device_id == candidate.device_id)
            or (
                candidate.target_extension_id is not None
                and row.type == candidate.type
                and row.target_extension_id == candidate.target_extension_id
            )
            or (candidate.phone_number and row.phone_number == candidate.phone_number)
        )
        if same:
            raise Conflict("phoneNumber", N_("This phone is already one of the forwarding numbers"))


def add_forwarding_number(
    session: Session, account_id: int, extension_id: int, new: ForwardingNumberInput
) -> ForwardingNumber:
    """Add a number at the end of the list (the 11th is refused)."""
    get_extension(session, account_id, extension_id)
    _check_room(session, account_id, extension_id)
    rows = _rows(session, account_id, extension_id)
    row = ForwardingNumberRow(
        account_id=account_id,
        extension_id=extension_id,
        type=new.type.value,
        label=_label(new.label, new.type),
        phone_number="",
        position=max((r.position for r in rows), default=0) + 1,
    )
    if new.type is ForwardingNumberType.PHONE_LINE:
        row.device_id = _other_phone(session, account_id, new.device_id).id
    elif new.type is ForwardingNumberType.EXTENSION_APPS:
        row.target_extension_id = _apps_of(session, account_id, new.extension_id).id
    else:
        row.phone_number = _outside_number(session, account_id, new.phone_number)
    _check_not_listed(rows, row)
    session.add(row)
    session.flush()
    return get_forwarding_number(session, account_id, extension_id, str(row.id))


def _other_phone(session: Session, account_id: int, device_id: int | None) -> Device:
    """A desk phone or softphone of this account (CH-2: "forward to other users' phones")."""
    if device_id is None:
        raise InvalidInput([FieldProblem("device.id", N_("Choose the phone to forward to"))])
    device = session.scalar(
        select(Device).where(Device.account_id == account_id, Device.id == device_id)
    )
    if device is None or device.extension_id is None:
        raise InvalidInput(
            [FieldProblem("device.id", N_("This phone is not one of the company's phones"))]
        )
    if device.kind == "OtherPhone":
        raise InvalidInput(
            [FieldProblem("device.id", N_("Forward to an existing phone by its phone number"))]
        )
    return device


def _apps_of(session: Session, account_id: int, extension_id: int | None) -> Extension:
    if extension_id is None:
        raise InvalidInput([FieldProblem("extension.id", N_("Choose whose apps to ring"))])
    try:
        extension = get_extension(session, account_id, extension_id)
    except NotFound:
        raise InvalidInput(
            [FieldProblem("extension.id", N_("This extension is not one of the company's"))]
        ) from None
    if extension.type != ExtensionType.USER.value:
        raise InvalidInput(
            [FieldProblem("extension.id", N_("Only users have desktop and mobile apps"))]
        )
    return extension


def update_forwarding_number(
    session: Session,
    account_id: int,
    extension_id: int,
    number_id: str,
    change: ForwardingNumberChange,
) -> ForwardingNumber:
    """Rename any number; change an outside number's number or type."""
    row = _row(session, account_id, extension_id, number_id)
    kind = ForwardingNumberType(row.type)
    outside = kind in OUTSIDE_TYPES
    if change.type is not None and change.type is not kind:
        if not (outside and change.type in OUTSIDE_TYPES):
            raise InvalidInput(
                [FieldProblem("type", N_("Only an outside number's type can be changed"))]
            )
        kind = change.type
        row.type = kind.value
    if change.phone_number is not None and change.phone_number != row.phone_number:
        if not outside:
            raise InvalidInput(
                [FieldProblem("phoneNumber", N_("A phone's number cannot be changed here"))]
            )
        row.phone_number = _outside_number(session, account_id, change.phone_number)
        _check_not_listed(_rows(session, account_id, extension_id), row)
    if change.label is not None:
        row.label = _label(change.label, kind)
    session.flush()
    return get_forwarding_number(session, account_id, extension_id, number_id)


def remove_forwarding_number(
    session: Session, account_id: int, extension_id: int, number_id: str
) -> None:
    """Take a number off the list; rules that rang it no longer do. The extension's own
    phones leave the list only with the device."""
    row = _row(session, account_id, extension_id, number_id)
    if row.device_id is not None:
        owner = session.scalar(select(Device.extension_id).where(Device.id == row.device_id))
        if owner == extension_id:
            raise InvalidInput(
                [
                    FieldProblem(
                        "forwardingNumberId",
                        N_("This is one of your phones: it stays on the list while it is yours"),
                    )
                ]
            )
    session.delete(row)
    session.flush()
