"""Password, PIN and security-question rules (ACC-3, ACC-4, ACC-5), exactly as the guide
lists them, so the portal's live check marks and the server's refusal use the same code.

Each check returns every criterion with whether it is met, in the guide's order; callers
show the list or name the unmet ones. No I/O here.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from telephonist.domain.text import N_

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 32
PIN_MIN_LENGTH = 6
PIN_MAX_LENGTH = 10
SECURITY_ANSWER_MIN_LENGTH = 5
SEQUENCE_LENGTH = 4
"""The guide's examples of sequences ("1234", "abcd", "7890") are four characters long."""
REPEAT_LENGTH = 3
"""The guide's examples of repeats ("222", "AAA", "www") are three characters long."""
PHONE_DIGITS_CHECKED = 4
"""A credential may not contain the last four digits of the user's phone numbers."""
NAME_MIN_LENGTH_CHECKED = 3


class PasswordCriterion(StrEnum):
    """ACC-3 criteria, in the order the activation page lists them."""

    LETTER = "letter"
    DIGIT = "digit"
    UPPER_OR_SPECIAL = "upper_or_special"
    NO_SEQUENCE = "no_sequence"
    NO_REPEAT = "no_repeat"
    NO_ACCOUNT_INFO = "no_account_info"
    LENGTH = "length"


class PinCriterion(StrEnum):
    """ACC-4 criteria, in the order the activation page lists them."""

    DIGITS_ONLY = "digits_only"
    NO_SEQUENCE = "no_sequence"
    NO_REPEAT = "no_repeat"
    NO_ACCOUNT_INFO = "no_account_info"
    LENGTH = "length"


PASSWORD_CRITERIA_TEXT: dict[PasswordCriterion, str] = {
    PasswordCriterion.LETTER: N_("At least one letter (a-z in character)"),
    PasswordCriterion.DIGIT: N_("At least one number (0-9)"),
    PasswordCriterion.UPPER_OR_SPECIAL: N_(
        "One upper case letter or special character (e.g. I, @, $, #)"
    ),
    PasswordCriterion.NO_SEQUENCE: N_('No sequential (e.g. "1234", "abcd")'),
    PasswordCriterion.NO_REPEAT: N_('No repeating (e.g. "222", "AAA", "www")'),
    PasswordCriterion.NO_ACCOUNT_INFO: N_(
        "No account information (e.g. first/last name, phone number)"
    ),
    PasswordCriterion.LENGTH: N_("Length 8-32 characters"),
}

PIN_CRITERIA_TEXT: dict[PinCriterion, str] = {
    PinCriterion.DIGITS_ONLY: N_("Only digits"),
    PinCriterion.NO_SEQUENCE: N_('No sequential (e.g. "1234", "7890")'),
    PinCriterion.NO_REPEAT: N_('No repeating (e.g. "222", "00000")'),
    PinCriterion.NO_ACCOUNT_INFO: N_(
        "No account information (e.g. extension number, phone number)"
    ),
    PinCriterion.LENGTH: N_("Length 6-10 digits"),
}


class SecurityQuestion(StrEnum):
    """ACC-5: the fixed list of questions."""

    CHILDHOOD_NICKNAME = "childhood_nickname"
    YOUNGEST_CHILD_MIDDLE_NAME = "youngest_child_middle_name"
    OLDEST_SIBLING_MIDDLE_NAME = "oldest_sibling_middle_name"
    SIXTH_GRADE_SCHOOL = "sixth_grade_school"
    DRIVERS_LICENSE_LAST_5 = "drivers_license_last_5"


SECURITY_QUESTION_TEXT: dict[SecurityQuestion, str] = {
    SecurityQuestion.CHILDHOOD_NICKNAME: N_("What was your childhood nickname?"),
    SecurityQuestion.YOUNGEST_CHILD_MIDDLE_NAME: N_(
        "What is the middle name of your youngest child?"
    ),
    SecurityQuestion.OLDEST_SIBLING_MIDDLE_NAME: N_("What is your oldest sibling's middle name?"),
    SecurityQuestion.SIXTH_GRADE_SCHOOL: N_("What school did you attend for sixth grade?"),
    SecurityQuestion.DRIVERS_LICENSE_LAST_5: N_(
        "What are the last 5 digits of your driver's license number?"
    ),
}


@dataclass(frozen=True)
class AccountFacts:
    """What a credential may not contain: the user's names, extension and numbers."""

    first_name: str = ""
    last_name: str = ""
    extension_number: str = ""
    phone_numbers: tuple[str, ...] = ()


C = TypeVar("C", PasswordCriterion, PinCriterion)


@dataclass(frozen=True)
class CriterionResult(Generic[C]):
    """One line of the criteria list with its check mark."""

    criterion: C
    text: str
    met: bool


