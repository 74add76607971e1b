"""The registrar and location service (DEV-2, RFC 3261 §10): phones register with their
own credentials; a device may hold several contacts; bindings expire, can be removed one
by one or all at once, and point at the address the REGISTER really came from (NAT).

Bindings live in memory for speed and are written behind to the database (one
transaction per second for all changes), so a restart keeps them."""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, delete, insert, select

from telephonist.calls.directory import DeviceEntry
from telephonist.sip import (
    NameAddress,
    Peer,
    SipParseError,
    SipRequest,
    SipResponse,
    SipUri,
    make_response,
    new_tag,
)
from telephonist.store.database import Database
from telephonist.store.telephony import Registration

log = logging.getLogger(__name__)

_TABLE = cast(Table, Registration.__table__)

DEFAULT_EXPIRES = 3600
MIN_EXPIRES = 60
MAX_EXPIRES = 3600
FLUSH_SECONDS = 1.0


@dataclass(frozen=True)
class Binding:
    """One registered contact of a device and where to reach it."""

    device_id: int
    account_id: int
    extension_id: int | None
    contact: NameAddress
    destination: Peer
    expires_at: float
    call_id: str
    cseq: int
    user_agent: str

    @property
    def key(self) -> str:
        return self.contact.uri.serialize()


def behind_nat(request: SipRequest, source: Peer) -> bool:
    """The phone is behind NAT when its request did not come from the address its top
    Via claims (the rport test of RFC 3581)."""
    via = request.top_via
    claimed_port = via.port or (5061 if via.transport.upper() == "TLS" else 5060)
    return via.host != source.host or claimed_port != source.port


def reach(contact: NameAddress, request: SipRequest, source: Peer) -> Peer:
    """Where to send requests for a contact: the connection or address the REGISTER
    came from for streams and for phones behind NAT, else the Contact itself."""
    uri = contact.uri
    if source.reliable or behind_nat(request, source) or not isinstance(uri, SipUri):
        return source
    transport = (uri.transport or "udp").lower()
    if transport != "udp":
        return source
    return Peer(uri.host, uri.port or 5060, "udp")


class LocationService:
    """Who is reachable where: bindings by device and by extension. Times are wall-clock
    seconds (time.time()) so they survive a restart."""

    def __init__(self) -> None:
        self._by_device: dict[int, dict[str, Binding]] = {}
        self._devices_of_extension: dict[int, set[int]] = {}
        self._expiries: list[tuple[float, int, str]] = []
        """A heap of (expiry, device, contact): sweeping looks only at what is due."""

    def bindings_of_device(self, device_id: int, now: float) -> list[Binding]:
        return [b for b in self._by_device.get(device_id, {}).values() if b.expires_at > now]

    def registered_extensions(self) -> dict[int, int]:
        """The account of every extension one of whose devices holds a binding."""
        return {
            binding.extension_id: binding.account_id
            for contacts in self._by_device.values()
            for binding in contacts.values()
            if binding.extension_id is not None
        }

    def bindings_of_extension(self, extension_id: int, now: float) -> list[Binding]:
        """Every live contact of every device of the extension (they all ring at once)."""
        found: list[Binding] = []
        for device_id in sorted(self._devices_of_extension.get(extension_id, ())):
            found.extend(self.bindings_of_device(device_id, now))
        return found

    def put(self, binding: Binding) -> None:
        self._by_device.setdefault(binding.device_id, {})[binding.key] = binding
        heapq.heappush(self._expiries, (binding.expires_at, binding.device_id, binding.key))
        if binding.extension_id is not None:
            self._devices_of_extension.setdefault(binding.extension_id, set()).add(
                binding.device_id
            )

    def remove(self, device_id: int, key: str | None = None) -> None:
        """Remove one contact, or every contact of the device."""
        contacts = self._by_device.get(device_id)
        if contacts is None:
            return
        if key is None:
            contacts.clear()
        else:
            contacts.pop(key, None)
        if not contacts:
            del self._by_device[device_id]
            for devices in self._devices_of_extension.values():
                devices.discard(device_id)

    def expire(self, now: float) -> set[int]:
        """Drop expired bindings; returns the devices that changed."""
        changed = set()
        expiries = self._expiries
        while expiries and expiries[0][0] <= now:
            expires_at, device_id, key = heapq.heappop(expiries)
            binding = self._by_device.get(device_id, {}).get(key)
            if binding is not None and binding.expires_at == expires_at:
                self.remove(device_id, key)
                changed.add(device_id)
        return changed

    def snapshot(self, device_id: int) -> list[Binding]:
        return list(self._by_device.get(device_id, {}).values())

    @property
    def count(self) -> int:
        return sum(len(contacts) for contacts in self._by_device.values())


