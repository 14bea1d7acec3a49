"""Crimes and investigations: recording a crime, the crime page, and the investigator's,
supervisor's and crime admin bureau's worklists."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from watchhouse.auth.permissions import can
from watchhouse.domain.audit import RecordType
from watchhouse.domain.errors import NotFound, ValidationFailed
from watchhouse.domain.investigation_records import BureauTask
from watchhouse.domain.outcomes import OutcomeType
from watchhouse.domain.roles import Action, Role
from watchhouse.domain.victims import KeyEvent, UpdateMethod, VpsDecision
from watchhouse.services import audit_feedback, audits, crimes, investigations
from watchhouse.web.crime_forms import (
    read_needs,
    read_new_crime,
    read_optional_yes_no,
    read_outcome,
    read_plan,
    read_suspect,
    read_user_id,
    read_victim,
    read_yes_no,
)
from watchhouse.web.forms import FormReader
from watchhouse.web.ids import OptionalRecordId, RecordId, record_id_or_none
from watchhouse.web.rendering import render
from watchhouse.web.security import NotPermitted, actor_of, context_of, require

router = APIRouter(default_response_class=HTMLResponse)
Form = dict[str, object]


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _problems(failed: ValidationFailed | None) -> dict[str, str]:
    return {p.field: p.reason for p in failed.problems} if failed else {}


def _reason(
    request: Request, crime_id: int, audit_sample: int, audit_item: int, audit_finding: int = 0
) -> str:
    """Why the crime is being consulted, for the access log: the audit it was opened from
    (when the link names a sample and item that hold it), the audit finding a supervisor
    opened it from (when the finding is about it and for them), otherwise the viewer's duty."""
    ctx, actor = context_of(request), actor_of(request)
    if audit_finding:
        feedback = audit_feedback.feedback_consultation_reason(
            ctx,
            actor=actor,
            finding_id=audit_finding,
            record_type=RecordType.CRIME,
            record_id=crime_id,
        )
        if feedback is not None:
            return f"{actor.role.label} duty: {feedback}"
    if audit_sample and audit_item:
        reason = audits.audit_consultation_reason(
            ctx,
            sample_id=audit_sample,
            item_id=audit_item,
            record_type=RecordType.CRIME,
            record_id=crime_id,
        )
        if reason is not None:
            return f"{actor.role.label} duty: {reason}"
    if actor.role is Role.AUDITOR:
        return f"{actor.role.label} duty: audit consultation of crime {crime_id}"
    return f"{actor.role.label} duty: investigating crime {crime_id}"


def _crime_page(
    request: Request,
    crime_id: int,
    failed: ValidationFailed | None = None,
    *,
    audit_sample: int = 0,
    audit_item: int = 0,
    audit_finding: int = 0,
) -> Response:
    ctx = context_of(request)
    actor = actor_of(request)
    crime = crimes.get_crime(
        ctx,
        actor=actor,
        crime_id=crime_id,
        justification=_reason(request, crime_id, audit_sample, audit_item, audit_finding),
    )
    investigators, supervisors = (
        investigations.staff(ctx, actor=actor)
        if can(actor.role, Action.ALLOCATE_CRIME)
        else ([], [])
    )
    return render(
        request,
        "crime.html",
        422 if failed else 200,
        crime=crime,
        now=ctx.now(),
        problems=_problems(failed),
        key_events=[k for k in KeyEvent if k is not KeyEvent.OUTCOME],
        outcomes=[o for o in OutcomeType if o is not OutcomeType.PENDING],
        methods=list(UpdateMethod),
        bureau_tasks=list(BureauTask),
        investigators=investigators,
        supervisors=supervisors,
    )


def _new_crime_page(
    request: Request, incident_id: int | None, failed: ValidationFailed | None, form: Form
) -> Response:
    ctx = context_of(request)
    return render(
        request,
        "crime_new.html",
        422 if failed else 200,
        incident_id=incident_id,
        recorded=()
        if incident_id is None
        else crimes.recorded_from_incident(ctx, incident_id=incident_id),
        offences=crimes.offence_list(ctx),
        problems=_problems(failed),
        form=form,
    )


async def _act(request: Request, crime_id: int, action: Callable[[Form], None]) -> Response:
    """Run one change on a crime from its form; on a problem, show the page with it."""
    form: Form = dict((await request.form()).items())
    try:
        action(form)
    except ValidationFailed as failed:
        return _crime_page(request, crime_id, failed)
    return _see_other(f"/crimes/{crime_id}")


