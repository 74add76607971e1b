"""HTTP digest authentication for SIP (RFC 7616, RFC 2617 compatible, RFC 8760 for SIP).

Server side: stateless nonces that carry their issue time and an HMAC, so any process
holding the secret can check them and answer ``stale=true`` once they expire. The
challenge never depends on the user, so unknown users get one that looks the same.
Client side: the Authorization a UA sends back (used to register to SIP trunks).
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import secrets
import struct
from dataclasses import dataclass

from telephonist.sip.errors import DigestError
from telephonist.sip.fields import AuthHeader
from telephonist.sip.grammar import quote

_HASHES = {
    "MD5": hashlib.md5,
    "MD5-SESS": hashlib.md5,
    "SHA-256": hashlib.sha256,
    "SHA-256-SESS": hashlib.sha256,
}
_NONCE_RANDOM_BYTES = 9
_NONCE_MAC_BYTES = 15


def _hash(algorithm: str, text: str) -> str:
    try:
        constructor = _HASHES[algorithm.upper()]
    except KeyError:
        raise DigestError(f"unsupported digest algorithm {algorithm!r}") from None
    return constructor(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def compute_ha1(algorithm: str, username: str, realm: str, password: str) -> str:
    """``H(username:realm:password)``: what a server may store instead of the password."""
    return _hash(algorithm, f"{username}:{realm}:{password}")


def compute_response(
    *,
    algorithm: str,
    ha1: str,
    nonce: str,
    method: str,
    uri: str,
    qop: str | None,
    nc: str | None,
    cnonce: str | None,
) -> str:
    """The ``response`` value of RFC 7616 §3.4.1 (qop=auth) or RFC 2069 (no qop)."""
    if algorithm.upper().endswith("-SESS"):
        ha1 = _hash(algorithm, f"{ha1}:{nonce}:{cnonce or ''}")
    ha2 = _hash(algorithm, f"{method}:{uri}")
    if qop:
        return _hash(algorithm, f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
    return _hash(algorithm, f"{ha1}:{nonce}:{ha2}")


class Verdict(enum.Enum):
    """Outcome of checking credentials."""

    ACCEPTED = "accepted"
    STALE = "stale"
    """Right password, expired nonce: challenge again with ``stale=true``."""
    REJECTED = "rejected"


class DigestAuthenticator:
    """Issues challenges and checks credentials for one realm."""

    def __init__(
        self,
        realm: str,
        secret: bytes,
        *,
        nonce_lifetime: float = 300.0,
        algorithms: tuple[str, ...] = ("SHA-256", "MD5"),
        track_nonce_counts: bool = True,
    ) -> None:
        for algorithm in algorithms:
            _hash(algorithm, "")
        self.realm = realm
        self._secret = secret
        self.nonce_lifetime = nonce_lifetime
        self.algorithms = algorithms
        self._opaque = hmac.new(secret, b"opaque:" + realm.encode(), "sha256").hexdigest()[:32]
        self._track = track_nonce_counts
        self._counts: dict[str, tuple[int, float]] = {}

    def make_nonce(self, now: float) -> str:
        """A nonce holding its issue time (ms), randomness and an HMAC of both."""
        stamp = struct.pack(">Q", int(now * 1000)) + secrets.token_bytes(_NONCE_RANDOM_BYTES)
        mac = hmac.new(self._secret, stamp, "sha256").digest()[:_NONCE_MAC_BYTES]
        return base64.urlsafe_b64encode(stamp + mac).decode("ascii")

    def nonce_issued_at(self, nonce: str) -> float | None:
        """Issue time of a nonce we made, or None when it is not ours (bad HMAC)."""
        try:
            raw = base64.urlsafe_b64decode(nonce.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            return None
        if len(raw) != 8 + _NONCE_RANDOM_BYTES + _NONCE_MAC_BYTES:
            return None
        stamp, mac = raw[:-_NONCE_MAC_BYTES], raw[-_NONCE_MAC_BYTES:]
        expected = hmac.new(self._secret, stamp, "sha256").digest()[:_NONCE_MAC_BYTES]
        if not hmac.compare_digest(mac, expected):
            return None
        return float(struct.unpack(">Q", stamp[:8])[0]) / 1000

    def challenges(self, now: float, *, stale: bool = False) -> list[AuthHeader]:
        """WWW-Authenticate (or Proxy-Authenticate) values, one per algorithm, strongest
        first (RFC 8760 §2.4). Nothing in them depends on the user."""
        nonce = self.make_nonce(now)
        out = []
        for algorithm in self.algorithms:
            params = [
                ("realm", quote(self.realm)),
                ("nonce", quote(nonce)),
                ("opaque", quote(self._opaque)),
                ("algorithm", algorithm),
                ("qop", '"auth"'),
            ]
            if stale:
                params.append(("stale", "true"))
            out.append(AuthHeader("Digest", tuple(params)))
        return out

    def verify(
        self,
        credentials: AuthHeader,
        *,
        method: str,
        now: float,
        password: str | None = None,
        ha1: str | None = None,
    ) -> Verdict:
        """Check credentials against the stored ``password`` (or its ``ha1`` for the
        credentials' algorithm). The caller looks the user up by ``username``; for an
        unknown user it answers with :meth:`challenges` just the same."""
        if credentials.scheme.lower() != "digest":
            return Verdict.REJECTED
        username = credentials.get("username")
        nonce = credentials.get("nonce")
        uri = credentials.get("uri")
        response = credentials.get("response")
        algorithm = (credentials.get("algorithm") or "MD5").upper()
        qop = credentials.get("qop")
        nc = credentials.get("nc")
        cnonce = credentials.get("cnonce")
        if (
            username is None
            or nonce is None
            or uri is None
            or response is None
            or credentials.get("realm") != self.realm
        ):
            return Verdict.REJECTED
        if algorithm not in (name.upper() for name in self.algorithms):
            return Verdict.REJECTED
        opaque = credentials.get("opaque")
        if opaque is not None and not hmac.compare_digest(opaque, self._opaque):
            return Verdict.REJECTED
        if qop not in (None, "auth") or (qop and (not nc or not cnonce)):
            return Verdict.REJECTED
        issued = self.nonce_issued_at(nonce)
        if issued is None:
            return Verdict.REJECTED
        if ha1 is None:
            if password is None:
                return Verdict.REJECTED
            ha1 = compute_ha1(algorithm.removesuffix("-SESS"), username, self.realm, password)
        expected = compute_response(
            algorithm=algorithm,
            ha1=ha1,
            nonce=nonce,
            method=method,
            uri=uri,
            qop=qop,
            nc=nc,
            cnonce=cnonce,
        )
        if not hmac.compare_digest(expected, response.lower()):
            return Verdict.REJECTED
        if now - issued > self.nonce_lifetime:
            return Verdict.STALE
        if self._track and nc is not None and not self._fresh_count(nonce, nc, issued, now):
            return Verdict.REJECTED
        return Verdict.ACCEPTED

    def _fresh_count(self, nonce: str, nc: str, issued: float, now: float) -> bool:
        try:
            count = int(nc, 16)
        except ValueError:
            return False
        previous = self._counts.get(nonce)
        if previous is not None and count <= previous[0]:
            return False
        if len(self._counts) > 50_000:
            self._counts = {
                key: value
                for key, value in self._counts.items()
                if now - value[1] <= self.nonce_lifetime
            }
        self._counts[nonce] = (count, issued)
        return True


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    """The account a UA authenticates with (e.g. a SIP trunk registration)."""

    username: str
    password: str


def pick_challenge(challenges: list[AuthHeader]) -> AuthHeader:
    """The digest challenge to answer: SHA-256 before MD5 (RFC 8760 §2.4)."""
    usable = [
        challenge
        for challenge in challenges
        if challenge.scheme.lower() == "digest"
        and (challenge.get("algorithm") or "MD5").upper() in _HASHES
    ]
    if not usable:
        raise DigestError("no digest challenge with a supported algorithm")
    usable.sort(key=lambda c: 0 if (c.get("algorithm") or "MD5").upper().startswith("SHA") else 1)
    return usable[0]


def authorization_for(
    challenge: AuthHeader,
    credentials: ClientCredentials,
    *,
    method: str,
    uri: str,
    cnonce: str | None = None,
    nc: int = 1,
) -> AuthHeader:
    """The Authorization (or Proxy-Authorization) value answering ``challenge``."""
    realm = challenge.get("realm")
    nonce = challenge.get("nonce")
    if realm is None or nonce is None:
        raise DigestError("challenge lacks realm or nonce")
    algorithm = challenge.get("algorithm") or "MD5"
    offered = {item.strip().lower() for item in (challenge.get("qop") or "").split(",")}
    qop = "auth" if "auth" in offered else None
    cnonce_value = cnonce if cnonce is not None else secrets.token_hex(8)
    nc_value = f"{nc:08x}"
    ha1 = compute_ha1(
        algorithm.upper().removesuffix("-SESS"), credentials.username, realm, credentials.password
    )
    response = compute_response(
        algorithm=algorithm,
        ha1=ha1,
        nonce=nonce,
        method=method,
        uri=uri,
        qop=qop,
        nc=nc_value if qop else None,
        cnonce=cnonce_value if qop else None,
    )
    params = [
        ("username", quote(credentials.username)),
        ("realm", quote(realm)),
        ("nonce", quote(nonce)),
        ("uri", quote(uri)),
        ("response", quote(response)),
        ("algorithm", algorithm),
    ]
    opaque = challenge.get("opaque")
    if opaque is not None:
        params.append(("opaque", quote(opaque)))
    if qop:
        params.extend([("qop", qop), ("nc", nc_value), ("cnonce", quote(cnonce_value))])
    return AuthHeader("Digest", tuple(params))
