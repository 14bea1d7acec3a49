"""Issue 15, point 6: the arrival records which officer attended (and whether their camera was
on), distinct from the dispatcher who recorded it."""

from __future__ import annotations

import pytest

from support import knife_incident
from watchhouse.domain.errors import ValidationFailed
from watchhouse.domain.roles import Role
from watchhouse.services import incidents

pytestmark = pytest.mark.integration


def _deployed(ctx, actors, where: str) -> int:  # type: ignore[no-untyped-def]
    incident_id = knife_incident(ctx, actors[Role.CALL_HANDLER], where)
    incidents.deploy(ctx, actor=actors[Role.DISPATCHER], incident_id=incident_id, unit="AB12")
    return incident_id


def test_a_dispatcher_records_the_arrival_of_a_named_officer(ctx, actors, neighbourhoods):
    dispatcher, officer = actors[Role.DISPATCHER], actors[Role.OFFICER]
    incident_id = _deployed(ctx, actors, neighbourhoods["urban"])
    for who in (None, dispatcher.user_id, actors[Role.ANALYST].user_id):
        with pytest.raises(ValidationFailed) as refused:
            incidents.record_arrival(
                ctx,
                actor=dispatcher,
                incident_id=incident_id,
                body_worn_video=False,
                attending_officer_id=who,
            )
        assert refused.value.problems[0].field == "attending_officer"
    incidents.record_arrival(
        ctx,
        actor=dispatcher,
        incident_id=incident_id,
        body_worn_video=False,
        attending_officer_id=officer.user_id,
    )
    seen = incidents.get_incident(
        ctx, actor=dispatcher, incident_id=incident_id, justification="test"
    ).incident
    assert (seen.attending_officer, seen.body_worn_video) == (officer.display_name, False)


def test_an_officer_recording_their_own_arrival_is_the_attending_officer(
    ctx, actors, neighbourhoods
):
    officer = actors[Role.OFFICER]
    incident_id = _deployed(ctx, actors, neighbourhoods["urban"])
    incidents.record_arrival(ctx, actor=officer, incident_id=incident_id, body_worn_video=True)
    seen = incidents.get_incident(
        ctx, actor=officer, incident_id=incident_id, justification="test"
    ).incident
    assert seen.attending_officer == officer.display_name