@router.get("/incidents/{incident_id}/crime", dependencies=[Depends(require(Action.RECORD_CRIME))])
async def crime_from_incident(request: Request, incident_id: RecordId) -> Response:
    """The form to record a crime from an incident."""
    return _new_crime_page(request, incident_id, None, {"victim_is_caller": "on"})


@router.get("/crimes/new", dependencies=[Depends(require(Action.RECORD_CRIME))])
async def crime_online(request: Request) -> Response:
    """The form to record a crime reported online (no incident)."""
    return _new_crime_page(request, None, None, {})


@router.post("/crimes", dependencies=[Depends(require(Action.RECORD_CRIME))])
async def record_crime(request: Request) -> Response:
    """Record the crime; investigators and supervisors go on to its page."""
    form: Form = dict((await request.form()).items())
    raw = FormReader(form).text("incident_id")
    incident_id = record_id_or_none(raw)
    actor = actor_of(request)
    try:
        crime_id = crimes.record_crime(context_of(request), actor=actor, new=read_new_crime(form))
    except ValidationFailed as failed:
        return _new_crime_page(request, incident_id, failed, form)
    if can(actor.role, Action.VIEW_CRIME):
        return _see_other(f"/crimes/{crime_id}")
    return _see_other(f"/incidents/{incident_id}" if incident_id is not None else "/")


@router.get("/crimes/{crime_id}", dependencies=[Depends(require(Action.VIEW_CRIME))])
async def crime_page(
    request: Request,
    crime_id: RecordId,
    audit_sample: OptionalRecordId = 0,
    audit_item: OptionalRecordId = 0,
    audit_finding: OptionalRecordId = 0,
) -> Response:
    """The crime: victims, suspects, plan, reviews, key events, victim updates, outcome
    (opened from an audit, the sample and item make the consultation the audit's; opened from
    audit feedback, the finding makes it the supervisor's follow-up of that finding)."""
    return _crime_page(
        request,
        crime_id,
        audit_sample=audit_sample,
        audit_item=audit_item,
        audit_finding=audit_finding,
    )


@router.post(
    "/crimes/{crime_id}/allocation", dependencies=[Depends(require(Action.ALLOCATE_CRIME))]
)
async def allocate(request: Request, crime_id: RecordId) -> Response:
    """Allocate the crime to an investigator or team, under a supervisor."""

    def act(form: Form) -> None:
        investigations.allocate(
            context_of(request),
            actor=actor_of(request),
            crime_id=crime_id,
            investigator_id=read_user_id(form, "investigator_id"),
            supervisor_id=read_user_id(form, "supervisor_id"),
            team=FormReader(form).text("team"),
        )

    return await _act(request, crime_id, act)


@router.post("/crimes/{crime_id}/plan", dependencies=[Depends(require(Action.INVESTIGATE))])
async def write_plan(request: Request, crime_id: RecordId) -> Response:
    """Save the investigation plan (it is checked for quality as it is saved)."""

    def act(form: Form) -> None:
        investigations.write_plan(
            context_of(request),
            actor=actor_of(request),
            crime_id=crime_id,
            content=read_plan(form),
        )

    return await _act(request, crime_id, act)


@router.post(
    "/crimes/{crime_id}/plan/check",
    dependencies=[Depends(require(Action.SUPERVISE_INVESTIGATION))],
)
async def check_plan(request: Request, crime_id: RecordId) -> Response:
    """The supervisor's quality check of the plan."""

    def act(form: Form) -> None:
        investigations.check_current_plan(
            context_of(request),
            actor=actor_of(request),
            crime_id=crime_id,
            adequate=read_yes_no(form, "adequate"),
            note=FormReader(form).text("check_note"),
        )

    return await _act(request, crime_id, act)


@router.post(
    "/crimes/{crime_id}/reviews", dependencies=[Depends(require(Action.SUPERVISE_INVESTIGATION))]
)
async def review(request: Request, crime_id: RecordId) -> Response:
    """Record a supervisor's review and the direction given."""

    def act(form: Form) -> None:
        investigations.review(
            context_of(request),
            actor=actor_of(request),
            crime_id=crime_id,
            direction=FormReader(form).text("direction"),
        )

    return await _act(request, crime_id, act)


