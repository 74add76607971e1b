"""The Messages tab (VM-4, BLK-7, WEB-6): the Inbox and Deleted Items in the user's
language, time zone and formats, the audio behind the session, forms that need their
token, and blocking a caller in one click."""

from __future__ import annotations

import html
import re

import pytest

from telephonist.answering import blocking
from telephonist.voicemail.messages import MessageParty
from tests.demo_data import DULCINEA, PASSWORD
from tests.support import PortalBrowser, RunningServer, database_of
from tests.voicemail.conftest import (
    MESSAGE_AUDIO,
    OTHER_DIRECT_NUMBER,
    ServerMailboxes,
    fresh_message,
)

pytestmark = pytest.mark.parametrize("demo_server", ["sqlite"], indirect=True)

CELLS = ("message-priority", "message-from", "message-length", "message-when")


def row(page: str, message_id: int) -> dict[str, str] | None:
    """The texts of one message's row (None when it is not listed), and its classes."""
    found = re.search(
        rf'<tr class="([^"]*)" data-message-id="{message_id}">(.*?)</tr>', page, re.DOTALL
    )
    if found is None:
        return None
    texts = {"class": found.group(1), "html": found.group(2)}
    for cell in CELLS:
        match = re.search(rf'class="{cell}">(.*?)</(?:td|span)>', found.group(2), re.DOTALL)
        assert match is not None, cell
        text = re.sub(r"<[^>]+>", " ", match.group(1))
        texts[cell] = html.unescape(re.sub(r"\s+", " ", text).strip())
    return texts


@pytest.fixture
def dulcinea(demo_server: RunningServer, server_mailboxes: ServerMailboxes) -> PortalBrowser:
    browser = PortalBrowser(demo_server.url)
    browser.sign_in(DULCINEA[0], PASSWORD, DULCINEA[1])
    return browser


def test_the_inbox_shows_the_guides_columns_in_french(
    dulcinea: PortalBrowser, server_mailboxes: ServerMailboxes
) -> None:
    page = dulcinea.get("/messages")
    assert page.status_code == 200
    assert "Boîte de réception" in page.text and "Éléments supprimés" in page.text
    for heading in ("Priorité", "De", "Message", "Reçu", "Actions"):
        assert f"<th>{heading}</th>" in page.text
    from_hank = row(page.text, server_mailboxes.from_hank)
    assert from_hank is not None
    assert from_hank["class"] == "message unread"
    assert from_hank["message-from"] == "11101 Hank Hillos"
    assert from_hank["message-length"] == "0:00:03"
    assert from_hank["message-when"] == "02/06/2025 10:00 AM"
    assert "<strong>11101</strong>" in from_hank["html"]
    assert 'href="tel:11101"' in from_hank["html"]
    assert f'src="/messages/{server_mailboxes.from_hank}/audio"' in from_hank["html"]
    assert "Marquer comme lu" in from_hank["html"]
    urgent = row(page.text, server_mailboxes.urgent)
    assert urgent is not None
    assert urgent["message-priority"] == "!"
    assert '<span class="sr">Priorité élevée</span>' in urgent["html"]
    assert urgent["message-from"] == "(415) 555-0100 Golden Gate Bakery"
    read = row(page.text, server_mailboxes.afternoon[1])
    assert read is not None and read["class"] == "message"
    assert "Marquer comme non lu" in read["html"]
    assert row(page.text, server_mailboxes.hanks_own) is None
    assert row(page.text, server_mailboxes.other_company) is None


def test_the_status_filter_keeps_unread_or_read_messages(
    dulcinea: PortalBrowser, server_mailboxes: ServerMailboxes
) -> None:
    unread = dulcinea.get("/messages?status=unread").text
    assert row(unread, server_mailboxes.from_hank) is not None
    assert row(unread, server_mailboxes.afternoon[1]) is None
    read = dulcinea.get("/messages?status=read").text
    assert row(read, server_mailboxes.from_hank) is None
    assert row(read, server_mailboxes.afternoon[1]) is not None


def test_the_audio_is_the_recording_and_needs_the_session(
    dulcinea: PortalBrowser, demo_server: RunningServer, server_mailboxes: ServerMailboxes
) -> None:
    path = f"/messages/{server_mailboxes.from_hank}/audio"
    audio = dulcinea.get(path)
    assert audio.headers["content-type"] == "audio/wav"
    assert audio.headers["content-disposition"].startswith("inline;")
    assert audio.content[44:] == MESSAGE_AUDIO
    saved = dulcinea.get(f"{path}?download=true")
    assert saved.headers["content-disposition"].startswith("attachment;")
    anonymous = PortalBrowser(demo_server.url).client.get(path)
    assert anonymous.status_code == 303 and "/sign-in" in anonymous.headers["location"]
    assert dulcinea.get(f"/messages/{server_mailboxes.hanks_own}/audio").status_code == 404


