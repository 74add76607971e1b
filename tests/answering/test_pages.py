"""The call-handling portal pages through real HTTP (a cookie-keeping client, no browser):
every form checks its input on the server and shows the error next to the field, in
English and in French, keeping what was typed (WEB-6); what is saved is what the
services read (CH-1..CH-5, GS-1, BLK-1..BLK-6, PRE-1, VM-1, VM-2)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from telephonist.accounts import users
from telephonist.answering import blocking, forwarding, hours, presence, rules, settings
from telephonist.domain.answering.model import (
    AnnouncementScope,
    AnsweringRule,
    DisplayedNumber,
    DndStatus,
    RingingMode,
)
from telephonist.identity import credentials
from telephonist.store.base import utcnow
from telephonist.store.numbers import PhoneNumber
from tests.demo_data import COMPANY_NUMBER, PASSWORD
from tests.support import PortalBrowser, RunningServer, database_of

pytestmark = pytest.mark.parametrize("demo_server", ["sqlite"], indirect=True)


@dataclass(frozen=True)
class PageUser:
    account_id: int
    extension_id: int
    number: str
    extension: str


def _add_user(
    server: RunningServer, first: str, extension: str, number: str, language: str, role: str
) -> PageUser:
    database = database_of(server)
    with database.transaction() as session:
        account_id = session.scalar(
            select(PhoneNumber.account_id).where(PhoneNumber.e164 == COMPANY_NUMBER)
        )
        assert account_id is not None
        added = users.add_user(
            session,
            account_id,
            first_name=first,
            last_name="Pages",
            email=f"{first.lower()}.{server.http_port}@demo.example",
            extension_number=extension,
            direct_number=number,
            language=language,
            role_name=role,
        )
        assert added.user is not None
        credentials.set_password(
            added.user, PASSWORD, users.account_facts(session, added), utcnow()
        )
        added.status = "Enabled"
        found = PageUser(account_id, added.id, number, extension)
    database.dispose()
    return found


@pytest.fixture(scope="module")
def paula(demo_server: RunningServer) -> PageUser:
    """An English-speaking Standard user whose settings these tests change."""
    return _add_user(demo_server, "Paula", "11160", "+14092402160", "en-US", "Standard")


@pytest.fixture(scope="module")
def pierre(demo_server: RunningServer) -> PageUser:
    """A French-speaking Super Admin (BLK-6, VM-1's message length)."""
    return _add_user(demo_server, "Pierre", "11161", "+14092402161", "fr-FR", "Super Admin")


def browser_for(server: RunningServer, user: PageUser) -> PortalBrowser:
    browser = PortalBrowser(server.url)
    browser.sign_in(user.number, PASSWORD, user.extension)
    return browser


def field_errors(page: str) -> dict[str, list[str]]:
    """The errors shown next to each field, by input name."""
    found: dict[str, list[str]] = {}
    for name, text in re.findall(r'class="field-error" data-field="([^"]*)">([^<]*)<', page):
        found.setdefault(name, []).append(html.unescape(text))
    return found


def input_value(page: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', page)
    assert found, f"no input {name}"
    return html.unescape(found.group(1))


def forwarding_fields(page: str) -> dict[str, str]:
    """The hidden inputs that carry the forwarding list's order and ring groups."""
    return dict(
        re.findall(r'<input type="hidden" name="(e\d+_numbers|entries)" value="([^"]*)"', page)
    )


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("paula", "An extension has at most 10 forwarding numbers: remove one first"),
        ("pierre", "Un poste a au plus 10 numéros de renvoi : supprimez-en un d'abord"),
    ],
)
def test_eleventh_forwarding_number_is_refused_next_to_the_number(
    demo_server: RunningServer, request: pytest.FixtureRequest, who: str, message: str
) -> None:
    """CH-2: "jusqu'à 10 numéros de renvoi pour chaque poste"; the 11th says so and keeps
    what was typed."""
    user: PageUser = request.getfixturevalue(who)
    browser = browser_for(demo_server, user)
    page = browser.get("/settings/call-handling/user-hours").text
    database = database_of(demo_server)
    with database.transaction() as session:
        have = len(forwarding.list_forwarding_numbers(session, user.account_id, user.extension_id))
    for n in range(have, 10):
        added = browser.post_form(
            "/settings/call-handling/forwarding-numbers",
            {
                "next": "user-hours",
                "new_type": "Mobile",
                "new_label": "",
                "new_number": f"650555{1100 + n}",
            },
            page,
        )
        assert added.status_code == 200 and field_errors(added.text) == {}
        page = added.text
    refused = browser.post_form(
        "/settings/call-handling/forwarding-numbers",
        {
            "next": "user-hours",
            "new_type": "Home",
            "new_label": "Cabin",
            "new_number": "6505559999",
        },
        page,
    )
    assert refused.status_code == 400
    assert field_errors(refused.text) == {"new_number": [message]}
    assert input_value(refused.text, "new_number") == "6505559999"
    assert input_value(refused.text, "new_label") == "Cabin"
    with database.transaction() as session:
        assert (
            len(forwarding.list_forwarding_numbers(session, user.account_id, user.extension_id))
            == 10
        )
    database.dispose()


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("paula", "Enter a time as hh:mm, for example 12:00"),
        ("pierre", "Saisissez l'heure au format hh:mm, par exemple 12:00"),
    ],
)
def test_bad_user_hours_show_next_to_the_day_and_nothing_is_saved(
    demo_server: RunningServer, request: pytest.FixtureRequest, who: str, message: str
) -> None:
    """CH-1: a time that is not hh:mm is refused on the day it was typed."""
    user: PageUser = request.getfixturevalue(who)
    browser = browser_for(demo_server, user)
    refused = browser.post_form(
        "/settings/call-handling/schedule",
        {
            "mode": "custom",
            "monday_on": "on",
            "monday_from": "09:00",
            "monday_to": "17:00",
            "tuesday_on": "on",
            "tuesday_from": "25:00",
            "tuesday_to": "17:00",
            "op": "save",
        },
    )
    assert refused.status_code == 400
    assert field_errors(refused.text) == {"tuesday_from": [message]}
    assert input_value(refused.text, "tuesday_from") == "25:00"
    database = database_of(demo_server)
    with database.transaction() as session:
        assert hours.get_user_hours(session, user.account_id, user.extension_id).is_empty
    database.dispose()


