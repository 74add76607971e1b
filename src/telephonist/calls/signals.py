"""What an INVITE tells the answering rules about its caller (BLK-3..BLK-5): the number
in E.164 (or withheld), a pay phone (the carrier's originating-line information: RFC 4694
``cpc=payphone``, or ISUP OLI 27/70 as ``oli=``), and the STIR/SHAKEN verdict (the
``verstat`` parameter the terminating carrier adds, and the attestation level in the
``Identity`` header's PASSporT, RFC 8224/8588).

Pure: it reads the request and returns an IncomingCall."""

from __future__ import annotations

import base64
import binascii
import json

from telephonist.calls.routing import Caller
from telephonist.domain.answering.model import Attestation, IncomingCall, Verstat
from telephonist.domain.dialing import from_trunk
from telephonist.sip import NameAddress, SipParseError, SipRequest

PAY_PHONE_OLI = frozenset({"27", "70"})
WITHHELD = frozenset({"", "anonymous", "unknown", "restricted", "unavailable"})


def incoming_call_of(request: SipRequest, caller: Caller, dialled: str) -> IncomingCall:
    if caller.trunk is None:
        return IncomingCall(caller.number or None, dialled, caller.name)
    home = caller.account.home_country
    identities = _identities(request)
    parameters = {
        name.lower(): value.lower()
        for identity in identities
        for name, value in _user_parameters(identity)
    }
    number = caller.number
    if number.lower() in WITHHELD:
        caller_number = None
    else:
        caller_number = from_trunk(number.split(";")[0], home_country=home) or None
    verstat = next((value for value in Verstat if value.lower() == parameters.get("verstat")), None)
    return IncomingCall(
        caller_number=caller_number,
        called_number=from_trunk(dialled, home_country=home) or dialled,
        caller_name=caller.name,
        pay_phone=parameters.get("cpc") == "payphone" or parameters.get("oli") in PAY_PHONE_OLI,
        verstat=verstat,
        attestation=attestation_of(request.headers.get("Identity")),
    )


def attestation_of(identity: str | None) -> Attestation | None:
    """The ``attest`` claim of the PASSporT in an Identity header (not verified: the
    carrier that added ``verstat`` did that)."""
    if not identity:
        return None
    token = identity.split(";")[0].strip().strip("<>")
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        return None
    attest = claims.get("attest") if isinstance(claims, dict) else None
    return next((level for level in Attestation if level.value == attest), None)


def _identities(request: SipRequest) -> list[NameAddress]:
    found = [request.from_]
    for value in request.headers.get_all("P-Asserted-Identity"):
        try:
            found.append(NameAddress.parse(value))
        except SipParseError:
            continue
    return found


def _user_parameters(identity: NameAddress) -> list[tuple[str, str]]:
    """``;name=value`` pairs inside the user part (sip:+1650...;cpc=payphone@host) and
    the URI's own parameters (verstat is often put there)."""
    uri = identity.uri
    pairs: list[tuple[str, str]] = []
    user = getattr(uri, "user", None) or ""
    for item in user.split(";")[1:]:
        name, _, value = item.partition("=")
        pairs.append((name, value))
    for name, value in getattr(uri, "params", ()):
        pairs.append((name, value or ""))
    return pairs
