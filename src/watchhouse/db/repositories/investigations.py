"""Investigation plans, supervisor reviews, crime admin bureau tasks, and the worklists."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from watchhouse.db.investigation_tables import CrimeAdminTaskRow, CrimeVictimRow
from watchhouse.db.repositories.crimes import user_names
from watchhouse.db.tables import CrimeRow, InvestigationPlanRow, SupervisorReviewRow
from watchhouse.domain.errors import NotFound
from watchhouse.domain.investigation_records import (
    BureauWorklist,
    PlanView,
    ReviewView,
    TaskView,
    WorkItem,
    WorkSection,
)
from watchhouse.domain.investigations import PlanCheck, PlanContent


def add_plan(
    *,
    session: Session,
    crime_id: int,
    content: PlanContent,
    check: PlanCheck,
    due_at: datetime | None,
    by: int,
    now: datetime,
) -> int:
    """Store a plan (a rewrite adds a row; the latest is the current plan)."""
    row = InvestigationPlanRow(
        crime_id=crime_id,
        written_at=now,
        written_by=by,
        due_at=due_at,
        adequate=check.adequate,
        gaps=list(check.gaps),
        lines_of_enquiry=list(content.lines_of_enquiry),
        evidence_to_secure=list(content.evidence_to_secure),
        safeguarding_actions=list(content.safeguarding_actions),
        suspect_strategy=content.suspect_strategy,
        victim_needs=content.victim_needs,
    )
    session.add(row)
    session.flush()
    return row.id


def _current_plan_row(session: Session, crime_id: int) -> InvestigationPlanRow | None:
    return session.scalar(
        select(InvestigationPlanRow)
        .where(InvestigationPlanRow.crime_id == crime_id)
        .order_by(InvestigationPlanRow.written_at.desc(), InvestigationPlanRow.id.desc())
        .limit(1)
    )


def current_plan(*, session: Session, crime_id: int) -> PlanView | None:
    """The crime's latest plan, or None."""
    row = _current_plan_row(session, crime_id)
    if row is None:
        return None
    names = user_names(session=session, user_ids=(row.written_by, row.checked_by))
    return PlanView(
        row.id,
        row.written_at,
        names.get(row.written_by or 0),
        row.due_at,
        PlanContent(
            tuple(row.lines_of_enquiry or ()),
            tuple(row.evidence_to_secure or ()),
            tuple(row.safeguarding_actions or ()),
            row.suspect_strategy or "",
            row.victim_needs or "",
        ),
        row.adequate,
        tuple(row.gaps or ()),
        row.checked_at,
        names.get(row.checked_by or 0),
        row.check_adequate,
        row.check_note,
    )


def check_current_plan(
    *, session: Session, crime_id: int, adequate: bool, note: str, by: int, now: datetime
) -> int:
    """Record the supervisor's quality check of the current plan; returns the plan id."""
    row = _current_plan_row(session, crime_id)
    if row is None:
        raise NotFound("investigation plan for crime", crime_id)
    row.checked_at, row.checked_by, row.check_adequate, row.check_note = now, by, adequate, note
    return row.id


def add_review(
    *,
    session: Session,
    crime_id: int,
    direction: str,
    due_at: datetime | None,
    by: int,
    now: datetime,
) -> int:
    """Record a supervisor's review with the direction given."""
    row = SupervisorReviewRow(
        crime_id=crime_id, reviewed_at=now, reviewed_by=by, due_at=due_at, direction=direction
    )
    session.add(row)
    session.flush()
    return row.id


def reviews(*, session: Session, crime_id: int) -> tuple[ReviewView, ...]:
    """A crime's supervisor reviews, the latest first."""
    rows = session.scalars(
        select(SupervisorReviewRow)
        .where(SupervisorReviewRow.crime_id == crime_id)
        .order_by(SupervisorReviewRow.reviewed_at.desc())
    ).all()
    names = user_names(session=session, user_ids=(r.reviewed_by for r in rows))
    return tuple(
        ReviewView(r.id, r.reviewed_at, names.get(r.reviewed_by or 0), r.due_at, r.direction)
        for r in rows
    )


def add_task(
    *,
    session: Session,
    crime_id: int,
    task: str,
    detail: str,
    due_at: datetime,
    by: int,
    now: datetime,
) -> int:
    """Ask the crime admin bureau for a task."""
    row = CrimeAdminTaskRow(
        crime_id=crime_id,
        task=task,
        detail=detail,
        requested_at=now,
        requested_by=by,
        due_at=due_at,
    )
    session.add(row)
    session.flush()
    return row.id


def task_row(*, session: Session, task_id: int) -> CrimeAdminTaskRow:
    """A bureau task, or NotFound."""
    row = session.get(CrimeAdminTaskRow, task_id)
    if row is None:
        raise NotFound("bureau task", task_id)
    return row


