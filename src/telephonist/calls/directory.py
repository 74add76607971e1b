"""The SIP side's read-only picture of the company data it needs on every message:
devices and their credentials, extensions, numbers, trunks. Kept in memory so that a
REGISTER or an INVITE never waits for the database; rebuilt in a worker thread when a
commit touches those tables (portal, REST API) and every few seconds (another process,
such as the admin CLI, may have changed them)."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from telephonist.store.accounts import Account
from telephonist.store.database import Database
from telephonist.store.devices import Device, EmergencyAddress
from telephonist.store.extensions import Extension
from telephonist.store.numbers import PhoneNumber
from telephonist.store.telephony import Trunk

log = logging.getLogger(__name__)

WATCHED_TABLES = frozenset(
    {
        "accounts",
        "devices",
        "emergency_addresses",
        "extensions",
        "user_profiles",
        "phone_numbers",
        "trunks",
    }
)
REFRESH_SECONDS = 5.0


@dataclass(frozen=True)
class Location:
    """A registered emergency address (E911-1), as sent with emergency calls."""

    name: str
    street: str
    city: str
    state: str
    postal_code: str
    country: str


@dataclass(frozen=True)
class DeviceEntry:
    device_id: int
    account_id: int
    extension_id: int | None
    kind: str
    sip_username: str
    sip_password: str
    default_area_code: str
    location: Location | None


@dataclass(frozen=True)
class ExtensionEntry:
    extension_id: int
    account_id: int
    number: str
    type: str
    name: str
    enabled: bool
    direct_number: str | None
    home_country: str


@dataclass(frozen=True)
class AccountEntry:
    account_id: int
    company_name: str
    main_number: str | None
    operator_extension_id: int | None
    home_country: str


@dataclass(frozen=True)
class TrunkEntry:
    trunk_id: int
    account_id: int
    name: str
    host: str
    port: int
    transport: str
    auth_mode: str
    username: str
    password: str
    number_format: str
    addresses: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


@dataclass
class Directory:
    """One consistent snapshot."""

    accounts: dict[int, AccountEntry] = field(default_factory=dict)
    devices: dict[str, DeviceEntry] = field(default_factory=dict)
    extensions: dict[int, ExtensionEntry] = field(default_factory=dict)
    extension_numbers: dict[tuple[int, str], int] = field(default_factory=dict)
    numbers: dict[str, tuple[int, str, int | None]] = field(default_factory=dict)
    trunks: dict[int, list[TrunkEntry]] = field(default_factory=dict)

    def device(self, sip_username: str) -> DeviceEntry | None:
        return self.devices.get(sip_username)

    def extension_by_number(self, account_id: int, number: str) -> ExtensionEntry | None:
        extension_id = self.extension_numbers.get((account_id, number))
        return self.extensions.get(extension_id) if extension_id is not None else None

    def number(self, e164: str) -> tuple[int, str, int | None] | None:
        """(account id, usage, extension id) of one of our numbers."""
        return self.numbers.get(e164)

    def trunk_for_source(self, host: str) -> TrunkEntry | None:
        """The trunk a message from ``host`` comes from (IP-authenticated trunks)."""
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return None
        for trunks in self.trunks.values():
            for trunk in trunks:
                if any(address in network for network in trunk.addresses):
                    return trunk
        return None

    def outbound_trunk(self, account_id: int) -> TrunkEntry | None:
        trunks = self.trunks.get(account_id)
        return trunks[0] if trunks else None

    @classmethod
    def load(cls, session: Session) -> Directory:
        directory = cls()
        direct: dict[int, str] = {}
        for number in session.scalars(select(PhoneNumber).order_by(PhoneNumber.id)):
            directory.numbers[number.e164] = (number.account_id, number.usage, number.extension_id)
            if number.extension_id is not None and number.usage == "DirectNumber":
                direct.setdefault(number.extension_id, number.e164)
        for account in session.scalars(select(Account)):
            main = next(
                (
                    e164
                    for e164, (acc, usage, _) in directory.numbers.items()
                    if acc == account.id and usage == "MainCompanyNumber"
                ),
                None,
            )
            directory.accounts[account.id] = AccountEntry(
                account.id,
                account.company_name,
                main,
                account.operator_extension_id,
                account.home_country,
            )
        for extension in session.scalars(select(Extension)).unique():
            account_entry = directory.accounts[extension.account_id]
            directory.extensions[extension.id] = ExtensionEntry(
                extension_id=extension.id,
                account_id=extension.account_id,
                number=extension.number,
                type=extension.type,
                name=extension.name,
                enabled=extension.status == "Enabled",
                direct_number=direct.get(extension.id),
                home_country=extension.home_country or account_entry.home_country,
            )
            directory.extension_numbers[(extension.account_id, extension.number)] = extension.id
        addresses = {address.id: address for address in session.scalars(select(EmergencyAddress))}
        for device in session.scalars(
            select(Device).where(Device.sip_username.is_not(None))
        ).unique():
            address = (
                addresses.get(device.emergency_address_id) if device.emergency_address_id else None
            )
            directory.devices[device.sip_username or ""] = DeviceEntry(
                device_id=device.id,
                account_id=device.account_id,
                extension_id=device.extension_id,
                kind=device.kind,
                sip_username=device.sip_username or "",
                sip_password=device.sip_password or "",
                default_area_code=device.default_area_code,
                location=(
                    Location(
                        address.customer_name,
                        address.street,
                        address.city,
                        address.state,
                        address.postal_code,
                        address.country,
                    )
                    if address is not None
                    else None
                ),
            )
        for trunk in session.scalars(
            select(Trunk).where(Trunk.enabled.is_(True)).order_by(Trunk.id)
        ):
            directory.trunks.setdefault(trunk.account_id, []).append(_trunk_entry(trunk))
        return directory


def _trunk_entry(trunk: Trunk) -> TrunkEntry:
    networks: list[Any] = []
    for text in trunk.allowed_addresses or _resolve(trunk.host):
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            log.warning("trunk %s: ignoring address %r", trunk.name, text)
    return TrunkEntry(
        trunk_id=trunk.id,
        account_id=trunk.account_id,
        name=trunk.name,
        host=trunk.host,
        port=trunk.port,
        transport=trunk.transport,
        auth_mode=trunk.auth_mode,
        username=trunk.username,
        password=trunk.password,
        number_format=trunk.number_format,
        addresses=tuple(networks),
    )


def _resolve(host: str) -> list[str]:
    try:
        return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})
    except OSError:
        log.warning("cannot resolve trunk host %s", host)
        return []


class DirectoryCache:
    """The current snapshot, rebuilt when stale."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.current = Directory()
        self._stale = True
        self._refreshing: asyncio.Task[None] | None = None
        database.on_commit(self._on_commit)

    def _on_commit(self, tables: frozenset[str]) -> None:
        if tables & WATCHED_TABLES:
            self._stale = True

    def _load(self) -> Directory:
        with self.database.transaction() as session:
            return Directory.load(session)

    async def refresh(self) -> Directory:
        """Rebuild now (in a worker thread)."""
        self._stale = False
        self.current = await asyncio.to_thread(self._load)
        return self.current

    async def get(self) -> Directory:
        """The snapshot, rebuilt first if a commit made it stale."""
        if self._stale:
            if self._refreshing is None or self._refreshing.done():
                self._refreshing = asyncio.ensure_future(self._refresh_once())
            await asyncio.shield(self._refreshing)
        return self.current

    async def _refresh_once(self) -> None:
        await self.refresh()

    async def run_periodic_refresh(self) -> None:
        """Rebuild every few seconds in the background (changes from other processes);
        lookups keep using the previous snapshot meanwhile."""
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            try:
                self.current = await asyncio.to_thread(self._load)
            except Exception:
                log.exception("directory refresh failed; keeping the previous snapshot")
