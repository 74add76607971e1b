"""Tolerating how the official SDKs talk on the wire (rc-api/README.md §2.1): query strings
are not URL-encoded (a raw ``+`` in a phone number or date means plus, not space), and a
server URL with a trailing slash yields paths like ``//restapi/...``."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

_SLASHES = re.compile(r"/{2,}")


class CollapseSlashes:
    """Treat ``//restapi//v1.0`` as ``/restapi/v1.0``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and "//" in scope["path"]:
            path = _SLASHES.sub("/", scope["path"])
            scope = {**scope, "path": path, "raw_path": path.encode()}
        await self.app(scope, receive, send)


class LiteralPlusInQuery:
    """Read ``+`` in query strings literally, as the SDK means it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and b"+" in scope.get("query_string", b""):
            scope = {**scope, "query_string": scope["query_string"].replace(b"+", b"%2B")}
        await self.app(scope, receive, send)
