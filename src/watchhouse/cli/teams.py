"""`watchhouse teams`: administrators set up teams, their supervisors and their members."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from watchhouse.auth.permissions import can
from watchhouse.cli.io import AsUser, _actor, _context
from watchhouse.domain.errors import Conflict, ValidationFailed
from watchhouse.domain.roles import Action, Actor
from watchhouse.domain.teams import NO_TEAM, TeamKind
from watchhouse.services import teams

teams_app = typer.Typer(help="Teams and their supervisors.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def _may_manage(actor: Actor) -> None:
    if not can(actor.role, Action.MANAGE_TEAMS):
        err.print(f"[red]{actor.username} ({actor.role.label}) may not manage teams[/red]")
        raise typer.Exit(1)


@teams_app.command("add")
def add(
    code: Annotated[str, typer.Argument(help="short code, e.g. control-a")],
    name: Annotated[str, typer.Option(help="the team's name shown on screens")],
    kind: Annotated[TeamKind, typer.Option(help="what the team does")],
    supervisor: Annotated[
        str, typer.Option(help="username of the supervisor who receives audit feedback")
    ] = "",
    as_user: AsUser = None,
) -> None:
    """Add a team."""
    ctx = _context()
    actor = _actor(ctx, as_user, Action.MANAGE_TEAMS)
    _may_manage(actor)
    try:
        team = teams.add_team(
            ctx, actor=actor, code=code, name=name, kind=kind.value, supervisor=supervisor
        )
    except (ValidationFailed, Conflict) as exc:
        err.print(f"[red]not added[/red]: {exc}")
        raise typer.Exit(1) from exc
    console.print(
        f"added team {team.code} ({team.name}, {team.kind.label}); "
        f"supervisor {team.supervisor_username or 'none yet'}"
    )


@teams_app.command("list")
def list_teams() -> None:
    """List teams with their supervisors and numbers of members."""
    table = Table("code", "name", "kind", "supervisor", "members")
    for team in teams.list_teams(_context()):
        table.add_row(
            team.code,
            team.name,
            team.kind.label,
            team.supervisor_username or "",
            str(team.members),
        )
    console.print(table)


@teams_app.command("assign")
def assign(
    username: Annotated[str, typer.Argument(help="the user to move")],
    team: Annotated[
        str, typer.Option("--team", help="team code; empty to take the user out of any team")
    ],
    as_user: AsUser = None,
) -> None:
    """Put a user in a team."""
    ctx = _context()
    actor = _actor(ctx, as_user, Action.MANAGE_TEAMS)
    _may_manage(actor)
    try:
        teams.assign(ctx, actor=actor, username=username, team_code=team)
    except ValidationFailed as exc:
        err.print(f"[red]not assigned[/red]: {exc}")
        raise typer.Exit(1) from exc
    console.print(f"{username} is now in {team.strip() or NO_TEAM}")


@teams_app.command("supervisor")
def supervisor(
    team: Annotated[str, typer.Argument(help="team code")],
    username: Annotated[str, typer.Argument(help="the supervisor's username; '' to clear")],
    as_user: AsUser = None,
) -> None:
    """Name a team's supervisor (who receives the audit feedback for its members)."""
    ctx = _context()
    actor = _actor(ctx, as_user, Action.MANAGE_TEAMS)
    _may_manage(actor)
    try:
        found = teams.set_supervisor(ctx, actor=actor, team_code=team, supervisor=username)
    except ValidationFailed as exc:
        err.print(f"[red]not changed[/red]: {exc}")
        raise typer.Exit(1) from exc
    console.print(f"{found.code}: supervisor {found.supervisor_username or 'none'}")
