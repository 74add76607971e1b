"""The B2BUA (ARCHITECTURE.md principle 3): every call is a caller leg we answer and legs
we place, with media anchored on our endpoints.

This module holds the SIP side of calls: it places legs (several at once: forking),
relays ringing and early media, answers the caller (with the first 2xx of a leg, or
before any, for greetings and voicemail), cancels the legs left, relays hold/resume
re-INVITEs both ways, ends both legs on BYE, and writes the call log of each party
(LOG-2). What happens in which order (greetings, ring steps, voicemail) is the plan's
business: calls.plan_runner drives these primitives from a CallPlan."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from telephonist.calllog.records import CallAction, CallReason, CallResult
from telephonist.calls.authentication import Challenge, DeviceAuthentication
from telephonist.calls.channel import Party as ChannelParty
from telephonist.calls.directory import DirectoryCache, ExtensionEntry, Location, TrunkEntry
from telephonist.calls.journal import CallJournal, Party, RecordHandle
from telephonist.calls.leg_channel import LegChannel
from telephonist.calls.legs import (
    ClientLeg,
    LegState,
    MediaLeg,
    ServerLeg,
    dialog_from_state,
    new_invite,
    retry_with,
)
from telephonist.calls.media_sdp import (
    SdpSession,
    engine_direction,
    parse_sdp,
    remote_media,
)
from telephonist.calls.registrar import LocationService
from telephonist.calls.routing import Caller, CallRouter, Refuse, RingExtension
from telephonist.calls.signals import WITHHELD
from telephonist.calls.stack import SipStack
from telephonist.media.dtmf import DtmfDigit
from telephonist.media.engine import MediaEndpoint, MediaEngine, MediaError
from telephonist.sip import (
    ClientCredentials,
    DialogError,
    DialogId,
    NameAddress,
    Peer,
    SdpParseError,
    SipParseError,
    SipRequest,
    SipResponse,
    authorization_for,
    dialog_id_of_request,
    dialog_id_of_response,
    make_cancel,
    make_response,
    new_tag,
    pick_challenge,
)
from telephonist.sip.offer_answer import is_hold_offer
from telephonist.sip.transactions import TransactionKey
from telephonist.sip.uri import Uri
from telephonist.store.base import utcnow

if TYPE_CHECKING:
    from telephonist.calls.plan_runner import PlanRunner

log = logging.getLogger(__name__)

BUSY_FIRST = (486, 600, 603, 480, 404)
"""Which failure to tell the caller when every leg failed (busy wins, as phones expect)."""
DTMF_KEYS = frozenset("0123456789*#ABCD")


@dataclass(frozen=True)
class Outcome:
    """How a call ended, for each party's call-log row (calllog.records documents it)."""

    caller_result: CallResult
    caller_reason: CallReason
    callee_result: CallResult = CallResult.MISSED
    callee_reason: CallReason = CallReason.NOT_ANSWERED


CONNECTED = Outcome(
    CallResult.CALL_CONNECTED, CallReason.CONNECTED, CallResult.ACCEPTED, CallReason.ACCEPTED
)
NOT_ANSWERED = Outcome(CallResult.NO_ANSWER, CallReason.NO_ANSWER)
FAILED = Outcome(CallResult.CALL_FAILED, CallReason.INTERNAL_ERROR)


def outcome_for(status: int) -> Outcome:
    """The log outcome of a call refused or failed with ``status`` before an answer."""
    if status in (486, 600):
        return Outcome(CallResult.BUSY, CallReason.LINE_BUSY)
    if status == 603:
        return Outcome(CallResult.REJECTED, CallReason.CALLS_NOT_ACCEPTED)
    if status == 403:
        return Outcome(CallResult.CALL_FAILED, CallReason.EMERGENCY_ADDRESS_NOT_DEFINED)
    if status in (404, 484):
        return Outcome(CallResult.WRONG_NUMBER, CallReason.BAD_NUMBER)
    if status in (408, 480, 487):
        return NOT_ANSWERED
    return FAILED


class Side(Enum):
    CALLER = "caller"
    CALLEE = "callee"


@dataclass
class LogRows:
    """The call-log rows of the two parties (either may be absent: a trunk has none)."""

    caller: RecordHandle | None = None
    callee: RecordHandle | None = None


@dataclass
class RingAttempt:
    """The legs one ring step placed. ``answered`` resolves with the first leg to answer
    (its 2xx in ``leg.answer``), or None once every leg failed or the step was stopped."""

    forks: list[ClientLeg]
    answered: asyncio.Future[ClientLeg | None]

    def settle(self, leg: ClientLeg | None) -> None:
        if not self.answered.done():
            self.answered.set_result(leg)

    @property
    def statuses(self) -> list[int]:
        return [fork.final_status for fork in self.forks]


