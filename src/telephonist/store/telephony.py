"""What the phone system keeps between calls: where devices registered (DEV-2), the SIP
trunks to carriers, and the call log (LOG-2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from telephonist.store.base import Base, TenantOwned, UtcDateTime, utcnow


class Registration(TenantOwned, Base):
    """One contact of a device (a device may register several); persisted so a restart
    keeps them. ``received_*`` is where the REGISTER really came from (NAT)."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("device_id", "contact"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    contact: Mapped[str] = mapped_column(String(500))
    received_host: Mapped[str] = mapped_column(String(64))
    received_port: Mapped[int] = mapped_column(Integer)
    transport: Mapped[str] = mapped_column(String(8))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    call_id: Mapped[str] = mapped_column(String(200))
    cseq: Mapped[int] = mapped_column(Integer)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Trunk(TenantOwned, Base):
    """A SIP trunk to a carrier: where calls to outside numbers go and where calls to
    the company's numbers come from. Authenticated by source address ("ip") or by
    registering to the carrier with credentials ("registration")."""

    __tablename__ = "trunks"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer, default=5060)
    transport: Mapped[str] = mapped_column(String(8), default="udp")
    auth_mode: Mapped[str] = mapped_column(String(20), default="ip")
    username: Mapped[str] = mapped_column(String(100), default="")
    password: Mapped[str] = mapped_column(String(128), default="")
    allowed_addresses: Mapped[list[str]] = mapped_column(JSON, default=list)
    number_format: Mapped[str] = mapped_column(String(20), default="e164")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CallRecord(TenantOwned, Base):
    """One line of an extension's call log (LOG-2): each party of a call has its own.
    A row exists from the call's first second (``in_progress``), so a crash or restart
    still leaves a record that the next start closes."""

    __tablename__ = "call_records"
    __table_args__ = (Index("ix_call_records_extension_start", "extension_id", "start_time"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(64), index=True)
    extension_id: Mapped[int | None] = mapped_column(
        ForeignKey("extensions.id", ondelete="SET NULL"), nullable=True
    )
    direction: Mapped[str] = mapped_column(String(10))
    type: Mapped[str] = mapped_column(String(10), default="Voice")
    action: Mapped[str] = mapped_column(String(30))
    result: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(String(60), default="")
    transport: Mapped[str] = mapped_column(String(10), default="VoIP")
    from_number: Mapped[str] = mapped_column(String(40), default="")
    from_name: Mapped[str] = mapped_column(String(200), default="")
    from_extension: Mapped[str] = mapped_column(String(5), default="")
    to_number: Mapped[str] = mapped_column(String(40), default="")
    to_name: Mapped[str] = mapped_column(String(200), default="")
    to_extension: Mapped[str] = mapped_column(String(5), default="")
    start_time: Mapped[datetime] = mapped_column(UtcDateTime)
    answer_time: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    end_time: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    in_progress: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    last_modified: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ActiveCall(TenantOwned, Base):
    """The dialogs of a call in progress, kept so that after a crash or restart the new
    process can end both legs with BYE instead of leaving phones in a dead call."""

    __tablename__ = "active_calls"

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    legs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
