"""Phone numbers the company owns, in E.164, and what each is used for (DEV-3)."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from telephonist.store.base import Base, TenantOwned


class PhoneNumber(TenantOwned, Base):
    """A number: the company's main number, a direct number of an extension, a fax or
    conference number. Globally unique: a number rings exactly one place."""

    __tablename__ = "phone_numbers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    e164: Mapped[str] = mapped_column(String(20), unique=True)
    usage: Mapped[str] = mapped_column(String(30))
    extension_id: Mapped[int | None] = mapped_column(
        ForeignKey("extensions.id", ondelete="SET NULL"), index=True, nullable=True
    )
    type: Mapped[str] = mapped_column(String(20), default="VoiceFax")
    label: Mapped[str] = mapped_column(String(100), default="")
    caller_id: Mapped[bool] = mapped_column(Boolean, default=True)
    sms: Mapped[bool] = mapped_column(Boolean, default=True)
    fax: Mapped[bool] = mapped_column(Boolean, default=True)
