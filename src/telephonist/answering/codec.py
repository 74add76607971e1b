"""The one mapping between an answering rule's JSON in the public API's shape
(``answering-rule``: ``schedule``, ``callers``, ``forwarding``, ``greetings``...) and the
domain model. The rules table stores exactly this document, so a rule read back from the
database goes through the same checks as one received from a client.

Pydantic checks the document's structure (types, enums: a bad value is a 400 naming the
field); building the domain objects checks its meaning (times, numbers, ring counts) and
raises ``RuleValidationError`` naming the public API field. References to other rows
(forwarding numbers by id, greetings, the voicemail recipient) are resolved by the caller's
``References``, so this module never touches the database.

Greetings: the preset a rule uses is one of ``PRESETS`` (``GET /dictionary/greeting``);
"None" switches the user greeting or connecting message off (GS-1, GS-3: off until
enabled). A rule that never chose its voicemail greeting uses ``References.voicemail``: the
extension's own recording when it made one (activation wizard, phone), else the default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from telephonist.domain.answering.errors import RuleValidationError
from telephonist.domain.answering.model import (
    DEFAULT_GREETING,
    AnnouncementScope,
    AnsweringRule,
    CallerCondition,
    CallHandlingAction,
    ConnectingAudio,
    ConnectingAudioKind,
    DisplayedNumber,
    Forwarding,
    ForwardingEntry,
    ForwardingNumber,
    ForwardingNumberType,
    Greeting,
    HoldMusic,
    IncomingCallInfo,
    RingingMode,
    RuleGreetings,
    RuleType,
    Screening,
    VoicemailSettings,
)
from telephonist.domain.answering.schedule import (
    WEEKDAYS,
    DateRange,
    RuleSchedule,
    ScheduleRef,
    TimeInterval,
    WeeklySchedule,
)
from telephonist.domain.text import N_
from telephonist.media.music import MusicTrack

MAX_RING_COUNT = 15
"""75 seconds on one forwarding entry: longer ringing only delays voicemail."""


class _Document(BaseModel):
    """camelCase on the wire, snake_case in Python; fields the API has and we do not use
    (``queue``, ``missedCall``...) are ignored, so a client may send back what it read."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class TimeRangeDoc(_Document):
    from_: str = Field(alias="from")
    to: str


class WeeklyRangesDoc(_Document):
    monday: list[TimeRangeDoc] = []
    tuesday: list[TimeRangeDoc] = []
    wednesday: list[TimeRangeDoc] = []
    thursday: list[TimeRangeDoc] = []
    friday: list[TimeRangeDoc] = []
    saturday: list[TimeRangeDoc] = []
    sunday: list[TimeRangeDoc] = []


class DateRangeDoc(_Document):
    from_: str = Field(alias="from")
    to: str


class ScheduleDoc(_Document):
    weekly_ranges: WeeklyRangesDoc | None = None
    ranges: list[DateRangeDoc] | None = None
    ref: ScheduleRef | None = None


class CallerDoc(_Document):
    caller_id: str
    name: str = ""


class CalledNumberDoc(_Document):
    phone_number: str


class ForwardingNumberDoc(_Document):
    """A forwarding number inside a rule: by ``id`` (or, failing that, by its number)."""

    id: str | None = None
    phone_number: str | None = None
    label: str | None = None
    type: ForwardingNumberType | None = None


class ForwardingRuleDoc(_Document):
    index: int | None = None
    ring_count: int = 4
    enabled: bool = True
    forwarding_numbers: list[ForwardingNumberDoc] = []


class ForwardingDoc(_Document):
    ringing_mode: RingingMode = RingingMode.SEQUENTIALLY
    soft_phones_position_top: bool = True
    rules: list[ForwardingRuleDoc] = []


class UnconditionalForwardingDoc(_Document):
    phone_number: str = ""


class IdDoc(_Document):
    id: str


