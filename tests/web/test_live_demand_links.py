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


def _headings(page: str) -> list[str]:
    head = page.split("<thead>")[1].split("</thead>")[0]
    return [h.split(">", 1)[1] for h in head.split("</th>")[:-1]]


def test_live_demand_has_no_empty_action_column_and_names_what_it_shows(
    ctx, actors, neighbourhoods, client_as
) -> None:
    """The walk: an analyst's Live demand had an "Action" column always empty, and a "What and
    where" heading over cells that showed only urban or rural."""
    incident_id = partner_shouting_incident(
        ctx, actors[Role.CALL_HANDLER], neighbourhoods["urban"], "Partner shouting", frozenset()
    )
    analyst = client_as(Role.ANALYST).client.get("/dispatch").text
    headings = _headings(analyst)
    assert "Action" not in headings and "What and where" not in headings
    assert "Flags · urban or rural" in headings
    row = analyst.split(f'data-incident="{incident_id}"')[1].split("</tr>")[0]
    assert row.count("<td") == len(headings)
    assert 'data-label="Action"' not in row
    assert "urban" in row and "Partner shouting" not in row

    dispatcher = client_as(Role.DISPATCHER).client.get("/dispatch").text
    headings = _headings(dispatcher)
    assert "Action" in headings and "What and where" in headings
    row = dispatcher.split(f'data-incident="{incident_id}"')[1].split("</tr>")[0]
    assert row.count("<td") == len(headings)
    assert "Partner shouting" in row
