"""Blocked calls (BLK-1..BLK-6): whether a call is refused before any rule runs, and
with which message.

In this order: a trusted (allowed) number always gets through; "all calls" mode blocks
everyone else; in "specific" mode a call is blocked for having no caller ID (calls and
faxes, or faxes only), for matching the block list (numbers or area codes, matched as
``numbers`` explains), for coming from a pay phone, or for being a suspected robocall
when robocalls play the blocked message. A blocked caller hears the message and is
disconnected; no phone rings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from telephonist.domain.answering.model import (
    DEFAULT_GREETING,
    Attestation,
    BlockingSettings,
    BlockMode,
    ExtensionSettings,
    Greeting,
    IncomingCall,
    NoCallerIdBlocking,
    RobocallHandling,
    Verstat,
)
from telephonist.domain.answering.plan import PlanReason, PromptKind

_UNTRUSTED_VERSTATS = frozenset({Verstat.TN_VALIDATION_FAILED, Verstat.NO_TN_VALIDATION})


@dataclass(frozen=True)
class Blocked:
    """Why a call is blocked and what the caller hears; ``entry`` is the block-list
    entry that matched, if any."""

    reason: PlanReason
    prompt: PromptKind
    greeting: Greeting
    entry: str = ""


def is_trusted(call: IncomingCall, blocking: BlockingSettings) -> bool:
    """The caller is on the allowed (trusted numbers) list."""
    return blocking.allowed_patterns.matches(call.caller_number)


def is_suspected_robocall(call: IncomingCall, blocking: BlockingSettings) -> bool:
    """BLK-3: on the admin's robocall list, or the carrier could not vouch for the
    caller's number (STIR/SHAKEN verification failed or absent, or attestation C).
    Trusted numbers are never robocalls."""
    suspicious = (
        call.on_robocall_list
        or call.verstat in _UNTRUSTED_VERSTATS
        or call.attestation is Attestation.C
    )
    return suspicious and not is_trusted(call, blocking)


def check_blocking(call: IncomingCall, blocking: BlockingSettings) -> Blocked | None:
    """How ``call`` is blocked by ``blocking``, or None when it gets through."""
    if is_trusted(call, blocking):
        return None
    if blocking.mode is BlockMode.ALL:
        return Blocked(PlanReason.BLOCKED_ALL_CALLS, PromptKind.BLOCKED, blocking.blocked_greeting)
    if call.caller_number is None and (
        blocking.no_caller_id is NoCallerIdBlocking.BLOCK_CALLS_AND_FAXES
        or (blocking.no_caller_id is NoCallerIdBlocking.BLOCK_FAXES and call.fax)
    ):
        return Blocked(
            PlanReason.BLOCKED_NO_CALLER_ID, PromptKind.BLOCKED_NO_CALLER_ID, DEFAULT_GREETING
        )
    if blocking.blocked_patterns.matches(call.caller_number):
        entry = next(
            listed for listed in blocking.blocked if listed.pattern.matches(call.caller_number)
        )
        return Blocked(
            PlanReason.BLOCKED_NUMBER,
            PromptKind.BLOCKED,
            blocking.blocked_greeting,
            entry.phone_number,
        )
    if call.pay_phone and blocking.pay_phones_blocked:
        return Blocked(
            PlanReason.BLOCKED_PAY_PHONE, PromptKind.BLOCKED_PAY_PHONE, blocking.pay_phone_greeting
        )
    if blocking.robocalls is RobocallHandling.PLAY_MESSAGE_AND_DISCONNECT and is_suspected_robocall(
        call, blocking
    ):
        return Blocked(PlanReason.BLOCKED_ROBOCALL, PromptKind.BLOCKED, blocking.blocked_greeting)
    return None


def check_company_number_blocking(
    call: IncomingCall, extensions: Iterable[ExtensionSettings]
) -> Blocked | None:
    """BLK-6: a call to the company number is blocked when any admin's blocking would
    block it on their own extension."""
    for settings in extensions:
        if settings.is_admin:
            blocked = check_blocking(call, settings.blocking)
            if blocked is not None:
                return blocked
    return None
