"""ACC-6: failed sign-ins are limited per user and per IP with a clear message; forms
without this browser's CSRF token are refused."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.demo_data import COMPANY_NUMBER, DEMO_CLIENT, DULCINEA, JOE, PASSWORD
from tests.support import PortalBrowser, RunningServer, start_server


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(
        tmp_path_factory.mktemp("guarded"),
        extra_env={
            "TELEPHONIST_SIGN_IN_FAILURES_PER_USER": "3",
            "TELEPHONIST_SIGN_IN_FAILURES_PER_IP": "8",
        },
    )
    yield server
    server.stop()


def token_attempt(
    server: RunningServer, username: str, extension: str, password: str
) -> httpx.Response:
    return httpx.post(
        f"{server.url}/restapi/oauth/token",
        auth=DEMO_CLIENT,
        data={
            "grant_type": "password",
            "username": username,
            "extension": extension,
            "password": password,
        },
    )


def test_a_user_is_locked_after_three_failures_even_with_the_right_password(
    guarded_server: RunningServer,
) -> None:
    for _ in range(3):
        assert token_attempt(guarded_server, *DULCINEA, "Wrong#Pass11").status_code == 400
    locked = token_attempt(guarded_server, *DULCINEA, PASSWORD)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert "Too many failed attempts" in locked.json()["errors"][0]["message"]
    browser = PortalBrowser(guarded_server.url)
    page = browser.sign_in(DULCINEA[0], PASSWORD, DULCINEA[1])
    assert page.status_code == 429
    assert "Too many failed attempts" in page.text or "Trop de tentatives" in page.text
    other_user = token_attempt(guarded_server, *JOE, PASSWORD)
    assert other_user.status_code == 200, "other users of the same IP still get in"


def test_an_ip_is_locked_after_failures_across_users(guarded_server: RunningServer) -> None:
    for extension in ("11101", "11102", "11101", "11102"):
        token_attempt(guarded_server, COMPANY_NUMBER, extension, "Wrong#Pass22")
    for number in range(4):
        token_attempt(guarded_server, f"+1409240{number:04d}", "", "Wrong#Pass33")
    assert token_attempt(guarded_server, COMPANY_NUMBER, "11101", PASSWORD).status_code == 429


def test_forms_without_the_csrf_token_are_refused(demo_server: RunningServer) -> None:
    browser = PortalBrowser(demo_server.url)
    browser.get("/sign-in")
    forged = browser.request(
        "POST",
        "/sign-in",
        data={
            "identifier": DULCINEA[0],
            "step": "password",
            "extension": DULCINEA[1],
            "password": PASSWORD,
        },
    )
    assert forged.status_code == 403
    other = browser.request(
        "POST",
        "/sign-in",
        data={
            "csrf_token": "0" * 64,
            "identifier": DULCINEA[0],
            "step": "password",
            "extension": DULCINEA[1],
            "password": PASSWORD,
        },
    )
    assert other.status_code == 403
    assert "tp_session" not in browser.cookies


def test_portal_pages_need_a_signed_in_user(demo_server: RunningServer) -> None:
    response = httpx.get(f"{demo_server.url}/settings/user-details", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=")


def test_admin_pages_need_an_admin(demo_server: RunningServer) -> None:
    browser = PortalBrowser(demo_server.url)
    browser.sign_in(DULCINEA[0], PASSWORD, DULCINEA[1])
    assert browser.get("/admin/users").status_code == 403
    admin = PortalBrowser(demo_server.url)
    admin.sign_in("hank.hillos@demo.example", PASSWORD)
    assert admin.get("/admin/users").status_code == 200


def test_session_cookie_is_secure_and_http_only(demo_server: RunningServer) -> None:
    browser = PortalBrowser(demo_server.url)
    page = browser.get("/sign-in")
    step2 = browser.post_form(
        "/sign-in", {"identifier": DULCINEA[0], "step": "identifier"}, page.text
    )
    response = browser.client.post(
        "/sign-in",
        data={
            "csrf_token": browser.csrf(step2.text),
            "identifier": DULCINEA[0],
            "step": "password",
            "extension": DULCINEA[1],
            "password": PASSWORD,
            "country": "US",
        },
        headers={"cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items())},
    )
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("tp_session="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie


def test_sign_out_ends_the_session(demo_server: RunningServer) -> None:
    browser = PortalBrowser(demo_server.url)
    overview = browser.sign_in(DULCINEA[0], PASSWORD, DULCINEA[1])
    session_cookie = browser.cookies["tp_session"]
    browser.post_form("/sign-out", {}, overview.text)
    stale = httpx.get(
        f"{demo_server.url}/overview",
        headers={"cookie": f"tp_session={session_cookie}"},
        follow_redirects=False,
    )
    assert stale.status_code == 303
