"""Checking and storing a user's password, PIN and security answer (ACC-3, ACC-4, ACC-5).
The server refuses a credential naming every unmet criterion, the same list the portal
shows with live check marks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from telephonist.accounts.access import require_editor
from telephonist.accounts.users import account_facts
from telephonist.domain.credentials import (
    AccountFacts,
    check_password,
    check_pin,
    normalize_security_answer,
    security_question_problems,
    unmet,
)
from telephonist.domain.permissions import Principal
from telephonist.domain.text import N_
from telephonist.errors import FieldProblem, InvalidInput
from telephonist.identity.hashing import hash_secret, verify_secret
from telephonist.store.extensions import Extension, UserProfile


def password_problems(password: str, again: str | None, facts: AccountFacts) -> list[FieldProblem]:
    problems = [
        FieldProblem("password", result.text) for result in unmet(check_password(password, facts))
    ]
    if again is not None and again != password:
        problems.append(FieldProblem("passwordAgain", N_("The two passwords are not the same")))
    return problems


def pin_problems(pin: str, again: str | None, facts: AccountFacts) -> list[FieldProblem]:
    problems = [FieldProblem("pin", result.text) for result in unmet(check_pin(pin, facts))]
    if again is not None and again != pin:
        problems.append(FieldProblem("pinAgain", N_("The two PINs are not the same")))
    return problems


def question_problems(question: str, answer: str) -> list[FieldProblem]:
    return [
        FieldProblem("securityAnswer" if "answer" in text else "securityQuestion", text)
        for text in security_question_problems(question, answer)
    ]


def require_valid_password(password: str, again: str | None, facts: AccountFacts) -> str:
    """The Argon2 hash of an acceptable password, else InvalidInput listing what is unmet."""
    problems = password_problems(password, again, facts)
    if problems:
        raise InvalidInput(problems, unprocessable=True)
    return hash_secret(password)


def set_password(user: UserProfile, password: str, facts: AccountFacts, now: datetime) -> None:
    user.password_hash = require_valid_password(password, None, facts)
    user.password_changed_at = now


def set_pin(user: UserProfile, pin: str, facts: AccountFacts) -> None:
    problems = pin_problems(pin, None, facts)
    if problems:
        raise InvalidInput(problems, unprocessable=True)
    user.pin_hash = hash_secret(pin)


def set_security_question(user: UserProfile, question: str, answer: str) -> None:
    problems = question_problems(question, answer)
    if problems:
        raise InvalidInput(problems, unprocessable=True)
    user.security_question = question
    user.security_answer_hash = hash_secret(normalize_security_answer(answer))


def security_answer_matches(user: UserProfile, answer: str) -> bool:
    return verify_secret(user.security_answer_hash, normalize_security_answer(answer))


def change_credentials(
    session: Session,
    principal: Principal,
    extension: Extension,
    *,
    password: str | None,
    pin: str | None,
    now: datetime,
) -> None:
    """Set a new password and/or PIN through the REST API, naming every unmet criterion."""
    if password is None and pin is None:
        return
    require_editor(principal, extension)
    user = extension.user
    if user is None:
        raise InvalidInput([FieldProblem("password", N_("Only users have a password and a PIN"))])
    facts = account_facts(session, extension)
    problems = []
    if password is not None:
        problems += password_problems(password, None, facts)
    if pin is not None:
        problems += [
            FieldProblem("ivrPin", problem.message) for problem in pin_problems(pin, None, facts)
        ]
    if problems:
        raise InvalidInput(problems, unprocessable=True)
    if password is not None:
        set_password(user, password, facts, now)
    if pin is not None:
        set_pin(user, pin, facts)
