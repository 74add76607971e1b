"""The one executor of call plans (ARCHITECTURE.md principle 2): it asks the answering
rules what to do with a call offered to an extension (``route()``), then runs the plan's
steps on the call with the B2BUA's primitives and the media engine: greetings, call
screening, ring steps (a sequence of them, each ringing its legs together while the
caller hears ringback or music), CH-5 answer options on the phone that answers,
unconditional forwarding, voicemail, announcements and disconnects. It also places
calls to outside numbers (CallOutside).

Until a call is connected its plan runner owns it and decides how it ends and what the
call log says; once connected, the B2BUA's in-dialog handlers take over."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import os
import secrets
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from telephonist.calllog.records import CallReason, CallResult
from telephonist.calls.answering_cache import Routing
from telephonist.calls.b2bua import (
    BUSY_FIRST,
    FAILED,
    NOT_ANSWERED,
    Call,
    Outcome,
    Placement,
    RingAttempt,
    outcome_for,
)
from telephonist.calls.channel import Channel, HungUp, RecordingEnd
from telephonist.calls.directory import Directory, ExtensionEntry
from telephonist.calls.journal import Party as LogParty
from telephonist.calls.legs import ClientLeg, sip_uri
from telephonist.calls.routing import CallOutside, RingExtension
from telephonist.calls.signals import incoming_call_of
from telephonist.domain.answering.model import (
    ConnectingAudio,
    ConnectingAudioKind,
    HoldMusic,
)
from telephonist.domain.answering.plan import (
    AnswerOptions,
    CallPlan,
    Disconnect,
    DisconnectReason,
    ForwardTo,
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
from telephonist.domain.answering.route import route
from telephonist.domain.answering.targets import RingTarget, RingTargetKind
from telephonist.domain.dialing import NumberFormat, format_for_trunk
from telephonist.domain.extensions import ExtensionType
from telephonist.media.engine import PcmSource
from telephonist.media.wav import WavFileSink
from telephonist.sip import NameAddress
from telephonist.voicemail.deposit import MailboxRequested

if TYPE_CHECKING:
    from telephonist.calls.b2bua import CallManager

log = logging.getLogger(__name__)

OUTSIDE_RING_SECONDS = 120
"""How long a call to an outside number may ring before we give up."""
ANSWER_KEY_SECONDS = 10
"""How long the person who answered has to press a key (CH-5, screening)."""
SCREENED_NAME_SECONDS = 5

VOICEMAIL = Outcome(
    CallResult.CALL_CONNECTED, CallReason.CONNECTED, CallResult.VOICEMAIL, CallReason.NOT_ANSWERED
)
BLOCKED = Outcome(
    CallResult.BLOCKED, CallReason.NUMBER_BLOCKED, CallResult.BLOCKED, CallReason.NUMBER_BLOCKED
)
ANNOUNCED = Outcome(
    CallResult.CALL_CONNECTED, CallReason.CONNECTED, CallResult.MISSED, CallReason.NOT_ANSWERED
)
CONNECTED_TO_MAILBOX = Outcome(CallResult.CALL_CONNECTED, CallReason.CONNECTED)


class RoutingSource(Protocol):
    """The answering settings of an extension (cached: calls must not wait on the
    database), None when it has none."""

    async def routing(self, account_id: int, extension_id: int) -> Routing | None: ...


class PromptSource(Protocol):
    """Audio for prompts, tones and music (the prompts package)."""

    async def prompt(self, prompt: Prompt, account_id: int, extension_id: int) -> PcmSource:
        """A plan's prompt: the custom greeting when it names one, else the default
        text spoken in its language."""
        ...

    async def screening_offer(self, language: str, name_recording: Path) -> PcmSource:
        """ "You have a call from <recording>. Press 1 to accept, 2 to send to voicemail.\""""
        ...

    async def enter_pin(self, language: str) -> PcmSource: ...

    def beep(self) -> PcmSource: ...

    def ringback(self, country: str) -> PcmSource:
        """The ringback callers from ``country`` (ISO code) expect."""
        ...

    async def music(self, track: str) -> PcmSource:
        """A music track, looping until stopped."""
        ...

    async def hold_music(self, account_id: int, music: HoldMusic, country: str) -> PcmSource | None:
        """GS-5: what a held party hears, looping until stopped; None for silence."""
        ...


