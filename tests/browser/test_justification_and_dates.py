"""Issue 16 item 5 in the browser: a handler searching by name is asked why first, and the
access log holds the reason chosen and the words typed. Issue 15 item 18: the date of birth
is one tab stop, typed as DD/MM/YYYY."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from watchhouse.domain.access import AccessEntry, AccessQuery
from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel
from watchhouse.services import access, contacts

from .conftest import HANDLER, LiveApp
from .desks import BROWSER_ONLY, add_person, desk

pytestmark = BROWSER_ONLY

SECOND_HANDLER = ("handler2", "correct horse battery staple")


def _ada_quills_shed(live: LiveApp) -> int:
    """Ada Quill's 101 call about her shed, taken by the first handler; its contact id."""
    return contacts.take_contact(
        live.ctx,
        actor=live.handler,
        new=NewContact(
            channel=Channel.NON_EMERGENCY_101,
            caller_given_name="Ada",
            caller_family_name="Quill",
            summary="Shed broken into",
        ),
    ).contact_id


def _contact_views_logged(live: LiveApp, username: str) -> list[AccessEntry]:
    """What an auditor finds in the access log of the contacts `username` looked at."""
    auditor = add_person(live, ("auditor1", "otter lantern gravel 9"), Role.AUDITOR, "Aud Itor")
    return access.search_access_log(
        live.ctx, actor=auditor, query=AccessQuery(username=username, record_type="contact")
    )


def test_a_name_search_asks_for_a_reason_and_logs_what_was_given(
    live_app: LiveApp, new_page
) -> None:
    contact_id = _ada_quills_shed(live_app)
    page = desk(new_page, HANDLER, "/search")
    page.get_by_label("Reference, telephone number or name").fill("Quill")
    page.get_by_role("button", name="Search").click()
    # The browser itself refuses an empty reason (required), so nothing is asked of the server.
    expect(page.get_by_text("Ada Quill")).to_have_count(0)
    page.get_by_label("Reason for searching").select_option(label="Safeguarding or welfare concern")
    page.get_by_label("Details").fill("welfare check after 101 call")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Contact: Ada Quill")).to_be_visible()
    logged = _contact_views_logged(live_app, HANDLER[0])
    assert (str(contact_id), "safeguarding: welfare check after 101 call") in [
        (e.record_id, e.justification) for e in logged
    ]


def test_the_date_of_birth_is_one_tab_stop_typed_as_day_month_year(
    live_app: LiveApp, new_page
) -> None:
    page = desk(new_page, HANDLER, "/contacts/new")
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
    contact_id = _ada_quills_shed(live_app)
    add_person(live_app, SECOND_HANDLER, Role.CALL_HANDLER, "Second Handler")
    page = desk(new_page, SECOND_HANDLER, f"/contacts/{contact_id}")
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
    logged = _contact_views_logged(live_app, "handler2")
    reasons = [e.justification for e in logged if e.operation.value == "consultation"]
    assert reasons == ["current_incident: caller rang back"] * 3
