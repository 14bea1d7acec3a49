"""The investigations JSON API: a key event makes an update due, recording it clears it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from watchhouse.domain.roles import Role

pytestmark = pytest.mark.web


def test_a_charge_through_the_api_makes_an_update_due_and_recording_it_clears_it(
    client_as, existing_records, clock
):
    signed = client_as(Role.INVESTIGATOR)
    headers = {"X-CSRF-Token": signed.csrf}
    crime_url = f"/api/crimes/{existing_records.crime_id}"
    response = signed.client.post(
        f"{crime_url}/events", json={"kind": "charge", "note": "Charged"}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    charge = [u for u in body["updates"] if u["event"] == "charge"]
    assert len(charge) == 1 and charge[0]["required"] and not charge[0]["overdue"]
    # Tuesday 10 March 2026 14:00, a standard victim: five working days, Tuesday 17 March 17:00
    assert datetime.fromisoformat(charge[0]["due_at"]) == datetime(2026, 3, 17, 17, tzinfo=UTC)
    cleared = signed.client.post(
        f"{crime_url}/updates/{charge[0]['id']}",
        json={"method": "email", "note": "Emailed the court date"},
        headers=headers,
    )
    assert cleared.status_code == 200
    (given,) = [u for u in cleared.json()["updates"] if u["id"] == charge[0]["id"]]
    assert given["contacted_at"] is not None


def test_an_outcome_cannot_be_recorded_as_a_key_event(client_as, existing_records):
    signed = client_as(Role.INVESTIGATOR)
    response = signed.client.post(
        f"/api/crimes/{existing_records.crime_id}/events",
        json={"kind": "outcome"},
        headers={"X-CSRF-Token": signed.csrf},
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "kind"


def test_the_worklists_through_the_api(client_as, existing_records):
    mine = client_as(Role.INVESTIGATOR).client.get("/api/worklists/investigator").json()
    plans = next(s for s in mine["sections"] if s["title"] == "Plans due")
    assert [i["crime_id"] for i in plans["items"]] == [existing_records.crime_id]
    supervision = client_as(Role.SUPERVISOR).client.get("/api/worklists/supervisor").json()
    assert {s["title"] for s in supervision["sections"]} >= {"Reviews due", "Plans to check"}
