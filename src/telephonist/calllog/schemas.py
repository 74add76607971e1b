"""The public API's JSON for call-log records (rc-api README §4.9). The Simple view has
the record's own fields; the Detailed view adds ``lastModifiedTime`` and ``legs``, with
one leg since each record is already one party of the call."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from telephonist.accounts.schemas import account_path, extension_path, iso_time
from telephonist.api.paging import absolute_uri
from telephonist.calllog.records import Direction, Transport
from telephonist.calllog.search import duration_seconds
from telephonist.store.telephony import CallRecord

SIMPLE = "Simple"
DETAILED = "Detailed"
VIEWS = (SIMPLE, DETAILED)


def call_log_path(account_id: int, extension_id: int | None) -> str:
    """The company's log, or one extension's."""
    if extension_id is None:
        return f"{account_path(account_id)}/call-log"
    return f"{extension_path(account_id, extension_id)}/call-log"


def _party(number: str, extension: str, name: str) -> dict[str, str]:
    party = {"phoneNumber": number, "extensionNumber": extension, "name": name}
    return {key: value for key, value in party.items() if value}


def _leg_type(record: CallRecord) -> str:
    if record.transport == Transport.VOIP:
        return "ExtensionToExtension"
    return "PstnToSip" if record.direction == Direction.INBOUND else "SipToPstnUnmetered"


def call_record_json(request: Request, record: CallRecord, *, detailed: bool) -> dict[str, Any]:
    """One ``CallLogRecord``; its ``uri`` is the extension's (the company's when the
    call reached no extension)."""
    path = f"{call_log_path(record.account_id, record.extension_id)}/{record.id}"
    call: dict[str, Any] = {
        "startTime": iso_time(record.start_time),
        "duration": duration_seconds(record),
        "durationMs": record.duration_ms,
        "type": record.type,
        "direction": record.direction,
        "action": record.action,
        "result": record.result,
        "to": _party(record.to_number, record.to_extension, record.to_name),
        "from": _party(record.from_number, record.from_extension, record.from_name),
        "transport": record.transport,
    }
    if record.reason:
        call["reason"] = record.reason
    if record.extension_id is not None:
        call["extension"] = {
            "uri": absolute_uri(request, extension_path(record.account_id, record.extension_id)),
            "id": record.extension_id,
        }
    body = {
        "uri": absolute_uri(request, path, {"view": DETAILED} if detailed else None),
        "id": record.id,
        "sessionId": record.session_id,
        **call,
    }
    if detailed:
        body["lastModifiedTime"] = iso_time(record.last_modified)
        body["legs"] = [{**call, "legType": _leg_type(record), "master": True}]
    return body
