"""Issue 16, item 5: before showing personal data outside the person's own work, ask them why
(a reason from policy's list plus free text) and log exactly what they gave; the API's
X-Justification must be one of policy's reason codes."""

from __future__ import annotations

import pytest

from watchhouse.domain.access import AccessQuery
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.thrive import Engagement, Level, ThriveAssessment
from watchhouse.domain.values import Channel, Grade
from watchhouse.services import access, accounts, contacts

pytestmark = pytest.mark.web


def _logged(ctx, actors, username):  # type: ignore[no-untyped-def]
    return [
        (e.record_type, e.record_id, e.justification)
        for e in access.search_access_log(
            ctx, actor=actors[Role.AUDITOR], query=AccessQuery(username=username)
        )
        if e.operation.value == "consultation"
    ]


def _contact(ctx, actors) -> int:  # type: ignore[no-untyped-def]
    return contacts.take_contact(
        ctx,
        actor=actors[Role.CALL_HANDLER],
        new=NewContact(
            channel=Channel.NON_EMERGENCY_101,
            caller_given_name="Ada",
            caller_family_name="Quill",
            telephone="07700 900456",
            summary="Shed broken into",
        ),
    ).contact_id


def test_a_search_without_a_reason_is_refused_and_with_one_logs_what_was_given(
    ctx, actors, client_as
):
    contact_id = _contact(ctx, actors)
    investigator = client_as(Role.INVESTIGATOR).client
    asked = investigator.get("/search", params={"q": "Quill"})  # e.g. from the home page
    assert asked.status_code == 200
    assert "Choose a reason for searching" in asked.text
    assert "Ada Quill" not in asked.text
    refused = investigator.get("/search", params={"q": "Quill", "justification": ""})
    assert refused.status_code == 422
    assert "choose a reason" in refused.text
    assert "Ada Quill" not in refused.text
    assert _logged(ctx, actors, actors[Role.INVESTIGATOR].username) == []
    wrong = investigator.get("/search", params={"q": "Quill", "justification": "curiosity"})
    assert wrong.status_code == 422
    assert "not a reason this force allows" in wrong.text

    page = investigator.get(
        "/search",
        params={
            "q": "Quill",
            "justification": "investigation",
            "justification_text": "burglary CR0000007",
        },
    )
    assert page.status_code == 200
    assert "Ada Quill" in page.text
    assert '<option value="investigation" selected>' in page.text
    logged = _logged(ctx, actors, actors[Role.INVESTIGATOR].username)
    assert ("contact", str(contact_id), "investigation: burglary CR0000007") in logged
    assert all(reason == "investigation: burglary CR0000007" for _, _, reason in logged)
    # The results link on to the records with the same reason.
    assert f"/contacts/{contact_id}?justification=investigation" in page.text


def test_a_person_page_asks_why_first_and_logs_the_reason_and_free_text(
    ctx, actors, client_as, existing_records
):
    person = existing_records.person_id
    supervisor = client_as(Role.SUPERVISOR).client
    before = _logged(ctx, actors, actors[Role.SUPERVISOR].username)
    prompt = supervisor.get(f"/people/{person}")
    assert prompt.status_code == 200
    assert "Why are you viewing person N" in prompt.text
    assert "Lowe" not in prompt.text  # nothing personal shown before a reason
    assert '<option value="safeguarding">' in prompt.text
    assert _logged(ctx, actors, actors[Role.SUPERVISOR].username) == before

    empty = supervisor.get(f"/people/{person}", params={"justification": ""})
    assert empty.status_code == 422
    assert "choose a reason from the list" in empty.text

    shown = supervisor.get(
        f"/people/{person}",
        params={"justification": "safeguarding", "justification_text": "  welfare   check "},
    )
    assert shown.status_code == 200
    assert "Lowe" in shown.text
    assert f"N{person:07d}" in shown.text
    assert ("person", str(person), "safeguarding: welfare check") in _logged(
        ctx, actors, "supervisor"
    )