@dataclass
class Call:
    """One call: the caller's leg, the legs we placed, its media and its log rows.

    Until it is connected (``b`` set) a plan runner owns the call and decides how it ends;
    ``caller_left`` tells it the caller cancelled or hung up meanwhile."""

    session_id: str
    account_id: int
    caller: Caller
    a: ServerLeg
    b_media: MediaLeg
    forks: list[ClientLeg] = field(default_factory=list)
    attempt: RingAttempt | None = None
    b: ClientLeg | None = None
    external: bool = False
    rows: LogRows = field(default_factory=LogRows)
    ack_timer: asyncio.TimerHandle | None = None
    bridged: bool = False
    answered_at: float | None = None
    reinvite_pending: bool = False
    ended: bool = False
    caller_left: bool = False
    caller_answered: bool = False
    hold_music: asyncio.Task[None] | None = None
    called_extension: ExtensionEntry | None = None
    """The extension a plan runner delivered the call to: whose hold music the caller
    hears when the answering side holds (GS-5)."""
    caller_channel: LegChannel | None = None
    callee_channel: LegChannel | None = None


@dataclass(frozen=True)
class Placement:
    """One leg to place: where the INVITE goes and who it says is calling whom."""

    request_uri: Uri
    destination: Peer
    from_party: NameAddress
    to_party: NameAddress
    label: str
    trunk: TrunkEntry | None = None
    extra_headers: tuple[tuple[str, str], ...] = ()
    location: Location | None = None
    """For emergency calls: the caller's address, sent by value (RFC 6442)."""