def test_copy_to_weekdays_then_save_sets_the_user_hours(
    demo_server: RunningServer, paula: PageUser
) -> None:
    """CH-1 schedule editor: Monday's range copied to Tuesday..Friday, then saved."""
    browser = browser_for(demo_server, paula)
    copied = browser.post_form(
        "/settings/call-handling/schedule",
        {
            "mode": "custom",
            "monday_on": "on",
            "monday_from": "08:30",
            "monday_to": "17:30",
            "op": "copy:monday",
        },
    )
    assert copied.status_code == 200
    assert input_value(copied.text, "friday_from") == "08:30"
    fields = {"mode": "custom", "op": "save"}
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday"):
        fields.update({f"{day}_on": "on", f"{day}_from": "08:30", f"{day}_to": "17:30"})
    saved = browser.post_form("/settings/call-handling/schedule", fields, copied.text)
    assert saved.status_code == 200 and "/schedule?done=saved" in str(saved.url)
    database = database_of(demo_server)
    with database.transaction() as session:
        schedule = hours.get_user_hours(session, paula.account_id, paula.extension_id)
    database.dispose()
    assert [len(day) for day in schedule.days] == [1, 1, 1, 1, 1, 0, 0]
    assert schedule.days[4][0].from_text == "08:30"
    browser.post_form("/settings/call-handling/schedule", {"mode": "always", "op": "save"})


