"""``route(call, settings, now) -> CallPlan``: what happens to a call offered to an
extension (ARCHITECTURE principle 2). The SIP executor runs the plan; the portal's rule
preview describes it; both call this same function.

Order of evaluation (the guide's):

1. Blocking (BLK-1..BLK-5), for direct calls: the blocked message, then disconnect.
2. A fax goes to the fax mailbox.
3. The answering rule: the first enabled custom rule whose conditions all hold, else the
   user-hours rule inside the user's hours (in their time zone), else the after-hours
   rule (CH-1).
4. Do not disturb (PRE-1): red sends direct calls to voicemail (or the "unavailable"
   message when messages are off) and turns queue calls away; orange turns queue calls
   away; "queue calls only" sends direct calls to voicemail.
5. The rule's action (CH-2..CH-4): ForwardCalls plays the user greeting, screens the
   caller, plays the connecting message, rings the forwarding list (sequentially by
   priority, ring groups together, or all at once for the longest ring time), then takes a
   message or says the user is unavailable; TakeMessagesOnly takes a message;
   PlayAnnouncementOnly plays the announcement and hangs up; UnconditionalForwarding hands
   the call to its number at once, without greetings or screening.
6. Every ringing phone gets its CH-5 answer options.

A queue call offered to this user as a member skips 1 and 5: the queue has its own
greetings and voicemail, so the member's phones ring (the forwarding list when the rule
forwards calls, otherwise all the extension's phones) and an unanswered call goes back to
the queue.
"""

from __future__ import annotations

from datetime import datetime

from telephonist.domain.answering.blocking import check_blocking, is_suspected_robocall
from telephonist.domain.answering.model import (
    SECONDS_PER_RING,
    AnnouncementScope,
    AnsweringRule,
    CallHandlingAction,
    ConnectingAudio,
    DisplayedNumber,
    DndStatus,
    ExtensionSettings,
    IncomingCall,
    RingingMode,
    RuleType,
    Screening,
)
from telephonist.domain.answering.numbers import number_forms
from telephonist.domain.answering.plan import (
    AnswerOptions,
    CallPlan,
    Disconnect,
    DisconnectReason,
    ForwardTo,
    MatchedRule,
    NotAvailableForQueue,
    PlanReason,
    PlayPrompt,
    Prompt,
    PromptKind,
    ReceiveFax,
    Ring,
    RingLeg,
    ScreenCaller,
    Step,
    TakeMessage,
)
from telephonist.domain.answering.schedule import Moment, in_user_hours
from telephonist.domain.answering.targets import RingTarget, RingTargetKind

QUEUE_RING_SECONDS = 4 * SECONDS_PER_RING
"""How long a queue call rings a member who does not forward calls; the queue's own
member timeout may end it sooner."""

_RULE_REASON = {
    RuleType.CUSTOM: PlanReason.CUSTOM_RULE,
    RuleType.BUSINESS_HOURS: PlanReason.USER_HOURS,
    RuleType.AFTER_HOURS: PlanReason.AFTER_HOURS,
}


def route(call: IncomingCall, settings: ExtensionSettings, now: datetime) -> CallPlan:
    """The plan for ``call`` offered to ``settings``' extension at ``now`` (aware)."""
    moment = Moment.at(now, settings.time_zone)
    if not call.is_queue_call:
        blocked = check_blocking(call, settings.blocking)
        if blocked is not None:
            prompt = _prompt(settings, blocked.prompt, blocked.greeting.custom_id)
            return CallPlan(
                settings.extension_id,
                blocked.reason,
                None,
                (PlayPrompt(prompt), Disconnect(DisconnectReason.BLOCKED)),
                moment.local,
                detail=blocked.entry,
            )
    robocall = not call.is_queue_call and is_suspected_robocall(call, settings.blocking)
    if call.fax:
        return CallPlan(
            settings.extension_id,
            PlanReason.FAX,
            None,
            (ReceiveFax(settings.extension_id),),
            moment.local,
            robocall_suspected=robocall,
        )
    rule = active_rule(call, settings, moment)
    reason = _RULE_REASON[rule.type]
    steps: tuple[Step, ...]
    if call.is_queue_call:
        if settings.dnd is DndStatus.DO_NOT_ACCEPT_ANY_CALLS:
            reason, steps = PlanReason.DND_NO_CALLS, (NotAvailableForQueue(),)
        elif settings.dnd is DndStatus.DO_NOT_ACCEPT_DEPARTMENT_CALLS:
            reason, steps = PlanReason.DND_NO_QUEUE_CALLS, (NotAvailableForQueue(),)
        else:
            steps = (*_queue_rings(call, settings, rule), NotAvailableForQueue())
    elif settings.dnd is DndStatus.DO_NOT_ACCEPT_ANY_CALLS:
        reason, steps = PlanReason.DND_NO_CALLS, _messages(settings, rule)
    elif settings.dnd is DndStatus.TAKE_DEPARTMENT_CALLS_ONLY:
        reason, steps = PlanReason.DND_QUEUE_CALLS_ONLY, _messages(settings, rule)
    else:
        steps = _action(call, settings, rule)
    return CallPlan(
        settings.extension_id,
        reason,
        MatchedRule(rule.id, rule.name, rule.type),
        steps,
        moment.local,
        robocall_suspected=robocall,
    )


