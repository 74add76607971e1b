"""Blocked calls (BLK-1..BLK-7, ``caller-blocking``): an extension's blocking options,
its block list and its trusted ("Allowed") numbers, blocking a caller in one click from a
message or the call log, and the account's robocall list (BLK-3).

A listed entry is a full number (kept in E.164) or the start of one, such as an area code
("650", "+1650"): ``domain.answering.numbers`` says how each matches a caller."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from telephonist.accounts import company
from telephonist.accounts.extensions import get_extension
from telephonist.answering import recordings, storage
from telephonist.domain.answering.model import (
    DEFAULT_GREETING,
    BlockingSettings,
    BlockMode,
    Greeting,
    NoCallerIdBlocking,
    RobocallHandling,
)
from telephonist.domain.answering.model import ListedNumber as ListedPattern
from telephonist.domain.answering.numbers import NumberPattern, PatternSet
from telephonist.domain.phone_numbers import PhoneNumberError, to_e164
from telephonist.domain.text import N_
from telephonist.errors import Conflict, FieldProblem, InvalidInput, NotFound
from telephonist.store.answering import ListedNumber, RobocallNumber

LABEL_MAX = 100
NUMBER_MAX = 40


class ListStatus(StrEnum):
    """Which list a number is on (public API ``status``)."""

    BLOCKED = "Blocked"
    ALLOWED = "Allowed"


@dataclass(frozen=True)
class BlockingChange:
    """What to change; None keeps it. A greeting is the default one or a custom id."""

    mode: BlockMode | None = None
    no_caller_id: NoCallerIdBlocking | None = None
    pay_phones_blocked: bool | None = None
    robocalls: RobocallHandling | None = None
    blocked_greeting: Greeting | None = None
    pay_phone_greeting: Greeting | None = None


def _greeting(greeting_id: int | None) -> Greeting:
    return Greeting(str(greeting_id)) if greeting_id is not None else DEFAULT_GREETING


def blocking_settings(session: Session, account_id: int, extension_id: int) -> BlockingSettings:
    """BLK-1..BLK-5 of the extension, lists included, as the router reads them."""
    row = storage.extension_settings(session, account_id, extension_id)
    listed = list_numbers(session, account_id, extension_id)
    return BlockingSettings(
        mode=BlockMode(row.block_mode),
        blocked=tuple(_pattern(number) for number in listed if number.status == ListStatus.BLOCKED),
        allowed=tuple(_pattern(number) for number in listed if number.status == ListStatus.ALLOWED),
        no_caller_id=NoCallerIdBlocking(row.no_caller_id),
        pay_phones_blocked=row.pay_phones_blocked,
        robocalls=RobocallHandling(row.robocalls),
        blocked_greeting=_greeting(row.blocked_greeting_id),
        pay_phone_greeting=_greeting(row.pay_phone_greeting_id),
    )


def _pattern(number: ListedNumber) -> ListedPattern:
    return ListedPattern(number.phone_number, number.label)


def get_blocking(session: Session, account_id: int, extension_id: int) -> BlockingSettings:
    get_extension(session, account_id, extension_id)
    return blocking_settings(session, account_id, extension_id)


def _custom_greeting_id(
    session: Session, account_id: int, extension_id: int, greeting: Greeting, field: str
) -> int | None:
    if greeting.custom_id is None:
        return None
    found = recordings.find_greeting(session, account_id, extension_id, greeting.custom_id)
    if found is None:
        raise InvalidInput([FieldProblem(field, N_("This custom greeting is not one of yours"))])
    return found.id


def update_blocking(
    session: Session, account_id: int, extension_id: int, change: BlockingChange
) -> BlockingSettings:
    """Change the blocking options; the lists change one number at a time."""
    get_extension(session, account_id, extension_id)
    row = storage.extension_settings_for_change(session, account_id, extension_id)
    if change.mode is not None:
        row.block_mode = change.mode.value
    if change.no_caller_id is not None:
        row.no_caller_id = change.no_caller_id.value
    if change.pay_phones_blocked is not None:
        row.pay_phones_blocked = change.pay_phones_blocked
    if change.robocalls is not None:
        row.robocalls = change.robocalls.value
    if change.blocked_greeting is not None:
        row.blocked_greeting_id = _custom_greeting_id(
            session, account_id, extension_id, change.blocked_greeting, "greetings"
        )
    if change.pay_phone_greeting is not None:
        row.pay_phone_greeting_id = _custom_greeting_id(
            session, account_id, extension_id, change.pay_phone_greeting, "greetings"
        )
    session.flush()
    return blocking_settings(session, account_id, extension_id)


# --- the block list and the trusted numbers ---------------------------------------------


def listed_form(text: str, region: str) -> str:
    """How an entry is kept: a full number in E.164, the start of one as typed without
    separators ("650", "+1650"); InvalidInput for anything else."""
    cleaned = text.strip()
    try:
        return to_e164(cleaned, region)
    except PhoneNumberError:
        pass
    pattern = NumberPattern.parse(cleaned)
    if pattern is None or not pattern.digits or len(pattern.digits) >= NUMBER_MAX:
        raise InvalidInput(
            [FieldProblem("phoneNumber", N_("Enter a phone number or an area code"))]
        )
    return ("+" if pattern.international else "") + pattern.digits


def _label(label: str) -> str:
    label = label.strip()
    if len(label) > LABEL_MAX:
        raise InvalidInput([FieldProblem("label", N_("The name must be at most 100 characters"))])
    return label


def list_numbers(
    session: Session, account_id: int, extension_id: int, status: ListStatus | None = None
) -> list[ListedNumber]:
    """The extension's blocked and/or allowed numbers, oldest first."""
    query = select(ListedNumber).where(
        ListedNumber.account_id == account_id, ListedNumber.extension_id == extension_id
    )
    if status is not None:
        query = query.where(ListedNumber.status == status.value)
    return list(session.scalars(query.order_by(ListedNumber.id)))


