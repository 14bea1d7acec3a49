"""Server-rendered pages for handlers, dispatchers, auditors and administrators."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from watchhouse.auth.permissions import can
from watchhouse.auth.tokens import new_token, tokens_match
from watchhouse.domain.access import Operation
from watchhouse.domain.answering import answer_seconds, classify_answer
from watchhouse.domain.clock import format_local
from watchhouse.domain.errors import SignInRefused, SignInThrottled, ValidationFailed
from watchhouse.domain.incident_flow import (
    DISPATCH_CLOSURES,
    SELF_ATTENDING_ROLES,
    Closure,
)
from watchhouse.domain.records import contact_reference, incident_reference
from watchhouse.domain.referrals import ReferralStatus
from watchhouse.domain.roles import Action, Role
from watchhouse.domain.thrive import EmergencyIndicator, Engagement, Level, VulnerabilityFlag
from watchhouse.domain.values import Channel, Grade
from watchhouse.services import (
    access,
    accounts,
    contacts,
    incidents,
    reference,
    search,
    telephony,
)
from watchhouse.web import justify
from watchhouse.web.account_admin import users_page_response
from watchhouse.web.forms import (
    ACCESS_FILTERS,
    FormReader,
    read_access_query,
    read_new_contact,
    read_thrive,
)
from watchhouse.web.ids import RecordId
from watchhouse.web.rendering import TEMPLATES, duration, iso_utc, render
from watchhouse.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    actor_of,
    context_of,
    require,
)

router = APIRouter(default_response_class=HTMLResponse)
QUEUE_POLL_SECONDS = 1.0
QUEUE_STREAM_SECONDS = 600.0


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/login", dependencies=[Depends(require(Action.SIGN_IN))])
async def login_page(request: Request) -> Response:
    """The sign-in form, with a CSRF token bound to a cookie."""
    token = new_token()
    response = render(request, "login.html", login_csrf=token, error=None)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=context_of(request).settings.secure_cookies,
    )
    return response


@router.post("/login", dependencies=[Depends(require(Action.SIGN_IN))])
async def login(request: Request) -> Response:
    """Check the password and start a session."""
    ctx = context_of(request)
    form = await request.form()
    reader = FormReader(form)
    login_csrf = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not login_csrf or not tokens_match(login_csrf, reader.text("csrf_token")):
        return render(
            request,
            "login.html",
            400,
            login_csrf="",
            error=("Your sign-in form expired. Reload the page and try again."),
        )
    try:
        signed_in = await run_in_threadpool(
            accounts.sign_in,
            ctx,
            username=reader.text("username"),
            password=str(form.get("password") or ""),
            source=request.client.host if request.client else "",
        )
    except SignInRefused as exc:
        token = new_token()
        response = render(
            request,
            "login.html",
            429 if isinstance(exc, SignInThrottled) else 401,
            login_csrf=token,
            error=str(exc),
            username=reader.text("username"),
        )
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=ctx.settings.secure_cookies,
        )
        return response
    redirect = _see_other("/")
    redirect.set_cookie(
        SESSION_COOKIE,
        signed_in.token,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.secure_cookies,
        max_age=int(ctx.policy.security.session_hours * 3600),
    )
    redirect.delete_cookie(LOGIN_CSRF_COOKIE)
    return redirect


@router.post("/logout", dependencies=[Depends(require(Action.VIEW_HOME))])
async def logout(request: Request) -> Response:
    """End the session."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.sign_out(context_of(request), token=token)
    response = _see_other("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/", dependencies=[Depends(require(Action.VIEW_HOME))])
async def home(request: Request) -> Response:
    """The start page: what this role can do, and the calls this handler has just answered."""
    actor = actor_of(request)
    answered = (
        telephony.answered_calls(context_of(request), actor=actor)
        if can(actor.role, Action.TAKE_CONTACT)
        else []
    )
    ctx = context_of(request)
    recent = (
        search.my_recent_contacts(ctx, actor=actor) if can(actor.role, Action.TAKE_CONTACT) else []
    )
    attended = (
        search.my_incidents(ctx, actor=actor)
        if can(actor.role, Action.RECORD_ARRIVAL) and not can(actor.role, Action.DEPLOY)
        else []
    )
    return render(
        request, "home.html", answered_calls=answered, recent_contacts=recent, my_incidents=attended
    )


