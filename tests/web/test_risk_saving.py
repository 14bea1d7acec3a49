"""Issue 15, point 3: the DASH form says truthfully when answers are saved."""

from __future__ import annotations

import pytest

from watchhouse.domain.roles import Role

pytestmark = pytest.mark.web


def test_save_progress_confirms_with_the_time_and_the_answers_are_there_on_return(
    existing_records, client_as, clock
) -> None:
    officer = client_as(Role.OFFICER)
    url = f"/incidents/{existing_records.incident_id}/risk"
    assert "No answers saved yet." in officer.client.get(url).text
    saved = officer.client.post(
        f"{url}/answers", data={"csrf_token": officer.csrf, "a_q02": "no", "finish": "save"}
    )
    assert saved.status_code == 303
    confirmed = officer.client.get(saved.headers["location"])
    assert "Progress saved at" in confirmed.text
    later = officer.client.get(url)
    assert 'name="a_q02" value="no" checked' in later.text
    assert "Answers saved at" in later.text


def test_one_answer_saved_as_it_is_chosen_is_kept_and_its_time_returned(
    existing_records, client_as
) -> None:
    officer = client_as(Role.OFFICER)
    url = f"/incidents/{existing_records.incident_id}/risk"
    officer.client.get(url)
    saved = officer.client.post(
        f"{url}/answers", data={"csrf_token": officer.csrf, "a_q03": "yes", "autosave": "yes"}
    )
    assert saved.status_code == 200
    assert len(saved.json()["saved_at"]) == 5  # HH:MM
    assert 'name="a_q03" value="yes" checked' in officer.client.get(url).text
    wrong = officer.client.post(
        f"{url}/answers", data={"csrf_token": officer.csrf, "a_q03": "maybe", "autosave": "yes"}
    )
    assert wrong.status_code == 422
    assert wrong.json()["problems"][0]["field"] == "q03"
