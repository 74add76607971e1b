"""A trunk's settings are checked in full before anything is stored: host, port,
transport, authentication, credentials, allowed addresses and number format."""

from __future__ import annotations

import pytest

from telephonist.trunks.services import TrunkChange, TrunkSettings, checked_settings, is_host

CARRIER = TrunkChange(name="Carrier", host="sip.carrier.example")


def problems_of(change: TrunkChange, current: TrunkSettings | None = None) -> set[str]:
    _settings, problems = checked_settings(current or TrunkSettings(), change)
    return {problem.field for problem in problems}


def settings_of(change: TrunkChange, current: TrunkSettings | None = None) -> TrunkSettings:
    settings, problems = checked_settings(current or TrunkSettings(), change)
    assert problems == []
    return settings


@pytest.mark.parametrize(
    ("host", "valid"),
    [
        ("sip.carrier.example", True),
        ("carrier", True),
        ("sip-1.carrier.example", True),
        ("203.0.113.5", True),
        ("2001:db8::1", True),
        ("-sip.carrier.example", False),
        ("sip_carrier.example", False),
        ("sip..carrier.example", False),
        ("999.1.1.1", False),
        ("sip carrier", False),
        ("a" * 64 + ".example", False),
        ("x." * 127 + "com", False),
    ],
)
def test_a_host_is_a_host_name_or_an_ip_address(host: str, valid: bool) -> None:
    assert is_host(host) is valid


def test_defaults_are_port_5060_udp_ip_e164_enabled() -> None:
    settings = settings_of(CARRIER)
    assert settings == TrunkSettings(name="Carrier", host="sip.carrier.example")
    assert (settings.port, settings.transport, settings.auth_mode) == (5060, "udp", "ip")
    assert (settings.number_format, settings.enabled) == ("e164", True)


def test_input_is_normalized() -> None:
    settings = settings_of(
        TrunkChange(
            name="  Carrier  ",
            host="[2001:DB8::1]",
            port="5080",
            transport="TLS",
            auth_mode="IP",
            number_format="NATIONAL",
            allowed_addresses=[" 203.0.113.5", "2001:DB8::/32", "203.0.113.5", ""],
        )
    )
    assert (settings.name, settings.host, settings.port) == ("Carrier", "2001:db8::1", 5080)
    assert (settings.transport, settings.auth_mode, settings.number_format) == (
        "tls",
        "ip",
        "national",
    )
    assert settings.allowed_addresses == ("203.0.113.5", "2001:db8::/32")
    assert settings_of(TrunkChange(name="C", host="Sip.Carrier.Example.")).host == (
        "sip.carrier.example"
    )


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        (TrunkChange(), {"name", "host"}),
        (TrunkChange(name=" ", host=" "), {"name", "host"}),
        (TrunkChange(name="N" * 101, host="sip.carrier.example"), {"name"}),
        (TrunkChange(name="C", host="not a host"), {"host"}),
        (TrunkChange(name="C", host="h", port=0), {"port"}),
        (TrunkChange(name="C", host="h", port=65536), {"port"}),
        (TrunkChange(name="C", host="h", port="50 60"), {"port"}),
        (TrunkChange(name="C", host="h", transport="sctp"), {"transport"}),
        (TrunkChange(name="C", host="h", auth_mode="magic"), {"authMode"}),
        (TrunkChange(name="C", host="h", number_format="local"), {"numberFormat"}),
        (TrunkChange(name="C", host="h", auth_mode="registration"), {"username", "password"}),
        (
            TrunkChange(name="C", host="h", auth_mode="registration", username="acme"),
            {"password"},
        ),
        (TrunkChange(name="C", host="h", username="ac me", password="x"), {"username"}),
        (TrunkChange(name="C", host="h", username='ac"me', password="x"), {"username"}),
        (TrunkChange(name="C", host="h", username="acme", password="x\ny"), {"password"}),
        (TrunkChange(name="C", host="h", username="acme", password="p" * 129), {"password"}),
        (
            TrunkChange(name="C", host="h", allowed_addresses=["203.0.113.300"]),
            {"allowedAddresses"},
        ),
        (
            TrunkChange(name="C", host="h", allowed_addresses=["carrier.example"]),
            {"allowedAddresses"},
        ),
        (
            TrunkChange(name="C", host="h", allowed_addresses=["203.0.113.5/24"]),
            {"allowedAddresses"},
        ),
        (
            TrunkChange(
                name="C",
                host="h",
                allowed_addresses=[f"10.0.{i // 256}.{i % 256}" for i in range(101)],
            ),
            {"allowedAddresses"},
        ),
    ],
)
def test_every_bad_setting_is_named(change: TrunkChange, fields: set[str]) -> None:
    assert problems_of(change) == fields


def test_a_network_with_host_bits_says_which_network_was_meant() -> None:
    _settings, problems = checked_settings(
        TrunkSettings(), TrunkChange(name="C", host="h", allowed_addresses=["203.0.113.5/24"])
    )
    assert problems[0].message == "A network must not have host bits set, e.g. 203.0.113.0/24"


def test_registration_keeps_the_stored_password_when_none_is_given() -> None:
    current = settings_of(
        TrunkChange(
            name="C", host="h", auth_mode="registration", username="acme", password="s3cret"
        )
    )
    changed = settings_of(TrunkChange(port=5080, password=""), current)
    assert (changed.password, changed.port) == ("s3cret", 5080)
    assert settings_of(TrunkChange(password="n3w"), current).password == "n3w"


def test_without_a_user_name_no_password_is_kept() -> None:
    current = settings_of(TrunkChange(name="C", host="h", username="acme", password="s3cret"))
    assert settings_of(TrunkChange(username=""), current).password == ""


def test_switching_to_registration_needs_credentials() -> None:
    current = settings_of(CARRIER)
    assert problems_of(TrunkChange(auth_mode="registration"), current) == {"username", "password"}


def test_an_empty_list_of_allowed_addresses_clears_it() -> None:
    current = settings_of(TrunkChange(name="C", host="h", allowed_addresses=["203.0.113.5"]))
    assert settings_of(TrunkChange(port=5061), current).allowed_addresses == ("203.0.113.5",)
    assert settings_of(TrunkChange(allowed_addresses=[]), current).allowed_addresses == ()
