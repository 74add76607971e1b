"""ACC-1 welcome e-mail through a real SMTP server, the ACC-2 activation wizard in its
order with server-side checks, and the forgotten-password flows (ACC-6)."""

from __future__ import annotations

import html
import io
import itertools
import re
import wave

import pytest
from ringcentral import SDK
from ringcentral.http.api_exception import ApiException

from telephonist.domain.credentials import (
    PASSWORD_CRITERIA_TEXT,
    PIN_CRITERIA_TEXT,
)
from telephonist.domain.credentials import (
    PasswordCriterion as P,
)
from telephonist.domain.credentials import (
    PinCriterion as N,
)
from telephonist.i18n import gettext_for
from tests.demo_data import COMPANY_NUMBER, DEMO_CLIENT, HANK, PASSWORD, Login
from tests.support import MailCatcher, PortalBrowser, RunningServer, mail_text

NEW_PASSWORD = "Harbor#Light58"
_numbers = itertools.count(11300)  # this module's range: see the end of tests/demo_data.py


def add_user_by_api(
    sdk_login: Login, server: RunningServer, first: str, last: str
) -> tuple[str, str]:
    """Hank adds a user through the REST API; returns (extension number, e-mail)."""
    number = str(next(_numbers))
    email = f"{first.lower()}.{last.lower()}.{server.http_port}@demo.example"
    body = {
        "extensionNumber": number,
        "type": "User",
        "contact": {"firstName": first, "lastName": last, "email": email},
    }
    created = sdk_login(*HANK).post("/account/~/extension", body).json_dict()
    assert created["status"] == "NotActivated"
    return number, email


def activation_link(mail: MailCatcher, email: str) -> str:
    text = mail_text(mail.wait_for(email))
    found = re.search(r"(http://\S+/activate/\S+)", text)
    assert found, text
    return found.group(1)


def wav_bytes(seconds: float = 0.5, sample: bytes = b"\x00\x10") -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(sample * int(8000 * seconds))
    return buffer.getvalue()


def complete_wizard(
    browser: PortalBrowser, link: str, first: str = "Ada", last: str = "Byron", email: str = ""
) -> str:
    """Walk every step with good answers; returns the done page."""
    path = link.split("127.0.0.1", 1)[1].split("/", 1)[1]
    base = "/" + path
    page = browser.get(base)
    page = browser.post_form(
        f"{base}/security",
        {
            "password": PASSWORD,
            "password_again": PASSWORD,
            "pin": "592846",
            "pin_again": "592846",
            "question": "sixth_grade_school",
            "answer": "Lincoln Elementary",
        },
        page.text,
    )
    assert "/user_info" in str(page.url), page.text
    values = {"first_name": first, "last_name": last}
    if email:
        values["email"] = email
    page = browser.post_form(
        f"{base}/user_info",
        values
        if email
        else {
            **values,
            "email": re.search(r'name="email"[^>]*value="([^"]*)"', page.text).group(1),
        },
        page.text,
    )  # type: ignore[union-attr]
    page = browser.post_form(
        f"{base}/regional",
        {"home_country": "US", "time_format": "24h", "time_zone": "America/Denver"},
        page.text,
    )
    page = browser.post_form(
        f"{base}/emergency",
        {
            "customer_name": f"{first} {last}",
            "country": "US",
            "street": "1 Main St",
            "city": "Denver",
            "state": "CO",
            "postal_code": "80202",
            "terms_accepted": "on",
        },
        page.text,
    )
    page = browser.post_form(
        f"{base}/call_handling",
        {"action": "save", "type_0": "Mobile", "number_0": "(720) 555-0177"},
        page.text,
    )
    page = browser.request(
        "POST",
        f"{base}/greeting",
        data={"csrf_token": browser.csrf(page.text), "mode": "custom"},
        files={"greeting": ("hello.wav", wav_bytes(), "audio/wav")},
    )
    assert "/confirm" in str(page.url), page.text
    done = browser.post_form(f"{base}/confirm", {}, page.text)
    assert done.status_code == 200, done.text
    return done.text


