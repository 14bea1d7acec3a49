"""The investigation pages through the app: recording a crime from an incident, the crime page's
forms, and the worklists."""

from __future__ import annotations

import pytest

from watchhouse.domain.roles import Role

pytestmark = pytest.mark.web


def test_an_investigator_records_a_crime_from_an_incident_and_lands_on_its_page(
    client_as, existing_records
):
    signed = client_as(Role.INVESTIGATOR)
    form = signed.client.get(f"/incidents/{existing_records.incident_id}/crime")
    assert form.status_code == 200 and "Assault with injury" in form.text
    response = signed.client.post(
        "/crimes",
        data={
            "csrf_token": signed.csrf,
            "incident_id": str(existing_records.incident_id),
            "offence_code": "assault_with_injury",
            "summary": "Cut to the arm",
            "victim_is_caller": "on",
            "domestic_abuse": "on",
            "suspect_description": "Man in a grey hoodie",
        },
    )
    assert response.status_code == 303
    page = signed.client.get(response.headers["location"])
    assert page.status_code == 200
    assert "Assault with injury" in page.text and "Sam Lowe" in page.text
    assert "enhanced rights" in page.text and "Man in a grey hoodie" in page.text


def test_an_officer_who_records_a_crime_goes_back_to_the_incident(client_as, existing_records):
    signed = client_as(Role.OFFICER)
    response = signed.client.post(
        "/crimes",
        data={
            "csrf_token": signed.csrf,
            "incident_id": str(existing_records.incident_id),
            "offence_code": "criminal_damage",
            "summary": "Window smashed",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/incidents/{existing_records.incident_id}"


def test_a_crime_form_with_problems_is_shown_again_with_what_was_typed(client_as):
    signed = client_as(Role.INVESTIGATOR)
    response = signed.client.post(
        "/crimes", data={"csrf_token": signed.csrf, "summary": "Phone stolen on the bus"}
    )
    assert response.status_code == 422
    assert "choose a crime type from the list" in response.text
    assert "Phone stolen on the bus" in response.text


def test_an_empty_plan_is_refused_on_the_crime_page(client_as, existing_records):
    signed = client_as(Role.INVESTIGATOR)
    response = signed.client.post(
        f"/crimes/{existing_records.crime_id}/plan", data={"csrf_token": signed.csrf}
    )
    assert response.status_code == 422
    assert "write at least one part of the plan" in response.text


def test_a_thin_plan_is_saved_with_its_gaps_shown(client_as, existing_records):
    signed = client_as(Role.INVESTIGATOR)
    response = signed.client.post(
        f"/crimes/{existing_records.crime_id}/plan",
        data={"csrf_token": signed.csrf, "lines_of_enquiry": "Check CCTV on the High Street"},
    )
    assert response.status_code == 303
    page = signed.client.get(f"/crimes/{existing_records.crime_id}")
    assert "not adequate" in page.text
    assert "at least 2 lines of enquiry are needed" in page.text


def test_the_worklists_show_the_allocated_crime(client_as, existing_records):
    investigator = client_as(Role.INVESTIGATOR).client.get("/investigations")
    assert investigator.status_code == 200
    assert f"CR{existing_records.crime_id:07d}" in investigator.text
    assert "Plans due" in investigator.text and "Victim updates due" in investigator.text
    supervisor = client_as(Role.SUPERVISOR).client.get("/supervision")
    assert (
        "Reviews due" in supervisor.text and f"CR{existing_records.crime_id:07d}" in supervisor.text
    )
    bureau = client_as(Role.INVESTIGATOR).client.get("/bureau")
    assert "Records check" in bureau.text and "PNC check" in bureau.text


def test_a_bureau_task_needs_to_say_what_was_done(client_as, existing_records):
    signed = client_as(Role.INVESTIGATOR)
    refused = signed.client.post(
        f"/bureau/tasks/{existing_records.task_id}/done", data={"csrf_token": signed.csrf}
    )
    assert refused.status_code == 422 and "say what was done" in refused.text
    done = signed.client.post(
        f"/bureau/tasks/{existing_records.task_id}/done",
        data={"csrf_token": signed.csrf, "result": "No trace on PNC"},
    )
    assert done.status_code == 303
    assert "No open tasks" in signed.client.get("/bureau").text
