"""SIP requests and responses (RFC 3261 §7): an ordered, case-insensitive header list with
typed accessors, and responses built from requests (§8.2.6)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar, cast

from telephonist.sip.errors import SipParseError
from telephonist.sip.fields import (
    MAX_UINT32,
    AuthHeader,
    CSeq,
    NameAddress,
    Via,
    parse_name_addresses,
    parse_vias,
)
from telephonist.sip.grammar import split_commas
from telephonist.sip.uri import Uri

COMPACT_FORMS = {
    "a": "Accept-Contact",
    "b": "Referred-By",
    "c": "Content-Type",
    "d": "Request-Disposition",
    "e": "Content-Encoding",
    "f": "From",
    "i": "Call-ID",
    "j": "Reject-Contact",
    "k": "Supported",
    "l": "Content-Length",
    "m": "Contact",
    "n": "Identity-Info",
    "o": "Event",
    "r": "Refer-To",
    "s": "Subject",
    "t": "To",
    "u": "Allow-Events",
    "v": "Via",
    "x": "Session-Expires",
    "y": "Identity",
}
"""RFC 3261 §7.3.3 compact header names and those registered since (RFC 3265, 3515, ...)."""

CANONICAL_NAMES = {
    name.lower(): name
    for name in (
        *COMPACT_FORMS.values(),
        "Accept",
        "Accept-Encoding",
        "Accept-Language",
        "Alert-Info",
        "Allow",
        "Authentication-Info",
        "Authorization",
        "CSeq",
        "Call-Info",
        "Content-Disposition",
        "Content-Language",
        "Date",
        "Error-Info",
        "Expires",
        "In-Reply-To",
        "Max-Forwards",
        "MIME-Version",
        "Min-Expires",
        "Organization",
        "Path",
        "Priority",
        "Proxy-Authenticate",
        "Proxy-Authorization",
        "Proxy-Require",
        "RAck",
        "RSeq",
        "Reason",
        "Record-Route",
        "Replaces",
        "Reply-To",
        "Require",
        "Retry-After",
        "Route",
        "Server",
        "Timestamp",
        "Unsupported",
        "User-Agent",
        "Warning",
        "WWW-Authenticate",
    )
}
_KEY_OF = {short: long.lower() for short, long in COMPACT_FORMS.items()}


def header_key(name: str) -> str:
    """The lookup key of a header name: lower-case long form (``"v"`` -> ``"via"``)."""
    lowered = name.lower()
    return _KEY_OF.get(lowered, lowered)


def canonical_name(name: str) -> str:
    """The long, conventionally capitalised form of a header name; unknown names as given."""
    return CANONICAL_NAMES.get(header_key(name), name)


class Headers:
    """Ordered, multi-valued, case-insensitive header fields; compact names are folded into
    their long forms. Values are the unfolded text of each header line."""

    __slots__ = ("_changes", "_items", "version")

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items: list[tuple[str, str, str]] = [
            (header_key(name), canonical_name(name), value) for name, value in items
        ]
        self.version = 0
        """Bumped on every change, so typed views parsed from the text can be cached."""
        self._changes: dict[str, int] = {}

    def version_of(self, key: str) -> int:
        """The version at which header ``key`` last changed: a typed view of one header
        stays cached when others change (a proxy stamping ``received`` on the Via must
        not make From, To and CSeq be parsed again)."""
        return self._changes.get(key, 0)

    def _changed(self, key: str) -> None:
        self.version += 1
        self._changes[key] = self.version

    @classmethod
    def from_parsed(cls, items: list[tuple[str, str, str]]) -> Headers:
        """Build from ``(key, name, value)`` triples already normalised by the parser."""
        headers = cls()
        headers._items = items
        return headers

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((name, value) for _, name, value in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        key = header_key(name)
        return any(item[0] == key for item in self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Headers) and self._items == other._items

    def __repr__(self) -> str:
        return f"Headers({list(self)!r})"

    def get(self, name: str) -> str | None:
        """The first value of ``name``, or None."""
        return self.first(header_key(name))

    def get_all(self, name: str) -> list[str]:
        """Every line's value of ``name``, in order."""
        return self.all(header_key(name))

    def first(self, key: str) -> str | None:
        """:meth:`get` for a key already normalised by :func:`header_key`."""
        for item in self._items:
            if item[0] == key:
                return item[2]
        return None

    def all(self, key: str) -> list[str]:
        """:meth:`get_all` for a key already normalised by :func:`header_key`."""
        return [item[2] for item in self._items if item[0] == key]

    def keys(self) -> set[str]:
        """The normalised keys present."""
        return {item[0] for item in self._items}

    def get_list(self, name: str) -> list[str]:
        """The comma-separated elements of every ``name`` line (for list headers)."""
        return [part for value in self.get_all(name) for part in split_commas(value)]

    def add(self, name: str, value: str) -> None:
        """Append a header line."""
        key = header_key(name)
        self._items.append((key, canonical_name(name), value))
        self._changed(key)

    def prepend(self, name: str, value: str) -> None:
        """Insert a header line before all others (a proxy's new top Via)."""
        key = header_key(name)
        self._items.insert(0, (key, canonical_name(name), value))
        self._changed(key)

    def set(self, name: str, value: str) -> None:
        """Replace every ``name`` line by one line, where the first one was."""
        key = header_key(name)
        out: list[tuple[str, str, str]] = []
        placed = False
        for item in self._items:
            if item[0] != key:
                out.append(item)
            elif not placed:
                out.append((key, item[1], value))
                placed = True
        if not placed:
            out.append((key, canonical_name(name), value))
        self._items = out
        self._changed(key)

    def set_first(self, name: str, value: str) -> None:
        """Replace only the first ``name`` line (e.g. the line holding the top Via)."""
        key = header_key(name)
        for index, item in enumerate(self._items):
            if item[0] == key:
                self._items[index] = (key, item[1], value)
                self._changed(key)
                return
        self.add(name, value)

    def remove(self, name: str) -> None:
        """Remove every ``name`` line."""
        key = header_key(name)
        self._items = [item for item in self._items if item[0] != key]
        self._changed(key)

    def copy(self) -> Headers:
        """An independent copy."""
        return Headers.from_parsed(list(self._items))


