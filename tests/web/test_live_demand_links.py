"""Walking the demo as an analyst: Live demand linked every incident to its page, and each link
ended on "Not allowed" (an analyst may not view an incident). The reference is listed without a
link for a role that may not open it; the dispatcher's queue still links it."""

from __future__ import annotations

import pytest

from support import partner_shouting_incident
from watchhouse.domain.roles import Role

pytestmark = pytest.mark.web


def test_live_demand_does_not_link_an_analyst_to_incidents_they_may_not_open(
    ctx, actors, neighbourhoods, client_as
) -> None:
    incident_id = partner_shouting_incident(
        ctx, actors[Role.CALL_HANDLER], neighbourhoods["urban"], "Partner shouting", frozenset()
    )
    reference = f"I{incident_id:07d}"
    link = f'href="/incidents/{incident_id}"'

    analyst = client_as(Role.ANALYST).client
    assert analyst.get(f"/incidents/{incident_id}").status_code == 403
    demand = analyst.get("/dispatch")
    assert demand.status_code == 200
    assert reference in demand.text
    assert link not in demand.text

    dispatcher = client_as(Role.DISPATCHER).client
    assert link in dispatcher.get("/dispatch").text
    assert dispatcher.get(f"/incidents/{incident_id}").status_code == 200
