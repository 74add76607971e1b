"""SIP and SIPS URIs (RFC 3261 §19.1) with IPv6 references (RFC 5118), plus opaque
absolute URIs for the other schemes (tel:, http:, ...) that may appear in headers."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, replace

from telephonist.sip.errors import SipParseError
from telephonist.sip.grammar import (
    Params,
    chars,
    escape,
    format_params,
    get_param,
    unescape,
    with_param,
    without_param,
)

_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_UNRESERVED = _ALNUM + "-_.!~*'()"
_USER_CHARS = chars(_UNRESERVED, "&=+$,;?/")
_PASSWORD_CHARS = chars(_UNRESERVED, "&=+$,")
_HOST_RE = re.compile(r"[A-Za-z0-9\-._]+")
_PARAM_RE = re.compile(r"[A-Za-z0-9\-_.!~*'()\[\]/:&+$%]*")
_FORBIDDEN_RE = re.compile(r'[\s<>"]')
_SIMPLE_RE = re.compile(
    r"(?:([A-Za-z0-9\-_.!~*'()&=+$,%]+)@)?([A-Za-z0-9\-._]+)(?::([0-9]+))?"
    r"((?:;[A-Za-z0-9\-_.!~*'()\[\]/:&+$%=]+)*)"
)
"""The common case (no password, URI headers or IPv6), parsed in one step."""
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*")
_NO_DEFAULT_MATCH = ("user", "ttl", "method", "maddr")


@dataclass(frozen=True, slots=True)
class SipUri:
    """A ``sip:`` or ``sips:`` URI. ``user`` and ``password`` are unescaped; ``host`` is
    lower-cased as received and has no brackets for IPv6; params/headers keep their text."""

    host: str
    user: str | None = None
    password: str | None = None
    port: int | None = None
    params: Params = ()
    headers: tuple[tuple[str, str], ...] = ()
    scheme: str = "sip"

    @property
    def is_ipv6(self) -> bool:
        """Whether the host is an IPv6 address (written as a bracketed reference)."""
        return ":" in self.host

    @property
    def host_reference(self) -> str:
        """The host as written in a URI or Via: IPv6 addresses in brackets (RFC 5118)."""
        return f"[{self.host}]" if self.is_ipv6 else self.host

    @property
    def host_port(self) -> str:
        """``host[:port]`` as written in a URI."""
        if self.port is None:
            return self.host_reference
        return f"{self.host_reference}:{self.port}"

    @property
    def transport(self) -> str | None:
        """The ``transport`` parameter, lower-cased (parameter values are case-insensitive)."""
        value = get_param(self.params, "transport")
        return value.lower() if value is not None else None

    def param(self, name: str) -> str | None:
        """Value of URI parameter ``name``; ``""`` when present without a value."""
        return get_param(self.params, name)

    def with_param(self, name: str, value: str | None) -> SipUri:
        """Copy with URI parameter ``name`` set."""
        return replace(self, params=with_param(self.params, name, value))

    def without_param(self, name: str) -> SipUri:
        """Copy without URI parameter ``name``."""
        return replace(self, params=without_param(self.params, name))

    def without_headers(self) -> SipUri:
        """Copy without ``?headers`` (they are not allowed in a Request-URI, §19.1.5)."""
        return replace(self, headers=())

    def header(self, name: str) -> str | None:
        """Unescaped value of URI header ``name`` (e.g. ``Route`` or ``Replaces``)."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return unescape(value)
        return None

    def serialize(self) -> str:
        """The URI text."""
        parts = [self.scheme, ":"]
        if self.user is not None:
            parts.append(escape(self.user, _USER_CHARS))
            if self.password is not None:
                parts.append(":")
                parts.append(escape(self.password, _PASSWORD_CHARS))
            parts.append("@")
        parts.append(self.host_port)
        if self.params:
            parts.append(format_params(self.params))
        if self.headers:
            parts.append("?")
            parts.append("&".join(f"{name}={value}" for name, value in self.headers))
        return "".join(parts)

    def __str__(self) -> str:
        return self.serialize()

    def equivalent(self, other: object) -> bool:
        """URI comparison per RFC 3261 §19.1.4 (not plain equality of the text)."""
        if not isinstance(other, SipUri):
            return False
        if self.scheme.lower() != other.scheme.lower():
            return False
        if self.user != other.user or self.password != other.password:
            return False
        if self.host.lower() != other.host.lower() or self.port != other.port:
            return False
        mine = _normalised_params(self.params)
        theirs = _normalised_params(other.params)
        for name in _NO_DEFAULT_MATCH:
            if (name in mine) != (name in theirs):
                return False
        for name in mine.keys() & theirs.keys():
            if mine[name] != theirs[name]:
                return False
        return _normalised_headers(self.headers) == _normalised_headers(other.headers)


@dataclass(frozen=True, slots=True)
class AbsoluteUri:
    """A URI of a scheme the SIP core does not interpret (``tel:``, ``http:``, ...)."""

    scheme: str
    opaque: str

    def serialize(self) -> str:
        """The URI text."""
        return f"{self.scheme}:{self.opaque}"

    def __str__(self) -> str:
        return self.serialize()

    def equivalent(self, other: object) -> bool:
        """Case-insensitive scheme, exact remainder (RFC 3986 simple comparison)."""
        return (
            isinstance(other, AbsoluteUri)
            and self.scheme.lower() == other.scheme.lower()
            and self.opaque == other.opaque
        )


Uri = SipUri | AbsoluteUri


def _normalised_params(params: Params) -> dict[str, str | None]:
    return {
        name.lower(): unescape(value).lower() if value is not None else None
        for name, value in params
    }


