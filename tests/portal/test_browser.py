"""The portal in headless Chromium (WEB-1, WEB-2, WEB-6, ACC-2, ACC-6, EXT-3, EXT-5, DEV-1):
sign-in by number and by e-mail, the activation wizard with live check marks and the
server's refusal, settings with validation, contacts, and French/English."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Page, expect

from tests.demo_data import DULCINEA, JOE, PASSWORD
from tests.support import MailCatcher, RunningServer, mail_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("demo_server", ["sqlite"], indirect=True),
]


def sign_in(
    page: Page,
    server: RunningServer,
    identifier: str,
    password: str = PASSWORD,
    extension: str = "",
) -> None:
    page.goto(f"{server.url}/sign-in")
    page.fill("#field-identifier", identifier)
    page.click("button[type=submit]")
    if extension:
        page.fill("#field-extension", extension)
    page.fill("#field-password", password)
    page.click("button[type=submit]")


def test_dulcinea_signs_in_with_number_and_extension_and_sees_her_french_overview(
    page: Page, demo_server: RunningServer
) -> None:
    sign_in(page, demo_server, DULCINEA[0], extension=DULCINEA[1])
    page.wait_for_url("**/overview")
    expect(page.locator("nav.tabs")).to_contain_text("Aperçu")
    for tab in ("Messages", "Journal des appels", "Contacts", "Paramètres", "Plus"):
        expect(page.locator("nav.tabs")).to_contain_text(tab)
    header = page.locator("header.app-header")
    expect(header).to_contain_text("Dulcinea Dunn")
    expect(header).to_contain_text("(409) 240-2117")
    expect(header).to_contain_text("11103")
    expect(page.locator("#my-extension")).to_have_text("11103")
    expect(page.locator(".my-number").first).to_have_text("(409) 240-2117")


def test_sign_in_with_email(page: Page, demo_server: RunningServer) -> None:
    sign_in(page, demo_server, "dulcinea.dunn@demo.example")
    page.wait_for_url("**/overview")
    expect(page.locator("header.app-header")).to_contain_text("Dulcinea Dunn")


def test_wrong_password_says_so_and_keeps_what_was_typed(
    page: Page, demo_server: RunningServer
) -> None:
    sign_in(page, demo_server, DULCINEA[0], password="Nope#1357x", extension=DULCINEA[1])
    expect(page.locator(".form-error")).to_be_visible()
    expect(page.locator("#field-extension")).to_have_value(DULCINEA[1])
    assert "/sign-in" in page.url


def test_language_switch_on_the_sign_in_page(page: Page, demo_server: RunningServer) -> None:
    page.goto(f"{demo_server.url}/sign-in")
    expect(page.locator("h1")).to_have_text("Sign In")
    page.click("text=Français")
    expect(page.locator("h1")).to_have_text("Se connecter")
    page.click("text=English (U.S.)")
    expect(page.locator("h1")).to_have_text("Sign In")


def test_user_language_setting_switches_the_portal_between_french_and_english(
    page: Page, demo_server: RunningServer
) -> None:
    sign_in(page, demo_server, JOE[0], extension=JOE[1])
    page.wait_for_url("**/overview")
    page.goto(f"{demo_server.url}/settings/user-details/settings")
    page.select_option("#field-user_language", "en-US")
    page.click("button.primary")
    expect(page.locator("nav.tabs").first).to_contain_text("Overview")
    expect(page.locator(".notice")).to_contain_text("Your changes have been saved.")
    page.select_option("#field-user_language", "fr-FR")
    page.click("button.primary")
    expect(page.locator("nav.tabs").first).to_contain_text("Aperçu")


def test_user_details_are_validated_and_keep_what_was_typed(
    page: Page, demo_server: RunningServer
) -> None:
    sign_in(page, demo_server, JOE[0], extension=JOE[1])
    page.wait_for_url("**/overview")
    page.click("nav.tabs >> text=Paramètres")
    page.fill("#field-job_title", "Technicien")
    page.fill("#field-mobile_phone", "12")
    page.click("button.primary")
    expect(page.locator('.field-error[data-field="mobile_phone"]')).to_be_visible()
    expect(page.locator("#field-job_title")).to_have_value("Technicien")
    page.fill("#field-mobile_phone", "(720) 555-0199")
    page.click("button.primary")
    expect(page.locator(".notice")).to_contain_text("Vos modifications ont été enregistrées.")
    expect(page.locator("#field-mobile_phone")).to_have_value("+17205550199")


def test_phones_and_numbers_show_sip_credentials_and_the_emergency_address_is_editable(
    page: Page, demo_server: RunningServer
) -> None:
    sign_in(page, demo_server, JOE[0], extension=JOE[1])
    page.goto(f"{demo_server.url}/settings/phones")
    expect(page.locator("#phones .sip-username").first).to_have_text("11102")
    expect(page.locator("#phones .sip-password").first).to_have_text("sip11102demo")
    expect(page.locator("#phones .sip-username").nth(1)).to_have_text("11102s")
    expect(page.locator("#numbers")).to_contain_text("(409) 209-0429")
    page.locator("#phones a", has_text="Modifier").first.click()
    page.fill("#field-city", "")
    page.click("button.primary")
    expect(page.locator('.field-error[data-field="city"]')).to_be_visible()
    page.fill("#field-city", "Beaumont")
    page.fill("#field-state", "TX")
    page.fill("#field-postal_code", "77701")
    page.click("button.primary")
    expect(page.locator("#phones")).to_contain_text("Beaumont")
    # E911-1: the desk phone moved; his softphone, which shared the office's address, did not.
    expect(page.locator("#phones")).to_contain_text("Belmont")


def test_company_contacts_list_and_search(page: Page, demo_server: RunningServer) -> None:
    sign_in(page, demo_server, DULCINEA[0], extension=DULCINEA[1])
    page.goto(f"{demo_server.url}/contacts/company")
    table = page.locator("#company-contacts")
    for name in ("Dulcinea", "Joe", "Hank", "Call Queue Test", "Office"):
        expect(table).to_contain_text(name)
    page.fill("#contacts-search", "hillos")
    page.press("#contacts-search", "Enter")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("(303) 968-8766")


def test_a_new_user_completes_the_activation_wizard(
    page: Page, demo_server: RunningServer, mail: MailCatcher
) -> None:
    """Hank adds a user in the admin portal; the user follows the e-mailed link, sees the
    password criteria checked live, is refused server-side, then completes every step."""
    email = f"nina.{secrets.token_hex(3)}@demo.example"
    sign_in(page, demo_server, "hank.hillos@demo.example")
    page.goto(f"{demo_server.url}/admin/users")
    page.fill("#field-first_name", "Nina")
    page.fill("#field-last_name", "Nouvelle")
    page.fill("#field-email", email)
    page.fill("#field-extension_number", str(11170 + secrets.randbelow(20)))  # tests/demo_data.py
    page.select_option("#field-language", "en-US")
    page.click("button.primary")
    expect(page.locator(".notice")).to_be_visible()
    link = re.search(r"(http://\S+/activate/\S+)", mail_text(mail.wait_for(email))).group(1)  # type: ignore[union-attr]
    page.context.clear_cookies()

    page.goto(link)
    length = page.locator('#password-criteria li[data-criterion="length"]')
    sequence = page.locator('#password-criteria li[data-criterion="no_sequence"]')
    expect(length).to_have_class("unmet")
    page.locator("#field-password").press_sequentially("abcd12")
    expect(sequence).to_have_class("unmet")
    expect(page.locator('#password-criteria li[data-criterion="letter"]')).to_have_class("met")
    page.locator("#field-password").fill("")
    page.locator("#field-password").press_sequentially("Harbor#Light58")
    expect(length).to_have_class("met")
    expect(sequence).to_have_class("met")
    page.locator("#field-pin").press_sequentially("1234")
    expect(page.locator('#pin-criteria li[data-criterion="no_sequence"]')).to_have_class("unmet")

    page.fill("#field-password_again", "Harbor#Light58")
    page.fill("#field-pin_again", "1234")
    page.select_option("#field-question", "childhood_nickname")
    page.fill("#field-answer", "Sparky")
    page.click("button.primary")
    expect(page.locator('.field-error[data-field="pin"]').first).to_be_visible()

    page.fill("#field-password", "Harbor#Light58")
    page.fill("#field-password_again", "Harbor#Light58")
    page.fill("#field-pin", "592846")
    page.fill("#field-pin_again", "592846")
    page.click("button.primary")
    page.wait_for_url("**/user_info")
    expect(page.locator("dl.facts")).to_contain_text("(409) 240-2583")
    page.click("button.primary")
    page.wait_for_url("**/regional")
    page.select_option("#field-time_zone", "America/New_York")
    page.check("input[value='24h']")
    page.click("button.primary")
    page.wait_for_url("**/emergency")
    page.fill("#field-customer_name", "Nina Nouvelle")
    page.fill("#field-street", "20 Davis Dr")
    page.fill("#field-city", "Belmont")
    page.fill("#field-state", "CA")
    page.fill("#field-postal_code", "94002")
    page.click("button.primary")
    expect(page.locator('.field-error[data-field="termsAccepted"]')).to_be_visible()
    page.check("#field-terms_accepted")
    page.click("button.primary")
    page.wait_for_url("**/call_handling")
    page.fill("input[name=number_0]", "(720) 555-0123")
    page.click("button.primary")
    page.wait_for_url("**/greeting")
    page.click("button.primary")
    page.wait_for_url("**/confirm")
    expect(page.locator("dl.facts")).to_contain_text("(720) 555-0123")
    page.click("button.primary")
    expect(page.locator("h1")).to_have_text("Congratulations!")
    page.click("text=Go to my account")
    page.wait_for_url("**/overview")
    expect(page.locator("header.app-header")).to_contain_text("Nina Nouvelle")
