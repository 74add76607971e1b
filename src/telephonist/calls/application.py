"""The SIP application: what the stack hands every request to. It authenticates, sends
REGISTER to the registrar, SUBSCRIBE to the message light, new INVITEs and everything in a
dialog to the call manager, answers keep-alive OPTIONS, and refuses what we do not do."""

from __future__ import annotations

import logging

from telephonist.calls.authentication import Challenge, DeviceAuthentication
from telephonist.calls.b2bua import CallManager
from telephonist.calls.directory import Directory, DirectoryCache
from telephonist.calls.message_waiting import MessageWaiting
from telephonist.calls.registrar import Registrar
from telephonist.calls.stack import ALLOW, SipStack
from telephonist.sip import Peer, SipRequest, SipResponse, make_response, new_tag
from telephonist.sip.transactions import TransactionKey

log = logging.getLogger(__name__)


class PhoneSystem:
    """Implements the stack's Application protocol."""

    def __init__(
        self,
        stack: SipStack,
        directory: DirectoryCache,
        authentication: DeviceAuthentication,
        registrar: Registrar,
        calls: CallManager,
        message_waiting: MessageWaiting,
    ) -> None:
        self.stack = stack
        self.directory = directory
        self.authentication = authentication
        self.registrar = registrar
        self.calls = calls
        self.message_waiting = message_waiting

    def request_received(
        self, request: SipRequest, source: Peer, key: TransactionKey | None
    ) -> None:
        method = request.method
        if key is None:
            if method == "ACK":
                self.calls.ack(request)
            return
        in_dialog = request.to.tag is not None
        if method == "REGISTER":
            directory = self.directory.fresh()
            if directory is None:
                self.calls.spawn(lambda: self._register(request, source, key))
            else:
                self._register_with(directory, request, source, key)
        elif method == "CANCEL":
            self.calls.cancel(request, key)
        elif method == "SUBSCRIBE":
            self.message_waiting.subscribe_received(request, source, key)
        elif in_dialog:
            self.calls.in_dialog(request, key)
        elif method == "INVITE":
            self.calls.new_invite(request, source, key)
        elif method == "OPTIONS":
            response = make_response(request, 200, to_tag=new_tag())
            response.headers.add("Allow", ALLOW)
            response.headers.add("Accept", "application/sdp")
            self.stack.respond(key, response)
        elif method == "BYE":
            self.stack.respond(
                key,
                make_response(request, 481, "Call/Transaction Does Not Exist", to_tag=new_tag()),
            )
        else:
            response = make_response(request, 405, "Method Not Allowed", to_tag=new_tag())
            response.headers.add("Allow", ALLOW)
            self.stack.respond(key, response)

    async def _register(self, request: SipRequest, source: Peer, key: TransactionKey) -> None:
        self._register_with(await self.directory.get(), request, source, key)

    def _register_with(
        self, directory: Directory, request: SipRequest, source: Peer, key: TransactionKey
    ) -> None:
        found = self.authentication.authenticate(request, source, directory, self.stack.now())
        if isinstance(found, Challenge):
            self.stack.respond(key, found.response)
            return
        self.stack.respond(key, self.registrar.register(request, source, found))

    def stray_response(self, response: SipResponse) -> None:
        self.calls.stray_response(response)
