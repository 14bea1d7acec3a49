"""The JSON API: contacts with idempotency, bad input named field by field, and the whole flow."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from watchhouse.domain.roles import Role
from watchhouse.services import accounts
from watchhouse.web.security import SESSION_COOKIE

pytestmark = pytest.mark.web

KNIFE_CALL = {
    "channel": "999",
    "caller_given_name": "Sam",
    "caller_family_name": "Lowe",
    "telephone": "07700 900123",
    "location_description": "High Street",
    "neighbourhood_code": "central",
    "summary": "Man with a knife in the street",
}
KNIFE_THRIVE = {
    "threat": 3,
    "harm": 3,
    "risk": 3,
    "investigation": 2,
    "vulnerability": 1,
    "engagement": "immediate_attendance",
    "indicators": ["violence"],
    "notes": {"threat": "knife seen"},
}


def _problems(response) -> dict[str, str]:
    body = response.json()
    assert body["message"]
    return {p["field"]: p["reason"] for p in body["problems"]}


def _count_contacts(ctx) -> int:
    with ctx.db.transaction() as session:
        return int(session.execute(text("SELECT count(*) FROM contacts")).scalar_one())


@pytest.fixture
def bearer(app, ctx, actors):
    """Make a cookie-less client carrying an API bearer token for a role's user."""

    def make(role: Role) -> TestClient:
        token = accounts.issue_api_token(ctx, username=role.value)
        return TestClient(app, follow_redirects=False, headers={"Authorization": f"Bearer {token}"})

    return make


@pytest.fixture
def handler_api(bearer, neighbourhoods) -> TestClient:
    """A telephony system posting contacts as the call handler."""
    return bearer(Role.CALL_HANDLER)


def test_post_contact_creates_it_and_answers_201_with_the_contact(handler_api, clock):
    response = handler_api.post("/api/contacts", json=KNIFE_CALL)
    assert response.status_code == 201
    body = response.json()
    assert body["reference"] == f"C{body['id']:07d}"
    assert body["channel"] == "999"
    assert body["status"] == "open"
    assert body["caller_name"] == "Sam Lowe"
    assert body["telephone"] == "+447700900123"
    assert body["location"]["neighbourhood"] == "Central"
    assert body["summary"] == KNIFE_CALL["summary"]
    assert body["incident"] is None
    assert body["earlier_contacts"] == []
    assert body["presented_at"].startswith("2026-03-10T14:00:00")


def test_same_idempotency_key_returns_the_first_contact_with_200(handler_api, ctx):
    headers = {"Idempotency-Key": "telephony-call-42"}
    first = handler_api.post("/api/contacts", json=KNIFE_CALL, headers=headers)
    again = handler_api.post("/api/contacts", json=KNIFE_CALL, headers=headers)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert _count_contacts(ctx) == 1
    other = handler_api.post(
        "/api/contacts", json=KNIFE_CALL, headers={"Idempotency-Key": "telephony-call-43"}
    )
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]
    assert _count_contacts(ctx) == 2


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"channel": "998"}, "channel", "999"),
        ({"date_of_birth": "2026-03-11"}, "date_of_birth", "is in the future"),
        ({"telephone": "call me maybe"}, "telephone", "telephone number"),
        ({"neighbourhood_code": "atlantis"}, "neighbourhood_code", "no neighbourhood"),
        ({"summary": "  "}, "summary", "say what is happening"),
        ({"postcode": "XX"}, "postcode", "not a UK postcode"),
    ],
    ids=["channel", "future-birth", "telephone", "neighbourhood", "summary", "postcode"],
)
def test_bad_contact_answers_422_naming_the_field_and_reason(
    handler_api, ctx, change, field, reason
):
    response = handler_api.post("/api/contacts", json={**KNIFE_CALL, **change})
    assert response.status_code == 422
    problems = _problems(response)
    assert field in problems, problems
    assert reason in problems[field]
    assert _count_contacts(ctx) == 0


def test_several_bad_fields_are_all_named_in_one_answer(handler_api):
    response = handler_api.post(
        "/api/contacts",
        json={**KNIFE_CALL, "date_of_birth": "2030-01-01", "telephone": "12", "summary": ""},
    )
    assert response.status_code == 422
    assert set(_problems(response)) == {"date_of_birth", "telephone", "summary"}


