"""The force's own identifiers on the take-contact form and the API: one box per identifier
policy declares (with its label), values kept normalised; an undeclared one is refused with
the field named, nothing stored."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from watchhouse.db.repositories import identity as identity_repo
from watchhouse.db.tables import ContactRow
from watchhouse.domain.roles import Role
from watchhouse.policy.model import ExtraIdentifier
from watchhouse.services import accounts

pytestmark = pytest.mark.web


@pytest.fixture
def app(ctx):  # type: ignore[no-untyped-def]
    """The web app for a force that records PNC IDs and emails."""
    from watchhouse.web.app import create_app

    extra = [
        ExtraIdentifier(name="pnc_id", kind="identifier", label="PNC ID"),
        ExtraIdentifier(name="email", kind="email"),
    ]
    chosen = ctx.policy.identity.model_copy(update={"extra_identifiers": extra})
    return create_app(
        context=replace(ctx, policy=ctx.policy.model_copy(update={"identity": chosen}))
    )


def _identifiers(ctx, contact_id: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with ctx.db.transaction() as session:
        return identity_repo.identifiers_of(session=session, contact_id=contact_id)


def test_the_form_has_a_box_per_declared_identifier_and_keeps_them_normalised(ctx, client_as):
    handler = client_as(Role.CALL_HANDLER)
    page = handler.client.get("/contacts/new")
    assert '<label for="identifier_pnc_id">PNC ID</label>' in page.text
    assert '<label for="identifier_email">email</label>' in page.text
    response = handler.client.post(
        "/contacts",
        data={
            "csrf_token": handler.csrf,
            "channel": "101",
            "summary": "Bike stolen",
            "caller_family_name": "Mulcahy",
            "identifier_pnc_id": "19/0045127 k",
            "identifier_email": "",
        },
    )
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/contacts/(\d+)", response.headers["location"])
    assert found
    assert _identifiers(ctx, int(found.group(1))) == {"pnc_id": "190045127K"}


def test_the_api_takes_declared_identifiers_and_refuses_others(ctx, app, actors, neighbourhoods):
    token = accounts.issue_api_token(ctx, username=Role.CALL_HANDLER.value)
    api = TestClient(app, follow_redirects=False, headers={"Authorization": f"Bearer {token}"})
    call = {"channel": "101", "summary": "Bike stolen", "caller_family_name": "Mulcahy"}
    refused = api.post("/api/contacts", json={**call, "identifiers": {"ni_number": "QQ1"}})
    assert refused.status_code == 422
    assert "identifier_ni_number" in refused.text
    with ctx.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ContactRow)) == 0
    taken = api.post("/api/contacts", json={**call, "identifiers": {"email": "S.M@Example.org"}})
    assert taken.status_code == 201, taken.text
    assert _identifiers(ctx, taken.json()["id"]) == {"email": "s.m@example.org"}
