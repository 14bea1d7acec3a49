"""An Idempotency-Key belongs to the user who sent it and to the request it came with: another
user's same key makes their own contact, and a different request under one's own key is 409.
The bearer tokens those systems use expire by policy."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from watchhouse.domain.roles import Role
from watchhouse.services import accounts

pytestmark = pytest.mark.web

CALL = {
    "channel": "999",
    "caller_given_name": "Sam",
    "caller_family_name": "Lowe",
    "neighbourhood_code": "central",
    "summary": "Man with a knife in the street",
}
OTHER_CALL = {**CALL, "caller_given_name": "Ann", "summary": "Car on fire in the car park"}
KEY = {"Idempotency-Key": "telephony-call-7"}


def _summaries(ctx) -> list[str]:
    with ctx.db.transaction() as session:
        return list(session.execute(text("SELECT summary FROM contacts ORDER BY id")).scalars())


@pytest.fixture
def api(app, ctx, actors, neighbourhoods):  # type: ignore[no-untyped-def]
    """Make a bearer-token client for a role's user."""

    def make(role: Role) -> TestClient:
        token = accounts.issue_api_token(ctx, username=role.value)
        return TestClient(app, follow_redirects=False, headers={"Authorization": f"Bearer {token}"})

    return make


def test_another_user_with_the_same_key_gets_their_own_contact(api, ctx) -> None:
    first = api(Role.CALL_HANDLER).post("/api/contacts", json=CALL, headers=KEY)
    second = api(Role.SUPERVISOR).post("/api/contacts", json=OTHER_CALL, headers=KEY)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["id"] != first.json()["id"]
    assert second.json()["summary"] == OTHER_CALL["summary"]
    assert _summaries(ctx) == [CALL["summary"], OTHER_CALL["summary"]]


def test_a_different_body_with_the_same_key_is_409_naming_the_key(api, ctx) -> None:
    handler = api(Role.CALL_HANDLER)
    assert handler.post("/api/contacts", json=CALL, headers=KEY).status_code == 201
    refused = handler.post("/api/contacts", json=OTHER_CALL, headers=KEY)
    assert refused.status_code == 409
    assert "telephony-call-7" in refused.json()["message"]
    assert _summaries(ctx) == [CALL["summary"]]
    retried = handler.post("/api/contacts", json=CALL, headers=KEY)
    assert retried.status_code == 200


def test_an_api_token_expires_after_the_policys_days(api, ctx, clock) -> None:
    client = api(Role.CALL_HANDLER)
    assert client.get("/api/queue").status_code != 401
    clock.advance(days=ctx.policy.security.api_token_days - 1)
    assert client.get("/api/queue").status_code != 401
    clock.advance(days=1, seconds=1)
    assert client.get("/api/queue").status_code == 401
