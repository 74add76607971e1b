"""Storage: migrations create exactly the models' schema on SQLite and PostgreSQL, every
table belongs to an account, and downgrades work."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from telephonist.store import Base
from telephonist.store.database import Database, alembic_config
from tests.conftest import postgres_url
from tests.support import drop_postgres_database, fresh_postgres_database

TENANT_FREE = {"accounts", "alembic_version"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "postgres":
        name = f"telephonist_schema_{os.getpid()}"
        database = Database(fresh_postgres_database(postgres_url(), name))
        yield database
        database.dispose()
        drop_postgres_database(postgres_url(), name)
        return
    database = Database(f"sqlite:///{tmp_path / 'schema.db'}")
    yield database
    database.dispose()


def test_migrations_build_the_models_schema(empty_database: Database) -> None:
    empty_database.migrate()
    with empty_database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_every_table_belongs_to_an_account(empty_database: Database) -> None:
    empty_database.migrate()
    inspector = inspect(empty_database.engine)
    for table in inspector.get_table_names():
        if table in TENANT_FREE:
            continue
        columns = {column["name"]: column for column in inspector.get_columns(table)}
        assert "account_id" in columns, table
        assert columns["account_id"]["nullable"] is False, table


def test_migrations_downgrade_to_nothing_and_back(empty_database: Database) -> None:
    config = alembic_config(empty_database.engine)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    assert set(inspect(empty_database.engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'wal.db'}")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()
