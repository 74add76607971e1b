"""REST routes of the message store at the public API's paths (VM-4): list, read, mark,
delete, restore and purge voicemails, and download their audio. A user reaches their own
mailbox, an admin any mailbox of the account; reading needs the ReadMessages scope and
changing EditMessages."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response

from telephonist.accounts.schemas import iso_time
from telephonist.api.dependencies import (
    PrincipalDep,
    RuntimeDep,
    SessionDep,
    now,
    require_scope,
    resolve_extension,
)
from telephonist.api.errors import ApiError
from telephonist.api.paging import PageDep, list_body
from telephonist.api.parameters import moment_parameter, phone_number_parameter
from telephonist.domain.permissions import AppScope, Principal
from telephonist.domain.text import N_
from telephonist.errors import FieldProblem, InvalidInput, NotFound, PermissionDenied
from telephonist.store.extensions import Extension
from telephonist.store.voicemail import VoicemailMessage
from telephonist.voicemail import messages, schemas

router = APIRouter(prefix="/v1.0/account/{account_id}/extension/{extension_id}/message-store")

DEFAULT_PERIOD = timedelta(hours=24)
DISPOSITIONS = {"Inline": "inline", "Attachment": "attachment"}

MultiValue = Annotated[list[str], Query()]


class MessageQuery:
    """The public API's message-store query: dateFrom/dateTo (default: the last 24 hours),
    and messageType, readStatus, availability and direction (repeatable), phoneNumber."""

    def __init__(
        self,
        date_from: Annotated[str | None, Query(alias="dateFrom")] = None,
        date_to: Annotated[str | None, Query(alias="dateTo")] = None,
        message_type: Annotated[list[str], Query(alias="messageType")] = [],  # noqa: B006
        read_status: Annotated[list[str], Query(alias="readStatus")] = [],  # noqa: B006
        availability: MultiValue = [],  # noqa: B006 - the public API's parameter names
        direction: MultiValue = [],  # noqa: B006
        phone_number: Annotated[str | None, Query(alias="phoneNumber")] = None,
    ) -> None:
        self.date_to = moment_parameter(date_to, "dateTo") or now()
        self.date_from = moment_parameter(date_from, "dateFrom") or self.date_to - DEFAULT_PERIOD
        self.message_types = message_type
        self.read_statuses = read_status
        self.availabilities = availability or [messages.Availability.ALIVE.value]
        self.directions = direction
        self.phone_number = phone_number_parameter(phone_number)

    def filter(self, extension_id: int) -> messages.MessageFilter:
        return messages.MessageFilter(
            extension_id=extension_id,
            availabilities=self.availabilities,
            read_statuses=self.read_statuses,
            message_types=self.message_types,
            directions=self.directions,
            date_from=self.date_from,
            date_to=self.date_to,
            phone_number=self.phone_number,
        )

    def link_query(self) -> dict[str, Any]:
        """The query for paging links, with the period fixed so pages do not slide."""
        query: dict[str, Any] = {
            "dateFrom": iso_time(self.date_from),
            "dateTo": iso_time(self.date_to),
            "messageType": self.message_types,
            "readStatus": self.read_statuses,
            "availability": self.availabilities,
            "direction": self.directions,
        }
        if self.phone_number:
            query["phoneNumber"] = self.phone_number.removeprefix("+")
        return query


MessageQueryDep = Annotated[MessageQuery, Depends()]


def _mailbox(
    session: SessionDep, principal: Principal, account_id: str, extension_id: str, scope: AppScope
) -> Extension:
    """The extension whose mailbox is asked for: one's own, or any for an admin."""
    require_scope(principal, scope)
    extension = resolve_extension(session, principal, account_id, extension_id)
    if extension.id != principal.extension_id and not principal.is_admin:
        raise PermissionDenied("You may only reach your own messages", code="CMN-404")
    return extension


