"""The officer's domestic abuse risk assessment, on a phone at the scene."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from watchhouse.domain.clock import format_local
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.risk import RiskLevel
from watchhouse.domain.roles import Action
from watchhouse.services import risk
from watchhouse.web.forms import FormReader
from watchhouse.web.ids import RecordId
from watchhouse.web.rendering import render
from watchhouse.web.security import actor_of, context_of, require

router = APIRouter(default_response_class=HTMLResponse)


def _page(request: Request, incident_id: int, problems: ValidationFailed | None = None) -> Response:
    ctx = context_of(request)
    assessment = risk.open_assessment(ctx, actor=actor_of(request), incident_id=incident_id)
    return render(
        request,
        "risk.html",
        422 if problems else 200,
        assessment=assessment,
        instrument=risk.instrument(ctx),
        incident_id=incident_id,
        levels=list(RiskLevel),
        problems={p.field: p.reason for p in problems.problems} if problems else {},
        just_saved=request.query_params.get("saved") == "1",
    )


@router.get("/incidents/{incident_id}/risk", dependencies=[Depends(require(Action.ASSESS_RISK))])
async def risk_form(request: Request, incident_id: RecordId) -> Response:
    """The assessment form, resumed where it was left."""
    return _page(request, incident_id)


@router.post(
    "/incidents/{incident_id}/risk/answers", dependencies=[Depends(require(Action.ASSESS_RISK))]
)
async def save(request: Request, incident_id: RecordId) -> Response:
    """Save the answers so far; with 'complete', score and finish the assessment."""
    ctx = context_of(request)
    actor = actor_of(request)
    form = await request.form()
    reader = FormReader(form)
    assessment = risk.open_assessment(ctx, actor=actor, incident_id=incident_id)
    answers = {k[2:]: v for k, v in form.items() if k.startswith("a_") and isinstance(v, str)}
    autosave = reader.text("autosave") == "yes"
    try:
        saved_at = risk.save_answers(ctx, actor=actor, assessment_id=assessment.id, answers=answers)
        if autosave:
            zone = ctx.policy.force.timezone
            return JSONResponse({"saved_at": format_local(saved_at, zone, "%H:%M")})
        if reader.text("finish") == "complete":
            raw = reader.text("judged_level")
            judged = RiskLevel[raw.upper()] if raw else None
            risk.complete(
                ctx,
                actor=actor,
                assessment_id=assessment.id,
                judged=judged,
                rationale=reader.text("rationale"),
            )
            return RedirectResponse(f"/incidents/{incident_id}/risk", status_code=303)
    except (ValidationFailed, KeyError) as exc:
        problem = (
            exc
            if isinstance(exc, ValidationFailed)
            else ValidationFailed.one("judged_level", "choose standard, medium or high")
        )
        if autosave:
            return JSONResponse(
                {"problems": [{"field": p.field, "reason": p.reason} for p in problem.problems]},
                status_code=422,
            )
        return _page(request, incident_id, problem)
    return RedirectResponse(f"/incidents/{incident_id}/risk?saved=1", status_code=303)


@router.post(
    "/incidents/{incident_id}/risk/refusal", dependencies=[Depends(require(Action.ASSESS_RISK))]
)
async def refusal(request: Request, incident_id: RecordId) -> Response:
    """Record that the victim declined to answer."""
    ctx = context_of(request)
    actor = actor_of(request)
    reader = FormReader(await request.form())
    assessment = risk.open_assessment(ctx, actor=actor, incident_id=incident_id)
    raw = reader.text("refusal_level")
    try:
        judged = RiskLevel[raw.upper()] if raw else None
    except KeyError:
        return _page(
            request,
            incident_id,
            ValidationFailed.one("refusal_level", "choose standard, medium or high"),
        )
    try:
        risk.refuse(
            ctx,
            actor=actor,
            assessment_id=assessment.id,
            reason=reader.text("refusal_reason"),
            judged=judged,
            rationale=reader.text("refusal_rationale"),
        )
    except ValidationFailed as exc:
        return _page(request, incident_id, exc)
    return RedirectResponse(f"/incidents/{incident_id}/risk", status_code=303)
