"""Issue 15, point 5: the handler's THRIVE domestic abuse flag marks the incident as domestic
abuse from the start, and the policy's tighter domestic abuse target applies in the queue."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from support import partner_shouting_incident
from watchhouse.domain.roles import Role
from watchhouse.domain.thrive import Level, VulnerabilityFlag
from watchhouse.services import incidents

pytestmark = pytest.mark.integration


def _priority(ctx, actors, where: str, flags: frozenset[VulnerabilityFlag]) -> int:  # type: ignore[no-untyped-def]
    return partner_shouting_incident(
        ctx, actors[Role.CALL_HANDLER], where, "Partner shouting", flags
    )


def test_the_thrive_flag_marks_the_incident_and_the_tighter_target_applies(
    ctx, actors, neighbourhoods
) -> None:
    policy = ctx.policy.model_copy(
        update={
            "domestic_abuse": ctx.policy.domestic_abuse.model_copy(
                update={"grade_2_attendance_minutes": 30}
            )
        }
    )
    tight = replace(ctx, policy=policy)
    flagged = _priority(
        tight, actors, neighbourhoods["urban"], frozenset({VulnerabilityFlag.DOMESTIC_ABUSE})
    )
    other = _priority(tight, actors, neighbourhoods["urban"], frozenset())
    queue = {
        e.incident.id: e for e in incidents.dispatch_queue(tight, actor=actors[Role.DISPATCHER])
    }
    assert queue[flagged].incident.domestic_abuse is True
    assert queue[other].incident.domestic_abuse is False
    assert queue[flagged].attendance.target == timedelta(minutes=30)
    assert queue[other].attendance.target == timedelta(minutes=60)
    # The queue and the incident page show the handler's flags to those who attend.
    thrive = queue[flagged].incident.thrive
    assert thrive is not None
    assert thrive.domestic_abuse and thrive.risk == Level.HIGH
    # Without the policy setting, domestic abuse keeps the grade's target.
    plain = incidents.dispatch_queue(ctx, actor=actors[Role.DISPATCHER])
    assert {e.incident.id: e.attendance.target for e in plain}[flagged] == timedelta(minutes=60)
