"""The demo opens in a believable state: its live incidents are within their attendance
targets when someone opens it (the first-hour walk found a grade 1 already breached on a fresh
demo), and the crime the demo officer recorded from the domestic abuse call comes from an
incident that officer attended."""

from __future__ import annotations

import pytest
from tests.conftest import FakeClock

from watchhouse.domain.roles import Actor, Role
from watchhouse.services import incidents, reference
from watchhouse.services.context import AppContext
from watchhouse.services.demo import NEIGHBOURHOODS
from watchhouse.services.demo_crimes import build_demo_crimes
from watchhouse.services.demo_incidents import build_demo_incidents

# The rest of the demo's build after its live incidents (crimes, audits, the first identity
# linkage, the repeat-caller batch) and a newcomer's first look at the queue.
OPENING_MINUTES = 5


@pytest.fixture
def demo_live(ctx: AppContext, actors: dict[Role, Actor]) -> AppContext:
    """The demo's neighbourhoods, its live incidents and crimes, in a store of every role."""
    for code, name, settlement in NEIGHBOURHOODS:
        reference.add_neighbourhood(ctx, code=code, name=name, settlement=settlement)
    live = build_demo_incidents(ctx, actors)
    build_demo_crimes(
        ctx,
        actors,
        harassment_incident=live.harassment,
        domestic_incident=live.domestic,
        shed_incident=live.shed,
    )
    return ctx


def test_a_fresh_demo_opens_with_no_incident_past_its_attendance_target(
    demo_live: AppContext, actors: dict[Role, Actor], clock: FakeClock
) -> None:
    clock.advance(minutes=OPENING_MINUTES)
    queue = incidents.dispatch_queue(demo_live, actor=actors[Role.SUPERVISOR])
    grades = sorted(entry.incident.grade.value for entry in queue)
    assert grades == [1, 2, 3]  # an emergency, a priority and a scheduled incident to show
    for entry in queue:
        assert not entry.attendance.breached, entry.incident.summary
        assert entry.attendance.time_left is not None
        assert entry.attendance.time_left.total_seconds() > 0, entry.incident.summary


def test_the_officer_recorded_the_domestic_abuse_crime_from_an_incident_they_attended(
    demo_live: AppContext, actors: dict[Role, Actor], clock: FakeClock
) -> None:
    queue = incidents.dispatch_queue(demo_live, actor=actors[Role.SUPERVISOR])
    domestic = next(e.incident for e in queue if e.incident.domestic_abuse)
    assert domestic.attending_officer == actors[Role.OFFICER].display_name
    assert domestic.arrived_at is not None and domestic.arrived_at < clock()
    assert not next(e.attendance for e in queue if e.incident.domestic_abuse).breached
