"""Account administration: deactivate, reactivate, unlock, reset a password, change a role and
revoke API tokens, each taking effect at once and each logged (who did what to whom, when)."""

from __future__ import annotations

import threading

import pytest
from tests.conftest import password_for

from watchhouse.domain.access import AccessQuery, Operation
from watchhouse.domain.errors import SignInRefused, ValidationFailed
from watchhouse.domain.roles import Role
from watchhouse.services import access, account_admin, accounts

pytestmark = pytest.mark.integration

TEMPORARY = "otter lantern gravel"


def _user_log(ctx, actors) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    entries = access.search_access_log(
        ctx,
        actor=actors[Role.AUDITOR],
        query=AccessQuery(operation=Operation.ALTERATION, record_type="user"),
    )
    return [(e.username, e.record_id, e.justification or "") for e in entries]


def test_deactivated_user_cannot_sign_in_and_their_session_and_token_stop_at_once(ctx, actors):
    signed_in = accounts.sign_in(ctx, username="dispatcher", password=password_for(Role.DISPATCHER))
    token = accounts.issue_api_token(ctx, username="dispatcher")
    account_admin.deactivate(ctx, actor=actors[Role.ADMINISTRATOR], username="dispatcher")
    assert accounts.session_for_token(ctx, token=signed_in.token) is None
    assert accounts.session_for_token(ctx, token=token) is None
    with pytest.raises(SignInRefused):
        accounts.sign_in(ctx, username="dispatcher", password=password_for(Role.DISPATCHER))
    account_admin.reactivate(ctx, actor=actors[Role.ADMINISTRATOR], username="dispatcher")
    assert accounts.session_for_token(ctx, token=token) is None, "old tokens stay ended"
    assert accounts.sign_in(ctx, username="dispatcher", password=password_for(Role.DISPATCHER))


def test_every_action_is_logged_as_an_alteration_of_the_user_by_the_administrator(ctx, actors):
    admin = actors[Role.ADMINISTRATOR]
    target = actors[Role.OFFICER]
    account_admin.deactivate(ctx, actor=admin, username="officer")
    account_admin.reactivate(ctx, actor=admin, username="officer")
    account_admin.unlock(ctx, actor=admin, username="officer")
    account_admin.reset_password(ctx, actor=admin, username="officer", password=TEMPORARY)
    account_admin.set_role(ctx, actor=admin, username="officer", role=Role.INVESTIGATOR)
    account_admin.revoke_tokens(ctx, actor=admin, username="officer")
    logged = _user_log(ctx, actors)
    assert {(who, record) for who, record, _ in logged} == {("administrator", str(target.user_id))}
    said = " | ".join(what for _, _, what in logged)
    for action in ("deactivated", "reactivated", "unlocked", "password reset", "role changed"):
        assert action in said
    assert "officer to investigator" in said
    assert "API tokens revoked" in said


def test_unlock_lets_a_locked_user_sign_in_again(ctx, actors):
    for _ in range(ctx.policy.security.lockout_rule().max_failures):
        with pytest.raises(SignInRefused):
            accounts.sign_in(ctx, username="analyst", password="wrong password here")
    with pytest.raises(SignInRefused):
        accounts.sign_in(ctx, username="analyst", password=password_for(Role.ANALYST))
    account_admin.unlock(ctx, actor=actors[Role.ADMINISTRATOR], username="analyst")
    assert accounts.sign_in(ctx, username="analyst", password=password_for(Role.ANALYST))


def test_reset_password_follows_the_policy_and_ends_the_users_sessions(ctx, actors):
    admin = actors[Role.ADMINISTRATOR]
    old = accounts.sign_in(ctx, username="auditor", password=password_for(Role.AUDITOR))
    with pytest.raises(ValidationFailed) as refused:
        account_admin.reset_password(ctx, actor=admin, username="auditor", password="password12")
    assert refused.value.problems[0].field == "password"
    assert accounts.session_for_token(ctx, token=old.token) is not None, "nothing changed"
    account_admin.reset_password(ctx, actor=admin, username="auditor", password=TEMPORARY)
    assert accounts.session_for_token(ctx, token=old.token) is None
    assert accounts.sign_in(ctx, username="auditor", password=TEMPORARY)


