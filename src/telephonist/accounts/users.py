"""Users: adding one (with the welcome e-mail, ACC-1), and changing user details and
regional settings (EXT-3, EXT-4) with the same rules for the portal and the REST API."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from telephonist.accounts import company, devices
from telephonist.accounts.access import require_editor
from telephonist.accounts.extensions import add_extension, direct_numbers
from telephonist.domain import regional
from telephonist.domain.credentials import AccountFacts
from telephonist.domain.extensions import (
    ExtensionNumberError,
    ExtensionStatus,
    ExtensionType,
    validate_extension_number,
)
from telephonist.domain.permissions import Principal
from telephonist.domain.phone_numbers import PhoneNumberError, to_e164
from telephonist.domain.text import N_
from telephonist.errors import Conflict, FieldProblem, InvalidInput, PermissionDenied
from telephonist.store.accounts import Account
from telephonist.store.extensions import Extension, UserProfile
from telephonist.store.numbers import PhoneNumber

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NAME_MAX_LENGTH = 64


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_email_free(
    session: Session, email: str, *, except_extension_id: int | None = None
) -> None:
    """ACC-2: a login e-mail is unique across all accounts."""
    query = select(Extension.id).where(
        Extension.type == ExtensionType.USER.value, func.lower(Extension.email) == email
    )
    if except_extension_id is not None:
        query = query.where(Extension.id != except_extension_id)
    if session.scalar(query) is not None:
        raise Conflict("email", N_("This e-mail address is already used by another user"))


def _email_problem(email: str) -> FieldProblem | None:
    if not EMAIL_PATTERN.match(email):
        return FieldProblem("email", f"'{email}' is not a valid e-mail address")
    return None


def add_user(
    session: Session,
    account_id: int,
    *,
    first_name: str,
    last_name: str,
    email: str,
    extension_number: str,
    role_name: str = "Standard",
    direct_number: str | None = None,
    language: str | None = None,
) -> Extension:
    """A new user extension, not yet activated, with a softphone; the caller sends the
    activation e-mail (identity.activation) once this is committed."""
    account = company.get_account(session, account_id)
    email = normalize_email(email)
    problems = _name_problems(first_name, last_name)
    if (problem := _email_problem(email)) is not None:
        problems.append(problem)
    e164 = None
    if direct_number:
        try:
            e164 = to_e164(direct_number, account.home_country)
        except PhoneNumberError as error:
            problems.append(FieldProblem("directNumber", str(error)))
    if language:
        try:
            language = regional.language(language).locale_code
        except regional.RegionalSettingsError as error:
            problems.append(FieldProblem("language", str(error)))
    if problems:
        raise InvalidInput(problems)
    check_email_free(session, email)
    role = company.role_by_name(session, account_id, role_name)
    extension = add_extension(
        session,
        account_id,
        extension_type=ExtensionType.USER,
        number=extension_number,
        name=f"{first_name.strip()} {last_name.strip()}".strip(),
        email=email,
        site_id=company.main_site(session, account_id).id,
        status=ExtensionStatus.NOT_ACTIVATED,
    )
    extension.user_language = language
    extension.greeting_language = language
    session.add(
        UserProfile(
            account_id=account_id,
            extension_id=extension.id,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            role_id=role.id,
        )
    )
    if e164 is not None:
        if session.scalar(select(PhoneNumber.id).where(PhoneNumber.e164 == e164)) is not None:
            raise Conflict("directNumber", N_("This phone number is already assigned"))
        session.add(
            PhoneNumber(
                account_id=account_id, e164=e164, usage="DirectNumber", extension_id=extension.id
            )
        )
    devices.add_device(session, account_id, extension.id, kind="SoftPhone", name="Softphone")
    session.flush()
    session.refresh(extension)
    return extension


def _name_problems(first_name: str, last_name: str) -> list[FieldProblem]:
    problems = []
    if not first_name.strip():
        problems.append(FieldProblem("firstName", N_("First name is required")))
    if not last_name.strip():
        problems.append(FieldProblem("lastName", N_("Last name is required")))
    for field, value in (("firstName", first_name), ("lastName", last_name)):
        if len(value.strip()) > NAME_MAX_LENGTH:
            problems.append(FieldProblem(field, f"Must be at most {NAME_MAX_LENGTH} characters"))
    return problems


def account_facts(session: Session, extension: Extension) -> AccountFacts:
    """What the user's password and PIN may not contain (ACC-3, ACC-4)."""
    numbers = [
        number.e164 for number in direct_numbers(session, extension.account_id, extension.id)
    ]
    main = company.main_number(session, extension.account_id)
    if main:
        numbers.append(main)
    user = extension.user
    if user is not None:
        numbers.extend(phone for phone in (user.contact_phone, user.mobile_phone) if phone)
    return AccountFacts(
        first_name=user.first_name if user else "",
        last_name=user.last_name if user else "",
        extension_number=extension.number,
        phone_numbers=tuple(numbers),
    )


