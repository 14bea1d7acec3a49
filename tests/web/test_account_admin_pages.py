"""The administrator's users page: each account's state, and one CSRF-checked form per action,
allowed only to the administrator; a deactivated user's session and token stop at once."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from watchhouse.domain.access import AccessQuery, Operation
from watchhouse.domain.roles import Role
from watchhouse.services import access, accounts

pytestmark = pytest.mark.web


def _user_alterations(ctx, actors) -> list[str]:  # type: ignore[no-untyped-def]
    entries = access.search_access_log(
        ctx,
        actor=actors[Role.AUDITOR],
        query=AccessQuery(operation=Operation.ALTERATION, record_type="user"),
    )
    return [f"{e.username}: {e.justification}" for e in entries]


def test_users_page_lists_state_role_and_last_sign_in_with_a_form_per_action(client_as):
    admin = client_as(Role.ADMINISTRATOR)
    page = admin.client.get("/admin/users")
    assert page.status_code == 200
    for action in ("deactivate", "password", "role", "tokens/revoke"):
        assert f'action="/admin/users/{action}"' in page.text
    assert "Last sign-in" in page.text
    assert page.text.count('name="csrf_token"') > len(Role)


def test_users_page_names_who_reads_the_access_log_the_administrator_cannot_open(client_as):
    """Walking the demo: the users page said every change is recorded in the access log, yet
    the administrator cannot open it (auditors read it, not the administrators it records)."""
    admin = client_as(Role.ADMINISTRATOR).client
    assert admin.get("/access-log").status_code == 403
    page = admin.get("/admin/users").text
    assert 'href="/access-log"' not in page
    said = page.split('id="access-log-readers">')[1].split("</p>")[0]
    assert "recorded in the access log" in said
    assert "Auditors read it, not administrators: ask Auditor (auditor)." in " ".join(said.split())
    auditor = client_as(Role.AUDITOR).client
    assert auditor.get("/access-log").status_code == 200


def test_deactivating_ends_the_users_browser_session_and_api_token_at_once(
    app, ctx, client_as, actors
):
    dispatcher = client_as(Role.DISPATCHER)
    token = accounts.issue_api_token(ctx, username="dispatcher")
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    assert dispatcher.client.get("/dispatch").status_code == 200
    assert api.get("/api/queue").status_code == 200
    admin = client_as(Role.ADMINISTRATOR)
    done = admin.client.post(
        "/admin/users/deactivate", data={"csrf_token": admin.csrf, "username": "dispatcher"}
    )
    assert done.status_code == 303
    assert done.headers["location"].startswith("/admin/users?done=deactivated")
    after = dispatcher.client.get("/dispatch")
    assert (after.status_code, after.headers["location"]) == (303, "/login")
    assert api.get("/api/queue").status_code == 401
    assert _user_alterations(ctx, actors) == [
        "administrator: account deactivated, 2 sessions and tokens ended (dispatcher)"
    ]


def test_an_action_without_the_csrf_token_is_refused_and_changes_nothing(ctx, client_as, actors):
    admin = client_as(Role.ADMINISTRATOR)
    refused = admin.client.post("/admin/users/deactivate", data={"username": "dispatcher"})
    assert refused.status_code == 403
    assert {u.username: u.active for u in accounts.list_users(ctx)}["dispatcher"] is True
    assert _user_alterations(ctx, actors) == []


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMINISTRATOR])
def test_only_the_administrator_may_change_accounts(ctx, client_as, actors, role):
    other = client_as(role)
    refused = other.client.post(
        "/admin/users/role",
        data={"csrf_token": other.csrf, "username": role.value, "role": "administrator"},
    )
    assert refused.status_code in {403, 303}
    assert {u.username: u.role for u in accounts.list_users(ctx)}[role.value] is role
    assert _user_alterations(ctx, actors) == []


def test_a_refused_change_shows_the_reason_on_the_page(client_as):
    admin = client_as(Role.ADMINISTRATOR)
    own = admin.client.post(
        "/admin/users/deactivate", data={"csrf_token": admin.csrf, "username": "administrator"}
    )
    assert own.status_code == 422
    assert "you cannot deactivate your own account" in own.text
    weak = admin.client.post(
        "/admin/users/password",
        data={"csrf_token": admin.csrf, "username": "analyst", "password": "password12"},
    )
    assert weak.status_code == 422
    assert "password" in weak.text


def test_role_change_and_unlock_from_the_page_take_effect(ctx, client_as):
    admin = client_as(Role.ADMINISTRATOR)
    changed = admin.client.post(
        "/admin/users/role",
        data={"csrf_token": admin.csrf, "username": "analyst", "role": "supervisor"},
    )
    assert changed.status_code == 303
    assert {u.username: u.role for u in accounts.list_users(ctx)}["analyst"] is Role.SUPERVISOR
    unlocked = admin.client.post(
        "/admin/users/unlock", data={"csrf_token": admin.csrf, "username": "nobody"}
    )
    assert unlocked.status_code == 422
    assert "no user &#39;nobody&#39;" in unlocked.text or "no user 'nobody'" in unlocked.text
