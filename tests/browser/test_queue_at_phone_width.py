"""Issue 15, point 19: an officer's queue at phone width (390 px) needs no sideways scrolling;
each incident reads as a card with its labels, and its actions stay within the screen."""

from __future__ import annotations

from playwright.sync_api import expect

from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel
from watchhouse.services import contacts, incidents

from .conftest import HANDLER, LiveApp
from .desks import BROWSER_ONLY, OFFICER, add_person, queue_rows, sign_in, urgent_999

pytestmark = BROWSER_ONLY

PHONE = {"width": 390, "height": 844}


def test_the_officers_queue_fits_a_390_px_phone_without_sideways_scrolling(
    live_app: LiveApp, new_page, screenshot
) -> None:
    add_person(live_app, OFFICER, Role.OFFICER, "PC Olu Officer")
    urgent_999(
        live_app,
        "Man with a knife outside the shop, threatening passers-by",
        "Corner of Long Lane",
        postcode="AB1 2CD",
    )
    incident_id = urgent_999(
        live_app,
        "Burglary in progress",
        "Flat 12, Riverside Court, 140 Wharf Road",
        postcode="AB1 2CD",
    )
    # The second is deployed, so its card carries the arrival form (officer, camera, button).
    incidents.deploy(live_app.ctx, actor=live_app.dispatcher, incident_id=incident_id, unit="AB12")
    page = new_page()
    page.set_viewport_size(PHONE)
    sign_in(page, *OFFICER)
    page.goto("/dispatch")
    expect(queue_rows(page)).to_have_count(2)
    expect(page.get_by_role("button", name="Arrived")).to_be_visible()
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= PHONE["width"]
    arrived = page.get_by_role("button", name="Arrived").bounding_box()
    assert arrived is not None and arrived["x"] + arrived["width"] <= PHONE["width"]
    screenshot(page, "officer-queue-390px")


def test_a_handler_finds_a_caller_by_number_from_the_home_page_on_a_phone(
    live_app: LiveApp, new_page, screenshot
) -> None:
    taken = contacts.take_contact(
        live_app.ctx,
        actor=live_app.handler,
        new=NewContact(
            channel=Channel.NON_EMERGENCY_101,
            summary="Neighbour's dog barking all night, third call this week",
            telephone="07700 900123",
            caller_given_name="Jane",
            caller_family_name="Smith",
        ),
    )
    page = new_page()
    page.set_viewport_size(PHONE)
    sign_in(page, *HANDLER)
    page.get_by_label("Search by reference, telephone number or name").fill("+44 7700 900123")
    page.get_by_label("Search by reference, telephone number or name").press("Enter")
    # The search page asks why before showing anything (issue 16, item 5).
    page.get_by_label("Reason for searching").select_option(value="current_incident")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=f"C{taken.contact_id:07d}")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "search-by-number-390px")
