"""The B2BUA (ARCHITECTURE.md principle 3): every call is a caller leg we answer and legs
we place, with media anchored on our endpoints. It rings all of an extension's contacts
at once (forking), relays ringing and early media, answers the caller with the first
2xx, cancels the others, relays hold/resume re-INVITEs both ways, ends both legs on BYE,
and writes the call log of each party (LOG-2)."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from telephonist.calllog.records import CallAction, CallReason, CallResult
from telephonist.calls.authentication import Challenge, DeviceAuthentication
from telephonist.calls.directory import DirectoryCache, Location, TrunkEntry
from telephonist.calls.journal import CallJournal, Party, RecordHandle
from telephonist.calls.legs import (
    ClientLeg,
    LegState,
    MediaLeg,
    ServerLeg,
    dialog_from_state,
    new_invite,
    retry_with,
    sip_uri,
)
from telephonist.calls.media_sdp import (
    SdpSession,
    engine_direction,
    parse_sdp,
    remote_media,
)
from telephonist.calls.registrar import LocationService
from telephonist.calls.routing import Caller, CallOutside, CallRouter, Refuse, RingExtension
from telephonist.calls.stack import SipStack
from telephonist.domain.dialing import NumberFormat, format_for_trunk
from telephonist.media.engine import MediaEngine, MediaError
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
from telephonist.sip.sdp import SessionDescription
from telephonist.sip.transactions import TransactionKey
from telephonist.store.base import utcnow

log = logging.getLogger(__name__)

OUTSIDE_RING_SECONDS = 120
"""How long a call to an outside number may ring before we give up."""
BUSY_FIRST = (486, 600, 603, 480, 404)
"""Which failure to tell the caller when every leg failed (busy wins, as phones expect)."""


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
class Call:
    """One call: the caller's leg, the legs we placed, its media and its log rows."""

    session_id: str
    account_id: int
    caller: Caller
    a: ServerLeg
    b_media: MediaLeg
    forks: list[ClientLeg] = field(default_factory=list)
    b: ClientLeg | None = None
    external: bool = False
    rows: LogRows = field(default_factory=LogRows)
    ring_timer: asyncio.TimerHandle | None = None
    ack_timer: asyncio.TimerHandle | None = None
    bridged: bool = False
    answered_at: float | None = None
    reinvite_pending: bool = False
    ended: bool = False
    cancelled_by_caller: bool = False


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
    ) -> None:
        self.stack = stack
        self.engine = engine
        self.directory = directory
        self.authentication = authentication
        self.router = router
        self.location = location
        self.journal = journal
        self.calls: dict[str, Call] = {}
        self._by_invite: dict[TransactionKey, Call] = {}
        self._dialogs: dict[DialogId, tuple[Call, Side]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

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
        """A bug in handling one call answers that caller 500 and frees its media; it
        never leaves a phone ringing forever or an RTP port taken."""
        try:
            await self._start(request, source, key)
        except Exception:
            log.exception("setting up call %s failed", request.call_id)
            call = self._by_invite.get(key)
            if call is not None:
                self._reject_caller(call, 500, "Server Internal Error")
                for fork in call.forks:
                    if fork.pending:
                        self._send_cancel(fork)
                await self._finish(call, FAILED)
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
        call.cancelled_by_caller = True
        for fork in call.forks:
            if fork.pending:
                fork.state = LegState.CANCELLED
                self._send_cancel(fork)
        self._reject_caller(call, 487, "Request Terminated")
        self.spawn(lambda: self._finish(call, NOT_ANSWERED))

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
        leg = call.a if side is Side.CALLER else call.b
        if leg is not None and leg.dialog is not None:
            try:
                leg.dialog.receive_request(request)
            except DialogError:
                self.stack.respond(key, make_response(request, 500, "CSeq Out of Order"))
                return
        if request.method == "BYE":
            self.stack.respond(key, make_response(request, 200))
            self.spawn(lambda: self._hang_up(call, side))
        elif request.method == "INVITE":
            self.spawn(lambda: self._relay_reinvite(call, side, request, key))
        elif request.method in ("INFO", "OPTIONS", "NOTIFY"):
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
        leg = call.b if side is Side.CALLEE else None
        if leg is not None and leg.dialog is not None:
            self.stack.send_stateless(leg.ack_for(self.stack, response), leg.destination)

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
            await self._ring_extension(call, decision, offer)
        else:
            await self._call_outside(call, decision)

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

    async def _ring_extension(
        self, call: Call, decision: RingExtension, offer: SessionDescription
    ) -> None:
        target = decision.extension
        caller = call.caller
        exclude = caller.device.device_id if caller.device is not None else None
        bindings = [
            b
            for b in self.location.bindings_of_extension(target.extension_id, time.time())
            if b.device_id != exclude
        ]
        callee = Party(target.direct_number or "", target.name, target.number)
        external = caller.trunk is not None
        if caller.extension is not None:
            call.rows.caller = self._open_caller_row(
                call_id=call.a.request.call_id, caller=caller, callee=callee, external=external
            )
        call.rows.callee = self.journal.open(
            account_id=call.account_id,
            extension_id=target.extension_id,
            session_id=call.a.request.call_id[:64],
            direction="Inbound",
            action=CallAction.PHONE_CALL,
            transport="PSTN" if external else "VoIP",
            caller=_party_of(caller),
            callee=callee,
            start=utcnow(),
        )
        if not bindings:
            self._reject_caller(call, 480, "Temporarily Unavailable")
            await self._finish(call, NOT_ANSWERED)
            return
        host = self.stack.endpoint.host
        if caller.trunk is not None:
            from_party = NameAddress(
                sip_uri(caller.number or "anonymous", host), caller.name or None
            )
        else:
            from_party = NameAddress(sip_uri(caller.number, host), caller.name or None)
        to_party = NameAddress(sip_uri(target.number, host), target.name)
        preferred = call.a.media.remote.codec if call.a.media.remote else None
        sdp = call.b_media.sdp.offer(preferred)
        for binding in bindings:
            request = new_invite(
                self.stack,
                request_uri=binding.contact.uri,
                destination=binding.destination,
                from_party=from_party,
                to_party=to_party,
                sdp=sdp,
            )
            leg = ClientLeg(
                request, binding.destination, call.b_media, label=f"device {binding.device_id}"
            )
            call.forks.append(leg)
            self._send_leg(call, leg)
        loop = asyncio.get_running_loop()
        call.ring_timer = loop.call_later(decision.timeout, lambda: self._ring_timeout(call))

    async def _call_outside(self, call: Call, decision: CallOutside) -> None:
        trunk = decision.trunk
        caller = call.caller
        number_format = NumberFormat(trunk.number_format)
        dialled = decision.number
        if not decision.emergency:
            dialled = format_for_trunk(decision.number, number_format)
        caller_id = (
            format_for_trunk(decision.caller_id, number_format)
            if decision.caller_id
            else "anonymous"
        )
        host = self.stack.endpoint.host
        destination = trunk.destination
        uri = sip_uri(dialled, trunk.host, trunk.port, trunk.transport)
        from_party = NameAddress(sip_uri(caller_id, host), caller.name or None)
        extra = [
            (
                "P-Asserted-Identity",
                NameAddress(sip_uri(caller_id, host), caller.name or None).serialize(),
            )
        ]
        preferred = call.a.media.remote.codec if call.a.media.remote else None
        sdp = call.b_media.sdp.offer(preferred)
        body_override = None
        if decision.emergency and decision.location is not None:
            content_id = f"{secrets.token_hex(6)}@{host}"
            extra += [("Geolocation", f"<cid:{content_id}>"), ("Geolocation-Routing", "yes")]
            body_override = _with_location(sdp, decision.location, content_id, caller_id)
        request = new_invite(
            self.stack,
            request_uri=uri,
            destination=destination,
            from_party=from_party,
            to_party=NameAddress(sip_uri(dialled, trunk.host, trunk.port)),
            sdp=sdp,
            extra_headers=extra,
            body_override=body_override,
        )
        call.external = True
        if caller.extension is not None:
            call.rows.caller = self._open_caller_row(
                call_id=call.a.request.call_id,
                caller=caller,
                callee=Party(decision.number),
                external=True,
            )
        leg = ClientLeg(request, destination, call.b_media, label=f"trunk {trunk.name}")
        leg.auth_retried = trunk.auth_mode != "registration"
        call.forks.append(leg)
        self._send_leg(call, leg, trunk)
        loop = asyncio.get_running_loop()
        call.ring_timer = loop.call_later(OUTSIDE_RING_SECONDS, lambda: self._ring_timeout(call))

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
        if status < 200:
            if status > 100:
                leg.adopt_dialog(response)
                leg.state = LegState.RINGING if leg.state is LegState.CALLING else leg.state
            if status > 100 and not call.a.final_sent and not call.ended:
                self.spawn(lambda: self._relay_ringing(call, leg, response))
            return
        if status < 300:
            leg.adopt_dialog(response)
            if leg.dialog is not None:
                self.stack.send_stateless(leg.ack_for(self.stack, response), leg.destination)
            if call.b is None and not call.a.final_sent and not call.ended:
                leg.state = LegState.ANSWERED
                call.b = leg
                self.spawn(lambda: self._answer(call, leg, response))
            else:
                leg.state = LegState.ENDED
                if leg.dialog is not None:
                    self.stack.request(
                        leg.in_dialog_request(self.stack, "BYE"), leg.destination, lambda _r: None
                    )
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
        if not call.ended and call.b is None and not any(fork.pending for fork in call.forks):
            self.spawn(lambda: self._all_legs_failed(call))

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

    async def _answer(self, call: Call, leg: ClientLeg, response: SipResponse) -> None:
        """The first 2xx wins: answer the caller, cancel the other legs."""
        if call.ring_timer is not None:
            call.ring_timer.cancel()
        for fork in call.forks:
            if fork is not leg and fork.pending:
                fork.state = LegState.CANCELLED
                self._send_cancel(fork)
        try:
            remote = remote_media(parse_sdp(response.body))
        except (SdpParseError, SipParseError) as error:
            log.warning("answer without usable SDP on %s: %s", call.session_id, error)
            self.stack.request(
                leg.in_dialog_request(self.stack, "BYE"), leg.destination, lambda _r: None
            )
            self._reject_caller(call, 488, "Not Acceptable Here")
            await self._finish(call, FAILED)
            return
        await self._connect_media(call, leg, remote)
        if call.ended or call.a.final_sent:
            return
        call.answered_at = time.monotonic()
        self.stack.respond(
            call.a.key, call.a.response(200, sdp=call.a.answer_sdp, stack=self.stack)
        )
        call.a.final_sent = True
        self._by_invite.pop(call.a.key, None)
        self._index_caller_dialog(call)
        assert leg.dialog is not None
        self._dialogs[leg.dialog.id] = (call, Side.CALLEE)
        self._retransmit_ok(call, self.stack.layer.config.t1)
        now = utcnow()
        for handle in (call.rows.caller, call.rows.callee):
            if handle is not None:
                self.journal.answered(handle, now)
        self.journal.remember_active(
            call.session_id, call.account_id, [call.a.dialog_state(), leg.dialog_state()]
        )

    def _retransmit_ok(self, call: Call, interval: float) -> None:
        """Resend the 2xx until the caller's ACK (§13.3.1.4), then give up and hang up."""
        if call.a.source.reliable or call.ended:
            return
        t1, t2 = self.stack.layer.config.t1, self.stack.layer.config.t2
        elapsed = time.monotonic() - (call.answered_at or 0)
        if elapsed >= 64 * t1:
            if not call.a.acked:
                log.info("no ACK for call %s: hanging up", call.session_id)
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

    def _ring_timeout(self, call: Call) -> None:
        """Nobody answered in time: cancel every leg and tell the caller."""
        call.ring_timer = None
        if call.a.final_sent or call.ended:
            return
        for fork in call.forks:
            if fork.pending:
                fork.state = LegState.CANCELLED
                self._send_cancel(fork)
        self._reject_caller(call, 480, "Temporarily Unavailable")
        self.spawn(lambda: self._finish(call, NOT_ANSWERED))

    async def _all_legs_failed(self, call: Call) -> None:
        if call.a.final_sent or call.ended:
            return
        statuses = [fork.final_status for fork in call.forks]
        status = next((code for code in BUSY_FIRST if code in statuses), 480)
        reason = {486: "Busy Here", 600: "Busy Everywhere", 603: "Decline", 404: "Not Found"}.get(
            status, "Temporarily Unavailable"
        )
        if not call.external and status == 404:
            status, reason = 480, "Temporarily Unavailable"
        self._reject_caller(call, status, reason)
        await self._finish(call, outcome_for(status))

    def _send_cancel(self, leg: ClientLeg) -> None:
        """CANCEL a leg still ringing (§9.1); a 2xx that crosses it is ACKed and BYEd."""
        if leg.key is None or self.stack.layer.state(leg.key) is None:
            return
        self.stack.request(make_cancel(leg.request), leg.destination, lambda _r: None)

    def _reject_caller(self, call: Call, status: int, reason: str) -> None:
        if call.a.final_sent:
            return
        call.a.final_sent = True
        self._by_invite.pop(call.a.key, None)
        self.stack.respond(call.a.key, call.a.response(status, reason, stack=self.stack))

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
        direction = "sendonly" if is_hold_offer(offer) else "sendrecv"
        if remote.direction == "inactive":
            direction = "inactive"
        sdp = target_media.sdp.offer(remote.codec, direction)
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

    # -- the end of a call ---------------------------------------------------------------------

    async def _finish(self, call: Call, outcome: Outcome) -> None:
        """Release media, forget the dialogs, close the log rows. Idempotent."""
        if call.ended:
            return
        call.ended = True
        for timer in (call.ring_timer, call.ack_timer):
            if timer is not None:
                timer.cancel()
        self.calls.pop(call.session_id, None)
        self._by_invite.pop(call.a.key, None)
        for leg in (call.a, call.b):
            if leg is not None and leg.dialog is not None:
                self._dialogs.pop(leg.dialog.id, None)
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
                self._reject_caller(call, 503, "Service Unavailable")
                for fork in call.forks:
                    if fork.pending:
                        self._send_cancel(fork)
                await self._finish(call, FAILED)
        for task in list(self._tasks):
            task.cancel()

    @property
    def active_dialogs(self) -> int:
        return len(self._dialogs)


def _party_of(caller: Caller) -> Party:
    """The caller as the call log shows it: number (direct number for a user), name,
    extension."""
    if caller.extension is not None:
        return Party(caller.extension.direct_number or "", caller.name, caller.extension.number)
    return Party(caller.number, caller.name)


def _user_of(party: NameAddress) -> str:
    return getattr(party.uri, "user", None) or ""


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
