"""The signed-in person's own account: changing their password (required first when an
administrator created the account or reset its password)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Action
from watchhouse.services import accounts
from watchhouse.web.rendering import render
from watchhouse.web.security import RequestIdentity, actor_of, context_of, require

router = APIRouter(default_response_class=HTMLResponse)


def _must_change(request: Request) -> bool:
    identity: RequestIdentity | None = getattr(request.state, "identity", None)
    return bool(identity and identity.must_change_password)


@router.get("/account/password", dependencies=[Depends(require(Action.CHANGE_OWN_PASSWORD))])
async def password_page(request: Request) -> Response:
    """The form: current password, new password twice."""
    return render(
        request,
        "own_password.html",
        must_change=_must_change(request),
        problems={},
        policy_min=context_of(request).policy.security.min_password_length,
    )


@router.post("/account/password", dependencies=[Depends(require(Action.CHANGE_OWN_PASSWORD))])
async def change_password(request: Request) -> Response:
    """Change the signed-in person's password (checked as for administrators' resets)."""
    form = await request.form()
    ctx = context_of(request)
    try:
        await run_in_threadpool(
            accounts.change_own_password,
            ctx,
            actor=actor_of(request),
            current=str(form.get("current_password") or ""),
            new=str(form.get("new_password") or ""),
            confirm=str(form.get("confirm_password") or ""),
        )
    except ValidationFailed as exc:
        return render(
            request,
            "own_password.html",
            422,
            must_change=_must_change(request),
            problems={p.field: p.reason for p in exc.problems},
            policy_min=ctx.policy.security.min_password_length,
        )
    return RedirectResponse("/?password=changed", status_code=303)
