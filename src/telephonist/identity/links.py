"""One-time links sent by e-mail: account activation and password reset."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from telephonist.domain.text import N_
from telephonist.errors import NotFound, ServiceError
from telephonist.identity.hashing import new_token, token_digest
from telephonist.store.identity import OneTimeLink

ACTIVATION = "activation"
PASSWORD_RESET = "password_reset"  # noqa: S105 - a link purpose, not a secret
LIFETIMES = {ACTIVATION: timedelta(days=7), PASSWORD_RESET: timedelta(hours=1)}


class LinkUnusable(ServiceError):
    """The link was used already or has expired."""


def issue(session: Session, account_id: int, extension_id: int, purpose: str, now: datetime) -> str:
    """A new link token; earlier unused links of the same purpose stop working."""
    for earlier in session.scalars(
        select(OneTimeLink).where(
            OneTimeLink.extension_id == extension_id,
            OneTimeLink.purpose == purpose,
            OneTimeLink.used_at.is_(None),
        )
    ):
        earlier.used_at = now
    token = new_token()
    session.add(
        OneTimeLink(
            account_id=account_id,
            extension_id=extension_id,
            purpose=purpose,
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
            draft={},
        )
    )
    session.flush()
    return token


def open_link(session: Session, token: str, purpose: str, now: datetime) -> OneTimeLink:
    """The live link for ``token``; raises NotFound or LinkUnusable."""
    link = session.scalar(
        select(OneTimeLink).where(
            OneTimeLink.token_hash == token_digest(token), OneTimeLink.purpose == purpose
        )
    )
    if link is None:
        raise NotFound("token", N_("This link is not valid"))
    if link.used_at is not None:
        raise LinkUnusable(N_("This link has already been used"))
    if link.expires_at <= now:
        raise LinkUnusable(N_("This link has expired; ask your administrator for a new one"))
    return link
