"""Running Telephonist: migrate the database, load the demo when asked, serve HTTP."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import uvicorn

from telephonist.app import create_app
from telephonist.calls.server import SipServer
from telephonist.config import Settings
from telephonist.demo import database_is_empty, load_demo
from telephonist.runtime import Runtime
from telephonist.store.base import utcnow
from telephonist.voicemail.messages import recover_interrupted_messages

log = logging.getLogger("telephonist")


def prepare(settings: Settings) -> Runtime:
    """A runtime whose database is migrated (and holds the demo company if asked)."""
    runtime = Runtime.from_settings(settings)
    runtime.db.migrate()
    if settings.demo:
        with runtime.db.transaction() as session:
            if database_is_empty(session):
                load_demo(session)
                log.info("demo company loaded")
    return runtime


async def serve(runtime: Runtime) -> None:
    """Serve SIP, the portal and the REST API until interrupted (SIGINT/SIGTERM)."""
    settings = runtime.settings
    sip = SipServer.build(runtime) if settings.sip_enabled else None
    if sip is not None:
        await sip.start()
    app = create_app(runtime, sip)
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_level="info",
        proxy_headers=False,
        access_log=False,
    )
    server = uvicorn.Server(config)
    log.info("portal and REST API on %s", settings.base_url)
    try:
        await server.serve()
    finally:
        if sip is not None:
            await sip.stop()


def run(settings: Settings) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    runtime = prepare(settings)
    with runtime.db.transaction() as session:
        # Only the serving process: an admin command must not finish messages being recorded.
        recover_interrupted_messages(session, runtime.blobs, utcnow())
    _collect_garbage_rarely()
    try:
        _event_loop_runner()(serve(runtime))
    finally:
        runtime.db.dispose()


GC_THRESHOLDS = (10_000, 50, 100)
"""Every SIP message allocates hundreds of short-lived containers (parsed headers, typed
views) while the server holds long-lived ones (bindings, dialogs, the directory). With
CPython's default thresholds (700, 10, 10) the collector traverses the survivors over and
over: at 20,000 registrations it took 45 % of the server's CPU (bench/registrations: 1,480
REGISTER/s, 2,350 with these). Reference cycles are rare on the SIP path; reference
counting frees the rest, so the collector can run far less often."""


def _collect_garbage_rarely() -> None:
    gc.set_threshold(*GC_THRESHOLDS)


def _event_loop_runner() -> Callable[[Coroutine[Any, Any, None]], None]:
    """uvloop when installed (it makes SIP and RTP several times cheaper), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run
    return uvloop.run