_TASK_COLUMNS = (
    CrimeAdminTaskRow.id,
    CrimeAdminTaskRow.crime_id,
    CrimeRow.crime_type,
    CrimeAdminTaskRow.task,
    CrimeAdminTaskRow.detail,
    CrimeAdminTaskRow.requested_at,
    CrimeAdminTaskRow.requested_by,
    CrimeAdminTaskRow.due_at,
    CrimeAdminTaskRow.done_at,
    CrimeAdminTaskRow.done_by,
    CrimeAdminTaskRow.result,
)


def _task_views(session: Session, rows: Sequence[Sequence[Any]]) -> tuple[TaskView, ...]:
    names = user_names(session=session, user_ids=[u for r in rows for u in (r[6], r[9])])
    return tuple(
        TaskView(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            names.get(r[6] or 0),
            r[7],
            r[8],
            names.get(r[9] or 0),
            r[10],
        )
        for r in rows
    )


def tasks_for_crime(*, session: Session, crime_id: int) -> tuple[TaskView, ...]:
    """The bureau tasks asked for a crime."""
    rows = session.execute(
        select(*_TASK_COLUMNS)
        .join(CrimeRow, CrimeRow.id == CrimeAdminTaskRow.crime_id)
        .where(CrimeAdminTaskRow.crime_id == crime_id)
        .order_by(CrimeAdminTaskRow.id)
    ).all()
    return _task_views(session, rows)


def bureau_worklist(
    *,
    session: Session,
    now: datetime,
    limit: int,
    recent_days: int = 7,
    turnaround_sample: int = 100,
) -> BureauWorklist:
    """Open bureau tasks by due date; how many were done in the last `recent_days` days and
    how many of those on time; the median turnaround of the latest `turnaround_sample` done."""
    open_ = CrimeAdminTaskRow.done_at.is_(None)
    rows = session.execute(
        select(*_TASK_COLUMNS)
        .join(CrimeRow, CrimeRow.id == CrimeAdminTaskRow.crime_id)
        .where(open_)
        .order_by(CrimeAdminTaskRow.due_at, CrimeAdminTaskRow.id)
        .limit(limit)
    ).all()
    total, late = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((CrimeAdminTaskRow.due_at < now, 1), else_=0)), 0),
        ).where(open_)
    ).one()
    recent = CrimeAdminTaskRow.done_at >= now - timedelta(days=recent_days)
    done, on_time = session.execute(
        select(
            func.count(),
            func.coalesce(
                func.sum(case((CrimeAdminTaskRow.done_at <= CrimeAdminTaskRow.due_at, 1), else_=0)),
                0,
            ),
        ).where(recent)
    ).one()
    latest = session.execute(
        select(CrimeAdminTaskRow.requested_at, CrimeAdminTaskRow.done_at)
        .where(recent)
        .order_by(CrimeAdminTaskRow.done_at.desc())
        .limit(turnaround_sample)
    ).all()
    hours = [(d - r).total_seconds() / 3600 for r, d in latest if d is not None]
    return BureauWorklist(
        open_tasks=_task_views(session, rows),
        open_total=int(total),
        overdue_total=int(late),
        done_recently=int(done),
        median_turnaround_hours=statistics.median(hours) if hours else None,
        on_time_share=int(on_time) / int(done) if done else None,
    )


def complete_task(*, session: Session, task_id: int, result: str, by: int, now: datetime) -> int:
    """Mark a bureau task done; returns its crime's id."""
    row = task_row(session=session, task_id=task_id)
    row.done_at, row.done_by, row.result = now, by, result
    return row.crime_id


# --- worklists ----------------------------------------------------------------------------


def _section(
    session: Session,
    *,
    title: str,
    where: ColumnElement[bool],
    due: InstrumentedAttribute[datetime | None],
    now: datetime,
    limit: int,
    detail: str,
    join_victims: bool = False,
    deadline: bool = True,
    first: Sequence[ColumnElement[Any]] = (),
) -> WorkSection:
    """One part of a worklist, earliest date first after any `first` orderings; `deadline`
    False when the date shown is not a deadline (so nothing in the part is overdue)."""
    base = select(CrimeRow.id, CrimeRow.crime_type, CrimeRow.domestic_abuse, due)
    counts = select(func.count(), func.coalesce(func.sum(case((due < now, 1), else_=0)), 0))
    if join_victims:
        base = base.join(CrimeVictimRow, CrimeVictimRow.crime_id == CrimeRow.id)
        counts = counts.select_from(CrimeRow).join(
            CrimeVictimRow, CrimeVictimRow.crime_id == CrimeRow.id
        )
    else:
        counts = counts.select_from(CrimeRow)
    rows = session.execute(base.where(where).order_by(*first, due, CrimeRow.id).limit(limit)).all()
    total, late = session.execute(counts.where(where)).one()
    items = tuple(
        WorkItem(int(i), str(t), bool(da), d, deadline and d is not None and d < now, detail)
        for i, t, da, d in rows
    )
    return WorkSection(title, items, int(total), int(late) if deadline else 0)


