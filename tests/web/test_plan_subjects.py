"""Problem-solving plans say whom they are about and lead to the caller and the contacts; the
neighbourhood officer's home page leads to them."""

from __future__ import annotations

import pytest

from watchhouse.domain.plans import plan_title, readable_subject
from watchhouse.domain.roles import Role

pytestmark = pytest.mark.web


def test_an_address_plan_reads_as_an_address():
    assert readable_subject("address", "ab3 4gh|5 canal row") == "5 Canal Row, AB3 4GH"
    assert plan_title("address", "ab3 4gh|5 canal row") == "5 Canal Row, AB3 4GH (address)"
    assert plan_title("person", "Jean Harper") == "Jean Harper (caller)"


def test_a_plan_names_the_caller_links_them_and_lists_the_contacts(existing_records, client_as):
    officer = client_as(Role.NEIGHBOURHOOD_OFFICER)
    listed = officer.client.get("/plans").text
    assert f'<a href="/people/{existing_records.person_id}">Sam Lowe (caller)</a>' in listed
    page = officer.client.get(f"/plans/{existing_records.plan_id}").text
    assert "<h1>Sam Lowe (caller)" in page
    assert f'href="/people/{existing_records.person_id}" id="plan-caller"' in page
    contacts = page.split('id="plan-contacts"', 1)[1].split("</table>", 1)[0]
    reference = f"C{existing_records.contact_id:07d}"
    assert f'<a href="/contacts/{existing_records.contact_id}">{reference}</a>' in contacts
    # Each contact names its caller (issue 15, the demo walked as a neighbourhood officer: it
    # said "known caller").
    person_link = f'<a href="/people/{existing_records.person_id}">Sam Lowe</a>'
    assert person_link in contacts
    assert "known caller" not in contacts


def test_the_neighbourhood_officers_home_page_leads_to_their_plans(client_as):
    home = client_as(Role.NEIGHBOURHOOD_OFFICER).client.get("/").text
    assert 'href="/plans"' in home
    assert "later releases" not in home
