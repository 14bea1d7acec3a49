"""Teams: administrators set them up, name their supervisors and put users in them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from watchhouse.auth.permissions import can
from watchhouse.db.repositories import teams, users
from watchhouse.domain.errors import NotFound, ValidationFailed
from watchhouse.domain.roles import Action, Actor
from watchhouse.domain.teams import Team, check_new_team
from watchhouse.services.context import AppContext


def _supervisor_id(session: Session, username: str) -> int | None:
    """The id of the named supervisor; they must be able to receive audit feedback."""
    if not username.strip():
        return None
    try:
        user_id = teams.user_id_by_username(session=session, username=username.strip())
    except NotFound as exc:
        raise ValidationFailed.one("supervisor", f"no user {username!r}") from exc
    role = users.actor(session=session, user_id=user_id).role
    if not can(role, Action.VIEW_AUDIT_FEEDBACK):
        raise ValidationFailed.one(
            "supervisor", f"{username} is a {role.label}, who cannot receive audit feedback"
        )
    return user_id


def add_team(
    ctx: AppContext, *, actor: Actor, code: str, name: str, kind: str, supervisor: str = ""
) -> Team:
    """Add a team, optionally naming its supervisor by username."""
    team_kind = check_new_team(code=code.strip(), name=name, kind=kind.strip())
    with ctx.db.transaction() as session:
        return teams.add_team(
            session=session,
            code=code.strip(),
            name=name.strip(),
            kind=team_kind,
            supervisor_id=_supervisor_id(session, supervisor),
            now=ctx.now(),
        )


def list_teams(ctx: AppContext) -> list[Team]:
    """Every team with its supervisor and number of members."""
    with ctx.db.transaction() as session:
        return teams.list_teams(session=session)


def memberships(ctx: AppContext) -> dict[str, str | None]:
    """Each user's team code (None for no team), by username."""
    with ctx.db.transaction() as session:
        return teams.members(session=session)


def set_supervisor(ctx: AppContext, *, actor: Actor, team_code: str, supervisor: str) -> Team:
    """Name a team's supervisor (an empty username clears it)."""
    with ctx.db.transaction() as session:
        found = _team(session, team_code)
        teams.set_supervisor(
            session=session, team_id=found.id, supervisor_id=_supervisor_id(session, supervisor)
        )
        return teams.team(session=session, code=found.code)


def assign(ctx: AppContext, *, actor: Actor, username: str, team_code: str) -> None:
    """Put a user in a team; an empty team code takes them out of any team."""
    with ctx.db.transaction() as session:
        try:
            user_id = teams.user_id_by_username(session=session, username=username.strip())
        except NotFound as exc:
            raise ValidationFailed.one("username", f"no user {username!r}") from exc
        team_id = _team(session, team_code).id if team_code.strip() else None
        teams.assign_user(session=session, user_id=user_id, team_id=team_id)


def _team(session: Session, code: str) -> Team:
    try:
        return teams.team(session=session, code=code.strip())
    except NotFound as exc:
        raise ValidationFailed.one("team", f"no team {code!r}") from exc
