"""`Prefer: return=minimal` on `POST /api/contacts`: the id only, the contact stored whole,
a retry with the same key finds the same contact (issue 16, Load)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from watchhouse.domain.roles import Role
from watchhouse.services import accounts

pytestmark = pytest.mark.web

CALL = {
    "channel": "101",
    "caller_given_name": "Sam",
    "caller_family_name": "Lowe",
    "telephone": "07700 900123",
    "location_description": "High Street",
    "neighbourhood_code": "central",
    "summary": "Bicycle stolen",
}
MINIMAL = {"Prefer": "return=minimal", "Idempotency-Key": "minimal-1"}


@pytest.fixture
def handler_api(app, ctx, actors, neighbourhoods) -> TestClient:  # type: ignore[no-untyped-def]
    token = accounts.issue_api_token(ctx, username=Role.CALL_HANDLER.value)
    return TestClient(app, follow_redirects=False, headers={"Authorization": f"Bearer {token}"})


def test_return_minimal_answers_the_id_and_stores_the_contact_whole(handler_api) -> None:
    created = handler_api.post("/api/contacts", json=CALL, headers=MINIMAL)
    assert created.status_code == 201
    assert set(created.json()) == {"id"}
    contact_id = created.json()["id"]
    assert created.headers["location"] == f"/api/contacts/{contact_id}"
    assert created.headers["preference-applied"] == "return=minimal"
    assert "content-security-policy" in created.headers

    again = handler_api.post("/api/contacts", json=CALL, headers=MINIMAL)
    assert again.status_code == 200
    assert again.json() == {"id": contact_id}

    screen = handler_api.get(
        f"/api/contacts/{contact_id}", headers={"X-Justification": "current_incident"}
    )
    assert screen.status_code == 200
    assert screen.json()["caller_name"] == "Sam Lowe"
    assert screen.json()["telephone"] == "+447700900123"
    assert screen.json()["location"]["neighbourhood"] == "Central"


def test_without_the_preference_the_answer_is_the_whole_contact(handler_api) -> None:
    created = handler_api.post("/api/contacts", json=CALL)
    assert created.status_code == 201
    assert created.json()["caller_name"] == "Sam Lowe"
