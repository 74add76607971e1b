"""Voicemail messages (VM-2, VM-4, VM-5): one row per message left for an extension.

A row exists from the caller's first second (``recording`` "InProgress") and its audio is
written to the blob store as it is recorded, so a crash keeps what was said
(ARCHITECTURE.md principle 5); the next start finishes the row from the file. Values are
the public API's strings (``readStatus``, ``availability``, ``priority``,
``vmTranscriptionStatus``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from telephonist.store.base import Base, TenantOwned, UtcDateTime, utcnow


class VoicemailMessage(TenantOwned, Base):
    """One voicemail in the mailbox of ``extension_id`` (the message recipient, VM-2).

    ``blob_key`` names the WAV in the blob store; it is emptied when the message is
    purged (the row stays, as the public API keeps purged messages listable)."""

    __tablename__ = "voicemail_messages"
    __table_args__ = (
        Index("ix_voicemail_messages_extension_created", "extension_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    extension_id: Mapped[int] = mapped_column(ForeignKey("extensions.id", ondelete="CASCADE"))
    from_number: Mapped[str] = mapped_column(String(40), default="")
    from_name: Mapped[str] = mapped_column(String(200), default="")
    from_extension: Mapped[str] = mapped_column(String(5), default="")
    to_number: Mapped[str] = mapped_column(String(40), default="")
    to_name: Mapped[str] = mapped_column(String(200), default="")
    to_extension: Mapped[str] = mapped_column(String(5), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_modified: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    read_status: Mapped[str] = mapped_column(String(10), default="Unread")
    availability: Mapped[str] = mapped_column(String(10), default="Alive")
    priority: Mapped[str] = mapped_column(String(10), default="Normal")
    blob_key: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(50), default="audio/wav")
    size: Mapped[int] = mapped_column(Integer, default=0)
    transcription_status: Mapped[str] = mapped_column(String(20), default="NotAvailable")
    recording: Mapped[str] = mapped_column(String(12), default="InProgress", index=True)
