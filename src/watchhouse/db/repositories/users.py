"""Users and their sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from watchhouse.db.tables import UserRow, UserSessionRow
from watchhouse.domain.errors import Conflict, NotFound
from watchhouse.domain.records import UserView
from watchhouse.domain.roles import Actor, Role


@dataclass(frozen=True)
class Credentials:
    """What sign-in needs to know about a user."""

    user_id: int
    password_hash: str
    active: bool
    failed_sign_ins: int
    locked_until: datetime | None


def _view(row: UserRow) -> UserView:
    return UserView(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role_code),
        active=row.active,
        locked_until=row.locked_until,
    )


def _actor(row: UserRow) -> Actor:
    return Actor(row.id, row.username, row.display_name, Role(row.role_code))


def add_user(
    *,
    session: Session,
    username: str,
    display_name: str,
    role: Role,
    password_hash: str,
    now: datetime,
    must_change_password: bool = False,
) -> UserView:
    """Insert a user; refuse a username already taken."""
    if session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
        raise Conflict(f"username {username!r} is already taken")
    row = UserRow(
        username=username,
        display_name=display_name,
        role_code=role.value,
        password_hash=password_hash,
        active=True,
        failed_sign_ins=0,
        created_at=now,
        must_change_password=must_change_password,
    )
    session.add(row)
    session.flush()
    return _view(row)


def list_users(*, session: Session) -> list[UserView]:
    """Every user, by username."""
    return [_view(r) for r in session.scalars(select(UserRow).order_by(UserRow.username))]


def credentials(*, session: Session, username: str) -> Credentials | None:
    """The stored credentials for a username, or None."""
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    if row is None:
        return None
    return Credentials(row.id, row.password_hash, row.active, row.failed_sign_ins, row.locked_until)


def set_sign_in_state(
    *, session: Session, user_id: int, failed_sign_ins: int, locked_until: datetime | None
) -> None:
    """Store the failure count and lock after a sign-in attempt."""
    session.execute(
        update(UserRow)
        .where(UserRow.id == user_id)
        .values(failed_sign_ins=failed_sign_ins, locked_until=locked_until)
    )


def count_failed_sign_in(*, session: Session, user_id: int) -> int:
    """Add one failed sign-in in a single statement and return the new count (never lost to a
    concurrent sign-in: the database adds, not Python)."""
    count = session.scalar(
        update(UserRow)
        .where(UserRow.id == user_id)
        .values(failed_sign_ins=UserRow.failed_sign_ins + 1)
        .returning(UserRow.failed_sign_ins)
    )
    if count is None:
        raise NotFound("user", user_id)
    return int(count)


def lock(*, session: Session, user_id: int, locked_until: datetime) -> None:
    """Lock an account until a moment and reset its failure count."""
    session.execute(
        update(UserRow)
        .where(UserRow.id == user_id)
        .values(failed_sign_ins=0, locked_until=locked_until)
    )


def clear_failures_unless_locked(*, session: Session, user_id: int, now: datetime) -> bool:
    """After a right password: reset the failure count, unless a lock set meanwhile (by a
    concurrent sign-in) is in force; False when it is."""
    cleared = session.scalar(
        update(UserRow)
        .where(
            UserRow.id == user_id,
            UserRow.active.is_(True),
            (UserRow.locked_until.is_(None)) | (UserRow.locked_until <= now),
        )
        .values(failed_sign_ins=0, locked_until=None)
        .returning(UserRow.id)
    )
    return cleared is not None


def actor(*, session: Session, user_id: int) -> Actor:
    """The actor for a user id."""
    row = session.get(UserRow, user_id)
    if row is None:
        raise NotFound("user", user_id)
    return _actor(row)


def set_password(
    *, session: Session, username: str, password_hash: str, must_change: bool = False
) -> None:
    """Replace a user's password hash and clear any lock; `must_change` marks a temporary
    password the user must replace at the next sign-in."""
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    if row is None:
        raise NotFound("user", username)
    row.password_hash = password_hash
    row.must_change_password = must_change
    row.failed_sign_ins = 0
    row.locked_until = None


def start_session(
    *,
    session: Session,
    user_id: int,
    token_digest: str,
    csrf_token: str,
    kind: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    """Record a new browser session or API token."""
    session.add(
        UserSessionRow(
            token_digest=token_digest,
            user_id=user_id,
            kind=kind,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=expires_at,
        )
    )


# Built once: every API request and page looks its session up (no statement construction or ORM
# execution per request).
_LIVE_SESSION = (
    select(
        UserRow.__table__.c.id,
        UserRow.__table__.c.username,
        UserRow.__table__.c.display_name,
        UserRow.__table__.c.role_code,
        UserRow.__table__.c.must_change_password,
        UserSessionRow.__table__.c.csrf_token,
        UserSessionRow.__table__.c.kind,
        UserSessionRow.__table__.c.expires_at,
    )
    .join_from(
        UserSessionRow.__table__,
        UserRow.__table__,
        UserRow.__table__.c.id == UserSessionRow.__table__.c.user_id,
    )
    .where(
        UserSessionRow.__table__.c.token_digest == bindparam("digest"),
        UserSessionRow.__table__.c.revoked_at.is_(None),
        UserSessionRow.__table__.c.expires_at > bindparam("now"),
        UserRow.__table__.c.active.is_(True),
    )
)


@dataclass(frozen=True)
class LiveSession:
    """An unexpired, unrevoked session of an active user."""

    actor: Actor
    csrf_token: str
    kind: str
    must_change_password: bool
    expires_at: datetime


def live_session(*, session: Session, token_digest: str, now: datetime) -> LiveSession | None:
    """The actor, CSRF token, kind and expiry of an unexpired, unrevoked session for an active
    user, and whether the user must change their password first."""
    row = session.connection().execute(_LIVE_SESSION, {"digest": token_digest, "now": now}).first()
    if row is None:
        return None
    user_id, username, display_name, role, must_change, csrf, kind, expires_at = row
    actor = Actor(user_id, username, display_name, Role(role))
    return LiveSession(actor, csrf, kind, must_change, expires_at)


def revoke_session(*, session: Session, token_digest: str, now: datetime) -> None:
    """End a session so its token no longer works."""
    session.execute(
        update(UserSessionRow)
        .where(UserSessionRow.token_digest == token_digest, UserSessionRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def user_by_username(*, session: Session, username: str) -> UserView | None:
    """The user with a username, or None."""
    row = session.scalar(select(UserRow).where(UserRow.username == username))
    return None if row is None else _view(row)


def set_active(*, session: Session, user_id: int, active: bool) -> None:
    """Disable or re-enable an account (a disabled account's sessions stop working at once)."""
    session.execute(update(UserRow).where(UserRow.id == user_id).values(active=active))


def unlock(*, session: Session, user_id: int) -> None:
    """Lift a lock-out and reset the failure count."""
    session.execute(
        update(UserRow).where(UserRow.id == user_id).values(failed_sign_ins=0, locked_until=None)
    )


def set_role(*, session: Session, user_id: int, role: Role) -> None:
    """Give a user another role."""
    session.execute(update(UserRow).where(UserRow.id == user_id).values(role_code=role.value))


def count_active_in_role(*, session: Session, role: Role) -> int:
    """How many active users hold a role, holding their rows until the transaction ends, so
    two administrators demoting each other at once cannot leave none: the second waits, then
    counts again. A no-op UPDATE, not SELECT ... FOR UPDATE, because SQLite only serialises
    writers and ignores FOR UPDATE."""
    held = session.scalars(
        update(UserRow)
        .where(UserRow.role_code == role.value, UserRow.active.is_(True))
        .values(role_code=UserRow.role_code)
        .returning(UserRow.id)
    ).all()
    return len(held)


def revoke_sessions(*, session: Session, user_id: int, now: datetime, kind: str | None) -> int:
    """End every live session of a user (only browser or only API tokens when `kind` says);
    returns how many were ended."""
    query = (
        update(UserSessionRow)
        .where(UserSessionRow.user_id == user_id, UserSessionRow.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(UserSessionRow.id)
    )
    if kind is not None:
        query = query.where(UserSessionRow.kind == kind)
    return len(session.scalars(query).all())


def last_sign_ins(*, session: Session) -> dict[int, datetime]:
    """Each user's latest browser sign-in (the start of their newest browser session)."""
    rows = session.execute(
        select(UserSessionRow.user_id, func.max(UserSessionRow.created_at))
        .where(UserSessionRow.kind == "browser")
        .group_by(UserSessionRow.user_id)
    )
    return {user_id: at for user_id, at in rows if at is not None}


def password_hash_of(*, session: Session, user_id: int) -> str:
    """The stored password hash of a user (to check their current password)."""
    found = session.scalar(select(UserRow.password_hash).where(UserRow.id == user_id))
    if found is None:
        raise NotFound("user", user_id)
    return found
