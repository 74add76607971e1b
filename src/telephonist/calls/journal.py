"""What the B2BUA writes down about calls, off the event loop and in order: the call-log
rows of each party (LOG-2, from the call's first second) and the dialogs of answered
calls (so a restart can end them with BYE). One worker thread runs the writes in the
order they were asked for, so an "answered" never overtakes its "opened"."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
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


@dataclass
class CallJournal:
    database: Database
    _worker: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="call-journal")
    )
    _pending: set[Future[None]] = field(default_factory=set)

    def _submit(self, work: Any, *args: Any) -> None:
        def run() -> None:
            try:
                with self.database.transaction() as session:
                    work(session, *args)
            except Exception:
                log.exception("call journal write failed")

        future = self._worker.submit(run)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)

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
            session.merge(
                ActiveCall(
                    session_id=session_id, account_id=account_id, legs=legs, started_at=utcnow()
                )
            )

        self._submit(work)

    def forget_active(self, session_id: str) -> None:
        def work(session: Session) -> None:
            found = session.get(ActiveCall, session_id)
            if found is not None:
                session.delete(found)

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
        """Wait for every queued write (tests and shutdown)."""
        while self._pending:
            await asyncio.wrap_future(next(iter(self._pending)))

    def close_writer(self) -> None:
        self._worker.shutdown(wait=True)
