"""Running an investigation: allocation, the plan and its check, supervisor reviews, the
outcome, crime admin bureau tasks, and the three worklists."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from watchhouse.db.repositories import crimes as crime_repo
from watchhouse.db.repositories import investigations as inv_repo
from watchhouse.db.repositories import users as user_repo
from watchhouse.domain.access import Operation
from watchhouse.domain.clock import format_local, to_local
from watchhouse.domain.errors import Conflict, ValidationFailed
from watchhouse.domain.investigation_records import (
    BureauTask,
    BureauWorklist,
    Worklist,
    label_of,
)
from watchhouse.domain.investigations import (
    PlanCheck,
    PlanContent,
    check_plan,
    check_review,
    next_review_due,
    plan_due,
    require_some_content,
    tidy_plan,
)
from watchhouse.domain.outcomes import OutcomeDecision, OutcomeType, check_outcome
from watchhouse.domain.records import UserView
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.victims import KeyEvent
from watchhouse.io.spreadsheet import csv_text
from watchhouse.services.access import log_access
from watchhouse.services.calendars import working_calendar
from watchhouse.services.context import AppContext
from watchhouse.services.crimes import RECORD, add_key_event, log

WORKLIST = "worklist"


def _open_crime(session: Session, crime_id: int) -> None:
    row = crime_repo.crime_row(session=session, crime_id=crime_id)
    if row.outcome_code != 0:
        raise Conflict("this crime has an outcome; its investigation is finished")


def staff(ctx: AppContext, *, actor: Actor) -> tuple[list[UserView], list[UserView]]:
    """Active investigators and supervisors, for allocation."""
    with ctx.db.transaction() as session:
        users = [u for u in user_repo.list_users(session=session) if u.active]
    return (
        [u for u in users if u.role is Role.INVESTIGATOR],
        [u for u in users if u.role is Role.SUPERVISOR],
    )


def allocate(
    ctx: AppContext,
    *,
    actor: Actor,
    crime_id: int,
    investigator_id: int | None,
    supervisor_id: int | None,
    team: str,
) -> None:
    """Allocate a crime to an investigator (or a team) under a supervisor; the plan and the
    first review fall due from the first allocation."""
    if investigator_id is None and not team.strip():
        raise ValidationFailed.one("investigator_id", "choose an investigator or name a team")
    now = ctx.now()
    inv = ctx.policy.investigations
    with ctx.db.transaction() as session:
        _open_crime(session, crime_id)
        for field, user_id, roles in (
            ("investigator_id", investigator_id, {Role.INVESTIGATOR.value, Role.SUPERVISOR.value}),
            ("supervisor_id", supervisor_id, {Role.SUPERVISOR.value}),
        ):
            if (
                user_id is not None
                and crime_repo.user_role(session=session, user_id=user_id) not in roles
            ):
                raise ValidationFailed.one(field, "choose someone who holds that role")
        row = crime_repo.crime_row(session=session, crime_id=crime_id)
        first = row.allocated_at is None
        allocated_at = now if first else row.allocated_at
        assert allocated_at is not None
        values: dict[str, object] = {
            "allocated_to": investigator_id,
            "supervisor_id": supervisor_id
            if supervisor_id is not None
            else (actor.user_id if actor.role is Role.SUPERVISOR else row.supervisor_id),
            "allocated_team": team.strip() or row.allocated_team,
            "allocated_by": actor.user_id,
            "awaiting_allocation": False,
        }
        if first:
            values |= {
                "allocated_at": allocated_at,
                "plan_due_at": plan_due(allocated_at, inv.plan_rules()),
                "next_review_due_at": next_review_due(allocated_at, [], inv.review_rules()),
            }
        crime_repo.update_crime(session=session, crime_id=crime_id, **values)
        log(ctx, session, actor, Operation.ALTERATION, crime_id)


def write_plan(ctx: AppContext, *, actor: Actor, crime_id: int, content: PlanContent) -> PlanCheck:
    """Save the investigation plan and check its quality against the force's rules."""
    require_some_content(content)
    tidy = tidy_plan(content)
    now = ctx.now()
    with ctx.db.transaction() as session:
        _open_crime(session, crime_id)
        crime = crime_repo.crime_view(session=session, crime_id=crime_id)
        result = check_plan(
            tidy,
            ctx.policy.investigations.plan_rules(),
            safeguarding_needed=crime.domestic_abuse or any(v.enhanced for v in crime.victims),
            suspect_identified=any(s.identified for s in crime.suspects),
        )
        inv_repo.add_plan(
            session=session,
            crime_id=crime_id,
            content=tidy,
            check=result,
            due_at=crime.plan_due_at,
            by=actor.user_id,
            now=now,
        )
        row = crime_repo.crime_row(session=session, crime_id=crime_id)
        crime_repo.update_crime(
            session=session,
            crime_id=crime_id,
            plan_written_at=row.plan_written_at or now,
            plan_checked_at=None,
        )
        log(ctx, session, actor, Operation.ALTERATION, crime_id)
        return result