def test_ring_group_merge_and_split_are_saved_only_with_save(
    demo_server: RunningServer, paula: PageUser
) -> None:
    """CH-2: merge a number into a ring group with the one above, save, split it again."""
    browser = browser_for(demo_server, paula)
    page = browser.get("/settings/call-handling/user-hours").text
    fields = forwarding_fields(page)
    assert int(fields["entries"]) >= 2
    form = {
        **fields,
        "action": "ForwardCalls",
        "then": "voicemail",
        "ringing_mode": "Simultaneously",
        "announcement": "default",
        "e0_active": "on",
        "e0_rings": "3",
        "e1_active": "on",
        "e1_rings": "3",
        "op": "merge:1",
    }
    merged = browser.post_form("/settings/call-handling/user-hours", form, page)
    assert merged.status_code == 200
    first_group = forwarding_fields(merged.text)["e0_numbers"]
    assert first_group == f"{fields['e0_numbers']},{fields['e1_numbers']}"
    saved = browser.post_form(
        "/settings/call-handling/user-hours",
        {
            **{k: v for k, v in form.items() if not k.startswith("e1_")},
            **forwarding_fields(merged.text),
            "op": "save",
        },
        merged.text,
    )
    assert "done=saved" in str(saved.url)
    database = database_of(demo_server)
    with database.transaction() as session:
        rule = rules.get_rule(session, paula.account_id, paula.extension_id, "business-hours-rule")
    assert rule.forwarding.ringing_mode is RingingMode.SIMULTANEOUSLY
    assert [n.id for n in rule.forwarding.entries[0].numbers] == first_group.split(",")
    assert rule.forwarding.entries[0].ring_count == 3
    split = browser.post_form(
        "/settings/call-handling/user-hours",
        {
            **forwarding_fields(saved.text),
            "action": "ForwardCalls",
            "then": "voicemail",
            "ringing_mode": "Sequentially",
            "announcement": "default",
            "e0_active": "on",
            "e0_rings": "3",
            "op": "split:0",
        },
        saved.text,
    )
    assert forwarding_fields(split.text)["e0_numbers"] == fields["e0_numbers"]
    assert forwarding_fields(split.text)["e1_numbers"] == fields["e1_numbers"]
    database.dispose()


@pytest.mark.parametrize(
    ("who", "errors"),
    [
        (
            "paula",
            {
                "caller_0": ["Enter a full or partial phone number"],
                "range_0_from": ["The end must be after the start"],
            },
        ),
        (
            "pierre",
            {
                "caller_0": ["Saisissez un numéro de téléphone complet ou partiel"],
                "range_0_from": ["La fin doit être postérieure au début"],
            },
        ),
    ],
)
def test_rule_wizard_shows_condition_errors_on_step_two(
    demo_server: RunningServer,
    request: pytest.FixtureRequest,
    who: str,
    errors: dict[str, list[str]],
) -> None:
    """CH-4 wizard: a name is needed to go on; bad conditions keep the user on step 2."""
    user: PageUser = request.getfixturevalue(who)
    browser = browser_for(demo_server, user)
    page = browser.get("/settings/call-handling/rules/new").text
    base = {
        "callers_count": "3",
        "ranges_count": "2",
        "action": "TakeMessagesOnly",
        "recipient": "this",
    }
    nameless = browser.post_form(
        "/settings/call-handling/rules/new", {**base, "step": "1", "name": " ", "op": "next"}, page
    )
    assert nameless.status_code == 400 and list(field_errors(nameless.text)) == ["name"]
    refused = browser.post_form(
        "/settings/call-handling/rules/new",
        {
            **base,
            "step": "2",
            "name": "Holidays",
            "op": "next",
            "caller_0": "call me maybe",
            "when": "dates",
            "range_0_from": "2026-12-26T00:00",
            "range_0_to": "2026-12-24T00:00",
        },
        page,
    )
    assert refused.status_code == 400
    assert field_errors(refused.text) == errors
    assert input_value(refused.text, "caller_0") == "call me maybe"
    assert 'name="step" value="2"' in refused.text


