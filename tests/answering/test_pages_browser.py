"""The call-handling pages in headless Debian Chromium, as Dulcinea (French) uses them:
the guide's three-step custom rule wizard with "Copier vers les jours de semaine",
"Valider les règles" finding a conflict, the rule preview in plain words (CH-4), the DND
menu of the header (PRE-1, WEB-1), and custom greetings from a WAV file and from the
microphone (GS-1, VM-1).

The server is this module's own, so Dulcinea's rules and DND state do not leak into
other tests of the demo company."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.demo_data import DULCINEA, PASSWORD
from tests.support import RunningServer, start_server

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]
"""The fake microphone plays a beep, which MediaRecorder records like a voice."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("answering-pages"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser, server: RunningServer) -> Iterator[Page]:
    context = chromium.new_context(locale="fr-FR")
    context.grant_permissions(["microphone"], origin=server.url)
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto(f"{server.url}/sign-in")
    page.fill("#field-identifier", DULCINEA[0])
    page.click("button[type=submit]")
    page.fill("#field-extension", DULCINEA[1])
    page.fill("#field-password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/overview")
    yield page
    context.close()


def add_weekly_rule(
    page: Page, name: str, start: str, end: str, action: str, *, copy: bool
) -> None:
    """The guide's "Ajouter une règle": 1 name, 2 conditions, 3 call handling."""
    page.click("#add-rule")
    expect(page.locator(".steps [aria-current=step]")).to_contain_text("Nommer la règle")
    page.fill("#field-name", name)
    page.click("#wizard-next")
    expect(page.locator(".steps [aria-current=step]")).to_contain_text("Définir les conditions")
    page.check("input[name=when][value=weekly]")
    page.check("#field-w_monday_on")
    page.fill("#field-w_monday_from", start)
    page.fill("#field-w_monday_to", end)
    if copy:
        page.click("#copy-w_monday")
        expect(page.locator("#field-w_friday_from")).to_have_value(start)
        expect(page.locator("#field-w_friday_on")).to_be_checked()
        expect(page.locator("#field-w_saturday_on")).not_to_be_checked()
    page.click("#wizard-next")
    expect(page.locator(".steps [aria-current=step]")).to_contain_text(
        "Définir la gestion des appels"
    )
    page.get_by_label(action, exact=True).check()
    page.click("#wizard-save")
    expect(page.locator(".notice")).to_have_text("La règle a été ajoutée.")


def test_dulcinea_builds_a_lunch_rule_validates_and_previews_it(page: Page) -> None:
    """CH-4: weekday lunch 12:00-13:00 takes messages; a second rule overlapping it is a
    conflict; the preview says what happens to a Saturday 10:00 call, in French."""
    page.click("nav.tabs >> text=Paramètres")
    page.click(".side-nav >> text=Gestion et renvoi des appels")
    page.click("nav.tabs >> text=Règles personnalisées")
    add_weekly_rule(
        page, "Pause déjeuner", "12:00", "13:00", "Prendre les messages seulement", copy=True
    )
    lunch = page.locator("#custom-rules tr", has_text="Pause déjeuner")
    expect(lunch).to_contain_text("lundi 12:00-13:00")
    expect(lunch).to_contain_text("vendredi 12:00-13:00")
    expect(lunch).to_contain_text("Prendre les messages seulement")

    add_weekly_rule(page, "Réunion", "12:30", "14:00", "Transférer les appels", copy=False)
    expect(page.locator("#rule-form legend").first).to_have_text(
        "Les appels correspondant à « Réunion » seront traités ainsi"
    )  # a rule that forwards calls goes on to the phones it rings
    page.click("text=← Règles personnalisées")
    page.click("#validate-rules")
    expect(page.locator("#validation .finding")).to_have_text(
        "« Pause déjeuner » et « Réunion » entrent en conflit : certains appels correspondent "
        "aux deux, et « Pause déjeuner » s'applique car elle passe en premier."
    )

    page.fill("#field-caller", "650 555 1234")
    page.fill("#field-when", "2026-11-28T10:00")
    page.click("#preview-button")
    result = page.locator("#preview-result")
    expect(result).to_contain_text("Samedi 10:00 : la règle")
    expect(result).not_to_contain_text("Pause déjeuner")
    page.fill("#field-when", "2026-11-30T12:15")
    page.click("#preview-button")
    expect(result).to_contain_text("Lundi 12:15 : la règle personnalisée « Pause déjeuner »")
    expect(result).to_contain_text("Les appelants peuvent laisser un message vocal.")


def test_dulcinea_turns_do_not_disturb_red_from_the_header(page: Page) -> None:
    """PRE-1 / WEB-1: the coloured icon next to her name opens the three choices."""
    status = page.locator("#dnd-status")
    expect(status).to_have_class("dnd-dot dnd-take-all")
    page.click("#dnd-menu summary")
    page.click(".dnd-choices >> text=N'accepter aucun appel")
    page.wait_for_load_state()
    expect(status).to_have_class("dnd-dot dnd-none")
    expect(status).to_have_attribute("title", "N'accepter aucun appel")
    assert status.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(215, 58, 73)"
    page.click("#dnd-menu summary")
    page.click(".dnd-choices >> text=Prendre tous les appels")
    expect(status).to_have_class("dnd-dot dnd-take-all")


def test_dulcinea_uploads_a_user_greeting_file(page: Page, tmp_path: Path) -> None:
    """GS-1: a WAV file from the computer becomes the user greeting, and plays."""
    wav = tmp_path / "bonjour.wav"
    subprocess.run(
        ["sox", "-n", "-r", "16000", "-c", "1", str(wav), "synth", "1.5", "sine", "440"],
        check=True,
    )
    page.click("nav.tabs >> text=Paramètres")
    page.click(".side-nav >> text=Filtrage, message d'accueil et musique d'attente")
    page.set_input_files("#upload-file-Introductory", str(wav))
    page.click("#upload-submit-Introductory")
    expect(page.locator(".notice")).to_have_text(
        "Votre message d'accueil personnalisé a été enregistré et activé."
    )
    expect(page.locator("#field-intro_on")).to_be_checked()
    expect(page.locator("#field-intro option:checked")).to_have_text("Personnalisé: bonjour.wav")
    player = page.locator("#user-greeting audio:not(.recording-preview)")
    expect(player).to_have_count(1)
    duration = player.evaluate(
        "a => new Promise(ok => { a.onloadedmetadata = () => ok(a.duration); a.load(); })"
    )
    assert 1.3 < duration < 1.7


def test_dulcinea_records_her_voicemail_greeting_with_the_microphone(page: Page) -> None:
    """VM-1: record with the browser's microphone, listen, attach; the server converts
    the WebM recording."""
    page.goto(page.url.replace("/overview", "/settings/messages/user-hours"))
    record = page.locator("button[data-record-for=upload-Voicemail]")
    record.click()
    expect(record).to_have_text("Arrêter")
    page.wait_for_timeout(1500)
    record.click()
    expect(record).to_have_text("Enregistrer")
    expect(page.locator("#voicemail-greeting .recording-preview")).to_be_visible()
    page.click("#upload-submit-Voicemail")
    expect(page.locator(".notice")).to_have_text(
        "Votre message d'accueil personnalisé a été enregistré et activé."
    )
    expect(page.locator("#field-vm_greeting option:checked")).to_contain_text("recording.")
