"""What ``route()`` needs to know: the called extension's settings and the incoming call.

Every class maps one to one onto the public API (rc-api ``answering-rule``,
``business-hours``, ``forwarding-number``, ``caller-blocking``, ``presence``); enum values
are the API's strings and field names are its camelCase names in snake_case, so the
storage/REST layer converts without a dictionary of its own. Objects are frozen and use
tuples: settings are read by concurrent calls and cached between them.

Shapes that the public API leaves out (robocall handling, incoming call information, the
user's devices) use the guide's words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telephonist.domain.answering.errors import RuleValidationError
from telephonist.domain.answering.numbers import NumberPattern, PatternSet
from telephonist.domain.answering.schedule import EMPTY_WEEK, RuleSchedule, WeeklySchedule
from telephonist.domain.answering.targets import RingTarget, RingTargetKind

MAX_FORWARDING_NUMBERS = 10
"""CH-2: "jusqu'à 10 numéros de renvoi pour chaque poste"."""
SECONDS_PER_RING = 5
"""CH-2: the guide counts 1 ring as 5 s and 4 rings as 20 s."""
DEFAULT_MAX_MESSAGE_SECONDS = 180


# --- answering rules (CH-1 .. CH-4) -----------------------------------------------------


class RuleType(StrEnum):
    """CH-1: the three rule sets."""

    CUSTOM = "Custom"
    BUSINESS_HOURS = "BusinessHours"  # the guide's "user hours" / "Heures d'ouverture"
    AFTER_HOURS = "AfterHours"


class CallHandlingAction(StrEnum):
    """CH-3, CH-4 actions; after hours' "send callers directly to voicemail" is
    TakeMessagesOnly."""

    FORWARD_CALLS = "ForwardCalls"
    UNCONDITIONAL_FORWARDING = "UnconditionalForwarding"
    TAKE_MESSAGES_ONLY = "TakeMessagesOnly"
    PLAY_ANNOUNCEMENT_ONLY = "PlayAnnouncementOnly"


class RingingMode(StrEnum):
    """CH-2 "Renvoi des appels entrants dans cet ordre"."""

    SEQUENTIALLY = "Sequentially"
    SIMULTANEOUSLY = "Simultaneously"


class Screening(StrEnum):
    """GS-2: when callers are asked to say their name before connecting."""

    OFF = "Off"
    NO_CALLER_ID = "NoCallerId"
    UNKNOWN_CALLER_ID = "UnknownCallerId"  # the caller is not in my contacts
    ALWAYS = "Always"


class ForwardingNumberType(StrEnum):
    """The public API's forwarding phone types. ``PhoneLine`` is one of our devices
    (a desk phone or softphone, possibly another user's); ``ExtensionApps`` is an
    extension's desktop and mobile apps; the others are outside numbers."""

    HOME = "Home"
    MOBILE = "Mobile"
    WORK = "Work"
    PHONE_LINE = "PhoneLine"
    OUTAGE = "Outage"
    OTHER = "Other"
    BUSINESS_MOBILE_PHONE = "BusinessMobilePhone"
    EXTENSION_APPS = "ExtensionApps"


@dataclass(frozen=True)
class ForwardingNumber:
    """One of the extension's forwarding numbers (``forwarding-number`` resource).

    Exactly what it rings follows from ``type``: ``PhoneLine`` rings ``device_id``,
    ``ExtensionApps`` rings the apps of ``extension_id``, anything else calls
    ``phone_number`` (E.164) through a trunk. Forwarding to another user's phone
    ("Renvoi d'appel vers d'autres téléphones") is a ``PhoneLine`` naming their device, or
    ``ExtensionApps`` naming their extension. ``ring_target`` is derived once.
    """

    id: str
    label: str
    type: ForwardingNumberType
    phone_number: str = ""
    device_id: str | None = None
    extension_id: str | None = None
    ring_target: RingTarget = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.type is ForwardingNumberType.PHONE_LINE:
            if self.device_id is None:
                raise RuleValidationError(
                    "A PhoneLine forwarding number names a device", field="device"
                )
            target = RingTarget(RingTargetKind.DEVICE, self.device_id, self.label)
        elif self.type is ForwardingNumberType.EXTENSION_APPS:
            if self.extension_id is None:
                raise RuleValidationError(
                    "An ExtensionApps forwarding number names an extension", field="extension"
                )
            target = RingTarget(RingTargetKind.APPS, self.extension_id, self.label)
        else:
            if not self.phone_number:
                raise RuleValidationError(
                    "A forwarding number needs a phone number", field="phoneNumber"
                )
            target = RingTarget(RingTargetKind.OUTSIDE_NUMBER, self.phone_number, self.label)
        object.__setattr__(self, "ring_target", target)


@dataclass(frozen=True)
class ForwardingEntry:
    """One line of the forwarding list (``forwarding.rules[]``): several numbers in one
    entry are a ring group that rings together inside a sequence."""

    index: int
    numbers: tuple[ForwardingNumber, ...]
    ring_count: int = 4
    enabled: bool = True

    def __post_init__(self) -> None:
        if not self.numbers:
            raise RuleValidationError(
                "A forwarding entry rings at least one number", field="forwarding.rules"
            )
        if self.ring_count < 1:
            raise RuleValidationError(
                "A forwarding entry rings at least once", field="forwarding.rules"
            )

    @property
    def ring_seconds(self) -> int:
        return self.ring_count * SECONDS_PER_RING

    @property
    def rings_apps(self) -> bool:
        return any(number.type is ForwardingNumberType.EXTENSION_APPS for number in self.numbers)


@dataclass(frozen=True)
class Forwarding:
    """CH-2 forwarding of a ForwardCalls rule. With ``apps_ring_first`` (the public API's
    ``softPhonesPositionTop``, on by default as the guide says) entries that ring the
    desktop & mobile apps come before the others whatever their index."""

    ringing_mode: RingingMode = RingingMode.SEQUENTIALLY
    entries: tuple[ForwardingEntry, ...] = ()
    apps_ring_first: bool = True
    ordered_entries: tuple[ForwardingEntry, ...] = field(init=False, repr=False, compare=False)
    """Enabled entries in ringing priority order."""

    def __post_init__(self) -> None:
        ids = {number.id for entry in self.entries for number in entry.numbers}
        if len(ids) > MAX_FORWARDING_NUMBERS:
            raise RuleValidationError(
                f"At most {MAX_FORWARDING_NUMBERS} forwarding numbers per extension",
                field="forwarding.rules",
            )
        if len({entry.index for entry in self.entries}) != len(self.entries):
            raise RuleValidationError(
                "Forwarding entries need distinct indexes", field="forwarding.rules"
            )
        enabled = [entry for entry in self.entries if entry.enabled]
        if self.apps_ring_first:
            enabled.sort(key=lambda entry: (not entry.rings_apps, entry.index))
        else:
            enabled.sort(key=lambda entry: entry.index)
        object.__setattr__(self, "ordered_entries", tuple(enabled))


@dataclass(frozen=True)
class Greeting:
    """A greeting choice: the default text (``custom_id`` None) or a custom recording."""

    custom_id: str | None = None


DEFAULT_GREETING = Greeting()


class ConnectingAudioKind(StrEnum):
    """GS-4 "Audio lors de la connexion"."""

    RING_TONES = "RingTones"
    MUSIC = "Music"
    CUSTOM = "Custom"


@dataclass(frozen=True)
class ConnectingAudio:
    """What callers hear while phones ring: ring tones, a music track (e.g. "Acoustic")
    or a custom recording."""

    kind: ConnectingAudioKind = ConnectingAudioKind.RING_TONES
    music_track: str = ""
    custom_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind is ConnectingAudioKind.MUSIC and not self.music_track:
            raise RuleValidationError("Choose a music track", field="greetings.ConnectingAudio")
        if self.kind is ConnectingAudioKind.CUSTOM and self.custom_id is None:
            raise RuleValidationError(
                "Choose a custom recording", field="greetings.ConnectingAudio"
            )


@dataclass(frozen=True)
class RuleGreetings:
    """The greetings of a rule (public API ``greetings[]`` by type): ``introductory`` is
    the user greeting (GS-1) and ``connecting_message`` GS-3, each None when disabled;
    ``voicemail`` (VM-1) and ``announcement`` (CH-3) are default or custom."""

    introductory: Greeting | None = None
    connecting_message: Greeting | None = None
    connecting_audio: ConnectingAudio = ConnectingAudio()
    voicemail: Greeting = DEFAULT_GREETING
    announcement: Greeting = DEFAULT_GREETING


@dataclass(frozen=True)
class VoicemailSettings:
    """VM-1 take messages on/off and VM-2 recipient (None: this extension; otherwise a
    user or message-only extension)."""

    enabled: bool = True
    recipient_extension_id: str | None = None


@dataclass(frozen=True)
class CallerCondition:
    """A CH-4 caller ID condition (``callers[]``): a full or partial number, with the
    contact name the user picked it from. See ``numbers`` for how it matches."""

    caller_id: str
    name: str = ""
    pattern: NumberPattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pattern = NumberPattern.parse(self.caller_id)
        if pattern is None:
            raise RuleValidationError(
                f"'{self.caller_id}' is not a full or partial phone number",
                field="callers.callerId",
            )
        object.__setattr__(self, "pattern", pattern)


@dataclass(frozen=True)
class AnsweringRule:
    """One answering rule (``answering-rule`` resource). Custom rules have conditions,
    all of which must hold (any listed caller, any listed called number, the schedule);
    the user-hours and after-hours rules have none: the user's schedule picks them."""

    id: str
    type: RuleType
    name: str = ""
    enabled: bool = True
    callers: tuple[CallerCondition, ...] = ()
    called_numbers: tuple[str, ...] = ()
    schedule: RuleSchedule | None = None
    action: CallHandlingAction = CallHandlingAction.FORWARD_CALLS
    forwarding: Forwarding = Forwarding()
    unconditional_forwarding_number: str | None = None
    voicemail: VoicemailSettings = VoicemailSettings()
    greetings: RuleGreetings = RuleGreetings()
    screening: Screening = Screening.OFF
    caller_patterns: PatternSet = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "caller_patterns", PatternSet.of(tuple(c.pattern for c in self.callers))
        )
        if (
            self.action is CallHandlingAction.UNCONDITIONAL_FORWARDING
            and not self.unconditional_forwarding_number
        ):
            raise RuleValidationError(
                "Unconditional forwarding needs a phone number",
                field="unconditionalForwarding.phoneNumber",
            )
        if self.type is not RuleType.CUSTOM and (
            self.callers or self.called_numbers or self.schedule is not None
        ):
            raise RuleValidationError("Only custom rules have conditions", field="type")

    @property
    def has_conditions(self) -> bool:
        return bool(self.callers or self.called_numbers or self.schedule is not None)


