"""The message light (VM-5, RFC 3842): every registered phone of an extension is told how
many voicemails wait in its mailbox, whenever that changes, when the phone registers after
booting, and when it subscribes.

Most phones are not configured to SUBSCRIBE and rely on the PBX sending the state on its
own, so the light is sent the way Asterisk's res_pjsip_mwi does: a NOTIFY outside any
dialog (a phone answers 481 to an in-dialog NOTIFY it has no subscription for), with
``Event: message-summary`` and ``Subscription-State: terminated``: there is no subscription
for the phone to refresh or to wait for, yet the header RFC 6665 makes mandatory is there.
Polycom, Yealink, Cisco, Grandstream and Snom phones all act on it. A phone that does
SUBSCRIBE gets a real subscription (``active;expires=N``) and its NOTIFYs in that dialog.

Counts are recomputed in a worker thread, in one grouped query for every extension with a
registered device: at once when this process commits a change to a voicemail (by phone,
REST API or portal), and every few seconds for changes other processes made. A phone is
told only when its extension's counts differ from what it was last told.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from telephonist.calls.authentication import Challenge, DeviceAuthentication
from telephonist.calls.directory import DeviceEntry, DirectoryCache
from telephonist.calls.registrar import Binding, LocationService, reach
from telephonist.calls.stack import USER_AGENT, SipStack
from telephonist.sip import (
    CSeq,
    Dialog,
    DialogError,
    DialogId,
    Headers,
    NameAddress,
    Peer,
    SipRequest,
    SipResponse,
    SipUri,
    dialog_id_of_request,
    make_response,
    new_tag,
)
from telephonist.sip.transactions import TransactionKey
from telephonist.store.database import Database
from telephonist.voicemail.messages import count_messages
from telephonist.voicemail.waiting import CONTENT_TYPE, EVENT, MessageCounts, message_summary

log = logging.getLogger(__name__)

WATCHED_TABLE = "voicemail_messages"
RECHECK_SECONDS = 5.0
"""How soon a change another process made (the admin CLI, a second server) reaches phones."""
MAILBOXES_PER_QUERY = 2000
DEFAULT_EXPIRES = 3600
MAX_EXPIRES = 3600
UNSOLICITED_STATE = "terminated"


def event_package(request: SipRequest) -> str:
    """The event package a SUBSCRIBE asks for, without its parameters."""
    return (request.headers.get("Event") or "").split(";", 1)[0].strip().lower()


def unsolicited_notify(
    stack: SipStack, binding: Binding, mailbox: SipUri, counts: MessageCounts
) -> SipRequest:
    """The out-of-dialog NOTIFY that sets one registered contact's message light."""
    transport = binding.destination.transport
    headers = Headers()
    headers.add("Via", stack.via(transport).serialize())
    headers.add("Max-Forwards", "70")
    headers.add("From", NameAddress(mailbox).with_param("tag", new_tag()).serialize())
    headers.add("To", binding.contact.serialize())
    headers.add("Call-ID", f"{secrets.token_hex(12)}@{stack.endpoint.host}")
    headers.add("CSeq", CSeq(1, "NOTIFY").serialize())
    headers.add("Contact", stack.contact(None, transport).serialize())
    headers.add("Event", EVENT)
    headers.add("Subscription-State", UNSOLICITED_STATE)
    headers.add("User-Agent", USER_AGENT)
    headers.add("Content-Type", CONTENT_TYPE)
    body = message_summary(counts, mailbox.serialize()).encode()
    return SipRequest(method="NOTIFY", uri=binding.contact.uri, headers=headers, body=body)


@dataclass
class MwiSubscription:
    """A phone's SUBSCRIBE to its mailbox's message-summary: the dialog its NOTIFYs go in."""

    dialog: Dialog
    destination: Peer
    device_id: int
    extension_id: int
    account_id: int
    expires_at: float


