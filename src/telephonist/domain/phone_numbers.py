"""Phone numbers in E.164, parsed from what people type (``phonenumbers`` does the work).

A business phone system stores every outside number as E.164 ("+14092402583") and shows
it the way the user's country writes it ("(409) 240-2583").
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

DEFAULT_REGION = "US"


class PhoneNumberError(ValueError):
    """Text that is not a usable phone number; the message says why."""


def to_e164(text: str, region: str = DEFAULT_REGION) -> str:
    """Parse a typed number ("(409) 240-2583", "+1 409 240 2583", "14092402583") to E.164."""
    cleaned = text.strip()
    if not cleaned:
        raise PhoneNumberError("Phone number is empty")
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    try:
        parsed = phonenumbers.parse(
            cleaned, region.upper() if not cleaned.startswith("+") else None
        )
    except NumberParseException as error:
        raise PhoneNumberError(f"'{text}' is not a phone number: {error._msg}") from error
    if not phonenumbers.is_possible_number(parsed):
        raise PhoneNumberError(f"'{text}' has the wrong number of digits for its country")
    if not phonenumbers.is_valid_number(parsed):
        raise PhoneNumberError(f"'{text}' is not a valid phone number")
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


def is_e164(text: str) -> bool:
    """True when ``text`` is already a valid number written in E.164."""
    if not text.startswith("+"):
        return False
    try:
        return to_e164(text) == text
    except PhoneNumberError:
        return False


def format_national(e164: str) -> str:
    """How the number's own country writes it: "(409) 240-2583"."""
    parsed = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL)


def format_international(e164: str) -> str:
    """The international form: "+1 409-240-2583"."""
    parsed = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL)


def region_of(e164: str) -> str | None:
    """The ISO country of a number, when known."""
    return phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))


def calling_code(region: str) -> int:
    """The country calling code of an ISO region ("US" -> 1, "FR" -> 33)."""
    return phonenumbers.country_code_for_region(region.upper())