def _normalised_headers(headers: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {name.lower(): unescape(value) for name, value in headers}


def parse_uri(text: str) -> Uri:
    """Parse a URI; ``sip``/``sips`` are fully parsed, other schemes kept opaque."""
    scheme, colon, rest = text.partition(":")
    if not colon or _SCHEME_RE.fullmatch(scheme) is None:
        raise SipParseError(f"not a URI: {text!r}")
    lowered = scheme.lower()
    if lowered in ("sip", "sips"):
        return parse_sip_uri(rest, lowered, text)
    if not rest or any(char in rest for char in ' \t\r\n<>"'):
        raise SipParseError(f"malformed {scheme}: URI {text!r}")
    return AbsoluteUri(scheme, rest)


def parse_sip_uri(rest: str, scheme: str, text: str) -> SipUri:
    """Parse the part of a SIP URI after ``sip:``; ``text`` is used in error messages."""
    simple = _SIMPLE_RE.fullmatch(rest)
    if simple is not None:
        user_text, host, port_text, param_text = simple.groups()
        return SipUri(
            host=host.lower(),
            user=unescape(user_text) if user_text is not None else None,
            port=_port(port_text, text) if port_text is not None else None,
            params=_uri_params(param_text, text) if param_text else (),
            scheme=scheme,
        )
    if not rest or _FORBIDDEN_RE.search(rest):
        raise SipParseError(f"malformed SIP URI {text!r}")
    user: str | None = None
    password: str | None = None
    at = rest.find("@")
    if at >= 0:
        userinfo = rest[:at]
        rest = rest[at + 1 :]
        raw_user, colon, raw_password = userinfo.partition(":")
        if not raw_user:
            raise SipParseError(f"empty user part in SIP URI {text!r}")
        user = unescape(raw_user)
        password = unescape(raw_password) if colon else None
    if rest.startswith("["):
        close = rest.find("]")
        if close < 0:
            raise SipParseError(f"unterminated IPv6 reference in {text!r}")
        host = _ipv6(rest[1:close], text)
        rest = rest[close + 1 :]
        port_text, tail_index = _port_and_tail(rest, text)
    else:
        end = _first_of(rest, ";?")
        hostport = rest[:end]
        rest = rest[end:]
        host_text, colon, port_part = hostport.partition(":")
        host = _hostname(host_text, text)
        port_text = port_part if colon else None
        if colon and not port_part:
            raise SipParseError(f"empty port in SIP URI {text!r}")
        tail_index = 0
    port = _port(port_text, text) if port_text is not None else None
    rest = rest[tail_index:]
    params: Params = ()
    headers: tuple[tuple[str, str], ...] = ()
    query = rest.find("?")
    param_text = rest if query < 0 else rest[:query]
    if param_text:
        params = _uri_params(param_text, text)
    if query >= 0:
        headers = _uri_headers(rest[query + 1 :], text)
    return SipUri(
        host=host,
        user=user,
        password=password,
        port=port,
        params=params,
        headers=headers,
        scheme=scheme,
    )


def _first_of(text: str, stops: str) -> int:
    best = len(text)
    for stop in stops:
        index = text.find(stop)
        if 0 <= index < best:
            best = index
    return best


def _port_and_tail(rest: str, text: str) -> tuple[str | None, int]:
    if rest.startswith(":"):
        end = _first_of(rest, ";?")
        port = rest[1:end]
        if not port:
            raise SipParseError(f"empty port in SIP URI {text!r}")
        return port, end
    if rest and rest[0] not in ";?":
        raise SipParseError(f"unexpected {rest[0]!r} after IPv6 reference in {text!r}")
    return None, 0


def _ipv6(address: str, text: str) -> str:
    try:
        ipaddress.IPv6Address(address)
    except ValueError:
        raise SipParseError(f"invalid IPv6 reference [{address}] in {text!r}") from None
    return address.lower()


def _hostname(host: str, text: str) -> str:
    if not host:
        raise SipParseError(f"missing host in {text!r}")
    if _HOST_RE.fullmatch(host) is None:
        raise SipParseError(f"invalid host {host!r} in {text!r}")
    return host.lower()


def _port(port: str, text: str) -> int:
    if not port.isdigit() or not port.isascii() or len(port) > 5 or int(port) > 65535:
        raise SipParseError(f"invalid port {port!r} in {text!r}")
    return int(port)


def _uri_params(param_text: str, text: str) -> Params:
    params: list[tuple[str, str | None]] = []
    for chunk in param_text.split(";")[1:]:
        name, equal, value = chunk.partition("=")
        if not name or _PARAM_RE.fullmatch(name) is None:
            raise SipParseError(f"bad URI parameter {chunk!r} in {text!r}")
        if equal and _PARAM_RE.fullmatch(value) is None:
            raise SipParseError(f"bad URI parameter value {chunk!r} in {text!r}")
        params.append((name, value if equal else None))
    if param_text and not param_text.startswith(";"):
        raise SipParseError(f"unexpected {param_text[0]!r} in SIP URI {text!r}")
    return tuple(params)


def _uri_headers(header_text: str, text: str) -> tuple[tuple[str, str], ...]:
    headers: list[tuple[str, str]] = []
    for chunk in header_text.split("&"):
        name, equal, value = chunk.partition("=")
        if not name or not equal:
            raise SipParseError(f"bad URI header {chunk!r} in {text!r}")
        headers.append((name, value))
    return tuple(headers)


def format_host(host: str, port: int | None = None) -> str:
    """``host[:port]`` with IPv6 addresses bracketed (RFC 5118 §4.5)."""
    reference = f"[{host}]" if ":" in host else host
    return reference if port is None else f"{reference}:{port}"


__all__ = [
    "AbsoluteUri",
    "SipUri",
    "Uri",
    "format_host",
    "parse_uri",
]