_T = TypeVar("_T")


@dataclass(slots=True, kw_only=True)
class SipMessage:
    """What requests and responses share: headers, body and the typed header views."""

    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    version: str = "SIP/2.0"
    _cache: dict[str, tuple[tuple[int, int], object]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def _typed(self, key: str, parse: Callable[[], _T]) -> _T:
        version = (id(self.headers), self.headers.version_of(key))
        hit = self._cache.get(key)
        if hit is not None and hit[0] == version:
            return cast(_T, hit[1])
        value = parse()
        self._cache[key] = (version, value)
        return value

    def remember_vias(self, vias: list[Via]) -> None:
        """Cache Vias the caller just wrote, so they are not parsed back from text."""
        self._cache["via"] = ((id(self.headers), self.headers.version_of("via")), vias)

    def _required(self, key: str) -> str:
        value = self.headers.first(key)
        if value is None:
            raise SipParseError(f"missing {canonical_name(key)} header")
        return value

    @property
    def vias(self) -> list[Via]:
        """Every Via, top first (§20.42)."""
        return self._typed("via", lambda: _parse_all(self.headers.all("via"), parse_vias))

    @property
    def top_via(self) -> Via:
        """The first Via; identifies the transaction and where responses go."""
        vias = self.vias
        if not vias:
            raise SipParseError("missing Via header")
        return vias[0]

    @property
    def from_(self) -> NameAddress:
        """The From header."""
        return self._typed("from", lambda: NameAddress.parse(self._required("from")))

    @property
    def to(self) -> NameAddress:
        """The To header."""
        return self._typed("to", lambda: NameAddress.parse(self._required("to")))

    @property
    def call_id(self) -> str:
        """The Call-ID."""
        return self._typed("call-id", lambda: _call_id(self._required("call-id")))

    @property
    def cseq(self) -> CSeq:
        """The CSeq."""
        return self._typed("cseq", lambda: CSeq.parse(self._required("cseq")))

    @property
    def contacts(self) -> list[NameAddress]:
        """Every Contact; empty for ``Contact: *`` (see :attr:`contact_is_wildcard`)."""
        return self._typed("contact", self._parse_contacts)

    @property
    def contact_is_wildcard(self) -> bool:
        """Whether the message has ``Contact: *`` (remove all bindings, §10.2.2)."""
        return [value.strip() for value in self.headers.all("contact")] == ["*"]

    def _parse_contacts(self) -> list[NameAddress]:
        if self.contact_is_wildcard:
            return []
        return _parse_all(self.headers.all("contact"), parse_name_addresses)

    @property
    def routes(self) -> list[NameAddress]:
        """Every Route, in order."""
        return self._typed(
            "route", lambda: _parse_all(self.headers.all("route"), parse_name_addresses)
        )

    @property
    def record_routes(self) -> list[NameAddress]:
        """Every Record-Route, in order."""
        return self._typed(
            "record-route",
            lambda: _parse_all(self.headers.all("record-route"), parse_name_addresses),
        )

    @property
    def max_forwards(self) -> int | None:
        """The Max-Forwards value, or None when absent."""
        return self._typed("max-forwards", lambda: _optional_number(self, "max-forwards"))

    @property
    def content_length(self) -> int | None:
        """The declared Content-Length, or None when absent."""
        return self._typed("content-length", lambda: _optional_number(self, "content-length"))

    @property
    def expires(self) -> int | None:
        """The Expires header in seconds, or None when absent or malformed."""
        value = self.headers.get("expires")
        return int(value) if value is not None and value.isdigit() and value.isascii() else None

    @property
    def content_type(self) -> str | None:
        """The media type of the body, lower-cased, without parameters."""
        value = self.headers.get("content-type")
        return value.split(";", 1)[0].strip().lower() if value is not None else None

    def auth_headers(self, name: str) -> list[AuthHeader]:
        """Every WWW-Authenticate, Proxy-Authenticate, Authorization or
        Proxy-Authorization value (one per line: their values contain commas)."""
        return self._typed(
            header_key(name),
            lambda: [AuthHeader.parse(value) for value in self.headers.get_all(name)],
        )

    def validate_core_headers(self) -> None:
        """Parse every header the transaction and dialog layers rely on, so malformed
        ones are caught once, on receipt, instead of deep inside call handling."""
        present = self.headers.keys()
        if "via" in present:
            _ = self.vias
        if "from" in present:
            _ = self.from_
        if "to" in present:
            _ = self.to
        if "call-id" in present:
            _ = self.call_id
        if "cseq" in present:
            _ = self.cseq
        if "contact" in present:
            _ = self.contacts
        if "max-forwards" in present:
            _ = self.max_forwards
        if "content-length" in present:
            _ = self.content_length

    def start_line(self) -> str:
        """The request or status line (without CRLF)."""
        raise NotImplementedError

    def serialize(self) -> bytes:
        """Wire bytes; Content-Length is always written and always matches the body."""
        body = self.body
        lines = [self.start_line()]
        length_written = False
        for key, name, value in self.headers._items:
            if key == "content-length":
                if length_written:
                    continue
                value = str(len(body))
                length_written = True
            lines.append(f"{name}: {value}")
        if not length_written:
            lines.append(f"Content-Length: {len(body)}")
        lines.append("\r\n")
        return "\r\n".join(lines).encode("utf-8", "surrogateescape") + body


@dataclass(slots=True, kw_only=True)
class SipRequest(SipMessage):
    """A SIP request: method, Request-URI, headers and body."""

    method: str
    uri: Uri

    def start_line(self) -> str:
        """``METHOD URI SIP/2.0``."""
        return f"{self.method} {self.uri.serialize()} {self.version}"


@dataclass(slots=True, kw_only=True)
class SipResponse(SipMessage):
    """A SIP response: status code, reason phrase, headers and body."""

    status: int
    reason: str = ""

    def start_line(self) -> str:
        """``SIP/2.0 CODE Reason``."""
        return f"{self.version} {self.status} {self.reason}"


def _parse_all(values: list[str], parse: Callable[[str], list[_T]]) -> list[_T]:
    return [item for value in values for item in parse(value)]


def _call_id(value: str) -> str:
    call_id = value.strip()
    if not call_id or any(char in call_id for char in " \t"):
        raise SipParseError(f"malformed Call-ID {value!r}")
    return call_id


def _optional_number(message: SipMessage, name: str) -> int | None:
    values = message.headers.all(name)
    if not values:
        return None
    numbers = set()
    for value in values:
        text = value.strip()
        if not text.isdigit() or not text.isascii():
            raise SipParseError(f"malformed {canonical_name(name)} {value!r}")
        numbers.add(int(text))
    if len(numbers) > 1:
        raise SipParseError(f"conflicting {canonical_name(name)} headers {values!r}")
    number = numbers.pop()
    if number > MAX_UINT32:
        raise SipParseError(f"{canonical_name(name)} {number} exceeds 2**32-1")
    return number


REASON_PHRASES = {
    100: "Trying",
    180: "Ringing",
    181: "Call Is Being Forwarded",
    182: "Queued",
    183: "Session Progress",
    200: "OK",
    202: "Accepted",
    301: "Moved Permanently",
    302: "Moved Temporarily",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    407: "Proxy Authentication Required",
    408: "Request Timeout",
    415: "Unsupported Media Type",
    416: "Unsupported URI Scheme",
    420: "Bad Extension",
    423: "Interval Too Brief",
    480: "Temporarily Unavailable",
    481: "Call/Transaction Does Not Exist",
    482: "Loop Detected",
    483: "Too Many Hops",
    486: "Busy Here",
    487: "Request Terminated",
    488: "Not Acceptable Here",
    491: "Request Pending",
    500: "Server Internal Error",
    501: "Not Implemented",
    503: "Service Unavailable",
    504: "Server Time-out",
    505: "Version Not Supported",
    513: "Message Too Large",
    600: "Busy Everywhere",
    603: "Decline",
}

_COPIED = ("via", "from", "to", "call-id", "cseq")


def make_response(
    request: SipRequest,
    status: int,
    reason: str | None = None,
    *,
    to_tag: str | None = None,
    body: bytes = b"",
) -> SipResponse:
    """Build a response to ``request`` per RFC 3261 §8.2.6: Via, From, To, Call-ID and
    CSeq copied; ``to_tag`` added when the To has none (never on 100); Record-Route
    copied on dialog-creating 1xx/2xx (§12.1.1)."""
    copy_record_route = 100 < status < 300 and "record-route" in request.headers
    return _response_from(request.headers, status, reason, to_tag, body, copy_record_route)


def make_error_response(
    error: SipParseError, status: int = 400, reason: str | None = None, *, to_tag: str
) -> SipResponse | None:
    """A stateless answer to a request that failed to parse, when its Via, From, To,
    Call-ID and CSeq were present (:attr:`SipParseError.can_answer`); otherwise None."""
    if not error.can_answer or error.headers is None:
        return None
    phrase = reason if reason is not None else _error_reason(status, str(error))
    return _response_from(error.headers, status, phrase, to_tag, b"", copy_record_route=False)


def _error_reason(status: int, detail: str) -> str:
    base = REASON_PHRASES.get(status, "Error")
    cleaned = "".join(char if char.isprintable() and char.isascii() else "?" for char in detail)
    return f"{base} ({cleaned[:80]})"


def _response_from(
    source: Headers,
    status: int,
    reason: str | None,
    to_tag: str | None,
    body: bytes,
    copy_record_route: bool,
) -> SipResponse:
    headers = Headers()
    for key, name, value in source._items:
        if key in _COPIED or (copy_record_route and key == "record-route"):
            if key == "to" and to_tag is not None and status != 100:
                value = _with_to_tag(value, to_tag)
            headers._items.append((key, name, value))
    return SipResponse(
        status=status,
        reason=reason if reason is not None else REASON_PHRASES.get(status, ""),
        headers=headers,
        body=body,
    )


def _with_to_tag(value: str, tag: str) -> str:
    try:
        address = NameAddress.parse(value)
    except SipParseError:
        return f"{value};tag={tag}"
    if address.tag is not None:
        return value
    return address.with_param("tag", tag).serialize()
