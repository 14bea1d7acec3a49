"""Sign-in, sessions and user administration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from watchhouse.auth.passwords import DUMMY_HASH, hash_password, verify_password
from watchhouse.auth.tokens import new_token, token_digest
from watchhouse.db.repositories import users
from watchhouse.domain.accounts import after_failed_sign_in, is_locked
from watchhouse.domain.errors import FieldProblem, SignInRefused, ValidationFailed
from watchhouse.domain.records import UserView
from watchhouse.domain.roles import Actor, Role
from watchhouse.services.context import AppContext

API_TOKEN_DAYS = 365


@dataclass(frozen=True)
class SignedIn:
    """A new session: the secret token for the cookie and its CSRF token."""

    token: str
    csrf_token: str
    actor: Actor


@dataclass(frozen=True)
class SessionInfo:
    """Who a token belongs to and the CSRF token that must accompany its writes."""

    actor: Actor
    csrf_token: str
    kind: str


def sign_in(ctx: AppContext, *, username: str, password: str) -> SignedIn:
    """Check the password, counting failures and locking the account after too many."""
    now = ctx.now()
    rule = ctx.policy.security.lockout_rule()
    with ctx.db.transaction() as session:
        found = users.credentials(session=session, username=username.strip())
        if found is None:
            verify_password(DUMMY_HASH, password)
            raise SignInRefused("unknown username or wrong password")
        if is_locked(found.locked_until, now):
            raise SignInRefused("this account is locked after repeated failed sign-ins; try later")
        if not found.active:
            raise SignInRefused("this account is disabled")
        if not verify_password(found.password_hash, password):
            outcome = after_failed_sign_in(found.failed_sign_ins, now, rule)
            users.set_sign_in_state(
                session=session,
                user_id=found.user_id,
                failed_sign_ins=outcome.failed_count,
                locked_until=outcome.locked_until,
            )
            failure = SignInRefused(
                "this account is now locked after repeated failed sign-ins; try later"
                if outcome.locked_until
                else "unknown username or wrong password"
            )
        else:
            failure = None
            users.set_sign_in_state(
                session=session, user_id=found.user_id, failed_sign_ins=0, locked_until=None
            )
            token, csrf = new_token(), new_token()
            users.start_session(
                session=session,
                user_id=found.user_id,
                token_digest=token_digest(token),
                csrf_token=csrf,
                kind="browser",
                now=now,
                expires_at=now + timedelta(hours=ctx.policy.security.session_hours),
            )
            actor = users.actor(session=session, user_id=found.user_id)
    if failure is not None:
        raise failure
    return SignedIn(token, csrf, actor)


def session_for_token(ctx: AppContext, *, token: str) -> SessionInfo | None:
    """The live session behind a token, or None if it is unknown, expired or revoked."""
    with ctx.db.transaction() as session:
        found = users.live_session(session=session, token_digest=token_digest(token), now=ctx.now())
    if found is None:
        return None
    actor, csrf, kind = found
    return SessionInfo(actor, csrf, kind)


def sign_out(ctx: AppContext, *, token: str) -> None:
    """Revoke the session behind a token."""
    with ctx.db.transaction() as session:
        users.revoke_session(session=session, token_digest=token_digest(token), now=ctx.now())


def add_user(
    ctx: AppContext, *, username: str, display_name: str, role: Role, password: str
) -> UserView:
    """Create a user with an argon2-hashed password."""
    problems = []
    if not username.strip() or not username.replace(".", "").replace("_", "").isalnum():
        problems.append(FieldProblem("username", "letters, digits, dots and underscores only"))
    if not display_name.strip():
        problems.append(FieldProblem("display_name", "required"))
    hashed = ""
    try:
        hashed = hash_password(password)
    except ValueError as exc:
        problems.append(FieldProblem("password", str(exc)))
    if problems:
        raise ValidationFailed(problems)
    with ctx.db.transaction() as session:
        return users.add_user(
            session=session,
            username=username.strip(),
            display_name=display_name.strip(),
            role=role,
            password_hash=hashed,
            now=ctx.now(),
        )


def set_password(ctx: AppContext, *, username: str, password: str) -> None:
    """Set a new password and unlock the account."""
    hashed = hash_password(password)
    with ctx.db.transaction() as session:
        users.set_password(session=session, username=username, password_hash=hashed)


def list_users(ctx: AppContext) -> list[UserView]:
    """Every user."""
    with ctx.db.transaction() as session:
        return users.list_users(session=session)


def issue_api_token(ctx: AppContext, *, username: str) -> str:
    """A long-lived bearer token for a force system (telephony, integrations) acting as a user."""
    now = ctx.now()
    with ctx.db.transaction() as session:
        found = users.credentials(session=session, username=username)
        if found is None:
            raise ValidationFailed.one("username", f"no user {username!r}")
        token = new_token()
        users.start_session(
            session=session,
            user_id=found.user_id,
            token_digest=token_digest(token),
            csrf_token=new_token(),
            kind="api",
            now=now,
            expires_at=now + timedelta(days=API_TOKEN_DAYS),
        )
    return token
