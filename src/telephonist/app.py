"""The HTTP application: the REST API (mounted at /restapi, with the public API's error
shape) and the web portal, both calling the same service functions."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request

from telephonist import __version__
from telephonist.accounts import api as accounts_api
from telephonist.answering import api as answering_api
from telephonist.api import errors as api_errors
from telephonist.api.paging import absolute_uri
from telephonist.api.wire import CollapseSlashes, LiteralPlusInQuery
from telephonist.calllog import api as calllog_api
from telephonist.calls import diagnostics as call_diagnostics
from telephonist.calls.server import SipServer
from telephonist.identity import api as identity_api
from telephonist.portal import app as portal_app
from telephonist.runtime import Runtime
from telephonist.trunks import api as trunks_api
from telephonist.voicemail import api as voicemail_api


def create_rest_api(runtime: Runtime, sip: SipServer | None = None) -> FastAPI:
    """The public REST API; its paths start after /restapi."""
    api = FastAPI(
        title="Telephonist REST API",
        version=__version__,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    api.state.runtime = runtime
    api.state.sip = sip
    api_errors.install(api)
    api.include_router(identity_api.router)
    api.include_router(accounts_api.router)
    api.include_router(call_diagnostics.router)
    api.include_router(calllog_api.router)
    api.include_router(trunks_api.router)
    api.include_router(answering_api.router)
    api.include_router(answering_api.dictionary)
    api.include_router(voicemail_api.router)

    @api.get("")
    @api.get("/")
    def api_versions(request: Request) -> dict[str, Any]:
        return {
            "uri": absolute_uri(request, "/restapi"),
            "apiVersions": [
                {
                    "uri": absolute_uri(request, "/restapi/v1.0"),
                    "versionString": "1.0.0",
                    "releaseDate": "2026-11-27T00:00:00.000Z",
                    "uriString": "v1.0",
                }
            ],
            "serverVersion": __version__,
            "serverRevision": "telephonist",
        }

    api.add_middleware(LiteralPlusInQuery)
    return api


def create_app(runtime: Runtime, sip: SipServer | None = None) -> FastAPI:
    """REST API plus portal, behind the slash-collapsing middleware the SDK needs."""
    app = portal_app.create_portal(runtime)
    app.mount("/restapi", create_rest_api(runtime, sip))
    app.add_middleware(CollapseSlashes)
    return app
