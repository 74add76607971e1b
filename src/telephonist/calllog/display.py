"""Call-log records as the guide's table shows them (LOG-2): a type icon, "From:" or
"To:" with the other party's extension or number, their name, the date and time in the
user's time zone, regional format and time format, the action, the result, and the
length as h:mm:ss. Used by the Call Log tab and the Overview's recent calls."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import phonenumbers
from babel import Locale
from babel.dates import format_skeleton, format_time

from telephonist.accounts.users import EffectiveRegional
from telephonist.calllog.records import CallResult, Direction
from telephonist.calllog.search import duration_seconds
from telephonist.domain.phone_numbers import format_international, format_national, region_of
from telephonist.domain.regional import TimeFormat
from telephonist.domain.text import N_
from telephonist.store.telephony import CallRecord

KIND_LABELS = {
    "incoming": N_("Incoming call"),
    "outgoing": N_("Outgoing call"),
    "missed": N_("Missed call"),
}
KIND_ICONS = {"incoming": "↙", "outgoing": "↗", "missed": "↙✕"}


@dataclass(frozen=True)
class CallLine:
    """One row; the texts marked with N_ are translated by the template."""

    kind: str
    party_label: str
    party: str
    name: str
    when: str
    action: str
    result: str
    length: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def icon(self) -> str:
        return KIND_ICONS[self.kind]


def length_text(seconds: int) -> str:
    """0:01:27."""
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def moment_text(moment: datetime, settings: EffectiveRegional) -> str:
    """ "10/26/2020 12:51 PM" for en-US in 12h, "26/10/2020 12:51" for fr-FR in 24h."""
    local = moment.astimezone(ZoneInfo(settings.time_zone))
    locale = Locale.parse(settings.regional_format, sep="-")
    pattern = "HH:mm" if settings.time_format == TimeFormat.TWENTY_FOUR_HOUR else "h:mm a"
    day = format_skeleton("yMd", local, locale=locale)
    return f"{day} {format_time(local, pattern, locale=locale)}"


def number_text(number: str, home_country: str) -> str:
    """A number as the user's country writes it, or in international form when it is
    foreign; text that is not a phone number (it comes from the network) is shown as is."""
    try:
        foreign = region_of(number) != home_country.upper()
        return format_international(number) if foreign else format_national(number)
    except phonenumbers.NumberParseException:
        return number


def call_line(record: CallRecord, settings: EffectiveRegional) -> CallLine:
    """The row of one record; the other party is the caller of an inbound call and the
    callee of an outbound one, shown by extension number when inside the company."""
    inbound = record.direction == Direction.INBOUND
    if inbound:
        kind = "missed" if record.result == CallResult.MISSED else "incoming"
        number, extension, name = record.from_number, record.from_extension, record.from_name
    else:
        kind = "outgoing"
        number, extension, name = record.to_number, record.to_extension, record.to_name
    return CallLine(
        kind=kind,
        party_label=N_("From:") if inbound else N_("To:"),
        party=extension or (number_text(number, settings.home_country) if number else ""),
        name=name,
        when=moment_text(record.start_time, settings),
        action=record.action,
        result=record.result,
        length=length_text(duration_seconds(record)),
    )


def call_lines(records: Iterable[CallRecord], settings: EffectiveRegional) -> list[CallLine]:
    """The rows of ``records``, in their order."""
    return [call_line(record, settings) for record in records]
