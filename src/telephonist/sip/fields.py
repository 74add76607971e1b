"""Typed header field values (RFC 3261 §20): Via, name-addr (From/To/Contact/Route),
CSeq and authentication headers. Each parses from and serializes to header text."""

from __future__ import annotations

from dataclasses import dataclass, replace

from telephonist.sip.errors import SipParseError
from telephonist.sip.grammar import (
    Params,
    format_params,
    get_param,
    has_param,
    is_token,
    parse_params,
    quote,
    read_quoted,
    split_commas,
    unquote_param,
    with_param,
)
from telephonist.sip.uri import SipUri, Uri, format_host, parse_sip_uri, parse_uri

BRANCH_COOKIE = "z9hG4bK"
"""Magic cookie that marks an RFC 3261 branch (§8.1.1.7)."""

MAX_UINT32 = 2**32 - 1


@dataclass(frozen=True, slots=True)
class Via:
    """One Via header value: where the request came from and which transaction it is."""

    transport: str
    host: str
    port: int | None = None
    params: Params = ()
    protocol: str = "SIP"
    version: str = "2.0"

    @property
    def branch(self) -> str | None:
        """The transaction branch, or None."""
        return get_param(self.params, "branch")

    @property
    def has_rfc3261_branch(self) -> bool:
        """Whether the branch carries the magic cookie and something after it (§17.2.3)."""
        branch = self.branch
        return branch is not None and branch.startswith(BRANCH_COOKIE) and len(branch) > 7

    @property
    def received(self) -> str | None:
        """The ``received`` address without IPv6 brackets (both forms, RFC 5118 §4.5)."""
        value = get_param(self.params, "received")
        if value and value.startswith("[") and value.endswith("]"):
            return value[1:-1]
        return value

    @property
    def rport(self) -> int | None:
        """The ``rport`` value when filled in by a server (RFC 3581)."""
        value = get_param(self.params, "rport")
        return int(value) if value and value.isdigit() else None

    @property
    def wants_rport(self) -> bool:
        """Whether the client asked for symmetric response routing (RFC 3581 §3)."""
        return has_param(self.params, "rport")

    @property
    def maddr(self) -> str | None:
        """The ``maddr`` parameter."""
        return get_param(self.params, "maddr")

    @property
    def sent_by(self) -> str:
        """``host[:port]`` as written in the Via."""
        return format_host(self.host, self.port)

    @property
    def is_reliable(self) -> bool:
        """Whether the transport is reliable (no retransmission timers, §17)."""
        return self.transport.upper() not in ("UDP", "DTLS")

    def with_param(self, name: str, value: str | None) -> Via:
        """Copy with ``name`` set (e.g. ``received`` or ``rport``)."""
        return replace(self, params=with_param(self.params, name, value))

    def serialize(self) -> str:
        """The header value text."""
        return (
            f"{self.protocol}/{self.version}/{self.transport} {self.sent_by}"
            f"{format_params(self.params)}"
        )

    @classmethod
    def parse(cls, value: str) -> Via:
        """Parse one Via value (no commas), tolerating LWS around ``/`` and ``;``."""
        parts = value.split("/", 2)
        if len(parts) != 3:
            raise SipParseError(f"malformed Via {value!r}")
        protocol = parts[0].strip()
        version = parts[1].strip()
        rest = parts[2].lstrip()
        pieces = rest.split(None, 1)
        transport = pieces[0] if pieces else ""
        rest = pieces[1] if len(pieces) > 1 else ""
        if not (is_token(protocol) and is_token(version) and is_token(transport)):
            raise SipParseError(f"malformed Via sent-protocol in {value!r}")
        end = rest.find("]") + 1 if rest.startswith("[") else 0
        if rest.startswith("[") and end == 0:
            raise SipParseError(f"unterminated IPv6 reference in Via {value!r}")
        while end < len(rest) and rest[end] not in "; \t":
            end += 1
        sent_by = rest[:end]
        if not sent_by:
            raise SipParseError(f"Via without sent-by in {value!r}")
        host_uri = parse_sip_uri(sent_by, "sip", value)
        if host_uri.user is not None or host_uri.params or host_uri.headers:
            raise SipParseError(f"malformed Via sent-by {sent_by!r}")
        params = parse_params(rest, end)
        return cls(
            transport=transport,
            host=host_uri.host,
            port=host_uri.port,
            params=params,
            protocol=protocol,
            version=version,
        )


