"""The two kinds of call leg a B2BUA owns: the caller's leg, where we are the UAS, and a
leg we place toward a phone or a trunk, where we are the UAC. A leg knows its dialog,
where to send in-dialog requests (the address a phone behind NAT really uses) and how to
build them; the Call decides what to send."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from telephonist.calls.media_sdp import SDP_CONTENT_TYPE, RemoteMedia, SdpSession
from telephonist.calls.stack import ALLOW, USER_AGENT, SipStack
from telephonist.media.engine import MediaEndpoint
from telephonist.sip import (
    CSeq,
    Dialog,
    Headers,
    NameAddress,
    Peer,
    SipRequest,
    SipResponse,
    make_response,
    new_tag,
    parse_uri,
)
from telephonist.sip.transactions import TransactionKey
from telephonist.sip.uri import SipUri, Uri


class LegState(Enum):
    CALLING = "calling"
    RINGING = "ringing"
    ANSWERED = "answered"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ENDED = "ended"


@dataclass
class MediaLeg:
    """The media side of a leg: our endpoint, our SDP identity toward it, and what its
    SDP last said."""

    endpoint: MediaEndpoint
    sdp: SdpSession
    remote: RemoteMedia | None = None


@dataclass
class ServerLeg:
    """The caller's leg: the INVITE we answer."""

    request: SipRequest
    key: TransactionKey
    source: Peer
    media: MediaLeg
    local_tag: str = field(default_factory=new_tag)
    dialog: Dialog | None = None
    final_sent: bool = False
    answer_sdp: bytes | None = None
    acked: bool = False

    def response(
        self, status: int, reason: str | None = None, *, sdp: bytes | None = None, stack: SipStack
    ) -> SipResponse:
        """A response to the INVITE with our tag and Contact (dialog-creating ones)."""
        response = make_response(
            self.request, status, reason, to_tag=self.local_tag if status > 100 else None
        )
        if 100 < status < 300:
            response.headers.add("Contact", stack.contact(None, self.source.transport).serialize())
            response.headers.add("Allow", ALLOW)
            if self.dialog is None:
                self.dialog = Dialog.as_uas(self.request, self.local_tag, early=status < 200)
        if sdp is not None:
            response.headers.add("Content-Type", SDP_CONTENT_TYPE)
            response.body = sdp
        return response

    def in_dialog_request(
        self, stack: SipStack, method: str, *, sdp: bytes | None = None
    ) -> SipRequest:
        assert self.dialog is not None
        return _in_dialog(stack, self.dialog, self.source.transport, method, sdp)

    def dialog_state(self) -> dict[str, Any]:
        assert self.dialog is not None
        return _dialog_state(self.dialog, self.source)


@dataclass
class ClientLeg:
    """A leg we place: toward one registered contact of a phone, or toward a trunk."""

    request: SipRequest
    destination: Peer
    media: MediaLeg
    key: TransactionKey | None = None
    state: LegState = LegState.CALLING
    dialog: Dialog | None = None
    final_status: int = 0
    auth_retried: bool = False
    label: str = ""
    answer: SipResponse | None = None
    """The 2xx that answered this leg, once it has."""

    @property
    def pending(self) -> bool:
        return self.state in (LegState.CALLING, LegState.RINGING)

    def adopt_dialog(self, response: SipResponse) -> None:
        """A tagged 1xx makes an early dialog; the 2xx confirms it."""
        if response.to.tag is None or not response.contacts:
            return
        if self.dialog is None or self.dialog.remote_tag != response.to.tag:
            self.dialog = Dialog.as_uac(self.request, response)
        elif response.status >= 200:
            self.dialog.confirm(response)

    def ack_for(self, stack: SipStack, response: SipResponse) -> SipRequest:
        """The ACK of a 2xx: a new transaction-less request in the dialog (§13.2.2.4)."""
        dialog = self.dialog
        assert dialog is not None
        return dialog.create_ack(self.request.cseq.number, stack.via(self.destination.transport))

    def in_dialog_request(
        self, stack: SipStack, method: str, *, sdp: bytes | None = None
    ) -> SipRequest:
        assert self.dialog is not None
        return _in_dialog(stack, self.dialog, self.destination.transport, method, sdp)

    def dialog_state(self) -> dict[str, Any]:
        assert self.dialog is not None
        return _dialog_state(self.dialog, self.destination)


