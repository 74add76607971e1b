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

from telephonist.sip import Peer
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

    @property
    def destination(self) -> Peer:
        """Where to send to the trunk: its address when it has a single one, else its host."""
        single = [network for network in self.addresses if network.num_addresses == 1]
        host = str(single[0].network_address) if single else self.host
        return Peer(host, self.port, self.transport)


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
        extension_rows = session.execute(
            select(
                Extension.id,
                Extension.account_id,
                Extension.number,
                Extension.type,
                Extension.name,
                Extension.status,
                Extension.home_country,
            )
        )
        for (
            extension_id,
            account_id,
            short_number,
            kind,
            name,
            status,
            home_country,
        ) in extension_rows:
            directory.extensions[extension_id] = ExtensionEntry(
                extension_id=extension_id,
                account_id=account_id,
                number=short_number,
                type=kind,
                name=name,
                enabled=status == "Enabled",
                direct_number=direct.get(extension_id),
                home_country=home_country or directory.accounts[account_id].home_country,
            )
            directory.extension_numbers[(account_id, short_number)] = extension_id
        locations = {
            row[0]: Location(*row[1:])
            for row in session.execute(
                select(
                    EmergencyAddress.id,
                    EmergencyAddress.customer_name,
                    EmergencyAddress.street,
                    EmergencyAddress.city,
                    EmergencyAddress.state,
                    EmergencyAddress.postal_code,
                    EmergencyAddress.country,
                )
            )
        }
        device_rows = session.execute(
            select(
                Device.id,
                Device.account_id,
                Device.extension_id,
                Device.kind,
                Device.sip_username,
                Device.sip_password,
                Device.default_area_code,
                Device.emergency_address_id,
            ).where(Device.sip_username.is_not(None))
        )
        for row in device_rows:
            username = row.sip_username or ""
            directory.devices[username] = DeviceEntry(
                device_id=row.id,
                account_id=row.account_id,
                extension_id=row.extension_id,
                kind=row.kind,
                sip_username=username,
                sip_password=row.sip_password or "",
                default_area_code=row.default_area_code,
                location=locations.get(row.emergency_address_id),
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

    def fresh(self) -> Directory | None:
        """The snapshot when no commit has made it stale (no need to wait)."""
        return None if self._stale else self.current

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
