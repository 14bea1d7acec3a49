"""Issue 16 item 5 in the browser: a handler searching by name is asked why first, and the
access log holds the reason chosen and the words typed. Issue 15 item 18: the date of birth
is one tab stop, typed as DD/MM/YYYY."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from watchhouse.domain.access import AccessQuery
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Channel
from watchhouse.services import access, accounts, contacts

from .conftest import CHROMIUM, HANDLER, LiveApp
from .test_first_ring_to_arrival import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"browser tests need Debian's Chromium at {CHROMIUM}"
    ),
]


def test_a_name_search_asks_for_a_reason_and_logs_what_was_given(
    live_app: LiveApp, new_page
) -> None:
    contact_id = contacts.take_contact(
        live_app.ctx,
        actor=live_app.handler,
        new=NewContact(
            channel=Channel.NON_EMERGENCY_101,
            caller_given_name="Ada",
            caller_family_name="Quill",
            summary="Shed broken into",
        ),
    ).contact_id
    page = new_page()
    sign_in(page, *HANDLER)
    page.goto("/search")
    page.get_by_label("Reference, telephone number or name").fill("Quill")
    page.get_by_role("button", name="Search").click()
    # The browser itself refuses an empty reason (required), so nothing is asked of the server.
    expect(page.get_by_text("Ada Quill")).to_have_count(0)
    page.get_by_label("Reason for searching").select_option(label="Safeguarding or welfare concern")
    page.get_by_label("Details").fill("welfare check after 101 call")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Contact: Ada Quill")).to_be_visible()
    auditor = accounts.add_user(
        live_app.ctx,
        username="auditor1",
        display_name="Aud Itor",
        role=Role.AUDITOR,
        password="otter lantern gravel 9",
    )
    logged = access.search_access_log(
        live_app.ctx,
        actor=Actor(auditor.id, auditor.username, auditor.display_name, auditor.role),
        query=AccessQuery(username=HANDLER[0], record_type="contact"),
    )
    assert (str(contact_id), "safeguarding: welfare check after 101 call") in [
        (e.record_id, e.justification) for e in logged
    ]


def test_the_date_of_birth_is_one_tab_stop_typed_as_day_month_year(
    live_app: LiveApp, new_page
) -> None:
    page = new_page()
    sign_in(page, *HANDLER)
    page.goto("/contacts/new")
    page.get_by_label("Family name").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Date of birth")).to_be_focused()
    page.keyboard.type("07/12/1984")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Telephone")).to_be_focused()
    expect(page.get_by_label("Date of birth")).to_have_value("07/12/1984")


def test_a_reason_given_once_carries_through_assessing_and_grading_another_handlers_contact(
    live_app: LiveApp, new_page
) -> None:
    """Issue 15: a second handler gives a reason for a colleague's contact once; THRIVE and
    the grade are then recorded without being asked again, and each showing is logged with it."""
    contact_id = contacts.take_contact(
        live_app.ctx,
        actor=live_app.handler,
        new=NewContact(
            channel=Channel.NON_EMERGENCY_101,
            caller_given_name="Ada",
            caller_family_name="Quill",
            summary="Shed broken into",
        ),
    ).contact_id
    accounts.add_user(
        live_app.ctx,
        username="handler2",
        display_name="Second Handler",
        role=Role.CALL_HANDLER,
        password="correct horse battery staple",
    )
    page = new_page()
    sign_in(page, "handler2", "correct horse battery staple")
    page.goto(f"/contacts/{contact_id}")
    page.get_by_label("Reason", exact=True).select_option(value="current_incident")
    page.get_by_label("Details").fill("caller rang back")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="THRIVE assessment")).to_be_visible()
    for part in ("Threat", "Harm", "Risk", "Investigation"):
        page.get_by_role("group", name=part, exact=True).get_by_label("Medium", exact=True).check()
    page.get_by_role("group", name="Vulnerability", exact=True).get_by_label(
        "Low", exact=True
    ).check()
    page.get_by_role("group", name="Engagement").get_by_label("Scheduled attendance").check()
    page.get_by_role("button", name="Assess and suggest grade").click()
    expect(page.get_by_role("status")).to_contain_text("Suggested grade: 3")
    page.get_by_role("button", name="Confirm grade").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Graded 3"))).to_be_visible()
    expect(page.get_by_text("Why are you viewing")).to_have_count(0)
    auditor = accounts.add_user(
        live_app.ctx,
        username="auditor1",
        display_name="Aud Itor",
        role=Role.AUDITOR,
        password="otter lantern gravel 9",
    )
    logged = access.search_access_log(
        live_app.ctx,
        actor=Actor(auditor.id, auditor.username, auditor.display_name, auditor.role),
        query=AccessQuery(username="handler2", record_type="contact"),
    )
    reasons = [e.justification for e in logged if e.operation.value == "consultation"]
    assert reasons == ["current_incident: caller rang back"] * 3