def test_admin_adding_a_user_sends_the_welcome_email(
    sdk_login: Login, demo_server: RunningServer, mail: MailCatcher
) -> None:
    number, email = add_user_by_api(sdk_login, demo_server, "Wendy", "Welcome")
    received = mail.wait_for(email)
    text = mail_text(received)
    assert "(409) 240-2583" in text, "ACC-1: the company number"
    assert number in text, "ACC-1: the extension"
    assert email in text, "ACC-1: the login e-mail"
    assert "Google" in text, "ACC-1: whether Google sign-in is enabled"
    assert "/activate/" in text, "ACC-1: the one-time activation link"
    assert any(email in path.read_text() for path in demo_server.outbox.glob("*.eml")), (
        "always in the outbox too"
    )


def test_adding_a_user_needs_an_admin_and_a_free_extension(
    sdk_login: Login, demo_server: RunningServer
) -> None:
    body = {
        "extensionNumber": "11103",
        "type": "User",
        "contact": {
            "firstName": "Dup",
            "lastName": "Licate",
            "email": f"dup.{demo_server.http_port}@demo.example",
        },
    }
    with pytest.raises(ApiException) as refused:
        sdk_login().post("/account/~/extension", body)
    assert refused.value.api_response().response().status_code == 403
    with pytest.raises(ApiException) as conflict:
        sdk_login(*HANK).post("/account/~/extension", body)
    response = conflict.value.api_response().response()
    assert (
        response.status_code == 409
        and response.json()["errors"][0]["parameterName"] == "extensionNumber"
    )


def test_wizard_follows_the_guides_order_and_activates_the_user(
    sdk_login: Login, demo_server: RunningServer, mail: MailCatcher
) -> None:
    number, email = add_user_by_api(sdk_login, demo_server, "Ada", "Byron")
    link = activation_link(mail, email)
    browser = PortalBrowser(demo_server.url)
    first = browser.get(link.replace(demo_server.url, ""))
    assert str(first.url).endswith("/security"), "ACC-2 starts with the security settings"
    skipped = browser.get(link.replace(demo_server.url, "") + "/regional")
    assert str(skipped.url).endswith("/security"), (
        "a later step is not reachable before the earlier ones"
    )
    done = complete_wizard(PortalBrowser(demo_server.url), link, email=email)
    assert "Congratulations" in done or "Félicitations" in done
    assert browser.get(link.replace(demo_server.url, "")).status_code == 404, "the link works once"
    platform = SDK(*DEMO_CLIENT, demo_server.url).platform()
    platform.login(username=COMPANY_NUMBER, extension=number, password=PASSWORD)
    me = platform.get("/account/~/extension/~").json_dict()
    assert (me["status"], me["contact"]["email"]) == ("Enabled", email)
    assert me["regionalSettings"]["timezone"]["id"] == "America/Denver"
    assert me["regionalSettings"]["timeFormat"] == "24h"
    phones = platform.get("/account/~/extension/~/device").json_dict()["records"]
    assert phones[0]["emergencyServiceAddress"]["city"] == "Denver"
    rule = platform.get("/account/~/extension/~/answering-rule/business-hours-rule").json_dict()
    voicemail = [g for g in rule["greetings"] if g["type"] == "Voicemail"]
    assert voicemail and "custom" in voicemail[0], "callers hear the greeting of step 6"
    greeting_id = voicemail[0]["custom"]["id"]
    audio = platform.get(f"/account/~/extension/~/greeting/{greeting_id}/content").body()
    with wave.open(io.BytesIO(audio)) as played:
        assert (played.getframerate(), played.getnchannels()) == (8000, 1)
        assert abs(played.getnframes() / 8000 - 0.5) < 0.1, "the uploaded half second"
    platform.logout()


