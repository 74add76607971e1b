"""A known call history on the demo server, written the way the SIP B2BUA writes it
(``calllog.records``) into the server's own database."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from telephonist.accounts import company
from telephonist.accounts.extensions import find_by_number
from telephonist.calllog import records
from telephonist.store.base import utcnow
from telephonist.store.numbers import PhoneNumber
from tests.demo_data import COMPANY_NUMBER
from tests.support import RunningServer, database_of

BASE = datetime(2025, 5, 12, 15, 0, tzinfo=UTC)
"""A Monday afternoon no other test writes calls on."""


@dataclass(frozen=True)
class CallHistory:
    """Ids of what was written; ``dulcinea_calls`` newest first."""

    account_id: int
    dulcinea_id: int
    hank_id: int
    dulcinea_calls: list[str]
    hank_call: str
    old_call: str
    recent_call: str
    stale_call: str
    other_company_call: str


def _call(session: Session, start: datetime, **fields: Any) -> str:
    """Open, maybe answer (``answered_after`` seconds), and close one record."""
    answered_after = fields.pop("answered_after", None)
    length = fields.pop("length", 0)
    result, reason = fields.pop("result"), fields.pop("reason")
    arguments: dict[str, Any] = {
        "from_number": "",
        "from_name": "",
        "from_extension": "",
        "to_number": "",
        "to_name": "",
        "to_extension": "",
        "transport": "PSTN",
        "session_id": secrets.token_hex(8),
        **fields,
    }
    record_id = records.open_record(session, start=start, **arguments)
    end = start + timedelta(seconds=length)
    if answered_after is not None:
        records.mark_answered(session, record_id, start + timedelta(seconds=answered_after))
        end += timedelta(seconds=answered_after)
    records.close_record(session, record_id, result=result, reason=reason, end=end)
    return record_id


@pytest.fixture(scope="session")
def call_history(demo_server: RunningServer) -> CallHistory:
    """Four calls of Dulcinea's (11103) on BASE's afternoon, one of Hank's, one of
    Dulcinea's two days before, one an hour ago, one 30 hours ago, and one of another
    company."""
    database = database_of(demo_server)
    with database.transaction() as session:
        account_id = session.scalar(
            select(PhoneNumber.account_id).where(PhoneNumber.e164 == COMPANY_NUMBER)
        )
        assert account_id is not None
        dulcinea = find_by_number(session, account_id, "11103")
        hank = find_by_number(session, account_id, "11101")
        assert dulcinea is not None and hank is not None
        hers = {"account_id": account_id, "extension_id": dulcinea.id}
        from_hank = _call(
            session,
            BASE,
            **hers,
            direction="Inbound",
            action="Phone Call",
            transport="VoIP",
            from_number="+13039688766",
            from_name="Hank Hillos",
            from_extension="11101",
            to_number="+14092402117",
            to_name="Dulcinea Dunn",
            to_extension="11103",
            answered_after=3,
            length=87,
            result="Accepted",
            reason="Accepted",
        )
        to_outside = _call(
            session,
            BASE + timedelta(hours=1),
            **hers,
            direction="Outbound",
            action="VoIP Call",
            from_number="+14092402117",
            from_name="Dulcinea Dunn",
            from_extension="11103",
            to_number="+14155550100",
            to_name="Golden Gate Bakery",
            answered_after=8,
            length=26,
            result="Call connected",
            reason="Connected",
        )
        missed = _call(
            session,
            BASE + timedelta(hours=2),
            **hers,
            direction="Inbound",
            action="Phone Call",
            from_number="+12125550100",
            from_name="NEW YORK NY",
            to_number="+14092402117",
            to_name="Dulcinea Dunn",
            to_extension="11103",
            length=20,
            result="Missed",
            reason="Not Answered",
        )
        voicemail = _call(
            session,
            BASE + timedelta(hours=3),
            **hers,
            direction="Inbound",
            action="Phone Call",
            from_number="+12125550100",
            from_name="NEW YORK NY",
            to_number="+14092402117",
            to_name="Dulcinea Dunn",
            to_extension="11103",
            length=42,
            result="Voicemail",
            reason="Not Answered",
        )
        hank_call = _call(
            session,
            BASE + timedelta(minutes=30),
            account_id=account_id,
            extension_id=hank.id,
            direction="Outbound",
            action="Phone Call",
            from_number="+13039688766",
            from_extension="11101",
            to_number="+14092090429",
            to_name="Joe Hall",
            to_extension="11102",
            answered_after=2,
            length=61,
            result="Call connected",
            reason="Connected",
        )
        old_call = _call(
            session,
            BASE - timedelta(days=2),
            **hers,
            direction="Inbound",
            action="Phone Call",
            from_number="+12125550100",
            result="Missed",
            reason="Not Answered",
        )
        now = utcnow()
        recent_call = _call(
            session,
            now - timedelta(hours=1),
            **hers,
            direction="Outbound",
            action="VoIP Call",
            to_number="+14155550100",
            answered_after=1,
            length=5,
            result="Call connected",
            reason="Connected",
        )
        stale_call = _call(
            session,
            now - timedelta(hours=30),
            **hers,
            direction="Outbound",
            action="VoIP Call",
            to_number="+14155550100",
            result="No Answer",
            reason="No Answer",
        )
        other = company.create_account(
            session, company_name="Call Log Other Company", main_number="+16467360188"
        )
        other_company_call = _call(
            session,
            BASE,
            account_id=other.id,
            extension_id=None,
            direction="Inbound",
            action="Phone Call",
            from_number="+12125550100",
            to_number="+16467360188",
            result="Missed",
            reason="Not Answered",
        )
        history = CallHistory(
            account_id=account_id,
            dulcinea_id=dulcinea.id,
            hank_id=hank.id,
            dulcinea_calls=[voicemail, missed, to_outside, from_hank],
            hank_call=hank_call,
            old_call=old_call,
            recent_call=recent_call,
            stale_call=stale_call,
            other_company_call=other_company_call,
        )
    database.dispose()
    return history