class Registrar:
    """Handles REGISTER for authenticated devices and persists the result."""

    def __init__(self, location: LocationService, database: Database) -> None:
        self.location = location
        self.database = database
        self.on_registered: Callable[[Binding], None] | None = None
        """Told of each contact a device adds, or registers again after a reboot (a new
        Call-ID): the message light is sent then (calls.message_waiting)."""
        self._dirty: set[int] = set()
        self._flushing = asyncio.Lock()

    def register(self, request: SipRequest, source: Peer, device: DeviceEntry) -> SipResponse:
        """Apply a REGISTER (§10.3) and build its answer."""
        aor = request.to.uri
        if getattr(aor, "user", None) != device.sip_username:
            return make_response(
                request, 403, "Forbidden: register your own address", to_tag=new_tag()
            )
        now = time.time()
        default = request.expires if request.expires is not None else DEFAULT_EXPIRES
        if request.contact_is_wildcard:
            if request.expires != 0 or len(request.contacts) > 1:
                return make_response(
                    request, 400, "Wildcard Contact needs Expires: 0", to_tag=new_tag()
                )
            self.location.remove(device.device_id)
            self._dirty.add(device.device_id)
            return self._ok(request, device, now)
        try:
            contacts = request.contacts
        except SipParseError:
            return make_response(request, 400, "Malformed Contact", to_tag=new_tag())
        for contact in contacts:
            expires = contact.expires if contact.expires is not None else default
            if 0 < expires < MIN_EXPIRES:
                response = make_response(request, 423, "Interval Too Brief", to_tag=new_tag())
                response.headers.add("Min-Expires", str(MIN_EXPIRES))
                return response
        existing = {binding.key: binding for binding in self.location.snapshot(device.device_id)}
        for contact in contacts:
            expires = min(contact.expires if contact.expires is not None else default, MAX_EXPIRES)
            key = contact.uri.serialize()
            previous = existing.get(key)
            if (
                previous is not None
                and previous.call_id == request.call_id
                and request.cseq.number <= previous.cseq
            ):
                continue
            if expires == 0:
                self.location.remove(device.device_id, key)
                continue
            binding = Binding(
                device_id=device.device_id,
                account_id=device.account_id,
                extension_id=device.extension_id,
                contact=NameAddress(contact.uri),
                destination=reach(contact, request, source),
                expires_at=now + expires,
                call_id=request.call_id,
                cseq=request.cseq.number,
                user_agent=(request.headers.get("User-Agent") or "")[:200],
            )
            self.location.put(binding)
            if self.on_registered is not None and (
                previous is None or previous.call_id != request.call_id
            ):
                self.on_registered(binding)
        self._dirty.add(device.device_id)
        return self._ok(request, device, now)

    def _ok(self, request: SipRequest, device: DeviceEntry, now: float) -> SipResponse:
        response = make_response(request, 200, to_tag=new_tag())
        for binding in self.location.bindings_of_device(device.device_id, now):
            remaining = max(0, int(binding.expires_at - now))
            response.headers.add(
                "Contact", binding.contact.with_param("expires", str(remaining)).serialize()
            )
        response.headers.add("Date", datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT"))
        return response

    # -- persistence -------------------------------------------------------------------

    def load(self, devices: Iterable[DeviceEntry]) -> int:
        """Restore unexpired bindings at start; returns how many."""
        by_id = {device.device_id: device for device in devices}
        now = time.time()
        count = 0
        with self.database.transaction() as session:
            for row in session.scalars(select(Registration)):
                device = by_id.get(row.device_id)
                expires_at = row.expires_at.timestamp()
                if device is None or expires_at <= now:
                    continue
                try:
                    contact = NameAddress.parse(row.contact)
                except SipParseError:
                    continue
                self.location.put(
                    Binding(
                        device_id=device.device_id,
                        account_id=device.account_id,
                        extension_id=device.extension_id,
                        contact=contact,
                        destination=Peer(row.received_host, row.received_port, row.transport),
                        expires_at=expires_at,
                        call_id=row.call_id,
                        cseq=row.cseq,
                        user_agent=row.user_agent,
                    )
                )
                count += 1
        return count

    def expire(self) -> None:
        self._dirty |= self.location.expire(time.time())

    async def flush(self) -> None:
        """Write the changed devices' bindings (in a worker thread, one transaction)."""
        async with self._flushing:
            if not self._dirty:
                return
            changed, self._dirty = self._dirty, set()
            snapshot = {device_id: self.location.snapshot(device_id) for device_id in changed}
            try:
                await asyncio.to_thread(self._write, snapshot)
            except Exception:
                log.exception("could not save registrations; will retry")
                self._dirty |= changed

    def _write(self, snapshot: dict[int, list[Binding]]) -> None:
        """Core statements on the table (not ORM objects, nor the ORM's bulk path):
        thousands of bindings a second must stay cheap."""
        rows = [
            {
                "account_id": binding.account_id,
                "device_id": binding.device_id,
                "contact": binding.contact.serialize(),
                "received_host": binding.destination.host,
                "received_port": binding.destination.port,
                "transport": binding.destination.transport,
                "expires_at": datetime.fromtimestamp(binding.expires_at, UTC),
                "call_id": binding.call_id[:200],
                "cseq": binding.cseq,
                "user_agent": binding.user_agent,
                "updated_at": datetime.now(UTC),
            }
            for bindings in snapshot.values()
            for binding in bindings
        ]
        with self.database.transaction() as session:
            session.execute(delete(_TABLE).where(_TABLE.c.device_id.in_(snapshot)))
            if rows:
                session.execute(insert(_TABLE), rows)

    async def run_housekeeping(self) -> None:
        """Expire and persist, once a second, until cancelled."""
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            self.expire()
            await self.flush()
