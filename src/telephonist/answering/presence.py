"""Presence and do-not-disturb (PRE-1, ``presence``): what the user publishes (status,
message, who may see it) and the DND state the router reads: take all calls (green), no
call-queue calls (orange), no calls at all (red), or queue calls only."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from telephonist.accounts.devices import list_devices, online_devices
from telephonist.accounts.extensions import get_extension
from telephonist.answering import storage
from telephonist.domain.answering.model import DndStatus
from telephonist.domain.text import N_
from telephonist.errors import FieldProblem, InvalidInput

MESSAGE_MAX = 200


class UserStatus(StrEnum):
    """What the user says they are (public API ``userStatus``)."""

    AVAILABLE = "Available"
    BUSY = "Busy"
    OFFLINE = "Offline"


@dataclass(frozen=True)
class Presence:
    """An extension's presence: its settings, and ``online`` when a phone is registered."""

    dnd_status: DndStatus
    user_status: UserStatus
    message: str
    allow_see_my_presence: bool
    ring_on_monitored_call: bool
    pick_up_calls_on_hold: bool
    online: bool

    @property
    def presence_status(self) -> UserStatus:
        """The aggregate: offline without a registered phone, busy when the user says so
        or takes no calls, else available."""
        if not self.online or self.user_status is UserStatus.OFFLINE:
            return UserStatus.OFFLINE
        if (
            self.user_status is UserStatus.BUSY
            or self.dnd_status is DndStatus.DO_NOT_ACCEPT_ANY_CALLS
        ):
            return UserStatus.BUSY
        return UserStatus.AVAILABLE


@dataclass(frozen=True)
class PresenceChange:
    """What to change; None keeps it."""

    dnd_status: DndStatus | None = None
    user_status: UserStatus | None = None
    message: str | None = None
    allow_see_my_presence: bool | None = None
    ring_on_monitored_call: bool | None = None
    pick_up_calls_on_hold: bool | None = None


def get_presence(session: Session, account_id: int, extension_id: int) -> Presence:
    get_extension(session, account_id, extension_id)
    row = storage.extension_settings(session, account_id, extension_id)
    phones = {device.id for device in list_devices(session, account_id, extension_id)}
    return Presence(
        dnd_status=DndStatus(row.dnd_status),
        user_status=UserStatus(row.user_status),
        message=row.status_message,
        allow_see_my_presence=row.allow_see_my_presence,
        ring_on_monitored_call=row.ring_on_monitored_call,
        pick_up_calls_on_hold=row.pick_up_calls_on_hold,
        online=bool(phones & online_devices(session, account_id)),
    )


def update_presence(
    session: Session, account_id: int, extension_id: int, change: PresenceChange
) -> Presence:
    """Apply ``change``; the DND state takes effect on the next call."""
    get_extension(session, account_id, extension_id)
    if change.message is not None and len(change.message) > MESSAGE_MAX:
        raise InvalidInput(
            [FieldProblem("message", N_("The status message must be at most 200 characters"))]
        )
    row = storage.extension_settings_for_change(session, account_id, extension_id)
    if change.dnd_status is not None:
        row.dnd_status = change.dnd_status.value
    if change.user_status is not None:
        row.user_status = change.user_status.value
    if change.message is not None:
        row.status_message = change.message.strip()
    if change.allow_see_my_presence is not None:
        row.allow_see_my_presence = change.allow_see_my_presence
    if change.ring_on_monitored_call is not None:
        row.ring_on_monitored_call = change.ring_on_monitored_call
    if change.pick_up_calls_on_hold is not None:
        row.pick_up_calls_on_hold = change.pick_up_calls_on_hold
    session.flush()
    return get_presence(session, account_id, extension_id)


def set_dnd(session: Session, account_id: int, extension_id: int, status: DndStatus) -> Presence:
    """PRE-1's three-colour switch (and "queue calls only")."""
    return update_presence(session, account_id, extension_id, PresenceChange(dnd_status=status))
