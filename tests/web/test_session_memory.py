"""A server process remembers a live session for a few seconds (issue 16, Load), and never
serves a session that was ended or changed: at once on this machine, within
`session_cache_seconds` on another."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from watchhouse.auth.tokens import new_token, token_digest
from watchhouse.db.repositories import users as user_repo
from watchhouse.domain.roles import Role
from watchhouse.services import account_admin, accounts
from watchhouse.services.context import AppContext
from watchhouse.web.app import create_app

NO_SUCH_CONTACT = "/api/contacts/999999"  # signed in: 404; signed out: 401


def _client(ctx: AppContext, token: str) -> TestClient:
    return TestClient(create_app(context=ctx), headers={"Authorization": f"Bearer {token}"})


def _session_look_ups(ctx: AppContext) -> list[str]:
    seen: list[str] = []

    def statement(_conn: object, _cursor: object, sql: str, *_: object) -> None:
        if "user_sessions" in sql:
            seen.append(sql)

    event.listen(ctx.db.engine, "before_cursor_execute", statement)
    return seen


def _other_process(ctx: AppContext, **changes: object) -> AppContext:
    """The same store as another server process sees it: its own memory of sessions."""
    settings = ctx.settings.model_copy(update=changes)
    return AppContext(settings=settings, db=ctx.db, policy=ctx.policy, clock=ctx.clock)


def test_a_live_session_is_looked_up_once_in_its_seconds(ctx, actors):
    token = accounts.issue_api_token(ctx, username="call_handler")
    client = _client(ctx, token)
    look_ups = _session_look_ups(ctx)
    assert client.get(NO_SUCH_CONTACT).status_code == 404
    assert client.get(NO_SUCH_CONTACT).status_code == 404
    assert len(look_ups) == 1
    ctx.clock.advance(seconds=ctx.settings.session_cache_seconds)
    assert client.get(NO_SUCH_CONTACT).status_code == 404
    assert len(look_ups) == 2, "looked up again once its seconds have passed"


def test_no_memory_when_the_setting_is_zero(ctx, actors):
    ctx = _other_process(ctx, session_cache_seconds=0)
    client = _client(ctx, accounts.issue_api_token(ctx, username="call_handler"))
    look_ups = _session_look_ups(ctx)
    for _ in range(3):
        assert client.get(NO_SUCH_CONTACT).status_code == 404
    assert len(look_ups) == 3


def test_a_remembered_session_signed_out_is_refused_at_once(ctx, actors):
    signed_in = accounts.sign_in(ctx, username="call_handler", password="call_handler-test-pass")
    client = TestClient(create_app(context=ctx), follow_redirects=False)
    client.cookies.set("wh_session", signed_in.token)
    assert client.get("/").status_code == 200
    accounts.sign_out(ctx, token=signed_in.token)
    assert client.get("/").headers["location"] == "/login"


@pytest.mark.parametrize(
    "change",
    ["revoke_tokens", "deactivate"],
)
def test_a_remembered_token_revoked_by_another_process_is_refused_at_once(ctx, actors, change):
    token = accounts.issue_api_token(ctx, username="call_handler")
    client = _client(ctx, token)
    assert client.get(NO_SUCH_CONTACT).status_code == 404
    administrator = _other_process(ctx)  # another worker, or `watchhouse users` on this machine
    getattr(account_admin, change)(
        administrator, actor=actors[Role.ADMINISTRATOR], username="call_handler"
    )
    assert client.get(NO_SUCH_CONTACT).status_code == 401


def test_a_role_changed_by_another_process_applies_at_the_next_request(ctx, actors):
    token = accounts.issue_api_token(ctx, username="call_handler")
    client = _client(ctx, token)
    assert client.get(NO_SUCH_CONTACT).status_code == 404
    account_admin.set_role(
        _other_process(ctx),
        actor=actors[Role.ADMINISTRATOR],
        username="call_handler",
        role=Role.ANALYST,
    )
    assert client.get(NO_SUCH_CONTACT).status_code == 403


def test_another_machine_honours_a_revocation_within_the_bound(ctx, actors, tmp_path):
    token = accounts.issue_api_token(ctx, username="call_handler")
    client = _client(ctx, token)
    assert client.get(NO_SUCH_CONTACT).status_code == 404
    elsewhere = _other_process(ctx, data_dir=tmp_path / "another-machine")
    account_admin.revoke_tokens(
        elsewhere, actor=actors[Role.ADMINISTRATOR], username="call_handler"
    )
    ctx.clock.advance(seconds=ctx.settings.session_cache_seconds)
    assert client.get(NO_SUCH_CONTACT).status_code == 401


def test_a_session_is_not_remembered_past_its_expiry(ctx, actors):
    token = new_token()
    with ctx.db.transaction() as session:
        user_repo.start_session(
            session=session,
            user_id=actors[Role.CALL_HANDLER].user_id,
            token_digest=token_digest(token),
            csrf_token=new_token(),
            kind="api",
            now=ctx.now(),
            expires_at=ctx.now() + timedelta(seconds=1),
        )
    client = _client(ctx, token)
    assert client.get(NO_SUCH_CONTACT).status_code == 404
    ctx.clock.advance(seconds=1)
    assert ctx.settings.session_cache_seconds > 1
    assert client.get(NO_SUCH_CONTACT).status_code == 401
