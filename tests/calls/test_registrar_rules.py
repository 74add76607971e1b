"""The registrar's rules without a network (DEV-2, RFC 3261 §10.3): where a contact is
reached (NAT), what a REGISTER does to the bindings, and the location service against a
model under any sequence of changes (Hypothesis)."""

from __future__ import annotations

import time
from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telephonist.calls.directory import DeviceEntry
from telephonist.calls.registrar import (
    MAX_EXPIRES,
    Binding,
    LocationService,
    Registrar,
    behind_nat,
    reach,
)
from telephonist.sip import NameAddress, Peer, SipRequest, parse_message
from telephonist.store.database import Database

DESK = DeviceEntry(
    device_id=7,
    account_id=1,
    extension_id=3,
    kind="HardPhone",
    sip_username="11103",
    sip_password="sip11103demo",
    default_area_code="409",
    location=None,
)


def register(
    *contacts: str,
    via: str = "192.168.1.20:5060",
    expires: int | None = 3600,
    call_id: str = "reg-1",
    cseq: int = 1,
    user: str = "11103",
    transport: str = "UDP",
) -> SipRequest:
    lines = [
        "REGISTER sip:pbx.example SIP/2.0",
        f"Via: SIP/2.0/{transport} {via};branch=z9hG4bK-{call_id}-{cseq};rport",
        f"From: <sip:{user}@pbx.example>;tag=a1",
        f"To: <sip:{user}@pbx.example>",
        f"Call-ID: {call_id}",
        f"CSeq: {cseq} REGISTER",
        *(f"Contact: {contact}" for contact in contacts),
        *([f"Expires: {expires}"] if expires is not None else []),
        "Content-Length: 0",
    ]
    request = parse_message(("\r\n".join(lines) + "\r\n\r\n").encode())
    assert isinstance(request, SipRequest)
    return request


@pytest.fixture
def registrar() -> Registrar:
    """No database: register() only changes memory; persistence is tested end to end."""
    return Registrar(LocationService(), cast(Database, None))


@pytest.mark.parametrize(
    ("via", "source", "expected"),
    [
        ("192.168.1.20:5060", Peer("192.168.1.20", 5060), False),
        ("192.168.1.20", Peer("192.168.1.20", 5060), False),  # port 5060 implied
        ("192.168.1.20:5060", Peer("203.0.113.9", 5060), True),  # another host
        ("192.168.1.20:5060", Peer("192.168.1.20", 40312), True),  # port rewritten
    ],
)
def test_a_phone_is_behind_nat_when_its_via_is_not_where_it_sent_from(
    via: str, source: Peer, expected: bool
) -> None:
    assert behind_nat(register("<sip:11103@192.168.1.20>", via=via), source) is expected


@pytest.mark.parametrize(
    ("contact", "via", "source", "expected"),
    [
        # Reachable as it says: the Contact itself.
        (
            "<sip:11103@10.0.0.5:5062>",
            "10.0.0.5:5062",
            Peer("10.0.0.5", 5062),
            Peer("10.0.0.5", 5062),
        ),
        # Behind NAT: where the REGISTER came from, never the private address.
        (
            "<sip:11103@192.168.1.20:5060>",
            "192.168.1.20:5060",
            Peer("203.0.113.9", 40312),
            Peer("203.0.113.9", 40312),
        ),
        # A stream: the connection it came on.
        (
            "<sip:11103@10.0.0.5:5062;transport=tcp>",
            "10.0.0.5:5062",
            Peer("10.0.0.5", 51000, "tcp"),
            Peer("10.0.0.5", 51000, "tcp"),
        ),
    ],
)
def test_where_a_contact_is_reached(contact: str, via: str, source: Peer, expected: Peer) -> None:
    request = register(contact, via=via, transport=source.transport.upper())
    assert reach(request.contacts[0], request, source) == expected


def test_one_register_can_bind_several_contacts(registrar: Registrar) -> None:
    source = Peer("192.168.1.20", 5060)
    response = registrar.register(
        register("<sip:11103@192.168.1.20:5060>", "<sip:11103@192.168.1.20:5070>"), source, DESK
    )
    assert response.status == 200
    assert len(response.headers.get_all("Contact")) == 2
    assert registrar.location.count == 2


