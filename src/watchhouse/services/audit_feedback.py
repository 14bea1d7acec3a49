"""Audit results fed back to supervisors, their acknowledgement, and the trends by team."""

from __future__ import annotations

from watchhouse.db.repositories import audit_feedback as feedback_repo
from watchhouse.db.repositories import audits, places, teams
from watchhouse.domain.access import Operation
from watchhouse.domain.audit import (
    RecordType,
    TrendCell,
    parse_period,
    trend_table,
    with_every_group,
)
from watchhouse.domain.audit_views import FeedbackItem, FeedbackPage
from watchhouse.domain.errors import Conflict, NotFound, ValidationFailed
from watchhouse.domain.roles import Actor
from watchhouse.services.access import log_access
from watchhouse.services.context import AppContext

TREND_GROUPS = ("team", "area")


def feedback(ctx: AppContext, *, actor: Actor) -> list[FeedbackItem]:
    """Findings about the work of the teams the actor supervises; a logged consultation."""
    with ctx.db.transaction() as session:
        found = audits.feedback(session=session, supervisor_id=actor.user_id)
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.CONSULTATION,
            record_type="audit_feedback",
            record_id=f"{len(found)} findings",
            justification="supervisor's audit feedback",
        )
    return found


def feedback_page(ctx: AppContext, *, actor: Actor, page: int = 1) -> FeedbackPage:
    """One page of the actor's findings (policy page size), failures waiting first, with the
    counts of the whole; a logged consultation."""
    size = ctx.policy.audit_feedback.page_size
    with ctx.db.transaction() as session:
        counts = feedback_repo.counts(session=session, supervisor_id=actor.user_id)
        pages = max(1, -(-counts.total // size))
        page = min(max(1, page), pages)
        items = feedback_repo.feedback(
            session=session, supervisor_id=actor.user_id, offset=(page - 1) * size, limit=size
        )
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.CONSULTATION,
            record_type="audit_feedback",
            record_id=f"page {page} of {pages}: {len(items)} of {counts.total} findings",
            justification="supervisor's audit feedback",
        )
    return FeedbackPage(items=items, page=page, pages=pages, page_size=size, counts=counts)


BULK_RESPONSE = "pass acknowledged with others"


def acknowledge_passes(
    ctx: AppContext, *, actor: Actor, finding_ids: list[int] | None = None
) -> int:
    """Acknowledge in one go the actor's passes still waiting: those among `finding_ids` (a
    page), or all of them when None. Failures are left for one by one. Returns how many."""
    with ctx.db.transaction() as session:
        done = feedback_repo.acknowledge_passes(
            session=session,
            supervisor_id=actor.user_id,
            finding_ids=finding_ids,
            by=actor.user_id,
            response=BULK_RESPONSE,
            now=ctx.now(),
        )
        for finding_id in done:
            log_access(
                ctx,
                session=session,
                actor=actor,
                operation=Operation.ALTERATION,
                record_type="audit_finding",
                record_id=finding_id,
            )
    return len(done)


def acknowledge(ctx: AppContext, *, actor: Actor, finding_id: int, response: str = "") -> None:
    """The supervisor acknowledges a finding about their team, with what they did about it."""
    with ctx.db.transaction() as session:
        supervisor, done = audits.finding_supervisor(session=session, finding_id=finding_id)
        if supervisor != actor.user_id:
            # Another team's findings are not for this supervisor to see or to close.
            raise NotFound("audit finding", finding_id)
        if done:
            raise Conflict("this finding has already been acknowledged")
        audits.acknowledge(
            session=session,
            finding_id=finding_id,
            by=actor.user_id,
            response=response.strip() or None,
            now=ctx.now(),
        )
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.ALTERATION,
            record_type="audit_finding",
            record_id=finding_id,
        )


def feedback_consultation_reason(
    ctx: AppContext, *, actor: Actor, finding_id: int, record_type: RecordType, record_id: int
) -> str | None:
    """The access log's reason for a record a supervisor opens from their audit feedback; None
    unless that finding is about this record and is for this supervisor."""
    with ctx.db.transaction() as session:
        found = audits.finding_record(session=session, finding_id=finding_id)
    if found is None:
        return None
    found_type, found_id, supervisor, template = found
    if (found_type, found_id, supervisor) != (record_type.value, record_id, actor.user_id):
        return None
    return f"audit feedback: finding {finding_id} ({template}), {record_type.value} {record_id}"


def trends(
    ctx: AppContext, *, by: str = "team", template_code: str = "", since: str = ""
) -> list[TrendCell]:
    """Audit scores by team (or area) per month, every team (or area) in every month with
    audits, n=0 where none of its records was audited; people without a team count as
    'no team'."""
    _check_trend_group(by)
    since_period = parse_period(since) if since.strip() else None
    with ctx.db.transaction() as session:
        scored = audits.scored_audits(
            session=session, by=by, template_code=template_code or None, since_period=since_period
        )
        if by == "area":
            groups = [n.name for n in places.neighbourhoods(session=session)]
        else:
            groups = [t.name for t in teams.list_teams(session=session)]
    return with_every_group(trend_table(scored), groups)


def _check_trend_group(by: str) -> None:
    if by not in TREND_GROUPS:
        raise ValidationFailed.one("by", f"one of {', '.join(TREND_GROUPS)}")
