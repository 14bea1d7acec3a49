"""The administrator's account actions: deactivate, reactivate, unlock, reset a password,
change a role, revoke API tokens. Each is logged in the access log (operation alteration,
record type user, the user's id; the justification says what was done)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from watchhouse.auth.passwords import hash_password
from watchhouse.db.repositories import users
from watchhouse.domain.access import Operation
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.records import UserView
from watchhouse.domain.roles import Actor, Role
from watchhouse.services.access import log_access
from watchhouse.services.accounts import password_refusal, sessions_changed
from watchhouse.services.context import AppContext

USER_RECORD = "user"


@dataclass(frozen=True)
class AccountRow:
    """A user as the administrator's page lists them, with their latest sign-in if any."""

    user: UserView
    last_sign_in: datetime | None


def account_rows(ctx: AppContext) -> list[AccountRow]:
    """Every user with state, role and latest browser sign-in."""
    with ctx.db.transaction() as session:
        latest = users.last_sign_ins(session=session)
        return [AccountRow(u, latest.get(u.id)) for u in users.list_users(session=session)]


def _target(session: Session, username: str) -> UserView:
    found = users.user_by_username(session=session, username=username.strip())
    if found is None:
        raise ValidationFailed.one("username", f"no user {username.strip()!r}")
    return found


def _refuse_losing_last_administrator(session: Session, target: UserView, doing: str) -> None:
    if not (target.active and target.role is Role.ADMINISTRATOR):
        return
    if users.count_active_in_role(session=session, role=Role.ADMINISTRATOR) <= 1:
        raise ValidationFailed.one(
            "username", f"{target.username} is the last active administrator and cannot be {doing}"
        )


def _log(ctx: AppContext, session: Session, actor: Actor, target: UserView, what: str) -> None:
    log_access(
        ctx,
        session=session,
        actor=actor,
        operation=Operation.ALTERATION,
        record_type=USER_RECORD,
        record_id=target.id,
        justification=f"{what} ({target.username})",
    )


def deactivate(ctx: AppContext, *, actor: Actor, username: str) -> UserView:
    """Disable an account: it cannot sign in, and its sessions and API tokens end at once.
    Refused for one's own account and for the last active administrator."""
    with ctx.db.transaction() as session:
        target = _target(session, username)
        if target.id == actor.user_id:
            raise ValidationFailed.one("username", "you cannot deactivate your own account")
        _refuse_losing_last_administrator(session, target, "deactivated")
        users.set_active(session=session, user_id=target.id, active=False)
        ended = users.revoke_sessions(session=session, user_id=target.id, now=ctx.now(), kind=None)
        _log(ctx, session, actor, target, f"account deactivated, {ended} sessions and tokens ended")
    sessions_changed(ctx)
    return target


def reactivate(ctx: AppContext, *, actor: Actor, username: str) -> UserView:
    """Re-enable a deactivated account (its old sessions and tokens stay ended)."""
    with ctx.db.transaction() as session:
        target = _target(session, username)
        users.set_active(session=session, user_id=target.id, active=True)
        _log(ctx, session, actor, target, "account reactivated")
        return target


def unlock(ctx: AppContext, *, actor: Actor, username: str) -> UserView:
    """Lift a lock-out after too many wrong passwords."""
    with ctx.db.transaction() as session:
        target = _target(session, username)
        users.unlock(session=session, user_id=target.id)
        _log(ctx, session, actor, target, "account unlocked")
        return target


def reset_password(ctx: AppContext, *, actor: Actor, username: str, password: str) -> UserView:
    """Set a temporary password (it must meet the password policy), lift any lock and end the
    user's browser sessions; the administrator passes the password on to the user."""
    refused = password_refusal(ctx, username=username.strip(), password=password)
    if refused:
        raise ValidationFailed.one("password", refused)
    hashed = hash_password(password)
    with ctx.db.transaction() as session:
        target = _target(session, username)
        users.set_password(
            session=session, username=target.username, password_hash=hashed, must_change=True
        )
        users.revoke_sessions(session=session, user_id=target.id, now=ctx.now(), kind="browser")
        _log(ctx, session, actor, target, "password reset by an administrator")
    sessions_changed(ctx)
    return target


def set_role(ctx: AppContext, *, actor: Actor, username: str, role: Role) -> UserView:
    """Give a user another role; the last active administrator cannot be given another."""
    with ctx.db.transaction() as session:
        target = _target(session, username)
        if target.role is role:
            raise ValidationFailed.one("role", f"{target.username} already has the role {role}")
        _refuse_losing_last_administrator(session, target, "given another role")
        users.set_role(session=session, user_id=target.id, role=role)
        _log(ctx, session, actor, target, f"role changed from {target.role} to {role}")
    sessions_changed(ctx)
    return target


def revoke_tokens(ctx: AppContext, *, actor: Actor, username: str) -> int:
    """End every API token of a user at once; returns how many were live."""
    with ctx.db.transaction() as session:
        target = _target(session, username)
        ended = users.revoke_sessions(session=session, user_id=target.id, now=ctx.now(), kind="api")
        _log(ctx, session, actor, target, f"API tokens revoked ({ended} live)")
    sessions_changed(ctx)
    return ended
