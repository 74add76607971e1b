"""What the call-handling portal pages share: greeting choices, the weekly schedule
editor, the forwarding list editor (CH-2) as form state, and turning service errors
into errors next to the fields. Each editor reads the posted form, applies the button
pressed (move, merge, copy...) and gives back values to show again or domain values to
save, so that nothing is saved until the user presses Save."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from telephonist.accounts.extensions import ExtensionFilter, list_extensions
from telephonist.answering import rules
from telephonist.answering.codec import MAX_RING_COUNT
from telephonist.domain.answering.errors import RuleValidationError
from telephonist.domain.answering.model import (
    DEFAULT_GREETING,
    AnsweringRule,
    Forwarding,
    ForwardingEntry,
    ForwardingNumber,
    ForwardingNumberType,
    Greeting,
    RingingMode,
)
from telephonist.domain.answering.schedule import (
    WEEKDAYS,
    WORKDAYS,
    TimeInterval,
    WeeklySchedule,
)
from telephonist.domain.extensions import ExtensionType
from telephonist.domain.text import N_
from telephonist.errors import Conflict, FieldProblem, InvalidInput
from telephonist.i18n import gettext_for
from telephonist.portal.visitors import SignedIn
from telephonist.store.devices import Device
from telephonist.store.extensions import Extension
from telephonist.store.identity import Greeting as GreetingRow

Errors = dict[str, list[str]]
DEFAULT = "default"
BAD_TIME = N_("Enter a time as hh:mm, for example 12:00")
MISSING_TIME = N_("Enter both the start and the end time")
DAY_LABELS = {
    "monday": N_("Monday"),
    "tuesday": N_("Tuesday"),
    "wednesday": N_("Wednesday"),
    "thursday": N_("Thursday"),
    "friday": N_("Friday"),
    "saturday": N_("Saturday"),
    "sunday": N_("Sunday"),
}
RING_COUNTS = tuple(range(1, MAX_RING_COUNT + 1))


class FormInvalid(Exception):
    """A form that cannot be saved; ``errors`` are keyed by input name."""

    def __init__(self, errors: Errors) -> None:
        super().__init__("form invalid")
        self.errors = errors


def translator(me: SignedIn) -> Callable[[str], str]:
    return gettext_for(me.language).gettext


def service_errors(
    error: InvalidInput | Conflict | RuleValidationError, fields: Mapping[str, str]
) -> Errors:
    """Service and domain errors next to the inputs ``fields`` names for their API field
    (the first field matching by prefix); others go to ``form``."""
    if isinstance(error, InvalidInput):
        problems = error.problems
    elif isinstance(error, Conflict):
        problems = [FieldProblem(error.field, error.message)]
    else:
        problems = [FieldProblem(error.field, error.message)]
    grouped: Errors = {}
    for problem in problems:
        name = next((form for api, form in fields.items() if problem.field.startswith(api)), "form")
        grouped.setdefault(name, []).append(problem.message)
    return grouped


def save_rule(session: Session, me: SignedIn, rule: AnsweringRule) -> AnsweringRule:
    """Save one of the user's own rules (its id says which)."""
    return rules.update_rule(session, me.account.id, me.extension.id, rule.id, rule)


# --- greetings --------------------------------------------------------------------------


def custom_greetings(session: Session, me: SignedIn, kinds: Sequence[str]) -> list[tuple[str, str]]:
    """The user's custom recordings of these kinds, newest first, as (id, file name)."""
    found = session.execute(
        select(GreetingRow.id, GreetingRow.file_name)
        .where(
            GreetingRow.account_id == me.account.id,
            GreetingRow.extension_id == me.extension.id,
            GreetingRow.kind.in_(kinds),
        )
        .order_by(GreetingRow.id.desc())
    )
    return [(str(greeting_id), name) for greeting_id, name in found]


def greeting_value(greeting: Greeting | None) -> str:
    return greeting.custom_id if greeting is not None and greeting.custom_id else DEFAULT


def greeting_of(value: str) -> Greeting:
    return Greeting(value) if value and value != DEFAULT else DEFAULT_GREETING


# --- weekly schedules -------------------------------------------------------------------