@dataclass(frozen=True, slots=True)
class NameAddress:
    """``[display-name] <URI> ;params`` as used by From, To, Contact, Route, Record-Route."""

    uri: Uri
    display_name: str | None = None
    params: Params = ()

    @property
    def tag(self) -> str | None:
        """The dialog tag (From/To)."""
        return get_param(self.params, "tag")

    @property
    def expires(self) -> int | None:
        """A Contact's ``expires`` in seconds, or None when absent or not a number."""
        value = get_param(self.params, "expires")
        return int(value) if value and value.isdigit() and value.isascii() else None

    @property
    def q(self) -> float | None:
        """A Contact's ``q`` preference (0 to 1), or None when absent or malformed."""
        value = get_param(self.params, "q")
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            return None
        return number if 0.0 <= number <= 1.0 else None

    @property
    def sip_uri(self) -> SipUri:
        """The URI when it is a SIP/SIPS URI; raises SipParseError otherwise."""
        if not isinstance(self.uri, SipUri):
            raise SipParseError(f"{self.uri.serialize()!r} is not a SIP URI")
        return self.uri

    def param(self, name: str) -> str | None:
        """Header parameter ``name``; ``""`` when present without a value."""
        return get_param(self.params, name)

    def with_param(self, name: str, value: str | None) -> NameAddress:
        """Copy with header parameter ``name`` set (e.g. adding a To tag)."""
        return replace(self, params=with_param(self.params, name, value))

    def serialize(self) -> str:
        """The header value text, always in name-addr form."""
        uri = self.uri.serialize()
        text = f"<{uri}>" if self.display_name is None else f"{quote(self.display_name)} <{uri}>"
        return text + format_params(self.params) if self.params else text

    @classmethod
    def parse(cls, value: str) -> NameAddress:
        """Parse name-addr or addr-spec; an unquoted display name with non-token
        characters and spaces inside ``<>`` are accepted (RFC 4475 §3.1.2.14-15)."""
        text = value.strip()
        display: str | None = None
        if text.startswith('"'):
            display, index = read_quoted(text, 0)
            lt = text.find("<", index)
            if lt < 0 or text[index:lt].strip():
                raise SipParseError(f"expected '<' after display name in {value!r}")
        else:
            lt = text.find("<")
            if lt >= 0:
                display = " ".join(text[:lt].split()) or None
        if lt >= 0:
            gt = text.find(">", lt)
            if gt < 0:
                raise SipParseError(f"missing '>' in {value!r}")
            uri = parse_uri(text[lt + 1 : gt].strip())
            params = parse_params(text, gt + 1)
            return cls(uri=uri, display_name=display, params=params)
        semi = text.find(";")
        uri_text = (text if semi < 0 else text[:semi]).rstrip()
        if any(char in uri_text for char in "?, \t"):
            raise SipParseError(f"a URI with '?', ',' or spaces must be enclosed in <>: {value!r}")
        uri = parse_uri(uri_text)
        params = parse_params(text, semi) if semi >= 0 else ()
        return cls(uri=uri, params=params)


@dataclass(frozen=True, slots=True)
class CSeq:
    """Sequence number and method of a request (§20.16)."""

    number: int
    method: str

    def serialize(self) -> str:
        """The header value text."""
        return f"{self.number} {self.method}"

    @classmethod
    def parse(cls, value: str) -> CSeq:
        """Parse ``number method``; leading zeros and folded LWS are fine, values over
        2**32-1 are not (RFC 4475 §3.1.2.4)."""
        parts = value.split()
        if len(parts) != 2 or not parts[0].isdigit() or not parts[0].isascii():
            raise SipParseError(f"malformed CSeq {value!r}")
        number = int(parts[0])
        if number > MAX_UINT32:
            raise SipParseError(f"CSeq number {parts[0]} exceeds 2**32-1")
        if not is_token(parts[1]):
            raise SipParseError(f"malformed CSeq method {parts[1]!r}")
        return cls(number, parts[1])


@dataclass(frozen=True, slots=True)
class AuthHeader:
    """A challenge or credentials header: scheme plus ``name=value`` parameters, with
    values kept as written (quoted or not) so they round-trip."""

    scheme: str
    params: tuple[tuple[str, str], ...] = ()

    def get(self, name: str) -> str | None:
        """Unquoted value of parameter ``name`` (case-insensitive)."""
        lowered = name.lower()
        for key, value in self.params:
            if key.lower() == lowered:
                return unquote_param(value)
        return None

    def serialize(self) -> str:
        """The header value text."""
        if not self.params:
            return self.scheme
        return f"{self.scheme} " + ", ".join(f"{key}={value}" for key, value in self.params)

    @classmethod
    def parse(cls, value: str) -> AuthHeader:
        """Parse ``scheme name=value, name="quoted"``."""
        text = value.strip()
        scheme, _, rest = text.partition(" ")
        if not is_token(scheme):
            raise SipParseError(f"malformed authentication scheme in {value!r}")
        params: list[tuple[str, str]] = []
        for item in split_commas(rest):
            key, equal, raw = item.partition("=")
            key = key.strip()
            raw = raw.strip()
            if not equal or not is_token(key) or not raw:
                raise SipParseError(f"malformed authentication parameter {item!r}")
            if raw.startswith('"'):
                _, end = read_quoted(raw, 0)
                if end != len(raw):
                    raise SipParseError(f"junk after quoted value in {item!r}")
            params.append((key, raw))
        return cls(scheme=scheme, params=tuple(params))


def parse_name_addresses(value: str) -> list[NameAddress]:
    """Parse a comma-separated list of name-addr values (Contact, Route, Record-Route)."""
    return [NameAddress.parse(part) for part in split_commas(value)]


def parse_vias(value: str) -> list[Via]:
    """Parse a comma-separated Via header value."""
    vias = [Via.parse(part) for part in split_commas(value)]
    if not vias:
        raise SipParseError("empty Via header")
    return vias
