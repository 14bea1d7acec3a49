"""The audit JSON API: templates, samples, scoring, feedback and trends (in the OpenAPI)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from watchhouse.domain.audit_views import AuditResultView, SampleItem
from watchhouse.domain.roles import Action
from watchhouse.services import audit_feedback, audits
from watchhouse.services.audits import Drawn
from watchhouse.web.api import ERRORS
from watchhouse.web.audit_schemas import (
    AcknowledgementIn,
    FeedbackOut,
    ItemOut,
    QuestionOut,
    RecordFieldOut,
    ResultOut,
    SampleIn,
    SampleItemOut,
    SampleOut,
    ScoreIn,
    TemplateOut,
    TrendOut,
)
from watchhouse.web.ids import RecordId
from watchhouse.web.security import actor_of, context_of, require

router = APIRouter(prefix="/api/audits", tags=["audits"], responses=ERRORS)


def _item(i: SampleItem) -> SampleItemOut:
    return SampleItemOut(
        id=i.id,
        record_type=i.record_type.value,
        record_id=i.record_id,
        reference=i.reference,
        record_at=i.record_at,
        stratum=i.stratum,
        subject=i.subject,
        team=i.team,
        score=i.score,
        passed=i.passed,
    )


def _sample(drawn: Drawn) -> SampleOut:
    s = drawn.sample
    return SampleOut(
        id=s.id,
        reference=s.reference,
        template=s.template_code,
        period=s.period,
        per=s.rule.per,
        count=s.rule.count,
        seed=s.seed,
        population=s.population,
        drawn_by=s.drawn_by,
        drawn_at=s.drawn_at,
        created=drawn.created,
        items=[_item(i) for i in drawn.items],
    )


def _result(r: AuditResultView) -> ResultOut:
    return ResultOut(
        score=r.score,
        passed=r.passed,
        points=r.points,
        available=r.available,
        failed_critical=list(r.failed_critical),
        finding=r.finding,
        auditor=r.auditor,
        audited_at=r.audited_at,
    )


@router.get("/templates", dependencies=[Depends(require(Action.CONDUCT_AUDIT))])
def templates(request: Request) -> list[TemplateOut]:
    """Every audit template, shipped and auditors' own."""
    return [
        TemplateOut(
            code=s.template.code,
            name=s.template.name,
            record_type=s.template.record_type.value,
            origin=s.origin,
            pass_mark=s.template.pass_mark,
            partly_credit=s.template.partly_credit,
            sample_per=s.template.sample_per,
            sample_count=s.template.sample_count,
            questions=[
                QuestionOut(
                    id=q.id,
                    text=q.text,
                    answers=list(q.answers()),
                    weight=q.weight,
                    critical=q.critical,
                    guidance=q.guidance,
                )
                for q in s.template.questions
            ],
        )
        for s in audits.list_templates(context_of(request))
    ]


@router.post(
    "/samples",
    dependencies=[Depends(require(Action.MANAGE_AUDITS))],
    responses={200: {"description": "drawn before with the same rule and seed: that sample"}},
    status_code=201,
)
def draw(request: Request, body: SampleIn, response: Response) -> SampleOut:
    """Draw a sample by rule and seed (201), or return the one drawn before (200)."""
    drawn = audits.draw(
        context_of(request),
        actor=actor_of(request),
        template_code=body.template,
        period=body.month,
        seed=body.seed,
        per=body.per,
        count=body.count,
    )
    if not drawn.created:
        response.status_code = 200
    return _sample(drawn)


@router.get("/samples/{sample_id}", dependencies=[Depends(require(Action.CONDUCT_AUDIT))])
def sample(request: Request, sample_id: RecordId) -> SampleOut:
    """A sample and its records."""
    summary, items = audits.sample_with_items(context_of(request), sample_id=sample_id)
    return _sample(Drawn(summary, items, created=False))


@router.get(
    "/samples/{sample_id}/items/{item_id}", dependencies=[Depends(require(Action.CONDUCT_AUDIT))]
)
def item(request: Request, sample_id: RecordId, item_id: RecordId) -> ItemOut:
    """Open a sampled record for audit (a logged consultation), with its result if scored."""
    opened = audits.open_item(
        context_of(request), actor=actor_of(request), sample_id=sample_id, item_id=item_id
    )
    return ItemOut(
        item=_item(opened.item),
        title=opened.record.title,
        fields=[RecordFieldOut(label=f.label, value=f.value) for f in opened.record.fields],
        result=_result(opened.result) if opened.result else None,
    )


@router.post(
    "/samples/{sample_id}/items/{item_id}/result",
    dependencies=[Depends(require(Action.CONDUCT_AUDIT))],
    status_code=201,
)
def score(request: Request, sample_id: RecordId, item_id: RecordId, body: ScoreIn) -> ResultOut:
    """Score a sampled record; the finding goes to the team's supervisor."""
    return _result(
        audits.score_item(
            context_of(request),
            actor=actor_of(request),
            sample_id=sample_id,
            item_id=item_id,
            answers=body.answers,
            finding=body.finding,
        )
    )


@router.get("/feedback", dependencies=[Depends(require(Action.VIEW_AUDIT_FEEDBACK))])
def feedback(request: Request) -> list[FeedbackOut]:
    """Findings about the work of the teams the caller supervises."""
    return [
        FeedbackOut(
            id=f.id,
            template=f.template_name,
            period=f.period,
            reference=f.reference,
            subject=f.subject,
            team=f.team,
            score=f.score,
            passed=f.passed,
            failed_critical=list(f.failed_critical),
            finding=f.text,
            auditor=f.auditor,
            raised_at=f.raised_at,
            acknowledged_at=f.acknowledged_at,
            acknowledged_by=f.acknowledged_by,
            response=f.response,
        )
        for f in audit_feedback.feedback(context_of(request), actor=actor_of(request))
    ]


@router.post(
    "/feedback/{finding_id}/acknowledgement",
    dependencies=[Depends(require(Action.ACKNOWLEDGE_AUDIT_FEEDBACK))],
    status_code=204,
)
def acknowledge(request: Request, finding_id: RecordId, body: AcknowledgementIn) -> Response:
    """Acknowledge a finding about the caller's team."""
    audit_feedback.acknowledge(
        context_of(request), actor=actor_of(request), finding_id=finding_id, response=body.response
    )
    return Response(status_code=204)


@router.get("/trends", dependencies=[Depends(require(Action.VIEW_AUDIT_TRENDS))])
def trends(
    request: Request, by: str = "team", template: str = "", since: str = ""
) -> list[TrendOut]:
    """Audit scores by team (or area) per month; every team (or area), n=0 where none audited."""
    return [
        TrendOut(
            period=c.period,
            group=c.group,
            audits=c.audits,
            mean_score=c.mean_score,
            pass_rate=c.pass_rate,
        )
        for c in audit_feedback.trends(
            context_of(request), by=by, template_code=template, since=since
        )
    ]
