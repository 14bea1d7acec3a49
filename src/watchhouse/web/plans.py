"""Pages for the neighbourhood team's problem-solving plans."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Action
from watchhouse.services import plans, reference
from watchhouse.web.forms import DATE_FORMAT, FormReader, read_date
from watchhouse.web.ids import RecordId
from watchhouse.web.rendering import render
from watchhouse.web.security import actor_of, context_of, require

router = APIRouter(default_response_class=HTMLResponse)


def _back(plan_id: int) -> RedirectResponse:
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


@router.get("/plans", dependencies=[Depends(require(Action.VIEW_PLANS))])
async def worklist(request: Request, neighbourhood: str = "") -> Response:
    """Open plans, soonest review first, overdue reviews flagged."""
    ctx = context_of(request)
    items = plans.worklist(ctx, actor=actor_of(request), neighbourhood_code=neighbourhood or None)
    return render(
        request,
        "plans.html",
        items=items,
        neighbourhood=neighbourhood,
        neighbourhoods=reference.neighbourhoods(ctx),
    )


@router.get("/plans/{plan_id}", dependencies=[Depends(require(Action.VIEW_PLANS))])
async def plan_page(request: Request, plan_id: RecordId) -> Response:
    """A plan, its actions and what can be done with it."""
    actor = actor_of(request)
    item = plans.get_plan(
        context_of(request),
        actor=actor,
        plan_id=plan_id,
        justification=f"{actor.role.label} duty: problem-solving plan",
    )
    behind = plans.plan_contacts(context_of(request), actor=actor, plan_id=plan_id)
    return render(request, "plan.html", item=item, contacts=behind)


@router.post("/plans/{plan_id}/ownership", dependencies=[Depends(require(Action.MANAGE_PLANS))])
async def own(request: Request, plan_id: RecordId) -> Response:
    """Take the plan on."""
    plans.take_ownership(context_of(request), actor=actor_of(request), plan_id=plan_id)
    return _back(plan_id)


@router.post("/plans/{plan_id}/actions", dependencies=[Depends(require(Action.MANAGE_PLANS))])
async def add_action(request: Request, plan_id: RecordId) -> Response:
    """Add an action."""
    reader = FormReader(await request.form())
    plans.add_action(
        context_of(request), actor=actor_of(request), plan_id=plan_id, text=reader.text("action")
    )
    return _back(plan_id)


@router.post(
    "/plans/{plan_id}/actions/{action_id}/done",
    dependencies=[Depends(require(Action.MANAGE_PLANS))],
)
async def complete_action(request: Request, plan_id: RecordId, action_id: RecordId) -> Response:
    """Mark an action done."""
    plans.complete_action(
        context_of(request), actor=actor_of(request), plan_id=plan_id, action_id=action_id
    )
    return _back(plan_id)


@router.post("/plans/{plan_id}/review", dependencies=[Depends(require(Action.MANAGE_PLANS))])
async def review(request: Request, plan_id: RecordId) -> Response:
    """Set the next review date."""
    reader = FormReader(await request.form())
    raw = reader.text("review_on")
    try:
        when = read_date(raw)
    except ValueError as exc:
        raise ValidationFailed.one("review_on", f"give a date as {DATE_FORMAT}") from exc
    plans.set_review(context_of(request), actor=actor_of(request), plan_id=plan_id, review_on=when)
    return _back(plan_id)


@router.post("/plans/{plan_id}/closure", dependencies=[Depends(require(Action.MANAGE_PLANS))])
async def close(request: Request, plan_id: RecordId) -> Response:
    """Close the plan with its result."""
    reader = FormReader(await request.form())
    plans.close_plan(
        context_of(request), actor=actor_of(request), plan_id=plan_id, result=reader.text("result")
    )
    return _back(plan_id)
