"""The B2BUA's call journal (LOG-2): writes queued on the event loop reach the database in
batches, merged, with the records' rules (first answer wins, first close wins) kept on
the handles."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from telephonist.calls.journal import CallJournal, Party, RecordHandle
from telephonist.store.database import Database
from telephonist.store.telephony import ActiveCall, CallRecord
from tests.conftest import BACKENDS, postgres_url
from tests.support import company_of_dulcinea, drop_postgres_database, fresh_postgres_database

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh database of each backend (executemany and bulk updates differ by driver)."""
    if request.param == "postgres":
        name = f"telephonist_journal_{os.getpid()}"
        database = Database(fresh_postgres_database(postgres_url(), name))
        request.addfinalizer(lambda: drop_postgres_database(postgres_url(), name))
    else:
        database = Database(f"sqlite:///{tmp_path / 'log.db'}")
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def journal(database: Database) -> Iterator[CallJournal]:
    journal = CallJournal(database)
    yield journal
    journal.close_writer()


@pytest.fixture
def dulcinea(database: Database) -> tuple[int, int]:
    """(account id, extension id)."""
    return company_of_dulcinea(database, "Journal Company")


def open_call(journal: CallJournal, dulcinea: tuple[int, int], session_id: str) -> RecordHandle:
    account_id, extension_id = dulcinea
    return journal.open(
        account_id=account_id,
        extension_id=extension_id,
        session_id=session_id,
        direction="Inbound",
        action="Phone Call",
        transport="PSTN",
        caller=Party("+13039688766", "Hank Hillos"),
        callee=Party("+14092402117", "Dulcinea Dunn", "11103"),
        start=T0,
    )


def row(database: Database, record_id: str) -> CallRecord:
    with database.transaction() as session:
        record = session.get(CallRecord, record_id)
        assert record is not None
        session.expunge(record)
        return record


def active_sessions(database: Database) -> list[str]:
    with database.transaction() as session:
        return list(session.scalars(select(ActiveCall.session_id)))


def test_a_call_answered_and_ended_within_one_batch_is_one_finished_row(
    journal: CallJournal, database: Database, dulcinea: tuple[int, int]
) -> None:
    handle = open_call(journal, dulcinea, "short-call")
    journal.answered(handle, T0 + timedelta(seconds=2))
    journal.remember_active("short-call", dulcinea[0], [{"call_id": "a"}])
    journal.close(handle, result="Accepted", reason="Accepted", end=T0 + timedelta(seconds=9))
    journal.forget_active("short-call")
    asyncio.run(journal.drain())
    record = row(database, handle.record_id)
    assert (record.in_progress, record.result, record.duration_ms) == (False, "Accepted", 7000)
    assert active_sessions(database) == []


def test_a_long_call_is_written_as_it_goes(
    journal: CallJournal, database: Database, dulcinea: tuple[int, int]
) -> None:
    handle = open_call(journal, dulcinea, "long-call")
    asyncio.run(journal.drain())
    assert row(database, handle.record_id).in_progress
    journal.answered(handle, T0 + timedelta(seconds=5))
    journal.remember_active("long-call", dulcinea[0], [{"call_id": "b"}])
    asyncio.run(journal.drain())
    assert row(database, handle.record_id).answer_time == T0 + timedelta(seconds=5)
    assert active_sessions(database) == ["long-call"]  # a restart would end it with BYE
    journal.close(handle, result="Accepted", reason="Accepted", end=T0 + timedelta(minutes=3))
    journal.forget_active("long-call")
    asyncio.run(journal.drain())
    record = row(database, handle.record_id)
    assert (record.in_progress, record.duration_ms) == (False, 175_000)
    assert active_sessions(database) == []


def test_the_first_answer_and_the_first_close_win(
    journal: CallJournal, database: Database, dulcinea: tuple[int, int]
) -> None:
    forked = open_call(journal, dulcinea, "forked")
    journal.answered(forked, T0 + timedelta(seconds=3))
    journal.answered(forked, T0 + timedelta(seconds=4))  # a second phone's 200 OK
    journal.close(forked, result="Accepted", reason="Accepted", end=T0 + timedelta(seconds=10))
    journal.close(
        forked, result="Call Failed", reason="Internal Error", end=T0 + timedelta(minutes=1)
    )
    crossed = open_call(journal, dulcinea, "crossed")
    journal.close(crossed, result="Missed", reason="Not Answered", end=T0 + timedelta(seconds=6))
    journal.answered(crossed, T0 + timedelta(seconds=7))  # a 200 OK that crossed the CANCEL
    asyncio.run(journal.drain())
    first = row(database, forked.record_id)
    assert (first.result, first.duration_ms) == ("Accepted", 7000)
    second = row(database, crossed.record_id)
    assert (second.result, second.answer_time, second.duration_ms) == ("Missed", None, 0)


def test_a_failed_write_does_not_take_the_rest_of_its_batch_with_it(
    journal: CallJournal, database: Database, dulcinea: tuple[int, int]
) -> None:
    good = open_call(journal, dulcinea, "good")
    orphan = open_call(journal, (dulcinea[0] + 1000, dulcinea[1]), "no-such-account")
    asyncio.run(journal.drain())
    assert row(database, good.record_id).in_progress
    with database.transaction() as session:
        assert session.get(CallRecord, orphan.record_id) is None
