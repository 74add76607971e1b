"""CH-4 partial caller ID and BLK-2 area codes: how typed numbers match callers."""

from __future__ import annotations

import pytest

from telephonist.domain.answering.numbers import NumberPattern, PatternSet

BAY_AREA = "+16505551234"
PARIS_MOBILE = "+33612345678"


def pattern(text: str) -> NumberPattern:
    parsed = NumberPattern.parse(text)
    assert parsed is not None
    return parsed


@pytest.mark.parametrize(
    ("typed", "caller", "matches"),
    [
        ("+16505551234", BAY_AREA, True),  # a full number
        ("+1 (650) 555-1234", BAY_AREA, True),  # typed with separators
        ("+1650", BAY_AREA, True),  # country code and area code, as the guide suggests
        ("+1 650", BAY_AREA, True),
        ("650", BAY_AREA, True),  # area code alone (national significant number)
        ("1650", BAY_AREA, True),  # with the US trunk prefix / country code
        ("(650) 555", BAY_AREA, True),
        ("001650", BAY_AREA, True),  # international prefix 00
        ("+1650", "+14155551234", False),
        ("650", "+14155551234", False),
        ("555", BAY_AREA, False),  # matches from the start only
        ("+1650555123", BAY_AREA, True),  # partial: the first ten digits
        ("+16505551234", "+165055512345", True),
        ("+33", PARIS_MOBILE, True),
        ("06", PARIS_MOBILE, True),  # French national form with trunk prefix 0
        ("0612", PARIS_MOBILE, True),
        ("612", PARIS_MOBILE, True),
        ("0033 6", PARIS_MOBILE, True),
        ("+44", PARIS_MOBILE, False),
        ("07", PARIS_MOBILE, False),
        ("101", "101", True),  # an internal caller's extension number
        ("+101", "101", False),
        ("650", None, False),  # withheld numbers match nothing
    ],
)
def test_partial_caller_id_matching(typed: str, caller: str | None, matches: bool) -> None:
    assert pattern(typed).matches(caller) is matches
    assert PatternSet.of((pattern(typed),)).matches(caller) is matches


@pytest.mark.parametrize("typed", ["", "+", "abc", "650-CALL", "١٢٣"])
def test_text_without_digits_is_not_a_pattern(typed: str) -> None:
    assert NumberPattern.parse(typed) is None


def test_pattern_set_matches_any_of_its_patterns() -> None:
    patterns = PatternSet.of((pattern("+44"), pattern("650")))
    assert patterns.matches(BAY_AREA)
    assert patterns.matches("+442071234567")
    assert not patterns.matches(PARIS_MOBILE)
    assert not PatternSet.of(()).matches(BAY_AREA)


@pytest.mark.parametrize(
    ("first", "second", "overlaps", "covers"),
    [
        ("+1650", "650", True, False),  # "650" also matches +33 6 50 ...
        ("650", "+1650", True, True),
        ("+1", "+1650", True, True),
        ("+1650", "+1", True, False),
        ("650", "+16505551234", True, True),
        ("+1650", "+1651", False, False),
        ("650", "651", False, False),
        ("+33", "06", True, False),
        ("06", "+336", True, True),
    ],
)
def test_pattern_overlap_and_cover(first: str, second: str, overlaps: bool, covers: bool) -> None:
    assert pattern(first).overlaps(pattern(second)) is overlaps
    assert pattern(first).covers(pattern(second)) is covers
