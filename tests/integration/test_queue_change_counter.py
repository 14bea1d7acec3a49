"""Issue 15, point 1: the live queue's change marker moves with every change, concurrent ones
included, and never depends on the times stored on incidents."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest

from support import knife_incident
from watchhouse.domain.roles import Role
from watchhouse.services import incidents

pytestmark = pytest.mark.integration


def _graded(ctx, actors, where: str) -> int:  # type: ignore[no-untyped-def]
    return knife_incident(ctx, actors[Role.CALL_HANDLER], where)


def test_the_marker_moves_after_a_future_dated_incident_and_with_concurrent_changes(
    ctx, actors, neighbourhoods
) -> None:
    future = replace(ctx, clock=lambda: ctx.now() + timedelta(hours=5))
    _graded(future, actors, neighbourhoods["urban"])
    first = _graded(ctx, actors, neighbourhoods["urban"])
    second = _graded(ctx, actors, neighbourhoods["urban"])
    before = incidents.queue_version(ctx)
    incidents.deploy(ctx, actor=actors[Role.DISPATCHER], incident_id=first, unit="AB1")
    after_one = incidents.queue_version(ctx)
    assert after_one != before

    def deploy(incident_id: int) -> None:
        incidents.deploy(ctx, actor=actors[Role.DISPATCHER], incident_id=incident_id, unit="CD2")

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(deploy, [first, second]))
    counted_before = int(after_one.split(":")[0])
    assert int(incidents.queue_version(ctx).split(":")[0]) == counted_before + 2