def investigator_sections(
    *, session: Session, user_id: int, now: datetime, limit: int
) -> tuple[WorkSection, ...]:
    """An investigator's plans due, victim updates due, and support referrals and VPS offers
    due, the most urgent first."""
    mine = CrimeRow.allocated_to == user_id
    open_ = CrimeRow.outcome_code == 0
    return (
        _section(
            session,
            title="Plans due",
            where=and_(
                mine, open_, CrimeRow.plan_written_at.is_(None), CrimeRow.plan_due_at.is_not(None)
            ),
            due=CrimeRow.plan_due_at,
            now=now,
            limit=limit,
            detail="write the investigation plan",
        ),
        _section(
            session,
            title="Victim updates due",
            where=and_(mine, CrimeRow.next_victim_update_due_at.is_not(None)),
            due=CrimeRow.next_victim_update_due_at,
            now=now,
            limit=limit,
            detail="tell the victim of a key event",
        ),
        _section(
            session,
            title="Victim support referrals due",
            where=and_(
                mine,
                open_,
                CrimeVictimRow.support_due_at.is_not(None),
                CrimeVictimRow.support_referred_at.is_(None),
                CrimeVictimRow.support_declined.is_not(True),
            ),
            due=CrimeVictimRow.support_due_at,
            now=now,
            limit=limit,
            detail="refer the victim to victim support",
            join_victims=True,
        ),
        _section(
            session,
            title="Victim Personal Statements to offer",
            where=and_(
                mine,
                open_,
                CrimeVictimRow.vps_due_at.is_not(None),
                CrimeVictimRow.vps_offered_at.is_(None),
            ),
            due=CrimeVictimRow.vps_due_at,
            now=now,
            limit=limit,
            detail="offer the Victim Personal Statement",
            join_victims=True,
        ),
    )


def _needs_allocating_first() -> tuple[ColumnElement[Any], ...]:
    """The urgency of a crime waiting for allocation: domestic abuse first, then hate crime,
    then a victim assessed vulnerable or entitled to enhanced rights (0 sorts first)."""
    vulnerable_victim = (
        select(CrimeVictimRow.id)
        .where(
            CrimeVictimRow.crime_id == CrimeRow.id,
            (CrimeVictimRow.vulnerable.is_(True)) | (CrimeVictimRow.enhanced.is_(True)),
        )
        .exists()
    )
    return (
        case((CrimeRow.domestic_abuse.is_(True), 0), else_=1),
        case((CrimeRow.hate_crime.is_(True), 0), else_=1),
        case((vulnerable_victim, 0), else_=1),
    )


def supervisor_sections(
    *, session: Session, user_id: int, now: datetime, limit: int
) -> tuple[WorkSection, ...]:
    """A supervisor's reviews due, plans to check, overdue plans and victim updates, and
    crimes waiting to be allocated."""
    mine = CrimeRow.supervisor_id == user_id
    open_ = CrimeRow.outcome_code == 0
    return (
        _section(
            session,
            title="Reviews due",
            where=and_(mine, open_, CrimeRow.next_review_due_at.is_not(None)),
            due=CrimeRow.next_review_due_at,
            now=now,
            limit=limit,
            detail="review the investigation and give direction",
        ),
        _section(
            session,
            title="Plans to check",
            where=and_(
                mine,
                open_,
                CrimeRow.plan_written_at.is_not(None),
                CrimeRow.plan_checked_at.is_(None),
            ),
            due=CrimeRow.plan_written_at,
            now=now,
            limit=limit,
            detail="check the plan's quality",
            deadline=False,
        ),
        _section(
            session,
            title="Plans overdue",
            where=and_(mine, open_, CrimeRow.plan_written_at.is_(None), CrimeRow.plan_due_at < now),
            due=CrimeRow.plan_due_at,
            now=now,
            limit=limit,
            detail="no plan yet",
        ),
        _section(
            session,
            title="Victim updates overdue",
            where=and_(mine, CrimeRow.next_victim_update_due_at < now),
            due=CrimeRow.next_victim_update_due_at,
            now=now,
            limit=limit,
            detail="the victim has not been told of a key event",
        ),
        _section(
            session,
            title="Awaiting allocation",
            where=CrimeRow.awaiting_allocation.is_(True),
            due=CrimeRow.recorded_at,
            now=now,
            limit=limit,
            detail="allocate to an investigator",
            deadline=False,
            first=_needs_allocating_first(),
        ),
    )
