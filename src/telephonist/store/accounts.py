"""Accounts (companies), their sites and their roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from telephonist.store.base import Base, TenantOwned, UtcDateTime, utcnow


class Account(Base):
    """One company: the tenant every other row belongs to."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="Confirmed")
    operator_extension_id: Mapped[int | None] = mapped_column(
        ForeignKey("extensions.id", use_alter=True, ondelete="SET NULL"), nullable=True
    )
    email_sign_in: Mapped[bool] = mapped_column(Boolean, default=True)
    google_sign_in: Mapped[bool] = mapped_column(Boolean, default=False)
    home_country: Mapped[str] = mapped_column(String(2), default="US")
    time_zone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    language: Mapped[str] = mapped_column(String(8), default="en-US")
    time_format: Mapped[str] = mapped_column(String(3), default="12h")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Site(TenantOwned, Base):
    """EXT-2: a place extensions belong to ("Company" is every account's main site)."""

    __tablename__ = "sites"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    is_main: Mapped[bool] = mapped_column(Boolean, default=False)


class Role(TenantOwned, Base):
    """ACC-9: a named set of permissions."""

    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
