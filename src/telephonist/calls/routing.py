"""Where a new call goes. This is the step the answering-rule engine (issue 4) replaces
with ``route(call, settings, now) -> CallPlan``; until then an extension's phones all
ring at once, outside numbers go to the company's trunk, and emergency numbers always go
out with the phone's registered address.

Pure: it decides from the directory snapshot and returns a Decision; the B2BUA carries
it out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from telephonist.calls.directory import (
    AccountEntry,
    DeviceEntry,
    Directory,
    ExtensionEntry,
    Location,
    TrunkEntry,
)
from telephonist.domain.dialing import DialledKind, classify, from_trunk
from telephonist.domain.extensions import ExtensionType

DELIVERED = frozenset({ExtensionType.USER.value, ExtensionType.MESSAGE_ONLY.value})
"""The extension types that take calls today: users (their answering rules) and
message-only extensions (they take messages). Queues, paging and the auto-receptionist
come with their features."""


@dataclass(frozen=True)
class Caller:
    """Who places the call: one of our phones, or a carrier on one of our trunks."""

    account: AccountEntry
    device: DeviceEntry | None = None
    extension: ExtensionEntry | None = None
    trunk: TrunkEntry | None = None
    number: str = ""
    name: str = ""

    @property
    def is_internal(self) -> bool:
        return self.device is not None


@dataclass(frozen=True)
class RingExtension:
    """Ring every registered phone of a user extension at once."""

    extension: ExtensionEntry
    timeout: int


@dataclass(frozen=True)
class CallOutside:
    """Send the call to the carrier."""

    trunk: TrunkEntry
    number: str
    caller_id: str
    emergency: bool = False
    location: Location | None = None


@dataclass(frozen=True)
class Refuse:
    """Answer the caller with a final error."""

    status: int
    reason: str


Decision = RingExtension | CallOutside | Refuse


class CallRouter(Protocol):
    """Turns a new call into a decision."""

    def route(self, caller: Caller, dialled: str, directory: Directory) -> Decision: ...


class RingAllRouter:
    """Issue 3's routing: no answering rules yet."""

    def __init__(self, ring_timeout: int) -> None:
        self.ring_timeout = ring_timeout

    def route(self, caller: Caller, dialled: str, directory: Directory) -> Decision:
        if caller.trunk is not None:
            return self._from_carrier(caller, dialled, directory)
        return self._from_phone(caller, dialled, directory)

    def _from_phone(self, caller: Caller, dialled: str, directory: Directory) -> Decision:
        account = caller.account
        device = caller.device
        assert device is not None
        home = caller.extension.home_country if caller.extension else account.home_country
        meaning = classify(
            dialled,
            home_country=home,
            default_area_code=device.default_area_code,
            is_extension=lambda number: (
                directory.extension_by_number(account.account_id, number) is not None
            ),
        )
        if meaning.kind is DialledKind.EMERGENCY:
            trunk = directory.outbound_trunk(account.account_id)
            if trunk is None:
                return Refuse(503, "No trunk for emergency calls")
            return CallOutside(
                trunk,
                meaning.value,
                self._caller_id(caller),
                emergency=True,
                location=device.location,
            )
        if meaning.kind is DialledKind.EXTENSION:
            target = directory.extension_by_number(account.account_id, meaning.value)
            assert target is not None
            return self._ring(target)
        if meaning.kind is DialledKind.INVALID:
            return Refuse(404, "Not Found")
        own = directory.number(meaning.value)
        if own is not None and own[0] == account.account_id:
            return self._to_our_number(account, own[1], own[2], directory)
        if device.location is None:
            return Refuse(403, "Emergency address required for outside calls")
        trunk = directory.outbound_trunk(account.account_id)
        if trunk is None:
            return Refuse(503, "No trunk for outside calls")
        return CallOutside(trunk, meaning.value, self._caller_id(caller))

    def _from_carrier(self, caller: Caller, dialled: str, directory: Directory) -> Decision:
        e164 = from_trunk(dialled, home_country=caller.account.home_country)
        own = directory.number(e164) if e164 else None
        if own is None or own[0] != caller.account.account_id:
            return Refuse(404, "Not Found")
        return self._to_our_number(caller.account, own[1], own[2], directory)

    def _to_our_number(
        self, account: AccountEntry, usage: str, extension_id: int | None, directory: Directory
    ) -> Decision:
        """A direct number rings its extension; the company number rings the operator
        until the auto-receptionist exists."""
        if usage == "MainCompanyNumber":
            extension_id = account.operator_extension_id
        target = directory.extensions.get(extension_id) if extension_id is not None else None
        if target is None:
            return Refuse(480, "Temporarily Unavailable")
        return self._ring(target)

    def _ring(self, target: ExtensionEntry) -> Decision:
        if not target.enabled:
            return Refuse(480, "Temporarily Unavailable")
        if target.type not in DELIVERED:
            return Refuse(480, "Temporarily Unavailable")
        return RingExtension(target, self.ring_timeout)

    @staticmethod
    def _caller_id(caller: Caller) -> str:
        """The user's direct number, else the company number."""
        if caller.extension is not None and caller.extension.direct_number:
            return caller.extension.direct_number
        return caller.account.main_number or ""