def test_rule_preview_and_validation_in_plain_english(
    demo_server: RunningServer, paula: PageUser
) -> None:
    """CH-4 Validate rules and the preview (ARCHITECTURE principle 2) on the page."""
    browser = browser_for(demo_server, paula)
    page = browser.get("/settings/call-handling/rules").text
    common = {
        "callers_count": "1",
        "ranges_count": "1",
        "recipient": "this",
        "step": "3",
        "op": "save",
        "when": "weekly",
        "w_saturday_on": "on",
        "w_saturday_allday": "on",
        "w_saturday_from": "",
        "w_saturday_to": "",
    }
    for name, action in (
        ("Weekend", "TakeMessagesOnly"),
        ("Weekend calls", "PlayAnnouncementOnly"),
    ):
        created = browser.post_form(
            "/settings/call-handling/rules/new", {**common, "name": name, "action": action}, page
        )
        assert "done=created" in str(created.url)
    checked = browser.get("/settings/call-handling/rules?validate=1")
    assert (
        html.unescape(checked.text).count('"Weekend calls" never applies: "Weekend" comes first')
        == 1
    )
    preview = browser.get(
        "/settings/call-handling/rules",
        params={"caller": "650 555 1234", "called": paula.number, "when": "2026-06-06T10:00"},
    )
    result = html.unescape(preview.text.split('id="preview-result"', 1)[1].split("</div>", 1)[0])
    assert 'Saturday 10:00: the custom rule "Weekend" applies.' in result
    assert "Callers can leave a voicemail." in result
    wrong = browser.get(
        "/settings/call-handling/rules",
        params={"caller": "xyz", "called": paula.number, "when": "tomorrow"},
    )
    assert wrong.status_code == 400
    assert set(field_errors(wrong.text)) == {"caller", "when"}
    database = database_of(demo_server)
    with database.transaction() as session:
        for rule in rules.read_rules(session, paula.account_id, paula.extension_id).custom_rules:
            rules.delete_rule(session, paula.account_id, paula.extension_id, rule.id)
    database.dispose()


def test_blocked_calls_lists_and_the_admin_warning(
    demo_server: RunningServer, paula: PageUser, pierre: PageUser
) -> None:
    """BLK-2 block list, BLK-3 trusted numbers, BLK-6: only an admin is warned."""
    standard = browser_for(demo_server, paula)
    page = standard.get("/settings/screening/blocked").text
    assert 'id="admin-blocking-warning"' not in page
    added = standard.post_form(
        "/settings/screening/blocked/numbers",
        {"status": "Blocked", "phone_number": "650", "label": "Area 650"},
        page,
    )
    assert "done=added" in str(added.url) and "Area 650" in added.text
    again = standard.post_form(
        "/settings/screening/blocked/numbers",
        {"status": "Allowed", "phone_number": "650", "label": ""},
        added.text,
    )
    assert field_errors(again.text) == {
        "trusted_number": ["This number is already on the blocked list"]
    }
    bad = standard.post_form(
        "/settings/screening/blocked/numbers",
        {"status": "Blocked", "phone_number": "nope"},
        added.text,
    )
    assert field_errors(bad.text) == {"blocked_number": ["Enter a phone number or an area code"]}
    saved = standard.post_form(
        "/settings/screening/blocked",
        {
            "mode": "All",
            "robocalls": "PlayMessageAndDisconnect",
            "no_caller_id": "BlockFaxes",
            "pay_phones_blocked": "on",
            "blocked_greeting": "default",
            "pay_phone_greeting": "default",
        },
        added.text,
    )
    assert "done=saved" in str(saved.url)
    database = database_of(demo_server)
    with database.transaction() as session:
        found = blocking.get_blocking(session, paula.account_id, paula.extension_id)
    database.dispose()
    assert (found.mode.value, found.robocalls.value, found.no_caller_id.value) == (
        "All",
        "PlayMessageAndDisconnect",
        "BlockFaxes",
    )
    assert found.pay_phones_blocked and [n.phone_number for n in found.blocked] == ["650"]
    admin_page = browser_for(demo_server, pierre).get("/settings/screening/blocked").text
    assert "Vous êtes administrateur" in html.unescape(admin_page)


