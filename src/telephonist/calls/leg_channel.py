"""A Channel (calls.channel) on one leg of a call: what voice applications use, made of
the media engine (play, record) and the keys the leg sends (RFC 4733 events reported by
the engine, or SIP INFO), queued in order.

The call manager feeds keys with ``key_pressed`` and ends the channel with ``hung_up``
when the far end says BYE; everything waiting then returns or raises HungUp."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telephonist.calls.channel import HungUp, Party, Recorded, RecordingEnd
from telephonist.media.engine import MediaEndpoint, MediaEngine, PcmSink, PcmSource
from telephonist.media.levels import VoiceActivity, VoiceActivitySink, wait_for_silence


class LegChannel:
    """One answered leg as a Channel."""

    def __init__(
        self,
        engine: MediaEngine,
        endpoint: MediaEndpoint,
        caller: Party,
        language: str,
        hang_up: Callable[[], Awaitable[None]],
    ) -> None:
        self._engine = engine
        self._endpoint = endpoint
        self._caller = caller
        self._language = language
        self._hang_up = hang_up
        self._keys: list[str] = []
        self._key_arrived = asyncio.Event()
        self._ended = asyncio.Event()

    # -- fed by the call manager ------------------------------------------------------------

    def key_pressed(self, key: str) -> None:
        self._keys.append(key)
        self._key_arrived.set()

    def hung_up(self) -> None:
        self._ended.set()
        self._key_arrived.set()

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    # -- the Channel protocol --------------------------------------------------------------

    @property
    def caller(self) -> Party:
        return self._caller

    @property
    def language(self) -> str:
        return self._language

    async def play(self, source: PcmSource, *, interruptible: bool = False) -> str | None:
        self._check()
        playing = asyncio.ensure_future(self._engine.play(self._endpoint, source))
        waiters: set[asyncio.Future[Any]] = {playing, asyncio.ensure_future(self._ended.wait())}
        if interruptible:
            waiters.add(asyncio.ensure_future(self._next_key()))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            await asyncio.gather(*waiters, return_exceptions=True)
        self._check()
        if interruptible and self._keys:
            return self._keys[0]
        return None

    async def record(
        self,
        sink: PcmSink,
        *,
        max_seconds: float,
        stop_keys: str = "#",
        silence_seconds: float | None = None,
    ) -> Recorded:
        started = time.monotonic()
        if self.ended:
            return Recorded(RecordingEnd.HANG_UP, 0.0)
        with VoiceActivity.create() as activity:
            await self._engine.record(self._endpoint, VoiceActivitySink(sink, activity))
            outcomes: dict[asyncio.Future[Any], RecordingEnd] = {
                asyncio.ensure_future(self._ended.wait()): RecordingEnd.HANG_UP,
                asyncio.ensure_future(self._stop_key(stop_keys)): RecordingEnd.KEY,
                asyncio.ensure_future(asyncio.sleep(max_seconds)): RecordingEnd.LIMIT,
            }
            if silence_seconds is not None:
                silence = asyncio.ensure_future(wait_for_silence(activity, silence_seconds))
                outcomes[silence] = RecordingEnd.SILENCE
            try:
                done, _ = await asyncio.wait(outcomes, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in outcomes:
                    waiter.cancel()
                await asyncio.gather(*outcomes, return_exceptions=True)
                with contextlib.suppress(Exception):
                    await self._engine.stop_recording(self._endpoint)
        end = next(outcome for future, outcome in outcomes.items() if future in done)
        key = None
        if end is RecordingEnd.KEY:
            key = self._keys.pop(0)
        return Recorded(end, time.monotonic() - started, key)

    async def read_keys(self, count: int, *, timeout: float, terminators: str = "#") -> str:
        collected = ""
        while len(collected) < count:
            self._check()
            if not self._keys:
                self._key_arrived.clear()
                try:
                    await asyncio.wait_for(self._key_arrived.wait(), timeout)
                except TimeoutError:
                    break
                continue
            key = self._keys.pop(0)
            if key in terminators:
                break
            collected += key
        return collected

    def flush_keys(self) -> None:
        self._keys.clear()

    async def hang_up(self) -> None:
        if not self.ended:
            self._ended.set()
            await self._hang_up()

    # -- helpers -----------------------------------------------------------------------------

    def _check(self) -> None:
        if self.ended:
            raise HungUp

    async def _next_key(self) -> None:
        """Return once a key is queued; after a hang-up, never (the hang-up waiter wins)."""
        while not self._keys:
            if self.ended:
                await asyncio.Event().wait()
            self._key_arrived.clear()
            await self._key_arrived.wait()

    async def _stop_key(self, stop_keys: str) -> None:
        """Wait for one of ``stop_keys``; other keys pressed while recording are dropped."""
        while True:
            await self._next_key()
            if self._keys[0] in stop_keys:
                return
            self._keys.pop(0)
