"""The answering settings of extensions as the SIP side needs them: one pure
ExtensionSettings per extension (and its account's robocall list), loaded in a worker
thread on first use and kept until a
commit touches the tables they are made of (portal, REST API), or a few seconds pass
(another process, such as the admin CLI, may have changed them).

A call never waits for the database twice: concurrent calls to the same extension share
one load."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from telephonist.domain.answering.model import ExtensionSettings
from telephonist.domain.answering.numbers import PatternSet
from telephonist.store.database import Database

MAX_AGE_SECONDS = 10.0


@dataclass(frozen=True)
class Routing:
    """What route() needs about the called extension, beyond the call itself: its
    answering settings (users only), the language its prompts speak, the longest message
    its account takes, and the account's robocall list (BLK-3)."""

    settings: ExtensionSettings | None
    language: str
    max_message_seconds: int
    robocalls: PatternSet


Loader = Callable[[Session, int, int], Routing | None]


class AnsweringSettingsCache:
    def __init__(self, database: Database, loader: Loader, tables: Iterable[str]) -> None:
        self._database = database
        self._loader = loader
        self._tables = frozenset(tables)
        self._entries: dict[tuple[int, int], tuple[float, Routing | None]] = {}
        self._loading: dict[tuple[int, int], asyncio.Future[Routing | None]] = {}
        self._generation = 0
        """Bumped by every relevant commit: a load that started before one is not kept."""
        database.on_commit(self._on_commit)

    def _on_commit(self, tables: frozenset[str]) -> None:
        if tables & self._tables:
            self._generation += 1
            self._entries.clear()
            self._loading.clear()

    async def routing(self, account_id: int, extension_id: int) -> Routing | None:
        key = (account_id, extension_id)
        cached = self._entries.get(key)
        if cached is not None and time.monotonic() - cached[0] < MAX_AGE_SECONDS:
            return cached[1]
        pending = self._loading.get(key)
        if pending is None:
            pending = asyncio.ensure_future(asyncio.to_thread(self._load, account_id, extension_id))
            self._loading[key] = pending
            pending.add_done_callback(
                lambda done: (
                    self._loading.pop(key, None) if self._loading.get(key) is done else None
                )
            )
        loaded_at, generation = time.monotonic(), self._generation
        found = await asyncio.shield(pending)
        if generation == self._generation:
            self._entries[key] = (loaded_at, found)
        return found

    def _load(self, account_id: int, extension_id: int) -> Routing | None:
        with self._database.transaction() as session:
            return self._loader(session, account_id, extension_id)
