"""Issue 15, point 2, as the dispatcher sees it: no two-click cancellation of a grade 1."""

from __future__ import annotations

import pytest

from watchhouse.domain.investigation_records import HowReported, NewCrime
from watchhouse.domain.roles import Role
from watchhouse.services import crimes, incidents

pytestmark = pytest.mark.web


def test_the_queue_has_no_one_click_closure_only_a_way_to_the_incident(
    existing_records, client_as
) -> None:
    dispatcher = client_as(Role.DISPATCHER)
    queue = dispatcher.client.get("/dispatch")
    assert queue.status_code == 200
    assert f'action="/incidents/{existing_records.incident_id}/closure"' not in queue.text
    assert f'href="/incidents/{existing_records.incident_id}#close"' in queue.text


def test_cancelling_a_grade_1_asks_for_confirmation_and_records_who_decided_and_why(
    existing_records, client_as
) -> None:
    dispatcher = client_as(Role.DISPATCHER)
    url = f"/incidents/{existing_records.incident_id}"
    form = dispatcher.client.get(url)
    assert 'name="reason"' in form.text and 'name="rationale"' in form.text
    decision = {
        "csrf_token": dispatcher.csrf,
        "closure": "cancelled",
        "reason": "caller_withdrew",
        "rationale": "Caller rang back: the man has gone",
    }

    asked = dispatcher.client.post(f"{url}/closure", data=decision)
    assert asked.status_code == 200
    assert "Yes, cancel" in asked.text
    assert "Caller withdrew the request" in asked.text
    assert "closed" not in dispatcher.client.get(url).text.split("<h1>")[1].split("</h1>")[0]

    no_reason = dispatcher.client.post(
        f"{url}/closure", data={**decision, "reason": "", "confirm": "yes"}
    )
    assert no_reason.status_code == 422

    done = dispatcher.client.post(f"{url}/closure", data={**decision, "confirm": "yes"})
    assert done.status_code == 303
    record = dispatcher.client.get(url).text
    assert "reason: Caller withdrew the request" in record
    assert "decided by Dispatcher" in record
    assert "rationale: Caller rang back: the man has gone" in record


def _attend(ctx, actors, incident_id: int) -> None:  # type: ignore[no-untyped-def]
    dispatcher = actors[Role.DISPATCHER]
    incidents.deploy(ctx, actor=dispatcher, incident_id=incident_id, unit="AB12")
    incidents.record_arrival(
        ctx,
        actor=dispatcher,
        incident_id=incident_id,
        body_worn_video=True,
        attending_officer_id=actors[Role.OFFICER].user_id,
    )


def test_the_close_form_offers_the_crime_recorded_from_the_incident(
    existing_records, client_as, ctx, actors
) -> None:
    """The walk: "Crimes recorded" showed CR…, the close form's crime reference box was empty."""
    _attend(ctx, actors, existing_records.incident_id)
    dispatcher = client_as(Role.DISPATCHER)
    url = f"/incidents/{existing_records.incident_id}"
    reference = f"CR{existing_records.crime_id:07d}"
    page = dispatcher.client.get(url).text
    box = page.split('id="crime_reference"')[1].split(">")[0]
    assert f'value="{reference}"' in box

    done = dispatcher.client.post(
        f"{url}/closure",
        data={
            "csrf_token": dispatcher.csrf,
            "closure": "crime_recorded",
            "reason": "crime_recorded",
            "crime_reference": reference,
        },
    )
    assert done.status_code == 303, done.text
    assert f'crime <a href="/crimes/{existing_records.crime_id}">{reference}</a>' in (
        dispatcher.client.get(url).text
    )


def test_with_several_crimes_recorded_the_close_form_lists_them_all(
    existing_records, client_as, ctx, actors
) -> None:
    second = crimes.record_crime(
        ctx,
        actor=actors[Role.OFFICER],
        new=NewCrime(
            offence_code="common_assault",
            summary="Second victim threatened",
            how_reported=HowReported.INCIDENT,
            incident_id=existing_records.incident_id,
            victim_is_caller=False,
        ),
    )
    _attend(ctx, actors, existing_records.incident_id)
    page = client_as(Role.DISPATCHER).client.get(f"/incidents/{existing_records.incident_id}")
    form = page.text.split('id="close"')[1]
    box = form.split('id="crime_reference"')[1].split(">")[0]
    assert "value=" not in box and 'list="crimes-from-incident"' in box
    choices = form.split('<datalist id="crimes-from-incident">')[1].split("</datalist>")[0]
    for crime_id in (existing_records.crime_id, second):
        assert f'value="CR{crime_id:07d}"' in choices
