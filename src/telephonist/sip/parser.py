"""Parsing SIP messages from datagrams (RFC 3261 §18.3 Content-Length rules) and framing
them out of stream transports (TCP/TLS: Content-Length framing, CRLF keep-alives of
RFC 5626 §3.5.1). Every malformed input raises :class:`SipParseError`, nothing else."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telephonist.sip.errors import SipParseError
from telephonist.sip.grammar import is_token
from telephonist.sip.message import (
    CANONICAL_NAMES,
    Headers,
    SipRequest,
    SipResponse,
    header_key,
)
from telephonist.sip.uri import parse_uri

_VERSION_RE = re.compile(r"[Ss][Ii][Pp]/[0-9]+\.[0-9]+")
_HEADER_NAME_RE = re.compile(r"[A-Za-z0-9\-.!%*_+`'~]+")

MAX_HEADER_BYTES = 32 * 1024
"""Largest header section the stream framer buffers before giving up on a peer."""


def parse_message(data: bytes) -> SipRequest | SipResponse:
    """Parse one SIP message received as a datagram.

    A Content-Length larger than the body is an error; extra octets after the declared
    body are ignored (§18.3); without Content-Length the body runs to the end.
    """
    try:
        start = _skip_leading_crlf(data)
        end, separator = _head_end(data, start)
        if end < 0:
            if not data.endswith(b"\n"):
                raise SipParseError("missing empty line after the header section")
            # RFC 4475 §3.1.2.15 ends without the empty line; a datagram still ends there.
            end, separator = len(data), 0
        first_line, headers, is_request = _split_head(data[start:end])
        body = data[end + separator :]
        message = _build(first_line, headers, is_request)
        declared = message.content_length
        if declared is not None:
            if declared > len(body):
                raise SipParseError(
                    f"Content-Length {declared} exceeds body of {len(body)} bytes",
                    headers=headers,
                    is_request=is_request,
                )
            body = body[:declared]
        message.body = body
        return message
    except SipParseError:
        raise
    except (ValueError, IndexError, KeyError, UnicodeError, OverflowError) as exc:
        raise SipParseError(f"malformed message: {exc}") from exc


def _skip_leading_crlf(data: bytes | bytearray) -> int:
    start = 0
    while data[start : start + 2] == b"\r\n" or data[start : start + 1] == b"\n":
        start += 2 if data[start : start + 1] == b"\r" else 1
    return start


def _head_end(data: bytes | bytearray, start: int) -> tuple[int, int]:
    end = data.find(b"\r\n\r\n", start)
    if end >= 0:
        lf_end = data.find(b"\n\n", start, end)
        return (lf_end, 2) if lf_end >= 0 else (end, 4)
    end = data.find(b"\n\n", start)
    return end, 2


def _split_head(raw: bytes | bytearray) -> tuple[str, Headers, bool]:
    text = raw.decode("utf-8", "surrogateescape")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            raise SipParseError("bare CR in header section")
    lines = text.split("\n")
    first_line = lines[0]
    is_request = not first_line.startswith("SIP/")
    items: list[tuple[str, str, str]] = []
    headers = Headers.from_parsed(items)
    key = name = value = ""
    for line in lines[1:]:
        if not line:
            continue
        if line[:1] in (" ", "\t"):
            if not key:
                raise SipParseError(
                    "continuation line before any header", headers=headers, is_request=is_request
                )
            folded = line.strip(" \t")
            value = f"{value} {folded}" if value else folded
            continue
        if key:
            items.append((key, name, value))
        raw_name, colon, raw_value = line.partition(":")
        name = raw_name.rstrip(" \t")
        if not colon or _HEADER_NAME_RE.fullmatch(name) is None:
            raise SipParseError(
                f"malformed header line {line[:60]!r}", headers=headers, is_request=is_request
            )
        key = header_key(name)
        name = CANONICAL_NAMES.get(key, name)
        value = raw_value.strip(" \t")
    if key:
        items.append((key, name, value))
    return first_line, headers, is_request


def _build(first_line: str, headers: Headers, is_request: bool) -> SipRequest | SipResponse:
    try:
        message: SipRequest | SipResponse
        message = _request(first_line, headers) if is_request else _response(first_line, headers)
        message.validate_core_headers()
    except SipParseError as exc:
        if exc.headers is not None:
            raise
        raise SipParseError(str(exc), headers=headers, is_request=is_request) from exc
    return message


def _request(line: str, headers: Headers) -> SipRequest:
    parts = line.split(" ")
    if len(parts) != 3 or not all(parts):
        raise SipParseError(f"malformed Request-Line {line[:80]!r}")
    method, uri_text, version = parts
    if not is_token(method):
        raise SipParseError(f"malformed method {method!r}")
    if _VERSION_RE.fullmatch(version) is None:
        raise SipParseError(f"malformed SIP-Version {version!r}")
    return SipRequest(method=method, uri=parse_uri(uri_text), version=version, headers=headers)


def _response(line: str, headers: Headers) -> SipResponse:
    parts = line.split(" ", 2)
    if len(parts) < 2 or _VERSION_RE.fullmatch(parts[0]) is None:
        raise SipParseError(f"malformed Status-Line {line[:80]!r}")
    code = parts[1]
    if len(code) != 3 or not code.isdigit() or not code.isascii() or not "1" <= code[0] <= "6":
        raise SipParseError(f"malformed status code {code[:20]!r}")
    reason = parts[2] if len(parts) == 3 else ""
    return SipResponse(status=int(code), reason=reason, version=parts[0], headers=headers)


@dataclass(frozen=True, slots=True)
class KeepAlive:
    """A double-CRLF keep-alive ping on a stream (RFC 5626 §3.5.1); answer with CRLF."""


class StreamFramer:
    """Cuts SIP messages out of a TCP/TLS byte stream using Content-Length (§18.3).

    Feed it bytes as they arrive; it returns whole messages and keep-alives. After a
    SipParseError the stream cannot be resynchronised: close the connection.
    """

    def __init__(self, max_message_bytes: int = 64 * 1024) -> None:
        self._buffer = bytearray()
        self._max = max_message_bytes
        self._broken: SipParseError | None = None

    def feed(self, data: bytes) -> list[SipRequest | SipResponse | KeepAlive]:
        """Add received bytes; return every message (and keep-alive) now complete."""
        if self._broken is not None:
            raise self._broken
        self._buffer += data
        out: list[SipRequest | SipResponse | KeepAlive] = []
        try:
            while self._next(out):
                pass
        except SipParseError as exc:
            self._broken = exc
            raise
        except (ValueError, IndexError, KeyError, UnicodeError, OverflowError) as exc:
            self._broken = SipParseError(f"malformed message: {exc}")
            raise self._broken from exc
        return out

    def _next(self, out: list[SipRequest | SipResponse | KeepAlive]) -> bool:
        buffer = self._buffer
        if buffer[:2] == b"\r\n":
            if buffer[:4] == b"\r\n\r\n":
                out.append(KeepAlive())
                del buffer[:4]
                return True
            if len(buffer) < 4 and b"\r\n\r\n".startswith(bytes(buffer)):
                return False
            del buffer[:2]
            return True
        end, separator = _head_end(buffer, 0)
        if end < 0:
            if len(buffer) > min(self._max, MAX_HEADER_BYTES):
                raise SipParseError("header section too large or unterminated")
            return False
        first_line, headers, is_request = _split_head(buffer[:end])
        message = _build(first_line, headers, is_request)
        length = message.content_length or 0
        total = end + separator + length
        if total > self._max:
            raise SipParseError(f"message of {total} bytes exceeds limit of {self._max}")
        if len(buffer) < total:
            return False
        message.body = bytes(buffer[end + separator : total])
        del buffer[:total]
        out.append(message)
        return True


__all__ = ["KeepAlive", "StreamFramer", "parse_message"]
