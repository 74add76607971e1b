"""Registering to carriers (issue 3 item 5): a trunk in "registration" mode gets a
REGISTER from us with its credentials, answered to the carrier's digest challenge, and
renewed before it expires, so the carrier knows where to send the company's calls."""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass, field

from telephonist.calls.directory import DirectoryCache, TrunkEntry
from telephonist.calls.legs import sip_uri
from telephonist.calls.stack import USER_AGENT, SipStack
from telephonist.sip import (
    ClientCredentials,
    CSeq,
    Headers,
    NameAddress,
    SipParseError,
    SipRequest,
    SipResponse,
    authorization_for,
    new_tag,
    pick_challenge,
)

log = logging.getLogger(__name__)

REGISTER_EXPIRES = 600
RETRY_SECONDS = 30


@dataclass
class TrunkRegistration:
    """Where one trunk's registration stands."""

    trunk: TrunkEntry
    call_id: str = field(default_factory=lambda: secrets.token_hex(12))
    tag: str = field(default_factory=new_tag)
    cseq: int = 0
    registered: bool = False
    last_status: int = 0


class TrunkRegistrar:
    """Keeps every registration-mode trunk registered."""

    def __init__(self, stack: SipStack, directory: DirectoryCache) -> None:
        self.stack = stack
        self.directory = directory
        self.registrations: dict[int, TrunkRegistration] = {}

    async def run(self) -> None:
        """Register, then re-check every few seconds for new or changed trunks."""
        while True:
            directory = await self.directory.get()
            wanted = {
                trunk.trunk_id: trunk
                for trunks in directory.trunks.values()
                for trunk in trunks
                if trunk.auth_mode == "registration"
            }
            for trunk_id in list(self.registrations):
                if trunk_id not in wanted:
                    del self.registrations[trunk_id]
            for trunk_id, trunk in wanted.items():
                current = self.registrations.get(trunk_id)
                if current is None or current.trunk != trunk:
                    current = TrunkRegistration(trunk)
                    self.registrations[trunk_id] = current
                    self._send(current, None)
            await asyncio.sleep(5)

    def _send(self, registration: TrunkRegistration, authorization: tuple[str, str] | None) -> None:
        trunk = registration.trunk
        registration.cseq += 1
        destination = trunk.destination
        aor = NameAddress(sip_uri(trunk.username, trunk.host, trunk.port))
        headers = Headers()
        headers.add("Via", self.stack.via(trunk.transport).serialize())
        headers.add("Max-Forwards", "70")
        headers.add("From", aor.with_param("tag", registration.tag).serialize())
        headers.add("To", aor.serialize())
        headers.add("Call-ID", registration.call_id)
        headers.add("CSeq", CSeq(registration.cseq, "REGISTER").serialize())
        headers.add("Contact", self.stack.contact(trunk.username, trunk.transport).serialize())
        headers.add("Expires", str(REGISTER_EXPIRES))
        headers.add("User-Agent", USER_AGENT)
        if authorization is not None:
            headers.add(*authorization)
        request = SipRequest(
            method="REGISTER", uri=sip_uri(None, trunk.host, trunk.port), headers=headers
        )
        self.stack.request(
            request,
            destination,
            lambda response: self._answered(
                registration, request, response, authorization is not None
            ),
        )

    def _answered(
        self,
        registration: TrunkRegistration,
        request: SipRequest,
        response: SipResponse,
        authenticated: bool,
    ) -> None:
        if self.registrations.get(registration.trunk.trunk_id) is not registration:
            return
        registration.last_status = response.status
        loop = asyncio.get_running_loop()
        if response.status in (401, 407) and not authenticated:
            header = "WWW-Authenticate" if response.status == 401 else "Proxy-Authenticate"
            try:
                challenge = pick_challenge(response.auth_headers(header))
                credentials = authorization_for(
                    challenge,
                    ClientCredentials(registration.trunk.username, registration.trunk.password),
                    method="REGISTER",
                    uri=request.uri.serialize(),
                )
            except (SipParseError, ValueError) as error:
                log.warning("trunk %s: unusable challenge: %s", registration.trunk.name, error)
            else:
                name = "Authorization" if response.status == 401 else "Proxy-Authorization"
                self._send(registration, (name, credentials.serialize()))
                return
        if 200 <= response.status < 300:
            registration.registered = True
            expires = response.expires or REGISTER_EXPIRES
            loop.call_later(max(30, expires * 0.8), self._renew, registration)
            log.info("trunk %s registered for %d s", registration.trunk.name, expires)
            return
        registration.registered = False
        log.warning(
            "trunk %s registration failed: %d %s",
            registration.trunk.name,
            response.status,
            response.reason,
        )
        loop.call_later(RETRY_SECONDS, self._renew, registration)

    def _renew(self, registration: TrunkRegistration) -> None:
        if self.registrations.get(registration.trunk.trunk_id) is registration:
            self._send(registration, None)
