"""Writing the call log (LOG-2) for the SIP B2BUA. The rules are pure functions
(``new_row``, ``answer_values``, ``close_values``); the B2BUA's journal applies them and
writes many records at once (``write_batch``) in its worker thread, and
``open_record``/``mark_answered``/``close_record`` do the same for one record on a
``Session``, reading it first.

Each party of a call has its own record, opened at the call's first second
(``in_progress``) and closed when the call ends; only closed records are shown. Values
are the public API's strings, which are also the words the guide's Call Log shows:

=========  ===================================================================
direction  "Inbound" / "Outbound", from the record's extension's point of view
action     "Phone Call": inbound calls and calls placed from a desk phone;
           "VoIP Call": calls placed from a softphone or the browser phone
transport  "PSTN" when the call crossed a trunk, "VoIP" when it stayed inside
=========  ===================================================================

Result and reason, by how the call went:

===========================================================  ================  ==================
answered, inbound                                            Accepted          Accepted
answered, outbound                                           Call connected    Connected
taken by voicemail                                           Voicemail         Not Answered
inbound, nobody answered or the caller gave up               Missed            Not Answered
outbound, nobody answered (ring timeout, 408, 480, CANCEL)   No Answer         No Answer
outbound, busy (486, 600)                                    Busy              Line Busy
outbound, declined (603)                                     Rejected          Calls Not Accepted
outbound, no such number (404, 484)                          Wrong Number      Bad Number
refused by caller blocking                                   Blocked           Number Blocked
failed (5xx, no trunk, media error)                          Call Failed       Internal Error
left open by a previous run, answered                        Hang Up           Internal Error
left open by a previous run, not answered                    Missed/No Answer  Internal Error
===========================================================  ================  ==================

Arguments are ``str`` so callers may pass the enums below or their values; anything else
is a programming error and raises ``ValueError``. Text that comes from the network
(names, numbers) is cut to the column's size rather than refused: a long display name
must never cost a call its record."""

from __future__ import annotations

import secrets
import string
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from telephonist.domain.text import N_
from telephonist.errors import NotFound
from telephonist.store.telephony import CallRecord

RECORD_ID_LENGTH = 15
"""Like the public API's record ids ("ASaxDDkSZ5s42MA"): 62**15, about 2**89."""
_ID_ALPHABET = string.ascii_letters + string.digits
SESSION_ID_MAX = 64
EXTENSION_NUMBER_MAX = 5
NUMBER_MAX = 40
NAME_MAX = 200
REASON_MAX = 60


class Direction(StrEnum):
    """From the point of view of the record's extension."""

    INBOUND = "Inbound"
    OUTBOUND = "Outbound"


class CallType(StrEnum):
    """Voice calls now; faxes when fax comes (FAX-1)."""

    VOICE = "Voice"
    FAX = "Fax"


class Transport(StrEnum):
    """Whether the call went through a carrier's trunk."""

    PSTN = "PSTN"
    VOIP = "VoIP"


class CallAction(StrEnum):
    """What the call was (the public API's ``action``); the values are also display words."""

    PHONE_CALL = N_("Phone Call")
    VOIP_CALL = N_("VoIP Call")
    INCOMING_FAX = N_("Incoming Fax")
    OUTGOING_FAX = N_("Outgoing Fax")
    UNKNOWN = N_("Unknown")


class CallResult(StrEnum):
    """How the call went (the public API's ``result``); the values are also display words."""

    ACCEPTED = N_("Accepted")
    CALL_CONNECTED = N_("Call connected")
    VOICEMAIL = N_("Voicemail")
    MISSED = N_("Missed")
    NO_ANSWER = N_("No Answer")
    BUSY = N_("Busy")
    REJECTED = N_("Rejected")
    DECLINED = N_("Declined")
    WRONG_NUMBER = N_("Wrong Number")
    BLOCKED = N_("Blocked")
    CALL_FAILED = N_("Call Failed")
    HANG_UP = N_("Hang Up")
    ANSWERED_ELSEWHERE = N_("Answered Elsewhere")
    RECEIVED = N_("Received")
    SENT = N_("Sent")
    UNKNOWN = N_("Unknown")
    IN_PROGRESS = N_("In Progress")


