"""Plans written compactly for table tests: one short string per step."""

from __future__ import annotations

from telephonist.domain.answering.plan import (
    CallPlan,
    Disconnect,
    ForwardTo,
    NotAvailableForQueue,
    PlayPrompt,
    ReceiveFax,
    Ring,
    ScreenCaller,
    Step,
    TakeMessage,
)


def step_text(step: Step) -> str:
    if isinstance(step, PlayPrompt):
        custom = f"({step.prompt.custom_greeting_id})" if step.prompt.custom_greeting_id else ""
        return f"play {step.prompt.kind}{custom}"
    if isinstance(step, ScreenCaller):
        return "screen"
    if isinstance(step, Ring):
        return f"ring {'+'.join(t.label for t in step.targets)} {step.seconds}s"
    if isinstance(step, ForwardTo):
        return f"forward {step.phone_number}"
    if isinstance(step, TakeMessage):
        return f"voicemail {step.recipient_extension_id}"
    if isinstance(step, Disconnect):
        return f"disconnect {step.reason}"
    if isinstance(step, NotAvailableForQueue):
        return "back to queue"
    assert isinstance(step, ReceiveFax)
    return "fax"


def summary(plan: CallPlan) -> str:
    return " > ".join(step_text(step) for step in plan.steps)
