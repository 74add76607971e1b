"""Settings: defaults that run the demo, overridden by a TOML file, then ``TELEPHONIST_*``
environment variables, then command-line flags (ARCHITECTURE.md principle 7)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

CONFIG_FILE_ENV = "TELEPHONIST_CONFIG"


class Settings(BaseSettings):
    """Everything an operator can set; each field is also ``TELEPHONIST_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="TELEPHONIST_", extra="forbid")

    data_dir: Path = Field(Path("var"), description="Database, blobs, outbox and keys live here.")
    http_host: str = "127.0.0.1"
    http_port: int = Field(8080, ge=1, le=65535)
    sip_host: str = Field("127.0.0.1", description="Address SIP listens on and advertises.")
    sip_port: int = Field(5060, ge=1, le=65535, description="UDP and TCP; TLS is this + 1.")
    sip_realm: str = Field("telephonist", description="Digest realm phones authenticate in.")
    sip_digest_algorithms: list[str] = Field(
        ["MD5"],
        description="Digest algorithms offered, in order (MD5, SHA-256). Many phones fail "
        "on any SHA-256 challenge, so MD5 alone is the default.",
    )
    sip_tls_certificate: Path | None = Field(
        None, description="PEM certificate for SIP over TLS; self-signed in the data dir if unset."
    )
    sip_tls_key: Path | None = None
    rtp_port_min: int = Field(16384, ge=1024, le=65534)
    rtp_port_max: int = Field(32766, ge=1025, le=65535)
    media_workers: int = Field(
        0, ge=0, description="Media worker processes; 0 relays RTP in the main process."
    )
    ring_timeout: int = Field(20, ge=1, description="Seconds an extension's phones ring.")
    sip_auth_failures: int = Field(5, ge=1, description="Failed authentications before a ban.")
    sip_auth_window: int = Field(60, ge=1, description="...counted over this many seconds.")
    sip_ban_seconds: int = Field(600, ge=1, description="How long an address stays banned.")
    sip_max_message_bytes: int = Field(65535, ge=1024)
    sip_max_connections_per_ip: int = Field(32, ge=1)
    sip_enabled: bool = Field(True, description="Run the SIP server (off for portal-only nodes).")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default is SQLite (WAL) in the data dir."
    )
    demo: bool = Field(False, description="Load the demo company when the database is empty.")
    public_url: str | None = Field(
        None, description="Base URL used in e-mailed links; default http://<http_host>:<http_port>."
    )
    smtp_url: str | None = Field(
        None, description="smtp://[user:password@]host[:port][?starttls=1] or smtps://..."
    )
    mail_from: str = "Telephonist <no-reply@telephonist.localhost>"
    secret_key: str | None = Field(
        None, description="Signs JWT credentials and tokens; generated into the data dir if unset."
    )
    cookie_secure: bool = True
    sign_in_failures_per_user: int = Field(5, ge=1)
    sign_in_failures_per_ip: int = Field(20, ge=1)
    sign_in_window_seconds: int = Field(900, ge=1)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get(CONFIG_FILE_ENV)
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or SQLite in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'telephonist.db').resolve()}"

    @property
    def base_url(self) -> str:
        """Where users reach the portal; used in e-mails."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.http_host in ("0.0.0.0", "::") else self.http_host  # noqa: S104
        return f"http://{host}:{self.http_port}"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    def resolved_secret_key(self) -> str:
        """The configured secret, else one generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        key_file = self.data_dir / "secret.key"
        if key_file.exists():
            return key_file.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


def load_settings(**overrides: Any) -> Settings:
    """Settings from file and environment, with explicit (command-line) values on top."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
