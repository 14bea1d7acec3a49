"""An officer recording their own arrival is the attending officer: their queue offers no
"Officer attending" select; a dispatcher's queue still asks who attended."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from watchhouse.domain.roles import Role
from watchhouse.services import incidents

pytestmark = pytest.mark.web


def test_the_officers_queue_has_no_officer_select_and_their_arrival_names_them(
    ctx, actors, client_as: Callable, existing_records
) -> None:
    incident_id = existing_records.incident_id
    incidents.deploy(ctx, actor=actors[Role.DISPATCHER], incident_id=incident_id, unit="A12")
    dispatcher = client_as(Role.DISPATCHER).client.get("/dispatch")
    assert f'id="officer-{incident_id}" name="attending_officer"' in dispatcher.text
    assert "Their body-worn video" in dispatcher.text
    officer = client_as(Role.OFFICER)
    page = officer.client.get("/dispatch")
    assert page.status_code == 200
    assert f'action="/incidents/{incident_id}/arrival"' in page.text
    assert 'name="attending_officer"' not in page.text
    assert "You, as attending officer." in page.text
    assert "Your body-worn video" in page.text  # not "Their": it is the officer's own
    posted = officer.client.post(
        f"/incidents/{incident_id}/arrival",
        data={"csrf_token": officer.csrf, "body_worn_video": "yes", "back": "dispatch"},
    )
    assert posted.status_code == 303
    entry = incidents.get_incident(
        ctx, actor=actors[Role.OFFICER], incident_id=incident_id, justification="supervision"
    )
    assert entry.incident.attending_officer == actors[Role.OFFICER].display_name
