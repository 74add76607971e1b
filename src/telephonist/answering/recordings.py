"""Custom greetings as stored (rows of the ``greetings`` table, audio in the blob store):
finding one of an extension's, and which one a rule uses when it chose none (VM-1)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from telephonist.domain.answering.errors import RuleValidationError
from telephonist.domain.answering.model import DEFAULT_GREETING, Greeting
from telephonist.errors import NotFound
from telephonist.store.identity import Greeting as GreetingRow

VOICEMAIL = "Voicemail"


def find_greeting(
    session: Session, account_id: int, extension_id: int, greeting_id: str
) -> GreetingRow | None:
    if not greeting_id.isdigit():
        return None
    return session.scalar(
        select(GreetingRow).where(
            GreetingRow.account_id == account_id,
            GreetingRow.extension_id == extension_id,
            GreetingRow.id == int(greeting_id),
        )
    )


def get_greeting(
    session: Session, account_id: int, extension_id: int, greeting_id: str
) -> GreetingRow:
    """One of the extension's custom greetings; any other id is not found."""
    greeting = find_greeting(session, account_id, extension_id, greeting_id)
    if greeting is None:
        raise NotFound("greetingId")
    return greeting


def greeting_ids(session: Session, account_id: int, extension_id: int) -> set[str]:
    return {
        str(greeting_id)
        for greeting_id in session.scalars(
            select(GreetingRow.id).where(
                GreetingRow.account_id == account_id, GreetingRow.extension_id == extension_id
            )
        )
    }


def greeting_checker(
    session: Session, account_id: int, extension_id: int
) -> Callable[[str, str], None]:
    """Refuses (RuleValidationError) a custom greeting id that is not the extension's."""
    known = greeting_ids(session, account_id, extension_id)

    def check(greeting_id: str, field: str) -> None:
        if greeting_id not in known:
            raise RuleValidationError(
                f"Custom greeting '{greeting_id}' is not one of this extension's greetings",
                field=field,
            )

    return check


def extension_voicemail_greeting(session: Session, account_id: int, extension_id: int) -> Greeting:
    """The newest voicemail greeting the extension recorded or uploaded outside any rule
    (activation wizard): what rules that never chose one play. Default when none."""
    newest = session.scalar(
        select(GreetingRow.id)
        .where(
            GreetingRow.account_id == account_id,
            GreetingRow.extension_id == extension_id,
            GreetingRow.kind == VOICEMAIL,
        )
        .order_by(GreetingRow.id.desc())
        .limit(1)
    )
    return Greeting(str(newest)) if newest is not None else DEFAULT_GREETING


def greeting_blob_key(session: Session, account_id: int, greeting_id: str) -> str:
    """Where the audio of a custom greeting of this account is (what a plan's prompt
    names by ``custom_greeting_id``)."""
    key = session.scalar(
        select(GreetingRow.blob_key).where(
            GreetingRow.account_id == account_id,
            GreetingRow.id == (int(greeting_id) if greeting_id.isdigit() else -1),
        )
    )
    if key is None:
        raise NotFound("greetingId")
    return key
