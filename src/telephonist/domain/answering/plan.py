"""What ``route()`` returns: a CallPlan, the ordered steps one executor runs against SIP
and media (ARCHITECTURE principle 2, "routing is data"), and that the portal's rule
preview puts into words.

Steps are small frozen values. The executor runs them in order and stops at the first
that ends the call's handling: a ring step stops the plan when someone answers, and every
plan ends with exactly one final step (TakeMessage, Disconnect, ForwardTo,
NotAvailableForQueue or ReceiveFax), which CallPlan checks when it is built.

Prompts are references, not audio: a Prompt names a fixed kind (with the name to speak
and the language) or a custom greeting id, and the media layer renders it. The default
texts below are marked for translation; ``{name}`` is the extension's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from telephonist.domain.answering.model import ConnectingAudio, RuleType
from telephonist.domain.answering.targets import RingTarget
from telephonist.domain.text import N_


class PromptKind(StrEnum):
    USER_GREETING = "UserGreeting"  # GS-1
    CONNECTING_MESSAGE = "ConnectingMessage"  # GS-3
    SCREENING = "Screening"  # GS-2: ask the caller's name
    VOICEMAIL_GREETING = "VoicemailGreeting"  # VM-1
    UNAVAILABLE = "Unavailable"  # nobody answered and messages are off
    ANNOUNCEMENT = "Announcement"  # CH-3 play announcement and disconnect
    BLOCKED = "Blocked"  # BLK-2, also "all calls" mode and robocalls
    BLOCKED_PAY_PHONE = "BlockedPayPhone"  # BLK-5
    BLOCKED_NO_CALLER_ID = "BlockedNoCallerId"  # BLK-4
    CALL_ANNOUNCEMENT = "CallAnnouncement"  # CH-5 "John, you have a call"
    CALL_ANNOUNCEMENT_UNNAMED = "CallAnnouncementUnnamed"  # mailbox name left out
    QUEUE_CALL_UNNAMED = "QueueCallUnnamed"  # "Call queue call" without the queue's name
    PRESS_1_TO_ACCEPT = "Press1ToAccept"  # CH-5 queue calls on non-system phones


DEFAULT_PROMPT_TEXT: dict[PromptKind, str] = {
    PromptKind.USER_GREETING: N_("Thank you for calling {name}."),
    PromptKind.CONNECTING_MESSAGE: N_("Please hold while I try to connect you."),
    PromptKind.SCREENING: N_("Please say your name after the tone."),
    PromptKind.VOICEMAIL_GREETING: N_(
        "{name} is not available. Please leave a message after the tone."
    ),
    PromptKind.UNAVAILABLE: N_("{name} is not available. Please call again later. Goodbye."),
    PromptKind.ANNOUNCEMENT: N_(
        "Thank you for calling {name}. We are not available right now. Please call again "
        "later. Goodbye."
    ),
    PromptKind.BLOCKED: N_(
        "I'm sorry. The number you dialed can not be reached from your calling area. Goodbye."
    ),
    PromptKind.BLOCKED_PAY_PHONE: N_(
        "I'm sorry, the number you dialed cannot accept calls from payphones at this time. "
        "Please try your call again later. Goodbye."
    ),
    PromptKind.BLOCKED_NO_CALLER_ID: N_(
        "I'm sorry, the number you dialed does not accept calls without caller ID. Goodbye."
    ),
    PromptKind.CALL_ANNOUNCEMENT: N_("{name}, you have a call."),
    PromptKind.CALL_ANNOUNCEMENT_UNNAMED: N_("You have a call."),
    PromptKind.QUEUE_CALL_UNNAMED: N_("Call queue call."),
    PromptKind.PRESS_1_TO_ACCEPT: N_("To accept this call, press 1."),
}


@dataclass(frozen=True)
class Prompt:
    """A prompt to play: the custom recording ``custom_greeting_id`` when set, else the
    default text of ``kind`` spoken in ``language`` with ``name`` filled in."""

    kind: PromptKind
    language: str
    name: str = ""
    custom_greeting_id: str | None = None

    @property
    def default_text(self) -> str:
        """The English default text with the name filled in (translate the template
        with DEFAULT_PROMPT_TEXT first to speak another language)."""
        return DEFAULT_PROMPT_TEXT[self.kind].format(name=self.name)


@dataclass(frozen=True)
class AnswerOptions:
    """CH-5, applied when a ringing phone answers, before the caller is connected:
    the number the phone displays, prompts played to the person who answered, the key
    they must press to accept (None: connect at once) and whether they must enter the
    user's PIN first."""

    displayed_number: str | None
    announcement: tuple[Prompt, ...] = ()
    accept_key: str | None = None
    require_pin: bool = False