# --- blocking (BLK-1 .. BLK-6) ----------------------------------------------------------


class BlockMode(StrEnum):
    """BLK-1: block specific calls and faxes, or all calls (allowed numbers get through)."""

    SPECIFIC = "Specific"
    ALL = "All"


class NoCallerIdBlocking(StrEnum):
    """BLK-4 (public API ``noCallerId``)."""

    ALLOW = "Allow"
    BLOCK_CALLS_AND_FAXES = "BlockCallsAndFaxes"
    BLOCK_FAXES = "BlockFaxes"


class RobocallHandling(StrEnum):
    """BLK-3: "Faire sonner les appareils et les applications" or "Diffuser le message et
    se déconnecter"."""

    RING_DEVICES = "RingDevicesAndApps"
    PLAY_MESSAGE_AND_DISCONNECT = "PlayMessageAndDisconnect"


@dataclass(frozen=True)
class ListedNumber:
    """A blocked or allowed (trusted) number or area code, with its optional name
    (``caller-blocking/phone-numbers``)."""

    phone_number: str
    label: str = ""
    pattern: NumberPattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pattern = NumberPattern.parse(self.phone_number)
        if pattern is None:
            raise RuleValidationError(
                f"'{self.phone_number}' is not a phone number or area code", field="phoneNumber"
            )
        object.__setattr__(self, "pattern", pattern)