_DIGIT_CYCLE = "0123456789" * 2
"""Digits wrap around (twice, to catch both directions): the guide counts "7890"."""
_ALPHABET = string.ascii_lowercase


def _is_step_run(window: str, alphabet: str) -> bool:
    """True when ``window`` walks ``alphabet`` one step at a time, up or down."""
    return window in alphabet or window[::-1] in alphabet


def has_sequence(value: str, length: int = SEQUENCE_LENGTH) -> bool:
    """True when ``value`` holds ``length`` consecutive digits or letters, up or down."""
    lowered = value.lower()
    for start in range(len(lowered) - length + 1):
        window = lowered[start : start + length]
        if window.isdigit() and _is_step_run(window, _DIGIT_CYCLE):
            return True
        if window.isascii() and window.isalpha() and _is_step_run(window, _ALPHABET):
            return True
    return False


_REPEAT = re.compile(rf"(.)\1{{{REPEAT_LENGTH - 1}}}", re.IGNORECASE | re.DOTALL)


def has_repeat(value: str) -> bool:
    """True when one character appears three times in a row ("222", "AAA", "www")."""
    return _REPEAT.search(value) is not None


def _phone_fragments(phone_numbers: Iterable[str]) -> set[str]:
    fragments = set()
    for number in phone_numbers:
        digits = "".join(ch for ch in number if ch.isdigit())
        if len(digits) >= PHONE_DIGITS_CHECKED:
            fragments.add(digits[-PHONE_DIGITS_CHECKED:])
    return fragments


def contains_account_info(value: str, facts: AccountFacts, *, include_names: bool) -> bool:
    """True when ``value`` contains a name, the extension, or a phone number's last digits."""
    lowered = value.lower()
    if include_names:
        for name in (facts.first_name, facts.last_name):
            name = name.strip().lower()
            if len(name) >= NAME_MIN_LENGTH_CHECKED and name in lowered:
                return True
    extension = facts.extension_number.strip()
    if extension and extension in value:
        return True
    return any(fragment in value for fragment in _phone_fragments(facts.phone_numbers))


def check_password(password: str, facts: AccountFacts) -> list[CriterionResult[PasswordCriterion]]:
    """Every ACC-3 criterion with whether ``password`` meets it."""
    met = {
        PasswordCriterion.LETTER: any(ch.isascii() and ch.isalpha() for ch in password),
        PasswordCriterion.DIGIT: any(ch.isdigit() for ch in password),
        PasswordCriterion.UPPER_OR_SPECIAL: any(
            ch.isupper() or not (ch.isalnum() or ch.isspace()) for ch in password
        ),
        PasswordCriterion.NO_SEQUENCE: bool(password) and not has_sequence(password),
        PasswordCriterion.NO_REPEAT: bool(password) and not has_repeat(password),
        PasswordCriterion.NO_ACCOUNT_INFO: bool(password)
        and not contains_account_info(password, facts, include_names=True),
        PasswordCriterion.LENGTH: PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH,
    }
    return [CriterionResult(c, PASSWORD_CRITERIA_TEXT[c], met[c]) for c in PasswordCriterion]


def check_pin(pin: str, facts: AccountFacts) -> list[CriterionResult[PinCriterion]]:
    """Every ACC-4 criterion with whether ``pin`` meets it."""
    met = {
        PinCriterion.DIGITS_ONLY: pin.isascii() and pin.isdigit(),
        PinCriterion.NO_SEQUENCE: bool(pin) and not has_sequence(pin),
        PinCriterion.NO_REPEAT: bool(pin) and not has_repeat(pin),
        PinCriterion.NO_ACCOUNT_INFO: bool(pin)
        and not contains_account_info(pin, facts, include_names=False),
        PinCriterion.LENGTH: PIN_MIN_LENGTH <= len(pin) <= PIN_MAX_LENGTH,
    }
    return [CriterionResult(c, PIN_CRITERIA_TEXT[c], met[c]) for c in PinCriterion]


def unmet(results: Iterable[CriterionResult[C]]) -> list[CriterionResult[C]]:
    """The criteria a value fails, in display order."""
    return [result for result in results if not result.met]


def security_question_problems(question: str, answer: str) -> list[str]:
    """ACC-5: what is wrong with a question/answer pair (empty when acceptable)."""
    problems = []
    if question not in SecurityQuestion.__members__.values():
        problems.append(N_("Choose one of the security questions in the list"))
    if len(answer.strip()) < SECURITY_ANSWER_MIN_LENGTH:
        problems.append(N_("The answer must be 5 or more characters"))
    return problems


def normalize_security_answer(answer: str) -> str:
    """Answers compare case- and space-insensitively: people retype them from memory."""
    return " ".join(answer.lower().split())
