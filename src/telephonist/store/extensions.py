"""Extensions of every type, the user details of User extensions, and forwarding numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telephonist.store.base import Base, TenantOwned, UtcDateTime, utcnow

_USER_WITH_EMAIL = "type = 'User' AND email IS NOT NULL"
"""Login e-mails are unique across all accounts (ACC-2); other extensions may share one."""


class Extension(TenantOwned, Base):
    """EXT-1: a numbered destination (user, call queue, message-only, auto-receptionist...).

    Regional settings live here (a call queue has a time zone too); ``None`` means
    "as the account"."""

    __tablename__ = "extensions"
    __table_args__ = (
        UniqueConstraint("account_id", "number"),
        Index(
            "uq_extensions_user_email",
            "email",
            unique=True,
            sqlite_where=text(_USER_WITH_EMAIL),
            postgresql_where=text(_USER_WITH_EMAIL),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("sites.id", ondelete="SET NULL"), nullable=True
    )
    number: Mapped[str] = mapped_column(String(5))
    type: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="Enabled")
    time_zone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    home_country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    greeting_language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    user_language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    regional_format: Mapped[str | None] = mapped_column(String(8), nullable=True)
    time_format: Mapped[str | None] = mapped_column(String(3), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    user: Mapped[UserProfile | None] = relationship(
        back_populates="extension", uselist=False, cascade="all, delete-orphan", lazy="joined"
    )


class UserProfile(TenantOwned, Base):
    """EXT-3/EXT-4 details and the credentials of a User extension."""

    __tablename__ = "user_profiles"

    extension_id: Mapped[int] = mapped_column(
        ForeignKey("extensions.id", ondelete="CASCADE"), primary_key=True
    )
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    job_title: Mapped[str] = mapped_column(String(100), default="")
    department: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    mobile_phone: Mapped[str] = mapped_column(String(20), default="")
    pronounced_name: Mapped[str] = mapped_column(String(200), default="")
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    pin_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    security_question: Mapped[str | None] = mapped_column(String(40), nullable=True)
    security_answer_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    marketing_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    notify_on_phone_added: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmation_message_seconds: Mapped[int] = mapped_column(Integer, default=3)
    video_service: Mapped[str] = mapped_column(String(20), default="Meetings")
    user_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    extension: Mapped[Extension] = relationship(back_populates="user")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ForwardingNumber(TenantOwned, Base):
    """A phone calls to the extension may be forwarded to (CH-2), in ring order: an
    outside number, or a device (``device_id``: the extension's own phones appear here
    by themselves, see ``answering.forwarding``; another user's phone may be added), or
    another extension's apps (``target_extension_id``)."""

    __tablename__ = "forwarding_numbers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    extension_id: Mapped[int] = mapped_column(
        ForeignKey("extensions.id", ondelete="CASCADE"), index=True
    )
    phone_number: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(20), default="Other")
    position: Mapped[int] = mapped_column(Integer, default=0)
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), index=True, nullable=True
    )
    target_extension_id: Mapped[int | None] = mapped_column(
        ForeignKey("extensions.id", ondelete="CASCADE"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