def schedule_values(schedule: WeeklySchedule, prefix: str = "") -> dict[str, Any]:
    """The editor's inputs for ``schedule``: one range a day (the first), "24 hours"."""
    values: dict[str, Any] = {}
    for day in WEEKDAYS:
        ranges = schedule.day(day)
        first = ranges[0] if ranges else None
        values[f"{prefix}{day}_on"] = first is not None
        values[f"{prefix}{day}_allday"] = first == TimeInterval.whole_day()
        values[f"{prefix}{day}_from"] = first.from_text if first else "09:00"
        values[f"{prefix}{day}_to"] = first.to_text if first else "17:00"
    return values


def posted_schedule_values(form: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    values: dict[str, Any] = {}
    for day in WEEKDAYS:
        values[f"{prefix}{day}_on"] = form.get(f"{prefix}{day}_on") == "on"
        values[f"{prefix}{day}_allday"] = form.get(f"{prefix}{day}_allday") == "on"
        values[f"{prefix}{day}_from"] = str(form.get(f"{prefix}{day}_from", "")).strip()
        values[f"{prefix}{day}_to"] = str(form.get(f"{prefix}{day}_to", "")).strip()
    return values


def copy_to_weekdays(values: dict[str, Any], source: str, prefix: str = "") -> None:
    """The guide's "Copy to weekdays": Monday to Friday take ``source``'s range."""
    for day in WORKDAYS:
        for part in ("on", "allday", "from", "to"):
            values[f"{prefix}{day}_{part}"] = values[f"{prefix}{source}_{part}"]


def parse_schedule(values: Mapping[str, Any], prefix: str = "") -> WeeklySchedule:
    """The schedule the editor shows; FormInvalid names the day's inputs."""
    days: dict[Any, tuple[TimeInterval, ...]] = {}
    errors: Errors = {}
    for day in WEEKDAYS:
        if not values[f"{prefix}{day}_on"]:
            continue
        if values[f"{prefix}{day}_allday"]:
            days[day] = (TimeInterval.whole_day(),)
            continue
        start, end = values[f"{prefix}{day}_from"], values[f"{prefix}{day}_to"]
        if not start or not end:
            errors[f"{prefix}{day}_from"] = [MISSING_TIME]
            continue
        try:
            days[day] = (TimeInterval.parse(start, end),)
        except RuleValidationError:
            errors[f"{prefix}{day}_from"] = [BAD_TIME]
    if errors:
        raise FormInvalid(errors)
    return WeeklySchedule.from_days(days)


# --- the forwarding list (CH-2) ---------------------------------------------------------


@dataclass
class EntryState:
    """One line of the forwarding list as the editor shows it."""

    number_ids: list[str]
    rings: str = "4"
    active: bool = True


@dataclass
class ForwardingState:
    entries: list[EntryState] = field(default_factory=list)
    ringing_mode: str = RingingMode.SEQUENTIALLY.value


def forwarding_state(rule: AnsweringRule, numbers: Sequence[ForwardingNumber]) -> ForwardingState:
    """The rule's entries in order, then the forwarding numbers it does not ring yet, off."""
    entries = [
        EntryState([n.id for n in entry.numbers], str(entry.ring_count), entry.enabled)
        for entry in sorted(rule.forwarding.entries, key=lambda entry: entry.index)
    ]
    listed = {number_id for entry in entries for number_id in entry.number_ids}
    entries += [EntryState([n.id], "4", False) for n in numbers if n.id not in listed]
    return ForwardingState(entries, rule.forwarding.ringing_mode.value)


def posted_forwarding(form: Mapping[str, Any], known: set[str]) -> ForwardingState:
    """The list as posted; numbers removed meanwhile are left out."""
    entries = []
    count = int(form["entries"]) if str(form.get("entries", "")).isdigit() else 0
    for i in range(count):
        ids = [n for n in str(form.get(f"e{i}_numbers", "")).split(",") if n in known]
        if ids:
            entries.append(
                EntryState(ids, str(form.get(f"e{i}_rings", "4")), form.get(f"e{i}_active") == "on")
            )
    listed = {number_id for entry in entries for number_id in entry.number_ids}
    entries += [EntryState([n], "4", False) for n in sorted(known - listed, key=int)]
    mode = str(form.get("ringing_mode", RingingMode.SEQUENTIALLY.value))
    return ForwardingState(entries, mode)


def apply_forwarding_op(state: ForwardingState, op: str) -> bool:
    """Move an entry up or down, merge it into a ring group with the one above, or split
    a ring group; True when ``op`` was one of these."""
    action, _sep, position = op.partition(":")
    if not position.isdigit() or int(position) >= len(state.entries):
        return False
    i = int(position)
    entries = state.entries
    if action == "up" and i > 0:
        entries[i - 1], entries[i] = entries[i], entries[i - 1]
    elif action == "down" and i + 1 < len(entries):
        entries[i + 1], entries[i] = entries[i], entries[i + 1]
    elif action == "merge" and i > 0:
        entries[i - 1].number_ids += entries.pop(i).number_ids
    elif action == "split" and len(entries[i].number_ids) > 1:
        first, *rest = entries[i].number_ids
        entry = entries[i]
        entries[i : i + 1] = [
            EntryState([first], entry.rings, entry.active),
            *(EntryState([n], entry.rings, entry.active) for n in rest),
        ]
    else:
        return action in ("up", "down", "merge", "split")
    return True


def parse_forwarding(
    state: ForwardingState, numbers: Mapping[str, ForwardingNumber], apps_ring_first: bool
) -> Forwarding:
    """The domain value of the list; FormInvalid names the entry's ring count."""
    errors: Errors = {}
    entries = []
    for i, entry in enumerate(state.entries):
        if not entry.rings.isdigit() or int(entry.rings) not in RING_COUNTS:
            errors[f"e{i}_rings"] = [N_("Choose how many times the phones ring")]
            continue
        entries.append(
            ForwardingEntry(
                i + 1, tuple(numbers[n] for n in entry.number_ids), int(entry.rings), entry.active
            )
        )
    try:
        mode = RingingMode(state.ringing_mode)
    except ValueError:
        errors["ringing_mode"] = [N_("Choose how the phones ring")]
    if errors:
        raise FormInvalid(errors)
    return Forwarding(mode, tuple(entries), apps_ring_first)


def number_text(number: ForwardingNumber) -> str:
    """What the list shows after a number's label."""
    if number.type in (ForwardingNumberType.PHONE_LINE, ForwardingNumberType.EXTENSION_APPS):
        return ""
    return number.phone_number


def other_users_phones(session: Session, me: SignedIn) -> list[tuple[int, str]]:
    """CH-2 "forward to other users' phones": their desk phones and softphones."""
    found = session.execute(
        select(Device.id, Device.name, Extension.name, Extension.number)
        .join(Extension, Extension.id == Device.extension_id)
        .where(
            Device.account_id == me.account.id,
            Device.extension_id != me.extension.id,
            Device.kind.in_(("HardPhone", "SoftPhone")),
        )
        .order_by(Extension.number, Device.id)
    )
    return [(device_id, f"{owner} ({ext}) — {name}") for device_id, name, owner, ext in found]


def message_recipients(session: Session, me: SignedIn) -> list[tuple[str, str]]:
    """VM-2: the company's users and message-only extensions, other than the user's own."""
    found = list_extensions(
        session,
        me.account.id,
        ExtensionFilter(types=[ExtensionType.USER.value, ExtensionType.MESSAGE_ONLY.value]),
        1,
        1000,
    )
    return [
        (str(extension.id), f"{extension.name} ({extension.number})")
        for extension in found.rows
        if extension.id != me.extension.id
    ]


UploadPage = Callable[[Request, SignedIn, Errors], Response]
UPLOAD_PAGES: dict[str, UploadPage] = {}
"""The pages that have greeting upload forms, by path: a refused upload shows the page
again with the error next to the file input."""


def upload_page(path: str) -> Callable[[UploadPage], UploadPage]:
    def register(page: UploadPage) -> UploadPage:
        UPLOAD_PAGES[path] = page
        return page

    return register


class PeriodPage(Protocol):
    """A page of one period (user hours or after hours), shown again with errors."""

    def __call__(
        self, request: Request, me: SignedIn, period: str, /, *, errors: Errors | None = None
    ) -> Response: ...


def upload_pages_per_period(base: str, periods: Sequence[str], page: PeriodPage) -> None:
    """Register ``base/<period>`` for each period as an upload page: a refused upload
    shows ``page`` of that period again."""
    for period in periods:

        def shown(request: Request, me: SignedIn, errors: Errors, period: str = period) -> Response:
            return page(request, me, period, errors=errors)

        upload_page(f"{base}/{period}")(shown)
