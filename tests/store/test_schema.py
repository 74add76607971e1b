"""Storage: migrations create exactly the models' schema on SQLite and PostgreSQL, every
table belongs to an account, and downgrades work."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from telephonist.store import Base
from telephonist.store.database import Database, alembic_config
from tests.conftest import postgres_url
from tests.support import reset_postgres

TENANT_FREE = {"accounts", "alembic_version"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if request.param == "postgres":
        url = postgres_url().rsplit("/", 1)[0] + "/telephonist_schema_test"
        _ensure_database(url)
        reset_postgres(url)
        return Database(url)
    return Database(f"sqlite:///{tmp_path / 'schema.db'}")


def _ensure_database(url: str) -> None:
    admin = create_engine(
        postgres_url().replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    name = url.rsplit("/", 1)[1]
    with admin.connect() as connection:
        if not connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).scalar():
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def test_migrations_build_the_models_schema(empty_database: Database) -> None:
    empty_database.migrate()
    with empty_database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    empty_database.dispose()


def test_every_table_belongs_to_an_account(empty_database: Database) -> None:
    empty_database.migrate()
    inspector = inspect(empty_database.engine)
    for table in inspector.get_table_names():
        if table in TENANT_FREE:
            continue
        columns = {column["name"]: column for column in inspector.get_columns(table)}
        assert "account_id" in columns, table
        assert columns["account_id"]["nullable"] is False, table
    empty_database.dispose()


def test_migrations_downgrade_to_nothing_and_back(empty_database: Database) -> None:
    config = alembic_config(empty_database.engine)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    assert set(inspect(empty_database.engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    empty_database.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'wal.db'}")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()
