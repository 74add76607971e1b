"""JSON of call handling at the public API's paths (``answering-rule``, ``business-hours``,
``forwarding-number``, ``caller-blocking``, ``greeting``, ``presence``) and of our own
resources under the same conventions (rule preview and validation, incoming call
information, the account's answering settings and robocall list). A rule's body is
``codec.RuleDoc``; this module adds ``uri``s and maps the other resources."""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any, Literal

from fastapi import Request
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from telephonist.accounts.schemas import API, extension_path, iso_time
from telephonist.answering.blocking import ListStatus
from telephonist.answering.codec import (
    PRESETS_BY_ID,
    GreetingCategory,
    GreetingDoc,
    GreetingType,
    IdDoc,
    Preset,
    WeeklyRangesDoc,
    forwarding_number_document,
    preset,
    rule_document,
    weekly_ranges_document,
)
from telephonist.answering.presence import Presence, UserStatus
from telephonist.api.paging import absolute_uri
from telephonist.domain.answering.model import (
    AnsweringRule,
    BlockingSettings,
    BlockMode,
    DndStatus,
    ForwardingNumber,
    ForwardingNumberType,
    Greeting,
    NoCallerIdBlocking,
    RobocallHandling,
)
from telephonist.domain.answering.plan import CallPlan
from telephonist.domain.answering.schedule import WeeklySchedule
from telephonist.domain.answering.validate import Finding
from telephonist.domain.answering.wording import Translate
from telephonist.store.answering import ListedNumber, RobocallNumber
from telephonist.store.extensions import Extension
from telephonist.store.identity import Greeting as GreetingRow