@dataclass(frozen=True)
class UserDetailsChange:
    """EXT-3 fields a request wants to change; ``None`` leaves a field as it is."""

    first_name: str | None = None
    last_name: str | None = None
    job_title: str | None = None
    department: str | None = None
    contact_phone: str | None = None
    mobile_phone: str | None = None
    email: str | None = None
    pronounced_name: str | None = None
    marketing_opt_in: bool | None = None
    notify_on_phone_added: bool | None = None
    status: str | None = None
    extension_number: str | None = None


def _optional_phone(value: str, field: str, region: str, problems: list[FieldProblem]) -> str:
    if not value.strip():
        return ""
    try:
        return to_e164(value, region)
    except PhoneNumberError as error:
        problems.append(FieldProblem(field, str(error)))
        return value


def update_user_details(
    session: Session, principal: Principal, extension: Extension, change: UserDetailsChange
) -> Extension:
    """Apply EXT-3 changes after checking every field; nothing is written if any is wrong."""
    require_editor(principal, extension)
    account = session.get(Account, extension.account_id)
    assert account is not None
    region = extension.home_country or account.home_country
    problems: list[FieldProblem] = []
    user = extension.user
    if change.extension_number is not None and change.extension_number != extension.number:
        if not principal.is_admin:
            raise PermissionDenied(
                "A user cannot change their own extension number; ask an administrator",
                code="CMN-402",
            )
        try:
            validate_extension_number(change.extension_number)
        except ExtensionNumberError as error:
            problems.append(FieldProblem("extensionNumber", str(error)))
    if change.status is not None and change.status != extension.status:
        if not principal.is_admin:
            raise PermissionDenied("Only an administrator can change the status", code="CMN-402")
        if change.status not in (ExtensionStatus.ENABLED, ExtensionStatus.DISABLED):
            problems.append(FieldProblem("status", N_("Status must be Enabled or Disabled")))
    if user is not None and (change.first_name is not None or change.last_name is not None):
        problems += _name_problems(
            change.first_name if change.first_name is not None else user.first_name,
            change.last_name if change.last_name is not None else user.last_name,
        )
    elif user is None and change.first_name is not None and not change.first_name.strip():
        problems.append(FieldProblem("firstName", N_("Name is required")))
    email = normalize_email(change.email) if change.email is not None else None
    if email is not None and email and (problem := _email_problem(email)) is not None:
        problems.append(problem)
    contact_phone = (
        _optional_phone(change.contact_phone, "businessPhone", region, problems)
        if change.contact_phone is not None
        else None
    )
    mobile_phone = (
        _optional_phone(change.mobile_phone, "mobilePhone", region, problems)
        if change.mobile_phone is not None
        else None
    )
    for field, value in (
        ("jobTitle", change.job_title),
        ("department", change.department),
        ("pronouncedName", change.pronounced_name),
    ):
        if value is not None and len(value) > 100:
            problems.append(FieldProblem(field, N_("Must be at most 100 characters")))
    if problems:
        raise InvalidInput(problems)
    if change.extension_number is not None and change.extension_number != extension.number:
        taken = session.scalar(
            select(Extension.id).where(
                Extension.account_id == extension.account_id,
                Extension.number == change.extension_number,
            )
        )
        if taken is not None:
            raise Conflict("extensionNumber", N_("This extension number is already in use"))
        extension.number = change.extension_number
    if email is not None and email != (extension.email or ""):
        if extension.type == ExtensionType.USER.value:
            if not email:
                raise InvalidInput([FieldProblem("email", N_("A user needs an e-mail address"))])
            check_email_free(session, email, except_extension_id=extension.id)
        extension.email = email or None
    if change.status is not None:
        extension.status = change.status
    if user is None:
        if change.first_name is not None:
            extension.name = change.first_name.strip()
        return extension
    updates: tuple[tuple[str, object], ...] = (
        ("first_name", change.first_name),
        ("last_name", change.last_name),
        ("job_title", change.job_title),
        ("department", change.department),
        ("pronounced_name", change.pronounced_name),
        ("marketing_opt_in", change.marketing_opt_in),
        ("notify_on_phone_added", change.notify_on_phone_added),
        ("contact_phone", contact_phone),
        ("mobile_phone", mobile_phone),
    )
    for attribute, new_value in updates:
        if new_value is not None:
            setattr(user, attribute, new_value.strip() if isinstance(new_value, str) else new_value)
    extension.name = user.full_name
    return extension


