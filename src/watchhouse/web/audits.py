"""Audit pages: templates, drawing samples, scoring records, supervisors' feedback, trends."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from watchhouse.domain.audit import ALL, RecordType, every_stratum, strata_for
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Action
from watchhouse.services import audit_feedback, audits
from watchhouse.web.forms import FormReader
from watchhouse.web.ids import MAX_RECORD_ID, RecordId
from watchhouse.web.rendering import render
from watchhouse.web.security import actor_of, context_of, require

router = APIRouter(default_response_class=HTMLResponse)


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _problems(exc: ValidationFailed) -> dict[str, str]:
    return {p.field: p.reason for p in exc.problems}


def _audits_page(
    request: Request, status: int = 200, problems: dict[str, str] | None = None, **values: str
) -> Response:
    ctx = context_of(request)
    return render(
        request,
        "audits.html",
        status,
        templates=audits.list_templates(ctx),
        samples=audits.recent_samples(ctx),
        strata={t.value: strata_for(t) for t in RecordType},
        per_choices=[p for p in every_stratum() if p != ALL],
        problems=problems or {},
        values=values,
    )


@router.get("/audits", dependencies=[Depends(require(Action.CONDUCT_AUDIT))])
async def audits_page(request: Request) -> Response:
    """Templates, the latest samples and the forms to draw a sample or define a template."""
    return _audits_page(request)


@router.post("/audits/templates", dependencies=[Depends(require(Action.MANAGE_AUDITS))])
async def define_template(request: Request) -> Response:
    """Define a template from its TOML text."""
    reader = FormReader(await request.form())
    definition = str(reader.form.get("definition") or "")
    try:
        stored = audits.define_template(
            context_of(request), actor=actor_of(request), definition=definition
        )
    except ValidationFailed as exc:
        return _audits_page(request, 422, _problems(exc), definition=definition)
    return _see(f"/audits/templates/{stored.template.code}")


@router.get(
    "/audits/templates/{template_code}", dependencies=[Depends(require(Action.CONDUCT_AUDIT))]
)
async def template_page(request: Request, template_code: str) -> Response:
    """A template's questions, scoring and sampling rule."""
    stored = audits.get_template(context_of(request), code=template_code)
    return render(request, "audit_template.html", stored=stored, t=stored.template)


@router.get(
    "/audits/templates/{template_code}/definition",
    dependencies=[Depends(require(Action.CONDUCT_AUDIT))],
)
async def template_definition(request: Request, template_code: str) -> Response:
    """A template's TOML text, to start a new template from."""
    stored = audits.get_template(context_of(request), code=template_code)
    return PlainTextResponse(
        stored.definition,
        media_type="application/toml",
        headers={"Content-Disposition": f'attachment; filename="{template_code}.toml"'},
    )


@router.post("/audits/samples", dependencies=[Depends(require(Action.MANAGE_AUDITS))])
async def draw_sample(request: Request) -> Response:
    """Draw a sample (or find the same draw made before) and open it."""
    form = await request.form()
    reader = FormReader(form)
    kept = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        seed = _whole(reader, "seed", required=True)
        count = _whole(reader, "count")
        drawn = audits.draw(
            context_of(request),
            actor=actor_of(request),
            template_code=reader.text("template"),
            period=reader.text("period"),
            seed=seed or 0,
            per=reader.text("per") or None,
            count=count,
        )
    except ValidationFailed as exc:
        return _audits_page(request, 422, _problems(exc), **kept)
    return _see(f"/audits/samples/{drawn.sample.id}")


def _whole(reader: FormReader, name: str, *, required: bool = False) -> int | None:
    raw = reader.text(name)
    if not raw and not required:
        return None
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValidationFailed.one(name, "give a whole number") from exc
    if not 0 <= value <= MAX_RECORD_ID:
        raise ValidationFailed.one(name, f"give a whole number from 0 to {MAX_RECORD_ID}")
    return value


@router.get("/audits/samples/{sample_id}", dependencies=[Depends(require(Action.CONDUCT_AUDIT))])
async def sample_page(request: Request, sample_id: RecordId) -> Response:
    """A sample's records (references and whose work), with the scores so far."""
    sample, items = audits.sample_with_items(context_of(request), sample_id=sample_id)
    return render(request, "audit_sample.html", sample=sample, items=items, ALL=ALL)