def new_invite(
    stack: SipStack,
    *,
    request_uri: Uri,
    destination: Peer,
    from_party: NameAddress,
    to_party: NameAddress,
    sdp: bytes,
    extra_headers: list[tuple[str, str]] | None = None,
    body_override: tuple[str, bytes] | None = None,
) -> SipRequest:
    """A fresh INVITE for a new leg (new Call-ID, tag, CSeq)."""
    headers = Headers()
    headers.add("Via", stack.via(destination.transport).serialize())
    headers.add("Max-Forwards", "70")
    headers.add("From", from_party.with_param("tag", new_tag()).serialize())
    headers.add("To", to_party.serialize())
    headers.add("Call-ID", f"{secrets.token_hex(12)}@{stack.endpoint.host}")
    headers.add("CSeq", CSeq(1, "INVITE").serialize())
    headers.add("Contact", stack.contact(None, destination.transport).serialize())
    headers.add("Allow", ALLOW)
    headers.add("User-Agent", USER_AGENT)
    for name, value in extra_headers or ():
        headers.add(name, value)
    content_type, body = body_override or (SDP_CONTENT_TYPE, sdp)
    headers.add("Content-Type", content_type)
    return SipRequest(method="INVITE", uri=request_uri, headers=headers, body=body)


def retry_with(request: SipRequest, stack: SipStack, header: str, value: str) -> SipRequest:
    """The same INVITE with credentials: next CSeq, new branch (§22.2)."""
    headers = request.headers.copy()
    headers.set("Via", stack.via(request.top_via.transport.lower()).serialize())
    headers.set("CSeq", CSeq(request.cseq.number + 1, request.method).serialize())
    headers.set(header, value)
    return SipRequest(method=request.method, uri=request.uri, headers=headers, body=request.body)


def _in_dialog(
    stack: SipStack, dialog: Dialog, transport: str, method: str, sdp: bytes | None
) -> SipRequest:
    contact = stack.contact(None, transport) if method == "INVITE" else None
    request = dialog.create_request(
        method,
        stack.via(transport),
        contact=contact,
        body=sdp or b"",
        content_type=SDP_CONTENT_TYPE if sdp else None,
    )
    request.headers.add("User-Agent", USER_AGENT)
    return request


def _dialog_state(dialog: Dialog, destination: Peer) -> dict[str, Any]:
    """What a later process needs to send BYE in this dialog."""
    return {
        "call_id": dialog.call_id,
        "local_tag": dialog.local_tag,
        "remote_tag": dialog.remote_tag,
        "local_party": dialog.local_party.serialize(),
        "remote_party": dialog.remote_party.serialize(),
        "remote_target": dialog.remote_target.serialize(),
        "route_set": [route.serialize() for route in dialog.route_set],
        "local_cseq": dialog.local_cseq or 1,
        "destination": [destination.host, destination.port, destination.transport],
    }


def dialog_from_state(state: dict[str, Any]) -> tuple[Dialog, Peer]:
    """The inverse of the saved state, to end an interrupted call."""
    host, port, transport = state["destination"]
    dialog = Dialog(
        call_id=state["call_id"],
        local_tag=state["local_tag"],
        remote_tag=state["remote_tag"],
        local_party=NameAddress.parse(state["local_party"]),
        remote_party=NameAddress.parse(state["remote_party"]),
        remote_target=parse_uri(state["remote_target"]),
        route_set=[NameAddress.parse(route) for route in state["route_set"]],
        local_cseq=int(state["local_cseq"]),
    )
    return dialog, Peer(host, int(port), transport)


def sip_uri(
    user: str | None, host: str, port: int | None = None, transport: str | None = None
) -> SipUri:
    params: tuple[tuple[str, str | None], ...] = ()
    if transport and transport != "udp":
        params = (("transport", transport),)
    return SipUri(host=host, user=user, port=port, params=params)
