"""The one exception hierarchy of the SIP layer; adapters turn these into responses or drops."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telephonist.sip.message import Headers


class SipError(Exception):
    """Base of everything the SIP core raises on purpose."""


class SipParseError(SipError, ValueError):
    """A SIP message (or one of its fields) is malformed.

    ``headers`` holds what was read before the error (raw, unparsed values), so a server
    can still answer a broken request with 400 when ``can_answer`` is true.
    """

    def __init__(
        self,
        message: str,
        *,
        headers: Headers | None = None,
        is_request: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.headers = headers
        self.is_request = is_request

    @property
    def can_answer(self) -> bool:
        """True when a 400 response can be built: a request whose Via, From, To,
        Call-ID and CSeq were all present."""
        if self.headers is None or self.is_request is not True:
            return False
        return all(name in self.headers for name in ("via", "from", "to", "call-id", "cseq"))


class SdpParseError(SipError, ValueError):
    """An SDP body is malformed (RFC 4566)."""


class DigestError(SipError, ValueError):
    """A digest challenge or credential is unusable (unknown algorithm, missing field)."""


class TransactionError(SipError):
    """The transaction layer was asked to do something the state machine forbids."""


class DialogError(SipError):
    """A message cannot create or belong to a dialog (RFC 3261 §12)."""
