"""An account created or reset by an administrator must change its password at the next
sign-in; everyone can change their own password (current + new, policy-checked)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from watchhouse.db.repositories import users as user_repo
from watchhouse.domain.roles import Role
from watchhouse.services import account_admin, accounts

pytestmark = pytest.mark.web

TEMPORARY = "temporary horse battery 42"
CHOSEN = "my own stapler lighthouse 7"


def _sign_in(app, username: str, password: str) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False)
    csrf = client.get("/login").cookies.get("wh_login_csrf")
    answer = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": csrf}
    )
    assert answer.status_code == 303, answer.text
    return client


def _must_change(ctx, username: str) -> bool:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from watchhouse.db.tables import UserRow

    with ctx.db.transaction() as session:
        return bool(
            session.scalar(select(UserRow.must_change_password).where(UserRow.username == username))
        )


def _csrf(page_text: str) -> str:
    marker = 'name="csrf_token" value="'
    start = page_text.index(marker) + len(marker)
    return page_text[start : page_text.index('"', start)]


def test_a_reset_password_must_be_changed_before_anything_else(app, ctx, actors):
    handler = actors[Role.CALL_HANDLER].username
    account_admin.reset_password(
        ctx, actor=actors[Role.ADMINISTRATOR], username=handler, password=TEMPORARY
    )
    assert _must_change(ctx, handler)
    client = _sign_in(app, handler, TEMPORARY)
    for path in ("/", "/contacts/new", "/search"):
        answer = client.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/account/password"
    form = client.get("/account/password")
    assert form.status_code == 200
    assert "Choose your own before you go on" in form.text
    csrf = _csrf(form.text)

    wrong = client.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current_password": "not it at all 123",
            "new_password": CHOSEN,
            "confirm_password": CHOSEN,
        },
    )
    assert wrong.status_code == 422
    assert "this is not your current password" in wrong.text
    weak = client.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current_password": TEMPORARY,
            "new_password": "password12",
            "confirm_password": "password12",
        },
    )
    assert weak.status_code == 422
    assert _must_change(ctx, handler)
    same = client.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current_password": TEMPORARY,
            "new_password": TEMPORARY,
            "confirm_password": TEMPORARY,
        },
    )
    assert same.status_code == 422

    done = client.post(
        "/account/password",
        data={
            "csrf_token": csrf,
            "current_password": TEMPORARY,
            "new_password": CHOSEN,
            "confirm_password": CHOSEN,
        },
    )
    assert done.status_code == 303
    assert not _must_change(ctx, handler)
    assert client.get("/").status_code == 200
    _sign_in(app, handler, CHOSEN)  # the new password works


def test_an_account_an_administrator_adds_on_the_screen_must_change_its_password(
    app, ctx, client_as
):
    admin = client_as(Role.ADMINISTRATOR)
    added = admin.client.post(
        "/admin/users",
        data={
            "csrf_token": admin.csrf,
            "username": "newcomer",
            "display_name": "New Comer",
            "role": "call_handler",
            "password": TEMPORARY,
        },
    )
    assert added.status_code == 303
    assert _must_change(ctx, "newcomer")
    client = _sign_in(app, "newcomer", TEMPORARY)
    assert client.get("/").headers["location"] == "/account/password"
    # Signing out is still possible.
    form = client.get("/account/password")
    assert client.post("/logout", data={"csrf_token": _csrf(form.text)}).status_code == 303


def test_a_user_not_marked_changes_their_own_password_from_any_page(app, ctx, actors):
    supervisor = actors[Role.SUPERVISOR].username
    accounts.set_password(ctx, username=supervisor, password=TEMPORARY)
    assert not _must_change(ctx, supervisor)
    client = _sign_in(app, supervisor, TEMPORARY)
    home = client.get("/")
    assert home.status_code == 200
    assert 'href="/account/password"' in home.text
    form = client.get("/account/password")
    assert "Choose your own" not in form.text
    done = client.post(
        "/account/password",
        data={
            "csrf_token": _csrf(form.text),
            "current_password": TEMPORARY,
            "new_password": CHOSEN,
            "confirm_password": CHOSEN,
        },
    )
    assert done.status_code == 303
    with ctx.db.transaction() as session:
        found = user_repo.credentials(session=session, username=supervisor)
    assert found is not None
    from watchhouse.auth.passwords import verify_password

    assert verify_password(found.password_hash, CHOSEN)
