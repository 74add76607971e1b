"""Storage: SQLAlchemy 2 models, the engine and sessions, Alembic migrations, blobs.

Importing this package registers every table on ``Base.metadata``."""

from telephonist.store import (
    accounts,
    answering,
    devices,
    extensions,
    identity,
    numbers,
    telephony,
    voicemail,
)
from telephonist.store.base import Base

__all__ = [
    "Base",
    "accounts",
    "answering",
    "devices",
    "extensions",
    "identity",
    "numbers",
    "telephony",
    "voicemail",
]
