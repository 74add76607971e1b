"""JSON of our own trunk API (``/account/{accountId}/telephonist/trunks``), with the public
API's conventions: camelCase names, ``id`` and ``uri``, and never the password (only
whether one is set)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from telephonist.accounts.schemas import account_path, iso_time
from telephonist.api.paging import absolute_uri
from telephonist.store.telephony import Trunk
from telephonist.trunks.services import TrunkChange


def trunks_path(account_id: int) -> str:
    return f"{account_path(account_id)}/telephonist/trunks"


def trunk_json(request: Request, trunk: Trunk) -> dict[str, Any]:
    """One trunk, without its password."""
    return {
        "uri": absolute_uri(request, f"{trunks_path(trunk.account_id)}/{trunk.id}"),
        "id": str(trunk.id),
        "name": trunk.name,
        "host": trunk.host,
        "port": trunk.port,
        "transport": trunk.transport,
        "authMode": trunk.auth_mode,
        "username": trunk.username,
        "hasPassword": bool(trunk.password),
        "allowedAddresses": list(trunk.allowed_addresses or ()),
        "numberFormat": trunk.number_format,
        "enabled": trunk.enabled,
        "creationTime": iso_time(trunk.created_at),
    }


class TrunkBody(BaseModel):
    """POST (name and host required) and PUT (only what is given changes). Unknown
    fields are refused so a misspelt setting is not silently ignored; the read-only
    fields of a GET are accepted back, so a client may PUT what it read."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    name: str | None = None
    host: str | None = None
    port: int | None = None
    transport: str | None = None
    auth_mode: str | None = Field(None, alias="authMode")
    username: str | None = None
    password: str | None = None
    allowed_addresses: list[str] | None = Field(None, alias="allowedAddresses")
    number_format: str | None = Field(None, alias="numberFormat")
    enabled: bool | None = None
    id: str | None = None
    uri: str | None = None
    has_password: bool | None = Field(None, alias="hasPassword")
    creation_time: str | None = Field(None, alias="creationTime")

    def change(self) -> TrunkChange:
        """What the body sets; absent fields keep their value."""
        return TrunkChange(
            name=self.name,
            host=self.host,
            port=self.port,
            transport=self.transport,
            auth_mode=self.auth_mode,
            username=self.username,
            password=self.password,
            allowed_addresses=self.allowed_addresses,
            number_format=self.number_format,
            enabled=self.enabled,
        )
