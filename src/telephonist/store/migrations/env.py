"""Alembic environment: runs migrations on the engine the application configured."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from telephonist.store import Base

config = context.config
engine = config.attributes.get("engine")
assert isinstance(engine, Engine), "migrations run through telephonist.store.database.migrate"

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