class CallReason(StrEnum):
    """Why (the public API's ``reason``): those of its values a self-hosted system can have."""

    ACCEPTED = "Accepted"
    BAD_NUMBER = "Bad Number"
    CALL_LOOP = "Call Loop"
    CALLS_NOT_ACCEPTED = "Calls Not Accepted"
    CONNECTED = "Connected"
    EMERGENCY_ADDRESS_NOT_DEFINED = "Emergency Address not defined"
    FAILED_TRY_AGAIN = "Failed Try Again"
    FAX_NOT_RECEIVED = "Fax Not Received"
    FAX_NOT_SENT = "Fax Not Sent"
    FAX_PARTIALLY_SENT = "Fax Partially Sent"
    FAX_POOR_LINE = "Fax Poor Line"
    FAX_SEND_ERROR = "Fax Send Error"
    HANG_UP = "Hang Up"
    INTERNAL_CALL_ERROR = "Internal Call Error"
    INTERNAL_ERROR = "Internal Error"
    INTERNATIONAL_DISABLED = "International Disabled"
    INTERNATIONAL_RESTRICTED = "International Restricted"
    LINE_BUSY = "Line Busy"
    MAX_CALL_LIMIT = "Max Call Limit"
    NO_ANSWER = "No Answer"
    NOT_ANSWERED = "Not Answered"
    NUMBER_BLOCKED = "Number Blocked"
    NUMBER_DISABLED = "Number Disabled"
    NUMBER_NOT_ALLOWED = "Number Not Allowed"
    RECEIVE_ERROR = "Receive Error"
    RESOURCE_ERROR = "Resource Error"
    RESTRICTED_NUMBER = "Restricted Number"
    STOPPED = "Stopped"
    TOO_MANY_CALLS = "Too Many Calls"
    UNKNOWN = "Unknown"
    WRONG_NUMBER = "Wrong Number"


def _one_of(kind: type[StrEnum], value: str, argument: str) -> str:
    try:
        return kind(value).value
    except ValueError:
        allowed = ", ".join(repr(member.value) for member in kind)
        raise ValueError(f"{argument} {value!r} is not one of {allowed}") from None


