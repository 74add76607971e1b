"""The Messages tab (VM-4): the signed-in user's voicemails, newest first, in the Inbox
or in Deleted Items, 50 per page, with the guide's columns, an in-page player, download,
mark read or unread, delete and restore, and blocking the caller in one click (BLK-7).
Faxes, texts, Outbox, Sent Items and Recordings come with their features."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from telephonist.accounts.users import effective_regional
from telephonist.answering import blocking
from telephonist.domain.text import N_
from telephonist.errors import Conflict, InvalidInput
from telephonist.i18n import gettext_for
from telephonist.portal.rendering import render
from telephonist.portal.visitors import CurrentUser, SignedIn, check_csrf, runtime_of
from telephonist.store.base import utcnow
from telephonist.store.voicemail import VoicemailMessage
from telephonist.voicemail import messages, schemas
from telephonist.voicemail.display import message_lines
from telephonist.voicemail.messages import Availability, MessageFilter, ReadStatus

router = APIRouter()

PAGE_SIZE = 50
FormText = Annotated[str, Form()]

FOLDERS = {
    "inbox": (N_("Inbox"), Availability.ALIVE, "/messages"),
    "deleted": (N_("Deleted Items"), Availability.DELETED, "/messages/deleted"),
}
STATUSES = {
    "all": (N_("All"), ()),
    "unread": (N_("Unread"), (ReadStatus.UNREAD.value,)),
    "read": (N_("Read"), (ReadStatus.READ.value,)),
}
NOTICES = {
    "read": N_("The message was marked as read."),
    "unread": N_("The message was marked as unread."),
    "deleted": N_("The message was moved to Deleted Items."),
    "restored": N_("The message was restored to the Inbox."),
    "purged": N_("The message was deleted permanently."),
    "blocked": N_("The caller was blocked: their calls will not reach you."),
}


def _folder_page(
    request: Request, me: SignedIn, folder: str, status: str, page: int, done: str | None
) -> Response:
    label, availability, path = FOLDERS[folder]
    status = status if status in STATUSES else "all"
    settings = effective_regional(me.account, me.extension)
    wanted = MessageFilter(
        extension_id=me.extension.id,
        availabilities=(availability.value,),
        read_statuses=STATUSES[status][1],
    )
    with runtime_of(request).db.transaction() as session:
        found = messages.search_messages(session, me.account.id, wanted, page, PAGE_SIZE)
        counts = messages.message_counts(session, me.account.id, me.extension.id)
        lines = message_lines(found.rows, settings)
    translate = gettext_for(me.language).gettext
    context: dict[str, Any] = {
        "tab": "messages",
        "folder": folder,
        "folder_label": label,
        "folder_path": path,
        "folders": [(key, name, href) for key, (name, _a, href) in FOLDERS.items()],
        "statuses": [(key, name) for key, (name, _s) in STATUSES.items()],
        "status": status,
        "unread_count": counts.new,
        "lines": lines,
        "page": found,
        "notice": translate(NOTICES[done]) if done in NOTICES else None,
    }
    return render(request, "messages/messages.html", context)


@router.get("/messages")
def inbox(
    request: Request,
    me: CurrentUser,
    status: str = "all",
    page: Annotated[int, Query(ge=1)] = 1,
    done: str | None = None,
) -> Response:
    """VM-4: the voicemails in the Inbox."""
    return _folder_page(request, me, "inbox", status, page, done)


@router.get("/messages/deleted")
def deleted_items(
    request: Request,
    me: CurrentUser,
    status: str = "all",
    page: Annotated[int, Query(ge=1)] = 1,
    done: str | None = None,
) -> Response:
    """VM-4: deleted voicemails, which can be restored or deleted permanently."""
    return _folder_page(request, me, "deleted", status, page, done)


def _my_message(request: Request, me: SignedIn, message_id: int) -> VoicemailMessage:
    with runtime_of(request).db.transaction() as session:
        return messages.get_message(session, me.account.id, me.extension.id, message_id)


@router.get("/messages/{message_id}/audio")
def message_audio(
    request: Request, message_id: int, me: CurrentUser, download: bool = False
) -> Response:
    """The recording for the page's player (Range requests answered), or to save."""
    message = _my_message(request, me, message_id)
    return FileResponse(
        messages.audio_of(runtime_of(request).blobs, message),
        media_type=message.content_type,
        filename=schemas.attachment_file_name(message),
        content_disposition_type="attachment" if download else "inline",
    )


def _back(folder: str, done: str) -> RedirectResponse:
    path = FOLDERS[folder if folder in FOLDERS else "inbox"][2]
    return RedirectResponse(f"{path}?done={done}", status_code=303)


@router.post("/messages/{message_id}/read")
def mark_message(
    request: Request,
    message_id: int,
    me: CurrentUser,
    status: FormText = ReadStatus.READ.value,
    folder: FormText = "inbox",
    csrf_token: FormText = "",
) -> Response:
    check_csrf(request, csrf_token)
    if status not in ReadStatus.__members__.values():
        raise HTTPException(400)
    with runtime_of(request).db.transaction() as session:
        message = messages.get_message(session, me.account.id, me.extension.id, message_id)
        messages.set_read_status(message, status, utcnow())
    return _back(folder, status.lower())


@router.post("/messages/{message_id}/delete")
def delete_message(
    request: Request, message_id: int, me: CurrentUser, csrf_token: FormText = ""
) -> Response:
    """From the Inbox to Deleted Items; from Deleted Items, for good."""
    check_csrf(request, csrf_token)
    with runtime_of(request).db.transaction() as session:
        message = messages.get_message(session, me.account.id, me.extension.id, message_id)
        was_deleted = message.availability == Availability.DELETED
        messages.delete_message(session, runtime_of(request).blobs, message, utcnow())
    return _back("deleted", "purged") if was_deleted else _back("inbox", "deleted")


@router.post("/messages/{message_id}/restore")
def restore_message(
    request: Request, message_id: int, me: CurrentUser, csrf_token: FormText = ""
) -> Response:
    check_csrf(request, csrf_token)
    try:
        with runtime_of(request).db.transaction() as session:
            message = messages.get_message(session, me.account.id, me.extension.id, message_id)
            messages.restore_message(message, utcnow())
    except Conflict:
        raise HTTPException(409) from None
    return _back("deleted", "restored")


@router.post("/messages/{message_id}/block")
def block_caller(
    request: Request,
    message_id: int,
    me: CurrentUser,
    folder: FormText = "inbox",
    csrf_token: FormText = "",
) -> Response:
    """BLK-7: put the caller's number on the user's block list."""
    check_csrf(request, csrf_token)
    try:
        with runtime_of(request).db.transaction() as session:
            message = messages.get_message(session, me.account.id, me.extension.id, message_id)
            if not message.from_number:
                raise HTTPException(400)
            blocking.block_number(
                session,
                me.account.id,
                me.extension.id,
                message.from_number,
                label=message.from_name,
            )
    except (InvalidInput, Conflict):
        raise HTTPException(400) from None
    return _back(folder, "blocked")