class Voicemail(Protocol):
    """Taking messages and the phone mailbox menu (the voicemail package)."""

    async def take_message(
        self,
        channel: Channel,
        *,
        account_id: int,
        recipient_extension_id: int,
        greeting: PcmSource,
        max_seconds: int,
        called_number: str,
        called_name: str | None = None,
    ) -> bool:
        """Play ``greeting``, record a message; True when one was kept. Raises
        MailboxRequested when the caller pressed * during the greeting. The message is
        addressed to ``called_number`` and ``called_name`` (the recipient's by default)."""
        ...

    async def menu(self, channel: Channel, account_id: int, extension_id: int) -> str | None:
        """VM-5: the mailbox menu (PIN first); the number to call back, if asked for."""
        ...


class PinCheck(Protocol):
    async def verify(self, account_id: int, extension_id: int, pin: str) -> bool: ...


class Answer(enum.Enum):
    """What the person who answered decided (CH-5, GS-2)."""

    ACCEPT = "accept"
    DECLINE = "decline"
    TO_VOICEMAIL = "voicemail"


@dataclass
class Ending:
    """How an unconnected call ends: the call-log outcome and, if the caller was never
    answered, the SIP status they get."""

    outcome: Outcome
    status: int = 480


class RingResult(enum.Enum):
    CONNECTED = "connected"
    NO_ANSWER = "no answer"
    TO_VOICEMAIL = "voicemail"


@dataclass
class Running:
    """What a plan run knows besides the plan."""

    call: Call
    extension: ExtensionEntry
    language: str
    called_number: str
    screened_name: Path | None = None
    last_statuses: tuple[int, ...] = ()