def test_another_company_sees_only_its_own_voicemail_in_english(
    demo_server: RunningServer, server_mailboxes: ServerMailboxes
) -> None:
    vera = PortalBrowser(demo_server.url)
    vera.sign_in(OTHER_DIRECT_NUMBER, PASSWORD, "101")
    page = vera.get("/messages").text
    assert "Inbox" in page and "<th>Received</th>" in page
    listed = re.findall(r'data-message-id="(\d+)"', page)
    assert listed == [str(server_mailboxes.other_company)]
    assert vera.get(f"/messages/{server_mailboxes.from_hank}/audio").status_code == 404
    forged = vera.post_form(f"/messages/{server_mailboxes.from_hank}/delete", {}, page=page)
    assert forged.status_code == 404


def test_a_form_without_its_token_changes_nothing(
    dulcinea: PortalBrowser, demo_server: RunningServer, server_mailboxes: ServerMailboxes
) -> None:
    message_id = fresh_message(demo_server, server_mailboxes)
    refused = dulcinea.request("POST", f"/messages/{message_id}/delete", data={})
    assert refused.status_code == 403
    assert row(dulcinea.get("/messages").text, message_id) is not None


def test_delete_restore_and_delete_permanently(
    dulcinea: PortalBrowser, demo_server: RunningServer, server_mailboxes: ServerMailboxes
) -> None:
    message_id = fresh_message(demo_server, server_mailboxes)
    inbox = dulcinea.get("/messages").text
    moved = dulcinea.post_form(f"/messages/{message_id}/delete", {}, page=inbox)
    assert "Le message a été placé dans les éléments supprimés." in moved.text
    assert row(moved.text, message_id) is None
    deleted = dulcinea.get("/messages/deleted").text
    listed = row(deleted, message_id)
    assert listed is not None and "Restaurer" in listed["html"]
    restored = dulcinea.post_form(f"/messages/{message_id}/restore", {}, page=deleted)
    assert "Le message a été restauré dans la boîte de réception." in restored.text
    assert row(dulcinea.get("/messages").text, message_id) is not None
    dulcinea.post_form(f"/messages/{message_id}/delete", {}, page=inbox)
    gone = dulcinea.post_form(f"/messages/{message_id}/delete", {}, page=inbox)
    assert "Le message a été supprimé définitivement." in gone.text
    assert row(gone.text, message_id) is None
    assert dulcinea.get(f"/messages/{message_id}/audio").status_code == 404


def test_block_caller_puts_the_number_on_the_block_list_in_one_click(
    dulcinea: PortalBrowser, demo_server: RunningServer, server_mailboxes: ServerMailboxes
) -> None:
    """BLK-7, with a caller no other test knows; an extension's message has no button."""
    robocaller = MessageParty("+13125550147", "", "CHICAGO IL")
    message_id = fresh_message(demo_server, server_mailboxes, caller=robocaller)
    inbox = dulcinea.get("/messages").text
    listed = row(inbox, message_id)
    assert listed is not None and f'action="/messages/{message_id}/block"' in listed["html"]
    from_hank = row(inbox, server_mailboxes.from_hank)
    assert from_hank is not None and "/block" not in from_hank["html"]
    blocked = dulcinea.post_form(f"/messages/{message_id}/block", {}, page=inbox)
    assert "L'appelant a été bloqué : ses appels ne vous parviendront plus." in html.unescape(
        blocked.text
    )
    database = database_of(demo_server)
    account_id, extension_id = server_mailboxes.account_id, server_mailboxes.dulcinea.extension_id
    try:
        with database.transaction() as session:
            numbers = blocking.list_numbers(
                session, account_id, extension_id, blocking.ListStatus.BLOCKED
            )
            assert ("+13125550147", "CHICAGO IL") in [(n.phone_number, n.label) for n in numbers]
    finally:
        with database.transaction() as session:
            for number in blocking.list_numbers(session, account_id, extension_id):
                if number.phone_number == "+13125550147":
                    blocking.remove_number(session, account_id, extension_id, str(number.id))
        database.dispose()
