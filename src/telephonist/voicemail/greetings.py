"""Custom voicemail greetings (VM-1): the recordings callers hear instead of the default
"<name> is not available". They are rows of the ``greetings`` table of kind "Voicemail",
as the activation wizard's upload (ACC-2) writes them, and the newest one is the
extension's greeting: answering rules read it with ``current_voicemail_greeting``."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from telephonist.store.identity import Greeting

VOICEMAIL_KIND = "Voicemail"
GREETING_FOLDER = "greetings"
RECORDED_BY_PHONE = "recorded-by-phone.wav"


def new_greeting_key() -> str:
    """Where a greeting recorded by phone goes in the blob store."""
    return f"{GREETING_FOLDER}/{secrets.token_hex(16)}.wav"


def save_voicemail_greeting(
    session: Session,
    account_id: int,
    extension_id: int,
    blob_key: str,
    *,
    content_type: str = "audio/wav",
    file_name: str = RECORDED_BY_PHONE,
) -> Greeting:
    """Make the recording at ``blob_key`` the extension's voicemail greeting."""
    greeting = Greeting(
        account_id=account_id,
        extension_id=extension_id,
        kind=VOICEMAIL_KIND,
        blob_key=blob_key,
        content_type=content_type,
        file_name=file_name,
    )
    session.add(greeting)
    session.flush()
    return greeting


def current_voicemail_greeting(
    session: Session, account_id: int, extension_id: int
) -> Greeting | None:
    """The extension's custom voicemail greeting, or None for the default one."""
    return session.scalar(
        select(Greeting)
        .where(
            Greeting.account_id == account_id,
            Greeting.extension_id == extension_id,
            Greeting.kind == VOICEMAIL_KIND,
        )
        .order_by(Greeting.id.desc())
        .limit(1)
    )
