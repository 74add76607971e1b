"""The dial plan (issue 3 item 5): what a user dialled (an extension, an emergency number,
an outside number typed as 7 or 10 digits, 1+10 digits or E.164) and how numbers are
written for a trunk (NumberFormat). Pure: the caller passes what it knows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from telephonist.domain.extensions import EXTENSION_NUMBER_MAX_DIGITS, EXTENSION_NUMBER_MIN_DIGITS

EMERGENCY_NUMBERS = frozenset({"911", "112"})
"""E911-2: these always go out to the carrier, from any registered device."""

_VISUAL_SEPARATORS = str.maketrans("", "", " -.()/")


class DialledKind(StrEnum):
    EXTENSION = "extension"
    EMERGENCY = "emergency"
    OUTSIDE = "outside"
    INVALID = "invalid"


@dataclass(frozen=True)
class Dialled:
    """What a dialled string means: an extension number, an emergency number, or an
    outside number in E.164."""

    kind: DialledKind
    value: str


def clean(dialled: str) -> str:
    """Digits (and a leading +) without the separators people type."""
    return dialled.strip().translate(_VISUAL_SEPARATORS)


def classify(
    dialled: str,
    *,
    home_country: str,
    default_area_code: str,
    is_extension: Callable[[str], bool],
) -> Dialled:
    """Decide what ``dialled`` is for a user of ``home_country``; 7-digit numbers get
    the phone's default area code (NANP)."""
    digits = clean(dialled)
    if digits in EMERGENCY_NUMBERS:
        return Dialled(DialledKind.EMERGENCY, digits)
    if (
        digits.isdigit()
        and EXTENSION_NUMBER_MIN_DIGITS <= len(digits) <= EXTENSION_NUMBER_MAX_DIGITS
        and is_extension(digits)
    ):
        return Dialled(DialledKind.EXTENSION, digits)
    e164 = outside_number(digits, home_country=home_country, default_area_code=default_area_code)
    if e164 is None:
        return Dialled(DialledKind.INVALID, digits)
    return Dialled(DialledKind.OUTSIDE, e164)


def outside_number(digits: str, *, home_country: str, default_area_code: str = "") -> str | None:
    """``digits`` as a valid E.164 number, or None."""
    if not digits or not (digits.isdigit() or (digits[0] == "+" and digits[1:].isdigit())):
        return None
    region = home_country.upper()
    candidate = digits
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    if (
        not candidate.startswith("+")
        and len(candidate) == 7
        and default_area_code
        and phonenumbers.country_code_for_region(region) == 1
    ):
        candidate = default_area_code + candidate
    try:
        parsed = phonenumbers.parse(candidate, None if candidate.startswith("+") else region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


class NumberFormat(StrEnum):
    """How a trunk writes numbers: "+14155550100", "4155550100" or "14155550100"."""

    E164 = "e164"
    NATIONAL = "national"
    ONE_PLUS_TEN = "1+10"


def format_for_trunk(e164: str, number_format: NumberFormat) -> str:
    """A number the way a North American trunk wants it; numbers outside NANP get the
    011 international prefix in the national and 1+10 formats."""
    parsed = phonenumbers.parse(e164, None)
    national = str(parsed.national_number)
    if number_format is NumberFormat.E164:
        return e164
    if parsed.country_code != 1:
        return "011" + e164[1:]
    if number_format is NumberFormat.NATIONAL:
        return national
    return "1" + national


def from_trunk(number: str, *, home_country: str) -> str | None:
    """A number as a trunk sent it (any of the three formats) in E.164, or None."""
    return outside_number(clean(number), home_country=home_country)