def test_a_file_that_is_not_audio_is_refused_next_to_the_upload(
    demo_server: RunningServer, pierre: PageUser
) -> None:
    """GS-1: the upload goes through ffmpeg; a text file says why, in French."""
    browser = browser_for(demo_server, pierre)
    page = browser.get("/settings/screening/user-hours").text
    refused = browser.request(
        "POST",
        "/settings/greetings",
        data={
            "csrf_token": browser.csrf(page),
            "type": "Introductory",
            "rule_id": "business-hours-rule",
            "next": "/settings/screening/user-hours",
        },
        files={"binary": ("notes.wav", b"this is not audio at all", "audio/wav")},
    )
    assert refused.status_code == 400
    assert list(field_errors(refused.text)) == ["binary_Introductory"]
    empty = browser.request(
        "POST",
        "/settings/greetings",
        data={
            "csrf_token": browser.csrf(page),
            "type": "Introductory",
            "rule_id": "business-hours-rule",
            "next": "/settings/screening/user-hours",
        },
        files={"binary": ("", b"", "application/octet-stream")},
    )
    assert field_errors(empty.text) == {
        "binary_Introductory": ["Choisissez un fichier WAV ou MP3, ou enregistrez-en un"]
    }


def test_screening_settings_are_saved_on_the_after_hours_rule(
    demo_server: RunningServer, paula: PageUser
) -> None:
    """GS-2, GS-3, GS-4 per rule: saving the After Hours tab leaves user hours alone;
    GS-5's hold music, on the same form, is the user's for every call."""
    browser = browser_for(demo_server, paula)
    hold_music = {"hold_on": "on", "hold_kind": "Music", "hold_track": "acoustic"}
    refused = browser.post_form(
        "/settings/screening/after-hours",
        {
            "intro_on": "on",
            "intro": "default",
            "audio_kind": "Custom",
            "audio_custom": "default",
            "screening": "Always",
            **hold_music,
            "hold_volume": "100",
        },
    )
    assert field_errors(refused.text) == {"audio_kind": ["Choose a custom recording"]}
    refused = browser.post_form(
        "/settings/screening/after-hours",
        {
            "audio_kind": "RingTones",
            "screening": "Off",
            "hold_kind": "Custom",
            "hold_volume": "150",
        },
    )
    assert field_errors(refused.text) == {
        "hold_custom": ["Choose one of your hold music recordings"],
        "hold_volume": ["The volume is a percentage from 0 to 100"],
    }
    assert 'value="150"' in refused.text, "what the user typed is kept"
    saved = browser.post_form(
        "/settings/screening/after-hours",
        {
            "intro_on": "on",
            "intro": "default",
            "connecting_on": "on",
            "connecting": "default",
            "audio_kind": "Music",
            "music_track": "ambient",
            "screening": "UnknownCallerId",
            "hold_kind": "RingTones",
            "hold_volume": "60",
        },
    )
    assert "done=saved" in str(saved.url)
    database = database_of(demo_server)
    with database.transaction() as session:
        after = rules.get_rule(session, paula.account_id, paula.extension_id, "after-hours-rule")
        during = rules.get_rule(
            session, paula.account_id, paula.extension_id, "business-hours-rule"
        )
    database.dispose()
    assert after.screening.value == "UnknownCallerId" and during.screening.value == "Off"
    assert after.greetings.introductory is not None and during.greetings.introductory is None
    assert after.greetings.connecting_audio.music_track == "ambient"
    with database.transaction() as session:
        hold = settings.get_hold_music(session, paula.account_id, paula.extension_id)
    database.dispose()
    assert (hold.enabled, hold.kind.value, hold.volume) == (False, "RingTones", 60)
    page = browser.get("/settings/screening/user-hours").text
    assert 'name="hold_volume"' in page and 'value="60"' in page, "the same on both tabs"