def test_role_change_applies_to_the_users_live_session(ctx, actors):
    signed_in = accounts.sign_in(ctx, username="analyst", password=password_for(Role.ANALYST))
    account_admin.set_role(
        ctx, actor=actors[Role.ADMINISTRATOR], username="analyst", role=Role.SUPERVISOR
    )
    info = accounts.session_for_token(ctx, token=signed_in.token)
    assert info is not None and info.actor.role is Role.SUPERVISOR


def test_revoking_tokens_ends_api_tokens_but_not_the_browser_session(ctx, actors):
    browser = accounts.sign_in(ctx, username="analyst", password=password_for(Role.ANALYST))
    tokens = [accounts.issue_api_token(ctx, username="analyst") for _ in range(2)]
    ended = account_admin.revoke_tokens(ctx, actor=actors[Role.ADMINISTRATOR], username="analyst")
    assert ended == 2
    assert all(accounts.session_for_token(ctx, token=t) is None for t in tokens)
    assert accounts.session_for_token(ctx, token=browser.token) is not None


def test_unknown_user_is_named_in_the_refusal(ctx, actors):
    with pytest.raises(ValidationFailed, match="no user 'nobody'"):
        account_admin.deactivate(ctx, actor=actors[Role.ADMINISTRATOR], username="nobody")


def test_administrator_cannot_deactivate_their_own_account(ctx, actors):
    with pytest.raises(ValidationFailed, match="your own account"):
        account_admin.deactivate(ctx, actor=actors[Role.ADMINISTRATOR], username="administrator")


def test_the_last_active_administrator_cannot_be_deactivated_or_demoted(ctx, actors):
    accounts.add_user(
        ctx,
        username="second.admin",
        display_name="Second Admin",
        role=Role.ADMINISTRATOR,
        password=TEMPORARY,
    )
    admin = actors[Role.ADMINISTRATOR]
    account_admin.deactivate(ctx, actor=admin, username="second.admin")
    with pytest.raises(ValidationFailed, match="last active administrator"):
        account_admin.set_role(ctx, actor=admin, username="administrator", role=Role.ANALYST)
    account_admin.reactivate(ctx, actor=admin, username="second.admin")
    second = accounts.sign_in(ctx, username="second.admin", password=TEMPORARY).actor
    account_admin.set_role(ctx, actor=second, username="administrator", role=Role.ANALYST)
    with pytest.raises(ValidationFailed, match="last active administrator"):
        account_admin.set_role(ctx, actor=admin, username="second.admin", role=Role.ANALYST)


def test_account_list_shows_the_latest_sign_in(ctx, actors, clock):
    accounts.sign_in(ctx, username="analyst", password=password_for(Role.ANALYST))
    rows = {r.user.username: r for r in account_admin.account_rows(ctx)}
    assert rows["analyst"].last_sign_in == clock()
    assert rows["auditor"].last_sign_in is None


def test_two_administrators_demoting_each_other_at_once_leave_one_administrator(ctx, actors):
    accounts.add_user(
        ctx,
        username="second.admin",
        display_name="Second Admin",
        role=Role.ADMINISTRATOR,
        password=TEMPORARY,
    )
    first = actors[Role.ADMINISTRATOR]
    second = accounts.sign_in(ctx, username="second.admin", password=TEMPORARY).actor
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def demote(actor, username: str) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        try:
            account_admin.set_role(ctx, actor=actor, username=username, role=Role.ANALYST)
            outcomes.append("demoted")
        except Exception as exc:
            outcomes.append(type(exc).__name__)

    threads = [
        threading.Thread(target=demote, args=(first, "second.admin")),
        threading.Thread(target=demote, args=(second, "administrator")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    admins = [u for u in accounts.list_users(ctx) if u.role is Role.ADMINISTRATOR and u.active]
    assert len(admins) == 1, outcomes
    assert outcomes.count("demoted") == 1, outcomes
