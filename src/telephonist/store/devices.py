"""Devices (desk phones, softphones, existing phones) and registered emergency addresses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telephonist.store.base import Base, TenantOwned, UtcDateTime, utcnow


class EmergencyAddress(TenantOwned, Base):
    """E911-1: where responders go when this phone dials an emergency number."""

    __tablename__ = "emergency_addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    street2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    terms_accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Device(TenantOwned, Base):
    """DEV-1: a phone of an extension. SIP phones carry their own credentials (DEV-2);
    an existing phone is an outside number instead.

    The SIP password is kept as is: digest authentication needs it (or its HA1, which is
    just as good to an attacker), and the portal shows it so the user can set up a phone."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    extension_id: Mapped[int | None] = mapped_column(
        ForeignKey("extensions.id", ondelete="SET NULL"), index=True, nullable=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(100), default="")
    serial: Mapped[str] = mapped_column(String(100), default="")
    sip_username: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    sip_password: Mapped[str | None] = mapped_column(String(128), nullable=True)
    external_number: Mapped[str | None] = mapped_column(String(20), nullable=True)
    emergency_address_id: Mapped[int | None] = mapped_column(
        ForeignKey("emergency_addresses.id", ondelete="SET NULL"), nullable=True
    )
    default_area_code: Mapped[str] = mapped_column(String(5), default="")
    bandwidth: Mapped[str] = mapped_column(String(10), default="High")
    hd_voice: Mapped[bool] = mapped_column(Boolean, default=False)
    expansion_modules: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    emergency_address: Mapped[EmergencyAddress | None] = relationship(lazy="joined")
