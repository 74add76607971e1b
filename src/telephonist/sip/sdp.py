"""SDP session descriptions (RFC 4566): parse and serialize, keeping every line we do
not interpret so that re-serializing loses nothing."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from telephonist.sip.errors import SdpParseError

DIRECTIONS = ("sendrecv", "sendonly", "recvonly", "inactive")


@dataclass(slots=True)
class Connection:
    """``c=`` line: network type, address type (IP4/IP6) and address."""

    address: str
    address_type: str = "IP4"
    network: str = "IN"

    @property
    def is_null(self) -> bool:
        """``c=IN IP4 0.0.0.0``: the RFC 2543 way of putting a call on hold."""
        try:
            return ipaddress.ip_address(self.address).is_unspecified
        except ValueError:
            return False

    def serialize(self) -> str:
        """The value after ``c=``."""
        return f"{self.network} {self.address_type} {self.address}"

    @classmethod
    def parse(cls, value: str) -> Connection:
        """Parse the value after ``c=``."""
        parts = value.split()
        if len(parts) != 3:
            raise SdpParseError(f"malformed c= line {value!r}")
        return cls(address=parts[2], address_type=parts[1], network=parts[0])


@dataclass(slots=True)
class Origin:
    """``o=`` line; ``session_version`` must grow with every changed offer (RFC 3264 §8)."""

    username: str
    session_id: str
    session_version: int
    address: str
    address_type: str = "IP4"
    network: str = "IN"

    def serialize(self) -> str:
        """The value after ``o=``."""
        return (
            f"{self.username} {self.session_id} {self.session_version} "
            f"{self.network} {self.address_type} {self.address}"
        )

    @classmethod
    def parse(cls, value: str) -> Origin:
        """Parse the value after ``o=``."""
        parts = value.split()
        if len(parts) != 6 or not parts[2].isdigit():
            raise SdpParseError(f"malformed o= line {value!r}")
        return cls(parts[0], parts[1], int(parts[2]), parts[5], parts[4], parts[3])


@dataclass(slots=True)
class MediaDescription:
    """One ``m=`` section with its own lines."""

    media: str
    port: int
    proto: str
    formats: list[str]
    port_count: int | None = None
    connection: Connection | None = None
    attributes: list[tuple[str, str | None]] = field(default_factory=list)
    other_lines: list[tuple[str, str]] = field(default_factory=list)
    """``i=``, ``b=``, ``k=`` lines, kept in order."""

    @property
    def direction(self) -> str:
        """The direction attribute, ``sendrecv`` when absent (RFC 4566 §6)."""
        for name, _ in self.attributes:
            if name in DIRECTIONS:
                return name
        return "sendrecv"

    def attribute(self, name: str) -> str | None:
        """The value of the first ``a=name:value`` (``""`` for a flag), or None."""
        for key, value in self.attributes:
            if key == name:
                return value if value is not None else ""
        return None

    def rtpmap(self) -> dict[str, tuple[str, int, int]]:
        """Payload type -> (encoding name, clock rate, channels) from ``a=rtpmap``."""
        mapping: dict[str, tuple[str, int, int]] = {}
        for key, value in self.attributes:
            if key != "rtpmap" or not value:
                continue
            payload, _, spec = value.partition(" ")
            pieces = spec.strip().split("/")
            if len(pieces) >= 2 and pieces[1].isdigit():
                channels = int(pieces[2]) if len(pieces) > 2 and pieces[2].isdigit() else 1
                mapping[payload] = (pieces[0], int(pieces[1]), channels)
        return mapping

    def fmtp(self, payload_type: str) -> str | None:
        """The ``a=fmtp`` parameters of ``payload_type``."""
        for key, value in self.attributes:
            if key == "fmtp" and value:
                payload, _, params = value.partition(" ")
                if payload == payload_type:
                    return params.strip()
        return None

    def serialize_lines(self) -> list[str]:
        """The ``m=`` line and the lines that follow it."""
        port = f"{self.port}/{self.port_count}" if self.port_count is not None else str(self.port)
        lines = [f"m={self.media} {port} {self.proto} {' '.join(self.formats)}"]
        lines.extend(f"{kind}={value}" for kind, value in self.other_lines if kind == "i")
        if self.connection is not None:
            lines.append(f"c={self.connection.serialize()}")
        lines.extend(f"{kind}={value}" for kind, value in self.other_lines if kind != "i")
        lines.extend(_attribute_line(name, value) for name, value in self.attributes)
        return lines


@dataclass(slots=True)
class SessionDescription:
    """A whole SDP body."""

    origin: Origin
    session_name: str = "-"
    connection: Connection | None = None
    times: list[str] = field(default_factory=lambda: ["0 0"])
    attributes: list[tuple[str, str | None]] = field(default_factory=list)
    other_lines: list[tuple[str, str]] = field(default_factory=list)
    """Session-level ``i= u= e= p= b= r= z= k=`` lines, kept in order."""
    media: list[MediaDescription] = field(default_factory=list)

    def connection_for(self, media: MediaDescription) -> Connection | None:
        """The media-level ``c=`` line, else the session-level one."""
        return media.connection or self.connection

    def serialize(self) -> bytes:
        """The SDP body, CRLF-terminated lines in RFC 4566 §5 order."""
        lines = ["v=0", f"o={self.origin.serialize()}", f"s={self.session_name}"]
        lines.extend(f"{k}={v}" for k, v in self.other_lines if k in "iuep")
        if self.connection is not None:
            lines.append(f"c={self.connection.serialize()}")
        lines.extend(f"{k}={v}" for k, v in self.other_lines if k == "b")
        for time in self.times:
            lines.append(f"t={time}")
            lines.extend(f"{k}={v}" for k, v in self.other_lines if k == "r")
        lines.extend(f"{k}={v}" for k, v in self.other_lines if k in "zk")
        lines.extend(_attribute_line(name, value) for name, value in self.attributes)
        for media in self.media:
            lines.extend(media.serialize_lines())
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")

    @classmethod
    def parse(cls, data: bytes | str) -> SessionDescription:
        """Parse an SDP body; raises SdpParseError on anything malformed."""
        try:
            text = data.decode("utf-8") if isinstance(data, bytes) else data
        except UnicodeDecodeError as exc:
            raise SdpParseError(f"SDP is not UTF-8: {exc}") from exc
        lines = [line.rstrip("\r") for line in text.split("\n")]
        while lines and not lines[-1]:
            lines.pop()
        if not lines or lines[0].strip() != "v=0":
            raise SdpParseError("SDP must start with v=0")
        origin: Origin | None = None
        session = cls(origin=Origin("-", "0", 0, "-"), times=[])
        current: MediaDescription | None = None
        for line in lines[1:]:
            if len(line) < 2 or line[1] != "=" or not "a" <= line[0] <= "z":
                raise SdpParseError(f"malformed SDP line {line[:60]!r}")
            kind, value = line[0], line[2:]
            if kind == "m":
                current = _parse_media(value)
                session.media.append(current)
            elif kind == "a":
                name, colon, rest = value.partition(":")
                target = current.attributes if current is not None else session.attributes
                target.append((name, rest if colon else None))
            elif kind == "c":
                connection = Connection.parse(value)
                if current is not None:
                    current.connection = connection
                else:
                    session.connection = connection
            elif current is not None:
                current.other_lines.append((kind, value))
            elif kind == "o":
                origin = Origin.parse(value)
            elif kind == "s":
                session.session_name = value
            elif kind == "t":
                session.times.append(value)
            elif kind == "v":
                raise SdpParseError("duplicate v= line")
            else:
                session.other_lines.append((kind, value))
        if origin is None:
            raise SdpParseError("SDP without o= line")
        session.origin = origin
        if not session.times:
            session.times = ["0 0"]
        return session


def _attribute_line(name: str, value: str | None) -> str:
    return f"a={name}" if value is None else f"a={name}:{value}"


def _parse_media(value: str) -> MediaDescription:
    parts = value.split()
    if len(parts) < 4:
        raise SdpParseError(f"malformed m= line {value!r}")
    port_text, slash, count_text = parts[1].partition("/")
    if not port_text.isdigit() or (slash and not count_text.isdigit()):
        raise SdpParseError(f"malformed port in m= line {value!r}")
    port = int(port_text)
    if port > 65535:
        raise SdpParseError(f"port {port} out of range in m= line")
    return MediaDescription(
        media=parts[0],
        port=port,
        proto=parts[2],
        formats=parts[3:],
        port_count=int(count_text) if slash else None,
    )
