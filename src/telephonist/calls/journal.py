"""What the B2BUA writes down about calls, off the event loop and in order: the call-log
rows of each party (LOG-2, from the call's first second) and the dialogs of answered
calls (so a restart can end them with BYE). One worker thread takes everything queued
since its last commit and writes it in one transaction, a statement per kind of write:
at hundreds of calls a second, a statement (let alone a commit) per write cost more than
the calls (bench/call_rate: 349 calls/s, 706 with no writes at all). A row opened and
closed within one batch is inserted once, finished; a call remembered and forgotten
within one batch is never written. The rules of a record (the first answer wins, the
first close wins) are kept on its handle, on the event loop, so nothing is read back."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from telephonist.calllog import records
from telephonist.store.base import utcnow
from telephonist.store.database import Database
from telephonist.store.telephony import ActiveCall

log = logging.getLogger(__name__)


@dataclass
class RecordHandle:
    """A call-log row being written, and what was asked of it so far."""

    record_id: str
    start: datetime
    answer_time: datetime | None = None
    closed: bool = False


@dataclass(frozen=True)
class Party:
    """One end of a call as the call log shows it."""

    number: str = ""
    name: str = ""
    extension: str = ""


@dataclass
class _Batch:
    """The writes queued since the last commit, merged: record id -> new row, id ->
    answer or close values, session id -> active call row, session ids to forget."""

    opened: dict[str, dict[str, Any]] = field(default_factory=dict)
    answered: dict[str, dict[str, Any]] = field(default_factory=dict)
    closed: dict[str, dict[str, Any]] = field(default_factory=dict)
    remembered: dict[str, dict[str, Any]] = field(default_factory=dict)
    forgotten: list[str] = field(default_factory=list)

    def add(self, write: _Write) -> None:
        kind, key, values = write
        if kind == "open":
            self.opened[key] = values
        elif kind == "remember":
            self.remembered[key] = values
        elif kind == "forget":
            if self.remembered.pop(key, None) is None:
                self.forgotten.append(key)
        elif key in self.opened:  # answered or closed before its row was written
            self.opened[key].update(values)
        elif kind == "answer":
            self.answered[key] = values
        else:
            self.closed[key] = values

    def write(self, session: Session) -> None:
        records.write_batch(
            session,
            list(self.opened.values()),
            [{"id": key, **values} for key, values in self.answered.items()],
            [{"id": key, **values} for key, values in self.closed.items()],
        )
        if self.remembered:
            session.execute(insert(ActiveCall), list(self.remembered.values()))
        if self.forgotten:
            session.execute(delete(ActiveCall).where(ActiveCall.session_id.in_(self.forgotten)))


_Write = tuple[Literal["open", "answer", "close", "remember", "forget"], str, dict[str, Any]]
"""(kind, record id or call session id, values)."""
BATCH_LIMIT = 500


class CallJournal:
    """Queues writes for one worker thread that commits them in batches."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._queue: queue.SimpleQueue[_Write | None] = queue.SimpleQueue()
        self._idle = threading.Event()
        self._idle.set()
        self._pending = 0
        self._lock = threading.Lock()
        self._worker = threading.Thread(target=self._run, name="call-journal", daemon=True)
        self._worker.start()

    def _submit(self, write: _Write) -> None:
        with self._lock:
            self._pending += 1
            self._idle.clear()
        self._queue.put(write)

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
            writes = [first]
            while len(writes) < BATCH_LIMIT:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._commit(writes)
                    return
                writes.append(more)
            self._commit(writes)

    def _commit(self, writes: list[_Write]) -> None:
        try:
            self._write(writes)
        finally:
            self._done(len(writes))

    def _write(self, writes: list[_Write]) -> None:
        try:
            self._write_together(writes)
        except Exception:
            log.exception(
                "call journal batch failed; writing its %d entries one by one", len(writes)
            )
            for write in writes:
                try:
                    self._write_together([write])
                except Exception:
                    log.exception("call journal write failed")

    def _write_together(self, writes: list[_Write]) -> None:
        batch = _Batch()
        for write in writes:
            batch.add(write)
        with self.database.transaction() as session:
            batch.write(session)

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
        row = records.new_row(
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
        handle = RecordHandle(row["id"], row["start_time"])
        self._submit(("open", handle.record_id, row))
        return handle

    def answered(self, handle: RecordHandle, at: datetime) -> None:
        if handle.closed or handle.answer_time is not None:
            return
        values = records.answer_values(handle.start, at)
        handle.answer_time = values["answer_time"]
        self._submit(("answer", handle.record_id, values))

    def close(self, handle: RecordHandle, *, result: str, reason: str, end: datetime) -> None:
        if handle.closed:
            return
        values = records.close_values(
            handle.start, handle.answer_time, result=result, reason=reason, end=end
        )
        handle.closed = True
        self._submit(("close", handle.record_id, values))

    def remember_active(self, session_id: str, account_id: int, legs: list[dict[str, Any]]) -> None:
        row = {"session_id": session_id, "account_id": account_id, "legs": legs}
        self._submit(("remember", session_id, {**row, "started_at": utcnow()}))

    def forget_active(self, session_id: str) -> None:
        self._submit(("forget", session_id, {}))

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