class MessageWaiting:
    """Keeps the message light of every registered phone in step with its mailbox."""

    def __init__(
        self,
        stack: SipStack,
        location: LocationService,
        database: Database,
        directory: DirectoryCache,
        authentication: DeviceAuthentication,
    ) -> None:
        self.stack = stack
        self.location = location
        self.database = database
        self.directory = directory
        self.authentication = authentication
        self.subscriptions: dict[DialogId, MwiSubscription] = {}
        self._told: dict[int, MessageCounts] = {}
        """What each extension's phones were last told."""
        self._changed = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        database.on_commit(self._on_commit)

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Take the mailboxes' current counts as what phones already show (they were told
        before the restart), then listen for changes."""
        self._told = await asyncio.to_thread(self._count, self.location.registered_extensions())
        self._loop = asyncio.get_running_loop()

    async def run(self) -> None:
        """Recompute on each commit touching voicemails and every few seconds, until
        cancelled."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), RECHECK_SECONDS)
            self._changed.clear()
            self._forget_expired_subscriptions()
            try:
                await self.refresh()
            except Exception:
                log.exception("message waiting: could not count voicemails; will retry")

    async def stop(self) -> None:
        self._loop = None
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _on_commit(self, tables: frozenset[str]) -> None:
        """Called in whichever thread committed."""
        loop = self._loop
        if WATCHED_TABLE in tables and loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._changed.set)

    def _spawn(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        if self._loop is None:
            return
        task = asyncio.ensure_future(work())
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("message waiting failed", exc_info=task.exception())

    # -- counting ----------------------------------------------------------------------------

    def _count(self, mailboxes: Mapping[int, int]) -> dict[int, MessageCounts]:
        """In slices, as databases cap how many values one query may carry."""
        items = list(mailboxes.items())
        counted: dict[int, MessageCounts] = {}
        with self.database.transaction() as session:
            for start in range(0, len(items), MAILBOXES_PER_QUERY):
                slice_ = dict(items[start : start + MAILBOXES_PER_QUERY])
                counted |= count_messages(session, slice_)
        return counted

    async def refresh(self) -> None:
        """Tell the phones of every extension whose counts changed since they were told."""
        counted = await asyncio.to_thread(self._count, self.location.registered_extensions())
        for extension_id, counts in counted.items():
            if self._told.get(extension_id) != counts:
                self._tell_extension(extension_id, counts)

    # -- telling phones ----------------------------------------------------------------------

    def _mailbox_uri(self, extension_id: int) -> SipUri:
        """The mailbox's address (RFC 3842 Message-Account): dialling one's own extension
        opens the mailbox."""
        extension = self.directory.current.extensions.get(extension_id)
        user = extension.number if extension is not None else "voicemail"
        endpoint = self.stack.endpoint
        return SipUri(host=endpoint.host, user=user, port=endpoint.port)

    def _tell_extension(self, extension_id: int, counts: MessageCounts) -> None:
        self._told[extension_id] = counts
        subscribed = set()
        for subscription in list(self.subscriptions.values()):
            if subscription.extension_id == extension_id:
                subscribed.add(subscription.device_id)
                self._notify_subscriber(subscription, counts)
        for binding in self.location.bindings_of_extension(extension_id, time.time()):
            if binding.device_id not in subscribed:
                self._notify_contact(binding, counts)

    def _notify_contact(self, binding: Binding, counts: MessageCounts) -> None:
        assert binding.extension_id is not None
        request = unsolicited_notify(
            self.stack, binding, self._mailbox_uri(binding.extension_id), counts
        )

        def answered(response: SipResponse) -> None:
            if response.status >= 300:
                log.info(
                    "message waiting: %s answered %d %s",
                    binding.contact.uri.serialize(),
                    response.status,
                    response.reason,
                )

        self.stack.request(request, binding.destination, answered)

    def device_registered(self, binding: Binding) -> None:
        """A phone registered after booting (or added a contact): send it the state now."""
        extension_id = binding.extension_id
        if extension_id is None:
            return

        async def tell() -> None:
            counted = await asyncio.to_thread(self._count, {extension_id: binding.account_id})
            counts = counted[extension_id]
            told = self._told.get(extension_id)
            if told is not None and told != counts:
                # Changed since the extension's other phones were told: tell them all.
                self._tell_extension(extension_id, counts)
            else:
                self._told[extension_id] = counts
                self._notify_contact(binding, counts)

        self._spawn(tell)

    # -- subscriptions -----------------------------------------------------------------------

    def subscribe_received(self, request: SipRequest, source: Peer, key: TransactionKey) -> None:
        """A SUBSCRIBE, new or refreshing: message-summary is served, other packages get
        489 Bad Event."""
        if event_package(request) != EVENT:
            response = make_response(request, 489, "Bad Event", to_tag=new_tag())
            response.headers.add("Allow-Events", EVENT)
            self.stack.respond(key, response)
            return
        self._spawn(lambda: self._subscribe(request, source, key))

    async def _subscribe(self, request: SipRequest, source: Peer, key: TransactionKey) -> None:
        """A new subscription is authenticated like any request of a phone; a refresh is
        known by its dialog."""
        requested = request.expires if request.expires is not None else DEFAULT_EXPIRES
        expires_at = self.stack.now() + min(requested, MAX_EXPIRES)
        if request.to.tag is not None:
            subscription = self._refreshed(request, expires_at)
        else:
            directory = await self.directory.get()
            found = self.authentication.authenticate(request, source, directory, self.stack.now())
            if isinstance(found, Challenge):
                self.stack.respond(key, found.response)
                return
            subscription = self._created(request, source, found, expires_at)
        if isinstance(subscription, SipResponse):
            self.stack.respond(key, subscription)
            return
        if requested > 0:
            self.subscriptions[subscription.dialog.id] = subscription
        else:
            self.subscriptions.pop(subscription.dialog.id, None)
        response = make_response(request, 200, to_tag=subscription.dialog.local_tag)
        response.headers.add("Expires", str(min(requested, MAX_EXPIRES)))
        response.headers.add("Contact", self.stack.contact(None, source.transport).serialize())
        self.stack.respond(key, response)
        counted = await asyncio.to_thread(
            self._count, {subscription.extension_id: subscription.account_id}
        )
        self._notify_subscriber(subscription, counted[subscription.extension_id])

    def _created(
        self, request: SipRequest, source: Peer, device: DeviceEntry, expires_at: float
    ) -> MwiSubscription | SipResponse:
        """The subscription a phone asks for its own mailbox, or the error to answer."""
        if device.extension_id is None:
            return make_response(request, 404, "No Mailbox", to_tag=new_tag())
        if not request.contacts:
            return make_response(request, 400, "Missing Contact", to_tag=new_tag())
        return MwiSubscription(
            dialog=Dialog.as_uas(request, new_tag()),
            destination=reach(request.contacts[0], request, source),
            device_id=device.device_id,
            extension_id=device.extension_id,
            account_id=device.account_id,
            expires_at=expires_at,
        )

    def _refreshed(self, request: SipRequest, expires_at: float) -> MwiSubscription | SipResponse:
        """The subscription a SUBSCRIBE in its dialog refreshes (or ends: Expires 0)."""
        subscription = self.subscriptions.get(dialog_id_of_request(request))
        if subscription is None:
            return make_response(request, 481, "Subscription Does Not Exist")
        try:
            subscription.dialog.receive_request(request)
        except DialogError as error:
            return make_response(request, 500, str(error)[:80])
        subscription.expires_at = expires_at
        return subscription

    def _notify_subscriber(self, subscription: MwiSubscription, counts: MessageCounts) -> None:
        remaining = round(subscription.expires_at - self.stack.now())
        ended = subscription.dialog.id not in self.subscriptions or remaining <= 0
        state = "terminated;reason=timeout" if ended else f"active;expires={remaining}"
        transport = subscription.destination.transport
        request = subscription.dialog.create_request(
            "NOTIFY",
            self.stack.via(transport),
            contact=self.stack.contact(None, transport),
            body=message_summary(
                counts, self._mailbox_uri(subscription.extension_id).serialize()
            ).encode(),
            content_type=CONTENT_TYPE,
        )
        request.headers.add("Event", EVENT)
        request.headers.add("Subscription-State", state)
        request.headers.add("User-Agent", USER_AGENT)

        def answered(response: SipResponse) -> None:
            if response.status in (408, 481):  # RFC 6665 §4.2.2: the subscription is gone
                self.subscriptions.pop(subscription.dialog.id, None)

        self.stack.request(request, subscription.destination, answered)

    def _forget_expired_subscriptions(self) -> None:
        now = self.stack.now()
        for dialog_id, subscription in list(self.subscriptions.items()):
            if subscription.expires_at <= now:
                del self.subscriptions[dialog_id]
