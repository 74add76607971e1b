"""How numbers are written for a trunk (issue 3 item 5): E.164, national (10 digits) or
1+10, with the 011 international prefix for numbers outside North America; and back."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from telephonist.domain.dialing import NumberFormat, format_for_trunk, from_trunk

E164, NATIONAL, ONE_PLUS_TEN = NumberFormat.E164, NumberFormat.NATIONAL, NumberFormat.ONE_PLUS_TEN


@pytest.mark.parametrize(
    ("e164", "number_format", "sent"),
    [
        ("+14155550100", E164, "+14155550100"),
        ("+14155550100", NATIONAL, "4155550100"),
        ("+14155550100", ONE_PLUS_TEN, "14155550100"),
        ("+16135550123", NATIONAL, "6135550123"),
        ("+33142685300", E164, "+33142685300"),
        ("+33142685300", NATIONAL, "01133142685300"),
        ("+33142685300", ONE_PLUS_TEN, "01133142685300"),
        ("+390612345678", NATIONAL, "011390612345678"),
    ],
)
def test_a_number_is_written_as_the_trunk_wants_it(
    e164: str, number_format: NumberFormat, sent: str
) -> None:
    assert format_for_trunk(e164, number_format) == sent


@pytest.mark.parametrize(
    ("received", "e164"),
    [
        ("+14155550100", "+14155550100"),
        ("4155550100", "+14155550100"),
        ("14155550100", "+14155550100"),
        ("1 (415) 555-0100", "+14155550100"),
        ("01133142685300", "+33142685300"),
        ("12", None),
        ("anonymous", None),
    ],
)
def test_a_number_from_the_trunk_is_read_back_in_e164(received: str, e164: str | None) -> None:
    assert from_trunk(received, home_country="US") == e164


def test_the_formats_have_the_names_the_api_uses() -> None:
    assert [number_format.value for number_format in NumberFormat] == ["e164", "national", "1+10"]


NUMBER_TYPES = [
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.TOLL_FREE,
]


@st.composite
def valid_numbers(draw: st.DrawFn) -> str:
    """A valid number of any country: an example number with its last digits changed."""
    region = draw(st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS)))
    number_type = draw(st.sampled_from(NUMBER_TYPES))
    example = phonenumbers.example_number_for_type(region, number_type)
    if example is None:
        example = phonenumbers.example_number(region)
    digits = str(example.national_number)
    tail = draw(st.integers(0, 999))
    changed = digits[:-3] + f"{tail:03d}" if len(digits) > 3 else digits
    candidate = phonenumbers.parse(f"+{example.country_code}{changed}", None)
    if example.italian_leading_zero:
        candidate = example
    if not phonenumbers.is_valid_number(candidate):
        candidate = example
    return phonenumbers.format_number(candidate, PhoneNumberFormat.E164)


@given(e164=valid_numbers(), number_format=st.sampled_from(list(NumberFormat)))
def test_every_number_comes_back_from_the_trunk_unchanged(
    e164: str, number_format: NumberFormat
) -> None:
    assert from_trunk(format_for_trunk(e164, number_format), home_country="US") == e164


@given(national=st.from_regex(r"[2-9][0-8][0-9][2-9][0-9]{6}", fullmatch=True))
def test_north_american_numbers_are_ten_digits_or_one_plus_ten(national: str) -> None:
    e164 = "+1" + national
    assert format_for_trunk(e164, NATIONAL) == national
    assert format_for_trunk(e164, ONE_PLUS_TEN) == "1" + national
