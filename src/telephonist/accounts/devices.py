"""Devices of an extension (DEV-1) with their SIP credentials (DEV-2) and registered
emergency address (E911-1)."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from telephonist.accounts.access import require_editor
from telephonist.domain import regional
from telephonist.domain.permissions import Principal
from telephonist.domain.phone_numbers import PhoneNumberError, to_e164
from telephonist.domain.text import N_
from telephonist.errors import FieldProblem, InvalidInput, NotFound
from telephonist.store.base import utcnow
from telephonist.store.devices import Device, EmergencyAddress
from telephonist.store.extensions import Extension
from telephonist.store.telephony import Registration

DEVICE_KINDS = ("HardPhone", "SoftPhone", "OtherPhone", "WebPhone")
SIP_KINDS = ("HardPhone", "SoftPhone", "WebPhone")
BANDWIDTHS = ("High", "Low")
SIP_USERNAME_DIGITS = 10
SIP_PASSWORD_LENGTH = 16


def _random_sip_username(session: Session) -> str:
    """Ten random digits, not starting with 0, unused so far (CSPRNG)."""
    while True:
        candidate = str(secrets.randbelow(9) + 1) + "".join(
            secrets.choice(string.digits) for _ in range(SIP_USERNAME_DIGITS - 1)
        )
        if session.scalar(select(Device.id).where(Device.sip_username == candidate)) is None:
            return candidate


def _random_sip_password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(SIP_PASSWORD_LENGTH))


def add_device(
    session: Session,
    account_id: int,
    extension_id: int | None,
    *,
    kind: str,
    name: str,
    model: str = "",
    external_number: str | None = None,
    sip_username: str | None = None,
    sip_password: str | None = None,
    emergency_address_id: int | None = None,
    region: str = "US",
) -> Device:
    """A device; SIP devices get credentials from the CSPRNG unless given (demo data)."""
    if kind not in DEVICE_KINDS:
        raise InvalidInput(
            [FieldProblem("type", f"Device type must be one of {', '.join(DEVICE_KINDS)}")]
        )
    device = Device(
        account_id=account_id,
        extension_id=extension_id,
        kind=kind,
        name=name,
        model=model,
        emergency_address_id=emergency_address_id,
    )
    if kind in SIP_KINDS:
        device.sip_username = sip_username or _random_sip_username(session)
        device.sip_password = sip_password or _random_sip_password()
    else:
        if not external_number:
            raise InvalidInput(
                [FieldProblem("phoneNumber", N_("An existing phone needs its number"))]
            )
        device.external_number = check_phone(external_number, region)
    session.add(device)
    session.flush()
    return device


def online_devices(session: Session, account_id: int) -> set[int]:
    """Devices with a live registration: their status is Online (DEV-1), else Offline."""
    return set(
        session.scalars(
            select(Registration.device_id).where(
                Registration.account_id == account_id, Registration.expires_at > utcnow()
            )
        )
    )


def list_devices(session: Session, account_id: int, extension_id: int) -> list[Device]:
    return list(
        session.scalars(
            select(Device)
            .where(Device.account_id == account_id, Device.extension_id == extension_id)
            .order_by(Device.id)
        ).unique()
    )


def get_device(session: Session, account_id: int, device_id: int) -> Device:
    device = session.scalar(
        select(Device).where(Device.account_id == account_id, Device.id == device_id)
    )
    if device is None:
        raise NotFound("deviceId")
    return device


@dataclass(frozen=True)
class EmergencyAddressInput:
    """ACC-2 step 4 / DEV-1: a registered location."""

    customer_name: str
    street: str
    city: str
    postal_code: str
    country: str
    state: str = ""
    street2: str = ""


def emergency_address_problems(address: EmergencyAddressInput) -> list[FieldProblem]:
    problems = [
        FieldProblem(field, message)
        for field, message, value in (
            ("customerName", N_("Name is required"), address.customer_name),
            ("street", N_("Street is required"), address.street),
            ("city", N_("City is required"), address.city),
            ("zip", N_("Postal code is required"), address.postal_code),
        )
        if not value.strip()
    ]
    try:
        regional.country(address.country)
    except regional.RegionalSettingsError as error:
        problems.append(FieldProblem("country", str(error)))
    if address.country.upper() in ("US", "CA") and not address.state.strip():
        problems.append(
            FieldProblem("state", N_("State is required in the United States and Canada"))
        )
    return problems


def save_emergency_address(
    session: Session,
    account_id: int,
    address: EmergencyAddressInput,
    *,
    existing: EmergencyAddress | None,
    terms_accepted_at: datetime | None,
) -> EmergencyAddress:
    """Store a checked address, updating ``existing`` in place when there is one."""
    record = existing or EmergencyAddress(account_id=account_id)
    record.customer_name = address.customer_name.strip()
    record.street = address.street.strip()
    record.street2 = address.street2.strip()
    record.city = address.city.strip()
    record.state = address.state.strip()
    record.postal_code = address.postal_code.strip()
    record.country = address.country.upper()
    if terms_accepted_at is not None:
        record.terms_accepted_at = terms_accepted_at
    session.add(record)
    session.flush()
    return record


@dataclass(frozen=True)
class DeviceChange:
    """DEV-1 editable fields; ``None`` leaves a field as it is."""

    name: str | None = None
    default_area_code: str | None = None
    bandwidth: str | None = None
    hd_voice: bool | None = None
    emergency_address: EmergencyAddressInput | None = None


def update_device(
    session: Session,
    principal: Principal,
    device: Device,
    extension: Extension,
    change: DeviceChange,
) -> Device:
    """Apply DEV-1 changes to a device of ``extension`` after checking every field."""
    require_editor(principal, extension)
    problems = []
    if change.name is not None and not change.name.strip():
        problems.append(FieldProblem("name", N_("Name is required")))
    if (
        change.default_area_code is not None
        and change.default_area_code
        and not (change.default_area_code.isdigit() and 2 <= len(change.default_area_code) <= 5)
    ):
        problems.append(FieldProblem("defaultAreaCode", N_("Area code must be 2 to 5 digits")))
    if change.bandwidth is not None and change.bandwidth not in BANDWIDTHS:
        problems.append(FieldProblem("bandwidth", N_("Data usage must be High or Low")))
    if change.emergency_address is not None:
        problems += emergency_address_problems(change.emergency_address)
    if problems:
        raise InvalidInput(problems)
    if change.name is not None:
        device.name = change.name.strip()
    if change.default_area_code is not None:
        device.default_area_code = change.default_area_code
    if change.bandwidth is not None:
        device.bandwidth = change.bandwidth
    if change.hd_voice is not None:
        device.hd_voice = change.hd_voice
    if change.emergency_address is not None:
        shared = device.emergency_address
        own = _own_address(session, device)
        device.emergency_address = save_emergency_address(
            session,
            device.account_id,
            change.emergency_address,
            existing=own,
            terms_accepted_at=shared.terms_accepted_at if own is None and shared else None,
        )
    return device


def _own_address(session: Session, device: Device) -> EmergencyAddress | None:
    """The device's emergency address when no other device shares it (E911-1: moving one
    phone must not move the others registered at the same place); None otherwise, so a
    new address is stored for this device alone."""
    address = device.emergency_address
    if address is None:
        return None
    sharing = session.scalar(
        select(func.count(Device.id)).where(
            Device.account_id == device.account_id,
            Device.emergency_address_id == address.id,
            Device.id != device.id,
        )
    )
    return address if not sharing else None


def check_phone(value: str, region: str) -> str:
    """An existing phone's number, or InvalidInput naming the field."""
    try:
        return to_e164(value, region)
    except PhoneNumberError as error:
        raise InvalidInput([FieldProblem("phoneNumber", str(error))]) from error
