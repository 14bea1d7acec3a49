"""Found walking the demo as a new force's staff would: an open incident's "Closed" line said
"open", and an empty worklist's "Nothing here." floated in the middle of the page, away from
the heading it answers."""

from __future__ import annotations

from playwright.sync_api import expect

from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.thrive import Engagement, Level, ThriveAssessment
from watchhouse.domain.values import Channel, Grade

from .conftest import DISPATCHER, LiveApp
from .desks import BROWSER_ONLY, add_person, graded_incident, sign_in

pytestmark = BROWSER_ONLY


def test_an_open_incident_is_not_yet_closed(live_app: LiveApp, new_page) -> None:
    incident_id = graded_incident(
        live_app.ctx,
        live_app,
        NewContact(
            channel=Channel.NON_EMERGENCY_101,
            summary="Shed broken into overnight",
            location_description="22 Orchard Road",
            neighbourhood_code="central",
        ),
        ThriveAssessment(
            threat=Level.LOW,
            harm=Level.LOW,
            risk=Level.LOW,
            investigation=Level.MEDIUM,
            vulnerability=Level.LOW,
            engagement=Engagement.SCHEDULED_ATTENDANCE,
        ),
        Grade.SCHEDULED,
    )
    page = new_page()
    sign_in(page, *DISPATCHER)
    page.goto(f"/incidents/{incident_id}")
    expect(page.locator("#closure-record")).to_have_text("not yet")


def test_an_empty_worklist_says_so_under_its_heading(live_app: LiveApp, new_page) -> None:
    investigator = ("dc.novak", "investigator-pass-123")
    add_person(live_app, investigator, Role.INVESTIGATOR, "DC Lena Novak")
    page = new_page()
    sign_in(page, *investigator)
    page.goto("/investigations")
    heading = page.get_by_role("heading", name="Plans due")
    empty = page.locator("p.empty").first
    expect(empty).to_have_text("Nothing here.")
    heading_box = heading.bounding_box()
    text_left = empty.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return r.getBoundingClientRect().left; }"
    )
    assert heading_box is not None
    assert abs(text_left - heading_box["x"]) < 4  # starts where its heading starts
    # an empty list says so at the list's left edge, not in the middle of the page
    page.goto("/bureau")
    nothing = page.locator("li.empty")
    expect(nothing).to_have_text("No open tasks.")
    list_box = page.locator("ul.work-items").bounding_box()
    nothing_left = nothing.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e);"
        " return r.getBoundingClientRect().left; }"
    )
    assert list_box is not None
    assert nothing_left - list_box["x"] < 60  # at most the list's indent
