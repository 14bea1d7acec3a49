"""The administrator's account actions on the users page: one form per action, each a POST
naming the user in the form (CSRF-checked like every cookie write) and logged by the service."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from watchhouse.auth.permissions import can
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Action, Actor, Role
from watchhouse.services import account_admin
from watchhouse.services.context import AppContext
from watchhouse.web.forms import FormReader
from watchhouse.web.rendering import render
from watchhouse.web.security import actor_of, context_of, require

router = APIRouter(default_response_class=HTMLResponse)
PAGE = "/admin/users"


def users_page_response(
    request: Request,
    status: int = 200,
    *,
    problems: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    """The users page: every account with its state, and the forms to add and change them."""
    accounts = account_admin.account_rows(context_of(request))
    return render(
        request,
        "users.html",
        status,
        accounts=accounts,
        # Who may open the access log the page's changes go to: the roles the permission table
        # allows (auditors: administrators do not review the log of their own changes).
        log_reader_roles=[r for r in Role if can(r, Action.VIEW_ACCESS_LOG)],
        log_readers=[
            a.user for a in accounts if a.user.active and can(a.user.role, Action.VIEW_ACCESS_LOG)
        ],
        roles=list(Role),
        problems=problems or {},
        values=values or {},
        done=request.query_params.get("done", ""),
        done_user=request.query_params.get("user", ""),
    )


Change = Callable[[AppContext, Actor, str, FormReader], str]


async def _act(request: Request, change: Change) -> Response:
    form = await request.form()
    reader = FormReader(form)
    username = reader.text("username")
    try:
        if not username:
            raise ValidationFailed.one("username", "name the user")
        done = change(context_of(request), actor_of(request), username, reader)
    except ValidationFailed as exc:
        return users_page_response(request, 422, problems={p.field: p.reason for p in exc.problems})
    return RedirectResponse(f"{PAGE}?{urlencode({'done': done, 'user': username})}", 303)


@router.post(f"{PAGE}/deactivate", dependencies=[Depends(require(Action.MANAGE_USERS))])
async def deactivate(request: Request) -> Response:
    """Deactivate an account: no sign-in, and its sessions and tokens end at once."""

    def change(ctx: AppContext, actor: Actor, username: str, _: FormReader) -> str:
        account_admin.deactivate(ctx, actor=actor, username=username)
        return "deactivated"

    return await _act(request, change)


@router.post(f"{PAGE}/reactivate", dependencies=[Depends(require(Action.MANAGE_USERS))])
async def reactivate(request: Request) -> Response:
    """Reactivate a deactivated account."""

    def change(ctx: AppContext, actor: Actor, username: str, _: FormReader) -> str:
        account_admin.reactivate(ctx, actor=actor, username=username)
        return "reactivated"

    return await _act(request, change)


@router.post(f"{PAGE}/unlock", dependencies=[Depends(require(Action.MANAGE_USERS))])
async def unlock(request: Request) -> Response:
    """Lift a lock-out."""

    def change(ctx: AppContext, actor: Actor, username: str, _: FormReader) -> str:
        account_admin.unlock(ctx, actor=actor, username=username)
        return "unlocked"

    return await _act(request, change)


@router.post(f"{PAGE}/password", dependencies=[Depends(require(Action.MANAGE_USERS))])
async def reset_password(request: Request) -> Response:
    """Set a temporary password that meets the password policy."""

    def change(ctx: AppContext, actor: Actor, username: str, reader: FormReader) -> str:
        password = reader.form.get("password")
        account_admin.reset_password(
            ctx,
            actor=actor,
            username=username,
            password=password if isinstance(password, str) else "",
        )
        return "password reset"

    return await _act(request, change)


@router.post(f"{PAGE}/role", dependencies=[Depends(require(Action.MANAGE_USERS))])
async def set_role(request: Request) -> Response:
    """Give a user another role."""

    def change(ctx: AppContext, actor: Actor, username: str, reader: FormReader) -> str:
        try:
            role = Role(reader.text("role"))
        except ValueError as exc:
            raise ValidationFailed.one("role", "choose a role from the list") from exc
        account_admin.set_role(ctx, actor=actor, username=username, role=role)
        return f"role changed to {role.label}"

    return await _act(request, change)


@router.post(f"{PAGE}/tokens/revoke", dependencies=[Depends(require(Action.MANAGE_USERS))])
async def revoke_tokens(request: Request) -> Response:
    """End every API token of a user."""

    def change(ctx: AppContext, actor: Actor, username: str, _: FormReader) -> str:
        ended = account_admin.revoke_tokens(ctx, actor=actor, username=username)
        return f"{ended} API tokens revoked"

    return await _act(request, change)