def active_rule(call: IncomingCall, settings: ExtensionSettings, moment: Moment) -> AnsweringRule:
    """CH-1: the first matching enabled custom rule, else user hours or after hours."""
    within_hours = in_user_hours(settings.user_hours, moment)
    caller = call.caller_number
    forms = number_forms(caller) if caller is not None else ()
    international = caller is not None and caller.startswith("+")
    for rule in settings.custom_rules:
        if not rule.enabled:
            continue
        if rule.callers and not (
            forms and rule.caller_patterns.matches_forms(forms, international=international)
        ):
            continue
        if rule.called_numbers and call.called_number not in rule.called_numbers:
            continue
        if rule.schedule is not None and not rule.schedule.applies(
            moment, in_user_hours=within_hours
        ):
            continue
        return rule
    return settings.user_hours_rule if within_hours else settings.after_hours_rule


def _action(
    call: IncomingCall, settings: ExtensionSettings, rule: AnsweringRule
) -> tuple[Step, ...]:
    if rule.action is CallHandlingAction.UNCONDITIONAL_FORWARDING:
        assert rule.unconditional_forwarding_number is not None  # checked by AnsweringRule
        return (ForwardTo(rule.unconditional_forwarding_number),)
    if rule.action is CallHandlingAction.TAKE_MESSAGES_ONLY:
        return _messages(settings, rule)
    if rule.action is CallHandlingAction.PLAY_ANNOUNCEMENT_ONLY:
        announcement = _prompt(
            settings, PromptKind.ANNOUNCEMENT, rule.greetings.announcement.custom_id
        )
        return (PlayPrompt(announcement), Disconnect(DisconnectReason.ANNOUNCEMENT))
    greetings = rule.greetings
    steps: list[Step] = []
    if greetings.introductory is not None:
        steps.append(
            PlayPrompt(
                _prompt(settings, PromptKind.USER_GREETING, greetings.introductory.custom_id)
            )
        )
    if _screens(call, settings, rule.screening):
        steps.append(ScreenCaller(_prompt(settings, PromptKind.SCREENING)))
    if greetings.connecting_message is not None:
        steps.append(
            PlayPrompt(
                _prompt(
                    settings, PromptKind.CONNECTING_MESSAGE, greetings.connecting_message.custom_id
                )
            )
        )
    steps.extend(_forwarding_rings(call, settings, rule))
    steps.extend(_messages(settings, rule))
    return tuple(steps)


def _screens(call: IncomingCall, settings: ExtensionSettings, screening: Screening) -> bool:
    """GS-2: ask the caller's name when caller ID is missing, when the caller is not in
    the user's contacts, or always."""
    if screening is Screening.ALWAYS:
        return True
    if screening is Screening.NO_CALLER_ID:
        return call.caller_number is None
    if screening is Screening.UNKNOWN_CALLER_ID:
        return call.caller_number not in settings.contact_numbers
    return False


