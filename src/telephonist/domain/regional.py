"""Regional settings (EXT-4): languages, countries, time zones and time format, with the
identifiers the public API uses for them."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache

import phonenumbers
from babel import Locale


class TimeFormat(StrEnum):
    TWELVE_HOUR = "12h"
    TWENTY_FOUR_HOUR = "24h"


@dataclass(frozen=True)
class Language:
    """A language the portal and prompts speak, with the public API's numeric id."""

    locale_code: str
    api_id: str
    name: str


LANGUAGES: tuple[Language, ...] = (
    Language("en-US", "1033", "English (United States)"),
    Language("en-GB", "2057", "English (United Kingdom)"),
    Language("fr-FR", "1036", "French (France)"),
    Language("fr-CA", "3084", "French (Canada)"),
)
_LANGUAGE_BY_CODE = {language.locale_code.lower(): language for language in LANGUAGES}
_LANGUAGE_BY_ID = {language.api_id: language for language in LANGUAGES}


class RegionalSettingsError(ValueError):
    """A regional setting that does not exist; the message names it."""


def language(code_or_id: str) -> Language:
    """Look a language up by locale code ("fr-FR") or API id ("1036")."""
    found = _LANGUAGE_BY_CODE.get(code_or_id.lower()) or _LANGUAGE_BY_ID.get(code_or_id)
    if found is None:
        supported = ", ".join(lang.locale_code for lang in LANGUAGES)
        raise RegionalSettingsError(f"Language '{code_or_id}' is not supported ({supported})")
    return found


def ui_language(locale_code: str) -> str:
    """The portal translation for a locale: "fr" or "en"."""
    return "fr" if locale_code.lower().startswith("fr") else "en"


@cache
def time_zone_names() -> tuple[str, ...]:
    """Every IANA time zone this machine knows, sorted."""
    return tuple(sorted(zoneinfo.available_timezones()))


def time_zone(name: str) -> zoneinfo.ZoneInfo:
    """A time zone by IANA name; raises RegionalSettingsError for unknown names."""
    if name not in time_zone_names():
        raise RegionalSettingsError(f"Time zone '{name}' does not exist")
    return zoneinfo.ZoneInfo(name)


def time_zone_bias_minutes(name: str, at: datetime) -> int:
    """Offset from UTC in minutes at a moment (negative west of Greenwich)."""
    offset = at.astimezone(time_zone(name)).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


@dataclass(frozen=True)
class Country:
    iso_code: str
    name: str
    calling_code: str


@cache
def countries(display_locale: str = "en") -> tuple[Country, ...]:
    """Countries with a telephone calling code, named in ``display_locale``, sorted by name."""
    names = Locale.parse(display_locale).territories
    found = [
        Country(
            region, names.get(region, region), str(phonenumbers.country_code_for_region(region))
        )
        for region in phonenumbers.SUPPORTED_REGIONS
    ]
    return tuple(sorted(found, key=lambda country: country.name))


def country(iso_code: str, display_locale: str = "en") -> Country:
    """A country by ISO code; raises RegionalSettingsError for unknown codes."""
    wanted = iso_code.upper()
    for candidate in countries(display_locale):
        if candidate.iso_code == wanted:
            return candidate
    raise RegionalSettingsError(f"Country '{iso_code}' does not exist")
