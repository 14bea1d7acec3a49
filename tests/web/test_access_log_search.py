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


def _users(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<tr><td>[^<]*</td><td title="username ([^"]*)">', body)


def test_the_user_is_found_by_the_name_the_table_shows_or_the_username(
    existing_records, client_as, actors
):
    auditor = client_as(Role.AUDITOR)
    handler = actors[Role.CALL_HANDLER]
    page = auditor.client.get("/access-log")
    assert "User (name or username)" in page.text
    assert {handler.username} < set(_users(page.text))  # others are in the log too
    for typed in (
        handler.display_name,
        handler.display_name.upper(),
        f" {handler.display_name.lower()} ",
        handler.username,
        handler.username.upper(),
    ):
        found = auditor.client.get("/access-log", params={"username": typed})
        assert found.status_code == 200
        users = _users(found.text)
        assert users, typed
        assert set(users) == {handler.username}, typed
        assert f">{handler.display_name}</td>" in found.text
    nobody = auditor.client.get("/access-log", params={"username": "No Such Person"})
    assert "No entries match." in nobody.text
