"""Which bodies a request may carry before the UAS looks at it (RFC 3261 §8.2.3): SDP
everywhere, and a key press in an INFO (phones without RFC 4733 events send
``application/dtmf-relay`` or ``application/dtmf``); anything else is a 415 that says
what is accepted."""

from __future__ import annotations

import pytest

from telephonist.sip.validation import UasCapabilities, check_request
from tests.sip.builders import request

SDP = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"


@pytest.mark.parametrize(
    ("method", "content_type", "body", "status"),
    [
        ("INVITE", "application/sdp", SDP, None),
        ("INFO", "application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", None),
        ("INFO", "application/dtmf", "5", None),
        ("INVITE", "application/dtmf-relay", "Signal=5\r\n", 415),
        ("MESSAGE", "text/plain", "hello", 415),
        ("INFO", "application/x-custom", "?", 415),
    ],
)
def test_bodies_a_request_may_carry(
    method: str, content_type: str, body: str, status: int | None
) -> None:
    message = request(method, extra=f"Content-Type: {content_type}\r\n", body=body)
    rejection = check_request(message, UasCapabilities())
    assert (rejection.status if rejection else None) == status
    if rejection is not None:
        accepted = dict(rejection.headers)["Accept"]
        assert "application/sdp" in accepted
        assert ("application/dtmf-relay" in accepted) is (method == "INFO")
