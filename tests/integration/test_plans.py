"""Crossing a repeat threshold opens a problem-solving plan that the neighbourhood team works."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from watchhouse.domain.errors import Conflict, ValidationFailed
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel
from watchhouse.services import contacts, plans

pytestmark = pytest.mark.integration

DAY = datetime(2026, 3, 12, 10, 0, tzinfo=UTC)


def _four_calls(ctx, actors, clock) -> int:  # type: ignore[no-untyped-def]
    handler = actors[Role.CALL_HANDLER]
    last = 0
    for days_before in (3, 2, 1, 0):
        clock.set(DAY - timedelta(days=days_before))
        last = contacts.take_contact(
            ctx,
            actor=handler,
            new=NewContact(
                channel=Channel.NON_EMERGENCY_101,
                telephone="07700 900999",
                caller_given_name="Pat",
                date_of_birth=date(1980, 1, 1),
                caller_family_name="Reed",
                summary="Youths outside",
                location_description="3 Quay Street",
                postcode="WH1 2QS",
                neighbourhood_code="central",
            ),
        ).contact_id
    clock.set(DAY + timedelta(days=1))
    return last


def test_daily_batch_opens_one_plan_per_subject_and_a_rerun_opens_none(
    ctx, actors, clock, neighbourhoods
):
    _four_calls(ctx, actors, clock)
    officer = actors[Role.NEIGHBOURHOOD_OFFICER]
    first = plans.run_daily_batch(ctx, actor=officer, day=date(2026, 3, 12))
    assert {c.basis.value for c in first.crossings} == {"person", "telephone", "address"}
    assert len(first.plans_opened) == 3
    again = plans.run_daily_batch(ctx, actor=officer, day=date(2026, 3, 12))
    assert again.plans_opened == []
    items = plans.worklist(ctx, actor=officer, neighbourhood_code="central")
    assert len(items) == 3
    assert all(i.plan.neighbourhood == "Central" for i in items)
    assert all("more than 3 contacts in 7 days" in i.plan.trigger for i in items)
    # the day in words, as every other date on the screens, not 2026-03-12
    assert all(i.plan.trigger.startswith("12 Mar 2026: 4 contacts") for i in items)


def test_next_handler_sees_the_open_plan_on_the_contact_screen(ctx, actors, clock, neighbourhoods):
    _four_calls(ctx, actors, clock)
    plans.run_daily_batch(ctx, actor=actors[Role.SUPERVISOR], day=date(2026, 3, 12))
    handler = actors[Role.CALL_HANDLER]
    later = contacts.take_contact(
        ctx,
        actor=handler,
        new=NewContact(
            channel=Channel.EMERGENCY_999, telephone="07700 900999", summary="Back again"
        ),
    )
    view = contacts.get_contact(ctx, actor=handler, contact_id=later.contact_id, justification="t")
    assert {p.basis for p in view.open_plans} >= {"telephone"}


def test_plan_review_becomes_overdue_and_a_closed_plan_leaves_the_worklist(
    ctx, actors, clock, neighbourhoods
):
    _four_calls(ctx, actors, clock)
    officer = actors[Role.NEIGHBOURHOOD_OFFICER]
    opened = plans.run_daily_batch(ctx, actor=officer, day=date(2026, 3, 12)).plans_opened
    plan_id = opened[0]
    plans.take_ownership(ctx, actor=officer, plan_id=plan_id)
    plans.add_action(ctx, actor=officer, plan_id=plan_id, text="Visit with housing officer")
    item = plans.get_plan(ctx, actor=officer, plan_id=plan_id, justification="t")
    assert item.plan.owner == officer.display_name
    assert item.overdue is False
    clock.advance(days=15)
    assert plans.get_plan(ctx, actor=officer, plan_id=plan_id, justification="t").overdue
    with pytest.raises(ValidationFailed):
        plans.set_review(ctx, actor=officer, plan_id=plan_id, review_on=date(2026, 3, 1))
    with pytest.raises(ValidationFailed):
        plans.close_plan(ctx, actor=officer, plan_id=plan_id, result="  ")
    plans.close_plan(ctx, actor=officer, plan_id=plan_id, result="Calls stopped")
    assert plan_id not in [i.plan.id for i in plans.worklist(ctx, actor=officer)]
    with pytest.raises(Conflict):
        plans.add_action(ctx, actor=officer, plan_id=plan_id, text="too late")
