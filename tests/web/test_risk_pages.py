"""The officer's risk assessment form: answers kept between visits, completion, refusal."""

from __future__ import annotations

import pytest

from watchhouse.domain.roles import Role

pytestmark = pytest.mark.web


def test_officer_saves_part_way_comes_back_and_completes(existing_records, client_as):
    officer = client_as(Role.OFFICER)
    url = f"/incidents/{existing_records.incident_id}/risk"
    form = officer.client.get(url)
    assert form.status_code == 200
    assert "Has the current incident resulted in injury?" in form.text
    token = {"csrf_token": officer.csrf}
    saved = officer.client.post(f"{url}/answers", data={**token, "a_q01": "yes", "finish": "save"})
    assert saved.status_code == 303
    back = officer.client.get(url)
    assert 'name="a_q01" value="yes" checked' in back.text
    answers = {f"a_q{i:02d}": "yes" for i in range(1, 15)}
    done = officer.client.post(f"{url}/answers", data={**token, **answers, "finish": "complete"})
    assert done.status_code == 303
    result = officer.client.get(url)
    assert 'class="risk-level">high<' in result.text
    assert "Referred to MARAC" in result.text


def test_raising_without_a_reason_re_renders_with_the_problem(existing_records, client_as):
    officer = client_as(Role.OFFICER)
    url = f"/incidents/{existing_records.incident_id}/risk"
    officer.client.get(url)
    answer = officer.client.post(
        f"{url}/answers",
        data={
            "csrf_token": officer.csrf,
            "a_q01": "yes",
            "finish": "complete",
            "judged_level": "high",
            "rationale": "",
        },
    )
    assert answer.status_code == 422
    assert "say why you raise the level" in answer.text


def test_dispatcher_may_not_open_the_risk_form(existing_records, client_as):
    dispatcher = client_as(Role.DISPATCHER)
    refused = dispatcher.client.get(f"/incidents/{existing_records.incident_id}/risk")
    assert refused.status_code == 403


def test_a_refusal_needs_a_judged_level_and_the_result_links_back_to_the_incident(
    existing_records, client_as
):
    officer = client_as(Role.OFFICER)
    url = f"/incidents/{existing_records.incident_id}/risk"
    officer.client.get(url)
    token = {"csrf_token": officer.csrf, "refusal_reason": "abuser in the room"}
    missing = officer.client.post(f"{url}/refusal", data=token)
    assert missing.status_code == 422
    assert "record the risk level from your professional judgement" in missing.text
    done = officer.client.post(
        f"{url}/refusal",
        data={**token, "refusal_level": "high", "refusal_rationale": "threats to kill"},
    )
    assert done.status_code == 303
    result = officer.client.get(url).text
    assert 'class="risk-level">high<' in result
    assert "Referred to MARAC" in result
    assert f'href="/incidents/{existing_records.incident_id}"' in result
    assert "Back to the incident" in result