def get_number(
    session: Session, account_id: int, extension_id: int, number_id: str
) -> ListedNumber:
    number = (
        session.scalar(
            select(ListedNumber).where(
                ListedNumber.account_id == account_id,
                ListedNumber.extension_id == extension_id,
                ListedNumber.id == int(number_id),
            )
        )
        if number_id.isdigit()
        else None
    )
    if number is None:
        raise NotFound("blockedNumberId")
    return number


def _find(
    session: Session, account_id: int, extension_id: int, phone_number: str
) -> ListedNumber | None:
    return session.scalar(
        select(ListedNumber).where(
            ListedNumber.account_id == account_id,
            ListedNumber.extension_id == extension_id,
            ListedNumber.phone_number == phone_number,
        )
    )


def _region(session: Session, account_id: int) -> str:
    return company.get_account(session, account_id).home_country


def add_number(
    session: Session,
    account_id: int,
    extension_id: int,
    phone_number: str,
    label: str = "",
    status: ListStatus = ListStatus.BLOCKED,
) -> ListedNumber:
    """Put a number or area code on the block list or the trusted list."""
    get_extension(session, account_id, extension_id)
    text = listed_form(phone_number, _region(session, account_id))
    existing = _find(session, account_id, extension_id, text)
    if existing is not None:
        raise Conflict(
            "phoneNumber",
            N_("This number is already on the blocked list")
            if existing.status == ListStatus.BLOCKED
            else N_("This number is already on the allowed list"),
        )
    number = ListedNumber(
        account_id=account_id,
        extension_id=extension_id,
        phone_number=text,
        label=_label(label),
        status=status.value,
    )
    session.add(number)
    session.flush()
    return number


def update_number(
    session: Session,
    account_id: int,
    extension_id: int,
    number_id: str,
    *,
    phone_number: str | None = None,
    label: str | None = None,
    status: ListStatus | None = None,
) -> ListedNumber:
    """Change an entry's number, name, or list."""
    number = get_number(session, account_id, extension_id, number_id)
    if phone_number is not None:
        text = listed_form(phone_number, _region(session, account_id))
        existing = _find(session, account_id, extension_id, text)
        if existing is not None and existing.id != number.id:
            raise Conflict("phoneNumber", N_("This number is already listed"))
        number.phone_number = text
    if label is not None:
        number.label = _label(label)
    if status is not None:
        number.status = status.value
    session.flush()
    return number


def remove_number(session: Session, account_id: int, extension_id: int, number_id: str) -> None:
    session.delete(get_number(session, account_id, extension_id, number_id))
    session.flush()


def block_number(
    session: Session, account_id: int, extension_id: int, phone_number: str, label: str = ""
) -> ListedNumber:
    """BLK-7: block this caller (from a message or a call-log entry). Blocking a number
    already blocked changes nothing; a trusted number moves to the block list."""
    get_extension(session, account_id, extension_id)
    text = listed_form(phone_number, _region(session, account_id))
    existing = _find(session, account_id, extension_id, text)
    if existing is None:
        return add_number(session, account_id, extension_id, text, label)
    existing.status = ListStatus.BLOCKED.value
    if label and not existing.label:
        existing.label = _label(label)
    session.flush()
    return existing


# --- the account's robocall list (BLK-3) ------------------------------------------------


def list_robocall_numbers(session: Session, account_id: int) -> list[RobocallNumber]:
    return list(
        session.scalars(
            select(RobocallNumber)
            .where(RobocallNumber.account_id == account_id)
            .order_by(RobocallNumber.id)
        )
    )


def add_robocall_number(
    session: Session, account_id: int, phone_number: str, label: str = ""
) -> RobocallNumber:
    """An admin lists a robocaller (a number or prefix) for the whole company."""
    text = listed_form(phone_number, _region(session, account_id))
    if any(number.phone_number == text for number in list_robocall_numbers(session, account_id)):
        raise Conflict("phoneNumber", N_("This number is already on the robocall list"))
    number = RobocallNumber(account_id=account_id, phone_number=text, label=_label(label))
    session.add(number)
    session.flush()
    return number


def remove_robocall_number(session: Session, account_id: int, number_id: str) -> None:
    number = (
        session.scalar(
            select(RobocallNumber).where(
                RobocallNumber.account_id == account_id, RobocallNumber.id == int(number_id)
            )
        )
        if number_id.isdigit()
        else None
    )
    if number is None:
        raise NotFound("robocallNumberId")
    session.delete(number)
    session.flush()


def robocall_patterns(session: Session, account_id: int) -> PatternSet:
    """What ``IncomingCall.on_robocall_list`` is checked against for this account."""
    patterns = (
        NumberPattern.parse(number.phone_number)
        for number in list_robocall_numbers(session, account_id)
    )
    return PatternSet.of(tuple(pattern for pattern in patterns if pattern is not None))
