"""The Messages tab in headless Chromium (VM-4): a voicemail is listed, plays in the page,
is marked read, deleted and restored."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.demo_data import DULCINEA
from tests.portal.test_browser import sign_in
from tests.support import RunningServer
from tests.voicemail.conftest import ServerMailboxes, fresh_message

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("demo_server", ["sqlite"], indirect=True),
]

PLAYED_SECONDS = """audio => new Promise((resolve, reject) => {
  audio.muted = true;
  audio.addEventListener("timeupdate", () => {
    if (audio.currentTime > 0) resolve(audio.currentTime);
  });
  audio.play().catch(reject);
})"""


def test_a_voicemail_is_heard_marked_read_deleted_and_restored(
    page: Page, demo_server: RunningServer, server_mailboxes: ServerMailboxes
) -> None:
    message_id = fresh_message(demo_server, server_mailboxes)
    sign_in(page, demo_server, DULCINEA[0], extension=DULCINEA[1])
    page.wait_for_url("**/overview")
    page.click("nav.tabs >> text=Messages")
    page.wait_for_url("**/messages")
    row = page.locator(f'tr[data-message-id="{message_id}"]')
    expect(row).to_have_class("message unread")
    expect(row.locator(".message-from strong")).to_have_text("(212) 555-0100")
    expect(row.locator(".message-length")).to_have_text("0:00:03")

    audio = row.locator("audio")
    audio.evaluate(
        "audio => audio.readyState >= 1 || new Promise(resolve =>"
        " audio.addEventListener('loadedmetadata', resolve))"
    )
    assert audio.evaluate("audio => audio.duration") == pytest.approx(3.0, abs=0.05)
    assert audio.evaluate(PLAYED_SECONDS) > 0

    row.get_by_role("button", name="Marquer comme lu").click()
    expect(page.locator(".notice")).to_have_text("Le message a été marqué comme lu.")
    expect(row).to_have_class("message")
    expect(row.get_by_role("button", name="Marquer comme non lu")).to_be_visible()

    row.get_by_role("button", name="Supprimer").click()
    expect(page.locator(".notice")).to_have_text(
        "Le message a été placé dans les éléments supprimés."
    )
    expect(row).to_have_count(0)

    page.click(".side-nav >> text=Éléments supprimés")
    page.wait_for_url("**/messages/deleted")
    row.get_by_role("button", name="Restaurer").click()
    expect(page.locator(".notice")).to_have_text(
        "Le message a été restauré dans la boîte de réception."
    )
    page.click(".side-nav >> text=Boîte de réception")
    expect(row).to_be_visible()
    expect(row).to_have_class("message")