def test_wizard_refuses_a_weak_password_naming_every_unmet_criterion(
    sdk_login: Login, demo_server: RunningServer, mail: MailCatcher
) -> None:
    _number, email = add_user_by_api(sdk_login, demo_server, "Weak", "Password")
    browser = PortalBrowser(demo_server.url)
    page = browser.get(activation_link(mail, email).replace(demo_server.url, ""))
    refused = browser.post_form(
        str(page.url).replace(demo_server.url, ""),
        {
            "password": "abcd1111",
            "password_again": "abcd1112",
            "pin": "1234",
            "pin_again": "1234",
            "question": "",
            "answer": "abc",
        },
        page.text,
    )
    assert refused.status_code == 422
    errors = re.findall(r'class="field-error" data-field="(\w+)">([^<]+)<', refused.text)
    messages = {(field, html.unescape(message.strip())) for field, message in errors}
    in_users_language = gettext_for("fr").gettext
    for criterion in (P.UPPER_OR_SPECIAL, P.NO_SEQUENCE, P.NO_REPEAT):
        assert ("password", in_users_language(PASSWORD_CRITERIA_TEXT[criterion])) in messages
    for pin_criterion in (N.LENGTH, N.NO_SEQUENCE):
        assert ("pin", in_users_language(PIN_CRITERIA_TEXT[pin_criterion])) in messages
    assert ("password", in_users_language(PASSWORD_CRITERIA_TEXT[P.LETTER])) not in messages
    assert any(field == "securityAnswer" for field, _ in messages)
    assert any(field == "passwordAgain" for field, _ in messages)


def test_leaving_the_wizard_early_keeps_the_user_inactive(
    sdk_login: Login, demo_server: RunningServer, mail: MailCatcher
) -> None:
    number, email = add_user_by_api(sdk_login, demo_server, "Half", "Way")
    browser = PortalBrowser(demo_server.url)
    page = browser.get(activation_link(mail, email).replace(demo_server.url, ""))
    browser.post_form(
        str(page.url).replace(demo_server.url, ""),
        {
            "password": PASSWORD,
            "password_again": PASSWORD,
            "pin": "592846",
            "pin_again": "592846",
            "question": "childhood_nickname",
            "answer": "Sparky",
        },
        page.text,
    )
    platform = SDK(*DEMO_CLIENT, demo_server.url).platform()
    with pytest.raises(ApiException):
        platform.login(username=COMPANY_NUMBER, extension=number, password=PASSWORD)


def test_greeting_upload_must_be_a_real_mp3_or_wav(
    sdk_login: Login, demo_server: RunningServer, mail: MailCatcher
) -> None:
    _number, email = add_user_by_api(sdk_login, demo_server, "Greg", "Greeting")
    link = activation_link(mail, email).replace(demo_server.url, "")
    browser = PortalBrowser(demo_server.url)
    page = browser.get(link)
    steps = [
        (
            "security",
            {
                "password": PASSWORD,
                "password_again": PASSWORD,
                "pin": "592846",
                "pin_again": "592846",
                "question": "childhood_nickname",
                "answer": "Sparky",
            },
        ),
        ("user_info", {"first_name": "Greg", "last_name": "Greeting", "email": email}),
        ("regional", {"home_country": "US", "time_format": "12h", "time_zone": "America/Chicago"}),
        (
            "emergency",
            {
                "customer_name": "Greg",
                "country": "US",
                "street": "1 Main",
                "city": "Austin",
                "state": "TX",
                "postal_code": "73301",
            },
        ),
    ]
    for step, values in steps[:-1]:
        page = browser.post_form(f"{link}/{step}", values, page.text)
    refused = browser.post_form(f"{link}/emergency", steps[-1][1], page.text)
    assert refused.status_code == 422 and "termsAccepted" in refused.text, (
        "E911 terms must be accepted"
    )
    page = browser.post_form(
        f"{link}/emergency", {**steps[-1][1], "terms_accepted": "on"}, refused.text
    )
    page = browser.post_form(f"{link}/call_handling", {"action": "skip"}, page.text)
    silence = wav_bytes(2.0, sample=b"\x00\x00")
    for name, data in (
        ("notes.txt", b"hello"),
        ("fake.wav", b"not a wav at all"),
        ("quiet.wav", silence),
    ):
        rejected = browser.request(
            "POST",
            f"{link}/greeting",
            data={"csrf_token": browser.csrf(page.text), "mode": "custom"},
            files={"greeting": (name, data, "application/octet-stream")},
        )
        assert rejected.status_code == 422
        assert 'data-field="greeting"' in rejected.text, name
    assert "silent" in rejected.text or "silencieux" in rejected.text, "ffmpeg heard nothing"