def check_current_plan(
    ctx: AppContext, *, actor: Actor, crime_id: int, adequate: bool, note: str
) -> None:
    """The supervisor's quality check of the current plan (inadequate needs a note)."""
    if not adequate and not note.strip():
        raise ValidationFailed.one("check_note", "say what the plan needs")
    with ctx.db.transaction() as session:
        _open_crime(session, crime_id)
        inv_repo.check_current_plan(
            session=session,
            crime_id=crime_id,
            adequate=adequate,
            note=note.strip(),
            by=actor.user_id,
            now=ctx.now(),
        )
        crime_repo.update_crime(session=session, crime_id=crime_id, plan_checked_at=ctx.now())
        log(ctx, session, actor, Operation.ALTERATION, crime_id)


def review(ctx: AppContext, *, actor: Actor, crime_id: int, direction: str) -> datetime:
    """Record a supervisor's review and the direction given; returns the next review's date."""
    check_review(direction)
    now = ctx.now()
    with ctx.db.transaction() as session:
        _open_crime(session, crime_id)
        row = crime_repo.crime_row(session=session, crime_id=crime_id)
        if row.allocated_at is None:
            raise Conflict("allocate the crime before reviewing it")
        inv_repo.add_review(
            session=session,
            crime_id=crime_id,
            direction=direction.strip(),
            due_at=row.next_review_due_at,
            by=actor.user_id,
            now=now,
        )
        done = [r.reviewed_at for r in inv_repo.reviews(session=session, crime_id=crime_id)]
        following = next_review_due(
            row.allocated_at, done, ctx.policy.investigations.review_rules()
        )
        crime_repo.update_crime(session=session, crime_id=crime_id, next_review_due_at=following)
        log(ctx, session, actor, Operation.ALTERATION, crime_id)
        return following


def record_outcome(
    ctx: AppContext,
    *,
    actor: Actor,
    crime_id: int,
    outcome: OutcomeType,
    rationale: str,
    victim_supports_action: bool | None,
    victim_withdrawal: str,
    override_reason: str,
) -> None:
    """Give the crime a Home Office outcome if the rules allow it; victims are owed an update."""
    now = ctx.now()
    with ctx.db.transaction() as session:
        _open_crime(session, crime_id)
        crime = crime_repo.crime_view(session=session, crime_id=crime_id)
        check_outcome(
            OutcomeDecision(
                outcome=outcome,
                rationale=rationale,
                suspect_identified=any(s.identified for s in crime.suspects),
                suspect_named=any(s.person_id is not None for s in crime.suspects),
                domestic_abuse=crime.domestic_abuse,
                victim_supports_action=victim_supports_action,
                victim_withdrawal=victim_withdrawal,
                override_reason=override_reason,
                by_supervisor=actor.role is Role.SUPERVISOR,
            ),
            ctx.policy.investigations.outcome_rules(),
        )
        crime_repo.update_crime(
            session=session,
            crime_id=crime_id,
            outcome_code=int(outcome),
            outcome_at=now,
            outcome_by=actor.user_id,
            outcome_rationale=rationale.strip() or None,
            outcome_override_reason=override_reason.strip() or None,
            victim_supports_action=victim_supports_action,
            victim_withdrawal=victim_withdrawal.strip() or None,
            next_review_due_at=None,
            awaiting_allocation=False,
        )
        add_key_event(ctx, session, actor, crime_id, KeyEvent.OUTCOME, now, outcome.label)
        log(ctx, session, actor, Operation.ALTERATION, crime_id)


def ask_bureau(
    ctx: AppContext, *, actor: Actor, crime_id: int, task: BureauTask, detail: str
) -> int:
    """Give the crime admin bureau a task, due in the policy's working days."""
    if task is BureauTask.OTHER and not detail.strip():
        raise ValidationFailed.one("detail", "say what the bureau should do")
    now = ctx.now()
    due = working_calendar(ctx).deadline(now, ctx.policy.investigations.bureau_task_working_days)
    with ctx.db.transaction() as session:
        crime_repo.crime_row(session=session, crime_id=crime_id)
        task_id = inv_repo.add_task(
            session=session,
            crime_id=crime_id,
            task=task.value,
            detail=detail.strip(),
            due_at=due,
            by=actor.user_id,
            now=now,
        )
        log(ctx, session, actor, Operation.ALTERATION, crime_id)
        return task_id


def complete_bureau_task(ctx: AppContext, *, actor: Actor, task_id: int, result: str) -> int:
    """Mark a bureau task done, with what was done; returns its crime's id."""
    with ctx.db.transaction() as session:
        row = inv_repo.task_row(session=session, task_id=task_id)
        if row.done_at is not None:
            raise Conflict("this task is already done")
        crime_id = inv_repo.complete_task(
            session=session,
            task_id=task_id,
            result=result.strip(),
            by=actor.user_id,
            now=ctx.now(),
        )
        log(ctx, session, actor, Operation.ALTERATION, crime_id)
        return crime_id


