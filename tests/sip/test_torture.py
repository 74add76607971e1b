"""RFC 4475 (SIP torture tests) and RFC 5118 (IPv6 torture tests): every message is
checked against the outcome recorded in fixtures/expected.toml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from telephonist.sip import (
    SipParseError,
    SipRequest,
    SipResponse,
    SipUri,
    UasCapabilities,
    check_request,
    make_error_response,
    parse_message,
)

from .fixtures_index import FIXTURES, expectations

CASES = expectations()
CAPABILITIES = UasCapabilities(
    body_types=frozenset({"application/sdp", "multipart/mixed", "text/plain"})
)


def test_every_fixture_file_has_an_expectation() -> None:
    on_disk = {f"{p.parent.name}/{p.stem}" for p in FIXTURES.glob("rfc*/*.dat")}
    assert on_disk == {case_id for case_id, _, _ in CASES}
    assert len([c for c in CASES if c[0].startswith("rfc4475/")]) == 49


def _fact(message: SipRequest | SipResponse, name: str) -> object:
    def sip(uri: object) -> SipUri:
        assert isinstance(uri, SipUri)
        return uri

    ruri = sip(message.uri) if isinstance(message, SipRequest) else None
    getters: dict[str, Any] = {
        "method": lambda: message.method if isinstance(message, SipRequest) else None,
        "request_uri": lambda: message.uri.serialize() if isinstance(message, SipRequest) else None,
        "status": lambda: message.status if isinstance(message, SipResponse) else None,
        "reason": lambda: message.reason if isinstance(message, SipResponse) else None,
        "cseq_number": lambda: message.cseq.number,
        "max_forwards": lambda: message.max_forwards,
        "via_count": lambda: len(message.vias),
        "via_host": lambda: message.top_via.host,
        "via_received": lambda: message.top_via.received,
        "rfc3261_branch": lambda: message.top_via.has_rfc3261_branch,
        "body_length": lambda: len(message.body),
        "from_display": lambda: message.from_.display_name,
        "from_user": lambda: sip(message.from_.uri).user,
        "to_display": lambda: message.to.display_name,
        "to_user": lambda: sip(message.to.uri).user,
        "to_tag": lambda: message.to.tag,
        "contact_count": lambda: len(message.contacts),
        "ruri_user": lambda: ruri.user if ruri else None,
        "ruri_host": lambda: ruri.host if ruri else None,
        "ruri_port": lambda: (ruri.port or 0) if ruri else None,
        "ruri_header_route": lambda: ruri.header("Route") if ruri else None,
        "authorization_scheme": lambda: message.auth_headers("Authorization")[0].scheme,
        "contact_param_unknownparam": lambda: message.contacts[0].param("unknownparam") is not None,
        "contact_uri_param_unknownparam": lambda: (
            sip(message.contacts[0].uri).param("unknownparam") is not None
        ),
        "contact_header_route": lambda: sip(message.contacts[0].uri).header("Route"),
    }
    return getters[name]()


@pytest.mark.parametrize(
    ("path", "expected"), [(path, exp) for _, path, exp in CASES], ids=[c[0] for c in CASES]
)
def test_torture_message_has_the_outcome_the_rfc_describes(
    path: Path, expected: dict[str, Any]
) -> None:
    data = path.read_bytes()
    outcome = expected["outcome"]
    if outcome == "invalid":
        with pytest.raises(SipParseError) as caught:
            parse_message(data)
        assert caught.value.can_answer is expected["can_answer"]
        if "error" in expected:
            assert expected["error"] in str(caught.value)
        if expected["can_answer"]:
            response = make_error_response(caught.value, to_tag="t1")
            assert response is not None and response.status == 400
            assert response.serialize().startswith(b"SIP/2.0 400 Bad Request")
        return
    message = parse_message(data)
    for name, value in expected.get("facts", {}).items():
        assert _fact(message, name) == value, name
    if isinstance(message, SipRequest):
        rejection = check_request(message, CAPABILITIES)
        if outcome == "semantic":
            assert rejection is not None and rejection.status == expected["status"]
        else:
            assert rejection is None
    else:
        assert outcome == "valid"
