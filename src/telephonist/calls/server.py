"""The SIP server: assembles stack, registrar, call manager and media engine from the
settings, restores what a previous run left (registrations, interrupted calls), and runs
the background housekeeping."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from telephonist.accounts.users import effective_regional
from telephonist.answering.blocking import robocall_patterns
from telephonist.answering.settings import SETTINGS_TABLES, load_extension_settings
from telephonist.answering.storage import account_settings
from telephonist.calls.answering_cache import AnsweringSettingsCache, Routing
from telephonist.calls.application import PhoneSystem
from telephonist.calls.authentication import DeviceAuthentication
from telephonist.calls.b2bua import CallManager
from telephonist.calls.certificates import ensure_self_signed, server_context
from telephonist.calls.directory import DirectoryCache
from telephonist.calls.edge import EdgeGuard
from telephonist.calls.journal import CallJournal
from telephonist.calls.message_waiting import MessageWaiting
from telephonist.calls.plan_runner import PlanRunner
from telephonist.calls.registrar import LocationService, Registrar
from telephonist.calls.routing import RingAllRouter
from telephonist.calls.stack import Endpoint, SipStack
from telephonist.calls.trunk_registration import TrunkRegistrar
from telephonist.calls.voice import MailboxPins, VoicemailService, VoicePrompts
from telephonist.domain.extensions import ExtensionType
from telephonist.domain.failure_limits import FailureLimiter
from telephonist.media.engine import MediaConfig, MediaEngine
from telephonist.media.local import LocalMediaEngine
from telephonist.media.workers import ProcessPoolMediaEngine
from telephonist.prompts.library import PromptLibrary
from telephonist.runtime import Runtime
from telephonist.sip import DigestAuthenticator
from telephonist.store.accounts import Account
from telephonist.store.extensions import Extension
from telephonist.voicemail.mailbox import MessageStore

log = logging.getLogger(__name__)


def routing_of(session: Session, account_id: int, extension_id: int) -> Routing | None:
    """An extension's answering settings (users), prompt language and robocall list."""
    extension = session.get(Extension, extension_id)
    if extension is None or extension.account_id != account_id:
        return None
    account = session.get(Account, account_id)
    assert account is not None
    settings = (
        load_extension_settings(session, account_id, extension_id)
        if extension.type == ExtensionType.USER.value
        else None
    )
    return Routing(
        settings,
        effective_regional(account, extension).greeting_language,
        account_settings(session, account_id).max_message_seconds,
        robocall_patterns(session, account_id),
    )


@dataclass
class SipServer:
    """Everything that answers SIP, built from the runtime."""

    runtime: Runtime
    stack: SipStack
    engine: MediaEngine
    directory: DirectoryCache
    registrar: Registrar
    calls: CallManager
    journal: CallJournal
    trunks: TrunkRegistrar
    message_waiting: MessageWaiting
    _background: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    def build(cls, runtime: Runtime) -> SipServer:
        settings = runtime.settings
        edge = EdgeGuard(
            FailureLimiter(
                settings.sip_auth_failures, settings.sip_auth_window, settings.sip_ban_seconds
            ),
            max_message_bytes=settings.sip_max_message_bytes,
            max_connections_per_address=settings.sip_max_connections_per_ip,
        )
        certificate = settings.sip_tls_certificate or settings.data_dir / "sip-tls.crt"
        key = settings.sip_tls_key or settings.data_dir / "sip-tls.key"
        if settings.sip_tls_certificate is None:
            ensure_self_signed(certificate, key, settings.sip_host)
        stack = SipStack(
            Endpoint(settings.sip_host, settings.sip_port), edge, server_context(certificate, key)
        )
        media_config = MediaConfig(
            local_ip=settings.sip_host,
            port_min=settings.rtp_port_min,
            port_max=settings.rtp_port_max,
        )
        engine: MediaEngine = (
            ProcessPoolMediaEngine(workers=settings.media_workers, config=media_config)
            if settings.media_workers > 0
            else LocalMediaEngine(media_config)
        )
        directory = DirectoryCache(runtime.db)
        authentication = DeviceAuthentication(
            DigestAuthenticator(
                settings.sip_realm,
                runtime.secret_key.encode(),
                algorithms=tuple(settings.sip_digest_algorithms),
            ),
            edge,
        )
        location = LocationService()
        registrar = Registrar(location, runtime.db)
        journal = CallJournal(runtime.db)

        library = PromptLibrary.in_data_dir(settings.data_dir)
        store = MessageStore.of(runtime)
        routing = AnsweringSettingsCache(runtime.db, routing_of, SETTINGS_TABLES)
        calls = CallManager(
            stack,
            engine,
            directory,
            authentication,
            RingAllRouter(settings.ring_timeout),
            location,
            journal,
            lambda manager: PlanRunner(
                manager,
                routing=routing,
                prompts=VoicePrompts(library, runtime.db, runtime.blobs),
                voicemail=VoicemailService(store, library),
                pins=MailboxPins(store),
                ring_timeout=settings.ring_timeout,
                work_dir=settings.data_dir,
            ),
        )
        message_waiting = MessageWaiting(stack, location, runtime.db, directory, authentication)
        registrar.on_registered = message_waiting.device_registered
        stack.application = PhoneSystem(
            stack, directory, authentication, registrar, calls, message_waiting
        )
        trunks = TrunkRegistrar(stack, directory)
        return cls(
            runtime, stack, engine, directory, registrar, calls, journal, trunks, message_waiting
        )

    async def start(self) -> None:
        directory = await self.directory.refresh()
        restored = await asyncio.to_thread(self.registrar.load, directory.devices.values())
        await self.message_waiting.start()
        await self.stack.start()
        interrupted = await asyncio.to_thread(self.journal.take_interrupted)
        for call in interrupted:
            self.calls.end_interrupted(call.legs)
        self._background = [
            asyncio.ensure_future(self.registrar.run_housekeeping()),
            asyncio.ensure_future(self.directory.run_periodic_refresh()),
            asyncio.ensure_future(self.trunks.run()),
            asyncio.ensure_future(self.message_waiting.run()),
        ]
        settings = self.runtime.settings
        log.info(
            "SIP on %s:%d (UDP, TCP) and %d (TLS); %d registrations restored; "
            "%d interrupted calls ended",
            settings.sip_host,
            settings.sip_port,
            settings.sip_port + 1,
            restored,
            len(interrupted),
        )

    async def counters(self) -> dict[str, int]:
        """What is held right now; all but registrations drop to 0 once calls end."""
        return {
            "calls": len(self.calls.calls),
            "dialogs": self.calls.active_dialogs,
            "transactions": self.stack.layer.active_transactions,
            "tasks": len(self.calls._tasks),
            "connections": self.stack.open_connections,
            "mediaEndpoints": self.engine.active_endpoints(),
            "mediaPorts": await self.engine.allocated_ports(),
            "registrations": self.registrar.location.count,
            "trunksRegistered": sum(1 for r in self.trunks.registrations.values() if r.registered),
        }

    async def stop(self) -> None:
        await self.calls.close()
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self.message_waiting.stop()
        await self.registrar.flush()
        await asyncio.sleep(0.05)
        await self.stack.stop()
        await self.engine.close()
        await self.journal.drain()
        self.journal.close_writer()