def investigator_worklist(ctx: AppContext, *, actor: Actor) -> Worklist:
    """The signed-in investigator's plans due, victim updates, support referrals and VPS offers."""
    return _own_worklist(ctx, actor, "investigator", "My investigations")


def supervisor_worklist(ctx: AppContext, *, actor: Actor) -> Worklist:
    """The signed-in supervisor's reviews due, plans to check, overdue plans and updates, and
    crimes waiting to be allocated."""
    return _own_worklist(ctx, actor, "supervisor", "Supervision")


def _own_worklist(
    ctx: AppContext, actor: Actor, role: Literal["investigator", "supervisor"], title: str
) -> Worklist:
    """One person's own worklist, read and logged as a consultation in one transaction."""
    sections_for = (
        inv_repo.investigator_sections if role == "investigator" else inv_repo.supervisor_sections
    )
    with ctx.db.transaction() as session:
        sections = sections_for(
            session=session,
            user_id=actor.user_id,
            now=ctx.now(),
            limit=ctx.policy.investigations.worklist_limit,
        )
        log(
            ctx,
            session,
            actor,
            Operation.CONSULTATION,
            f"{role} {actor.user_id}",
            record_type=WORKLIST,
            justification="own worklist",
        )
    return Worklist(title, sections)


def bureau_worklist(ctx: AppContext, *, actor: Actor) -> BureauWorklist:
    """The crime admin bureau's open tasks by due date, and its recent turnaround."""
    with ctx.db.transaction() as session:
        result = inv_repo.bureau_worklist(
            session=session, now=ctx.now(), limit=ctx.policy.investigations.worklist_limit
        )
        log(
            ctx,
            session,
            actor,
            Operation.CONSULTATION,
            "crime admin bureau",
            record_type=WORKLIST,
            justification="bureau worklist",
        )
    return result


WorklistName = Literal["investigator", "supervisor", "bureau"]


def _when(ctx: AppContext, moment: datetime | None) -> str:
    """A stored time as the force's local wall-clock time for a spreadsheet."""
    return format_local(moment, ctx.policy.force.timezone, "%Y-%m-%d %H:%M")


def export_worklist(
    ctx: AppContext,
    *,
    actor: Actor,
    which: WorklistName,
    justification: str,
    recipient: str,
) -> tuple[str, str]:
    """A worklist as CSV (safe for spreadsheets) and a file name: the signed-in person's own
    (investigator or supervisor: plans, reviews, Victims' Code updates and the other
    deadlines) or the crime admin bureau's open tasks. Each crime in it is logged as a
    disclosure with the reason given and the recipient, in the read's transaction."""
    now = ctx.now()
    limit = ctx.policy.investigations.worklist_limit
    header: tuple[str, ...]
    rows: list[tuple[object, ...]]
    with ctx.db.transaction() as session:
        if which == "bureau":
            queue = inv_repo.bureau_worklist(session=session, now=now, limit=limit)
            header = ("crime", "crime type", "task", "detail", "requested at", "requested by")
            header += ("due at", "overdue")
            rows = [
                (
                    f"CR{t.crime_id:07d}",
                    t.crime_type,
                    label_of(t.task),
                    t.detail,
                    _when(ctx, t.requested_at),
                    t.requested_by or "",
                    _when(ctx, t.due_at),
                    "yes" if t.due_at < now else "no",
                )
                for t in queue.open_tasks
            ]
            crimes = [t.crime_id for t in queue.open_tasks]
        else:
            sections_for = (
                inv_repo.investigator_sections
                if which == "investigator"
                else inv_repo.supervisor_sections
            )
            sections = sections_for(session=session, user_id=actor.user_id, now=now, limit=limit)
            header = ("section", "crime", "crime type", "domestic abuse", "due at", "overdue")
            header += ("detail",)
            rows = [
                (
                    s.title,
                    f"CR{i.crime_id:07d}",
                    i.crime_type,
                    "yes" if i.domestic_abuse else "no",
                    _when(ctx, i.due_at),
                    "yes" if i.overdue else "no",
                    i.detail,
                )
                for s in sections
                for i in s.items
            ]
            crimes = [i.crime_id for s in sections for i in s.items]
        for crime_id in dict.fromkeys(crimes):  # each crime once, in the order listed
            log_access(
                ctx,
                session=session,
                actor=actor,
                operation=Operation.DISCLOSURE,
                record_type=RECORD,
                record_id=crime_id,
                justification=justification,
                recipient=recipient.strip() or actor.username,
            )
        if not crimes:  # an empty list discloses nothing, but the export is still on record
            log_access(
                ctx,
                session=session,
                actor=actor,
                operation=Operation.DISCLOSURE,
                record_type=WORKLIST,
                record_id=f"{which} {actor.user_id}" if which != "bureau" else "crime admin bureau",
                justification=justification,
                recipient=recipient.strip() or actor.username,
            )
    stamp = to_local(now, ctx.policy.force.timezone).strftime("%Y-%m-%d-%H%M")
    return csv_text(header, rows), f"worklist-{which}-{stamp}.csv"
