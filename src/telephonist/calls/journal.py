"""What the B2BUA writes down about calls, off the event loop and in order: the call-log
rows of each party (LOG-2, from the call's first second) and the dialogs of answered
calls (so a restart can end them with BYE). One worker thread runs the writes in the
order they were asked for, so an "answered" never overtakes its "opened", and commits
everything queued at once in one transaction: at hundreds of calls a second, a commit
per write would cost more than the calls."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from telephonist.calllog import records
from telephonist.store.base import utcnow
from telephonist.store.database import Database
from telephonist.store.telephony import ActiveCall

log = logging.getLogger(__name__)


@dataclass
class RecordHandle:
    """A call-log row being written; its id is known once the worker opened it."""

    record_id: str | None = None


@dataclass(frozen=True)
class Party:
    """One end of a call as the call log shows it."""

    number: str = ""
    name: str = ""
    extension: str = ""


Write = Callable[[Session], None]
BATCH_LIMIT = 500


class CallJournal:
    """Queues writes for one worker thread that commits them in batches."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._queue: queue.SimpleQueue[Write | None] = queue.SimpleQueue()
        self._idle = threading.Event()
        self._idle.set()
        self._pending = 0
        self._lock = threading.Lock()
        self._worker = threading.Thread(target=self._run, name="call-journal", daemon=True)
        self._worker.start()

    def _submit(self, work: Write) -> None:
        with self._lock:
            self._pending += 1
            self._idle.clear()
        self._queue.put(work)

    def _done(self, count: int) -> None:
        with self._lock:
            self._pending -= count
            if self._pending == 0:
                self._idle.set()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < BATCH_LIMIT:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._commit(batch)
                    return
                batch.append(more)
            self._commit(batch)

    def _commit(self, batch: list[Write]) -> None:
        try:
            self._write(batch)
        finally:
            self._done(len(batch))

    def _write(self, batch: list[Write]) -> None:
        try:
            with self.database.transaction() as session:
                for work in batch:
                    work(session)
        except Exception:
            log.exception(
                "call journal batch failed; writing its %d entries one by one", len(batch)
            )
            for work in batch:
                try:
                    with self.database.transaction() as session:
                        work(session)
                except Exception:
                    log.exception("call journal write failed")

    def open(
        self,
        *,
        account_id: int,
        extension_id: int,
        session_id: str,
        direction: str,
        action: str,
        transport: str,
        caller: Party,
        callee: Party,
        start: datetime,
    ) -> RecordHandle:
        handle = RecordHandle()

        def work(session: Session) -> None:
            handle.record_id = records.open_record(
                session,
                account_id=account_id,
                extension_id=extension_id,
                session_id=session_id,
                direction=direction,
                action=action,
                from_number=caller.number,
                from_name=caller.name,
                from_extension=caller.extension,
                to_number=callee.number,
                to_name=callee.name,
                to_extension=callee.extension,
                transport=transport,
                start=start,
            )

        self._submit(work)
        return handle

    def answered(self, handle: RecordHandle, at: datetime) -> None:
        def work(session: Session) -> None:
            if handle.record_id is not None:
                records.mark_answered(session, handle.record_id, at)

        self._submit(work)

    def close(self, handle: RecordHandle, *, result: str, reason: str, end: datetime) -> None:
        def work(session: Session) -> None:
            if handle.record_id is not None:
                records.close_record(
                    session, handle.record_id, result=result, reason=reason, end=end
                )

        self._submit(work)

    def remember_active(self, session_id: str, account_id: int, legs: list[dict[str, Any]]) -> None:
        def work(session: Session) -> None:
            session.execute(
                insert(ActiveCall),
                [
                    {
                        "session_id": session_id,
                        "account_id": account_id,
                        "legs": legs,
                        "started_at": utcnow(),
                    }
                ],
            )

        self._submit(work)

    def forget_active(self, session_id: str) -> None:
        def work(session: Session) -> None:
            session.execute(delete(ActiveCall).where(ActiveCall.session_id == session_id))

        self._submit(work)

    def take_interrupted(self) -> list[ActiveCall]:
        """At start: the calls a previous process left answered, removed from the table,
        and their call-log rows closed."""
        with self.database.transaction() as session:
            found = list(session.scalars(select(ActiveCall)))
            for call in found:
                session.delete(call)
            closed = records.close_abandoned_records(session, utcnow())
        if closed:
            log.info("closed %d call-log rows left open by the previous run", closed)
        return found

    async def drain(self) -> None:
        """Wait until every queued write is committed (tests and shutdown)."""
        await asyncio.to_thread(self._idle.wait)

    def close_writer(self) -> None:
        self._queue.put(None)
        self._worker.join(timeout=30)