@router.get("/contacts/new", dependencies=[Depends(require(Action.TAKE_CONTACT))])
async def new_contact_page(request: Request) -> Response:
    """The form to take a new contact."""
    return _new_contact_form(request, {}, None)


def _new_contact_form(
    request: Request,
    values: dict[str, object],
    error: ValidationFailed | None,
    call: object | None = None,
) -> Response:
    ctx = context_of(request)
    values.setdefault("opened_at", ctx.now().isoformat())
    return render(
        request,
        "contact_new.html",
        422 if error else 200,
        channels=list(Channel),
        values=values,
        problems={p.field: p.reason for p in error.problems} if error else {},
        neighbourhoods=reference.neighbourhoods(ctx),
        call=call,
    )


@router.get("/contacts/{contact_id}/complete", dependencies=[Depends(require(Action.TAKE_CONTACT))])
async def complete_call_page(request: Request, contact_id: RecordId) -> Response:
    """The take form on a call the telephony feed made on answer: the number and times are
    the feed's; the handler adds the caller, where and what."""
    ctx = context_of(request)
    call = contacts.feed_contact(ctx, actor=actor_of(request), contact_id=contact_id)
    if call.status != "open":
        return _see_other(f"/contacts/{contact_id}")
    return _new_contact_form(request, {"telephone": call.caller_telephone or ""}, None, call)


@router.post(
    "/contacts/{contact_id}/complete", dependencies=[Depends(require(Action.TAKE_CONTACT))]
)
async def complete_call(request: Request, contact_id: RecordId) -> Response:
    """Complete the feed's contact (no second contact) and go to its screen to assess."""
    ctx = context_of(request)
    form = await request.form()
    actor = actor_of(request)
    try:
        new = read_new_contact(form, ctx.policy.force.timezone)
        contacts.complete_feed_contact(ctx, actor=actor, contact_id=contact_id, new=new)
    except ValidationFailed as exc:
        call = contacts.feed_contact(ctx, actor=actor, contact_id=contact_id)
        return _new_contact_form(request, dict(form), exc, call)
    return _see_other(f"/contacts/{contact_id}")


@router.post("/contacts", dependencies=[Depends(require(Action.TAKE_CONTACT))])
async def take_contact(request: Request) -> Response:
    """Record a new contact and go to its screen."""
    ctx = context_of(request)
    form = await request.form()
    try:
        new = read_new_contact(form, ctx.policy.force.timezone)
        taken = contacts.take_contact(
            ctx,
            actor=actor_of(request),
            new=new,
            idempotency_key=FormReader(form).text("idempotency_key") or None,
        )
    except ValidationFailed as exc:
        return _new_contact_form(request, dict(form), exc)
    return _see_other(f"/contacts/{taken.contact_id}")


def contact_screen(
    request: Request,
    contact_id: int,
    problems: ValidationFailed | None = None,
    values: dict[str, object] | None = None,
) -> Response:
    """The contact screen (422 with the problems marked when a form on it was refused); a
    contact that is not the person's own work first asks why (web/justify.py)."""
    return justify.justified(
        request,
        f"contact {contact_reference(contact_id)}",
        lambda reason: _contact_screen(request, contact_id, reason, problems, values),
    )


def _contact_screen(
    request: Request,
    contact_id: int,
    reason: str | None,
    problems: ValidationFailed | None,
    values: dict[str, object] | None,
) -> Response:
    ctx = context_of(request)
    view = contacts.get_contact(
        ctx, actor=actor_of(request), contact_id=contact_id, justification=reason
    )
    bands = ctx.policy.answer_bands()
    band = classify_answer(
        presented_at=view.presented_at,
        answered_at=view.answered_at,
        abandoned=view.abandoned,
        bands=bands,
    )
    answer = bands.label(band)
    unmeasured = False
    if view.answered_at is not None:
        seconds = answer_seconds(view.presented_at, view.answered_at)
        answer = f"{seconds:.0f} s ({answer})" if seconds > 0 else "not measured"
        unmeasured = seconds <= 0
    return render(
        request,
        "contact.html",
        422 if problems else 200,
        answer=answer,
        unmeasured=unmeasured,
        contact=view,
        levels=list(Level),
        engagements=list(Engagement),
        indicators=list(EmergencyIndicator),
        vulnerability_flags=list(VulnerabilityFlag),
        grades=list(Grade),
        guidance=ctx.policy.thrive_guidance,
        values=values or {},
        problems={p.field: p.reason for p in problems.problems} if problems else {},
    )


