"""Reading extensions and the company directory (EXT-1, EXT-5), always within one account."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from telephonist.domain.extensions import (
    ExtensionNumberError,
    ExtensionStatus,
    ExtensionType,
    validate_extension_number,
)
from telephonist.domain.text import N_
from telephonist.errors import Conflict, FieldProblem, InvalidInput, NotFound
from telephonist.store.accounts import Site
from telephonist.store.extensions import Extension, UserProfile
from telephonist.store.numbers import PhoneNumber
from telephonist.store.paging import PageOf, paginate


def get_extension(session: Session, account_id: int, extension_id: int) -> Extension:
    """An extension of this account; another account's extension is simply not found."""
    extension = session.scalar(
        select(Extension).where(Extension.account_id == account_id, Extension.id == extension_id)
    )
    if extension is None:
        raise NotFound("extensionId")
    return extension


def find_by_number(session: Session, account_id: int, number: str) -> Extension | None:
    return session.scalar(
        select(Extension).where(Extension.account_id == account_id, Extension.number == number)
    )


@dataclass(frozen=True)
class ExtensionFilter:
    """The public API's list filters; empty lists mean "any"."""

    types: Sequence[str] = ()
    statuses: Sequence[str] = ()
    extension_number: str | None = None
    emails: Sequence[str] = ()
    search: str | None = None
    site_id: int | None = None


def _filtered(account_id: int, wanted: ExtensionFilter) -> Select[Any]:
    query = select(Extension).where(Extension.account_id == account_id)
    if wanted.types:
        query = query.where(Extension.type.in_(wanted.types))
    if wanted.statuses:
        query = query.where(Extension.status.in_(wanted.statuses))
    if wanted.extension_number:
        query = query.where(Extension.number == wanted.extension_number)
    if wanted.emails:
        query = query.where(Extension.email.in_([email.lower() for email in wanted.emails]))
    if wanted.site_id is not None:
        query = query.where(Extension.site_id == wanted.site_id)
    if wanted.search:
        pattern = f"%{wanted.search.strip().lower()}%"
        digits = "".join(ch for ch in wanted.search if ch.isdigit())
        direct_match = (
            select(PhoneNumber.extension_id).where(PhoneNumber.e164.like(f"%{digits}%"))
            if digits
            else None
        )
        conditions = [
            Extension.name.ilike(pattern),
            Extension.number.like(pattern),
            Extension.email.ilike(pattern),
        ]
        if direct_match is not None:
            conditions.append(Extension.id.in_(direct_match))
        query = query.outerjoin(UserProfile).where(
            or_(
                *conditions,
                UserProfile.first_name.ilike(pattern),
                UserProfile.last_name.ilike(pattern),
            )
        )
    return query


def list_extensions(
    session: Session, account_id: int, wanted: ExtensionFilter, page: int, per_page: int
) -> PageOf[Extension]:
    """Extensions in extension-number order, one page at a time."""
    query = _filtered(account_id, wanted).order_by(Extension.number)
    return paginate(session, query, page, per_page)


def direct_numbers(session: Session, account_id: int, extension_id: int) -> list[PhoneNumber]:
    return list(
        session.scalars(
            select(PhoneNumber)
            .where(PhoneNumber.account_id == account_id, PhoneNumber.extension_id == extension_id)
            .order_by(PhoneNumber.id)
        )
    )


def numbers_of_extensions(
    session: Session, account_id: int, extension_ids: Sequence[int]
) -> dict[int, list[PhoneNumber]]:
    """Direct numbers of many extensions in one query (lists and directory pages)."""
    found: dict[int, list[PhoneNumber]] = {extension_id: [] for extension_id in extension_ids}
    rows = session.scalars(
        select(PhoneNumber)
        .where(PhoneNumber.account_id == account_id, PhoneNumber.extension_id.in_(extension_ids))
        .order_by(PhoneNumber.id)
    )
    for number in rows:
        assert number.extension_id is not None
        found[number.extension_id].append(number)
    return found


def numbers_usable_by(session: Session, account_id: int, extension_id: int) -> list[PhoneNumber]:
    """DEV-3: the extension's own numbers, then the company numbers it may present."""
    return list(
        session.scalars(
            select(PhoneNumber)
            .where(
                PhoneNumber.account_id == account_id,
                or_(
                    PhoneNumber.extension_id == extension_id,
                    PhoneNumber.usage == "MainCompanyNumber",
                ),
            )
            .order_by(PhoneNumber.extension_id.is_(None), PhoneNumber.id)
        )
    )


def sites_of(session: Session, account_id: int) -> dict[int, Site]:
    return {
        site.id: site for site in session.scalars(select(Site).where(Site.account_id == account_id))
    }


def add_extension(
    session: Session,
    account_id: int,
    *,
    extension_type: ExtensionType,
    number: str,
    name: str,
    email: str | None = None,
    site_id: int | None = None,
    status: ExtensionStatus = ExtensionStatus.ENABLED,
) -> Extension:
    """A new extension of any type; user extensions also need a UserProfile (see users)."""
    problems = []
    try:
        validate_extension_number(number)
    except ExtensionNumberError as error:
        problems.append(FieldProblem("extensionNumber", str(error)))
    if not name.strip():
        problems.append(FieldProblem("name", N_("Name is required")))
    if problems:
        raise InvalidInput(problems)
    if find_by_number(session, account_id, number) is not None:
        raise Conflict("extensionNumber", N_("This extension number is already in use"))
    extension = Extension(
        account_id=account_id,
        number=number,
        type=extension_type.value,
        name=name.strip(),
        email=email.strip().lower() if email else None,
        site_id=site_id,
        status=status.value,
    )
    session.add(extension)
    session.flush()
    return extension
