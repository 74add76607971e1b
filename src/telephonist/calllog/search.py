"""Reading the call log (LOG-1): one extension's records or the whole company's, newest
first, filtered as the public API filters them. Records of calls still in progress are
not listed: like the public API's, the call log shows finished calls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from telephonist.calllog.records import CallResult, CallType, Direction
from telephonist.domain.text import N_
from telephonist.errors import FieldProblem, InvalidInput, NotFound
from telephonist.store.paging import PageOf, paginate
from telephonist.store.telephony import CallRecord

RECENT_CALLS = 5
_DIRECTIONS = frozenset(Direction)
_TYPES = frozenset(CallType)
_RESULTS = frozenset(CallResult)


@dataclass(frozen=True)
class CallLogFilter:
    """What to list; empty sequences and None mean "any". ``date_to`` is exclusive."""

    extension_id: int | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    directions: Sequence[str] = ()
    types: Sequence[str] = ()
    results: Sequence[str] = ()
    session_id: str | None = None
    phone_number: str | None = None


def filter_problems(wanted: CallLogFilter) -> list[FieldProblem]:
    """Every value the filter cannot use, named with the public API's parameter."""
    problems = []
    if any(direction not in _DIRECTIONS for direction in wanted.directions):
        problems.append(FieldProblem("direction", N_("Direction must be Inbound or Outbound")))
    if any(call_type not in _TYPES for call_type in wanted.types):
        problems.append(FieldProblem("type", N_("Type must be Voice or Fax")))
    if any(result not in _RESULTS for result in wanted.results):
        problems.append(FieldProblem("result", N_("This call result does not exist")))
    if wanted.date_from and wanted.date_to and wanted.date_from > wanted.date_to:
        problems.append(FieldProblem("dateFrom", N_("The start date is after the end date")))
    return problems


def _query(account_id: int, wanted: CallLogFilter) -> Select[Any]:
    query = select(CallRecord).where(
        CallRecord.account_id == account_id, CallRecord.in_progress.is_(False)
    )
    if wanted.extension_id is not None:
        query = query.where(CallRecord.extension_id == wanted.extension_id)
    if wanted.date_from is not None:
        query = query.where(CallRecord.start_time >= wanted.date_from)
    if wanted.date_to is not None:
        query = query.where(CallRecord.start_time < wanted.date_to)
    if wanted.directions:
        query = query.where(CallRecord.direction.in_(wanted.directions))
    if wanted.types:
        query = query.where(CallRecord.type.in_(wanted.types))
    if wanted.results:
        query = query.where(CallRecord.result.in_(wanted.results))
    if wanted.session_id:
        query = query.where(CallRecord.session_id == wanted.session_id)
    if wanted.phone_number:
        query = query.where(
            or_(
                CallRecord.from_number == wanted.phone_number,
                CallRecord.to_number == wanted.phone_number,
            )
        )
    return query.order_by(CallRecord.start_time.desc(), CallRecord.id.desc())


def search_call_log(
    session: Session, account_id: int, wanted: CallLogFilter, page: int, per_page: int
) -> PageOf[CallRecord]:
    """One page of the records ``wanted`` names, newest first."""
    problems = filter_problems(wanted)
    if problems:
        raise InvalidInput(problems)
    return paginate(session, _query(account_id, wanted), page, per_page)


def recent_calls(
    session: Session, account_id: int, extension_id: int, limit: int = RECENT_CALLS
) -> list[CallRecord]:
    """The extension's last calls, for the Overview page (WEB-3)."""
    query = _query(account_id, CallLogFilter(extension_id=extension_id)).limit(limit)
    return list(session.scalars(query))


def get_call_record(
    session: Session, account_id: int, record_id: str, *, extension_id: int | None = None
) -> CallRecord:
    """A finished record of this account (and of this extension when given); any other
    record does not exist for the caller."""
    query = select(CallRecord).where(
        CallRecord.account_id == account_id,
        CallRecord.id == record_id,
        CallRecord.in_progress.is_(False),
    )
    if extension_id is not None:
        query = query.where(CallRecord.extension_id == extension_id)
    record = session.scalar(query)
    if record is None:
        raise NotFound("callRecordId")
    return record


def duration_seconds(record: CallRecord) -> int:
    """The length in whole seconds, rounded to the nearest."""
    return (record.duration_ms + 500) // 1000