def test_incoming_call_information_and_messages_settings(
    demo_server: RunningServer, paula: PageUser, pierre: PageUser
) -> None:
    """CH-5 options; VM-2 a specific recipient must be chosen; VM-1 the message length is
    an admin's setting, checked on the server."""
    browser = browser_for(demo_server, paula)
    saved = browser.post_form(
        "/settings/call-handling/settings",
        {
            "displayed_number": "CalledNumber",
            "announce": "on",
            "direct_calls": "Always",
            "queue_calls": "Always",
            "require_pin": "on",
        },
    )
    assert "done=saved" in str(saved.url)
    database = database_of(demo_server)
    with database.transaction() as session:
        info = settings.get_incoming_call_info(session, paula.account_id, paula.extension_id)
    assert info.displayed_number is DisplayedNumber.CALLED_NUMBER
    assert info.direct_calls is AnnouncementScope.ALWAYS and info.require_pin
    assert not info.include_mailbox_name
    no_recipient = browser.post_form(
        "/settings/messages/user-hours",
        {
            "take_messages": "on",
            "vm_greeting": "default",
            "recipient": "specific",
            "recipient_id": "",
        },
    )
    assert field_errors(no_recipient.text) == {
        "recipient_id": ["Choose the extension that takes the messages"]
    }
    assert "Your administrator sets this" in browser.get("/settings/messages/settings").text
    admin = browser_for(demo_server, pierre)
    too_long = admin.post_form("/settings/messages/settings", {"max_message_seconds": "900"})
    assert field_errors(too_long.text) == {
        "max_message_seconds": [
            "La durée maximale d'un message doit être comprise entre 10 et 600 secondes"
        ]
    }
    assert input_value(too_long.text, "max_message_seconds") == "900"
    with database.transaction() as session:
        assert settings.get_max_message_seconds(session, pierre.account_id) == 180
    database.dispose()


def test_do_not_disturb_from_the_header(demo_server: RunningServer, paula: PageUser) -> None:
    """PRE-1: the header's menu sets the DND state, and the icon takes its colour."""
    browser = browser_for(demo_server, paula)
    page = browser.get("/overview").text
    assert 'class="dnd-dot dnd-take-all" id="dnd-status"' in page
    red = browser.post_form(
        "/presence/dnd", {"status": "DoNotAcceptAnyCalls", "next": "/call-log"}, page
    )
    assert str(red.url).endswith("/call-log")
    assert 'class="dnd-dot dnd-none" id="dnd-status"' in red.text
    elsewhere = browser.post_form(
        "/presence/dnd",
        {"status": "DoNotAcceptDepartmentCalls", "next": "https://evil.example/"},
        red.text,
    )
    assert str(elsewhere.url).endswith("/overview")
    assert 'class="dnd-dot dnd-no-queue" id="dnd-status"' in elsewhere.text
    database = database_of(demo_server)
    with database.transaction() as session:
        state = presence.get_presence(session, paula.account_id, paula.extension_id).dnd_status
    database.dispose()
    assert state is DndStatus.DO_NOT_ACCEPT_DEPARTMENT_CALLS
    browser.post_form(
        "/presence/dnd", {"status": "TakeAllCalls", "next": "/overview"}, elsewhere.text
    )


def test_custom_rules_can_be_edited_disabled_moved_and_deleted(
    demo_server: RunningServer, paula: PageUser
) -> None:
    """CH-4: "Vous pouvez désactiver, modifier ou supprimer la règle"; order is kept."""
    browser = browser_for(demo_server, paula)
    page = browser.get("/settings/call-handling/rules").text
    common = {
        "callers_count": "1",
        "ranges_count": "1",
        "recipient": "this",
        "step": "3",
        "op": "save",
        "when": "none",
        "action": "TakeMessagesOnly",
    }
    for name, caller in (("Boss", "+16505550100"), ("Family", "+1650")):
        browser.post_form(
            "/settings/call-handling/rules/new", {**common, "name": name, "caller_0": caller}, page
        )
    database = database_of(demo_server)

    def custom() -> list[tuple[str, str, bool, str]]:
        with database.transaction() as session:
            book = rules.read_rules(session, paula.account_id, paula.extension_id)
        return [(r.id, r.name, r.enabled, r.action.value) for r in book.custom_rules]

    (boss_id, *_), (family_id, *_) = custom()
    edit_page = browser.get(f"/settings/call-handling/rules/{boss_id}").text
    assert input_value(edit_page, "name") == "Boss"
    assert input_value(edit_page, "caller_0") == "+16505550100"
    edited = browser.post_form(
        f"/settings/call-handling/rules/{boss_id}",
        {
            **common,
            "name": "Big boss",
            "caller_0": "+16505550100",
            "action": "PlayAnnouncementOnly",
        },
        edit_page,
    )
    assert "done=saved" in str(edited.url)
    browser.post_form(f"/settings/call-handling/rules/{boss_id}/toggle", {}, edited.text)
    browser.post_form(
        f"/settings/call-handling/rules/{family_id}/move", {"direction": "up"}, edited.text
    )
    assert custom() == [
        (family_id, "Family", True, "TakeMessagesOnly"),
        (boss_id, "Big boss", False, "PlayAnnouncementOnly"),
    ]
    for rule_id in (boss_id, family_id):
        browser.post_form(f"/settings/call-handling/rules/{rule_id}/delete", {}, edited.text)
    assert custom() == []
    assert browser.get("/settings/call-handling/rules/business-hours-rule").status_code == 404
    database.dispose()


