"""Recording what a partner agency did with a referral, from the incident page."""

from __future__ import annotations

import pytest

from watchhouse.domain.roles import Role

pytestmark = pytest.mark.web


def test_handler_records_acceptance_then_completion_with_outcome(existing_records, client_as):
    handler = client_as(Role.CALL_HANDLER)
    url = f"/referrals/{existing_records.referral_id}"
    token = {"csrf_token": handler.csrf}
    accepted = handler.client.post(url, data={**token, "status": "accepted"})
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/incidents/{existing_records.incident_id}"
    no_outcome = handler.client.post(url, data={**token, "status": "completed"})
    assert no_outcome.status_code == 422
    done = handler.client.post(
        url, data={**token, "status": "completed", "outcome": "Crisis team visited"}
    )
    assert done.status_code == 303
    page = handler.client.get(f"/incidents/{existing_records.incident_id}")
    assert "completed" in page.text
    assert "Crisis team visited" in page.text
    again = handler.client.post(url, data={**token, "status": "declined", "outcome": "x"})
    assert again.status_code == 409
