"""The prompt table (WEB-6): every prompt exists in English and French with the same slots,
and the defaults are the guide's words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telephonist.prompts.catalogue import (
    AUDIO_SLOTS,
    LANGUAGES,
    PROMPT_TEXTS,
    Plural,
    PromptKind,
    prompt_language,
    prompt_text,
    slots,
    speakable,
    spoken_digits,
)


def wordings(kind: PromptKind, language: str) -> list[str]:
    text = PROMPT_TEXTS[kind, language]
    return [text.zero, text.one, text.other] if isinstance(text, Plural) else [text]


@pytest.mark.parametrize("kind", list(PromptKind), ids=lambda kind: kind.value)
def test_every_prompt_is_in_english_and_french_with_the_same_slots(kind: PromptKind) -> None:
    english, french = (wordings(kind, language) for language in LANGUAGES)
    assert len(english) == len(french)
    for english_text, french_text in zip(english, french, strict=True):
        assert english_text.strip() and french_text.strip()
        assert english_text != french_text
        assert sorted(slots(english_text)) == sorted(slots(french_text))


def test_the_table_has_nothing_but_both_languages_of_each_kind() -> None:
    assert set(PROMPT_TEXTS) == {(kind, language) for kind in PromptKind for language in LANGUAGES}


@pytest.mark.parametrize(
    ("kind", "language", "text"),
    [
        (PromptKind.CONNECTING, "en", "Please hold while I try to connect you."),
        (
            PromptKind.BLOCKED,
            "en",
            "I'm sorry. The number you dialed can not be reached from your calling area. Goodbye.",
        ),
        (
            PromptKind.PAYPHONE_BLOCKED,
            "en",
            "I'm sorry, the number you dialed cannot accept calls from payphones at this time. "
            "Please try your call again later. Goodbye.",
        ),
        (PromptKind.USER_GREETING, "en", "Thank you for calling {name}."),
        (PromptKind.USER_GREETING, "fr", "Merci d'avoir appelé {name}."),
        (PromptKind.CALL_ANNOUNCEMENT, "fr", "{name}, vous avez un appel."),
        (
            PromptKind.QUEUE_CALL_ANNOUNCEMENT,
            "fr",
            "Appel en attente, pour accepter cet appel, appuyez sur 1.",
        ),
        (PromptKind.RINGOUT_CONFIRM, "fr", "Bonjour. Pour effectuer cet appel, appuyez sur 1."),
        (
            PromptKind.VOICEMAIL_GREETING,
            "en",
            "{name} is not available. Please leave a message after the tone.",
        ),
    ],
)
def test_defaults_use_the_guides_words(kind: PromptKind, language: str, text: str) -> None:
    assert PROMPT_TEXTS[kind, language] == text


@pytest.mark.parametrize(
    ("language", "count", "text"),
    [
        ("en", 0, "You have no new messages"),
        ("en", 1, "You have one new message"),
        ("en", 7, "You have {count} new messages"),
        ("fr", 0, "Vous n'avez aucun nouveau message"),
        ("fr", 1, "Vous avez un nouveau message"),
        ("fr", 2, "Vous avez {count} nouveaux messages"),
    ],
)
def test_counts_choose_their_wording(language: str, count: int, text: str) -> None:
    assert prompt_text(PromptKind.NEW_MESSAGES, language, count) == text


def test_a_count_prompt_needs_its_count() -> None:
    with pytest.raises(ValueError, match="count"):
        prompt_text(PromptKind.SAVED_MESSAGES, "en")


@pytest.mark.parametrize(
    ("code", "language"),
    [("fr-FR", "fr"), ("fr_CA", "fr"), ("FR", "fr"), ("en-US", "en"), ("en-GB", "en"),
     ("de-DE", "en"), ("", "en"), (None, "en")],
)  # fmt: skip
def test_prompt_language_of_a_user_language(code: str | None, language: str) -> None:
    assert prompt_language(code) == language


def test_only_the_screened_callers_name_is_recorded_audio() -> None:
    audio_slots = {
        slot
        for kind, language in PROMPT_TEXTS
        for text in wordings(kind, language)
        for slot in slots(text)
        if slot in AUDIO_SLOTS
    }
    assert audio_slots == {"recorded_name"}
    assert slots(prompt_text(PromptKind.SCREENING_OFFER, "fr")) == ["recorded_name"]


@pytest.mark.parametrize(
    ("name", "spoken"),
    [
        ("Ann Lee", "Ann Lee"),
        ("Zoë D'Arcy-Ménard", "Zoë D'Arcy-Ménard"),
        ("--rate 999 <script>", "rate 999 script"),
        ("Sales & Support\n\t", "Sales & Support"),
    ],
)
def test_names_are_made_safe_to_speak(name: str, spoken: str) -> None:
    assert speakable(name) == spoken


@given(st.text(max_size=300))
def test_speakable_text_is_short_plain_and_never_an_option(value: str) -> None:
    spoken = speakable(value)
    assert len(spoken) <= 80
    assert not spoken.startswith("-")
    assert all(character.isalnum() or character in " '.,-&_" for character in spoken)


def test_numbers_are_read_digit_by_digit() -> None:
    assert spoken_digits("+1 (650) 555-0123") == "1 6 5 0 5 5 5 0 1 2 3"