def test_a_forward_calls_rule_rings_its_own_list_of_phones(
    demo_server: RunningServer, paula: PageUser
) -> None:
    """CH-4 "Transférer les appels : ... à plusieurs numéros de téléphone dans un ordre
    spécifique": after the wizard, the rule's own forwarding page orders its phones; the
    user-hours rule keeps its list."""
    browser = browser_for(demo_server, paula)
    database = database_of(demo_server)

    def rule(rule_id: str) -> AnsweringRule:
        with database.transaction() as session:
            return rules.get_rule(session, paula.account_id, paula.extension_id, rule_id)

    user_hours_before = rule("business-hours-rule").forwarding
    page = browser.get("/settings/call-handling/rules").text
    created = browser.post_form(
        "/settings/call-handling/rules/new",
        {
            "callers_count": "1",
            "ranges_count": "1",
            "recipient": "this",
            "step": "3",
            "op": "save",
            "when": "none",
            "name": "VIP",
            "caller_0": "+16505550199",
            "action": "ForwardCalls",
        },
        page,
    )
    rule_path = str(created.url).split("?")[0].replace(demo_server.url, "")
    assert rule_path.startswith("/settings/call-handling/rules/") and rule_path.endswith(
        "/forwarding"
    ), "the wizard goes on to the phones the rule rings"
    assert "VIP" in created.text
    rule_id = rule_path.split("/")[-2]
    fields = forwarding_fields(created.text)
    first, second = fields["e0_numbers"], fields["e1_numbers"]
    swapped = browser.post_form(
        rule_path,
        {
            **fields,
            "action": "ForwardCalls",
            "then": "disconnect",
            "ringing_mode": "Sequentially",
            "announcement": "default",
            "e0_active": "on",
            "e0_rings": "2",
            "e1_active": "on",
            "e1_rings": "4",
            "op": "down:0",
        },
        created.text,
    )
    assert forwarding_fields(swapped.text)["e0_numbers"] == second
    saved = browser.post_form(
        rule_path,
        {
            **forwarding_fields(swapped.text),
            "action": "ForwardCalls",
            "then": "disconnect",
            "ringing_mode": "Sequentially",
            "announcement": "default",
            "e0_active": "on",
            "e0_rings": "4",
            "e1_active": "on",
            "e1_rings": "2",
            "op": "save",
        },
        swapped.text,
    )
    assert str(saved.url).endswith(f"{rule_path}?done=saved")
    vip = rule(rule_id)
    entries = vip.forwarding.entries[:2]
    assert [",".join(n.id for n in e.numbers) for e in entries] == [second, first]
    assert [e.ring_count for e in entries] == [4, 2]
    assert not vip.voicemail.enabled, "then: disconnect"
    assert rule("business-hours-rule").forwarding == user_hours_before
    with database.transaction() as session:
        rules.delete_rule(session, paula.account_id, paula.extension_id, rule_id)
    database.dispose()
    assert browser.get("/settings/call-handling/rules/999999/forwarding").status_code == 404
