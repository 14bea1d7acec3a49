"""Audit templates, samples, their items, results and the findings fed back to supervisors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, aliased

from watchhouse.db.audit_tables import (
    AuditFindingRow,
    AuditResultRow,
    AuditSampleItemRow,
    AuditSampleRow,
    AuditTemplateRow,
)
from watchhouse.db.repositories import audit_feedback as feedback_repo
from watchhouse.db.tables import CrimeRow, NeighbourhoodRow, TeamRow, UserRow
from watchhouse.domain.audit import RecordType, SampleRule, ScoredAudit
from watchhouse.domain.audit_views import (
    AuditResultView,
    FeedbackItem,
    PopulationRecord,
    RecordAudit,
    SampleItem,
    SampleSummary,
)
from watchhouse.domain.errors import NotFound
from watchhouse.domain.teams import NO_TEAM

NO_AREA = "no area"


@dataclass(frozen=True)
class TemplateText:
    """A stored template's id, origin and TOML text."""

    id: int
    code: str
    origin: str
    definition: str


# --- templates -----------------------------------------------------------------------------


def stored_templates(*, session: Session) -> list[TemplateText]:
    """Every stored template, by code."""
    rows = session.scalars(select(AuditTemplateRow).order_by(AuditTemplateRow.code))
    return [TemplateText(r.id, r.code, r.origin, r.definition) for r in rows]


def stored_template(*, session: Session, code: str) -> TemplateText | None:
    """A stored template by code, or None."""
    row = session.scalar(select(AuditTemplateRow).where(AuditTemplateRow.code == code))
    return None if row is None else TemplateText(row.id, row.code, row.origin, row.definition)