class VoicemailDoc(_Document):
    enabled: bool = True
    recipient: IdDoc | None = None


class PresetDoc(_Document):
    id: str
    name: str | None = None


class GreetingDoc(_Document):
    type: str
    preset: PresetDoc | None = None
    custom: IdDoc | None = None


class RuleDoc(_Document):
    """The ``answering-rule`` resource as clients send it and as it is stored."""

    type: RuleType | None = None
    name: str | None = None
    enabled: bool = True
    schedule: ScheduleDoc | None = None
    callers: list[CallerDoc] = []
    called_numbers: list[CalledNumberDoc] = []
    call_handling_action: CallHandlingAction = CallHandlingAction.FORWARD_CALLS
    forwarding: ForwardingDoc | None = None
    unconditional_forwarding: UnconditionalForwardingDoc | None = None
    voicemail: VoicemailDoc = VoicemailDoc()
    greetings: list[GreetingDoc] = []
    screening: Screening = Screening.OFF


# --- greeting presets (GET /dictionary/greeting) ----------------------------------------


class GreetingType(StrEnum):
    """The public API's greeting types this product plays."""

    INTRODUCTORY = "Introductory"
    CONNECTING_MESSAGE = "ConnectingMessage"
    CONNECTING_AUDIO = "ConnectingAudio"
    VOICEMAIL = "Voicemail"
    ANNOUNCEMENT = "Announcement"
    UNAVAILABLE = "Unavailable"
    HOLD_MUSIC = "HoldMusic"
    BLOCKED_CALLERS_SPECIFIC = "BlockedCallersSpecific"
    BLOCKED_CALLERS_ALL = "BlockedCallersAll"
    BLOCKED_NO_CALLER_ID = "BlockedNoCallerId"
    BLOCKED_PAY_PHONES = "BlockedPayPhones"


class GreetingCategory(StrEnum):
    MESSAGE = "Message"
    MUSIC = "Music"
    RING_TONES = "RingTones"
    NONE = "None"


@dataclass(frozen=True)
class Preset:
    """A standard greeting; ``music`` names the track of a Music preset."""

    id: str
    type: GreetingType
    name: str
    category: GreetingCategory
    music: MusicTrack | None = None

    @property
    def usage_type(self) -> str:
        return "BlockedCalls" if self.type.startswith("Blocked") else "UserExtensionAnsweringRule"


def _music_presets(first_id: int, kind: GreetingType) -> tuple[Preset, ...]:
    return (
        Preset(str(first_id), kind, N_("Ring Tones"), GreetingCategory.RING_TONES),
        *(
            Preset(str(first_id + n), kind, track.title, GreetingCategory.MUSIC, track)
            for n, track in enumerate(MusicTrack, start=1)
        ),
    )


PRESETS: tuple[Preset, ...] = (
    Preset("100", GreetingType.INTRODUCTORY, N_("None"), GreetingCategory.NONE),
    Preset("101", GreetingType.INTRODUCTORY, N_("Default"), GreetingCategory.MESSAGE),
    Preset("200", GreetingType.CONNECTING_MESSAGE, N_("None"), GreetingCategory.NONE),
    Preset("201", GreetingType.CONNECTING_MESSAGE, N_("Default"), GreetingCategory.MESSAGE),
    *_music_presets(300, GreetingType.CONNECTING_AUDIO),
    Preset("400", GreetingType.VOICEMAIL, N_("Default"), GreetingCategory.MESSAGE),
    Preset("500", GreetingType.ANNOUNCEMENT, N_("Default"), GreetingCategory.MESSAGE),
    Preset("600", GreetingType.UNAVAILABLE, N_("Default"), GreetingCategory.MESSAGE),
    *_music_presets(700, GreetingType.HOLD_MUSIC),
    Preset("800", GreetingType.BLOCKED_CALLERS_SPECIFIC, N_("Default"), GreetingCategory.MESSAGE),
    Preset("801", GreetingType.BLOCKED_CALLERS_ALL, N_("Default"), GreetingCategory.MESSAGE),
    Preset("802", GreetingType.BLOCKED_NO_CALLER_ID, N_("Default"), GreetingCategory.MESSAGE),
    Preset("803", GreetingType.BLOCKED_PAY_PHONES, N_("Default"), GreetingCategory.MESSAGE),
)
PRESETS_BY_ID = {preset.id: preset for preset in PRESETS}