@dataclass(frozen=True)
class BlockingSettings:
    """BLK-1..BLK-5 of one extension. ``allowed`` are the trusted numbers: they get
    through in "all calls" mode and are never treated as robocalls."""

    mode: BlockMode = BlockMode.SPECIFIC
    blocked: tuple[ListedNumber, ...] = ()
    allowed: tuple[ListedNumber, ...] = ()
    no_caller_id: NoCallerIdBlocking = NoCallerIdBlocking.ALLOW
    pay_phones_blocked: bool = False
    robocalls: RobocallHandling = RobocallHandling.RING_DEVICES
    blocked_greeting: Greeting = DEFAULT_GREETING
    pay_phone_greeting: Greeting = DEFAULT_GREETING
    blocked_patterns: PatternSet = field(init=False, repr=False, compare=False)
    allowed_patterns: PatternSet = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "blocked_patterns", PatternSet.of(tuple(n.pattern for n in self.blocked))
        )
        object.__setattr__(
            self, "allowed_patterns", PatternSet.of(tuple(n.pattern for n in self.allowed))
        )


# --- presence and incoming call information (PRE-1, CH-5) -------------------------------


class DndStatus(StrEnum):
    """PRE-1 (public API ``dndStatus``): green, orange, red; TakeDepartmentCallsOnly is
    the API's fourth state (queue calls only)."""

    TAKE_ALL_CALLS = "TakeAllCalls"
    DO_NOT_ACCEPT_DEPARTMENT_CALLS = "DoNotAcceptDepartmentCalls"
    TAKE_DEPARTMENT_CALLS_ONLY = "TakeDepartmentCallsOnly"
    DO_NOT_ACCEPT_ANY_CALLS = "DoNotAcceptAnyCalls"


