"""An account's SIP trunks (issue 3 item 5): their settings, checked in full, and adding,
changing and removing them, for the REST API, the CLI and the Admin Portal alike.

A trunk is authenticated either by source address ("ip": calls are accepted from
``allowed_addresses``, or from the host's own addresses when the list is empty) or by
registering to the carrier ("registration": user name and password required). In "ip"
mode a user name and password are optional: they answer a carrier that challenges our
outgoing calls. A password is kept only with a user name; an empty password in a change
keeps the stored one (it is never shown, so forms cannot send it back). How numbers are
written for the carrier is ``domain.dialing.NumberFormat``."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from telephonist.accounts import company
from telephonist.domain.dialing import NumberFormat
from telephonist.domain.text import N_
from telephonist.errors import Conflict, FieldProblem, InvalidInput, NotFound
from telephonist.store.telephony import Trunk

NAME_MAX = 100
HOST_MAX = 253
USERNAME_MAX = 100
PASSWORD_MAX = 128
ALLOWED_ADDRESSES_MAX = 100
DEFAULT_PORT = 5060

_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class TrunkTransport(StrEnum):
    """How SIP reaches the carrier."""

    UDP = "udp"
    TCP = "tcp"
    TLS = "tls"


class AuthMode(StrEnum):
    """How the carrier and the phone system trust each other (see the module's docstring)."""

    IP = "ip"
    REGISTRATION = "registration"


@dataclass(frozen=True)
class TrunkSettings:
    """Every setting of a trunk, as stored."""

    name: str = ""
    host: str = ""
    port: int = DEFAULT_PORT
    transport: str = TrunkTransport.UDP.value
    auth_mode: str = AuthMode.IP.value
    username: str = ""
    password: str = ""
    allowed_addresses: tuple[str, ...] = ()
    number_format: str = NumberFormat.E164.value
    enabled: bool = True


@dataclass(frozen=True)
class TrunkChange:
    """What to set; None keeps the current value (the default, for a new trunk). The port
    may be text, as forms send it."""

    name: str | None = None
    host: str | None = None
    port: int | str | None = None
    transport: str | None = None
    auth_mode: str | None = None
    username: str | None = None
    password: str | None = None
    allowed_addresses: Sequence[str] | None = None
    number_format: str | None = None
    enabled: bool | None = None


def is_host(text: str) -> bool:
    """A DNS host name (RFC 1123 labels) or an IPv4/IPv6 address."""
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        pass
    labels = text.split(".")
    if len(text) > HOST_MAX or all(label.isdigit() for label in labels):
        return False
    return all(_HOST_LABEL.match(label) for label in labels)


def _host(text: str) -> str:
    """Lower case, without IPv6 brackets or the root's trailing dot."""
    host = text.strip().lower().rstrip(".")
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def _port(value: int | str) -> int | None:
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit():
            return None
        value = int(value)
    return value if 1 <= value <= 65535 else None


def _allowed_addresses(entries: Sequence[str], problems: list[FieldProblem]) -> tuple[str, ...]:
    """Addresses and networks in canonical form, without duplicates, in the given order."""
    found: list[str] = []
    for entry in (text.strip() for text in entries):
        if not entry:
            continue
        try:
            canonical = (
                str(ipaddress.ip_network(entry, strict=True))
                if "/" in entry
                else str(ipaddress.ip_address(entry))
            )
        except ValueError:
            message = (
                N_("A network must not have host bits set, e.g. 203.0.113.0/24")
                if "/" in entry and _is_loose_network(entry)
                else N_("Allowed addresses must be IP addresses or networks such as 203.0.113.0/24")
            )
            problems.append(FieldProblem("allowedAddresses", message))
            continue
        if canonical not in found:
            found.append(canonical)
    if len(found) > ALLOWED_ADDRESSES_MAX:
        problems.append(FieldProblem("allowedAddresses", N_("No more than 100 allowed addresses")))
    return tuple(found)


def _is_loose_network(entry: str) -> bool:
    try:
        ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False
    return True


def checked_settings(
    current: TrunkSettings, change: TrunkChange
) -> tuple[TrunkSettings, list[FieldProblem]]:
    """``current`` with ``change`` applied and normalized, and every problem with the
    result (field names are the REST API's)."""
    problems: list[FieldProblem] = []
    name = change.name.strip() if change.name is not None else current.name
    if not name:
        problems.append(FieldProblem("name", N_("Trunk name is required")))
    elif len(name) > NAME_MAX:
        problems.append(FieldProblem("name", N_("Trunk name must be at most 100 characters")))
    host = _host(change.host) if change.host is not None else current.host
    if not host:
        problems.append(FieldProblem("host", N_("Enter the carrier's host name or IP address")))
    elif not is_host(host):
        problems.append(
            FieldProblem(
                "host",
                N_("The host must be a host name (sip.carrier.example) or an IP address"),
            )
        )
    port = _port(change.port) if change.port is not None else current.port
    if port is None:
        problems.append(FieldProblem("port", N_("The port must be a number from 1 to 65535")))
    transport = (change.transport or current.transport).strip().lower()
    if transport not in set(TrunkTransport):
        problems.append(FieldProblem("transport", N_("The transport must be udp, tcp or tls")))
    auth_mode = (change.auth_mode or current.auth_mode).strip().lower()
    if auth_mode not in set(AuthMode):
        problems.append(
            FieldProblem("authMode", N_("The authentication must be ip or registration"))
        )
    number_format = (change.number_format or current.number_format).strip().lower()
    if number_format not in set(NumberFormat):
        problems.append(
            FieldProblem("numberFormat", N_("The number format must be e164, national or 1+10"))
        )
    username = change.username.strip() if change.username is not None else current.username
    if len(username) > USERNAME_MAX or any(ch.isspace() or ch in '"\\' for ch in username):
        problems.append(
            FieldProblem(
                "username",
                N_("The user name must be at most 100 characters, without spaces or quotes"),
            )
        )
    password = (change.password or current.password) if username else ""
    if len(password) > PASSWORD_MAX or _CONTROL.search(password):
        problems.append(
            FieldProblem(
                "password",
                N_("The password must be at most 128 characters, without control characters"),
            )
        )
    if auth_mode == AuthMode.REGISTRATION:
        if not username:
            problems.append(
                FieldProblem("username", N_("Registration needs the carrier's user name"))
            )
        if not password:
            problems.append(
                FieldProblem("password", N_("Registration needs the carrier's password"))
            )
    allowed = (
        _allowed_addresses(change.allowed_addresses, problems)
        if change.allowed_addresses is not None
        else current.allowed_addresses
    )
    settings = TrunkSettings(
        name=name,
        host=host,
        port=port or current.port,
        transport=transport,
        auth_mode=auth_mode,
        username=username,
        password=password,
        allowed_addresses=allowed,
        number_format=number_format,
        enabled=change.enabled if change.enabled is not None else current.enabled,
    )
    return settings, problems


def address_of(trunk: Trunk) -> str:
    """Host and port as a SIP URI writes them: "sip.carrier.example:5060", "[2001:db8::1]:5060"."""
    host = f"[{trunk.host}]" if ":" in trunk.host else trunk.host
    return f"{host}:{trunk.port}"


def settings_of(trunk: Trunk) -> TrunkSettings:
    """A stored trunk's settings, to apply a change to."""
    return TrunkSettings(
        name=trunk.name,
        host=trunk.host,
        port=trunk.port,
        transport=trunk.transport,
        auth_mode=trunk.auth_mode,
        username=trunk.username,
        password=trunk.password,
        allowed_addresses=tuple(trunk.allowed_addresses or ()),
        number_format=trunk.number_format,
        enabled=trunk.enabled,
    )


def _check_name_free(
    session: Session, account_id: int, name: str, except_trunk_id: int | None
) -> None:
    """Names are unique within an account, whatever their case."""
    query = select(Trunk.id).where(
        Trunk.account_id == account_id, func.lower(Trunk.name) == name.lower()
    )
    if except_trunk_id is not None:
        query = query.where(Trunk.id != except_trunk_id)
    if session.scalar(query) is not None:
        raise Conflict("name", N_("A trunk with this name already exists"))


def _store(trunk: Trunk, settings: TrunkSettings) -> None:
    trunk.name = settings.name
    trunk.host = settings.host
    trunk.port = settings.port
    trunk.transport = settings.transport
    trunk.auth_mode = settings.auth_mode
    trunk.username = settings.username
    trunk.password = settings.password
    trunk.allowed_addresses = list(settings.allowed_addresses)
    trunk.number_format = settings.number_format
    trunk.enabled = settings.enabled


def add_trunk(session: Session, account_id: int, change: TrunkChange) -> Trunk:
    """A new trunk; settings not given take their defaults (port 5060, udp, ip, e164)."""
    company.get_account(session, account_id)
    settings, problems = checked_settings(TrunkSettings(), change)
    if problems:
        raise InvalidInput(problems)
    _check_name_free(session, account_id, settings.name, None)
    trunk = Trunk(account_id=account_id)
    _store(trunk, settings)
    session.add(trunk)
    session.flush()
    return trunk


def list_trunks(session: Session, account_id: int) -> list[Trunk]:
    """The account's trunks by name."""
    return list(
        session.scalars(select(Trunk).where(Trunk.account_id == account_id).order_by(Trunk.name))
    )


def get_trunk(session: Session, account_id: int, trunk_id: int) -> Trunk:
    """A trunk of this account; another account's trunk is simply not found."""
    trunk = session.scalar(
        select(Trunk).where(Trunk.account_id == account_id, Trunk.id == trunk_id)
    )
    if trunk is None:
        raise NotFound("trunkId")
    return trunk


def find_trunk(session: Session, account_id: int, id_or_name: str) -> Trunk:
    """A trunk named by its id or its name (the command line accepts both)."""
    if id_or_name.isdigit():
        return get_trunk(session, account_id, int(id_or_name))
    trunk = session.scalar(
        select(Trunk).where(
            Trunk.account_id == account_id, func.lower(Trunk.name) == id_or_name.lower()
        )
    )
    if trunk is None:
        raise NotFound("trunkId", f"No trunk named '{id_or_name}'")
    return trunk


def update_trunk(session: Session, account_id: int, trunk_id: int, change: TrunkChange) -> Trunk:
    """Change what ``change`` gives; an empty password keeps the stored one."""
    trunk = get_trunk(session, account_id, trunk_id)
    settings, problems = checked_settings(settings_of(trunk), change)
    if problems:
        raise InvalidInput(problems)
    _check_name_free(session, account_id, settings.name, trunk.id)
    _store(trunk, settings)
    session.flush()
    return trunk


def remove_trunk(session: Session, account_id: int, trunk_id: int) -> None:
    """Delete a trunk of this account; new calls can no longer use it."""
    session.delete(get_trunk(session, account_id, trunk_id))
    session.flush()
