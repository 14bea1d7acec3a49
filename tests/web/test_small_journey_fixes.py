"""Small things users met on the screens: the favicon, CCTV spelled as such, a warning for a
contact with no location, and a refused form that leaves its own address in the address bar."""

from __future__ import annotations

import pytest

from watchhouse.domain.investigation_records import label_of
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel
from watchhouse.services import contacts
from watchhouse.services.contacts import NewContact

pytestmark = pytest.mark.web


def test_every_page_names_the_projects_own_favicon_and_it_is_served(client_as):
    handler = client_as(Role.CALL_HANDLER)
    assert '<link rel="icon" href="/static/favicon.svg"' in handler.client.get("/").text
    icon = handler.client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")


def test_codes_are_shown_with_their_acronyms_in_capitals():
    assert label_of("cctv_request") == "CCTV request"
    assert label_of("statement_typing") == "Statement typing"


def test_a_contact_with_no_location_says_so_as_a_warning(ctx, actors, client_as):
    taken = contacts.take_contact(
        ctx,
        actor=actors[Role.CALL_HANDLER],
        new=NewContact(channel=Channel.NON_EMERGENCY_101, summary="Caller rang off"),
    )
    page = client_as(Role.CALL_HANDLER).client.get(f"/contacts/{taken.contact_id}").text
    assert 'id="no-location" role="alert"' in page


def test_a_refused_form_puts_the_forms_own_address_back(client_as):
    auditor = client_as(Role.AUDITOR)
    refused = auditor.client.post(
        "/audits/templates",
        data={"csrf_token": auditor.csrf, "definition": "not toml ["},
        headers={"referer": "http://testserver/audits?tab=templates"},
    )
    assert refused.status_code == 422
    assert 'data-form-page-url="/audits?tab=templates"' in refused.text
    assert '<script src="/static/form-page-url.js" defer>' in refused.text
    elsewhere = auditor.client.post(
        "/audits/templates",
        data={"csrf_token": auditor.csrf, "definition": "not toml ["},
        headers={"referer": "https://example.org/audits"},
    )
    assert "data-form-page-url" not in elsewhere.text
