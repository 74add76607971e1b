"""Shared RFC 3261 §25 lexical rules: tokens, quoted strings, parameters, list splitting.

Hand-written string scanning rather than one big regex: the grammar needs stateful
scanning (quotes, angle brackets, escapes) and this runs for every message we receive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from telephonist.sip.errors import SipParseError

Params = tuple[tuple[str, str | None], ...]
"""Ordered ``;name=value`` parameters; ``None`` is a parameter without a value."""

_TOKEN_RE = re.compile(r"[A-Za-z0-9\-.!%*_+`'~]+")
_WS = " \t"


def is_token(text: str) -> bool:
    """Whether ``text`` matches RFC 3261 ``token``."""
    return _TOKEN_RE.fullmatch(text) is not None


def split_commas(value: str) -> list[str]:
    """Split a header value on top-level commas, ignoring commas inside quoted strings
    and angle brackets; empty elements are dropped (RFC 7230-style ``#rule`` leniency)."""
    if "," not in value:
        stripped = value.strip()
        return [stripped] if stripped else []
    parts: list[str] = []
    start = 0
    in_quotes = False
    in_angle = False
    index = 0
    length = len(value)
    while index < length:
        char = value[index]
        if in_quotes:
            if char == "\\":
                index += 1
            elif char == '"':
                in_quotes = False
        elif char == '"':
            in_quotes = True
        elif char == "<":
            in_angle = True
        elif char == ">":
            in_angle = False
        elif char == "," and not in_angle:
            part = value[start:index].strip()
            if part:
                parts.append(part)
            start = index + 1
        index += 1
    if in_quotes:
        raise SipParseError(f"unterminated quoted string in {value!r}")
    part = value[start:].strip()
    if part:
        parts.append(part)
    return parts


def read_quoted(text: str, start: int) -> tuple[str, int]:
    """Read the quoted string whose opening quote is at ``start``; return the unescaped
    content and the index just past the closing quote."""
    end = text.find('"', start + 1)
    if end < 0:
        raise SipParseError(f"unterminated quoted string in {text!r}")
    chunk = text[start + 1 : end]
    if "\\" not in chunk:
        return chunk, end + 1
    out: list[str] = []
    index = start + 1
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\\":
            if index + 1 >= length:
                break
            out.append(text[index + 1])
            index += 2
            continue
        if char == '"':
            return "".join(out), index + 1
        out.append(char)
        index += 1
    raise SipParseError(f"unterminated quoted string in {text!r}")


def quote(text: str) -> str:
    """Render ``text`` as a quoted string, escaping backslash and double quote."""
    if "\\" in text or '"' in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def parse_params(text: str, start: int = 0) -> Params:
    """Parse ``*( SEMI generic-param )`` from ``text[start:]``, tolerating LWS around
    ``;`` and ``=`` (RFC 3261 §25.1 SEMI/EQUAL) and quoted values."""
    params: list[tuple[str, str | None]] = []
    index = start
    length = len(text)
    while index < length:
        while index < length and text[index] in _WS:
            index += 1
        if index >= length:
            break
        if text[index] != ";":
            raise SipParseError(f"expected ';' before parameter in {text!r}")
        index += 1
        while index < length and text[index] in _WS:
            index += 1
        name_start = index
        while index < length and text[index] not in "=; \t":
            index += 1
        name = text[name_start:index]
        if not name or not is_token(name):
            raise SipParseError(f"bad parameter name {name!r} in {text!r}")
        while index < length and text[index] in _WS:
            index += 1
        value: str | None = None
        if index < length and text[index] == "=":
            index += 1
            while index < length and text[index] in _WS:
                index += 1
            if index < length and text[index] == '"':
                raw_end = _quoted_end(text, index)
                value = text[index:raw_end]
                index = raw_end
            else:
                value_start = index
                while index < length and text[index] not in "; \t":
                    index += 1
                value = text[value_start:index]
                if not value:
                    raise SipParseError(f"parameter {name!r} has '=' but no value in {text!r}")
        params.append((name, value))
    return tuple(params)


def _quoted_end(text: str, start: int) -> int:
    index = start + 1
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"':
            return index + 1
        index += 1
    raise SipParseError(f"unterminated quoted string in {text!r}")


def format_params(params: Params) -> str:
    """Render parameters as ``;name=value`` text."""
    return "".join(f";{name}" if value is None else f";{name}={value}" for name, value in params)


def get_param(params: Params, name: str) -> str | None:
    """Value of parameter ``name`` (case-insensitive); ``""`` for a valueless one."""
    lowered = name.lower()
    for key, value in params:
        if key.lower() == lowered:
            return "" if value is None else value
    return None


def has_param(params: Params, name: str) -> bool:
    """Whether parameter ``name`` is present (case-insensitive)."""
    lowered = name.lower()
    return any(key.lower() == lowered for key, _ in params)


def with_param(params: Params, name: str, value: str | None) -> Params:
    """Copy of ``params`` with ``name`` set (replacing in place, or appended)."""
    lowered = name.lower()
    replaced = False
    out: list[tuple[str, str | None]] = []
    for key, old in params:
        if key.lower() == lowered:
            if not replaced:
                out.append((key, value))
                replaced = True
            continue
        out.append((key, old))
    if not replaced:
        out.append((name, value))
    return tuple(out)


def without_param(params: Params, name: str) -> Params:
    """Copy of ``params`` without ``name``."""
    lowered = name.lower()
    return tuple((key, value) for key, value in params if key.lower() != lowered)


def unquote_param(value: str) -> str:
    """The content of a possibly quoted parameter value."""
    if value.startswith('"'):
        content, _ = read_quoted(value, 0)
        return content
    return value


_HEX = "0123456789abcdefABCDEF"


def unescape(text: str) -> str:
    """Decode ``%HH`` escapes (RFC 3261 §19.1.2); a stray ``%`` is kept as is."""
    if "%" not in text:
        return text
    raw = bytearray()
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "%" and _is_hex_pair(text, index + 1):
            raw.append(int(text[index + 1 : index + 3], 16))
            index += 3
            continue
        raw.extend(char.encode("utf-8", "surrogateescape"))
        index += 1
    return raw.decode("utf-8", "surrogateescape")


def _is_hex_pair(text: str, index: int) -> bool:
    return index + 1 < len(text) and text[index] in _HEX and text[index + 1] in _HEX


def escape(text: str, allowed: frozenset[str]) -> str:
    """Percent-encode every character of ``text`` not in ``allowed``."""
    if all(char in allowed for char in text):
        return text
    out: list[str] = []
    for char in text:
        if char in allowed:
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogateescape"))
    return "".join(out)


def chars(*groups: Iterable[str]) -> frozenset[str]:
    """A character set built from strings, for :func:`escape`."""
    return frozenset(char for group in groups for char in group)