def test_full_flow_with_bearer_tokens_needs_no_csrf(bearer, neighbourhoods, clock, actors):
    handler, dispatcher = bearer(Role.CALL_HANDLER), bearer(Role.DISPATCHER)

    contact = handler.post("/api/contacts", json=KNIFE_CALL)
    assert contact.status_code == 201
    contact_id = contact.json()["id"]

    suggestion = handler.post(f"/api/contacts/{contact_id}/thrive", json=KNIFE_THRIVE)
    assert suggestion.status_code == 200
    assert suggestion.json()["grade"] == 1
    assert "emergency indicator: violence" in suggestion.json()["reasons"]

    graded = handler.post(f"/api/contacts/{contact_id}/grade", json={"grade": 1})
    assert graded.status_code == 201
    incident = graded.json()
    incident_id = incident["id"]
    assert incident["status"] == "open"
    assert incident["target_seconds"] == 15 * 60
    assert incident["contact_id"] == contact_id

    queue = dispatcher.get("/api/queue")
    assert queue.status_code == 200
    assert [i["id"] for i in queue.json()] == [incident_id]

    deployed = dispatcher.post(f"/api/incidents/{incident_id}/deployment", json={"unit": "AB12"})
    assert deployed.status_code == 200
    assert deployed.json()["status"] == "deployed"
    assert deployed.json()["deployed_unit"] == "AB12"

    clock.advance(minutes=9)
    arrived = dispatcher.post(
        f"/api/incidents/{incident_id}/arrival",
        json={"body_worn_video": True, "attending_officer_id": actors[Role.OFFICER].user_id},
    )
    assert arrived.status_code == 200
    assert arrived.json()["status"] == "attended"
    assert arrived.json()["body_worn_video"] is True
    assert arrived.json()["breached"] is False

    closed = dispatcher.post(
        f"/api/incidents/{incident_id}/closure",
        json={"closure": "resolved_at_scene", "reason": "offender_dealt_with", "note": "arrested"},
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["closure"] == "resolved_at_scene"
    assert dispatcher.get("/api/queue").json() == []

    seen = handler.get(
        f"/api/contacts/{contact_id}", headers={"X-Justification": "current_incident: follow-up"}
    )
    assert seen.json()["incident"]["status"] == "closed"
    assert seen.json()["suggestion"]["grade"] == 1


def test_bearer_token_still_meets_the_permission_table(bearer, neighbourhoods):
    analyst = bearer(Role.ANALYST)
    assert analyst.post("/api/contacts", json=KNIFE_CALL).status_code == 403


def test_api_token_is_not_accepted_as_a_session_cookie(app, ctx, actors):
    token = accounts.issue_api_token(ctx, username=Role.SUPERVISOR.value)
    client = TestClient(app, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, token)
    assert client.get("/api/queue").status_code == 401
    assert client.get("/").headers["location"] == "/login"


def test_unknown_bearer_token_is_not_signed_in(app, actors):
    client = TestClient(app, headers={"Authorization": "Bearer not-a-token"})
    response = client.get("/api/queue")
    assert response.status_code == 401
    assert "sign in" in response.json()["message"]


def test_grade_departing_from_suggestion_without_reason_answers_422(handler_api):
    contact_id = handler_api.post("/api/contacts", json=KNIFE_CALL).json()["id"]
    handler_api.post(f"/api/contacts/{contact_id}/thrive", json=KNIFE_THRIVE)
    refused = handler_api.post(f"/api/contacts/{contact_id}/grade", json={"grade": 2})
    assert refused.status_code == 422
    assert "suggested grade 1" in _problems(refused)["departure_reason"]
    accepted = handler_api.post(
        f"/api/contacts/{contact_id}/grade",
        json={"grade": 2, "departure_reason": "suspect has left"},
    )
    assert accepted.status_code == 201
    assert accepted.json()["departure_reason"] == "suspect has left"
    assert accepted.json()["suggested_grade"] == 1


def test_openapi_lists_every_api_path(client_as: Callable, app):
    signed = client_as(Role.ANALYST)
    response = signed.client.get("/api/openapi.json")
    assert response.status_code == 200
    listed = set(response.json()["paths"])
    expected = {
        path
        for path in _route_paths(app)
        if path.startswith("/api/") and path != "/api/openapi.json"
    }
    assert len(expected) >= 10
    assert expected <= listed, f"missing from OpenAPI: {sorted(expected - listed)}"
    assert response.json()["paths"]["/api/contacts"]["post"]["responses"]["422"]


def _route_paths(app) -> set[str]:
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: app.routes is already flat
        return {getattr(r, "path", "") for r in app.routes}
    return {c.path for c in iter_route_contexts(app.routes) if c.path}


def test_reading_a_contact_needs_a_policy_reason_code_unless_it_is_ones_own(handler_api, bearer):
    contact_id = handler_api.post("/api/contacts", json=KNIFE_CALL).json()["id"]
    own = handler_api.get(f"/api/contacts/{contact_id}")
    assert own.status_code == 200
    supervisor = bearer(Role.SUPERVISOR)
    refused = supervisor.get(f"/api/contacts/{contact_id}")
    assert refused.status_code == 422
    assert "justification" in _problems(refused)
    free_text = supervisor.get(
        f"/api/contacts/{contact_id}", headers={"X-Justification": "caller rang back"}
    )
    assert free_text.status_code == 422
    assert "X-Justification" in _problems(free_text)
    read = supervisor.get(
        f"/api/contacts/{contact_id}",
        headers={"X-Justification": "current_incident: caller rang back"},
    )
    assert read.status_code == 200
    log = bearer(Role.AUDITOR).get(
        "/api/access-log", params={"operation": "consultation", "record_id": str(contact_id)}
    )
    reasons = [e["justification"] for e in log.json()]
    assert "current_incident: caller rang back" in reasons
    assert f"own work: contact C{contact_id:07d} taken by you" in reasons


def test_reading_a_missing_contact_answers_404_as_json(handler_api):
    response = handler_api.get("/api/contacts/999999", headers={"X-Justification": "supervision"})
    assert response.status_code == 404
    assert response.json()["message"]