class DisplayedNumber(StrEnum):
    """CH-5 "Numéro de l'appelant tel que je le vois affiché"."""

    INCOMING_CALLER_ID = "IncomingCallerId"
    CALLED_NUMBER = "CalledNumber"


class AnnouncementScope(StrEnum):
    """CH-5: on which phones "<name>, you have a call" is played before connecting.
    Queue calls cannot choose NEVER."""

    NON_SYSTEM_PHONES_ONLY = "NonSystemPhonesOnly"
    ALWAYS = "Always"
    NEVER = "Never"


@dataclass(frozen=True)
class IncomingCallInfo:
    """CH-5 "Informations sur l'appel entrant". ``require_pin`` asks for the user's PIN
    before a forwarded call is connected on a phone outside the system (the guide's
    reason: others at home must not answer the user's calls)."""

    displayed_number: DisplayedNumber = DisplayedNumber.INCOMING_CALLER_ID
    announce: bool = False
    direct_calls: AnnouncementScope = AnnouncementScope.NON_SYSTEM_PHONES_ONLY
    queue_calls: AnnouncementScope = AnnouncementScope.NON_SYSTEM_PHONES_ONLY
    include_mailbox_name: bool = True
    require_pin: bool = False

    def __post_init__(self) -> None:
        if self.queue_calls is AnnouncementScope.NEVER:
            raise RuleValidationError(
                "Call queue calls are announced on non-system phones or always", field="queueCalls"
            )


@dataclass(frozen=True)
class HoldMusic:
    """GS-5 "Musique d'attente", for every call the user puts on hold: ring tones, a music
    track or a custom recording, at ``volume`` percent of the recording's own level
    (0 is silence); when not ``enabled`` the held party hears silence. Defaults: the
    Acoustic track at full level."""

    enabled: bool = True
    kind: ConnectingAudioKind = ConnectingAudioKind.MUSIC
    music_track: str = "acoustic"
    custom_id: str | None = None
    volume: int = 100

    def __post_init__(self) -> None:
        if self.kind is ConnectingAudioKind.MUSIC and not self.music_track:
            raise RuleValidationError("Choose a music track", field="musicTrack")
        if self.kind is ConnectingAudioKind.CUSTOM and self.custom_id is None:
            raise RuleValidationError("Choose a custom recording", field="customGreetingId")
        if not 0 <= self.volume <= 100:
            raise RuleValidationError("The volume is a percentage from 0 to 100", field="volume")

    @property
    def gain_db(self) -> float | None:
        """The change of level the volume asks for, in dB; None for silence."""
        if not self.enabled or self.volume == 0:
            return None
        return 20 * math.log10(self.volume / 100)


