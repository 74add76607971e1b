"""The rule preview (ARCHITECTURE principle 2): a CallPlan in plain words, as the portal
shows it for "what happens if +1 650 555 1234 calls on Saturday at 10:00".

    Saturday 10:00: the after-hours rule applies.
    Callers hear your greeting, then Desk phone and Softphone ring for 20 seconds, then
    callers can leave a voicemail.

Sentences are English templates marked for translation; pass the portal's gettext for
French ("Samedi 10:00 : la règle En dehors des heures d'ouverture s'applique.").
"""

from __future__ import annotations

from telephonist.domain.answering.plan import (
    CallPlan,
    Disconnect,
    ForwardTo,
    NotAvailableForQueue,
    PlanReason,
    PlayPrompt,
    PromptKind,
    ReceiveFax,
    Ring,
    ScreenCaller,
    Step,
    TakeMessage,
)
from telephonist.domain.answering.wording import Sentence, Translate, join_and, untranslated
from telephonist.domain.text import N_

DAY_NAMES = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)

_HEADLINES = {
    PlanReason.CUSTOM_RULE: N_('{when}: the custom rule "{rule}" applies.'),
    PlanReason.USER_HOURS: N_("{when}: the user-hours rule applies."),
    PlanReason.AFTER_HOURS: N_("{when}: the after-hours rule applies."),
    PlanReason.BLOCKED_NUMBER: N_(
        "{when}: the caller is blocked: their number matches {entry} on your block list."
    ),
    PlanReason.BLOCKED_ALL_CALLS: N_(
        "{when}: the caller is blocked: you block all calls except your trusted numbers."
    ),
    PlanReason.BLOCKED_NO_CALLER_ID: N_("{when}: the caller is blocked: there is no caller ID."),
    PlanReason.BLOCKED_PAY_PHONE: N_(
        "{when}: the caller is blocked: the call is from a pay phone."
    ),
    PlanReason.BLOCKED_ROBOCALL: N_("{when}: the caller is blocked as a suspected robocall."),
    PlanReason.DND_NO_CALLS: N_("{when}: Do not disturb is on: you do not accept any calls."),
    PlanReason.DND_NO_QUEUE_CALLS: N_("{when}: you do not accept call queue calls."),
    PlanReason.DND_QUEUE_CALLS_ONLY: N_("{when}: you take call queue calls only."),
    PlanReason.FAX: N_("{when}: the fax is received in your messages."),
}

_PROMPT_CLAUSES = {
    PromptKind.USER_GREETING: N_("callers hear your greeting"),
    PromptKind.CONNECTING_MESSAGE: N_("callers hear the connecting message"),
    PromptKind.ANNOUNCEMENT: N_("callers hear your announcement"),
    PromptKind.UNAVAILABLE: N_("callers hear that you are not available"),
    PromptKind.BLOCKED: N_("callers hear the blocked-call message"),
    PromptKind.BLOCKED_PAY_PHONE: N_("callers hear the pay-phone message"),
    PromptKind.BLOCKED_NO_CALLER_ID: N_("callers hear the no-caller-ID message"),
}


def describe(plan: CallPlan, translate: Translate = untranslated) -> list[str]:
    """The plan as sentences in the language of ``translate`` (a gettext function)."""
    return [_sentence_case(sentence.render(translate)) for sentence in sentences(plan)]


def sentences(plan: CallPlan) -> list[Sentence]:
    """The plan as untranslated sentences: the headline, what callers go through, and a
    warning for a suspected robocall let through."""
    local = plan.local_time
    when = Sentence.of(
        N_("{day} {time}"), day=Sentence(DAY_NAMES[local.weekday()]), time=f"{local:%H:%M}"
    )
    rule_name = plan.rule.name if plan.rule is not None else ""
    result = [Sentence.of(_HEADLINES[plan.reason], when=when, rule=rule_name, entry=plan.detail)]
    clauses = [clause for step in plan.steps if (clause := _clause(step, plan)) is not None]
    if clauses:
        result.append(Sentence.of(N_("{steps}."), steps=_then(clauses)))
    if plan.robocall_suspected:
        result.append(Sentence(N_("The caller may be a robocall; your phones ring anyway.")))
    return result


def _clause(step: Step, plan: CallPlan) -> Sentence | None:
    if isinstance(step, PlayPrompt):
        template = _PROMPT_CLAUSES.get(step.prompt.kind)
        return Sentence(template) if template is not None else None
    if isinstance(step, ScreenCaller):
        return Sentence(N_("callers are asked to say their name"))
    if isinstance(step, Ring):
        labels: list[str | Sentence] = [target.label or target.value for target in step.targets]
        template = (
            N_("{targets} rings for {seconds} seconds")
            if len(labels) == 1
            else N_("{targets} ring for {seconds} seconds")
        )
        return Sentence.of(template, targets=join_and(labels), seconds=str(step.seconds))
    if isinstance(step, TakeMessage):
        if step.recipient_extension_id != plan.extension_id:
            return Sentence(N_("callers can leave a voicemail for another extension"))
        return Sentence(N_("callers can leave a voicemail"))
    if isinstance(step, ForwardTo):
        return Sentence.of(N_("the call is forwarded to {number}"), number=step.phone_number)
    if isinstance(step, Disconnect):
        return Sentence(N_("the call ends"))
    if isinstance(step, NotAvailableForQueue):
        return Sentence(N_("the queue offers the call to other members"))
    assert isinstance(step, ReceiveFax)
    return None


def _then(clauses: list[Sentence]) -> Sentence:
    if len(clauses) == 1:
        return clauses[0]
    return Sentence.of(N_("{first}, then {rest}"), first=clauses[0], rest=_then(clauses[1:]))


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]
