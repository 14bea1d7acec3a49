"""The neighbourhood officer's worklist and plan page, used through the forms."""

from __future__ import annotations

import pytest

from watchhouse.domain.roles import Role

pytestmark = pytest.mark.web


def test_officer_takes_on_a_plan_adds_an_action_and_closes_it(existing_records, client_as):
    officer = client_as(Role.NEIGHBOURHOOD_OFFICER)
    plan_id = existing_records.plan_id
    worklist = officer.client.get("/plans")
    assert worklist.status_code == 200
    assert f"P{plan_id:07d}" in worklist.text
    assert "OVERDUE" not in worklist.text
    token = {"csrf_token": officer.csrf}
    assert officer.client.post(f"/plans/{plan_id}/ownership", data=token).status_code == 303
    added = officer.client.post(
        f"/plans/{plan_id}/actions", data={**token, "action": "Joint visit with housing"}
    )
    assert added.status_code == 303
    page = officer.client.get(f"/plans/{plan_id}")
    assert "Joint visit with housing" in page.text
    assert "Neighbourhood officer" in page.text  # the owner's display name
    empty = officer.client.post(f"/plans/{plan_id}/closure", data={**token, "result": ""})
    assert empty.status_code == 422
    closed = officer.client.post(
        f"/plans/{plan_id}/closure", data={**token, "result": "Calls stopped"}
    )
    assert closed.status_code == 303
    assert f"P{plan_id:07d}" not in officer.client.get("/plans").text


def test_call_handler_sees_the_open_plan_on_the_contact_screen(existing_records, client_as):
    handler = client_as(Role.CALL_HANDLER)
    page = handler.client.get(f"/contacts/{existing_records.contact_id}")
    assert page.status_code == 200
    assert "Open problem-solving plan" in page.text
    assert f"P{existing_records.plan_id:07d}" in page.text
