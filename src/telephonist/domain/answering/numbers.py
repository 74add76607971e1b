"""Full and partial phone-number matching for rule conditions (CH-4 caller ID) and block
lists (BLK-2 numbers and area codes).

A pattern is what the user typed: a full number, or the start of one such as a country
code plus area code. Spaces, dots, dashes and brackets are ignored. Matching is always by
prefix (a full number is a prefix of itself), against these forms of the caller's number:

- a pattern starting with "+" (or "00") is international: it matches when the caller's
  E.164 number starts with it ("+1650" matches +1 650 555 1234; "+33" every French number);
- a pattern without "+" matches when any national form of the caller's number starts with
  it: the E.164 digits without "+" ("1650", "33612"), the national significant number
  ("650", "612") or the national number with its trunk prefix ("1650" in the US,
  "0612" in France);
- an internal caller (an extension number, no "+") matches a pattern without "+" that its
  digits start with.

Country codes and trunk prefixes come from the ``phonenumbers`` metadata, so partial
numbers need no parsing (they are not valid numbers) and each caller's forms are computed
once and cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

_SEPARATORS = str.maketrans("", "", " -.()/")
_MAX_COUNTRY_CODE_DIGITS = 3


@dataclass(frozen=True)
class NumberPattern:
    """A typed full or partial number, cleaned once: ``digits`` without separators and
    whether it was written in international form."""

    digits: str
    international: bool

    @classmethod
    def parse(cls, text: str) -> NumberPattern | None:
        """The pattern of ``text``, or None when it holds no digits (or other characters)."""
        cleaned = text.strip().translate(_SEPARATORS)
        international = cleaned.startswith("+")
        if international:
            cleaned = cleaned[1:]
        elif cleaned.startswith("00"):
            international = True
            cleaned = cleaned[2:]
        if not cleaned.isascii() or not cleaned.isdigit():
            return None
        return cls(cleaned, international)

    def matches(self, number: str | None) -> bool:
        """True when the caller ``number`` (E.164, or an extension number) starts with
        this pattern in one of the forms the module docstring lists."""
        if number is None:
            return False
        forms = number_forms(number)
        if self.international:
            return number.startswith("+") and forms[0].startswith(self.digits)
        return any(form.startswith(self.digits) for form in forms)

    def overlaps(self, other: NumberPattern) -> bool:
        """True when some number could match both patterns (one is a prefix of the other
        in a common form); used by "Validate rules"."""
        return any(
            a.startswith(b) or b.startswith(a)
            for a in self._comparable_forms()
            for b in other._comparable_forms()
        )

    def covers(self, other: NumberPattern) -> bool:
        """True when every number matching ``other`` also matches this pattern."""
        if self.international and not other.international:
            return False
        if self.international == other.international:
            return other.digits.startswith(self.digits)
        return any(form.startswith(self.digits) for form in _split_international(other.digits))

    def _comparable_forms(self) -> tuple[str, ...]:
        if not self.international:
            return (self.digits,)
        if _country_code(self.digits) is None:  # "+3": could be any country's numbers
            return (self.digits, "")
        return _split_international(self.digits)


@dataclass(frozen=True)
class PatternSet:
    """Several patterns checked at once (a rule's callers, a block list): one
    ``str.startswith`` per form of the caller's number instead of one per pattern."""

    international: tuple[str, ...]
    national: tuple[str, ...]

    @classmethod
    def of(cls, patterns: tuple[NumberPattern, ...]) -> PatternSet:
        return cls(
            tuple(p.digits for p in patterns if p.international),
            tuple(p.digits for p in patterns if not p.international),
        )

    def matches(self, number: str | None) -> bool:
        """True when any of the patterns matches ``number``."""
        if number is None:
            return False
        return self.matches_forms(number_forms(number), international=number.startswith("+"))

    def matches_forms(self, forms: tuple[str, ...], *, international: bool) -> bool:
        """``matches`` for a number whose ``number_forms`` the caller already has (one
        call checked against many rules)."""
        if self.international and international and forms[0].startswith(self.international):
            return True
        return bool(self.national) and any(form.startswith(self.national) for form in forms)


def _country_code(digits: str) -> str | None:
    for length in range(1, _MAX_COUNTRY_CODE_DIGITS + 1):
        code = digits[:length]
        if len(code) == length and int(code) in COUNTRY_CODE_TO_REGION_CODE:
            return code
    return None


def _trunk_prefix(country_code: str) -> str:
    region = COUNTRY_CODE_TO_REGION_CODE[int(country_code)][0]
    metadata = PhoneMetadata.metadata_for_region(region)
    return (metadata.national_prefix or "") if metadata is not None else ""


@lru_cache(maxsize=1024)
def _split_international(digits: str) -> tuple[str, ...]:
    """International digits (no "+") and the national forms they imply."""
    code = _country_code(digits)
    if code is None:
        return (digits,)
    national = digits[len(code) :]
    trunk = _trunk_prefix(code)
    forms = [digits, national]
    if trunk:
        forms.append(trunk + national)
    return tuple(dict.fromkeys(forms))


@lru_cache(maxsize=4096)
def number_forms(number: str) -> tuple[str, ...]:
    """The forms a caller's number is matched in; the first is its digits without "+"."""
    if number.startswith("+"):
        return _split_international(number[1:])
    return (number.translate(_SEPARATORS),)