def preset(
    kind: GreetingType, category: GreetingCategory, music: MusicTrack | None = None
) -> Preset:
    """The preset of ``kind`` in ``category`` (and with ``music``)."""
    return next(
        p for p in PRESETS if p.type is kind and p.category is category and p.music is music
    )


# --- document -> domain -----------------------------------------------------------------


@dataclass(frozen=True)
class References:
    """How a document's references resolve for one extension: ``numbers`` are its
    forwarding numbers by id, ``default_forwarding`` what a rule without a forwarding list
    rings (all its own phones), ``voicemail`` the greeting of a rule that chose none, and
    ``check_custom_greeting`` refuses a custom greeting id that is not the extension's."""

    numbers: Mapping[str, ForwardingNumber]
    default_forwarding: Forwarding
    voicemail: Greeting = DEFAULT_GREETING
    check_custom_greeting: Callable[[str, str], None] = lambda _id, _field: None


def _schedule(doc: ScheduleDoc) -> RuleSchedule:
    weekly = weekly_schedule(doc.weekly_ranges) if doc.weekly_ranges is not None else None
    ranges = tuple(
        DateRange(
            _moment(span.from_, "schedule.ranges.from"), _moment(span.to, "schedule.ranges.to")
        )
        for span in doc.ranges or ()
    )
    return RuleSchedule(weekly=weekly, date_ranges=ranges, ref=doc.ref)


def weekly_schedule(
    doc: WeeklyRangesDoc, *, field: str = "schedule.weeklyRanges"
) -> WeeklySchedule:
    """User or company hours (``business-hours``) from their ``weeklyRanges``."""
    days = doc.model_dump(by_alias=False)
    return WeeklySchedule.from_days(
        {
            day: tuple(
                TimeInterval.parse(span["from_"], span["to"], field=f"{field}.{day.value}")
                for span in days[day.value]
            )
            for day in WEEKDAYS
        }
    )