def _aware(moment: datetime, argument: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{argument} must be timezone-aware")
    return moment


def _extension_number(value: str, argument: str) -> str:
    if len(value) > EXTENSION_NUMBER_MAX:
        raise ValueError(f"{argument} {value!r} is longer than {EXTENSION_NUMBER_MAX} digits")
    return value


def new_record_id() -> str:
    """A random record id, URL-safe (letters and digits only), from one CSPRNG draw."""
    value = secrets.randbelow(len(_ID_ALPHABET) ** RECORD_ID_LENGTH)
    letters = []
    for _ in range(RECORD_ID_LENGTH):
        value, digit = divmod(value, len(_ID_ALPHABET))
        letters.append(_ID_ALPHABET[digit])
    return "".join(letters)


def new_row(
    *,
    account_id: int,
    extension_id: int | None,
    session_id: str,
    direction: str,
    action: str,
    from_number: str,
    from_name: str,
    from_extension: str,
    to_number: str,
    to_name: str,
    to_extension: str,
    transport: str,
    start: datetime,
    call_type: str = CallType.VOICE,
) -> dict[str, Any]:
    """The row of one party's record opened at the call's first second, with a new id.
    ``extension_id`` None is a call of the company that reached no extension."""
    if not session_id or len(session_id) > SESSION_ID_MAX:
        raise ValueError(f"session_id must be 1 to {SESSION_ID_MAX} characters")
    return dict(
        id=new_record_id(),
        account_id=account_id,
        extension_id=extension_id,
        session_id=session_id,
        direction=_one_of(Direction, direction, "direction"),
        type=_one_of(CallType, call_type, "call_type"),
        action=_one_of(CallAction, action, "action"),
        result=CallResult.IN_PROGRESS.value,
        reason="",
        transport=_one_of(Transport, transport, "transport"),
        from_number=from_number[:NUMBER_MAX],
        from_name=from_name[:NAME_MAX],
        from_extension=_extension_number(from_extension, "from_extension"),
        to_number=to_number[:NUMBER_MAX],
        to_name=to_name[:NAME_MAX],
        to_extension=_extension_number(to_extension, "to_extension"),
        start_time=_aware(start, "start"),
        in_progress=True,
        last_modified=start,
        answer_time=None,
        end_time=None,
        duration_ms=0,
    )


def answer_values(start: datetime, at: datetime) -> dict[str, Any]:
    """What answering at ``at`` writes: the length counts from here (never before the
    start)."""
    moment = max(_aware(at, "at"), start)
    return {"answer_time": moment, "last_modified": moment}


def close_values(
    start: datetime, answered: datetime | None, *, result: str, reason: str, end: datetime
) -> dict[str, Any]:
    """What closing writes: a final result, and a length from answer to ``end`` (0 when
    never answered)."""
    result = _one_of(CallResult, result, "result")
    if result == CallResult.IN_PROGRESS:
        raise ValueError("a closed record needs a final result, not 'In Progress'")
    reason = _one_of(CallReason, reason, "reason") if reason else ""
    end = max(_aware(end, "end"), start)
    return {
        "result": result,
        "reason": reason[:REASON_MAX],
        "end_time": end,
        "duration_ms": _length_ms(answered, end),
        "in_progress": False,
        "last_modified": end,
    }


def open_record(session: Session, **fields: Any) -> str:
    """Insert :func:`new_row` of ``fields``; returns the record's id, which
    ``mark_answered`` and ``close_record`` take."""
    row = new_row(**fields)
    session.execute(insert(CallRecord), [row])
    return str(row["id"])


# The B2BUA writes rows at hundreds of calls a second: these use Core statements, which
# cost a fraction of loading ORM objects; the rules stay those of the docstrings.


def _state(session: Session, record_id: str) -> tuple[bool, datetime | None, datetime]:
    """(in progress, answer time, start time) of a record, or NotFound."""
    row = session.execute(
        select(CallRecord.in_progress, CallRecord.answer_time, CallRecord.start_time).where(
            CallRecord.id == record_id
        )
    ).first()
    if row is None:
        raise NotFound("callRecordId")
    return bool(row[0]), row[1], row[2]


def mark_answered(session: Session, record_id: str, at: datetime) -> bool:
    """The party answered at ``at``. The first answer wins, and a closed record is left
    alone (a 200 OK that crossed a CANCEL); returns whether the record changed."""
    _aware(at, "at")
    in_progress, answered, start = _state(session, record_id)
    if not in_progress or answered is not None:
        return False
    session.execute(
        update(CallRecord).where(CallRecord.id == record_id).values(**answer_values(start, at))
    )
    return True


def _length_ms(answered: datetime | None, end: datetime) -> int:
    """From answer to end, never negative; 0 when never answered."""
    return max(0, round((end - answered).total_seconds() * 1000)) if answered else 0


def close_record(
    session: Session, record_id: str, *, result: str, reason: str, end: datetime
) -> bool:
    """End the record (:func:`close_values`). The first close wins (a BYE after a failure
    is harmless); returns whether it closed."""
    in_progress, answered, start = _state(session, record_id)
    values = close_values(start, answered, result=result, reason=reason, end=end)
    if not in_progress:
        return False
    session.execute(update(CallRecord).where(CallRecord.id == record_id).values(**values))
    return True


def write_batch(
    session: Session,
    opened: list[dict[str, Any]],
    answered: list[dict[str, Any]],
    closed: list[dict[str, Any]],
) -> None:
    """Many records at once, a statement per kind (executemany): rows of
    :func:`new_row`, then answers and closes as ``{"id": ..., **values}``. The caller
    (the B2BUA's journal, the rows' only writer while their calls last) applied the
    first-wins rules itself, so nothing is read first."""
    if opened:
        session.execute(insert(CallRecord), opened)
    for changes in (answered, closed):
        if changes:
            session.execute(update(CallRecord), changes)


def close_abandoned_records(session: Session, now: datetime) -> int:
    """At start-up, close what a previous run left open (it crashed or was stopped with
    calls up): "Hang Up" when answered, else "Missed" (inbound) or "No Answer"
    (outbound), ending ``now``. Returns how many were closed.

    Every in-progress record of the database is closed: one process runs the calls."""
    now = _aware(now, "now")
    closed = 0
    for record in session.scalars(select(CallRecord).where(CallRecord.in_progress.is_(True))):
        if record.answer_time is not None:
            result = CallResult.HANG_UP
        elif record.direction == Direction.INBOUND:
            result = CallResult.MISSED
        else:
            result = CallResult.NO_ANSWER
        values = close_values(
            record.start_time,
            record.answer_time,
            result=result,
            reason=CallReason.INTERNAL_ERROR,
            end=now,
        )
        for column, value in values.items():
            setattr(record, column, value)
        closed += 1
    return closed