def _message(
    session: SessionDep,
    principal: Principal,
    account_id: str,
    extension_id: str,
    message_id: str,
    scope: AppScope,
) -> VoicemailMessage:
    extension = _mailbox(session, principal, account_id, extension_id, scope)
    if not message_id.isdigit():
        raise NotFound("messageId")
    return messages.get_message(session, extension.account_id, extension.id, int(message_id))


@router.get("")
def list_messages(
    request: Request,
    account_id: str,
    extension_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    query: MessageQueryDep,
    paging: PageDep,
) -> dict[str, Any]:
    """VM-4: the mailbox's messages, newest first (Alive ones unless asked otherwise)."""
    extension = _mailbox(session, principal, account_id, extension_id, AppScope.READ_MESSAGES)
    page = messages.search_messages(
        session, extension.account_id, query.filter(extension.id), paging.page, paging.per_page
    )
    records = [schemas.message_json(request, message) for message in page.rows]
    path = schemas.message_store_path(extension.account_id, extension.id)
    return list_body(request, path, records, page, query.link_query())


@router.get("/{message_id}")
def read_message(
    request: Request,
    account_id: str,
    extension_id: str,
    message_id: str,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    message = _message(
        session, principal, account_id, extension_id, message_id, AppScope.READ_MESSAGES
    )
    return schemas.message_json(request, message)


@router.put("/{message_id}")
@router.patch("/{message_id}")
def update_message(
    request: Request,
    account_id: str,
    extension_id: str,
    message_id: str,
    body: schemas.MessageUpdate,
    principal: PrincipalDep,
    session: SessionDep,
    runtime: RuntimeDep,
) -> dict[str, Any]:
    """Mark read or unread; ``availability`` Alive restores a deleted message."""
    message = _message(
        session, principal, account_id, extension_id, message_id, AppScope.EDIT_MESSAGES
    )
    if body.read_status is None and body.availability is None:
        raise InvalidInput(
            [FieldProblem("readStatus", N_("Give the read status or the availability"))]
        )
    moment = now()
    if body.read_status is not None:
        messages.set_read_status(message, body.read_status, moment)
    if body.availability is not None:
        messages.set_availability(session, runtime.blobs, message, body.availability, moment)
    return schemas.message_json(request, message)


@router.delete("/{message_id}", status_code=204)
def delete_message(
    account_id: str,
    extension_id: str,
    message_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    runtime: RuntimeDep,
    purge: bool = False,
) -> Response:
    """To Deleted; a deleted message (or any, with ``purge``) is purged with its audio."""
    message = _message(
        session, principal, account_id, extension_id, message_id, AppScope.EDIT_MESSAGES
    )
    messages.delete_message(session, runtime.blobs, message, now(), purge=purge)
    return Response(status_code=204)


@router.get("/{message_id}/content/{attachment_id}")
def read_message_content(
    account_id: str,
    extension_id: str,
    message_id: str,
    attachment_id: str,
    principal: PrincipalDep,
    session: SessionDep,
    runtime: RuntimeDep,
    content_disposition: Annotated[str, Query(alias="contentDisposition")] = "Inline",
    file_name: Annotated[str | None, Query(alias="contentDispositionFilename")] = None,
) -> Response:
    """The recording as audio/wav; Range requests are answered (206) for players."""
    if content_disposition not in DISPOSITIONS:
        raise ApiError(
            400,
            "CMN-101",
            "Parameter [contentDisposition] value is invalid: use Inline or Attachment",
            parameterName="contentDisposition",
        )
    message = _message(
        session, principal, account_id, extension_id, message_id, AppScope.READ_MESSAGES
    )
    if attachment_id != str(message.id):
        raise NotFound("attachmentId")
    return FileResponse(
        messages.audio_of(runtime.blobs, message),
        media_type=message.content_type,
        filename=file_name or schemas.attachment_file_name(message),
        content_disposition_type=DISPOSITIONS[content_disposition],
    )
