"""Forgotten password (ACC-6): answer the security question (ACC-5) or follow an e-mailed
one-time link, then choose a new password that meets ACC-3. Neither path tells a stranger
whether an account exists."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy.orm import Session

from telephonist.accounts.extensions import get_extension
from telephonist.accounts.users import account_facts
from telephonist.domain import regional
from telephonist.domain.credentials import SecurityQuestion
from telephonist.domain.text import N_
from telephonist.errors import AuthenticationFailed, TooManyAttempts
from telephonist.identity import links
from telephonist.identity.credentials import (
    require_valid_password,
    security_answer_matches,
)
from telephonist.identity.sign_in import LoginName, find_user
from telephonist.mail.templates import render
from telephonist.runtime import Runtime
from telephonist.store.accounts import Account
from telephonist.store.database import after_commit
from telephonist.store.extensions import Extension

WRONG_ANSWER = N_("The answer does not match")


def email_reset_link(session: Session, runtime: Runtime, name: LoginName, now: datetime) -> None:
    """Send a reset link if the user exists; silently do nothing otherwise."""
    extension = find_user(session, name)
    if extension is None or extension.user is None or not extension.email:
        return
    token = links.issue(session, extension.account_id, extension.id, links.PASSWORD_RESET, now)
    account = session.get(Account, extension.account_id)
    assert account is not None
    language = regional.ui_language(extension.user_language or account.language)
    body = render(
        "password_reset.txt",
        language,
        user_name=extension.user.full_name,
        reset_url=f"{runtime.settings.base_url}/password-reset/{token}",
    )
    subject = render("password_reset_subject.txt", language).strip()
    recipient = extension.email
    after_commit(session, lambda: runtime.mailer.send(recipient, subject, body))


def security_question_for(session: Session, name: LoginName) -> str:
    """The user's question; a stranger gets a stable made-up one, so nothing leaks."""
    extension = find_user(session, name)
    if extension is not None and extension.user is not None and extension.user.security_question:
        return extension.user.security_question
    questions = list(SecurityQuestion)
    digest = hashlib.sha256(f"{name.identifier.lower()}*{name.extension}".encode()).digest()
    return questions[digest[0] % len(questions)].value


def reset_with_answer(
    session: Session,
    runtime: Runtime,
    name: LoginName,
    *,
    answer: str,
    password: str,
    password_again: str,
    ip: str,
    now: datetime,
) -> Extension:
    """Set a new password after a correct answer; wrong answers count as failed sign-ins."""
    guard = runtime.sign_in_guard
    moment = runtime.monotonic()
    extension = find_user(session, name)
    key = f"extension:{extension.id}" if extension is not None else f"name:{name.identifier}"
    wait = max(guard.per_ip.retry_after(ip, moment), guard.per_user.retry_after(key, moment))
    if wait > 0:
        raise TooManyAttempts(wait)
    if (
        extension is None
        or extension.user is None
        or not security_answer_matches(extension.user, answer)
    ):
        guard.per_ip.record_failure(ip, moment)
        guard.per_user.record_failure(key, moment)
        raise AuthenticationFailed(WRONG_ANSWER)
    _set_new_password(session, extension, password, password_again, now)
    return extension


def reset_with_link(
    session: Session, token: str, *, password: str, password_again: str, now: datetime
) -> Extension:
    """Set a new password from an e-mailed link; the link then stops working."""
    link = links.open_link(session, token, links.PASSWORD_RESET, now)
    extension = get_extension(session, link.account_id, link.extension_id)
    _set_new_password(session, extension, password, password_again, now)
    link.used_at = now
    return extension


def _set_new_password(
    session: Session, extension: Extension, password: str, again: str, now: datetime
) -> None:
    user = extension.user
    assert user is not None
    user.password_hash = require_valid_password(password, again, account_facts(session, extension))
    user.password_changed_at = now