@router.get("/contacts/{contact_id}", dependencies=[Depends(require(Action.VIEW_CONTACT))])
async def contact_page(request: Request, contact_id: RecordId) -> Response:
    """Everything about a contact on one screen: caller, history, THRIVE, grade."""
    return contact_screen(request, contact_id)


@router.post("/contacts/{contact_id}/thrive", dependencies=[Depends(require(Action.ASSESS_THRIVE))])
async def assess(request: Request, contact_id: RecordId) -> Response:
    """Store the THRIVE assessment and show the suggested grade."""
    form = await request.form()
    try:
        assessment, notes = read_thrive(form)
        contacts.assess_thrive(
            context_of(request),
            actor=actor_of(request),
            contact_id=contact_id,
            assessment=assessment,
            notes=notes,
        )
    except ValidationFailed as exc:
        return contact_screen(request, contact_id, exc, dict(form))
    return _see_other(justify.carry(request, f"/contacts/{contact_id}#grade"))


@router.post("/contacts/{contact_id}/grade", dependencies=[Depends(require(Action.GRADE_CONTACT))])
async def grade(request: Request, contact_id: RecordId) -> Response:
    """Accept the suggested grade or depart from it with a reason."""
    form = await request.form()
    reader = FormReader(form)
    try:
        chosen = Grade(int(reader.text("grade") or "0"))
    except ValueError:
        return contact_screen(request, contact_id, ValidationFailed.one("grade", "choose a grade"))
    try:
        contacts.grade_contact(
            context_of(request),
            actor=actor_of(request),
            contact_id=contact_id,
            grade=chosen,
            departure_reason=reader.text("departure_reason"),
        )
    except ValidationFailed as exc:
        return contact_screen(request, contact_id, exc, dict(form))
    return _see_other(justify.carry(request, f"/contacts/{contact_id}#outcome"))


@router.post(
    "/contacts/{contact_id}/resolution", dependencies=[Depends(require(Action.RESOLVE_CONTACT))]
)
async def resolve(request: Request, contact_id: RecordId) -> Response:
    """Resolve a grade 4 contact, or refer it to a partner agency."""
    reader = FormReader(await request.form())
    try:
        outcome = Closure(reader.text("outcome"))
    except ValueError:
        outcome = Closure.CANCELLED
    try:
        contacts.resolve_contact(
            context_of(request),
            actor=actor_of(request),
            contact_id=contact_id,
            outcome=outcome,
            note=reader.text("note"),
            agency_code=reader.text("agency_code"),
        )
    except ValidationFailed as exc:
        return contact_screen(request, contact_id, exc, dict(reader.form))
    return _see_other(justify.carry(request, f"/contacts/{contact_id}#outcome"))


@router.post("/referrals/{referral_id}", dependencies=[Depends(require(Action.RESOLVE_CONTACT))])
async def update_referral(request: Request, referral_id: RecordId) -> Response:
    """Record what the partner agency did with a referral."""
    reader = FormReader(await request.form())
    try:
        status = ReferralStatus(reader.text("status"))
    except ValueError as exc:
        raise ValidationFailed.one("status", "choose accepted, declined or completed") from exc
    incident_id = contacts.update_referral(
        context_of(request),
        actor=actor_of(request),
        referral_id=referral_id,
        status=status,
        outcome=reader.text("outcome"),
    )
    return _see_other(justify.carry(request, f"/incidents/{incident_id}"))


def _queue_columns(role: Role) -> dict[str, bool]:
    """What the queue's columns hold for a role. The analyst's live demand lists incidents
    without their details (no link to a page their role may not open, no narrative or place:
    flags and urban or rural only), and has no actions, so no column for them."""
    return {
        "can_view": can(role, Action.VIEW_INCIDENT),
        "has_actions": any(
            can(role, a) for a in (Action.DEPLOY, Action.RECORD_ARRIVAL, Action.CLOSE_INCIDENT)
        ),
    }