def test_forgotten_password_reset_with_the_security_question(
    sdk_login: Login, demo_server: RunningServer, mail: MailCatcher
) -> None:
    number, email = add_user_by_api(sdk_login, demo_server, "Fay", "Forget")
    complete_wizard(
        PortalBrowser(demo_server.url), activation_link(mail, email), "Fay", "Forget", email
    )
    browser = PortalBrowser(demo_server.url)
    page = browser.post_form(
        "/forgot-password", {"identifier": COMPANY_NUMBER, "extension": number, "country": "US"}
    )
    assert "What school did you attend for sixth grade?" in page.text or "sixième" in page.text
    wrong = browser.post_form(
        "/forgot-password",
        {
            "identifier": COMPANY_NUMBER,
            "extension": number,
            "country": "US",
            "method": "question",
            "answer": "Nope",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
        page.text,
    )
    assert wrong.status_code == 401
    weak = browser.post_form(
        "/forgot-password",
        {
            "identifier": COMPANY_NUMBER,
            "extension": number,
            "country": "US",
            "method": "question",
            "answer": "lincoln   elementary",
            "password": "short",
            "password_again": "short",
        },
        page.text,
    )
    assert weak.status_code == 422
    ok = browser.post_form(
        "/forgot-password",
        {
            "identifier": COMPANY_NUMBER,
            "extension": number,
            "country": "US",
            "method": "question",
            "answer": "lincoln   elementary",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
        page.text,
    )
    assert ok.status_code == 200
    platform = SDK(*DEMO_CLIENT, demo_server.url).platform()
    platform.login(username=email, password=NEW_PASSWORD)
    platform.logout()


def test_forgotten_password_reset_with_an_emailed_link(
    sdk_login: Login, demo_server: RunningServer, mail: MailCatcher
) -> None:
    number, email = add_user_by_api(sdk_login, demo_server, "Lin", "Link")
    complete_wizard(
        PortalBrowser(demo_server.url), activation_link(mail, email), "Lin", "Link", email
    )
    before = len(mail.received)
    browser = PortalBrowser(demo_server.url)
    page = browser.post_form("/forgot-password", {"identifier": email})
    browser.post_form("/forgot-password", {"identifier": email, "method": "email"}, page.text)
    reset_mail = mail.wait_for(email, after=before)
    link = (
        re.search(r"(http://\S+/password-reset/\S+)", mail_text(reset_mail))
        .group(1)
        .replace(demo_server.url, "")
    )  # type: ignore[union-attr]
    reset = browser.post_form(link, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert reset.status_code == 200
    assert browser.get(link).status_code == 404, "a reset link works once"
    platform = SDK(*DEMO_CLIENT, demo_server.url).platform()
    platform.login(username=COMPANY_NUMBER, extension=number, password=NEW_PASSWORD)
    platform.logout()


def test_asking_a_reset_link_for_a_stranger_says_the_same_and_sends_nothing(
    demo_server: RunningServer, mail: MailCatcher
) -> None:
    before = len(mail.received)
    browser = PortalBrowser(demo_server.url)
    page = browser.post_form("/forgot-password", {"identifier": "nobody@nowhere.example"})
    sent = browser.post_form(
        "/forgot-password", {"identifier": "nobody@nowhere.example", "method": "email"}, page.text
    )
    assert (
        sent.status_code == 200 and "If this account exists" in sent.text
    ) or "Si ce compte existe" in sent.text
    assert all("nobody@nowhere.example" not in m.recipients for m in mail.received[before:])
