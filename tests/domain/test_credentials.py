"""ACC-3 password, ACC-4 PIN and ACC-5 security-question rules, with every example the
guide gives, plus Hypothesis invariants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telephonist.domain.credentials import (
    AccountFacts,
    SecurityQuestion,
    check_password,
    check_pin,
    has_repeat,
    has_sequence,
    normalize_security_answer,
    security_question_problems,
    unmet,
)
from telephonist.domain.credentials import (
    PasswordCriterion as P,
)
from telephonist.domain.credentials import (
    PinCriterion as N,
)

DULCINEA = AccountFacts(
    first_name="Dulcinea",
    last_name="Dunn",
    extension_number="11103",
    phone_numbers=("+14092402117", "+14092402583"),
)


def unmet_password(password: str) -> set[P]:
    return {result.criterion for result in unmet(check_password(password, DULCINEA))}


def unmet_pin(pin: str) -> set[N]:
    return {result.criterion for result in unmet(check_pin(pin, DULCINEA))}


@pytest.mark.parametrize(
    ("password", "expected_unmet"),
    [
        ("Welcome#2026", set()),
        ("Kq7$mPz!", set()),
        # at least one letter
        ("9#7$5@3!1", {P.LETTER}),
        # at least one number
        ("Welcome#Home", {P.DIGIT}),
        # one upper-case letter or special character
        ("welcome2026x", {P.UPPER_OR_SPECIAL}),
        ("Welcome2026x", set()),
        ("welcome#2026", set()),
        # no sequences: the guide's "1234" and "abcd"
        ("Pass#1234x", {P.NO_SEQUENCE}),
        ("Zabcd#975q", {P.NO_SEQUENCE}),
        ("Zdcba#975q", {P.NO_SEQUENCE}),
        ("Pass#123x9", set()),
        # no repeats: the guide's "222", "AAA", "www"
        ("Pass#2229q", {P.NO_REPEAT}),
        ("PAAAss#97q", {P.NO_REPEAT}),
        ("Pwwws#97qZ", {P.NO_REPEAT}),
        ("Pass#2297q", set()),
        # no account information: first/last name, phone number
        ("Dulcinea#97", {P.NO_ACCOUNT_INFO}),
        ("xxDUNN#975q", {P.NO_ACCOUNT_INFO}),
        ("Call#2117me", {P.NO_ACCOUNT_INFO}),
        ("Call#2583me", {P.NO_ACCOUNT_INFO}),
        # length 8-32: 7 and 33 refused, 8 and 32 accepted
        ("Wx#7q9z", {P.LENGTH}),
        ("Wx#7q9zk", set()),
        ("Wx#7q9zk" * 4, set()),
        ("Wx#7q9zk" * 4 + "m", {P.LENGTH}),
        ("", set(P)),
    ],
)
def test_password_criteria_follow_the_guide(password: str, expected_unmet: set[P]) -> None:
    assert unmet_password(password) == expected_unmet


@pytest.mark.parametrize(
    ("pin", "expected_unmet"),
    [
        ("591738", set()),
        ("59173820", set()),
        # only digits
        ("59173a", {N.DIGITS_ONLY}),
        ("5917 38", {N.DIGITS_ONLY}),
        # no sequences: the guide's "1234" and "7890" (nine wraps to zero)
        ("951234", {N.NO_SEQUENCE}),
        ("957890", {N.NO_SEQUENCE}),
        ("950987", {N.NO_SEQUENCE}),
        ("951235", set()),
        # no repeats: the guide's "222" and "00000"
        ("952229", {N.NO_REPEAT}),
        ("00000913", {N.NO_REPEAT}),
        ("955229", set()),
        # no account information: extension number and phone number
        ("911103", {N.NO_ACCOUNT_INFO, N.NO_REPEAT}),
        ("592117", {N.NO_ACCOUNT_INFO}),
        # length 6-10: 5 and 11 refused, 6 and 10 accepted
        ("59173", {N.LENGTH}),
        ("5917382046", set()),
        ("59173820461", {N.LENGTH}),
        ("", set(N)),
    ],
)
def test_pin_criteria_follow_the_guide(pin: str, expected_unmet: set[N]) -> None:
    assert unmet_pin(pin) == expected_unmet


def test_criteria_are_listed_in_the_guides_order_with_its_words() -> None:
    texts = [result.text for result in check_password("", DULCINEA)]
    assert texts[0] == "At least one letter (a-z in character)"
    assert texts[-1] == "Length 8-32 characters"
    assert check_pin("", DULCINEA)[0].text == "Only digits"


@pytest.mark.parametrize(
    ("question", "answer", "problems"),
    [
        (SecurityQuestion.CHILDHOOD_NICKNAME.value, "Sparky", 0),
        (SecurityQuestion.DRIVERS_LICENSE_LAST_5.value, "12345", 0),
        (SecurityQuestion.SIXTH_GRADE_SCHOOL.value, "1234", 1),
        (SecurityQuestion.SIXTH_GRADE_SCHOOL.value, "  ab  ", 1),
        ("favourite_colour", "Purple", 1),
        ("", "", 2),
    ],
)
def test_security_question_comes_from_the_list_and_answer_has_five_characters(
    question: str, answer: str, problems: int
) -> None:
    assert len(security_question_problems(question, answer)) == problems


def test_security_answers_compare_without_case_or_extra_spaces() -> None:
    assert normalize_security_answer("  Big   Bird ") == normalize_security_answer("big bird")


@given(st.text(alphabet="0123456789", min_size=6, max_size=10))
def test_pins_with_a_run_of_four_consecutive_digits_are_refused(pin: str) -> None:
    runs = any(
        all((int(pin[i + k + 1]) - int(pin[i + k])) % 10 == step for k in range(3))
        for i in range(len(pin) - 3)
        for step in (1, 9)
    )
    assert has_sequence(pin) == runs


@given(st.text(min_size=1, max_size=40))
def test_a_password_meeting_every_criterion_has_no_repeat_and_no_sequence(password: str) -> None:
    if not unmet(check_password(password, DULCINEA)):
        assert not has_repeat(password)
        assert not has_sequence(password)
        assert 8 <= len(password) <= 32


@given(st.text(min_size=0, max_size=40))
def test_checks_never_fail_on_any_input(text: str) -> None:
    assert len(check_password(text, DULCINEA)) == len(P)
    assert len(check_pin(text, DULCINEA)) == len(N)