@dataclass(frozen=True)
class RingLeg:
    target: RingTarget
    answer: AnswerOptions


# --- steps ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlayPrompt:
    """Answer (if not yet answered) and play ``prompt`` to the caller."""

    prompt: Prompt


@dataclass(frozen=True)
class ScreenCaller:
    """GS-2: play ``prompt`` and record the caller's name, to be played to whoever
    answers."""

    prompt: Prompt


@dataclass(frozen=True)
class Ring:
    """Ring every leg together for ``seconds`` while the caller hears ``audio``; the
    first leg to answer (and accept) gets the call, the plan stops there."""

    legs: tuple[RingLeg, ...]
    seconds: int
    audio: ConnectingAudio

    @property
    def targets(self) -> tuple[RingTarget, ...]:
        return tuple(leg.target for leg in self.legs)


@dataclass(frozen=True)
class ForwardTo:
    """Unconditional forwarding: hand the call to ``phone_number`` at once (final)."""

    phone_number: str


@dataclass(frozen=True)
class TakeMessage:
    """Voicemail: play ``greeting`` then record up to ``max_seconds`` for the mailbox
    of ``recipient_extension_id`` (final)."""

    recipient_extension_id: str
    greeting: Prompt
    max_seconds: int


class DisconnectReason(StrEnum):
    """Why the call ends here; the call log's result follows from it (LOG-2)."""

    BLOCKED = "Blocked"
    ANNOUNCEMENT = "Announcement"
    UNAVAILABLE = "Unavailable"


@dataclass(frozen=True)
class Disconnect:
    """Hang up (final)."""

    reason: DisconnectReason


@dataclass(frozen=True)
class NotAvailableForQueue:
    """A queue call this member does not take (PRE-1 orange, or nobody answered): the
    queue goes on without them (final)."""


@dataclass(frozen=True)
class ReceiveFax:
    """Receive the fax into the extension's mailbox (final)."""

    extension_id: str


Step = (
    PlayPrompt
    | ScreenCaller
    | Ring
    | ForwardTo
    | TakeMessage
    | Disconnect
    | NotAvailableForQueue
    | ReceiveFax
)
FINAL_STEPS = (ForwardTo, TakeMessage, Disconnect, NotAvailableForQueue, ReceiveFax)


# --- the plan ---------------------------------------------------------------------------


class PlanReason(StrEnum):
    """Why the plan is what it is (the preview's first sentence, the call log)."""

    BLOCKED_NUMBER = "BlockedNumber"  # BLK-2 block list
    BLOCKED_ALL_CALLS = "BlockedAllCalls"  # BLK-1 "all calls", caller not allowed
    BLOCKED_NO_CALLER_ID = "BlockedNoCallerId"  # BLK-4
    BLOCKED_PAY_PHONE = "BlockedPayPhone"  # BLK-5
    BLOCKED_ROBOCALL = "BlockedRobocall"  # BLK-3
    DND_NO_CALLS = "DndNoCalls"  # PRE-1 red
    DND_NO_QUEUE_CALLS = "DndNoQueueCalls"  # PRE-1 orange, a queue call
    DND_QUEUE_CALLS_ONLY = "DndQueueCallsOnly"  # TakeDepartmentCallsOnly, a direct call
    CUSTOM_RULE = "CustomRule"
    USER_HOURS = "UserHours"
    AFTER_HOURS = "AfterHours"
    FAX = "Fax"

    @property
    def is_blocked(self) -> bool:
        return self.value.startswith("Blocked")


@dataclass(frozen=True)
class MatchedRule:
    """The answering rule whose settings the plan follows."""

    id: str
    name: str
    type: RuleType


@dataclass(frozen=True)
class CallPlan:
    """The decision for one call: why (``reason``, the ``rule`` followed, ``detail`` such
    as the block-list entry that matched), when (``local_time`` in the user's zone) and
    the ``steps`` to run. ``robocall_suspected`` is set when a suspected robocall was let
    through (BLK-3 "ring devices")."""

    extension_id: str
    reason: PlanReason
    rule: MatchedRule | None
    steps: tuple[Step, ...]
    local_time: datetime
    detail: str = ""
    robocall_suspected: bool = False

    def __post_init__(self) -> None:
        if not self.steps or not isinstance(self.steps[-1], FINAL_STEPS):
            raise ValueError("A call plan ends with voicemail, a forward, or a disconnect")
        if any(isinstance(step, FINAL_STEPS) for step in self.steps[:-1]):
            raise ValueError("A call plan has one final step, at the end")

    @property
    def rings(self) -> tuple[Ring, ...]:
        return tuple(step for step in self.steps if isinstance(step, Ring))

    @property
    def final_step(self) -> Step:
        return self.steps[-1]
