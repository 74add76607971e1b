"""Dialogs (RFC 3261 §12): the peer-to-peer state an INVITE creates, and the requests
sent inside it (BYE, re-INVITE, the ACK for a 2xx)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from telephonist.sip.errors import DialogError
from telephonist.sip.fields import CSeq, NameAddress, Via
from telephonist.sip.message import Headers, SipRequest, SipResponse
from telephonist.sip.uri import SipUri, Uri

DialogId = tuple[str, str, str]
"""Call-ID, local tag, remote tag (§12)."""

TARGET_REFRESH_METHODS = frozenset({"INVITE", "UPDATE", "SUBSCRIBE", "NOTIFY", "REFER"})


@dataclass(slots=True)
class Dialog:
    """One dialog, seen from our side (UAC or UAS)."""

    call_id: str
    local_tag: str
    remote_tag: str
    local_party: NameAddress
    remote_party: NameAddress
    remote_target: Uri
    route_set: list[NameAddress] = field(default_factory=list)
    local_cseq: int | None = None
    remote_cseq: int | None = None
    secure: bool = False
    early: bool = False

    @property
    def id(self) -> DialogId:
        """The dialog identifier from our point of view."""
        return (self.call_id, self.local_tag, self.remote_tag)

    @classmethod
    def as_uac(cls, request: SipRequest, response: SipResponse) -> Dialog:
        """The dialog a 2xx (or a 101-199 with a To tag: early) response creates for the
        client (§12.1.2): route set is the response's Record-Route, reversed."""
        if not 100 < response.status < 300:
            raise DialogError(f"a {response.status} response does not create a dialog")
        contacts = response.contacts
        if not contacts:
            raise DialogError("dialog-creating response has no Contact")
        return cls(
            call_id=request.call_id,
            local_tag=request.from_.tag or "",
            remote_tag=response.to.tag or "",
            local_party=request.from_,
            remote_party=response.to,
            remote_target=contacts[0].uri,
            route_set=list(reversed(response.record_routes)),
            local_cseq=request.cseq.number,
            secure=_is_sips(request.uri),
            early=response.status < 200,
        )

    @classmethod
    def as_uas(cls, request: SipRequest, local_tag: str, *, early: bool = False) -> Dialog:
        """The dialog we create by answering ``request`` with a tagged 1xx/2xx
        (§12.1.1): route set is the request's Record-Route, in order."""
        contacts = request.contacts
        if not contacts:
            raise DialogError("dialog-creating request has no Contact")
        return cls(
            call_id=request.call_id,
            local_tag=local_tag,
            remote_tag=request.from_.tag or "",
            local_party=request.to.with_param("tag", local_tag),
            remote_party=request.from_,
            remote_target=contacts[0].uri,
            route_set=list(request.record_routes),
            remote_cseq=request.cseq.number,
            secure=_is_sips(request.uri),
            early=early,
        )

    def confirm(self, response: SipResponse) -> None:
        """An early dialog got its 2xx: confirm it and take the final route set and
        target from the response (§12.1.2, §13.2.2.4)."""
        self.early = False
        self.route_set = list(reversed(response.record_routes))
        self._refresh_target(response)

    def receive_request(self, request: SipRequest) -> None:
        """Check and record an in-dialog request (§12.2.2): lower CSeq is an error (the
        TU answers 500); target refresh requests update the remote target."""
        if request.method not in ("ACK", "CANCEL"):
            number = request.cseq.number
            if self.remote_cseq is not None and number < self.remote_cseq:
                raise DialogError(f"CSeq {number} is lower than {self.remote_cseq}")
            self.remote_cseq = number
        if request.method in TARGET_REFRESH_METHODS:
            self._refresh_target(request)

    def receive_response(self, request: SipRequest, response: SipResponse) -> None:
        """A 2xx to our target refresh request (re-INVITE, UPDATE) updates the remote
        target (§12.2.1.2)."""
        if 200 <= response.status < 300 and request.method in TARGET_REFRESH_METHODS:
            self._refresh_target(response)

    def _refresh_target(self, message: SipRequest | SipResponse) -> None:
        contacts = message.contacts
        if contacts:
            self.remote_target = contacts[0].uri

    def next_hop(self) -> Uri:
        """Where in-dialog requests go: the first route, or else the remote target."""
        return self.route_set[0].uri if self.route_set else self.remote_target

    def create_request(
        self,
        method: str,
        via: Via,
        *,
        contact: NameAddress | None = None,
        body: bytes = b"",
        content_type: str | None = None,
    ) -> SipRequest:
        """A new in-dialog request (§12.2.1.1) with the next local CSeq. Pass ``contact``
        for target refresh requests such as a re-INVITE."""
        if method in ("ACK", "CANCEL"):
            raise DialogError(f"{method} reuses the CSeq of its INVITE; use create_ack")
        if self.local_cseq is None:
            self.local_cseq = secrets.randbelow(2**31 - 1) + 1
        else:
            self.local_cseq += 1
        return self._request(method, self.local_cseq, via, contact, body, content_type)

    def create_ack(
        self,
        invite_cseq: int,
        via: Via,
        *,
        body: bytes = b"",
        content_type: str | None = None,
    ) -> SipRequest:
        """The ACK for a 2xx to our INVITE: same CSeq number, new branch (§13.2.2.4)."""
        return self._request("ACK", invite_cseq, via, None, body, content_type)

    def _request(
        self,
        method: str,
        number: int,
        via: Via,
        contact: NameAddress | None,
        body: bytes,
        content_type: str | None,
    ) -> SipRequest:
        uri, routes = self._uri_and_routes()
        headers = Headers()
        headers.add("Via", via.serialize())
        headers.add("Max-Forwards", "70")
        headers.add("From", self.local_party.serialize())
        headers.add("To", self.remote_party.with_param("tag", self.remote_tag).serialize())
        headers.add("Call-ID", self.call_id)
        headers.add("CSeq", CSeq(number, method).serialize())
        for route in routes:
            headers.add("Route", route.serialize())
        if contact is not None:
            headers.add("Contact", contact.serialize())
        if content_type is not None:
            headers.add("Content-Type", content_type)
        return SipRequest(method=method, uri=uri, headers=headers, body=body)

    def _uri_and_routes(self) -> tuple[Uri, list[NameAddress]]:
        if not self.route_set:
            return self.remote_target, []
        first = self.route_set[0].uri
        if isinstance(first, SipUri) and first.param("lr") is not None:
            return self.remote_target, list(self.route_set)
        # Strict routing (RFC 2543 proxies): the first route becomes the Request-URI and
        # the remote target goes last in the Route set.
        strict_uri = first.without_headers() if isinstance(first, SipUri) else first
        return strict_uri, [*self.route_set[1:], NameAddress(uri=self.remote_target)]


def new_tag() -> str:
    """A fresh From/To tag: 64 random bits (§19.3 asks for at least 32)."""
    return secrets.token_hex(8)


def dialog_id_of_request(request: SipRequest) -> DialogId:
    """The id a received in-dialog request maps to on our side (To tag is ours)."""
    return (request.call_id, request.to.tag or "", request.from_.tag or "")


def dialog_id_of_response(response: SipResponse) -> DialogId:
    """The id a response to our request maps to (From tag is ours)."""
    return (response.call_id, response.from_.tag or "", response.to.tag or "")


def _is_sips(uri: Uri) -> bool:
    return isinstance(uri, SipUri) and uri.scheme == "sips"
