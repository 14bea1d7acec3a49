"""The search page: for the roles allowed to, each record shown logged, links to record pages."""

from __future__ import annotations

import pytest

from watchhouse.domain.access import AccessQuery
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel
from watchhouse.services import access, contacts, incidents

pytestmark = pytest.mark.web
WHY = {"justification": "current_incident", "justification_text": "caller rang back"}


def _contact_from(ctx, actors, telephone: str) -> int:  # type: ignore[no-untyped-def]
    return contacts.take_contact(
        ctx,
        actor=actors[Role.CALL_HANDLER],
        new=NewContact(channel=Channel.NON_EMERGENCY_101, summary="Noise", telephone=telephone),
    ).contact_id


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.OFFICER, Role.ANALYST, Role.ADMINISTRATOR])
def test_roles_without_search_are_refused_and_nothing_is_logged(ctx, actors, client_as, role):
    _contact_from(ctx, actors, "07700 900123")
    response = client_as(role).client.get("/search", params={"q": "07700 900123"})
    assert response.status_code == 403
    logged = access.search_access_log(
        ctx, actor=actors[Role.AUDITOR], query=AccessQuery(username=role.value)
    )
    assert logged == []


def test_a_national_and_a_plus_44_number_find_the_same_contact_linked_to_its_page(
    ctx, actors, client_as
):
    contact_id = _contact_from(ctx, actors, "07700 900123")
    handler = client_as(Role.CALL_HANDLER).client
    for typed in ("07700 900123", "+44 7700 900123"):
        page = handler.get("/search", params={"q": typed, **WHY})
        assert page.status_code == 200
        assert (
            f'href="/contacts/{contact_id}?justification=current_incident&amp;justification_text=caller+rang+back">C{contact_id:07d}</a>'
            in page.text
        )
        assert "records found by telephone" in page.text or "record found by telephone" in page.text


def test_a_search_from_the_page_logs_each_record_shown_with_the_reason(ctx, actors, client_as):
    contact_id = _contact_from(ctx, actors, "07700 900123")
    client_as(Role.INVESTIGATOR).client.get("/search", params={"q": f" c{contact_id:07d} ", **WHY})
    logged = access.search_access_log(
        ctx, actor=actors[Role.AUDITOR], query=AccessQuery(username="investigator")
    )
    assert [(e.record_type, e.record_id, e.justification) for e in logged] == [
        ("contact", str(contact_id), "current_incident: caller rang back")
    ]


def test_an_entry_that_means_nothing_is_refused_on_the_page_saying_why(client_as):
    page = client_as(Role.SUPERVISOR).client.get("/search", params={"q": "x1"})
    assert page.status_code == 422
    assert "is not a reference" in page.text


def test_the_home_page_offers_search_and_the_handlers_recent_contacts(ctx, actors, client_as):
    contact_id = _contact_from(ctx, actors, "")
    home = client_as(Role.CALL_HANDLER).client.get("/")
    assert 'action="/search"' in home.text
    assert "My recent contacts" in home.text
    assert f'href="/contacts/{contact_id}">C{contact_id:07d}</a> 101, not graded, ' in home.text
    assert 'action="/search"' not in client_as(Role.DISPATCHER).client.get("/").text


def test_my_recent_contacts_show_channel_grade_and_status(ctx, actors, client_as, existing_records):
    home = client_as(Role.CALL_HANDLER).client.get("/")
    reference = f"C{existing_records.contact_id:07d}"
    line = home.text.split(f">{reference}</a>", 1)[1].split("</li>", 1)[0]
    assert line.startswith(" 999, grade 1, ")
    assert "knife" not in line.lower()  # no narrative on the home page


def test_an_officers_home_page_lists_the_incidents_they_attend(
    ctx, actors, client_as, existing_records
):
    officer = actors[Role.OFFICER]
    home = client_as(Role.OFFICER).client.get("/").text
    assert "My incidents" not in home
    incidents.deploy(
        ctx, actor=actors[Role.DISPATCHER], incident_id=existing_records.incident_id, unit="AB12"
    )
    incidents.record_arrival(
        ctx, actor=officer, incident_id=existing_records.incident_id, body_worn_video=True
    )
    home = client_as(Role.OFFICER).client.get("/").text
    assert "My incidents" in home
    assert (
        f'href="/incidents/{existing_records.incident_id}">I{existing_records.incident_id:07d}</a>'
        in home
    )