def _item_page(
    request: Request,
    sample_id: int,
    item_id: int,
    status: int = 200,
    problems: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    ctx = context_of(request)
    opened = audits.open_item(ctx, actor=actor_of(request), sample_id=sample_id, item_id=item_id)
    earlier = audits.findings_about(
        ctx, record_type=opened.item.record_type, record_id=opened.item.record_id
    )
    return render(
        request,
        "audit_item.html",
        status,
        opened=opened,
        earlier=[e for e in earlier if e.item_id != item_id],
        problems=problems or {},
        values=values or {},
    )


@router.get(
    "/audits/samples/{sample_id}/items/{item_id}",
    dependencies=[Depends(require(Action.CONDUCT_AUDIT))],
)
async def item_page(request: Request, sample_id: RecordId, item_id: RecordId) -> Response:
    """One sampled record beside the questions; opening it is a logged consultation."""
    return _item_page(request, sample_id, item_id)


@router.post(
    "/audits/samples/{sample_id}/items/{item_id}",
    dependencies=[Depends(require(Action.CONDUCT_AUDIT))],
)
async def score_item(request: Request, sample_id: RecordId, item_id: RecordId) -> Response:
    """Score the record and go on to the next one."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    answers = {k[2:]: v for k, v in values.items() if k.startswith("a_")}
    ctx = context_of(request)
    try:
        audits.score_item(
            ctx,
            actor=actor_of(request),
            sample_id=sample_id,
            item_id=item_id,
            answers=answers,
            finding=values.get("finding", ""),
        )
    except ValidationFailed as exc:
        return _item_page(request, sample_id, item_id, 422, _problems(exc), values)
    _, items = audits.sample_with_items(ctx, sample_id=sample_id)
    waiting = [i for i in items if i.score is None]
    if waiting:
        later = [i for i in waiting if i.id > item_id] or waiting
        return _see(f"/audits/samples/{sample_id}/items/{later[0].id}")
    return _see(f"/audits/samples/{sample_id}")


@router.get("/audits/feedback", dependencies=[Depends(require(Action.VIEW_AUDIT_FEEDBACK))])
async def feedback_page(request: Request, page: int = 1, done: int | None = None) -> Response:
    """Findings about the work of the supervisor's teams, a page at a time, failures first."""
    ctx = context_of(request)
    found = audit_feedback.feedback_page(ctx, actor=actor_of(request), page=page)
    # A failed critical question by its words, not its id ("recorded_correctly").
    texts = {
        (t.template.name, q.id): q.text
        for t in audits.list_templates(ctx)
        for q in t.template.questions
    }
    return render(
        request,
        "audit_feedback.html",
        feedback=found,
        done=done,
        question=lambda template_name, qid: texts.get((template_name, qid), qid),
    )


@router.post(
    "/audits/feedback/passes/acknowledgement",
    dependencies=[Depends(require(Action.ACKNOWLEDGE_AUDIT_FEEDBACK))],
)
async def acknowledge_passes(request: Request) -> Response:
    """Acknowledge the passes waiting on the page shown, or all of them."""
    reader = FormReader(await request.form())
    every = reader.text("scope") == "all"
    ids = [int(i) for i in reader.many("finding") if i.isdigit()]
    count = audit_feedback.acknowledge_passes(
        context_of(request), actor=actor_of(request), finding_ids=None if every else ids
    )
    page = reader.text("page")
    return _see(f"/audits/feedback?page={page if page.isdigit() else 1}&done={count}")


@router.post(
    "/audits/feedback/{finding_id}/acknowledgement",
    dependencies=[Depends(require(Action.ACKNOWLEDGE_AUDIT_FEEDBACK))],
)
async def acknowledge(request: Request, finding_id: RecordId) -> Response:
    """The supervisor acknowledges a finding, saying what they did about it."""
    reader = FormReader(await request.form())
    audit_feedback.acknowledge(
        context_of(request),
        actor=actor_of(request),
        finding_id=finding_id,
        response=reader.text("response"),
    )
    return _see("/audits/feedback")


@router.get("/audits/trends", dependencies=[Depends(require(Action.VIEW_AUDIT_TRENDS))])
async def trends_page(
    request: Request, by: str = "team", template: str = "", since: str = ""
) -> Response:
    """Audit scores by team (or area) per month."""
    ctx = context_of(request)
    cells = audit_feedback.trends(ctx, by=by, template_code=template, since=since)
    periods = sorted({c.period for c in cells})
    groups = sorted({c.group for c in cells})
    return render(
        request,
        "audit_trends.html",
        by=by,
        chosen_template=template,
        since=since,
        templates=audits.list_templates(ctx),
        periods=periods,
        groups=groups,
        cells={(c.period, c.group): c for c in cells},
    )