class CallManager:
    """Owns every call in progress."""

    def __init__(
        self,
        stack: SipStack,
        engine: MediaEngine,
        directory: DirectoryCache,
        authentication: DeviceAuthentication,
        router: CallRouter,
        location: LocationService,
        journal: CallJournal,
        runner_factory: Callable[[CallManager], PlanRunner],
    ) -> None:
        self.stack = stack
        self.engine = engine
        self.directory = directory
        self.authentication = authentication
        self.router = router
        self.location = location
        self.journal = journal
        self.runner = runner_factory(self)
        self.calls: dict[str, Call] = {}
        self._by_invite: dict[TransactionKey, Call] = {}
        self._dialogs: dict[DialogId, tuple[Call, Side]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        engine.set_dtmf_handler(self._key_pressed)

    # -- entry points from the application ---------------------------------------------------

    def spawn(self, work: Callable[[], Any]) -> None:
        task = asyncio.ensure_future(work())
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("call handling failed", exc_info=task.exception())

    def new_invite(self, request: SipRequest, source: Peer, key: TransactionKey) -> None:
        self.spawn(lambda: self._start_safely(request, source, key))

    async def _start_safely(self, request: SipRequest, source: Peer, key: TransactionKey) -> None:
        """A bug in handling one call answers that caller 500 (or hangs up) and frees its
        media; it never leaves a phone ringing forever or an RTP port taken."""
        try:
            await self._start(request, source, key)
        except Exception:
            log.exception("handling call %s failed", request.call_id)
            call = self._by_invite.get(key) or next(
                (c for c in self.calls.values() if c.a.key == key), None
            )
            if call is not None:
                await self.end_call(call, FAILED, 500, "Server Internal Error")
            elif self.stack.layer.state(key) is not None:
                self.stack.respond(key, make_response(request, 500, to_tag=new_tag()))

    def cancel(self, request: SipRequest, key: TransactionKey) -> None:
        """CANCEL from the caller (§9.2): 200 for the CANCEL, 487 for the INVITE."""
        invite_key = self.stack.layer.invite_for_cancel(request)
        call = self._by_invite.get(invite_key) if invite_key is not None else None
        if call is None:
            self.stack.respond(
                key,
                make_response(request, 481, "Call/Transaction Does Not Exist", to_tag=new_tag()),
            )
            return
        self.stack.respond(key, make_response(request, 200))
        if call.a.final_sent:
            return
        self.reject_caller(call, 487, "Request Terminated")
        self._caller_left(call)

    def ack(self, request: SipRequest) -> None:
        """The caller's ACK for our 2xx: stop retransmitting it."""
        found = self._dialogs.get(dialog_id_of_request(request))
        if found is None:
            return
        call, side = found
        if side is Side.CALLER:
            call.a.acked = True
            if call.ack_timer is not None:
                call.ack_timer.cancel()
                call.ack_timer = None

    def in_dialog(self, request: SipRequest, key: TransactionKey) -> None:
        found = self._dialogs.get(dialog_id_of_request(request))
        if found is None:
            self.stack.respond(key, make_response(request, 481, "Call/Transaction Does Not Exist"))
            return
        call, side = found
        leg = call.a if side is Side.CALLER else self._callee_leg(call, request)
        if leg is not None and leg.dialog is not None:
            try:
                leg.dialog.receive_request(request)
            except DialogError:
                self.stack.respond(key, make_response(request, 500, "CSeq Out of Order"))
                return
        if request.method == "BYE":
            self.stack.respond(key, make_response(request, 200))
            self._bye_received(call, side)
        elif request.method == "INVITE":
            self.spawn(lambda: self._relay_reinvite(call, side, request, key))
        elif request.method == "INFO":
            self.stack.respond(key, make_response(request, 200))
            key_pressed = dtmf_of_info(request)
            channel = call.caller_channel if side is Side.CALLER else call.callee_channel
            if key_pressed is not None and channel is not None:
                channel.key_pressed(key_pressed)
        elif request.method in ("OPTIONS", "NOTIFY"):
            self.stack.respond(key, make_response(request, 200))
        else:
            response = make_response(request, 501, "Not Implemented")
            self.stack.respond(key, response)

    def stray_response(self, response: SipResponse) -> None:
        """A retransmitted 2xx of a leg we placed: ACK it again (§13.2.2.4)."""
        if response.cseq.method != "INVITE" or not 200 <= response.status < 300:
            return
        found = self._dialogs.get(dialog_id_of_response(response))
        if found is None:
            return
        call, side = found
        leg = (
            next(
                (
                    fork
                    for fork in call.forks
                    if fork.dialog is not None
                    and fork.answer is not None
                    and fork.dialog.call_id == response.call_id
                ),
                None,
            )
            if side is Side.CALLEE
            else None
        )
        if leg is not None and leg.dialog is not None:
            self.stack.send_stateless(leg.ack_for(self.stack, response), leg.destination)

    def _key_pressed(self, endpoint: MediaEndpoint, digit: DtmfDigit) -> None:
        """RFC 4733 key presses, from the media engine, to the channel of their leg."""
        call = self.calls.get(endpoint.call_id)
        if call is None:
            return
        channel = call.caller_channel if endpoint.leg_id == "a" else call.callee_channel
        if channel is not None:
            channel.key_pressed(digit.digit)

    # -- a new call ----------------------------------------------------------------------------

    async def _start(self, request: SipRequest, source: Peer, key: TransactionKey) -> None:
        directory = await self.directory.get()
        trunk = directory.trunk_for_source(source.host)
        from_party = request.from_
        if trunk is not None:
            account = directory.accounts[trunk.account_id]
            caller = Caller(
                account=account,
                trunk=trunk,
                number=_user_of(from_party),
                name=from_party.display_name or "",
            )
        else:
            found = self.authentication.authenticate(request, source, directory, self.stack.now())
            if isinstance(found, Challenge):
                self.stack.respond(key, found.response)
                return
            extension = directory.extensions.get(found.extension_id) if found.extension_id else None
            if extension is None:
                self.stack.respond(
                    key,
                    make_response(request, 403, "Phone not assigned to a user", to_tag=new_tag()),
                )
                return
            caller = Caller(
                account=directory.accounts[found.account_id],
                device=found,
                extension=extension,
                number=extension.number,
                name=extension.name,
            )
        try:
            offer = parse_sdp(request.body) if request.body else None
            remote = remote_media(offer) if offer is not None else None
        except (SdpParseError, SipParseError) as error:
            log.info("refusing INVITE %s: %s", request.call_id, error)
            self.stack.respond(
                key, make_response(request, 488, "Not Acceptable Here", to_tag=new_tag())
            )
            return
        if offer is None or remote is None:
            self.stack.respond(
                key, make_response(request, 488, "SDP offer required", to_tag=new_tag())
            )
            return
        dialled = getattr(request.uri, "user", None) or ""
        decision = self.router.route(caller, dialled, directory)
        if isinstance(decision, Refuse):
            self.stack.respond(
                key, make_response(request, decision.status, decision.reason, to_tag=new_tag())
            )
            if caller.extension is not None:
                handle = self._open_caller_row(
                    call_id=request.call_id, caller=caller, callee=Party(dialled), external=False
                )
                outcome = outcome_for(decision.status)
                self.journal.close(
                    handle, result=outcome.caller_result, reason=outcome.caller_reason, end=utcnow()
                )
            return
        session_id = secrets.token_hex(8)
        try:
            a_endpoint = await self.engine.allocate_endpoint(session_id, "a")
            b_endpoint = await self.engine.allocate_endpoint(session_id, "b")
        except MediaError as error:
            log.error("no media for call %s: %s", request.call_id, error)
            self.stack.respond(
                key, make_response(request, 503, "Media unavailable", to_tag=new_tag())
            )
            return
        a = ServerLeg(request, key, source, MediaLeg(a_endpoint, SdpSession(a_endpoint), remote))
        call = Call(
            session_id,
            caller.account.account_id,
            caller,
            a,
            MediaLeg(b_endpoint, SdpSession(b_endpoint)),
        )
        call.a.media.sdp.version = 0
        self.calls[session_id] = call
        self._by_invite[key] = call
        await self.engine.set_remote(
            a_endpoint,
            remote.address,
            remote.port,
            codec=remote.codec,
            telephone_event_pt=remote.telephone_event_pt,
        )
        if isinstance(decision, RingExtension):
            await self.runner.deliver(call, decision, dialled)
        else:
            await self.runner.call_outside(call, decision)

    def _open_caller_row(
        self, *, call_id: str, caller: Caller, callee: Party, external: bool
    ) -> RecordHandle:
        """The caller's outbound row: a softphone's calls are VoIP calls (calllog.records)."""
        assert caller.extension is not None
        soft = caller.device is not None and caller.device.kind in ("SoftPhone", "WebPhone")
        return self.journal.open(
            account_id=caller.account.account_id,
            extension_id=caller.extension.extension_id,
            session_id=call_id[:64],
            direction="Outbound",
            action=CallAction.VOIP_CALL if soft else CallAction.PHONE_CALL,
            transport="PSTN" if external else "VoIP",
            caller=_party_of(caller),
            callee=callee,
            start=utcnow(),
        )

    def open_rows(self, call: Call, callee: Party, extension: ExtensionEntry | None) -> None:
        """The call-log rows of a new call: the caller's (one of our users) and, for a call
        to an extension, the callee's."""
        external = call.caller.trunk is not None or extension is None
        if call.caller.extension is not None:
            call.rows.caller = self._open_caller_row(
                call_id=call.a.request.call_id,
                caller=call.caller,
                callee=callee,
                external=external,
            )
        if extension is not None:
            call.rows.callee = self.journal.open(
                account_id=call.account_id,
                extension_id=extension.extension_id,
                session_id=call.a.request.call_id[:64],
                direction="Inbound",
                action=CallAction.PHONE_CALL,
                transport="PSTN" if call.caller.trunk is not None else "VoIP",
                caller=_party_of(call.caller),
                callee=callee,
                start=utcnow(),
            )

    # -- primitives the plan runner drives ---------------------------------------------------

    def place(self, call: Call, placements: list[Placement]) -> RingAttempt:
        """Send an INVITE for each placement; the returned attempt settles with the first
        leg to answer (the others are cancelled then), or None when all have failed."""
        attempt = RingAttempt([], asyncio.get_running_loop().create_future())
        call.attempt = attempt
        preferred = call.a.media.remote.codec if call.a.media.remote else None
        sdp = call.b_media.sdp.offer(preferred)
        for placement in placements:
            extra = list(placement.extra_headers)
            body_override = None
            if placement.location is not None:
                content_id = f"{secrets.token_hex(6)}@{self.stack.endpoint.host}"
                extra += [("Geolocation", f"<cid:{content_id}>"), ("Geolocation-Routing", "yes")]
                caller_id = getattr(placement.from_party.uri, "user", None) or "anonymous"
                body_override = _with_location(sdp, placement.location, content_id, caller_id)
            request = new_invite(
                self.stack,
                request_uri=placement.request_uri,
                destination=placement.destination,
                from_party=placement.from_party,
                to_party=placement.to_party,
                sdp=sdp,
                extra_headers=extra,
                body_override=body_override,
            )
            leg = ClientLeg(request, placement.destination, call.b_media, label=placement.label)
            if placement.trunk is not None:
                leg.auth_retried = placement.trunk.auth_mode != "registration"
            attempt.forks.append(leg)
            call.forks.append(leg)
            self._send_leg(call, leg, placement.trunk)
        if not attempt.forks:
            attempt.settle(None)
        return attempt

    def stop_ringing(self, call: Call, *, keep: ClientLeg | None = None) -> None:
        """CANCEL every leg of the current attempt still ringing (but ``keep``)."""
        attempt = call.attempt
        if attempt is None:
            return
        for fork in attempt.forks:
            if fork is not keep and fork.pending:
                fork.state = LegState.CANCELLED
                self._send_cancel(fork)
        attempt.settle(keep)

    async def answer_caller(self, call: Call, language: str) -> LegChannel | None:
        """Answer the caller ourselves (greetings, voicemail, announcements): a 2xx with
        our media; returns the caller's channel, or None when the caller has gone."""
        if call.caller_channel is not None:
            return call.caller_channel
        if call.ended or call.caller_left or call.a.final_sent:
            return None
        remote = call.a.media.remote
        assert remote is not None
        if call.a.answer_sdp is None:
            call.a.answer_sdp = call.a.media.sdp.answer(
                parse_sdp(call.a.request.body), remote.codec
            )
        self._answer_caller_now(call)
        call.caller_channel = LegChannel(
            self.engine,
            call.a.media.endpoint,
            ChannelParty(call.caller.number or None, call.caller.name or None),
            language,
            lambda: self._hang_up_caller(call),
        )
        return call.caller_channel

    def callee_channel(self, call: Call, leg: ClientLeg, language: str) -> LegChannel:
        """A channel on a leg that answered but is not connected yet (CH-5: announce the
        call, ask for a key or the PIN before connecting)."""
        call.callee_channel = LegChannel(
            self.engine,
            call.b_media.endpoint,
            ChannelParty(None, None),
            language,
            lambda: self._end_leg_soon(leg),
        )
        return call.callee_channel

    async def _end_leg_soon(self, leg: ClientLeg) -> None:
        self.end_leg(leg)

    async def prepare_callee_media(self, call: Call, leg: ClientLeg) -> bool:
        """Point our callee-side endpoint at what the answering leg's SDP says (before a
        CH-5 announcement, or to connect). False when the answer has no usable SDP."""
        assert leg.answer is not None
        try:
            remote = remote_media(parse_sdp(leg.answer.body))
        except (SdpParseError, SipParseError) as error:
            log.warning("answer without usable SDP on %s: %s", call.session_id, error)
            return False
        call.b_media.remote = remote
        await self.engine.set_remote(
            call.b_media.endpoint,
            remote.address,
            remote.port,
            codec=remote.codec,
            telephone_event_pt=remote.telephone_event_pt,
        )
        return True

    async def connect(self, call: Call, leg: ClientLeg) -> bool:
        """Connect the caller to a leg that answered: answer the caller if we have not
        yet, bridge the media, and hand the call over to the in-dialog handlers. Our
        callee-side endpoint is pointed at this leg's answer (and its latch reset) even
        when it was set before: it may still point at an earlier leg that played early
        media or was announced the call and then failed or declined."""
        if call.ended or call.caller_left:
            self.end_leg(leg)
            return False
        if not await self.prepare_callee_media(call, leg):
            self.end_leg(leg)
            return False
        remote = call.b_media.remote
        assert remote is not None
        if call.a.answer_sdp is None:
            call.a.answer_sdp = call.a.media.sdp.answer(
                parse_sdp(call.a.request.body), remote.codec
            )
        if not call.bridged:
            await self.engine.bridge(call.a.media.endpoint, call.b_media.endpoint)
            call.bridged = True
        if call.ended or call.caller_left:
            self.end_leg(leg)
            return False
        call.b = leg
        call.callee_channel = None
        if not call.caller_answered:
            self._answer_caller_now(call)
        call.caller_channel = None
        assert leg.dialog is not None
        self._dialogs[leg.dialog.id] = (call, Side.CALLEE)
        now = utcnow()
        for handle in (call.rows.caller, call.rows.callee):
            if handle is not None:
                self.journal.answered(handle, now)
        self.journal.remember_active(
            call.session_id, call.account_id, [call.a.dialog_state(), leg.dialog_state()]
        )
        return True

    async def end_call(
        self, call: Call, outcome: Outcome, status: int = 480, reason: str | None = None
    ) -> None:
        """End a call that is not connected: refuse the caller with ``status`` if we never
        answered, else hang up on them; stop every leg; log ``outcome``."""
        if call.ended:
            return
        if not call.a.final_sent:
            self.reject_caller(call, status, reason)
        elif call.caller_answered and not call.caller_left:
            self._send_bye(call.a.in_dialog_request(self.stack, "BYE"), call.a.source)
        self.stop_ringing(call)
        for fork in call.forks:
            if fork.state is LegState.ANSWERED and fork is not call.b:
                self.end_leg(fork)
        if call.b is not None:
            self.end_leg(call.b)
        await self._finish(call, outcome)

    def reject_caller(self, call: Call, status: int, reason: str | None = None) -> None:
        if call.a.final_sent:
            return
        call.a.final_sent = True
        self._by_invite.pop(call.a.key, None)
        self.stack.respond(call.a.key, call.a.response(status, reason, stack=self.stack))

    def _answer_caller_now(self, call: Call) -> None:
        call.caller_answered = True
        call.answered_at = time.monotonic()
        self.stack.respond(
            call.a.key, call.a.response(200, sdp=call.a.answer_sdp, stack=self.stack)
        )
        call.a.final_sent = True
        self._by_invite.pop(call.a.key, None)
        self._index_caller_dialog(call)
        self._retransmit_ok(call, self.stack.layer.config.t1)

    async def _hang_up_caller(self, call: Call) -> None:
        """A voice application hung up on the caller: BYE them (the runner ends the call)."""
        if call.caller_answered and not call.caller_left and call.a.dialog is not None:
            call.caller_left = True
            self._send_bye(call.a.in_dialog_request(self.stack, "BYE"), call.a.source)

    def end_leg(self, leg: ClientLeg) -> None:
        """BYE a leg that answered (a late answer, or one declined before connecting)."""
        if leg.dialog is not None and leg.state is not LegState.ENDED:
            leg.state = LegState.ENDED
            self._send_bye(leg.in_dialog_request(self.stack, "BYE"), leg.destination)

    def _send_bye(self, bye: SipRequest, destination: Peer) -> None:
        self.stack.request(bye, destination, lambda _r: None)

    def _send_leg(self, call: Call, leg: ClientLeg, trunk: TrunkEntry | None = None) -> None:
        leg.key = self.stack.request(
            leg.request,
            leg.destination,
            lambda response: self._on_leg_response(call, leg, response, trunk),
        )

    # -- responses of the legs we placed ------------------------------------------------------

    def _on_leg_response(
        self, call: Call, leg: ClientLeg, response: SipResponse, trunk: TrunkEntry | None
    ) -> None:
        status = response.status
        attempt = call.attempt
        current = attempt is not None and leg in attempt.forks and not attempt.answered.done()
        if status < 200:
            if status > 100:
                leg.adopt_dialog(response)
                leg.state = LegState.RINGING if leg.state is LegState.CALLING else leg.state
            if status > 100 and current and not call.a.final_sent and not call.ended:
                self.spawn(lambda: self._relay_ringing(call, leg, response))
            return
        if status < 300:
            leg.adopt_dialog(response)
            if leg.dialog is not None:
                self.stack.send_stateless(leg.ack_for(self.stack, response), leg.destination)
            if current and not call.ended and not call.caller_left and leg.dialog is not None:
                assert attempt is not None
                leg.state = LegState.ANSWERED
                leg.answer = response
                self._dialogs[leg.dialog.id] = (call, Side.CALLEE)
                self.stop_ringing(call, keep=leg)
            else:
                self.end_leg(leg)
            return
        if status in (401, 407) and trunk is not None and not leg.auth_retried and not call.ended:
            leg.auth_retried = True
            header = "Authorization" if status == 401 else "Proxy-Authorization"
            challenges = response.auth_headers(
                "WWW-Authenticate" if status == 401 else "Proxy-Authenticate"
            )
            try:
                challenge = pick_challenge(challenges)
                credentials = authorization_for(
                    challenge,
                    ClientCredentials(trunk.username, trunk.password),
                    method="INVITE",
                    uri=leg.request.uri.serialize(),
                )
            except (SipParseError, ValueError) as error:
                log.warning("trunk %s challenge unusable: %s", trunk.name, error)
            else:
                leg.request = retry_with(leg.request, self.stack, header, credentials.serialize())
                self._send_leg(call, leg, trunk)
                return
        leg.state = LegState.FAILED if leg.state is not LegState.CANCELLED else leg.state
        leg.final_status = status
        if attempt is not None and current and not any(fork.pending for fork in attempt.forks):
            attempt.settle(None)

    async def _relay_ringing(self, call: Call, leg: ClientLeg, response: SipResponse) -> None:
        """180 to the caller; 183 with SDP also bridges early media (ringback from a
        trunk, announcements)."""
        if call.a.final_sent:
            return
        if response.body and call.a.answer_sdp is None:
            try:
                remote = remote_media(parse_sdp(response.body))
            except (SdpParseError, SipParseError):
                remote = None
            if remote is not None:
                await self._connect_media(call, leg, remote)
                if call.a.final_sent:
                    return
                self.stack.respond(
                    call.a.key, call.a.response(183, sdp=call.a.answer_sdp, stack=self.stack)
                )
                self._index_caller_dialog(call)
                return
        self.stack.respond(call.a.key, call.a.response(180, stack=self.stack))
        self._index_caller_dialog(call)

    async def _connect_media(self, call: Call, leg: ClientLeg, remote: Any) -> None:
        call.b_media.remote = remote
        await self.engine.set_remote(
            call.b_media.endpoint,
            remote.address,
            remote.port,
            codec=remote.codec,
            telephone_event_pt=remote.telephone_event_pt,
        )
        if call.a.answer_sdp is None:
            offer = parse_sdp(call.a.request.body)
            call.a.answer_sdp = call.a.media.sdp.answer(offer, remote.codec)
        if not call.bridged:
            await self.engine.bridge(call.a.media.endpoint, call.b_media.endpoint)
            call.bridged = True

    def _retransmit_ok(self, call: Call, interval: float) -> None:
        """Resend the 2xx until the caller's ACK (§13.3.1.4), then give up and hang up."""
        if call.a.source.reliable or call.ended:
            return
        t1, t2 = self.stack.layer.config.t1, self.stack.layer.config.t2
        elapsed = time.monotonic() - (call.answered_at or 0)
        if elapsed >= 64 * t1:
            if not call.a.acked:
                log.info("no ACK for call %s: hanging up", call.session_id)
                if call.b is None:
                    self.spawn(lambda: self._hang_up_caller(call))
                    self._caller_left(call)
                else:
                    self.spawn(lambda: self._hang_up(call, Side.CALLER, bye_caller=True))
            return

        def again() -> None:
            if call.a.acked or call.ended:
                return
            if call.a.dialog is not None and self.stack.layer.state(call.a.key) is not None:
                self.stack.respond(
                    call.a.key, call.a.response(200, sdp=call.a.answer_sdp, stack=self.stack)
                )
            self._retransmit_ok(call, min(interval * 2, t2))

        call.ack_timer = asyncio.get_running_loop().call_later(interval, again)

    def _index_caller_dialog(self, call: Call) -> None:
        if call.a.dialog is not None:
            self._dialogs[call.a.dialog.id] = (call, Side.CALLER)

    def _send_cancel(self, leg: ClientLeg) -> None:
        """CANCEL a leg still ringing (§9.1); a 2xx that crosses it is ACKed and BYEd."""
        if leg.key is None or self.stack.layer.state(leg.key) is None:
            return
        self.stack.request(make_cancel(leg.request), leg.destination, lambda _r: None)

    def _callee_leg(self, call: Call, request: SipRequest) -> ClientLeg | None:
        """The leg of ours an in-dialog request from the callee side belongs to."""
        if call.b is not None:
            return call.b
        return next(
            (
                fork
                for fork in call.forks
                if fork.dialog is not None and fork.dialog.id == dialog_id_of_request(request)
            ),
            None,
        )

    def _caller_left(self, call: Call) -> None:
        """The caller cancelled or hung up before being connected: stop what rings and
        let the plan runner end the call."""
        call.caller_left = True
        self.stop_ringing(call)
        if call.caller_channel is not None:
            call.caller_channel.hung_up()
        if call.callee_channel is not None:
            call.callee_channel.hung_up()

    def _bye_received(self, call: Call, side: Side) -> None:
        if call.b is not None or call.ended:
            self.spawn(lambda: self._hang_up(call, side))
        elif side is Side.CALLER:
            self._caller_left(call)
        elif call.callee_channel is not None:
            call.callee_channel.hung_up()

    # -- established calls ------------------------------------------------------------------

    async def _hang_up(self, call: Call, side: Side, *, bye_caller: bool = False) -> None:
        """One side said BYE (or the caller never ACKed): BYE the other, end the call."""
        if call.ended:
            return
        other_is_callee = side is Side.CALLER
        if (bye_caller or not other_is_callee) and call.a.dialog is not None and call.a.final_sent:
            self.stack.request(
                call.a.in_dialog_request(self.stack, "BYE"), call.a.source, lambda _r: None
            )
        if other_is_callee and call.b is not None and call.b.dialog is not None:
            self.stack.request(
                call.b.in_dialog_request(self.stack, "BYE"), call.b.destination, lambda _r: None
            )
        await self._finish(call, CONNECTED)

    async def _relay_reinvite(
        self, call: Call, side: Side, request: SipRequest, key: TransactionKey
    ) -> None:
        """Hold and resume (re-INVITE) in either direction: offer the same direction to
        the other leg from its endpoint, answer with what it answered, and set the
        media directions of both endpoints."""
        origin = call.a if side is Side.CALLER else call.b
        target = call.b if side is Side.CALLER else call.a
        if origin is None or target is None or target.dialog is None or call.ended:
            self.stack.respond(key, make_response(request, 481, "Call/Transaction Does Not Exist"))
            return
        if call.reinvite_pending:
            response = make_response(request, 491, "Request Pending")
            self.stack.respond(key, response)
            return
        if not request.body:
            self.stack.respond(key, make_response(request, 488, "SDP offer required"))
            return
        try:
            offer = parse_sdp(request.body)
            remote = remote_media(offer)
        except (SdpParseError, SipParseError):
            self.stack.respond(key, make_response(request, 488, "Not Acceptable Here"))
            return
        call.reinvite_pending = True
        origin_media = origin.media
        target_media = target.media
        origin_media.remote = remote
        held = is_hold_offer(offer) or remote.direction == "inactive"
        sdp = target_media.sdp.offer(remote.codec, "sendonly" if held else "sendrecv")
        destination = target.source if isinstance(target, ServerLeg) else target.destination
        forwarded = target.in_dialog_request(self.stack, "INVITE", sdp=sdp)
        done: asyncio.Future[SipResponse] = asyncio.get_running_loop().create_future()

        def on_response(response: SipResponse) -> None:
            if response.status >= 200 and not done.done():
                done.set_result(response)

        self.stack.request(forwarded, destination, on_response)
        answer = await done
        call.reinvite_pending = False
        if 200 <= answer.status < 300:
            if target.dialog is not None:
                target.dialog.receive_response(forwarded, answer)
                self.stack.send_stateless(
                    target.dialog.create_ack(
                        forwarded.cseq.number, self.stack.via(destination.transport)
                    ),
                    destination,
                )
            try:
                target_remote = remote_media(parse_sdp(answer.body))
            except (SdpParseError, SipParseError):
                target_remote = None
            await self.engine.set_remote(
                origin_media.endpoint,
                remote.address,
                remote.port,
                codec=remote.codec,
                telephone_event_pt=remote.telephone_event_pt,
            )
            await self.engine.set_direction(
                origin_media.endpoint, engine_direction(remote.direction)
            )
            if target_remote is not None:
                target_media.remote = target_remote
                await self.engine.set_remote(
                    target_media.endpoint,
                    target_remote.address,
                    target_remote.port,
                    codec=target_remote.codec,
                    telephone_event_pt=target_remote.telephone_event_pt,
                )
                await self.engine.set_direction(
                    target_media.endpoint, engine_direction(target_remote.direction)
                )
            holder = call.caller.extension if origin is call.a else call.called_extension
            self._hold_music(call, target_media.endpoint, on=held, holder=holder)
            body = origin_media.sdp.answer(offer, remote.codec)
            response = make_response(request, 200, body=body)
            response.headers.add(
                "Contact",
                self.stack.contact(
                    None,
                    (
                        origin.source if isinstance(origin, ServerLeg) else origin.destination
                    ).transport,
                ).serialize(),
            )
            response.headers.add("Content-Type", "application/sdp")
            self.stack.respond(key, response)
        else:
            self.stack.respond(key, make_response(request, answer.status, answer.reason))

    def _hold_music(
        self,
        call: Call,
        endpoint: MediaEndpoint,
        *,
        on: bool,
        holder: ExtensionEntry | None = None,
    ) -> None:
        """GS-5: the party put on hold hears the holder's hold music (we offered them
        sendonly, so we are the one sending) until they are taken off hold."""
        if on and call.hold_music is None:
            call.hold_music = asyncio.ensure_future(self._play_hold_music(call, endpoint, holder))
        elif not on and call.hold_music is not None:
            call.hold_music.cancel()
            call.hold_music = None

    async def _play_hold_music(
        self, call: Call, endpoint: MediaEndpoint, holder: ExtensionEntry | None
    ) -> None:
        try:
            source = await self.runner.hold_music(call, holder)
            if source is not None:
                await self.engine.play(endpoint, source)
        except MediaError as error:
            log.warning("hold music on %s: %s", endpoint.call_id, error)

    # -- the end of a call ---------------------------------------------------------------------

    async def _finish(self, call: Call, outcome: Outcome) -> None:
        """Release media, forget the dialogs, close the log rows. Idempotent."""
        if call.ended:
            return
        call.ended = True
        if call.attempt is not None:
            call.attempt.settle(None)
        for channel in (call.caller_channel, call.callee_channel):
            if channel is not None:
                channel.hung_up()
        if call.ack_timer is not None:
            call.ack_timer.cancel()
        self._hold_music(call, call.b_media.endpoint, on=False)
        self.calls.pop(call.session_id, None)
        self._by_invite.pop(call.a.key, None)
        for dialog in (call.a.dialog, *(fork.dialog for fork in call.forks)):
            if dialog is not None:
                self._dialogs.pop(dialog.id, None)
        for endpoint in (call.a.media.endpoint, call.b_media.endpoint):
            try:
                await self.engine.release(endpoint)
            except MediaError as error:
                log.warning("releasing media of %s: %s", call.session_id, error)
        end = utcnow()
        if call.rows.caller is not None:
            self.journal.close(
                call.rows.caller,
                result=outcome.caller_result,
                reason=outcome.caller_reason,
                end=end,
            )
        if call.rows.callee is not None:
            self.journal.close(
                call.rows.callee,
                result=outcome.callee_result,
                reason=outcome.callee_reason,
                end=end,
            )
        if call.b is not None:
            self.journal.forget_active(call.session_id)

    def end_interrupted(self, legs: list[dict[str, Any]]) -> None:
        """After a restart: BYE each leg of a call the previous process had answered."""
        for state in legs:
            try:
                dialog, destination = dialog_from_state(state)
                bye = dialog.create_request("BYE", self.stack.via(destination.transport))
            except (SipParseError, DialogError, KeyError, ValueError) as error:
                log.warning("cannot end an interrupted call leg: %s", error)
                continue
            self.stack.request(bye, destination, lambda _r: None)

    async def close(self) -> None:
        """Hang up every call (shutdown)."""
        for call in list(self.calls.values()):
            if call.b is not None and not call.ended:
                await self._hang_up(call, Side.CALLEE)
            elif not call.ended:
                await self.end_call(call, FAILED, 503, "Service Unavailable")
        for task in list(self._tasks):
            task.cancel()

    @property
    def active_dialogs(self) -> int:
        return len(self._dialogs)


def _party_of(caller: Caller) -> Party:
    """The caller as the call log shows it: number (direct number for a user), name,
    extension. A withheld number ("anonymous", "restricted"...) is no number at all."""
    if caller.extension is not None:
        return Party(caller.extension.direct_number or "", caller.name, caller.extension.number)
    return Party("" if caller.number.lower() in WITHHELD else caller.number, caller.name)


def dtmf_of_info(request: SipRequest) -> str | None:
    """The key a SIP INFO carries: ``application/dtmf-relay`` ("Signal=5") or
    ``application/dtmf`` ("5"), as phones that do not send RFC 4733 events do."""
    content_type = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    text = request.body.decode("ascii", "replace")
    if content_type == "application/dtmf-relay":
        for line in text.splitlines():
            name, _, value = line.partition("=")
            if name.strip().lower() == "signal":
                text = value
                break
        else:
            return None
    elif content_type != "application/dtmf":
        return None
    key = text.strip().upper()
    if key == "10":
        key = "*"
    elif key == "11":
        key = "#"
    return key if key in DTMF_KEYS else None


def _user_of(party: NameAddress) -> str:
    """The caller's number: the URI's user part without its parameters (a carrier's
    ``+12125550123;cpc=payphone``), which calls.signals reads from the request itself."""
    user: str = getattr(party.uri, "user", None) or ""
    return user.split(";")[0]


def _with_location(
    sdp: bytes, location: Location, content_id: str, caller: str
) -> tuple[str, bytes]:
    """RFC 6442 location by value: a multipart body with the SDP and a PIDF-LO."""
    boundary = secrets.token_hex(8)
    pidf = (
        '<?xml version="1.0" encoding="UTF-8"?>\r\n'
        '<presence xmlns="urn:ietf:params:xml:ns:pidf" '
        'xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" '
        f'xmlns:ca="urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr" entity="sip:{caller}">\r\n'
        '<tuple id="location"><status><gp:geopriv><gp:location-info><ca:civicAddress>'
        f"<ca:country>{_xml(location.country)}</ca:country><ca:A1>{_xml(location.state)}</ca:A1>"
        f"<ca:A3>{_xml(location.city)}</ca:A3><ca:RD>{_xml(location.street)}</ca:RD>"
        f"<ca:PC>{_xml(location.postal_code)}</ca:PC><ca:NAM>{_xml(location.name)}</ca:NAM>"
        "</ca:civicAddress></gp:location-info><gp:usage-rules/></gp:geopriv></status></tuple>\r\n"
        "</presence>\r\n"
    )
    body = (
        f"--{boundary}\r\nContent-Type: application/sdp\r\n\r\n".encode()
        + sdp
        + f"\r\n--{boundary}\r\nContent-Type: application/pidf+xml\r\n".encode()
        + f"Content-ID: <{content_id}>\r\n\r\n".encode()
        + pidf.encode()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return f"multipart/mixed;boundary={boundary}", body


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
