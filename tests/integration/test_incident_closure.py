"""Issue 15, point 2: closing or cancelling an incident needs a reason; cancelling an urgent
one needs a supervisor or a recorded rationale; "crime recorded" needs the crime."""

from __future__ import annotations

import pytest

from support import knife_incident
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.incident_flow import Closure
from watchhouse.domain.investigation_records import HowReported, NewCrime
from watchhouse.domain.roles import Actor, Role
from watchhouse.services import crimes, incidents
from watchhouse.services.context import AppContext

pytestmark = pytest.mark.integration


def _grade_one(ctx: AppContext, handler: Actor, where: str, summary: str = "Knife") -> int:
    return knife_incident(ctx, handler, where, summary)


def _attended(ctx: AppContext, actors: dict[Role, Actor], where: str) -> int:
    incident_id = _grade_one(ctx, actors[Role.CALL_HANDLER], where)
    dispatcher = actors[Role.DISPATCHER]
    incidents.deploy(ctx, actor=dispatcher, incident_id=incident_id, unit="AB12")
    incidents.record_arrival(
        ctx,
        actor=dispatcher,
        incident_id=incident_id,
        body_worn_video=True,
        attending_officer_id=actors[Role.OFFICER].user_id,
    )
    return incident_id


def _incident(ctx: AppContext, actor: Actor, incident_id: int):  # type: ignore[no-untyped-def]
    return incidents.get_incident(
        ctx, actor=actor, incident_id=incident_id, justification="test"
    ).incident


def test_a_closure_without_a_reason_is_refused_and_the_incident_stays_open(
    ctx, actors, neighbourhoods
) -> None:
    dispatcher = actors[Role.DISPATCHER]
    incident_id = _attended(ctx, actors, neighbourhoods["urban"])
    with pytest.raises(ValidationFailed) as refused:
        incidents.close_incident(
            ctx,
            actor=dispatcher,
            incident_id=incident_id,
            closure=Closure.RESOLVED_AT_SCENE,
            reason="",
        )
    assert refused.value.problems[0].field == "reason"
    with pytest.raises(ValidationFailed, match="not a reason for closing as cancelled"):
        incidents.close_incident(
            ctx,
            actor=dispatcher,
            incident_id=incident_id,
            closure=Closure.CANCELLED,
            reason="advice_given",
            rationale="the caller rang back",
        )
    assert _incident(ctx, dispatcher, incident_id).closed_at is None


def test_a_dispatcher_cancels_a_grade_1_only_with_a_rationale_and_is_recorded_as_deciding(
    ctx, actors, neighbourhoods
) -> None:
    dispatcher = actors[Role.DISPATCHER]
    incident_id = _grade_one(ctx, actors[Role.CALL_HANDLER], neighbourhoods["urban"])
    with pytest.raises(ValidationFailed) as refused:
        incidents.close_incident(
            ctx,
            actor=dispatcher,
            incident_id=incident_id,
            closure=Closure.CANCELLED,
            reason="caller_withdrew",
        )
    assert refused.value.problems[0].field == "rationale"
    assert _incident(ctx, dispatcher, incident_id).status == "open"

    incidents.close_incident(
        ctx,
        actor=dispatcher,
        incident_id=incident_id,
        closure=Closure.CANCELLED,
        reason="caller_withdrew",
        rationale="Caller rang back: the man has left and no one is hurt",
    )
    closed = _incident(ctx, dispatcher, incident_id)
    assert (closed.closure, closed.closure_reason) == ("cancelled", "caller_withdrew")
    assert closed.closure_authority == "rationale"
    assert closed.closure_rationale == "Caller rang back: the man has left and no one is hurt"
    assert closed.closed_by == dispatcher.display_name


def test_a_supervisor_cancels_a_grade_1_on_their_own_authority(ctx, actors, neighbourhoods) -> None:
    supervisor = actors[Role.SUPERVISOR]
    incident_id = _grade_one(ctx, actors[Role.CALL_HANDLER], neighbourhoods["urban"])
    incidents.close_incident(
        ctx,
        actor=supervisor,
        incident_id=incident_id,
        closure=Closure.CANCELLED,
        reason="duplicate",
    )
    closed = _incident(ctx, supervisor, incident_id)
    assert (closed.closure_authority, closed.closed_by) == ("supervisor", supervisor.display_name)


def test_crime_recorded_needs_a_crime_that_exists_and_is_linked_to_the_incident(
    ctx, actors, neighbourhoods
) -> None:
    dispatcher, officer = actors[Role.DISPATCHER], actors[Role.OFFICER]
    incident_id = _attended(ctx, actors, neighbourhoods["urban"])
    other_id = _attended(ctx, actors, neighbourhoods["urban"])
    other_crime = crimes.record_crime(
        ctx,
        actor=officer,
        new=NewCrime(
            offence_code="common_assault",
            summary="Punched",
            how_reported=HowReported.INCIDENT,
            incident_id=other_id,
        ),
    )

    def close(reference: str) -> None:
        incidents.close_incident(
            ctx,
            actor=dispatcher,
            incident_id=incident_id,
            closure=Closure.CRIME_RECORDED,
            reason="crime_recorded",
            crime_reference=reference,
        )

    for reference, message in (
        ("", "give the reference of the crime"),
        ("CR0099999", "there is no crime CR0099999"),
        (f"CR{other_crime:07d}", "is not linked to"),
    ):
        with pytest.raises(ValidationFailed, match=message):
            close(reference)
    assert _incident(ctx, dispatcher, incident_id).closed_at is None

    crime_id = crimes.record_crime(
        ctx,
        actor=officer,
        new=NewCrime(
            offence_code="common_assault",
            summary="Threatened with a knife",
            how_reported=HowReported.INCIDENT,
            incident_id=incident_id,
        ),
    )
    close(f"CR{crime_id:07d}")
    closed = _incident(ctx, dispatcher, incident_id)
    assert (closed.closure, closed.closure_crime_id) == ("crime_recorded", crime_id)
