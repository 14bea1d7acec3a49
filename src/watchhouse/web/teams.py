"""The administrator's teams page: teams, their supervisors and their members."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from watchhouse.domain.errors import Conflict, ValidationFailed
from watchhouse.domain.roles import Action
from watchhouse.domain.teams import TeamKind
from watchhouse.services import accounts, teams
from watchhouse.web.forms import FormReader
from watchhouse.web.rendering import render
from watchhouse.web.security import actor_of, context_of, require

router = APIRouter(default_response_class=HTMLResponse)
PAGE = "/admin/teams"


def _page(
    request: Request, status: int = 200, problems: dict[str, str] | None = None, **values: str
) -> Response:
    ctx = context_of(request)
    return render(
        request,
        "teams.html",
        status,
        teams=teams.list_teams(ctx),
        users=accounts.list_users(ctx),
        memberships=teams.memberships(ctx),
        kinds=list(TeamKind),
        problems=problems or {},
        values=values,
    )


async def _change(request: Request, change: Callable[[FormReader], object]) -> Response:
    form = await request.form()
    reader = FormReader(form)
    try:
        change(reader)
    except ValidationFailed as exc:
        kept = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return _page(request, 422, {p.field: p.reason for p in exc.problems}, **kept)
    return RedirectResponse(PAGE, status_code=303)


@router.get(PAGE, dependencies=[Depends(require(Action.MANAGE_TEAMS))])
async def teams_page(request: Request) -> Response:
    """Teams, their supervisors and who is in which."""
    return _page(request)


@router.post(PAGE, dependencies=[Depends(require(Action.MANAGE_TEAMS))])
async def add_team(request: Request) -> Response:
    """Add a team."""
    ctx, actor = context_of(request), actor_of(request)

    def add(reader: FormReader) -> None:
        try:
            teams.add_team(
                ctx,
                actor=actor,
                code=reader.text("code"),
                name=reader.text("name"),
                kind=reader.text("kind"),
                supervisor=reader.text("supervisor"),
            )
        except Conflict as exc:
            raise ValidationFailed.one("code", str(exc)) from exc

    return await _change(request, add)


@router.post(f"{PAGE}/supervisor", dependencies=[Depends(require(Action.MANAGE_TEAMS))])
async def set_supervisor(request: Request) -> Response:
    """Name a team's supervisor."""
    ctx, actor = context_of(request), actor_of(request)
    return await _change(
        request,
        lambda r: teams.set_supervisor(
            ctx, actor=actor, team_code=r.text("team"), supervisor=r.text("supervisor")
        ),
    )


@router.post(f"{PAGE}/members", dependencies=[Depends(require(Action.MANAGE_TEAMS))])
async def assign(request: Request) -> Response:
    """Put a user in a team (or in none)."""
    ctx, actor = context_of(request), actor_of(request)
    return await _change(
        request,
        lambda r: teams.assign(
            ctx, actor=actor, username=r.text("username"), team_code=r.text("member_team")
        ),
    )
