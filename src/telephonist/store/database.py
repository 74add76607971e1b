"""The database: an engine for SQLite (WAL) or PostgreSQL, sessions, and migrations.

One request is one transaction: callers use ``Database.transaction()``, which commits
when the block ends and rolls back on any exception, so nothing is half-written."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

AFTER_COMMIT_KEY = "telephonist.after_commit"
TOUCHED_TABLES_KEY = "telephonist.touched_tables"
TableListener = Callable[[frozenset[str]], None]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers work while a writer commits; foreign keys must be switched on."""
    assert isinstance(dbapi_connection, sqlite3.Connection)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get their directory created and are tuned."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, pool_size=20
        )
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def alembic_config(engine: Engine) -> Config:
    """Alembic configured in code: no alembic.ini to keep in step with settings."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest migration."""
    command.upgrade(alembic_config(engine), "head")


def after_commit(session: Session, action: Callable[[], object]) -> None:
    """Run ``action`` once the session's transaction has committed (e-mails, events): a
    rolled-back change never tells anyone it happened."""
    session.info.setdefault(AFTER_COMMIT_KEY, []).append(action)


def _run_after_commit(session: Session) -> None:
    actions = session.info.pop(AFTER_COMMIT_KEY, [])
    for action in actions:
        action()


def _forget_after_commit(session: Session) -> None:
    session.info.pop(AFTER_COMMIT_KEY, None)
    session.info.pop(TOUCHED_TABLES_KEY, None)


def _note_touched_tables(session: Session, _context: object, _instances: object) -> None:
    touched = session.info.setdefault(TOUCHED_TABLES_KEY, set())
    for instance in (*session.new, *session.dirty, *session.deleted):
        touched.add(type(instance).__table__.name)


class Database:
    """The engine and a session factory, shared by the REST API, the portal and the CLI."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._table_listeners: list[TableListener] = []
        event.listen(self._sessions, "before_flush", _note_touched_tables)
        event.listen(self._sessions, "after_commit", self._after_commit)
        event.listen(self._sessions, "after_rollback", _forget_after_commit)

    def on_commit(self, listener: TableListener) -> None:
        """Call ``listener`` with the tables each committed transaction wrote (for caches
        such as the SIP directory that must see changes made through the portal)."""
        self._table_listeners.append(listener)

    def _after_commit(self, session: Session) -> None:
        touched = frozenset(session.info.pop(TOUCHED_TABLES_KEY, ()))
        if touched:
            for listener in self._table_listeners:
                listener(touched)
        _run_after_commit(session)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or not at all."""
        with self._sessions() as session, session.begin():
            yield session

    def migrate(self) -> None:
        migrate(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
