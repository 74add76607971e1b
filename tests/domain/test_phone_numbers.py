"""Numbers typed every way a user types them end up in E.164."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from telephonist.domain.phone_numbers import (
    PhoneNumberError,
    format_national,
    is_e164,
    to_e164,
)


@pytest.mark.parametrize(
    ("typed", "region", "e164"),
    [
        ("(409) 240-2583", "US", "+14092402583"),
        ("409 240 2583", "US", "+14092402583"),
        ("1 409 240 2583", "US", "+14092402583"),
        ("+1 303 968 8766", "FR", "+13039688766"),
        ("011 33 1 42 68 53 00", "US", "+33142685300"),
        ("01 42 68 53 00", "FR", "+33142685300"),
        ("0033142685300", "US", "+33142685300"),
    ],
)
def test_typed_numbers_become_e164(typed: str, region: str, e164: str) -> None:
    assert to_e164(typed, region) == e164


@pytest.mark.parametrize("typed", ["", "   ", "hello", "123", "+1 409 240 25839999"])
def test_unusable_numbers_are_refused_with_a_reason(typed: str) -> None:
    with pytest.raises(PhoneNumberError) as error:
        to_e164(typed)
    assert str(error.value)


def test_national_format_is_how_the_guide_writes_numbers() -> None:
    assert format_national("+14092402583") == "(409) 240-2583"


US_NUMBERS = st.builds(
    lambda area, exchange, line: f"+1{area}{exchange}{line:04d}",
    st.sampled_from(["212", "303", "409", "415", "650", "720"]),
    st.sampled_from(["240", "555", "968", "209", "734"]),
    st.integers(0, 9999),
)


@given(US_NUMBERS)
def test_formatting_then_parsing_gives_the_same_number(e164: str) -> None:
    if not phonenumbers.is_valid_number(phonenumbers.parse(e164)):
        return
    assert to_e164(format_national(e164), "US") == e164
    assert is_e164(e164)