class PlanRunner:
    def __init__(
        self,
        calls: CallManager,
        *,
        routing: RoutingSource,
        prompts: PromptSource,
        voicemail: Voicemail,
        pins: PinCheck,
        ring_timeout: int,
        work_dir: Path,
    ) -> None:
        self.calls = calls
        self.routing = routing
        self.prompts = prompts
        self.voicemail = voicemail
        self.pins = pins
        self.ring_timeout = ring_timeout
        self.work_dir = work_dir

    async def hold_music(self, call: Call, holder: ExtensionEntry | None) -> PcmSource | None:
        """GS-5: the music the holder chose (the Acoustic track when the holder is not one
        of our users, e.g. a carrier's caller); None when they chose silence."""
        music = HoldMusic()
        if holder is not None:
            routing = await self.routing.routing(call.account_id, holder.extension_id)
            if routing is not None and routing.settings is not None:
                music = routing.settings.hold_music
        country = holder.home_country if holder is not None else "US"
        return await self.prompts.hold_music(call.account_id, music, country)

    # -- calls to an extension ---------------------------------------------------------------

    async def deliver(self, call: Call, decision: RingExtension, dialled: str) -> None:
        extension = decision.extension
        callee = LogParty(extension.direct_number or "", extension.name, extension.number)
        own = call.caller.extension
        if own is not None and own.extension_id == extension.extension_id:
            self.calls.open_rows(call, callee, None)
            await self._own_mailbox(call, extension)
            return
        self.calls.open_rows(call, callee, extension)
        call.called_extension = extension
        routing = await self.routing.routing(call.account_id, extension.extension_id)
        plan = self._plan(call, extension, routing, dialled)
        log.info(
            "call %s to %s: %s (%s)",
            call.session_id,
            extension.number,
            plan.reason.value,
            ", ".join(type(step).__name__ for step in plan.steps),
        )
        running = Running(
            call,
            extension,
            routing.language if routing is not None else "en",
            dialled,
        )
        try:
            ending = await self._run(running, plan)
        finally:
            if running.screened_name is not None:
                running.screened_name.unlink(missing_ok=True)
        if ending is not None:
            await self.calls.end_call(call, ending.outcome, ending.status)

    def _plan(
        self,
        call: Call,
        extension: ExtensionEntry,
        routing: Routing | None,
        dialled: str,
    ) -> CallPlan:
        now = datetime.now(UTC)
        if routing is not None and routing.settings is not None:
            incoming = incoming_call_of(call.a.request, call.caller, dialled)
            if routing.robocalls.matches(incoming.caller_number):
                incoming = replace(incoming, on_robocall_list=True)
            return route(incoming, routing.settings, now)
        if routing is not None and extension.type == ExtensionType.MESSAGE_ONLY.value:
            greeting = Prompt(PromptKind.VOICEMAIL_GREETING, routing.language, extension.name)
            steps: tuple[TakeMessage | Ring | Disconnect, ...] = (
                TakeMessage(str(extension.extension_id), greeting, routing.max_message_seconds),
            )
        else:
            target = RingTarget(RingTargetKind.EXTENSION, str(extension.extension_id))
            steps = (
                Ring((RingLeg(target, AnswerOptions(None)),), self.ring_timeout, ConnectingAudio()),
                Disconnect(DisconnectReason.UNAVAILABLE),
            )
        return CallPlan(str(extension.extension_id), PlanReason.USER_HOURS, None, steps, now)

    async def _run(self, running: Running, plan: CallPlan) -> Ending | None:
        """Run the steps; None when the call got connected, else how it ends."""
        call = running.call
        steps = list(plan.steps)
        index = 0
        while index < len(steps):
            step = steps[index]
            index += 1
            if call.ended or call.caller_left:
                return Ending(NOT_ANSWERED, 487)
            try:
                if isinstance(step, PlayPrompt):
                    if _phone_says_it(step, steps[index:], call):
                        return self._unavailable(running)
                    channel = await self._answer(running)
                    await channel.play(await self._prompt(running, step.prompt))
                elif isinstance(step, ScreenCaller):
                    await self._screen(running, step)
                elif isinstance(step, Ring):
                    result = await self._ring(running, step)
                    if result is RingResult.CONNECTED:
                        return None
                    if result is RingResult.TO_VOICEMAIL and isinstance(steps[-1], TakeMessage):
                        index = len(steps) - 1
                elif isinstance(step, ForwardTo):
                    if await self._forward(running, step.phone_number):
                        return None
                    return self._unavailable(running)
                elif isinstance(step, TakeMessage):
                    return await self._take_message(running, step)
                elif isinstance(step, Disconnect):
                    return self._disconnect(running, step)
                elif isinstance(step, NotAvailableForQueue | ReceiveFax):
                    return Ending(NOT_ANSWERED)
            except HungUp:
                return Ending(NOT_ANSWERED, 487)
        return Ending(NOT_ANSWERED)

    async def _answer(self, running: Running) -> Channel:
        channel = await self.calls.answer_caller(running.call, running.language)
        if channel is None:
            raise HungUp
        return channel

    async def _prompt(self, running: Running, prompt: Prompt) -> PcmSource:
        return await self.prompts.prompt(
            prompt, running.call.account_id, running.extension.extension_id
        )

    async def _screen(self, running: Running, step: ScreenCaller) -> None:
        """GS-2: ask the caller's name and keep the recording for whoever answers."""
        channel = await self._answer(running)
        await channel.play(await self._prompt(running, step.prompt))
        await channel.play(self.prompts.beep())
        handle, name = tempfile.mkstemp(prefix="screened-", suffix=".wav", dir=self.work_dir)
        os.close(handle)
        Path(name).unlink()
        running.screened_name = Path(name)
        recorded = await channel.record(
            WavFileSink(running.screened_name),
            max_seconds=SCREENED_NAME_SECONDS,
            silence_seconds=1.5,
        )
        if recorded.end is RecordingEnd.HANG_UP:
            raise HungUp

    # -- ringing -----------------------------------------------------------------------------

    async def _ring(self, running: Running, step: Ring) -> RingResult:
        call = running.call
        directory = await self.calls.directory.get()
        placements: list[Placement] = []
        options: dict[str, AnswerOptions] = {}
        for ring_leg in step.legs:
            for placement in self._placements(running, directory, ring_leg):
                placements.append(placement)
                options[placement.label] = ring_leg.answer
        if not placements:
            return RingResult.NO_ANSWER
        attempt = self.calls.place(call, placements)
        audio = self._play_while_connecting(running, step.audio)
        try:
            leg = await self._first_answer(call, attempt, step.seconds)
            running.last_statuses = tuple(attempt.statuses)
            if leg is None:
                return RingResult.NO_ANSWER
            answer = await self._accept(running, leg, options.get(leg.label, AnswerOptions(None)))
            if answer is Answer.ACCEPT:
                await _stop(audio)
                audio = None
                if await self.calls.connect(call, leg):
                    return RingResult.CONNECTED
                return RingResult.NO_ANSWER
            self.calls.end_leg(leg)
            return (
                RingResult.TO_VOICEMAIL if answer is Answer.TO_VOICEMAIL else RingResult.NO_ANSWER
            )
        finally:
            await _stop(audio)

    async def _first_answer(
        self, call: Call, attempt: RingAttempt, seconds: float
    ) -> ClientLeg | None:
        try:
            return await asyncio.wait_for(asyncio.shield(attempt.answered), seconds)
        except TimeoutError:
            self.calls.stop_ringing(call)
            return None

    def _play_while_connecting(
        self, running: Running, audio: ConnectingAudio
    ) -> asyncio.Task[None] | None:
        """GS-4: ringback or music to a caller we already answered (one we have not
        answered hears their own phone's ringback from our 180)."""
        channel = running.call.caller_channel
        if channel is None:
            return None

        async def loop() -> None:
            if audio.kind is ConnectingAudioKind.MUSIC:
                source = await self.prompts.music(audio.music_track)
            else:
                source = self.prompts.ringback(running.extension.home_country)
            with contextlib.suppress(HungUp):
                while True:
                    await channel.play(source)

        return asyncio.ensure_future(loop())

    def _placements(
        self, running: Running, directory: Directory, ring_leg: RingLeg
    ) -> list[Placement]:
        """The INVITEs one ring leg needs: a leg per registered contact of the phones it
        names, or one to the trunk for an outside number."""
        call = running.call
        target = ring_leg.target
        now = time.time()
        host = self.calls.stack.endpoint.host
        caller = call.caller
        shown = ring_leg.answer.displayed_number or caller.number or "anonymous"
        from_party = NameAddress(sip_uri(shown, host), caller.name or None)
        if target.kind is RingTargetKind.OUTSIDE_NUMBER:
            placement = self._trunk_placement(running, directory, target.value)
            return [placement] if placement is not None else []
        location = self.calls.location
        if target.kind is RingTargetKind.DEVICE:
            bindings = location.bindings_of_device(int(target.value), now)
        elif target.kind is RingTargetKind.APPS:
            apps = {
                device.device_id
                for device in directory.devices.values()
                if device.extension_id == int(target.value)
                and device.kind in ("SoftPhone", "WebPhone")
            }
            bindings = [
                binding
                for binding in location.bindings_of_extension(int(target.value), now)
                if binding.device_id in apps
            ]
        else:
            bindings = location.bindings_of_extension(int(target.value), now)
        exclude = caller.device.device_id if caller.device is not None else None
        to_party = NameAddress(sip_uri(running.extension.number, host), running.extension.name)
        return [
            Placement(
                binding.contact.uri,
                binding.destination,
                from_party,
                to_party,
                label=f"device {binding.device_id} {binding.key}",
            )
            for binding in bindings
            if binding.device_id != exclude
        ]

    def _trunk_placement(
        self, running: Running, directory: Directory, number: str
    ) -> Placement | None:
        """A forwarded call goes out with the caller's number when it came from outside,
        else the user's; a Diversion header (RFC 5806) names the user's number."""
        call = running.call
        trunk = directory.outbound_trunk(call.account_id)
        if trunk is None:
            log.warning("call %s: no trunk to forward to %s", call.session_id, number)
            return None
        number_format = NumberFormat(trunk.number_format)
        dialled = format_for_trunk(number, number_format)
        account = directory.accounts[call.account_id]
        user_number = running.extension.direct_number or account.main_number or ""
        shown = call.caller.number if call.caller.trunk is not None else user_number
        caller_id = format_for_trunk(shown, number_format) if shown else "anonymous"
        host = self.calls.stack.endpoint.host
        identity = NameAddress(sip_uri(caller_id, host), call.caller.name or None)
        extra: tuple[tuple[str, str], ...] = (("P-Asserted-Identity", identity.serialize()),)
        if user_number:
            diversion = NameAddress(sip_uri(format_for_trunk(user_number, number_format), host))
            extra += (("Diversion", f"{diversion.serialize()};reason=unconditional"),)
        return Placement(
            sip_uri(dialled, trunk.host, trunk.port, trunk.transport),
            trunk.destination,
            identity,
            NameAddress(sip_uri(dialled, trunk.host, trunk.port)),
            label=f"trunk {trunk.name} {secrets.token_hex(2)}",
            trunk=trunk,
            extra_headers=extra,
        )

    async def _accept(self, running: Running, leg: ClientLeg, options: AnswerOptions) -> Answer:
        """CH-5 and GS-2 on the phone that answered, before the caller is connected."""
        screened = running.screened_name
        if (
            not options.announcement
            and options.accept_key is None
            and not options.require_pin
            and screened is None
        ):
            return Answer.ACCEPT
        call = running.call
        if not await self.calls.prepare_callee_media(call, leg):
            return Answer.DECLINE
        channel = self.calls.callee_channel(call, leg, running.language)
        try:
            if options.require_pin:
                await channel.play(await self.prompts.enter_pin(running.language))
                pin = await channel.read_keys(12, timeout=ANSWER_KEY_SECONDS)
                if not await self.pins.verify(call.account_id, running.extension.extension_id, pin):
                    return Answer.DECLINE
            for prompt in options.announcement:
                await channel.play(await self._prompt(running, prompt), interruptible=True)
            if screened is not None and screened.exists():
                channel.flush_keys()
                await channel.play(
                    await self.prompts.screening_offer(running.language, screened),
                    interruptible=True,
                )
                key = await channel.read_keys(1, timeout=ANSWER_KEY_SECONDS)
                if key == "2":
                    return Answer.TO_VOICEMAIL
                if key != "1":
                    return Answer.DECLINE
            elif options.accept_key is not None:
                key = await channel.read_keys(1, timeout=ANSWER_KEY_SECONDS)
                if key != options.accept_key:
                    return Answer.DECLINE
        except HungUp:
            return Answer.DECLINE
        return Answer.ACCEPT

    # -- final steps ---------------------------------------------------------------------------

    async def _forward(self, running: Running, number: str) -> bool:
        """Unconditional forwarding: the call goes out to ``number`` as it is."""
        directory = await self.calls.directory.get()
        placement = self._trunk_placement(running, directory, number)
        if placement is None:
            return False
        call = running.call
        attempt = self.calls.place(call, [placement])
        leg = await self._first_answer(call, attempt, OUTSIDE_RING_SECONDS)
        running.last_statuses = tuple(attempt.statuses)
        return leg is not None and await self.calls.connect(call, leg)

    async def _take_message(self, running: Running, step: TakeMessage) -> Ending:
        channel = await self._answer(running)
        recipient = int(step.recipient_extension_id)
        try:
            kept = await self.voicemail.take_message(
                channel,
                account_id=running.call.account_id,
                recipient_extension_id=recipient,
                greeting=await self._prompt(running, step.greeting),
                max_seconds=step.max_seconds,
                called_number=running.called_number,
                called_name=running.extension.name,
            )
        except MailboxRequested:
            await self._mailbox_menu(running, recipient)
            return Ending(VOICEMAIL)
        return Ending(VOICEMAIL if kept else NOT_ANSWERED)

    async def _own_mailbox(self, call: Call, extension: ExtensionEntry) -> None:
        """A user dialling their own extension reaches their mailbox (VM-5)."""
        routing = await self.routing.routing(call.account_id, extension.extension_id)
        language = routing.language if routing is not None else "en"
        running = Running(call, extension, language, extension.number)
        try:
            await self._answer(running)
            await self._mailbox_menu(running, extension.extension_id)
        except HungUp:
            pass
        if call.b is None:
            await self.calls.end_call(call, CONNECTED_TO_MAILBOX)

    async def _mailbox_menu(self, running: Running, extension_id: int) -> None:
        """The menu, then the call back the user asked for, if any."""
        channel = await self._answer(running)
        number = await self.voicemail.menu(channel, running.call.account_id, extension_id)
        if number is None or running.call.caller_left:
            return
        directory = await self.calls.directory.get()
        target = directory.extension_by_number(running.call.account_id, number)
        if target is None:
            await self._forward(running, number)
            return
        ring = Ring(
            (
                RingLeg(
                    RingTarget(RingTargetKind.EXTENSION, str(target.extension_id)),
                    AnswerOptions(None),
                ),
            ),
            OUTSIDE_RING_SECONDS,
            ConnectingAudio(),
        )
        await self._ring(running, ring)

    def _disconnect(self, running: Running, step: Disconnect) -> Ending:
        if step.reason is DisconnectReason.BLOCKED:
            return Ending(BLOCKED, 603)
        if step.reason is DisconnectReason.ANNOUNCEMENT:
            return Ending(ANNOUNCED)
        return self._unavailable(running)

    def _unavailable(self, running: Running) -> Ending:
        """Nobody answered: busy wins over no answer, as phones expect."""
        status = next((code for code in BUSY_FIRST if code in running.last_statuses), 480)
        if status == 404:
            status = 480
        return Ending(outcome_for(status), status)

    # -- calls to outside numbers --------------------------------------------------------------

    async def call_outside(self, call: Call, decision: CallOutside) -> None:
        trunk = decision.trunk
        number_format = NumberFormat(trunk.number_format)
        dialled = decision.number
        if not decision.emergency:
            dialled = format_for_trunk(decision.number, number_format)
        caller_id = (
            format_for_trunk(decision.caller_id, number_format)
            if decision.caller_id
            else "anonymous"
        )
        host = self.calls.stack.endpoint.host
        identity = NameAddress(sip_uri(caller_id, host), call.caller.name or None)
        call.external = True
        self.calls.open_rows(call, LogParty(decision.number), None)
        placement = Placement(
            sip_uri(dialled, trunk.host, trunk.port, trunk.transport),
            trunk.destination,
            identity,
            NameAddress(sip_uri(dialled, trunk.host, trunk.port)),
            label=f"trunk {trunk.name}",
            trunk=trunk,
            extra_headers=(("P-Asserted-Identity", identity.serialize()),),
            location=decision.location if decision.emergency else None,
        )
        attempt = self.calls.place(call, [placement])
        leg = await self._first_answer(call, attempt, OUTSIDE_RING_SECONDS)
        if leg is not None and await self.calls.connect(call, leg):
            return
        if call.caller_left:
            await self.calls.end_call(call, NOT_ANSWERED, 487)
            return
        status = next((code for code in BUSY_FIRST if code in attempt.statuses), 480)
        if leg is not None:
            status, outcome = 500, FAILED
        else:
            outcome = outcome_for(status) if attempt.statuses else NOT_ANSWERED
        await self.calls.end_call(call, outcome, status)


def _phone_says_it(step: PlayPrompt, rest: Sequence[Step], call: Call) -> bool:
    """ "Unavailable, goodbye" to a caller we have not answered is better said by their
    own phone: they get 480 (or 486 when the phones were busy) instead of an answered
    call that only plays a prompt."""
    return (
        step.prompt.kind is PromptKind.UNAVAILABLE
        and not call.caller_answered
        and step.prompt.custom_greeting_id is None
        and len(rest) == 1
        and isinstance(rest[0], Disconnect)
    )


async def _stop(task: asyncio.Task[None] | None) -> None:
    if task is not None and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
