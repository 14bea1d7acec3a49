"""Sign-in, sessions and user administration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from watchhouse.auth.passwords import (
    dummy_hash,
    hash_password,
    password_problem,
    verify_password,
)
from watchhouse.auth.tokens import new_token, token_digest
from watchhouse.db.repositories import sign_in_throttle, users
from watchhouse.domain.access import Operation
from watchhouse.domain.accounts import after_failed_sign_in, is_locked
from watchhouse.domain.errors import (
    FieldProblem,
    SignInRefused,
    SignInThrottled,
    ValidationFailed,
)
from watchhouse.domain.records import UserView
from watchhouse.domain.roles import Actor, Role
from watchhouse.services.access import log_access
from watchhouse.services.context import AppContext
from watchhouse.services.session_cache import marker_path, read_marker, touch_marker


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
    must_change_password: bool = False


SIGN_IN_REFUSED = (
    "unknown username or wrong password, or the account is locked or disabled; "
    "try again later or ask an administrator"
)


def sign_in(ctx: AppContext, *, username: str, password: str, source: str = "") -> SignedIn:
    """Check the password, counting failures per account (locking after too many) and per
    source address (refusing a source that failed too often lately).

    Every refusal reads the same and costs one password check, so it tells a stranger
    nothing about which usernames exist or are locked."""
    now = ctx.now()
    security = ctx.policy.security
    window_start = now - timedelta(minutes=security.source_window_minutes)
    with ctx.db.transaction() as session:
        source_failures = sign_in_throttle.failures_in_window(
            session=session, source=source, window_start=window_start
        )
        found = users.credentials(session=session, username=username.strip())
    if source_failures >= security.sign_in_failures_per_source:
        raise SignInThrottled(
            "too many failed sign-ins from this address; "
            f"try again in {security.source_window_minutes:g} minutes"
        )
    right = verify_password(found.password_hash if found else dummy_hash(), password)
    if found is None or not right:
        _count_failure(ctx, found=found, source=source, now=now, window_start=window_start)
        raise SignInRefused(SIGN_IN_REFUSED)
    if not found.active or is_locked(found.locked_until, now):
        raise SignInRefused(SIGN_IN_REFUSED)
    token, csrf = new_token(), new_token()
    with ctx.db.transaction() as session:
        if not users.clear_failures_unless_locked(session=session, user_id=found.user_id, now=now):
            raise SignInRefused(SIGN_IN_REFUSED)
        users.start_session(
            session=session,
            user_id=found.user_id,
            token_digest=token_digest(token),
            csrf_token=csrf,
            kind="browser",
            now=now,
            expires_at=now + timedelta(hours=security.session_hours),
        )
        actor = users.actor(session=session, user_id=found.user_id)
    return SignedIn(token, csrf, actor)


def _count_failure(
    ctx: AppContext,
    *,
    found: users.Credentials | None,
    source: str,
    now: datetime,
    window_start: datetime,
) -> None:
    """Count a wrong password against the source and (if it exists and is not already
    locked) the account; the database adds, so concurrent failures are never lost."""
    rule = ctx.policy.security.lockout_rule()
    with ctx.db.transaction() as session:
        sign_in_throttle.forget_old(session=session, window_start=window_start)
        sign_in_throttle.count_failure(
            session=session, source=source, now=now, window_start=window_start
        )
        if found is None or is_locked(found.locked_until, now):
            return
        count = users.count_failed_sign_in(session=session, user_id=found.user_id)
        outcome = after_failed_sign_in(count - 1, now, rule)
        if outcome.locked_until is not None:
            users.lock(session=session, user_id=found.user_id, locked_until=outcome.locked_until)


def remembered_session(ctx: AppContext, *, token: str) -> SessionInfo | None:
    """The live session behind a token as this process found it in the last
    `session_cache_seconds`, unless a session was ended or changed since; None when it
    must be looked up (services/session_cache.py). No database: cheap enough for the
    event loop."""
    if ctx.settings.session_cache_seconds <= 0:
        return None
    marker = read_marker(marker_path(ctx.settings.data_dir))
    found: SessionInfo | None = ctx.sessions.recall(
        token_digest(token), now=ctx.now(), marker=marker
    )
    return found


def session_for_token(ctx: AppContext, *, token: str) -> SessionInfo | None:
    """The live session behind a token, or None if it is unknown, expired or revoked."""
    digest = token_digest(token)
    now = ctx.now()
    stamp = ctx.sessions.stamp(read_marker(marker_path(ctx.settings.data_dir)))
    with ctx.db.single_read() as session:
        found = users.live_session(session=session, token_digest=digest, now=now)
    if found is None:
        return None
    info = SessionInfo(found.actor, found.csrf_token, found.kind, found.must_change_password)
    seconds = ctx.settings.session_cache_seconds
    if seconds > 0:
        until = min(now + timedelta(seconds=seconds), found.expires_at)
        ctx.sessions.remember(digest, info, until=until, stamp=stamp)
    return info


def sessions_changed(ctx: AppContext) -> None:
    """A session was ended, or what a session carries (role, password, account) changed:
    called after the commit, so no process goes on using what it remembered."""
    ctx.sessions.forget_all()
    touch_marker(marker_path(ctx.settings.data_dir))


def sign_out(ctx: AppContext, *, token: str) -> None:
    """Revoke the session behind a token."""
    with ctx.db.transaction() as session:
        users.revoke_session(session=session, token_digest=token_digest(token), now=ctx.now())
    sessions_changed(ctx)


def add_user(
    ctx: AppContext,
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    must_change_password: bool = False,
) -> UserView:
    """Create a user with an argon2-hashed password; `must_change_password` when an
    administrator chose it (the user must choose their own at the next sign-in)."""
    problems = []
    if not username.strip() or not username.replace(".", "").replace("_", "").isalnum():
        problems.append(FieldProblem("username", "letters, digits, dots and underscores only"))
    if not display_name.strip():
        problems.append(FieldProblem("display_name", "required"))
    hashed = ""
    refused = password_refusal(ctx, username=username.strip(), password=password)
    if refused:
        problems.append(FieldProblem("password", refused))
    else:
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
            must_change_password=must_change_password,
        )


def password_refusal(ctx: AppContext, *, username: str, password: str) -> str | None:
    """Why the password policy refuses a password for a user, or None when it accepts it."""
    security = ctx.policy.security
    return password_problem(
        password,
        username=username,
        min_length=security.min_password_length,
        min_strength=security.min_password_strength,
    )


def set_password(ctx: AppContext, *, username: str, password: str) -> None:
    """Set a new password (refused unless the policy accepts it) and unlock the account."""
    refused = password_refusal(ctx, username=username, password=password)
    if refused:
        raise ValidationFailed.one("password", refused)
    hashed = hash_password(password)
    with ctx.db.transaction() as session:
        users.set_password(session=session, username=username, password_hash=hashed)
    sessions_changed(ctx)


def change_own_password(
    ctx: AppContext, *, actor: Actor, current: str, new: str, confirm: str
) -> None:
    """A user changes their own password: the current one must be right, the new one must meet
    the password policy (as for administrators' resets), differ from the current one and be
    typed twice alike. Clears the must-change flag; the change is logged."""
    with ctx.db.transaction() as session:
        stored = users.password_hash_of(session=session, user_id=actor.user_id)
    problems: list[FieldProblem] = []
    if not verify_password(stored, current):
        problems.append(FieldProblem("current_password", "this is not your current password"))
    refused = password_refusal(ctx, username=actor.username, password=new)
    if refused:
        problems.append(FieldProblem("new_password", refused))
    elif new == current:
        problems.append(FieldProblem("new_password", "choose a password you have not used here"))
    if new != confirm:
        problems.append(FieldProblem("confirm_password", "the two new passwords differ"))
    if problems:
        raise ValidationFailed(problems)
    hashed = hash_password(new)
    with ctx.db.transaction() as session:
        users.set_password(session=session, username=actor.username, password_hash=hashed)
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.ALTERATION,
            record_type="user",
            record_id=actor.user_id,
            justification="own password changed",
        )
    sessions_changed(ctx)


def list_users(ctx: AppContext) -> list[UserView]:
    """Every user."""
    with ctx.db.transaction() as session:
        return users.list_users(session=session)


def issue_api_token(ctx: AppContext, *, username: str) -> str:
    """A bearer token for a force system (telephony, integrations) acting as a user; it expires
    after the policy's `api_token_days`."""
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
            expires_at=now + timedelta(days=ctx.policy.security.api_token_days),
        )
    return token
