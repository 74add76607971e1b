"""The public API's JSON for voicemail messages (``GetMessageInfoResponse``, rc-api README
§4.10): the recording is the message's one attachment, whose id is the message's id."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

from telephonist.accounts.schemas import extension_path, iso_time
from telephonist.api.paging import absolute_uri
from telephonist.store.voicemail import VoicemailMessage
from telephonist.voicemail.messages import INBOUND, VOICEMAIL, duration_seconds

ATTACHMENT_TYPE = "AudioRecording"
RECEIVED = "Received"


def message_store_path(account_id: int, extension_id: int) -> str:
    return f"{extension_path(account_id, extension_id)}/message-store"


def message_path(message: VoicemailMessage) -> str:
    return f"{message_store_path(message.account_id, message.extension_id)}/{message.id}"


def attachment_file_name(message: VoicemailMessage) -> str:
    return f"voicemail-{message.id}.wav"


def _party(number: str, extension: str, name: str) -> dict[str, str]:
    party = {"phoneNumber": number, "extensionNumber": extension, "name": name}
    return {key: value for key, value in party.items() if value}


def message_json(request: Request, message: VoicemailMessage) -> dict[str, Any]:
    """One message; a purged one has no attachment left."""
    uri = absolute_uri(request, message_path(message))
    attachments = []
    if message.blob_key:
        attachments.append(
            {
                "id": message.id,
                "uri": f"{uri}/content/{message.id}",
                "type": ATTACHMENT_TYPE,
                "contentType": message.content_type,
                "vmDuration": duration_seconds(message),
                "size": message.size,
                "fileName": attachment_file_name(message),
            }
        )
    return {
        "uri": uri,
        "id": message.id,
        "extensionId": str(message.extension_id),
        "type": VOICEMAIL,
        "to": [_party(message.to_number, message.to_extension, message.to_name)],
        "from": _party(message.from_number, message.from_extension, message.from_name),
        "creationTime": iso_time(message.created_at),
        "lastModifiedTime": iso_time(message.last_modified),
        "readStatus": message.read_status,
        "priority": message.priority,
        "direction": INBOUND,
        "availability": message.availability,
        "messageStatus": RECEIVED,
        "vmTranscriptionStatus": message.transcription_status,
        "attachments": attachments,
    }


class MessageUpdate(BaseModel):
    """``UpdateMessageRequest``: the read status, and the availability (``Alive``
    restores a deleted message)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    read_status: str | None = Field(None, alias="readStatus")
    availability: str | None = None
