"""Issue 15, point 2, as the dispatcher sees it: no two-click cancellation of a grade 1."""

from __future__ import annotations

import pytest

from watchhouse.domain.roles import Role

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