@router.post("/crimes/{crime_id}/events", dependencies=[Depends(require(Action.INVESTIGATE))])
async def record_event(request: Request, crime_id: RecordId) -> Response:
    """Record a key event; every victim is owed an update."""
    ctx = context_of(request)

    def act(form: Form) -> None:
        reader = FormReader(form)
        kind = reader.choice("kind", KeyEvent)
        occurred = reader.local_time("occurred_at", ctx.policy.force.timezone)
        reader.raise_if_problems()
        assert kind is not None
        crimes.record_event(
            ctx,
            actor=actor_of(request),
            crime_id=crime_id,
            kind=kind,
            occurred_at=occurred,
            note=reader.text("note"),
        )

    return await _act(request, crime_id, act)


@router.post("/crimes/{crime_id}/suspects", dependencies=[Depends(require(Action.INVESTIGATE))])
async def add_suspect(request: Request, crime_id: RecordId) -> Response:
    """Add a suspect."""

    def act(form: Form) -> None:
        crimes.add_suspect(
            context_of(request),
            actor=actor_of(request),
            crime_id=crime_id,
            new=read_suspect(form),
        )

    return await _act(request, crime_id, act)


@router.post("/crimes/{crime_id}/victims", dependencies=[Depends(require(Action.INVESTIGATE))])
async def add_victim(request: Request, crime_id: RecordId) -> Response:
    """Add a victim."""

    def act(form: Form) -> None:
        crimes.add_victim(
            context_of(request),
            actor=actor_of(request),
            crime_id=crime_id,
            new=read_victim(form),
        )

    return await _act(request, crime_id, act)


@router.post(
    "/crimes/{crime_id}/victims/{victim_id}/needs",
    dependencies=[Depends(require(Action.INVESTIGATE))],
)
async def assess_needs(request: Request, crime_id: RecordId, victim_id: RecordId) -> Response:
    """Record the victim's needs assessment and update preferences."""

    def act(form: Form) -> None:
        crimes.assess_needs(
            context_of(request),
            actor=actor_of(request),
            crime_id=crime_id,
            victim_id=victim_id,
            answers=read_needs(form),
        )

    return await _act(request, crime_id, act)


@router.post(
    "/crimes/{crime_id}/victims/{victim_id}/support",
    dependencies=[Depends(require(Action.INVESTIGATE))],
)
async def support_referral(request: Request, crime_id: RecordId, victim_id: RecordId) -> Response:
    """Record the referral to victim support, or that the victim declined it."""

    def act(form: Form) -> None:
        crimes.record_support_referral(
            context_of(request),
            actor=actor_of(request),
            crime_id=crime_id,
            victim_id=victim_id,
            declined=FormReader(form).text("referral") == "declined",
        )

    return await _act(request, crime_id, act)


@router.post(
    "/crimes/{crime_id}/victims/{victim_id}/vps",
    dependencies=[Depends(require(Action.INVESTIGATE))],
)
async def vps(request: Request, crime_id: RecordId, victim_id: RecordId) -> Response:
    """Record the Victim Personal Statement offer and the victim's answer."""

    def act(form: Form) -> None:
        reader = FormReader(form)
        decision = reader.choice("vps_decision", VpsDecision)
        reader.raise_if_problems()
        assert decision is not None
        crimes.record_vps(
            context_of(request),
            actor=actor_of(request),
            crime_id=crime_id,
            victim_id=victim_id,
            decision=decision,
            made=reader.flag("vps_made"),
        )

    return await _act(request, crime_id, act)


@router.post(
    "/crimes/{crime_id}/updates/{update_id}", dependencies=[Depends(require(Action.INVESTIGATE))]
)
async def victim_update(request: Request, crime_id: RecordId, update_id: RecordId) -> Response:
    """Record that the victim was told of a key event."""

    def act(form: Form) -> None:
        reader = FormReader(form)
        crimes.record_victim_update(
            context_of(request),
            actor=actor_of(request),
            crime_id=crime_id,
            update_id=update_id,
            method=reader.text("method"),
            note=reader.text("note"),
        )

    return await _act(request, crime_id, act)