def _moment(text: str, field: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise RuleValidationError(
            f"'{text}' is not an ISO 8601 date and time, e.g. 2026-12-24T00:00:00", field=field
        ) from None


def _forwarding_number(doc: ForwardingNumberDoc, refs: References) -> ForwardingNumber:
    field = "forwarding.rules.forwardingNumbers"
    if doc.id is not None:
        number = refs.numbers.get(doc.id)
        if number is None:
            raise RuleValidationError(
                f"Forwarding number '{doc.id}' is not one of this extension's forwarding numbers",
                field=f"{field}.id",
            )
        return number
    if doc.phone_number:
        for number in refs.numbers.values():
            if number.phone_number == doc.phone_number:
                return number
        raise RuleValidationError(
            f"'{doc.phone_number}' is not one of this extension's forwarding numbers: "
            "add it to the forwarding numbers first",
            field=f"{field}.phoneNumber",
        )
    raise RuleValidationError("Name each forwarding number by its id", field=f"{field}.id")


def _forwarding(doc: ForwardingDoc | None, refs: References) -> Forwarding:
    if doc is None:
        return refs.default_forwarding
    entries = []
    for position, rule in enumerate(doc.rules, start=1):
        if not 1 <= rule.ring_count <= MAX_RING_COUNT:
            raise RuleValidationError(
                f"Ring count must be 1 to {MAX_RING_COUNT}", field="forwarding.rules.ringCount"
            )
        numbers = tuple(_forwarding_number(number, refs) for number in rule.forwarding_numbers)
        entries.append(
            ForwardingEntry(
                index=rule.index if rule.index is not None else position,
                numbers=numbers,
                ring_count=rule.ring_count,
                enabled=rule.enabled,
            )
        )
    return Forwarding(
        ringing_mode=doc.ringing_mode,
        entries=tuple(entries),
        apps_ring_first=doc.soft_phones_position_top,
    )


def _greeting(
    doc: GreetingDoc, kind: GreetingType, refs: References, *, optional: bool
) -> Greeting | None:
    if doc.custom is not None:
        refs.check_custom_greeting(doc.custom.id, f"greetings.{kind.value}.custom.id")
        return Greeting(doc.custom.id)
    chosen = _preset(doc, kind)
    if chosen.category is GreetingCategory.NONE and optional:
        return None
    return DEFAULT_GREETING


def _preset(doc: GreetingDoc, kind: GreetingType) -> Preset:
    chosen = PRESETS_BY_ID.get(doc.preset.id) if doc.preset is not None else None
    if chosen is None or chosen.type is not kind:
        raise RuleValidationError(
            f"Choose a {kind.value} greeting from the greeting dictionary, or a custom one",
            field=f"greetings.{kind.value}",
        )
    return chosen


def _connecting_audio(doc: GreetingDoc, refs: References) -> ConnectingAudio:
    kind = GreetingType.CONNECTING_AUDIO
    if doc.custom is not None:
        refs.check_custom_greeting(doc.custom.id, f"greetings.{kind.value}.custom.id")
        return ConnectingAudio(ConnectingAudioKind.CUSTOM, custom_id=doc.custom.id)
    chosen = _preset(doc, kind)
    if chosen.music is None:
        return ConnectingAudio()
    return ConnectingAudio(ConnectingAudioKind.MUSIC, music_track=chosen.music.value)


def _greetings(docs: list[GreetingDoc], refs: References) -> RuleGreetings:
    by_type = {doc.type: doc for doc in docs}
    known = {kind.value for kind in GreetingType}
    unknown = sorted(set(by_type) - known)
    if unknown:
        raise RuleValidationError(f"Unknown greeting type '{unknown[0]}'", field="greetings.type")

    def chosen(kind: GreetingType, *, optional: bool, absent: Greeting | None) -> Greeting | None:
        doc = by_type.get(kind.value)
        return absent if doc is None else _greeting(doc, kind, refs, optional=optional)

    audio = by_type.get(GreetingType.CONNECTING_AUDIO.value)
    voicemail = chosen(GreetingType.VOICEMAIL, optional=False, absent=refs.voicemail)
    announcement = chosen(GreetingType.ANNOUNCEMENT, optional=False, absent=DEFAULT_GREETING)
    assert voicemail is not None and announcement is not None
    return RuleGreetings(
        introductory=chosen(GreetingType.INTRODUCTORY, optional=True, absent=None),
        connecting_message=chosen(GreetingType.CONNECTING_MESSAGE, optional=True, absent=None),
        connecting_audio=_connecting_audio(audio, refs) if audio else ConnectingAudio(),
        voicemail=voicemail,
        announcement=announcement,
    )


def rule_from_document(
    doc: RuleDoc, rule_id: str, rule_type: RuleType, refs: References
) -> AnsweringRule:
    """The domain rule of a document; raises RuleValidationError naming the field. The
    user-hours and after-hours rules ignore ``schedule`` (their hours are the user's)."""
    unconditional = (
        doc.unconditional_forwarding.phone_number if doc.unconditional_forwarding else ""
    )
    if rule_type is RuleType.CUSTOM:
        if not (doc.name or "").strip():
            raise RuleValidationError("A custom rule needs a name", field="name")
        schedule = _schedule(doc.schedule) if doc.schedule is not None else None
    else:
        schedule = None
    return AnsweringRule(
        id=rule_id,
        type=rule_type,
        name=(doc.name or "").strip(),
        enabled=doc.enabled,
        callers=tuple(CallerCondition(caller.caller_id, caller.name) for caller in doc.callers),
        called_numbers=tuple(called.phone_number for called in doc.called_numbers),
        schedule=schedule,
        action=doc.call_handling_action,
        forwarding=_forwarding(doc.forwarding, refs),
        unconditional_forwarding_number=unconditional or None,
        voicemail=VoicemailSettings(
            enabled=doc.voicemail.enabled,
            recipient_extension_id=doc.voicemail.recipient.id if doc.voicemail.recipient else None,
        ),
        greetings=_greetings(doc.greetings, refs),
        screening=doc.screening,
    )


# --- domain -> document -----------------------------------------------------------------


def weekly_ranges_document(schedule: WeeklySchedule) -> dict[str, list[dict[str, str]]]:
    """``weeklyRanges`` with the days that have ranges, as the public API writes them."""
    return {
        day.value: [
            {"from": interval.from_text, "to": interval.to_text} for interval in schedule.day(day)
        ]
        for day in WEEKDAYS
        if schedule.day(day)
    }


def _schedule_document(rule: AnsweringRule) -> dict[str, Any] | None:
    if rule.type is RuleType.BUSINESS_HOURS:
        return {"ref": ScheduleRef.BUSINESS_HOURS.value}
    if rule.type is RuleType.AFTER_HOURS:
        return {"ref": ScheduleRef.AFTER_HOURS.value}
    schedule = rule.schedule
    if schedule is None:
        return None
    if schedule.weekly is not None:
        return {"weeklyRanges": weekly_ranges_document(schedule.weekly)}
    if schedule.ref is not None:
        return {"ref": schedule.ref.value}
    return {
        "ranges": [
            {"from": period.start.isoformat(), "to": period.end.isoformat()}
            for period in schedule.date_ranges
        ]
    }


def forwarding_number_document(number: ForwardingNumber) -> dict[str, Any]:
    document: dict[str, Any] = {"id": number.id, "label": number.label, "type": number.type.value}
    if number.phone_number:
        document["phoneNumber"] = number.phone_number
    return document


def _greeting_document(
    kind: GreetingType, greeting: Greeting | None, category: GreetingCategory
) -> dict[str, Any]:
    if greeting is not None and greeting.custom_id is not None:
        return {"type": kind.value, "custom": {"id": greeting.custom_id}}
    chosen = preset(kind, GreetingCategory.NONE if greeting is None else category)
    return {"type": kind.value, "preset": {"id": chosen.id, "name": chosen.name}}


def _connecting_audio_document(audio: ConnectingAudio) -> dict[str, Any]:
    kind = GreetingType.CONNECTING_AUDIO
    if audio.kind is ConnectingAudioKind.CUSTOM:
        return {"type": kind.value, "custom": {"id": audio.custom_id}}
    chosen = (
        preset(kind, GreetingCategory.MUSIC, MusicTrack(audio.music_track))
        if audio.kind is ConnectingAudioKind.MUSIC
        else preset(kind, GreetingCategory.RING_TONES)
    )
    return {"type": kind.value, "preset": {"id": chosen.id, "name": chosen.name}}


def rule_document(rule: AnsweringRule) -> dict[str, Any]:
    """The rule in the public API's shape (without ``uri``s, which the REST layer adds)."""
    greetings = rule.greetings
    message = GreetingCategory.MESSAGE
    document: dict[str, Any] = {
        "id": rule.id,
        "type": rule.type.value,
        "name": rule.name,
        "enabled": rule.enabled,
        "callHandlingAction": rule.action.value,
        "forwarding": {
            "notifyMySoftPhones": True,
            "softPhonesPositionTop": rule.forwarding.apps_ring_first,
            "ringingMode": rule.forwarding.ringing_mode.value,
            "rules": [
                {
                    "index": entry.index,
                    "ringCount": entry.ring_count,
                    "enabled": entry.enabled,
                    "forwardingNumbers": [
                        forwarding_number_document(number) for number in entry.numbers
                    ],
                }
                for entry in rule.forwarding.entries
            ],
        },
        "voicemail": {"enabled": rule.voicemail.enabled},
        "greetings": [
            _greeting_document(GreetingType.INTRODUCTORY, greetings.introductory, message),
            _greeting_document(
                GreetingType.CONNECTING_MESSAGE, greetings.connecting_message, message
            ),
            _connecting_audio_document(greetings.connecting_audio),
            _greeting_document(GreetingType.VOICEMAIL, greetings.voicemail, message),
            _greeting_document(GreetingType.ANNOUNCEMENT, greetings.announcement, message),
        ],
        "screening": rule.screening.value,
    }
    schedule = _schedule_document(rule)
    if schedule is not None:
        document["schedule"] = schedule
    if rule.callers:
        document["callers"] = [
            {"callerId": caller.caller_id, "name": caller.name} for caller in rule.callers
        ]
    if rule.called_numbers:
        document["calledNumbers"] = [{"phoneNumber": number} for number in rule.called_numbers]
    if rule.unconditional_forwarding_number:
        document["unconditionalForwarding"] = {"phoneNumber": rule.unconditional_forwarding_number}
    if rule.voicemail.recipient_extension_id is not None:
        document["voicemail"]["recipient"] = {"id": rule.voicemail.recipient_extension_id}
    return document


# --- incoming call information (CH-5) ---------------------------------------------------


class IncomingCallInfoDoc(_Document):
    """Our own resource (the public API has none): ``incoming-call-info``."""

    displayed_number: DisplayedNumber = DisplayedNumber.INCOMING_CALLER_ID
    announce: bool = False
    direct_calls: AnnouncementScope = AnnouncementScope.NON_SYSTEM_PHONES_ONLY
    queue_calls: AnnouncementScope = AnnouncementScope.NON_SYSTEM_PHONES_ONLY
    include_mailbox_name: bool = True
    require_pin: bool = False


def incoming_call_info(doc: IncomingCallInfoDoc) -> IncomingCallInfo:
    return IncomingCallInfo(
        displayed_number=doc.displayed_number,
        announce=doc.announce,
        direct_calls=doc.direct_calls,
        queue_calls=doc.queue_calls,
        include_mailbox_name=doc.include_mailbox_name,
        require_pin=doc.require_pin,
    )


def incoming_call_info_document(info: IncomingCallInfo) -> dict[str, Any]:
    return IncomingCallInfoDoc(
        displayed_number=info.displayed_number,
        announce=info.announce,
        direct_calls=info.direct_calls,
        queue_calls=info.queue_calls,
        include_mailbox_name=info.include_mailbox_name,
        require_pin=info.require_pin,
    ).model_dump(mode="json", by_alias=True)


# --- hold music (GS-5) ------------------------------------------------------------------


class HoldMusicDoc(_Document):
    """Our own resource ``hold-music`` (the public API only reads the custom recording,
    at ``greeting/hold-music``)."""

    enabled: bool = True
    kind: ConnectingAudioKind = ConnectingAudioKind.MUSIC
    music_track: MusicTrack = MusicTrack.ACOUSTIC
    custom_greeting_id: str | None = None
    volume: int = 100


def hold_music(doc: HoldMusicDoc) -> HoldMusic:
    return HoldMusic(
        enabled=doc.enabled,
        kind=doc.kind,
        music_track=doc.music_track.value,
        custom_id=doc.custom_greeting_id,
        volume=doc.volume,
    )


def hold_music_document(music: HoldMusic) -> dict[str, Any]:
    return HoldMusicDoc(
        enabled=music.enabled,
        kind=music.kind,
        music_track=MusicTrack(music.music_track),
        custom_greeting_id=music.custom_id,
        volume=music.volume,
    ).model_dump(mode="json", by_alias=True)