@pytest.mark.parametrize(
    ("request_", "status"),
    [
        (register("<sip:11103@192.168.1.20>", expires=30), 423),
        (register("*", expires=3600), 400),
        (register("<sip:11102@192.168.1.20>", user="11102"), 403),
    ],
    ids=["interval too brief", "wildcard without expires 0", "someone else's address"],
)
def test_refused_registers(registrar: Registrar, request_: SipRequest, status: int) -> None:
    response = registrar.register(request_, Peer("192.168.1.20", 5060), DESK)
    assert response.status == status
    assert registrar.location.count == 0
    if status == 423:
        assert response.headers.get("Min-Expires") == "60"


def test_expires_is_capped_and_an_old_cseq_changes_nothing(registrar: Registrar) -> None:
    source = Peer("192.168.1.20", 5060)
    before = time.time()
    registrar.register(register("<sip:11103@192.168.1.20>", expires=86400, cseq=5), source, DESK)
    [binding] = registrar.location.snapshot(DESK.device_id)
    assert before + MAX_EXPIRES <= binding.expires_at <= time.time() + MAX_EXPIRES
    registrar.register(register("<sip:11103@192.168.1.20>", expires=0, cseq=4), source, DESK)
    assert registrar.location.count == 1, "a REGISTER older than the binding is ignored"
    registrar.register(register("<sip:11103@192.168.1.20>", expires=0, cseq=6), source, DESK)
    assert registrar.location.count == 0


def test_the_wildcard_removes_every_contact_of_the_device(registrar: Registrar) -> None:
    source = Peer("192.168.1.20", 5060)
    registrar.register(
        register("<sip:11103@192.168.1.20:5060>", "<sip:11103@192.168.1.20:5070>"), source, DESK
    )
    response = registrar.register(register("*", expires=0, cseq=2), source, DESK)
    assert response.status == 200
    assert registrar.location.count == 0


# -- the location service against a model ------------------------------------------------

DEVICES = st.sampled_from([1, 2, 3])
CONTACTS = st.sampled_from(["sip:a@10.0.0.1", "sip:b@10.0.0.2", "sip:c@10.0.0.3"])
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("put"), DEVICES, CONTACTS, st.integers(1, 100)),
        st.tuples(st.just("remove"), DEVICES, st.one_of(st.none(), CONTACTS), st.just(0)),
        st.tuples(st.just("expire"), st.just(0), st.just(""), st.integers(0, 100)),
    ),
    max_size=40,
)


def binding(device_id: int, contact: str, expires_at: float) -> Binding:
    return Binding(
        device_id=device_id,
        account_id=1,
        extension_id=10 + device_id % 2,
        contact=NameAddress.parse(f"<{contact}>"),
        destination=Peer("10.0.0.1", 5060),
        expires_at=expires_at,
        call_id="c",
        cseq=1,
        user_agent="",
    )


@given(OPERATIONS)
def test_the_location_service_behaves_like_a_dictionary_with_expiry(
    operations: list[tuple[str, int, str | None, int]],
) -> None:
    location = LocationService()
    model: dict[tuple[int, str], float] = {}
    for action, device_id, contact, moment in operations:
        if action == "put":
            assert contact is not None
            location.put(binding(device_id, contact, float(moment)))
            model[(device_id, contact)] = float(moment)
        elif action == "remove":
            location.remove(device_id, contact)
            model = {
                key: value
                for key, value in model.items()
                if not (key[0] == device_id and (contact is None or key[1] == contact))
            }
        else:
            location.expire(float(moment))
            model = {key: value for key, value in model.items() if value > moment}
    now = -1.0
    for device_id in (1, 2, 3):
        live = {
            (b.device_id, b.key): b.expires_at for b in location.bindings_of_device(device_id, now)
        }
        assert live == {key: value for key, value in model.items() if key[0] == device_id}
    for extension_id in (10, 11):
        found = {b.key for b in location.bindings_of_extension(extension_id, now)}
        expected = {key[1] for key in model if 10 + key[0] % 2 == extension_id}
        assert found == expected