@router.post("/crimes/{crime_id}/outcome", dependencies=[Depends(require(Action.INVESTIGATE))])
async def outcome(request: Request, crime_id: RecordId) -> Response:
    """Give the crime its Home Office outcome."""

    def act(form: Form) -> None:
        reader = FormReader(form)
        investigations.record_outcome(
            context_of(request),
            actor=actor_of(request),
            crime_id=crime_id,
            outcome=read_outcome(form),
            rationale=reader.text("rationale"),
            victim_supports_action=read_optional_yes_no(form, "victim_supports_action"),
            victim_withdrawal=reader.text("victim_withdrawal"),
            override_reason=reader.text("override_reason"),
        )

    return await _act(request, crime_id, act)


@router.post("/crimes/{crime_id}/tasks", dependencies=[Depends(require(Action.INVESTIGATE))])
async def ask_bureau(request: Request, crime_id: RecordId) -> Response:
    """Give the crime admin bureau a task."""

    def act(form: Form) -> None:
        reader = FormReader(form)
        task = reader.choice("task", BureauTask)
        reader.raise_if_problems()
        assert task is not None
        investigations.ask_bureau(
            context_of(request),
            actor=actor_of(request),
            crime_id=crime_id,
            task=task,
            detail=reader.text("detail"),
        )

    return await _act(request, crime_id, act)


def _worklist_page(request: Request, which: str) -> Response:
    ctx = context_of(request)
    actor = actor_of(request)
    worklist = (
        investigations.investigator_worklist(ctx, actor=actor)
        if which == "investigator"
        else investigations.supervisor_worklist(ctx, actor=actor)
    )
    return render(request, "worklist.html", worklist=worklist, now=ctx.now(), which=which)


@router.get("/investigations", dependencies=[Depends(require(Action.VIEW_INVESTIGATOR_WORKLIST))])
async def investigator_worklist(request: Request) -> Response:
    """The investigator's worklist: plans due, victim updates, support referrals, VPS offers."""
    return _worklist_page(request, "investigator")


@router.get("/supervision", dependencies=[Depends(require(Action.VIEW_SUPERVISOR_WORKLIST))])
async def supervisor_worklist(request: Request) -> Response:
    """The supervisor's worklist: reviews, plans to check, overdue plans and victim updates."""
    return _worklist_page(request, "supervisor")


_WORKLIST_VIEW = {
    "investigator": Action.VIEW_INVESTIGATOR_WORKLIST,
    "supervisor": Action.VIEW_SUPERVISOR_WORKLIST,
    "bureau": Action.WORK_BUREAU_TASKS,
}


@router.post("/worklists/{which}/export", dependencies=[Depends(require(Action.EXPORT_WORKLIST))])
async def worklist_export(request: Request, which: str) -> Response:
    """A worklist as CSV: each crime in it logged as a disclosure with the reason given (and
    only by someone who may see that worklist)."""
    ctx, actor = context_of(request), actor_of(request)
    view = _WORKLIST_VIEW.get(which)
    if view is None:
        raise NotFound("worklist", which)
    if not can(actor.role, view):
        raise NotPermitted(view)
    reader = FormReader(await request.form())
    text, name = await run_in_threadpool(
        investigations.export_worklist,
        ctx,
        actor=actor,
        which=cast(investigations.WorklistName, which),
        justification=reader.text("justification"),
        recipient=reader.text("recipient"),
    )
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/bureau", dependencies=[Depends(require(Action.WORK_BUREAU_TASKS))])
async def bureau(request: Request) -> Response:
    """The crime admin bureau's queue and turnaround."""
    ctx = context_of(request)
    queue = investigations.bureau_worklist(ctx, actor=actor_of(request))
    return render(request, "bureau.html", queue=queue, now=ctx.now(), problems={})


@router.post(
    "/bureau/tasks/{task_id}/done", dependencies=[Depends(require(Action.WORK_BUREAU_TASKS))]
)
async def bureau_done(request: Request, task_id: RecordId) -> Response:
    """Mark a bureau task done."""
    ctx = context_of(request)
    reader = FormReader(await request.form())
    result = reader.text("result")
    if not result:
        queue = investigations.bureau_worklist(ctx, actor=actor_of(request))
        problems = {"result": "say what was done"}
        return render(request, "bureau.html", 422, queue=queue, now=ctx.now(), problems=problems)
    investigations.complete_bureau_task(
        ctx, actor=actor_of(request), task_id=task_id, result=result
    )
    return _see_other("/bureau")
