"""The daily repeat-contact batch lists everyone over a threshold at the end of the day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from watchhouse.domain.access import AccessQuery, Operation
from watchhouse.domain.records import NewContact
from watchhouse.domain.repeats import RepeatBasis
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel
from watchhouse.services import contacts
from watchhouse.services.access import search_access_log
from watchhouse.services.repeats import daily_repeats

pytestmark = pytest.mark.integration

DAY = date(2026, 3, 12)


def _call(ctx, handler, clock, at: datetime, telephone: str, **extra: object) -> int:  # type: ignore[no-untyped-def]
    clock.set(at)
    new = NewContact(
        channel=Channel.NON_EMERGENCY_101, telephone=telephone, summary="Noise", **extra
    )  # type: ignore[arg-type]
    return contacts.take_contact(ctx, actor=handler, new=new).contact_id


def test_fourth_contact_in_a_week_on_the_day_is_listed_and_third_is_not(ctx, actors, clock):
    handler = actors[Role.CALL_HANDLER]
    day = datetime(2026, 3, 12, 10, 0, tzinfo=UTC)
    for days_before in (5, 3, 1):
        _call(ctx, handler, clock, day - timedelta(days=days_before), "07700 900111")
    for days_before in (4, 2):
        _call(ctx, handler, clock, day - timedelta(days=days_before), "07700 900222")
    _call(ctx, handler, clock, day, "07700 900111")
    _call(ctx, handler, clock, day, "07700 900222")
    clock.set(day + timedelta(days=1))
    found = daily_repeats(ctx, actor=actors[Role.SUPERVISOR], day=DAY)
    telephones = [c for c in found if c.basis == RepeatBasis.TELEPHONE]
    assert len(telephones) == 1
    (crossing,) = telephones
    assert [(rule.within.days, n) for rule, n in crossing.crossed] == [(7, 4)]


def test_someone_over_the_threshold_with_no_contact_that_day_is_not_listed_again(
    ctx, actors, clock
):
    handler = actors[Role.CALL_HANDLER]
    day = datetime(2026, 3, 11, 10, 0, tzinfo=UTC)
    for hours in range(4):
        _call(ctx, handler, clock, day + timedelta(hours=hours), "07700 900333")
    clock.set(day + timedelta(days=3))
    assert [c.basis for c in daily_repeats(ctx, actor=actors[Role.SUPERVISOR], day=DAY)] == []
    assert len(daily_repeats(ctx, actor=actors[Role.SUPERVISOR], day=date(2026, 3, 11))) == 1


def test_the_day_is_the_local_day_and_the_batch_is_logged(ctx, actors, clock, neighbourhoods):
    handler = actors[Role.CALL_HANDLER]
    # 23:30 UTC on 11 July is 00:30 BST on 12 July: it belongs to the local day 12 July.
    late = datetime(2026, 7, 11, 23, 30, tzinfo=UTC)
    for days_before in (3, 2, 1, 0):
        _call(
            ctx,
            handler,
            clock,
            late - timedelta(days=days_before),
            "07700 900444",
            location_description="14 Mill Lane",
            postcode="WH1 4AB",
            neighbourhood_code="central",
        )
    clock.set(late + timedelta(days=1))
    supervisor = actors[Role.SUPERVISOR]
    on_the_12th = daily_repeats(ctx, actor=supervisor, day=date(2026, 7, 12))
    assert {c.basis for c in on_the_12th} == {RepeatBasis.TELEPHONE, RepeatBasis.ADDRESS}
    logged = search_access_log(
        ctx,
        actor=supervisor,
        query=AccessQuery(operation=Operation.CONSULTATION, record_type="repeat_batch"),
    )
    assert [e.record_id for e in logged] == ["2026-07-12"]
