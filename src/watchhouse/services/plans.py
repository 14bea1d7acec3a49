"""Problem-solving plans for repeat callers: opened by the daily batch, worked by the team."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from watchhouse.db.repositories import plans
from watchhouse.domain.access import Operation
from watchhouse.domain.errors import Conflict, ValidationFailed
from watchhouse.domain.plans import first_review_due, review_overdue
from watchhouse.domain.records import PlanContact, PlanView
from watchhouse.domain.repeats import RepeatBasis
from watchhouse.domain.roles import Actor
from watchhouse.services.access import log_access
from watchhouse.services.context import AppContext
from watchhouse.services.repeats import RepeatCrossing, daily_repeats

PLAN = "problem_solving_plan"


@dataclass(frozen=True)
class BatchResult:
    """What the daily batch found and the plans it opened."""

    crossings: list[RepeatCrossing]
    plans_opened: list[int]


@dataclass(frozen=True)
class WorklistItem:
    """A plan on the neighbourhood team's worklist."""

    plan: PlanView
    overdue: bool


def run_daily_batch(ctx: AppContext, *, actor: Actor, day: date) -> BatchResult:
    """List the day's threshold crossings and open a plan for each subject without one."""
    crossings = daily_repeats(ctx, actor=actor, day=day)
    opened = []
    now = ctx.now()
    with ctx.db.transaction() as session:
        for crossing in crossings:
            key = str(crossing.key)
            basis = crossing.basis.value
            if plans.open_plan_id(session=session, basis=basis, subject_key=key) is not None:
                continue
            plan_id = plans.add_plan(
                session=session,
                basis=basis,
                subject_key=key,
                person_id=int(key) if crossing.basis == RepeatBasis.PERSON else None,
                telephone_number_id=int(key) if crossing.basis == RepeatBasis.TELEPHONE else None,
                neighbourhood_id=plans.latest_neighbourhood(
                    session=session, basis=basis, subject_key=key
                ),
                opened_at=now,
                trigger=f"{day:%d %b %Y}: "
                + "; ".join(f"{n} contacts ({rule.label})" for rule, n in crossing.crossed),
                review_due_at=first_review_due(now, ctx.policy.problem_solving.review_days),
            )
            log_access(
                ctx,
                session=session,
                actor=actor,
                operation=Operation.COLLECTION,
                record_type=PLAN,
                record_id=plan_id,
            )
            opened.append(plan_id)
    return BatchResult(crossings, opened)


def worklist(
    ctx: AppContext, *, actor: Actor, neighbourhood_code: str | None = None
) -> list[WorklistItem]:
    """Open plans, soonest review first, with overdue reviews flagged."""
    now = ctx.now()
    with ctx.db.transaction() as session:
        found = plans.open_plans(session=session, neighbourhood_code=neighbourhood_code)
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.CONSULTATION,
            record_type="plan_worklist",
            record_id=f"{len(found)} plans",
            justification="neighbourhood problem-solving worklist",
        )
    return [WorklistItem(p, review_overdue(p.review_due_at, now, open_plan=True)) for p in found]


def get_plan(ctx: AppContext, *, actor: Actor, plan_id: int, justification: str) -> WorklistItem:
    """A plan with its actions; a logged consultation."""
    with ctx.db.transaction() as session:
        found = plans.plan(session=session, plan_id=plan_id)
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.CONSULTATION,
            record_type=PLAN,
            record_id=plan_id,
            justification=justification,
        )
    return WorklistItem(
        found, review_overdue(found.review_due_at, ctx.now(), open_plan=found.status == "open")
    )


def plan_contacts(ctx: AppContext, *, actor: Actor, plan_id: int) -> list[PlanContact]:
    """The latest contacts behind a plan, each a logged consultation."""
    with ctx.db.transaction() as session:
        found = plans.plan_contacts(session=session, plan_id=plan_id)
        for contact in found:
            log_access(
                ctx,
                session=session,
                actor=actor,
                operation=Operation.CONSULTATION,
                record_type="contact",
                record_id=contact.id,
                justification=f"contacts behind problem-solving plan P{plan_id:07d}",
            )
    return found


def subject_titles(ctx: AppContext, *, crossings: Sequence[RepeatCrossing]) -> list[str]:
    """Whom or what each crossing is about, readable (no internal ids)."""
    with ctx.db.transaction() as session:
        return [
            plans.subject_title(session=session, basis=c.basis.value, subject_key=str(c.key))
            for c in crossings
        ]


@contextmanager
def _editing(ctx: AppContext, actor: Actor, plan_id: int) -> Iterator[Session]:
    """A transaction on an open plan that ends by logging the alteration."""
    with ctx.db.transaction() as session:
        if plans.plan_row(session=session, plan_id=plan_id).status != "open":
            raise Conflict("the plan is closed")
        yield session
        log_access(
            ctx,
            session=session,
            actor=actor,
            operation=Operation.ALTERATION,
            record_type=PLAN,
            record_id=plan_id,
        )


def _change(ctx: AppContext, actor: Actor, plan_id: int, **values: object) -> None:
    with _editing(ctx, actor, plan_id) as session:
        plans.update_plan(session=session, plan_id=plan_id, **values)


def take_ownership(ctx: AppContext, *, actor: Actor, plan_id: int) -> None:
    """Make the acting user the plan's owner."""
    _change(ctx, actor, plan_id, owner_id=actor.user_id)


def set_review(ctx: AppContext, *, actor: Actor, plan_id: int, review_on: date) -> None:
    """Set the next review date (a local day); it cannot be in the past."""
    zone = ZoneInfo(ctx.policy.force.timezone)
    due = datetime.combine(review_on, time(23, 59), zone)
    if due < ctx.now():
        raise ValidationFailed.one("review_on", "is in the past")
    _change(ctx, actor, plan_id, review_due_at=due)


def add_action(ctx: AppContext, *, actor: Actor, plan_id: int, text: str) -> None:
    """Add an action to an open plan."""
    if not text.strip():
        raise ValidationFailed.one("action", "say what will be done")
    with _editing(ctx, actor, plan_id) as session:
        plans.add_action(
            session=session, plan_id=plan_id, text=text.strip(), by=actor.user_id, now=ctx.now()
        )


def complete_action(ctx: AppContext, *, actor: Actor, plan_id: int, action_id: int) -> None:
    """Mark an action of an open plan done."""
    with _editing(ctx, actor, plan_id) as session:
        plans.complete_action(session=session, plan_id=plan_id, action_id=action_id, now=ctx.now())


def close_plan(ctx: AppContext, *, actor: Actor, plan_id: int, result: str) -> None:
    """Close a plan with its result."""
    if not result.strip():
        raise ValidationFailed.one("result", "record what the plan achieved")
    _change(ctx, actor, plan_id, status="closed", closed_at=ctx.now(), result=result.strip())
