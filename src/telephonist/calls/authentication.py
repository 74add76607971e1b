"""Digest authentication of devices (DEV-2, RFC 7616) for REGISTER (401) and for every
other request (407). Unknown users get exactly the same challenge as known ones, and an
address failing too often is banned by the edge guard."""

from __future__ import annotations

from dataclasses import dataclass

from telephonist.calls.directory import DeviceEntry, Directory
from telephonist.calls.edge import EdgeGuard
from telephonist.sip import (
    DigestAuthenticator,
    Peer,
    SipRequest,
    SipResponse,
    Verdict,
    make_response,
    new_tag,
)
from telephonist.sip.fields import AuthHeader


@dataclass(frozen=True)
class Challenge:
    """The answer to send instead of serving the request."""

    response: SipResponse


class DeviceAuthentication:
    """Checks credentials of requests from phones against the directory."""

    def __init__(self, digest: DigestAuthenticator, edge: EdgeGuard) -> None:
        self.digest = digest
        self.edge = edge

    def authenticate(
        self, request: SipRequest, source: Peer, directory: Directory, now: float
    ) -> DeviceEntry | Challenge:
        """The device that signed ``request``, or the 401/407 to send."""
        is_register = request.method == "REGISTER"
        header = "Authorization" if is_register else "Proxy-Authorization"
        credentials = self._credentials_for_realm(request.auth_headers(header))
        if credentials is None:
            return self._challenge(request, now, stale=False)
        username = credentials.get("username") or ""
        device = directory.device(username)
        password = device.sip_password if device is not None else None
        verdict = self.digest.verify(
            credentials,
            method=request.method,
            now=now,
            password=password if password is not None else "\x00unknown-user",
        )
        if verdict is Verdict.STALE:
            return self._challenge(request, now, stale=True)
        if verdict is not Verdict.ACCEPTED or device is None:
            self.edge.failed_authentication(source.host, now)
            return self._challenge(request, now, stale=False)
        self.edge.succeeded_authentication(source.host)
        return device

    def _credentials_for_realm(self, headers: list[AuthHeader]) -> AuthHeader | None:
        for candidate in headers:
            if candidate.scheme.lower() == "digest" and candidate.get("realm") == self.digest.realm:
                return candidate
        return None

    def _challenge(self, request: SipRequest, now: float, *, stale: bool) -> Challenge:
        is_register = request.method == "REGISTER"
        status, header = (401, "WWW-Authenticate") if is_register else (407, "Proxy-Authenticate")
        response = make_response(request, status, to_tag=new_tag())
        for challenge in self.digest.challenges(now, stale=stale):
            response.headers.add(header, challenge.serialize())
        return Challenge(response)
