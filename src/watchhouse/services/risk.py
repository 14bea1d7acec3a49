"""Domestic abuse risk assessment at the scene: save part-way, refuse, complete, refer to MARAC."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from watchhouse.db.repositories import risk
from watchhouse.db.repositories.risk import AssessmentView
from watchhouse.domain.access import Operation
from watchhouse.domain.errors import Conflict, FieldProblem, ValidationFailed
from watchhouse.domain.risk import (
    Answer,
    Instrument,
    RiskLevel,
    final_level,
    judged_after_refusal,
    marac_criterion,
    score_answers,
)
from watchhouse.domain.roles import Actor
from watchhouse.policy.instruments import shipped_instruments
from watchhouse.services.access import log_access
from watchhouse.services.context import AppContext

RECORD = "risk_assessment"


def instrument(ctx: AppContext) -> Instrument:
    """The instrument the force's policy names."""
    code = ctx.policy.domestic_abuse.instrument
    found = shipped_instruments().get(code)
    if found is None:
        raise Conflict(f"the policy names instrument {code!r}, which is not installed")
    return found


def open_assessment(ctx: AppContext, *, actor: Actor, incident_id: int) -> AssessmentView:
    """The incident's assessment in progress (or finished), starting one if there is none."""
    with ctx.db.transaction() as session:
        current = risk.latest_for_incident(session=session, incident_id=incident_id)
        if current is None:
            victim = risk.victim_of_incident(session=session, incident_id=incident_id)
            assessment_id = risk.start(
                session=session,
                incident_id=incident_id,
                victim_person_id=victim,
                instrument=instrument(ctx).code,
                by=actor.user_id,
                now=ctx.now(),
            )
            log_access(
                ctx,
                session=session,
                actor=actor,
                operation=Operation.COLLECTION,
                record_type=RECORD,
                record_id=assessment_id,
            )
            current = risk.view(session=session, assessment_id=assessment_id)
        else:
            log_access(
                ctx,
                session=session,
                actor=actor,
                operation=Operation.CONSULTATION,
                record_type=RECORD,
                record_id=current.id,
                justification=f"risk assessment for incident {incident_id}",
            )
    return current


def _altered(ctx: AppContext, session: Session, actor: Actor, assessment_id: int) -> None:
    log_access(
        ctx,
        session=session,
        actor=actor,
        operation=Operation.ALTERATION,
        record_type=RECORD,
        record_id=assessment_id,
    )


def _check_answers(ctx: AppContext, answers: Mapping[str, str]) -> dict[str, Answer]:
    known = {q.id for q in instrument(ctx).questions}
    problems, checked = [], {}
    for qid, raw in answers.items():
        if qid not in known:
            problems.append(FieldProblem(qid, "not a question of this instrument"))
            continue
        try:
            checked[qid] = Answer(raw)
        except ValueError:
            problems.append(FieldProblem(qid, "answer yes, no or not known"))
    if problems:
        raise ValidationFailed(problems)
    return checked


def _in_progress(session: Session, assessment_id: int) -> None:
    found = risk.row(session=session, assessment_id=assessment_id)
    if found.status != "in_progress":
        raise Conflict("this assessment is finished; start a new one for a new incident")


def save_answers(
    ctx: AppContext, *, actor: Actor, assessment_id: int, answers: Mapping[str, str]
) -> datetime:
    """Store the answers given so far (the officer can come back to the rest); return when."""
    checked = _check_answers(ctx, answers)
    now = ctx.now()
    with ctx.db.transaction() as session:
        _in_progress(session, assessment_id)
        stored = dict(risk.view(session=session, assessment_id=assessment_id).answers)
        stored.update({k: v.value for k, v in checked.items()})
        risk.update(session=session, assessment_id=assessment_id, answers=stored, assessed_at=now)
        _altered(ctx, session, actor, assessment_id)
    return now


def refuse(
    ctx: AppContext,
    *,
    actor: Actor,
    assessment_id: int,
    reason: str,
    judged: RiskLevel | None,
    rationale: str,
) -> AssessmentView:
    """Record that the victim declined to answer, and why; the officer still records a risk
    level from professional judgement and its rationale, and the MARAC rules still run."""
    problems = []
    if not reason.strip():
        problems.append(FieldProblem("refusal_reason", "record why the victim declined"))
    try:
        level = judged_after_refusal(judged, rationale)
    except ValidationFailed as exc:
        problems.extend(exc.problems)
    if problems:
        raise ValidationFailed(problems)
    now = ctx.now()
    with ctx.db.transaction() as session:
        _in_progress(session, assessment_id)
        risk.update(
            session=session,
            assessment_id=assessment_id,
            refused=True,
            refusal_reason=reason.strip(),
            status="complete",
            assessed_at=now,
            final_level=level.label,
            judgement_rationale=rationale.strip(),
        )
        current = risk.view(session=session, assessment_id=assessment_id)
        _refer_if_due(ctx, session, current, scored=None, final=level, now=now)
        _altered(ctx, session, actor, assessment_id)
        return risk.view(session=session, assessment_id=assessment_id)


def _refer_if_due(
    ctx: AppContext,
    session: Session,
    current: AssessmentView,
    *,
    scored: RiskLevel | None,
    final: RiskLevel,
    now: datetime,
) -> None:
    """Refer to MARAC when the rules say (visible high risk, judgement, repeated call-outs),
    marking a referral within the policy's months of the victim's last as a repeat case."""
    policy = ctx.policy.domestic_abuse
    victim = current.victim_person_id
    callouts = 0
    if victim is not None:
        callouts = risk.callouts_in_window(
            session=session, victim_person_id=victim, since=now - timedelta(days=365), until=now
        )
    criterion = marac_criterion(
        scored=scored,
        final=final,
        callouts_in_year=callouts,
        escalation_callouts=policy.marac_escalation_callouts,
    )
    if criterion is None:
        return
    last = None if victim is None else risk.last_marac(session=session, victim_person_id=victim)
    repeat = last is not None and now - last < timedelta(days=30.44 * policy.repeat_marac_months)
    risk.add_marac(
        session=session,
        assessment_id=current.id,
        victim_person_id=victim,
        at=now,
        criterion=criterion.value,
        repeat_case=repeat,
    )


def complete(
    ctx: AppContext,
    *,
    actor: Actor,
    assessment_id: int,
    judged: RiskLevel | None,
    rationale: str,
) -> AssessmentView:
    """Score the answers, apply the officer's judgement and refer to MARAC when the rules say."""
    now = ctx.now()
    with ctx.db.transaction() as session:
        _in_progress(session, assessment_id)
        current = risk.view(session=session, assessment_id=assessment_id)
        scored = score_answers(_check_answers(ctx, current.answers), instrument(ctx))
        final = final_level(scored.level, judged, rationale)
        risk.update(
            session=session,
            assessment_id=assessment_id,
            status="complete",
            assessed_at=now,
            yes_count=scored.yes_count,
            scored_level=scored.level.label,
            final_level=final.label,
            judgement_rationale=rationale.strip() or None,
        )
        _refer_if_due(ctx, session, current, scored=scored.level, final=final, now=now)
        _altered(ctx, session, actor, assessment_id)
        return risk.view(session=session, assessment_id=assessment_id)
