"""The auditor searches the access log by the references people see, and picks the record
type from a list (in any case)."""

from __future__ import annotations

import re

import pytest

from watchhouse.domain.roles import Role

pytestmark = pytest.mark.web


def _records(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    # The user cell carries the username as a title: cells may have attributes.
    cell = r"<td[^>]*>[^<]*</td>"
    return re.findall(rf"<tr>{cell}{cell}{cell}<td>([^<]*)</td>", body)


def test_the_log_is_searched_by_the_reference_on_the_screen(existing_records, client_as):
    auditor = client_as(Role.AUDITOR)
    reference = f"C{existing_records.contact_id:07d}"
    for typed in (reference, reference.lower(), f" {reference[:3]} {reference[3:]} "):
        page = auditor.client.get("/access-log", params={"record_id": typed})
        assert page.status_code == 200
        found = _records(page.text)
        assert found, typed
        assert set(found) == {f"contact {reference}"}


def test_the_record_type_is_chosen_from_a_list_in_any_case(existing_records, client_as):
    auditor = client_as(Role.AUDITOR)
    page = auditor.client.get("/access-log")
    choices = re.findall(
        r'<option value="([a-z_]+)"',
        page.text.split('id="record_type"', 1)[1].split("</select>", 1)[0],
    )
    assert {"contact", "incident"} <= set(choices)
    upper = auditor.client.get("/access-log", params={"record_type": "CONTACT"})
    found = _records(upper.text)
    assert found and all(r.startswith("contact ") for r in found)
    assert '<option value="contact" selected>' in upper.text


def test_a_reference_of_another_type_than_the_one_chosen_is_named(existing_records, client_as):
    auditor = client_as(Role.AUDITOR)
    reference = f"C{existing_records.contact_id:07d}"
    page = auditor.client.get(
        "/access-log", params={"record_id": reference, "record_type": "incident"}
    )
    assert page.status_code == 422
    assert f"{reference} is a contact reference; the record type chosen is incident" in page.text