def _messages(settings: ExtensionSettings, rule: AnsweringRule) -> tuple[Step, ...]:
    """Voicemail when the rule takes messages (VM-1, VM-2), else "unavailable" and hang up."""
    if not rule.voicemail.enabled:
        return (
            PlayPrompt(_prompt(settings, PromptKind.UNAVAILABLE)),
            Disconnect(DisconnectReason.UNAVAILABLE),
        )
    greeting = _prompt(settings, PromptKind.VOICEMAIL_GREETING, rule.greetings.voicemail.custom_id)
    recipient = rule.voicemail.recipient_extension_id or settings.extension_id
    return (TakeMessage(recipient, greeting, settings.max_message_seconds),)


def _forwarding_rings(
    call: IncomingCall, settings: ExtensionSettings, rule: AnsweringRule
) -> tuple[Ring, ...]:
    """CH-2: one ring step per enabled entry in priority order (a ring group rings its
    numbers together), or one step ringing everything for the longest ring time."""
    forwarding = rule.forwarding
    entries = forwarding.ordered_entries
    if not entries:
        return ()
    audio = rule.greetings.connecting_audio
    legs = _LegFactory(call, settings)
    if forwarding.ringing_mode is RingingMode.SIMULTANEOUSLY:
        targets = dict.fromkeys(number.ring_target for entry in entries for number in entry.numbers)
        seconds = max(entry.ring_seconds for entry in entries)
        return (Ring(tuple(legs.leg(target) for target in targets), seconds, audio),)
    return tuple(
        Ring(
            tuple(legs.leg(number.ring_target) for number in entry.numbers),
            entry.ring_seconds,
            audio,
        )
        for entry in entries
    )


def _queue_rings(
    call: IncomingCall, settings: ExtensionSettings, rule: AnsweringRule
) -> tuple[Ring, ...]:
    if rule.action is CallHandlingAction.FORWARD_CALLS:
        rings = _forwarding_rings(call, settings, rule)
        if rings:
            return rings
    target = RingTarget(RingTargetKind.EXTENSION, settings.extension_id, settings.name)
    leg = _LegFactory(call, settings).leg(target)
    return (Ring((leg,), QUEUE_RING_SECONDS, ConnectingAudio()),)


class _LegFactory:
    """CH-5 answer options for this call: one value for system phones and one for
    outside phones, built once per call."""

    def __init__(self, call: IncomingCall, settings: ExtensionSettings) -> None:
        self._system = _answer_options(call, settings, outside=False)
        self._outside = _answer_options(call, settings, outside=True)

    def leg(self, target: RingTarget) -> RingLeg:
        return RingLeg(target, self._system if target.is_system_phone else self._outside)


def _answer_options(
    call: IncomingCall, settings: ExtensionSettings, *, outside: bool
) -> AnswerOptions:
    info = settings.incoming_call_info
    displayed = (
        call.called_number
        if info.displayed_number is DisplayedNumber.CALLED_NUMBER
        else call.caller_number
    )
    announcement: tuple[Prompt, ...] = ()
    accept_key = None
    if call.queue_name is not None:
        if outside or (info.announce and info.queue_calls is AnnouncementScope.ALWAYS):
            announcement = (
                _prompt(settings, PromptKind.CALL_ANNOUNCEMENT, name=call.queue_name)
                if info.include_mailbox_name
                else _prompt(settings, PromptKind.QUEUE_CALL_UNNAMED, name=""),
            )
        if outside:
            announcement = (*announcement, _prompt(settings, PromptKind.PRESS_1_TO_ACCEPT))
            accept_key = "1"
    elif info.announce and (
        info.direct_calls is AnnouncementScope.ALWAYS
        or (info.direct_calls is AnnouncementScope.NON_SYSTEM_PHONES_ONLY and outside)
    ):
        announcement = (
            _prompt(settings, PromptKind.CALL_ANNOUNCEMENT)
            if info.include_mailbox_name
            else _prompt(settings, PromptKind.CALL_ANNOUNCEMENT_UNNAMED, name=""),
        )
    return AnswerOptions(displayed, announcement, accept_key, info.require_pin and outside)


def _prompt(
    settings: ExtensionSettings,
    kind: PromptKind,
    custom_greeting_id: str | None = None,
    *,
    name: str | None = None,
) -> Prompt:
    return Prompt(
        kind, settings.language, settings.name if name is None else name, custom_greeting_id
    )
