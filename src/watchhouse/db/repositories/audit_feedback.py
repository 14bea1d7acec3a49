"""The supervisor's audit feedback: findings a page at a time, failures first, and passes
acknowledged in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, select, update
from sqlalchemy.orm import Session, aliased

from watchhouse.db.audit_tables import (
    AuditFindingRow,
    AuditResultRow,
    AuditSampleItemRow,
    AuditSampleRow,
    AuditTemplateRow,
)
from watchhouse.db.tables import CrimeRow, TeamRow, UserRow
from watchhouse.domain.audit import RecordType
from watchhouse.domain.audit_views import FeedbackCounts, FeedbackItem


def _crime_of_finding() -> ColumnElement[bool]:
    """Join condition: the crime a finding is about (none for other record types)."""
    return and_(
        AuditFindingRow.record_type == RecordType.CRIME.value,
        CrimeRow.id == AuditFindingRow.record_id,
    )


def _supervised_by(supervisor_id: int) -> ColumnElement[bool]:
    """The finding is for this supervisor: a crime's own supervisor, else the team's (the
    query outer-joins TeamRow and CrimeRow)."""
    return func.coalesce(CrimeRow.supervisor_id, TeamRow.supervisor_id) == supervisor_id


def feedback(
    *, session: Session, supervisor_id: int, offset: int = 0, limit: int | None = None
) -> list[FeedbackItem]:
    """Findings for this supervisor: failures waiting, then passes waiting, then those
    acknowledged; newest first within each. People are shown by name."""
    subject, auditor, acknowledger = aliased(UserRow), aliased(UserRow), aliased(UserRow)
    query = (
        select(
            AuditFindingRow,
            AuditResultRow,
            AuditTemplateRow.name,
            AuditSampleRow.period,
            subject.display_name,
            TeamRow.name,
            auditor.display_name,
            acknowledger.display_name,
        )
        .join(AuditResultRow, AuditResultRow.id == AuditFindingRow.result_id)
        .join(AuditSampleItemRow, AuditSampleItemRow.id == AuditResultRow.item_id)
        .join(AuditSampleRow, AuditSampleRow.id == AuditSampleItemRow.sample_id)
        .join(AuditTemplateRow, AuditTemplateRow.id == AuditSampleRow.template_id)
        .join(auditor, auditor.id == AuditResultRow.auditor_id)
        .outerjoin(subject, subject.id == AuditFindingRow.subject_user_id)
        .outerjoin(acknowledger, acknowledger.id == AuditFindingRow.acknowledged_by)
        .outerjoin(TeamRow, TeamRow.id == AuditFindingRow.team_id)
        .outerjoin(CrimeRow, _crime_of_finding())
    )
    query = query.where(_supervised_by(supervisor_id)).order_by(
        AuditFindingRow.acknowledged_at.is_not(None),
        case((AuditResultRow.passed, 1), else_=0),
        AuditFindingRow.raised_at.desc(),
        AuditFindingRow.id.desc(),
    )
    if limit is not None:
        query = query.offset(offset).limit(limit)
    return [
        FeedbackItem(
            id=f.id,
            template_name=template,
            period=period,
            record_type=RecordType(f.record_type),
            record_id=f.record_id,
            subject=subject_name,
            team=team,
            score=r.score,
            passed=r.passed,
            failed_critical=tuple(r.failed_critical),
            text=f.text,
            auditor=auditor_name,
            raised_at=f.raised_at,
            acknowledged_at=f.acknowledged_at,
            acknowledged_by=ack_name,
            response=f.response,
        )
        for f, r, template, period, subject_name, team, auditor_name, ack_name in session.execute(
            query
        ).all()
    ]


def counts(*, session: Session, supervisor_id: int) -> FeedbackCounts:
    """The supervisor's findings counted by what is left to do."""
    waiting = AuditFindingRow.acknowledged_at.is_(None)
    query = (
        select(
            func.count().filter(and_(waiting, AuditResultRow.passed.is_(False))),
            func.count().filter(and_(waiting, AuditResultRow.passed.is_(True))),
            func.count().filter(AuditFindingRow.acknowledged_at.is_not(None)),
        )
        .select_from(AuditFindingRow)
        .join(AuditResultRow, AuditResultRow.id == AuditFindingRow.result_id)
    )
    failures, passes, done = session.execute(
        query.outerjoin(TeamRow, TeamRow.id == AuditFindingRow.team_id)
        .outerjoin(CrimeRow, _crime_of_finding())
        .where(_supervised_by(supervisor_id))
    ).one()
    return FeedbackCounts(int(failures), int(passes), int(done))


def acknowledge_passes(
    *,
    session: Session,
    supervisor_id: int,
    finding_ids: Sequence[int] | None,
    by: int,
    response: str,
    now: datetime,
) -> list[int]:
    """Acknowledge the supervisor's passes still waiting (only those among `finding_ids`, or
    all when None); failures are never acknowledged here. Returns the ids acknowledged."""
    query = (
        select(AuditFindingRow.id)
        .join(AuditResultRow, AuditResultRow.id == AuditFindingRow.result_id)
        .where(AuditFindingRow.acknowledged_at.is_(None), AuditResultRow.passed.is_(True))
    )
    if finding_ids is not None:
        query = query.where(AuditFindingRow.id.in_(list(finding_ids)))
    ids = list(
        session.scalars(
            query.outerjoin(TeamRow, TeamRow.id == AuditFindingRow.team_id)
            .outerjoin(CrimeRow, _crime_of_finding())
            .where(_supervised_by(supervisor_id))
        )
    )
    for start in range(0, len(ids), 500):
        session.execute(
            update(AuditFindingRow)
            .where(
                AuditFindingRow.id.in_(ids[start : start + 500]),
                AuditFindingRow.acknowledged_at.is_(None),
            )
            .values(acknowledged_at=now, acknowledged_by=by, response=response)
        )
    return ids