# --- the extension and the call ---------------------------------------------------------


class DeviceKind(StrEnum):
    """A system phone: registered with us, so its user is known (CH-5 "RingCentral phone")."""

    DESK_PHONE = "DeskPhone"
    SOFTPHONE = "Softphone"
    MOBILE_APP = "MobileApp"


@dataclass(frozen=True)
class Device:
    """One of the user's registered phones (the Phones & Numbers list), so callers of
    route() can name a device a PhoneLine forwarding number rings."""

    id: str
    name: str
    kind: DeviceKind


@dataclass(frozen=True)
class ExtensionSettings:
    """Everything ``route()`` reads about the called extension, loaded in one go.

    ``user_hours`` empty means user hours all the time. ``custom_rules`` are in the
    user's order (first match wins). ``contact_numbers`` are E.164 numbers (and extension
    numbers) of the user's contacts, for screening "caller not in my contacts". For an
    admin (``is_admin``) the blocking settings also guard the company number (BLK-6).
    """

    extension_id: str
    extension_number: str
    name: str
    user_hours_rule: AnsweringRule
    after_hours_rule: AnsweringRule
    language: str = "en"
    time_zone: str = "UTC"
    user_hours: WeeklySchedule = EMPTY_WEEK
    custom_rules: tuple[AnsweringRule, ...] = ()
    blocking: BlockingSettings = BlockingSettings()
    dnd: DndStatus = DndStatus.TAKE_ALL_CALLS
    incoming_call_info: IncomingCallInfo = IncomingCallInfo()
    max_message_seconds: int = DEFAULT_MAX_MESSAGE_SECONDS
    devices: tuple[Device, ...] = ()
    forwarding_numbers: tuple[ForwardingNumber, ...] = ()
    contact_numbers: frozenset[str] = frozenset()
    is_admin: bool = False
    hold_music: HoldMusic = HoldMusic()

    def __post_init__(self) -> None:
        if self.user_hours_rule.type is not RuleType.BUSINESS_HOURS:
            raise RuleValidationError("The user-hours rule has type BusinessHours", field="type")
        if self.after_hours_rule.type is not RuleType.AFTER_HOURS:
            raise RuleValidationError("The after-hours rule has type AfterHours", field="type")
        if any(rule.type is not RuleType.CUSTOM for rule in self.custom_rules):
            raise RuleValidationError("Custom rules have type Custom", field="type")
        if len(self.forwarding_numbers) > MAX_FORWARDING_NUMBERS:
            raise RuleValidationError(
                f"At most {MAX_FORWARDING_NUMBERS} forwarding numbers per extension",
                field="forwardingNumbers",
            )
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise RuleValidationError(
                f"'{self.time_zone}' is not an IANA time zone", field="regionalSettings.timezone"
            ) from error


class Verstat(StrEnum):
    """STIR/SHAKEN verification status the carrier puts on the caller's identity."""

    TN_VALIDATION_PASSED = "TN-Validation-Passed"
    TN_VALIDATION_FAILED = "TN-Validation-Failed"
    NO_TN_VALIDATION = "No-TN-Validation"


class Attestation(StrEnum):
    """STIR/SHAKEN attestation level: A full, B partial, C gateway (origin unknown)."""

    A = "A"
    B = "B"
    C = "C"


@dataclass(frozen=True)
class IncomingCall:
    """A call offered to the extension.

    ``caller_number`` is E.164 (or an extension number for an internal call), None when
    withheld. ``called_number`` is what the caller dialled: one of the user's numbers in
    E.164, or the extension number. ``queue_name`` is set when a call queue offers the
    call to this user as a member. ``pay_phone`` comes from the carrier's originating-line
    information; ``verstat``/``attestation`` from STIR/SHAKEN; ``on_robocall_list`` from
    the admin's robocall list.
    """

    caller_number: str | None
    called_number: str
    caller_name: str = ""
    queue_name: str | None = None
    fax: bool = False
    pay_phone: bool = False
    verstat: Verstat | None = None
    attestation: Attestation | None = None
    on_robocall_list: bool = False

    @property
    def is_queue_call(self) -> bool:
        return self.queue_name is not None
