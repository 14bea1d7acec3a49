"""Signing in and out through the pages: CSRF, lock-out, revocation and session expiry."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from watchhouse.domain.roles import Role
from watchhouse.web.security import LOGIN_CSRF_COOKIE, SESSION_COOKIE

pytestmark = pytest.mark.web

HANDLER = Role.CALL_HANDLER
RIGHT_PASSWORD = f"{HANDLER.value}-test-pass"  # conftest.password_for(HANDLER)
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')


def _csrf_in(html: str) -> str:
    found = CSRF_FIELD.search(html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


def _set_cookie(response, name: str) -> str:
    """The Set-Cookie header for one cookie (empty text if there is none)."""
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header
    return ""


def _submit_login(client, page, password: str, username: str = HANDLER.value):
    """Post the sign-in form that `page` carries, as a browser would."""
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": _csrf_in(page.text)},
    )


def _sign_in(client, password: str = RIGHT_PASSWORD):
    return _submit_login(client, client.get("/login"), password)


@pytest.fixture
def browser(client_as: Callable):
    """A test client with nobody signed in (the users of every role exist)."""
    return client_as(None).client


def test_login_page_sets_an_httponly_login_csrf_cookie_matching_its_form(browser):
    page = browser.get("/login")
    assert page.status_code == 200
    cookie = _set_cookie(page, LOGIN_CSRF_COOKIE)
    assert "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    assert browser.cookies.get(LOGIN_CSRF_COOKIE) == _csrf_in(page.text) != ""


def test_right_password_redirects_home_with_an_httponly_session_cookie(browser):
    response = _sign_in(browser)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = _set_cookie(response, SESSION_COOKIE)
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    home = browser.get("/")
    assert home.status_code == 200
    assert "Call handler" in home.text


def test_wrong_password_answers_401_with_a_message(browser):
    response = _sign_in(browser, "not-the-password")
    assert response.status_code == 401
    assert "unknown username or wrong password" in response.text
    assert _set_cookie(response, SESSION_COOKIE) == ""
    assert browser.get("/").headers["location"] == "/login"


def test_unknown_username_gets_the_same_answer_as_a_wrong_password(browser):
    response = _submit_login(browser, browser.get("/login"), RIGHT_PASSWORD, "nobody")
    assert response.status_code == 401
    assert "unknown username or wrong password" in response.text


def test_five_wrong_passwords_lock_the_account_until_the_lock_expires(browser, clock):
    page = browser.get("/login")
    for attempt in range(5):
        page = _submit_login(browser, page, f"wrong-{attempt}")
        assert page.status_code == 401
    refused = _submit_login(browser, page, RIGHT_PASSWORD)
    assert refused.status_code == 401
    assert "unknown username or wrong password, or the account is locked" in refused.text
    clock.advance(minutes=14)
    refused = _submit_login(browser, refused, RIGHT_PASSWORD)
    assert refused.status_code == 401
    clock.advance(minutes=2)
    accepted = _submit_login(browser, refused, RIGHT_PASSWORD)
    assert accepted.status_code == 303
    assert accepted.headers["location"] == "/"


def test_four_wrong_passwords_then_the_right_one_signs_in(browser):
    page = browser.get("/login")
    for attempt in range(4):
        page = _submit_login(browser, page, f"wrong-{attempt}")
    assert _submit_login(browser, page, RIGHT_PASSWORD).status_code == 303


def test_sign_out_revokes_the_session_so_the_old_cookie_no_longer_works(browser):
    assert _sign_in(browser).status_code == 303
    old_token = browser.cookies.get(SESSION_COOKIE)
    home = browser.get("/")
    response = browser.post("/logout", data={"csrf_token": _csrf_in(home.text)})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert "Max-Age=0" in _set_cookie(response, SESSION_COOKIE)
    browser.cookies.set(SESSION_COOKIE, old_token)
    again = browser.get("/")
    assert again.status_code == 303
    assert again.headers["location"] == "/login"
    assert browser.get("/api/queue").status_code == 401


def test_post_without_the_session_csrf_token_is_refused_with_403(browser):
    assert _sign_in(browser).status_code == 303
    refused = browser.post("/logout", data={})
    assert refused.status_code == 403
    assert "security token" in refused.text
    wrong = browser.post("/logout", data={"csrf_token": "forged"})
    assert wrong.status_code == 403
    api = browser.post("/api/thrive/suggestion", json={})
    assert api.status_code == 403
    assert "security token" in api.json()["message"]
    assert browser.get("/").status_code == 200, "the refused sign-out must not end the session"


def test_sign_in_post_without_the_login_csrf_token_is_refused(browser):
    # A cross-site form carries neither the SameSite=strict login cookie nor its token.
    forged = browser.post("/login", data={"username": HANDLER.value, "password": RIGHT_PASSWORD})
    assert forged.status_code == 400
    assert _set_cookie(forged, SESSION_COOKIE) == ""
    empty = browser.post(
        "/login",
        data={"username": HANDLER.value, "password": RIGHT_PASSWORD, "csrf_token": ""},
    )
    assert empty.status_code == 400
    assert _set_cookie(empty, SESSION_COOKIE) == ""
    browser.get("/login")
    mismatched = browser.post(
        "/login",
        data={"username": HANDLER.value, "password": RIGHT_PASSWORD, "csrf_token": "forged"},
    )
    assert mismatched.status_code == 400


def test_session_expires_after_twelve_hours(browser, clock):
    assert _sign_in(browser).status_code == 303
    clock.advance(hours=11, minutes=59)
    assert browser.get("/").status_code == 200
    clock.advance(minutes=2)
    expired = browser.get("/")
    assert expired.status_code == 303
    assert expired.headers["location"] == "/login"
    assert browser.get("/api/queue").status_code == 401