def _queue_rows(request: Request, entries: list[incidents.QueueEntry]) -> str:
    template = TEMPLATES.get_template("_queue_rows.html")
    ctx = context_of(request)
    actor = actor_of(request)
    return template.render(
        entries=entries,
        duration=duration,
        iso_utc=iso_utc,
        local=lambda m, fmt="%H:%M:%S": format_local(m, ctx.policy.force.timezone, fmt),
        csrf_token=request.state.identity.csrf_token,
        closures=DISPATCH_CLOSURES,
        officers=incidents.attending_officers(ctx),
        can_deploy=can(actor.role, Action.DEPLOY),
        can_arrive=can(actor.role, Action.RECORD_ARRIVAL),
        can_close=can(actor.role, Action.CLOSE_INCIDENT),
        **_queue_columns(actor.role),
        # An officer recording their own arrival is the attending officer: no select for them.
        # A supervisor at the queue (often a control-room sergeant) names who attended.
        names_officer=actor.role not in SELF_ATTENDING_ROLES,
        actor_id=actor.user_id,
    )


@router.get("/dispatch", dependencies=[Depends(require(Action.VIEW_QUEUE))])
async def dispatch_page(request: Request) -> Response:
    """The dispatcher's queue, which updates itself live."""
    ctx = context_of(request)
    entries = incidents.dispatch_queue(ctx, actor=actor_of(request), log=True)
    return render(
        request,
        "dispatch.html",
        rows=_queue_rows(request, entries),
        version=incidents.queue_version(ctx),
        **_queue_columns(actor_of(request).role),
    )


@router.get("/dispatch/events", dependencies=[Depends(require(Action.VIEW_QUEUE))])
async def dispatch_events(request: Request, since: str = "") -> StreamingResponse:
    """Server-sent events: the queue's rows whenever any incident changes."""
    ctx = context_of(request)
    actor = actor_of(request)

    async def stream() -> AsyncIterator[str]:
        last = since
        waited = 0.0
        yield "retry: 2000\n\n"
        while waited < QUEUE_STREAM_SECONDS and not await request.is_disconnected():
            version = await run_in_threadpool(incidents.queue_version, ctx)
            if version != last:
                entries = await run_in_threadpool(incidents.dispatch_queue, ctx, actor=actor)
                payload = {"version": version, "rows": _queue_rows(request, entries)}
                yield f"event: queue\ndata: {json.dumps(payload)}\n\n"
                last = version
            await asyncio.sleep(QUEUE_POLL_SECONDS)
            waited += QUEUE_POLL_SECONDS

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )


@router.get("/incidents/{incident_id}", dependencies=[Depends(require(Action.VIEW_INCIDENT))])
async def incident_page(request: Request, incident_id: RecordId) -> Response:
    """An incident and its standing against target (one not in the person's own work first
    asks why)."""
    return justify.justified(
        request,
        f"incident {incident_reference(incident_id)}",
        lambda reason: _incident_page(request, incident_id, reason),
    )


def _incident_page(request: Request, incident_id: int, reason: str | None) -> Response:
    entry = incidents.get_incident(
        context_of(request), actor=actor_of(request), incident_id=incident_id, justification=reason
    )
    return render(
        request,
        "incident.html",
        entry=entry,
        closures=DISPATCH_CLOSURES,
        closure_reasons=incidents.closure_reasons(context_of(request)),
        officers=incidents.attending_officers(context_of(request)),
    )


@router.post("/incidents/{incident_id}/deployment", dependencies=[Depends(require(Action.DEPLOY))])
async def deploy(request: Request, incident_id: RecordId) -> Response:
    """Record the unit sent."""
    reader = FormReader(await request.form())
    incidents.deploy(
        context_of(request),
        actor=actor_of(request),
        incident_id=incident_id,
        unit=reader.text("unit"),
    )
    return _see_other(_back(request, reader, incident_id))


@router.post(
    "/incidents/{incident_id}/arrival", dependencies=[Depends(require(Action.RECORD_ARRIVAL))]
)
async def arrive(request: Request, incident_id: RecordId) -> Response:
    """Record the first arrival and body-worn video."""
    reader = FormReader(await request.form())
    bwv = reader.text("body_worn_video")
    if bwv not in ("yes", "no"):
        raise ValidationFailed.one("body_worn_video", "say whether body-worn video was on")
    officer = reader.text("attending_officer")
    if officer and not officer.isdigit():
        raise ValidationFailed.one("attending_officer", "choose the officer who attended")
    incidents.record_arrival(
        context_of(request),
        actor=actor_of(request),
        incident_id=incident_id,
        body_worn_video=bwv == "yes",
        attending_officer_id=int(officer) if officer else None,
    )
    return _see_other(_back(request, reader, incident_id))