class _Body(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


# --- paths ------------------------------------------------------------------------------


def rules_path(account_id: int, extension_id: int) -> str:
    return f"{extension_path(account_id, extension_id)}/answering-rule"


def greeting_path(account_id: int, extension_id: int, greeting_id: str) -> str:
    return f"{extension_path(account_id, extension_id)}/greeting/{greeting_id}"


def preset_uri(request: Request, preset_id: str) -> str:
    return absolute_uri(request, f"{API}/dictionary/greeting/{preset_id}")


# --- answering rules --------------------------------------------------------------------


def rule_json(
    request: Request, extension: Extension, rule: AnsweringRule, *, detailed: bool = True
) -> dict[str, Any]:
    """A rule with ``uri``s; the Simple view has only uri, id, type, name, enabled."""
    account_id, extension_id = extension.account_id, extension.id
    document = rule_document(rule)
    body: dict[str, Any] = {
        "uri": absolute_uri(request, f"{rules_path(account_id, extension_id)}/{rule.id}"),
        **document,
    }
    if not detailed:
        return {key: body[key] for key in ("uri", "id", "type", "name", "enabled")}
    numbers_path = f"{extension_path(account_id, extension_id)}/forwarding-number"
    for entry in body["forwarding"]["rules"]:
        for number in entry["forwardingNumbers"]:
            number["uri"] = absolute_uri(request, f"{numbers_path}/{number['id']}")
    recipient = body["voicemail"].setdefault("recipient", {"id": str(extension_id)})
    recipient["uri"] = absolute_uri(request, extension_path(account_id, int(recipient["id"])))
    for greeting in body["greetings"]:
        if "preset" in greeting:
            greeting["preset"]["uri"] = preset_uri(request, greeting["preset"]["id"])
        else:
            custom = greeting["custom"]
            custom["uri"] = absolute_uri(
                request, greeting_path(account_id, extension_id, custom["id"])
            )
    return body


def schedule_json(request: Request, path: str, schedule: WeeklySchedule) -> dict[str, Any]:
    """``business-hours`` of an extension or of the company."""
    return {
        "uri": absolute_uri(request, path),
        "schedule": {"weeklyRanges": weekly_ranges_document(schedule)},
    }


class ScheduleBody(_Body):
    weekly_ranges: WeeklyRangesDoc = WeeklyRangesDoc()


class BusinessHoursBody(_Body):
    """PUT ``business-hours``: ``{"schedule": {"weeklyRanges": {...}}}``; ``{}`` is 24/7."""

    schedule: ScheduleBody


# --- forwarding numbers -----------------------------------------------------------------


def forwarding_number_json(
    request: Request, extension: Extension, number: ForwardingNumber, apps_of: Extension | None
) -> dict[str, Any]:
    """``apps_of`` is the extension an ExtensionApps number rings."""
    path = f"{extension_path(extension.account_id, extension.id)}/forwarding-number/{number.id}"
    body = {
        "uri": absolute_uri(request, path),
        **forwarding_number_document(number),
        "features": ["CallForwarding"],
    }
    if number.device_id is not None:
        body["device"] = {"id": number.device_id}
    if apps_of is not None:
        body["extension"] = {
            "id": str(apps_of.id),
            "name": apps_of.name,
            "extensionNumber": apps_of.number,
        }
    return body


class ForwardingNumberBody(_Body):
    """POST and PUT ``forwarding-number``. ``device.id`` names another user's phone
    (PhoneLine) and ``extension.id`` whose apps ring (ExtensionApps, our addition)."""

    phone_number: str | None = None
    label: str | None = None
    type: ForwardingNumberType | None = None
    device: IdDoc | None = None
    extension: IdDoc | None = None


# --- caller blocking --------------------------------------------------------------------


def _blocking_greeting(
    request: Request, kind: GreetingType, greeting: Greeting, extension: Extension
) -> dict[str, Any]:
    if greeting.custom_id is not None:
        path = greeting_path(extension.account_id, extension.id, greeting.custom_id)
        return {
            "type": kind.value,
            "custom": {"id": greeting.custom_id, "uri": absolute_uri(request, path)},
        }
    chosen = preset(kind, GreetingCategory.MESSAGE)
    return {
        "type": kind.value,
        "preset": {"id": chosen.id, "name": chosen.name, "uri": preset_uri(request, chosen.id)},
    }


def blocking_json(
    request: Request, extension: Extension, blocking: BlockingSettings
) -> dict[str, Any]:
    """``caller-blocking``, with BLK-3's ``robocalls`` (our addition)."""
    return {
        "uri": absolute_uri(
            request, f"{extension_path(extension.account_id, extension.id)}/caller-blocking"
        ),
        "mode": blocking.mode.value,
        "noCallerId": blocking.no_caller_id.value,
        "payPhones": "Block" if blocking.pay_phones_blocked else "Allow",
        "robocalls": blocking.robocalls.value,
        "greetings": [
            _blocking_greeting(
                request, GreetingType.BLOCKED_CALLERS_SPECIFIC, blocking.blocked_greeting, extension
            ),
            _blocking_greeting(
                request, GreetingType.BLOCKED_CALLERS_ALL, blocking.blocked_greeting, extension
            ),
            _blocking_greeting(
                request, GreetingType.BLOCKED_PAY_PHONES, blocking.pay_phone_greeting, extension
            ),
        ],
    }


class CallerBlockingBody(_Body):
    mode: BlockMode | None = None
    no_caller_id: NoCallerIdBlocking | None = None
    pay_phones: Literal["Block", "Allow"] | None = None
    robocalls: RobocallHandling | None = None
    greetings: list[GreetingDoc] | None = None


def listed_number_json(
    request: Request, extension: Extension, number: ListedNumber
) -> dict[str, Any]:
    base = extension_path(extension.account_id, extension.id)
    path = f"{base}/caller-blocking/phone-numbers/{number.id}"
    return {
        "uri": absolute_uri(request, path),
        "id": str(number.id),
        "phoneNumber": number.phone_number,
        "label": number.label,
        "status": number.status,
    }


class ListedNumberBody(_Body):
    phone_number: str | None = None
    label: str | None = None
    status: ListStatus | None = None


# --- greetings --------------------------------------------------------------------------


def greeting_json(
    request: Request, extension: Extension, greeting: GreetingRow, rule: AnsweringRule | None
) -> dict[str, Any]:
    """A custom greeting; ``answeringRule`` is a rule that plays it, if any."""
    path = greeting_path(extension.account_id, extension.id, str(greeting.id))
    body: dict[str, Any] = {
        "uri": absolute_uri(request, path),
        "id": str(greeting.id),
        "type": greeting.kind,
        "name": greeting.file_name,
        "contentType": greeting.content_type,
        "contentUri": absolute_uri(request, f"{path}/content"),
        "creationTime": iso_time(greeting.created_at),
    }
    if rule is not None:
        rule_uri = absolute_uri(
            request, f"{rules_path(extension.account_id, extension.id)}/{rule.id}"
        )
        body["answeringRule"] = {"uri": rule_uri, "id": rule.id}
    return body


def preset_json(request: Request, chosen: Preset, translate: Translate) -> dict[str, Any]:
    """A standard greeting of ``/dictionary/greeting``."""
    return {
        "uri": preset_uri(request, chosen.id),
        "id": chosen.id,
        "name": translate(chosen.name),
        "type": chosen.type.value,
        "category": chosen.category.value,
        "usageType": chosen.usage_type,
    }


def find_preset(preset_id: str) -> Preset | None:
    return PRESETS_BY_ID.get(preset_id)


# --- presence ---------------------------------------------------------------------------


def presence_json(request: Request, extension: Extension, presence: Presence) -> dict[str, Any]:
    path = extension_path(extension.account_id, extension.id)
    return {
        "uri": absolute_uri(request, f"{path}/presence"),
        "extension": {
            "id": extension.id,
            "uri": absolute_uri(request, path),
            "extensionNumber": extension.number,
        },
        "presenceStatus": presence.presence_status.value,
        "telephonyStatus": "NoCall",
        "userStatus": presence.user_status.value,
        "dndStatus": presence.dnd_status.value,
        "message": presence.message,
        "allowSeeMyPresence": presence.allow_see_my_presence,
        "ringOnMonitoredCall": presence.ring_on_monitored_call,
        "pickUpCallsOnHold": presence.pick_up_calls_on_hold,
    }


class PresenceBody(_Body):
    user_status: UserStatus | None = None
    dnd_status: DndStatus | None = None
    message: str | None = None
    allow_see_my_presence: bool | None = None
    ring_on_monitored_call: bool | None = None
    pick_up_calls_on_hold: bool | None = None


# --- our own resources ------------------------------------------------------------------


def _wire(value: Any) -> Any:
    """A plan's values as JSON: camelCase keys, enums as their strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.init}
        return {to_camel(name): _wire(item) for name, item in fields.items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_wire(item) for item in value]
    return value


def preview_json(
    request: Request,
    extension: Extension,
    plan: CallPlan,
    description: list[str],
) -> dict[str, Any]:
    """What happens to a call (``answering-rule/preview``): why, the plan's steps in
    order, and the same in plain words."""
    path = rules_path(extension.account_id, extension.id)
    rule = None
    if plan.rule is not None:
        rule = {
            "uri": absolute_uri(request, f"{path}/{plan.rule.id}"),
            "id": plan.rule.id,
            "type": plan.rule.type.value,
            "name": plan.rule.name,
        }
    return {
        "uri": absolute_uri(request, f"{path}/preview"),
        "dateTime": plan.local_time.isoformat(),
        "reason": plan.reason.value,
        "answeringRule": rule,
        "detail": plan.detail,
        "robocallSuspected": plan.robocall_suspected,
        "steps": [{"type": type(step).__name__, **_wire(step)} for step in plan.steps],
        "description": description,
    }


def findings_json(
    request: Request, extension: Extension, findings: tuple[Finding, ...], translate: Translate
) -> dict[str, Any]:
    """``answering-rule/validation``: CH-4's "Validate rules" findings."""
    path = rules_path(extension.account_id, extension.id)
    return {
        "uri": absolute_uri(request, f"{path}/validation"),
        "valid": not findings,
        "records": [
            {
                "kind": finding.kind.value,
                "answeringRules": [
                    {"id": rule_id, "uri": absolute_uri(request, f"{path}/{rule_id}")}
                    for rule_id in finding.rule_ids
                ],
                "message": finding.message.render(translate),
            }
            for finding in findings
        ],
    }


class IncomingCallInfoBody(_Body):
    """Our ``incoming-call-info`` (CH-5); absent fields keep their value."""

    displayed_number: str | None = None
    announce: bool | None = None
    direct_calls: str | None = None
    queue_calls: str | None = None
    include_mailbox_name: bool | None = None
    require_pin: bool | None = None


class HoldMusicBody(_Body):
    """Our ``hold-music`` (GS-5); absent fields keep their value."""

    enabled: bool | None = None
    kind: str | None = None
    music_track: str | None = None
    custom_greeting_id: str | None = None
    volume: int | None = None


def answering_settings_json(request: Request, account_id: int, max_seconds: int) -> dict[str, Any]:
    return {
        "uri": absolute_uri(request, f"{API}/account/{account_id}/telephonist/answering-settings"),
        "maxMessageSeconds": max_seconds,
    }


class AnsweringSettingsBody(_Body):
    max_message_seconds: int


def robocall_number_json(request: Request, number: RobocallNumber) -> dict[str, Any]:
    path = f"{API}/account/{number.account_id}/telephonist/robocall-numbers/{number.id}"
    return {
        "uri": absolute_uri(request, path),
        "id": str(number.id),
        "phoneNumber": number.phone_number,
        "label": number.label,
    }


class RobocallNumberBody(_Body):
    phone_number: str
    label: str = ""