def add_template(
    *,
    session: Session,
    code: str,
    name: str,
    record_type: RecordType,
    origin: str,
    definition: str,
    created_by: int | None,
    now: datetime,
) -> int:
    """Store a template's TOML text."""
    row = AuditTemplateRow(
        code=code,
        name=name,
        record_type=record_type.value,
        origin=origin,
        definition=definition,
        created_by=created_by,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


# --- samples -------------------------------------------------------------------------------


def find_sample(
    *, session: Session, template_id: int, period: str, rule: SampleRule, seed: int
) -> int | None:
    """The sample already drawn with this template, period, rule and seed, if any."""
    return session.scalar(
        select(AuditSampleRow.id).where(
            AuditSampleRow.template_id == template_id,
            AuditSampleRow.period == period,
            AuditSampleRow.per == rule.per,
            AuditSampleRow.count == rule.count,
            AuditSampleRow.seed == seed,
        )
    )


def add_sample(
    *,
    session: Session,
    template_id: int,
    record_type: RecordType,
    period: str,
    rule: SampleRule,
    seed: int,
    population: int,
    drawn_by: int,
    now: datetime,
    items: Sequence[tuple[str, PopulationRecord]],
) -> int:
    """Store a sample and its items (stratum, record), in the order given."""
    sample = AuditSampleRow(
        template_id=template_id,
        period=period,
        per=rule.per,
        count=rule.count,
        seed=seed,
        population=population,
        drawn_by=drawn_by,
        drawn_at=now,
    )
    session.add(sample)
    session.flush()
    session.add_all(
        AuditSampleItemRow(
            sample_id=sample.id,
            record_type=record_type.value,
            record_id=record.record_id,
            record_at=record.record_at,
            stratum=stratum,
            subject_user_id=record.subject_user_id,
            team_id=record.team_id,
            neighbourhood_id=record.neighbourhood_id,
        )
        for stratum, record in items
    )
    session.flush()
    return sample.id


def _summaries(session: Session, where: object = None, limit: int = 200) -> list[SampleSummary]:
    items = (
        select(
            AuditSampleItemRow.sample_id,
            func.count(AuditSampleItemRow.id).label("items"),
            func.count(AuditResultRow.id).label("scored"),
        )
        .outerjoin(AuditResultRow, AuditResultRow.item_id == AuditSampleItemRow.id)
        .group_by(AuditSampleItemRow.sample_id)
        .subquery()
    )
    query = (
        select(
            AuditSampleRow,
            AuditTemplateRow.code,
            AuditTemplateRow.name,
            AuditTemplateRow.record_type,
            UserRow.display_name,
            func.coalesce(items.c["items"], 0),
            func.coalesce(items.c.scored, 0),
        )
        .join(AuditTemplateRow, AuditTemplateRow.id == AuditSampleRow.template_id)
        .join(UserRow, UserRow.id == AuditSampleRow.drawn_by)
        .outerjoin(items, items.c.sample_id == AuditSampleRow.id)
        .order_by(AuditSampleRow.drawn_at.desc(), AuditSampleRow.id.desc())
        .limit(limit)
    )
    if where is not None:
        query = query.where(where)  # type: ignore[arg-type]
    return [
        SampleSummary(
            id=s.id,
            template_code=code,
            template_name=name,
            record_type=RecordType(record_type),
            period=s.period,
            rule=SampleRule(s.per, s.count),
            seed=s.seed,
            population=s.population,
            drawn_by=username,
            drawn_at=s.drawn_at,
            items=int(n_items),
            scored=int(n_scored),
        )
        for s, code, name, record_type, username, n_items, n_scored in session.execute(query)
    ]


def samples(*, session: Session, limit: int = 200) -> list[SampleSummary]:
    """The latest samples, newest first."""
    return _summaries(session, limit=limit)


def sample(*, session: Session, sample_id: int) -> SampleSummary:
    """One sample, or NotFound."""
    found = _summaries(session, AuditSampleRow.id == sample_id)
    if not found:
        raise NotFound("audit sample", sample_id)
    return found[0]


def items(*, session: Session, sample_id: int) -> list[SampleItem]:
    """A sample's records in drawn order, with their scores once scored."""
    subject = aliased(UserRow)
    rows = session.execute(
        select(
            AuditSampleItemRow,
            subject.display_name,
            TeamRow.name,
            AuditResultRow.score,
            AuditResultRow.passed,
        )
        .outerjoin(subject, subject.id == AuditSampleItemRow.subject_user_id)
        .outerjoin(TeamRow, TeamRow.id == AuditSampleItemRow.team_id)
        .outerjoin(AuditResultRow, AuditResultRow.item_id == AuditSampleItemRow.id)
        .where(AuditSampleItemRow.sample_id == sample_id)
        .order_by(AuditSampleItemRow.id)
    ).all()
    return [
        SampleItem(
            id=i.id,
            sample_id=i.sample_id,
            record_type=RecordType(i.record_type),
            record_id=i.record_id,
            record_at=i.record_at,
            stratum=i.stratum,
            subject=username,
            team=team,
            score=score,
            passed=passed,
        )
        for i, username, team, score, passed in rows
    ]


def item(*, session: Session, sample_id: int, item_id: int) -> SampleItem:
    """One item of a sample, or NotFound."""
    for found in items(session=session, sample_id=sample_id):
        if found.id == item_id:
            return found
    raise NotFound("sampled record", item_id)


def subject_of_item(*, session: Session, item_id: int) -> tuple[int | None, int | None]:
    """Whose work an item is, and the team it was counted in when drawn."""
    row = session.get(AuditSampleItemRow, item_id)
    if row is None:
        raise NotFound("sampled record", item_id)
    return row.subject_user_id, row.team_id


# --- results and findings -------------------------------------------------------------------


def result_id_for_item(*, session: Session, item_id: int) -> int | None:
    """The result stored for an item, if it has been scored."""
    return session.scalar(select(AuditResultRow.id).where(AuditResultRow.item_id == item_id))


def add_result(
    *,
    session: Session,
    item_id: int,
    answers: dict[str, str],
    points: float,
    available: float,
    score: float,
    passed: bool,
    failed_critical: Sequence[str],
    auditor_id: int,
    now: datetime,
) -> int:
    """Store an item's result."""
    row = AuditResultRow(
        item_id=item_id,
        answers=answers,
        points=points,
        available=available,
        score=score,
        passed=passed,
        failed_critical=list(failed_critical),
        auditor_id=auditor_id,
        audited_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


def add_finding(
    *,
    session: Session,
    result_id: int,
    record_type: RecordType,
    record_id: int,
    subject_user_id: int | None,
    team_id: int | None,
    text: str,
    now: datetime,
) -> int:
    """Store the finding fed back to the team's supervisor."""
    row = AuditFindingRow(
        result_id=result_id,
        record_type=record_type.value,
        record_id=record_id,
        subject_user_id=subject_user_id,
        team_id=team_id,
        text=text,
        raised_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


def result_for_item(*, session: Session, item_id: int) -> AuditResultView | None:
    """An item's result and finding, or None if not yet scored."""
    found = session.execute(
        select(AuditResultRow, AuditFindingRow.text, UserRow.display_name)
        .join(AuditFindingRow, AuditFindingRow.result_id == AuditResultRow.id)
        .join(UserRow, UserRow.id == AuditResultRow.auditor_id)
        .where(AuditResultRow.item_id == item_id)
    ).first()
    if found is None:
        return None
    row, text, auditor = found
    return AuditResultView(
        id=row.id,
        item_id=row.item_id,
        answers=dict(row.answers),
        points=row.points,
        available=row.available,
        score=row.score,
        passed=row.passed,
        failed_critical=tuple(row.failed_critical),
        finding=text,
        auditor=auditor,
        audited_at=row.audited_at,
    )


def _crime_of_finding() -> ColumnElement[bool]:
    """Join condition: the crime a finding is about (none for other record types)."""
    return and_(
        AuditFindingRow.record_type == RecordType.CRIME.value,
        CrimeRow.id == AuditFindingRow.record_id,
    )


def _finding_supervisor() -> ColumnElement[int | None]:
    """Who a finding is for: a crime's own supervisor, else the finding's team's supervisor."""
    return func.coalesce(CrimeRow.supervisor_id, TeamRow.supervisor_id)


def feedback(*, session: Session, supervisor_id: int) -> list[FeedbackItem]:
    """Every finding for the teams (and crimes) this user supervises, failures waiting first
    (see repositories/audit_feedback.py for a page of them)."""
    return feedback_repo.feedback(session=session, supervisor_id=supervisor_id)


def finding_supervisor(*, session: Session, finding_id: int) -> tuple[int | None, bool]:
    """Who the finding is for now (see ``feedback``), and whether it is already acknowledged."""
    found = session.execute(
        select(_finding_supervisor(), AuditFindingRow.acknowledged_at)
        .select_from(AuditFindingRow)
        .outerjoin(TeamRow, TeamRow.id == AuditFindingRow.team_id)
        .outerjoin(CrimeRow, _crime_of_finding())
        .where(AuditFindingRow.id == finding_id)
    ).first()
    if found is None:
        raise NotFound("audit finding", finding_id)
    return found[0], found[1] is not None


def finding_record(*, session: Session, finding_id: int) -> tuple[str, int, int | None, str] | None:
    """The record a finding is about (type, id), who it is for now, and its template's name;
    None when there is no such finding."""
    found = session.execute(
        select(
            AuditFindingRow.record_type,
            AuditFindingRow.record_id,
            _finding_supervisor(),
            AuditTemplateRow.name,
        )
        .select_from(AuditFindingRow)
        .join(AuditResultRow, AuditResultRow.id == AuditFindingRow.result_id)
        .join(AuditSampleItemRow, AuditSampleItemRow.id == AuditResultRow.item_id)
        .join(AuditSampleRow, AuditSampleRow.id == AuditSampleItemRow.sample_id)
        .join(AuditTemplateRow, AuditTemplateRow.id == AuditSampleRow.template_id)
        .outerjoin(TeamRow, TeamRow.id == AuditFindingRow.team_id)
        .outerjoin(CrimeRow, _crime_of_finding())
        .where(AuditFindingRow.id == finding_id)
    ).first()
    if found is None:
        return None
    return str(found[0]), int(found[1]), found[2], str(found[3])


def acknowledge(
    *, session: Session, finding_id: int, by: int, response: str | None, now: datetime
) -> None:
    """Mark a finding acknowledged by its supervisor, with their response."""
    row = session.get(AuditFindingRow, finding_id)
    if row is None:
        raise NotFound("audit finding", finding_id)
    row.acknowledged_at = now
    row.acknowledged_by = by
    row.response = response


# --- trends --------------------------------------------------------------------------------


def scored_audits(
    *, session: Session, by: str, template_code: str | None, since_period: str | None
) -> list[ScoredAudit]:
    """Every scored audit with its month and its team (or area) as drawn."""
    area = by == "area"
    group = (
        func.coalesce(NeighbourhoodRow.name, NO_AREA)
        if area
        else func.coalesce(TeamRow.name, NO_TEAM)
    )
    query = (
        select(AuditSampleRow.period, group, AuditResultRow.score, AuditResultRow.passed)
        .select_from(AuditResultRow)
        .join(AuditSampleItemRow, AuditSampleItemRow.id == AuditResultRow.item_id)
        .join(AuditSampleRow, AuditSampleRow.id == AuditSampleItemRow.sample_id)
        .join(AuditTemplateRow, AuditTemplateRow.id == AuditSampleRow.template_id)
    )
    if area:
        query = query.outerjoin(
            NeighbourhoodRow, NeighbourhoodRow.id == AuditSampleItemRow.neighbourhood_id
        )
    else:
        query = query.outerjoin(TeamRow, TeamRow.id == AuditSampleItemRow.team_id)
    if template_code:
        query = query.where(AuditTemplateRow.code == template_code)
    if since_period:
        query = query.where(AuditSampleRow.period >= since_period)
    return [
        ScoredAudit(period, name, score, passed)
        for period, name, score, passed in session.execute(query)
    ]


def audits_of_record(
    *, session: Session, record_type: RecordType, record_id: int
) -> list[RecordAudit]:
    """Every audit of one record, oldest first."""
    rows = session.execute(
        select(
            AuditSampleItemRow.id,
            AuditSampleItemRow.sample_id,
            AuditTemplateRow.name,
            AuditResultRow.score,
            AuditResultRow.passed,
            AuditFindingRow.text,
            AuditFindingRow.raised_at,
        )
        .select_from(AuditFindingRow)
        .join(AuditResultRow, AuditResultRow.id == AuditFindingRow.result_id)
        .join(AuditSampleItemRow, AuditSampleItemRow.id == AuditResultRow.item_id)
        .join(AuditSampleRow, AuditSampleRow.id == AuditSampleItemRow.sample_id)
        .join(AuditTemplateRow, AuditTemplateRow.id == AuditSampleRow.template_id)
        .where(
            AuditFindingRow.record_type == record_type.value,
            AuditFindingRow.record_id == record_id,
        )
        .order_by(AuditFindingRow.raised_at, AuditFindingRow.id)
    ).all()
    return [RecordAudit(*row) for row in rows]