def test_another_handlers_contact_needs_a_reason_and_ones_own_is_logged_as_own_work(
    ctx, actors, client_as
):
    contact_id = _contact(ctx, actors)
    accounts.add_user(
        ctx,
        username="handler2",
        display_name="Second Handler",
        role=Role.CALL_HANDLER,
        password="correct horse battery staple",
    )
    own = client_as(Role.CALL_HANDLER).client.get(f"/contacts/{contact_id}")
    assert own.status_code == 200
    assert "Shed broken into" in own.text
    assert _logged(ctx, actors, actors[Role.CALL_HANDLER].username) == [
        ("contact", str(contact_id), f"own work: contact C{contact_id:07d} taken by you")
    ]
    # A second handler, signed in at the same time, is asked why.
    from fastapi.testclient import TestClient

    second = TestClient(client_as(None).client.app, follow_redirects=False)
    signed = second.get("/login")
    csrf = signed.cookies.get("wh_login_csrf")
    second.post(
        "/login",
        data={
            "username": "handler2",
            "password": "correct horse battery staple",
            "csrf_token": csrf,
        },
    )
    prompt = second.get(f"/contacts/{contact_id}")
    assert "Why are you viewing contact" in prompt.text
    assert "Shed broken into" not in prompt.text
    assert _logged(ctx, actors, "handler2") == []
    shown = second.get(
        f"/contacts/{contact_id}",
        params={"justification": "current_incident", "justification_text": "caller rang back"},
    )
    assert "Shed broken into" in shown.text
    assert _logged(ctx, actors, "handler2") == [
        ("contact", str(contact_id), "current_incident: caller rang back")
    ]


def test_the_api_takes_only_a_policy_reason_code_in_x_justification(ctx, actors, client_as):
    contact_id = _contact(ctx, actors)
    supervisor = client_as(Role.SUPERVISOR).client
    missing = supervisor.get(f"/api/contacts/{contact_id}")
    assert missing.status_code == 422
    assert "justification" in missing.text
    free = supervisor.get(f"/api/contacts/{contact_id}", headers={"X-Justification": "because"})
    assert free.status_code == 422
    assert "X-Justification" in free.text and "not a reason this force allows" in free.text
    good = supervisor.get(
        f"/api/contacts/{contact_id}",
        headers={"X-Justification": "supervision: quality check of 101 calls"},
    )
    assert good.status_code == 200
    assert _logged(ctx, actors, actors[Role.SUPERVISOR].username) == [
        ("contact", str(contact_id), "supervision: quality check of 101 calls")
    ]


def _signed_in_as_second_handler(ctx, client_as):  # type: ignore[no-untyped-def]
    """A second call handler, signed in beside the first, with a session and CSRF token."""
    from datetime import timedelta

    from fastapi.testclient import TestClient

    from watchhouse.auth.tokens import new_token, token_digest
    from watchhouse.db.repositories import users as user_repo

    added = accounts.add_user(
        ctx,
        username="handler2",
        display_name="Second Handler",
        role=Role.CALL_HANDLER,
        password="correct horse battery staple",
    )
    client = TestClient(client_as(None).client.app, follow_redirects=False)
    token, csrf = new_token(), new_token()
    with ctx.db.transaction() as session:
        user_repo.start_session(
            session=session,
            user_id=added.id,
            token_digest=token_digest(token),
            csrf_token=csrf,
            kind="browser",
            now=ctx.now(),
            expires_at=ctx.now() + timedelta(hours=12),
        )
    client.cookies.set("wh_session", token)
    return client, csrf


THRIVE_FORM = {
    "threat": "2",
    "harm": "2",
    "risk": "2",
    "investigation": "2",
    "vulnerability": "1",
    "engagement": "scheduled_attendance",
}
REASON = {"justification": "current_incident", "justification_text": "caller rang back"}
CARRIED = "justification=current_incident&amp;justification_text=caller+rang+back"