@router.post(
    "/incidents/{incident_id}/closure", dependencies=[Depends(require(Action.CLOSE_INCIDENT))]
)
async def close(request: Request, incident_id: RecordId) -> Response:
    """Close an incident with a reason; cancelling asks for confirmation first."""
    reader = FormReader(await request.form())
    try:
        closure = Closure(reader.text("closure"))
    except ValueError as exc:
        raise ValidationFailed.one("closure", "choose how the incident ended") from exc
    ctx = context_of(request)
    decision = {k: reader.text(k) for k in ("reason", "note", "rationale", "crime_reference")}
    if closure == Closure.CANCELLED and reader.text("confirm") != "yes":
        entry = incidents.get_incident(
            ctx,
            actor=actor_of(request),
            incident_id=incident_id,
            justification=justify.given(request),  # else own queue work, or asked for
        )
        reasons = {r.code: r.label for r in incidents.closure_reasons(ctx)}
        return render(
            request,
            "incident_cancel.html",
            entry=entry,
            decision=decision,
            reason_label=reasons.get(decision["reason"], ""),
        )
    incidents.close_incident(
        ctx, actor=actor_of(request), incident_id=incident_id, closure=closure, **decision
    )
    return _see_other(_back(request, reader, incident_id))


def _back(request: Request, reader: FormReader, incident_id: int) -> str:
    """The queue, or the incident page shown for the reason given for it (web/justify.py)."""
    if reader.text("back") == "dispatch":
        return "/dispatch"
    return justify.carry(request, f"/incidents/{incident_id}")


@router.get("/access-log", dependencies=[Depends(require(Action.VIEW_ACCESS_LOG))])
async def access_log_page(request: Request) -> Response:
    """Search the access log."""
    zone = context_of(request).policy.force.timezone
    try:
        query = read_access_query(request.query_params, zone)
    except ValidationFailed as exc:
        return render(
            request,
            "access_log.html",
            422,
            entries=[],
            values=dict(request.query_params),
            operations=list(Operation),
            record_types=access.access_record_types(context_of(request)),
            problems={p.field: p.reason for p in exc.problems},
        )
    entries = access.search_access_log(context_of(request), actor=actor_of(request), query=query)
    return render(
        request,
        "access_log.html",
        entries=entries,
        values=dict(request.query_params),
        operations=list(Operation),
        record_types=access.access_record_types(context_of(request)),
        problems={},
    )


@router.post("/access-log/export", dependencies=[Depends(require(Action.EXPORT_ACCESS_LOG))])
async def access_log_export(request: Request) -> Response:
    """Download matching entries as CSV; logged as a disclosure."""
    reader = FormReader(await request.form())
    zone = context_of(request).policy.force.timezone
    query = read_access_query({k: reader.text(k) for k in ACCESS_FILTERS}, zone)
    body = access.export_access_log_csv(
        context_of(request),
        actor=actor_of(request),
        query=query,
        justification=reader.text("justification"),
        recipient=reader.text("recipient"),
    )
    return Response(
        body,
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="access-log.csv"'},
    )


@router.get("/admin/users", dependencies=[Depends(require(Action.MANAGE_USERS))])
async def users_page(request: Request) -> Response:
    """List users with their state, add one, and change them."""
    return users_page_response(request)


@router.post("/admin/users", dependencies=[Depends(require(Action.MANAGE_USERS))])
async def add_user(request: Request) -> Response:
    """Create a user."""
    ctx = context_of(request)
    form = await request.form()
    reader = FormReader(form)
    try:
        role = Role(reader.text("role"))
    except ValueError:
        role = None
    try:
        if role is None:
            raise ValidationFailed.one("role", "choose a role")
        accounts.add_user(
            ctx,
            username=reader.text("username"),
            display_name=reader.text("display_name"),
            role=role,
            password=str(form.get("password") or ""),
            must_change_password=True,  # chosen by the administrator: temporary
        )
    except ValidationFailed as exc:
        return users_page_response(
            request,
            422,
            problems={p.field: p.reason for p in exc.problems},
            values={k: v for k, v in form.items() if isinstance(v, str) and k != "password"},
        )
    return _see_other("/admin/users")
