"""Teams and who belongs to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from watchhouse.db.tables import TeamRow, UserRow
from watchhouse.domain.errors import Conflict, NotFound
from watchhouse.domain.teams import Team, TeamKind


def _team(row: TeamRow, supervisor: str | None, members: int) -> Team:
    return Team(
        id=row.id,
        code=row.code,
        name=row.name,
        kind=TeamKind(row.kind),
        supervisor_id=row.supervisor_id,
        supervisor_username=supervisor,
        members=members,
    )


def add_team(
    *,
    session: Session,
    code: str,
    name: str,
    kind: TeamKind,
    supervisor_id: int | None,
    now: datetime,
) -> Team:
    """Insert a team; refuse a code already taken."""
    if session.scalar(select(TeamRow.id).where(TeamRow.code == code)) is not None:
        raise Conflict(f"team code {code!r} is already taken")
    row = TeamRow(
        code=code, name=name, kind=kind.value, supervisor_id=supervisor_id, created_at=now
    )
    session.add(row)
    session.flush()
    return team(session=session, code=code)


def list_teams(*, session: Session) -> list[Team]:
    """Every team by code, with its supervisor's username and its number of members."""
    supervisor = aliased(UserRow)
    members = select(UserRow.team_id, func.count().label("n")).group_by(UserRow.team_id).subquery()
    rows = session.execute(
        select(TeamRow, supervisor.username, func.coalesce(members.c.n, 0))
        .outerjoin(supervisor, supervisor.id == TeamRow.supervisor_id)
        .outerjoin(members, members.c.team_id == TeamRow.id)
        .order_by(TeamRow.code)
    ).all()
    return [_team(row, name, int(n)) for row, name, n in rows]


def team(*, session: Session, code: str) -> Team:
    """One team by code, or NotFound."""
    for found in list_teams(session=session):
        if found.code == code:
            return found
    raise NotFound("team", code)


def team_id_for_name(*, session: Session, name: str) -> int | None:
    """The team whose code or name is the given text (crimes name their allocated team)."""
    return session.scalar(
        select(TeamRow.id)
        .where((TeamRow.code == name) | (TeamRow.name == name))
        .order_by(TeamRow.id)
        .limit(1)
    )


def set_supervisor(*, session: Session, team_id: int, supervisor_id: int | None) -> None:
    """Name (or clear) a team's supervisor."""
    row = session.get(TeamRow, team_id)
    if row is None:
        raise NotFound("team", team_id)
    row.supervisor_id = supervisor_id


def assign_user(*, session: Session, user_id: int, team_id: int | None) -> None:
    """Put a user in a team (None: no team)."""
    row = session.get(UserRow, user_id)
    if row is None:
        raise NotFound("user", user_id)
    row.team_id = team_id


def user_id_by_username(*, session: Session, username: str) -> int:
    """A user's id by username, or NotFound."""
    found = session.scalar(select(UserRow.id).where(UserRow.username == username))
    if found is None:
        raise NotFound("user", username)
    return found


def team_of_users(*, session: Session, user_ids: set[int]) -> dict[int, int | None]:
    """The team of each of some users."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(UserRow.id, UserRow.team_id).where(UserRow.id.in_(sorted(user_ids)))
    ).all()
    return {uid: tid for uid, tid in rows}


def supervisors_of(*, session: Session, team_ids: set[int]) -> dict[int, int | None]:
    """The supervisor (a user id, None if none is named) of each of some teams."""
    if not team_ids:
        return {}
    rows = session.execute(
        select(TeamRow.id, TeamRow.supervisor_id).where(TeamRow.id.in_(sorted(team_ids)))
    ).all()
    return {tid: sid for tid, sid in rows}


def members(*, session: Session) -> dict[str, str | None]:
    """Each user's team code (None: no team), by username."""
    rows = session.execute(
        select(UserRow.username, TeamRow.code).outerjoin(TeamRow, TeamRow.id == UserRow.team_id)
    ).all()
    return {username: code for username, code in rows}
