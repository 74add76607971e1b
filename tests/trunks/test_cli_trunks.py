"""``telephonist admin trunk``: an operator adds, lists, changes and removes trunks with the
same rules as the portal and the REST API."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import telephonist


def test_an_operator_manages_trunks_from_the_command_line(tmp_path: Path) -> None:
    created = telephonist(
        "admin",
        "create-account",
        "--company",
        "Acme",
        "--main-number",
        "+1 212 736 5000",
        data_dir=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    added = telephonist(
        "admin",
        "trunk",
        "add",
        "--account",
        "1",
        "--name",
        "Carrier",
        "--host",
        "SIP.Carrier.Example",
        "--allowed-address",
        "203.0.113.0/24",
        "--allowed-address",
        "2001:db8::7",
        "--number-format",
        "national",
        data_dir=tmp_path,
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout == "1\tCarrier\tsip.carrier.example:5060\tudp\tip\tnational\tenabled\n"
    updated = telephonist(
        "admin",
        "trunk",
        "update",
        "--account",
        "1",
        "carrier",
        "--host",
        "2001:db8::1",
        "--transport",
        "tls",
        "--port",
        "5061",
        "--disabled",
        data_dir=tmp_path,
    )
    assert updated.returncode == 0, updated.stderr
    listed = telephonist("admin", "trunk", "list", "--account", "1", data_dir=tmp_path)
    assert listed.stdout == "1\tCarrier\t[2001:db8::1]:5061\ttls\tip\tnational\tdisabled\n"
    removed = telephonist("admin", "trunk", "remove", "--account", "1", "1", data_dir=tmp_path)
    assert removed.stdout == "trunk Carrier removed\n"
    assert telephonist("admin", "trunk", "list", "--account", "1", data_dir=tmp_path).stdout == ""


def test_bad_trunk_settings_get_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    telephonist(
        "admin",
        "create-account",
        "--company",
        "Acme",
        "--main-number",
        "+1 212 736 5000",
        data_dir=tmp_path,
    )
    refused = telephonist(
        "admin",
        "trunk",
        "add",
        "--account",
        "1",
        "--name",
        "Carrier",
        "--host",
        "carrier",
        "--auth-mode",
        "registration",
        "--port",
        "70000",
        data_dir=tmp_path,
    )
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "The port must be a number from 1 to 65535" in refused.stderr
    assert "Registration needs the carrier's user name" in refused.stderr
    missing = telephonist("admin", "trunk", "remove", "--account", "1", "Nope", data_dir=tmp_path)
    assert missing.returncode != 0 and "No trunk named 'Nope'" in missing.stderr
    no_account = telephonist("admin", "trunk", "list", "--account", "9", data_dir=tmp_path)
    assert no_account.returncode != 0 and "accountId" in no_account.stderr


def test_trunk_commands_have_help(tmp_path: Path) -> None:
    for command in ("add", "list", "update", "remove"):
        result = telephonist("admin", "trunk", command, "--help", data_dir=tmp_path)
        assert result.returncode == 0 and "Usage:" in result.stdout