@dataclass(frozen=True)
class RegionalChange:
    """EXT-4 regional settings a request wants to change."""

    time_zone: str | None = None
    home_country: str | None = None
    greeting_language: str | None = None
    user_language: str | None = None
    regional_format: str | None = None
    time_format: str | None = None


def update_regional_settings(
    session: Session, principal: Principal, extension: Extension, change: RegionalChange
) -> Extension:
    """Check and apply regional settings; unknown zones, countries or languages are named."""
    require_editor(principal, extension)
    problems = []
    checks = (
        ("timezone", change.time_zone, regional.time_zone),
        ("homeCountry", change.home_country, regional.country),
        ("greetingLanguage", change.greeting_language, regional.language),
        ("language", change.user_language, regional.language),
        ("formattingLocale", change.regional_format, regional.language),
    )
    for field, value, check in checks:
        if value is None:
            continue
        try:
            check(value)
        except regional.RegionalSettingsError as error:
            problems.append(FieldProblem(field, str(error)))
    if (
        change.time_format is not None
        and change.time_format not in regional.TimeFormat.__members__.values()
    ):
        problems.append(FieldProblem("timeFormat", N_("Time format must be 12h or 24h")))
    if problems:
        raise InvalidInput(problems)
    if change.time_zone is not None:
        extension.time_zone = change.time_zone
    if change.home_country is not None:
        extension.home_country = change.home_country.upper()
    if change.greeting_language is not None:
        extension.greeting_language = regional.language(change.greeting_language).locale_code
    if change.user_language is not None:
        extension.user_language = regional.language(change.user_language).locale_code
    if change.regional_format is not None:
        extension.regional_format = regional.language(change.regional_format).locale_code
    if change.time_format is not None:
        extension.time_format = change.time_format
    return extension


@dataclass(frozen=True)
class EffectiveRegional:
    """Regional settings with the account's values filled in where the extension has none."""

    time_zone: str
    home_country: str
    greeting_language: str
    user_language: str
    regional_format: str
    time_format: str


def effective_regional(account: Account, extension: Extension) -> EffectiveRegional:
    return EffectiveRegional(
        time_zone=extension.time_zone or account.time_zone,
        home_country=extension.home_country or account.home_country,
        greeting_language=extension.greeting_language or account.language,
        user_language=extension.user_language or account.language,
        regional_format=extension.regional_format or account.language,
        time_format=extension.time_format or account.time_format,
    )
