"""The operator's command line: settings from flags, environment and TOML, and the admin
commands that work without the portal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from telephonist.config import load_settings


def telephonist(
    *args: str, data_dir: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "telephonist", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env={**os.environ, "TELEPHONIST_DATA_DIR": str(data_dir), **(env or {})},
        timeout=120,
        check=False,
    )


def test_help_is_available_on_every_command(tmp_path: Path) -> None:
    for command in ([], ["serve"], ["admin"], ["admin", "create-user"], ["admin", "app", "create"]):
        result = telephonist(*command, "--help", data_dir=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "Usage:" in result.stdout


def test_settings_come_from_toml_then_environment_then_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "telephonist.toml"
    config.write_text('http_port = 9001\nsip_port = 5070\ndata_dir = "/srv/phone"\n')
    monkeypatch.setenv("TELEPHONIST_CONFIG", str(config))
    monkeypatch.setenv("TELEPHONIST_SIP_PORT", "5080")
    settings = load_settings(data_dir=None, http_port=None)
    assert (settings.http_port, settings.sip_port, str(settings.data_dir)) == (
        9001,
        5080,
        "/srv/phone",
    )
    assert load_settings(http_port=9002).http_port == 9002


def test_defaults_match_the_readme() -> None:
    settings = load_settings()
    assert (settings.http_port, settings.sip_port, str(settings.data_dir)) == (8080, 5060, "var")
    assert settings.resolved_database_url.startswith("sqlite:///")


def test_an_operator_creates_an_account_a_user_and_an_app(tmp_path: Path) -> None:
    created = telephonist(
        "admin",
        "create-account",
        "--company",
        "Acme",
        "--main-number",
        "(212) 736-5000",
        "--time-zone",
        "America/New_York",
        data_dir=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    account_id = created.stdout.split()[1]
    user = telephonist(
        "admin",
        "create-user",
        "--account",
        account_id,
        "--first-name",
        "Ann",
        "--last-name",
        "Archer",
        "--email",
        "ann@acme.example",
        "--extension",
        "101",
        "--direct-number",
        "212 736 5001",
        data_dir=tmp_path,
    )
    assert user.returncode == 0, user.stderr
    outbox = list((tmp_path / "outbox").glob("*.eml"))
    assert len(outbox) == 1 and "ann@acme.example" in outbox[0].read_text()
    listed = telephonist("admin", "list-users", "--account", account_id, data_dir=tmp_path)
    assert "101\tAnn Archer\tann@acme.example\tNotActivated" in listed.stdout
    app = telephonist(
        "admin",
        "app",
        "create",
        "--account",
        account_id,
        "--name",
        "CRM",
        "--scopes",
        "ReadAccounts",
        data_dir=tmp_path,
    )
    assert "client_secret=" in app.stdout and "scopes=ReadAccounts" in app.stdout
    accounts = telephonist("admin", "list-accounts", data_dir=tmp_path)
    assert "Acme\t+12127365000" in accounts.stdout


def test_reset_password_applies_the_password_rules(tmp_path: Path) -> None:
    telephonist(
        "admin",
        "create-account",
        "--company",
        "Acme",
        "--main-number",
        "+1 212 736 5000",
        data_dir=tmp_path,
    )
    telephonist(
        "admin",
        "create-user",
        "--account",
        "1",
        "--first-name",
        "Ann",
        "--last-name",
        "Archer",
        "--email",
        "ann@acme.example",
        "--extension",
        "101",
        data_dir=tmp_path,
    )
    weak = telephonist(
        "admin",
        "reset-password",
        "--account",
        "1",
        "--extension",
        "101",
        "--password",
        "abcd1234",
        data_dir=tmp_path,
    )
    assert weak.returncode != 0
    assert "No sequential" in weak.stderr
    strong = telephonist(
        "admin",
        "reset-password",
        "--account",
        "1",
        "--extension",
        "101",
        "--password",
        "Harbor#Light58",
        data_dir=tmp_path,
    )
    assert strong.returncode == 0, strong.stderr


def test_bad_input_gets_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    result = telephonist(
        "admin", "create-account", "--company", "Acme", "--main-number", "12", data_dir=tmp_path
    )
    assert result.returncode != 0
    assert "Error:" in result.stderr and "Traceback" not in result.stderr