def test_a_reason_given_for_a_contact_is_carried_through_its_forms_and_logged_each_time(
    ctx, actors, client_as
):
    """Issue 15: the person who gave a reason is not asked again for each action on the
    same record; every showing is still logged with the reason they gave."""
    contact_id = _contact(ctx, actors)
    second, csrf = _signed_in_as_second_handler(ctx, client_as)
    shown = second.get(f"/contacts/{contact_id}", params=REASON)
    assert shown.status_code == 200
    assert f'action="/contacts/{contact_id}/thrive?{CARRIED}"' in shown.text

    assessed = second.post(
        f"/contacts/{contact_id}/thrive", params=REASON, data={"csrf_token": csrf, **THRIVE_FORM}
    )
    assert assessed.status_code == 303
    after = assessed.headers["location"]
    assert after == (
        f"/contacts/{contact_id}?justification=current_incident"
        "&justification_text=caller+rang+back#grade"
    )
    page = second.get(after)
    assert page.status_code == 200
    assert "Why are you viewing" not in page.text
    assert "Shed broken into" in page.text
    assert f'action="/contacts/{contact_id}/grade?{CARRIED}"' in page.text

    graded = second.post(
        f"/contacts/{contact_id}/grade",
        params=REASON,
        data={"csrf_token": csrf, "grade": "3", "departure_reason": ""},
    )
    assert graded.status_code == 303
    assert "justification=current_incident" in graded.headers["location"]
    assert second.get(graded.headers["location"]).status_code == 200

    shown_to_second = _logged(ctx, actors, "handler2")
    assert (
        shown_to_second == [("contact", str(contact_id), "current_incident: caller rang back")] * 3
    )


def test_a_refused_form_keeps_the_reason_and_without_one_the_person_is_asked(
    ctx, actors, client_as
):
    contact_id = _contact(ctx, actors)
    second, csrf = _signed_in_as_second_handler(ctx, client_as)
    incomplete = {k: v for k, v in THRIVE_FORM.items() if k != "harm"}
    refused = second.post(
        f"/contacts/{contact_id}/thrive", params=REASON, data={"csrf_token": csrf, **incomplete}
    )
    assert refused.status_code == 422
    assert "choose one of the options" in refused.text
    assert f'action="/contacts/{contact_id}/thrive?{CARRIED}"' in refused.text
    # A form sent without the reason (an old tab) does its work but the page then asks why.
    assessed = second.post(
        f"/contacts/{contact_id}/thrive", data={"csrf_token": csrf, **THRIVE_FORM}
    )
    assert assessed.headers["location"] == f"/contacts/{contact_id}#grade"
    assert _logged(ctx, actors, "handler2") == [
        ("contact", str(contact_id), "current_incident: caller rang back")
    ]


def test_an_incident_shown_for_a_reason_links_to_its_contact_with_the_same_reason(
    ctx, actors, client_as
):
    contact_id = _contact(ctx, actors)
    contacts.assess_thrive(
        ctx,
        actor=actors[Role.CALL_HANDLER],
        contact_id=contact_id,
        assessment=ThriveAssessment(
            threat=Level.MEDIUM,
            harm=Level.MEDIUM,
            risk=Level.MEDIUM,
            investigation=Level.LOW,
            vulnerability=Level.LOW,
            engagement=Engagement.PROMPT_ATTENDANCE,
        ),
        notes={},
    )
    incident_id = contacts.grade_contact(
        ctx, actor=actors[Role.CALL_HANDLER], contact_id=contact_id, grade=Grade.PRIORITY
    )
    second, _csrf = _signed_in_as_second_handler(ctx, client_as)
    incident = second.get(f"/incidents/{incident_id}", params=REASON)
    assert incident.status_code == 200
    assert f'href="/contacts/{contact_id}?{CARRIED}"' in incident.text
    contact = second.get(f"/contacts/{contact_id}", params=REASON)
    assert "Why are you viewing" not in contact.text
    assert sorted(_logged(ctx, actors, "handler2")) == [
        ("contact", str(contact_id), "current_incident: caller rang back"),
        ("incident", str(incident_id), "current_incident: caller rang back"),
    ]
