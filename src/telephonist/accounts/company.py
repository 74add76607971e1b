"""Creating and reading accounts: a company with its main site, its roles and its main
number. Used by the admin CLI and the demo loader."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from telephonist.domain import regional
from telephonist.domain.permissions import ROLE_PRESETS
from telephonist.domain.phone_numbers import PhoneNumberError, to_e164
from telephonist.domain.text import N_
from telephonist.errors import Conflict, FieldProblem, InvalidInput, NotFound
from telephonist.store.accounts import Account, Role, Site
from telephonist.store.numbers import PhoneNumber

MAIN_SITE_NAME = "Company"


def create_account(
    session: Session,
    *,
    company_name: str,
    main_number: str,
    home_country: str = "US",
    time_zone: str = "America/New_York",
    language: str = "en-US",
) -> Account:
    """A new company with its main site, the preset roles and its company number."""
    problems = []
    if not company_name.strip():
        problems.append(FieldProblem("companyName", N_("Company name is required")))
    try:
        e164 = to_e164(main_number, home_country)
    except PhoneNumberError as error:
        problems.append(FieldProblem("mainNumber", str(error)))
    try:
        regional.time_zone(time_zone)
        regional.language(language)
        regional.country(home_country)
    except regional.RegionalSettingsError as error:
        problems.append(FieldProblem("regionalSettings", str(error)))
    if problems:
        raise InvalidInput(problems)
    if session.scalar(select(PhoneNumber.id).where(PhoneNumber.e164 == e164)) is not None:
        raise Conflict("mainNumber", N_("This phone number already belongs to an account"))
    account = Account(
        company_name=company_name.strip(),
        home_country=home_country.upper(),
        time_zone=time_zone,
        language=regional.language(language).locale_code,
    )
    session.add(account)
    session.flush()
    session.add(Site(account_id=account.id, name=MAIN_SITE_NAME, is_main=True))
    for preset in ROLE_PRESETS:
        session.add(
            Role(
                account_id=account.id,
                name=preset.name,
                is_admin=preset.is_admin,
                permissions=sorted(preset.permissions),
            )
        )
    session.add(PhoneNumber(account_id=account.id, e164=e164, usage="MainCompanyNumber"))
    session.flush()
    return account


def get_account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("accountId")
    return account


def main_number(session: Session, account_id: int) -> str | None:
    """The company number in E.164."""
    return session.scalar(
        select(PhoneNumber.e164).where(
            PhoneNumber.account_id == account_id, PhoneNumber.usage == "MainCompanyNumber"
        )
    )


def main_site(session: Session, account_id: int) -> Site:
    site = session.scalar(select(Site).where(Site.account_id == account_id, Site.is_main))
    assert site is not None, "every account is created with its main site"
    return site


def role_by_name(session: Session, account_id: int, name: str) -> Role:
    role = session.scalar(select(Role).where(Role.account_id == account_id, Role.name == name))
    if role is None:
        raise InvalidInput([FieldProblem("role", f"Role '{name}' does not exist")])
    return role


def list_accounts(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.id)))
