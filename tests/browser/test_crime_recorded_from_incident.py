"""Walking the demo as an officer: the incident page never showed a crime already recorded
from the incident (only one named at closure) and still offered "Record a crime", so an officer
coming back to the incident could record the same crime twice. The page lists what has been
recorded from it, and recording a second one is a deliberate "Record another crime"."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from watchhouse.domain.roles import Role

from .conftest import LiveApp
from .desks import BROWSER_ONLY, OFFICER, SUPERVISOR, add_person, desk, urgent_999

pytestmark = BROWSER_ONLY


def test_incident_page_lists_the_crime_recorded_from_it_before_offering_another(
    live_app: LiveApp, new_page
) -> None:
    add_person(live_app, OFFICER, Role.OFFICER, "PC Ada Fenwick")
    add_person(live_app, SUPERVISOR, Role.SUPERVISOR, "Sgt Omar Reed")
    incident_id = urgent_999(live_app, "Man punched outside the Crown", "Crown, High Street")
    officer = desk(new_page, OFFICER, f"/incidents/{incident_id}")
    expect(officer.locator("#crimes-recorded")).to_have_text("none from this incident")
    expect(officer.get_by_role("link", name="Record another crime")).to_have_count(0)

    officer.get_by_role("link", name="Record a crime", exact=True).click()
    expect(officer.locator("#crime-already-recorded")).to_have_count(0)
    officer.get_by_label("Crime type").select_option(label="Common assault")
    officer.get_by_label("What happened").fill("Punched once in the face outside the pub")
    officer.get_by_label("The caller is the victim").uncheck()
    officer.get_by_role("button", name="Record crime").click()
    expect(officer).to_have_url(re.compile(rf"/incidents/{incident_id}$"))

    recorded = officer.locator("#crimes-recorded")
    expect(recorded).to_contain_text(re.compile(r"CR\d{7} Common assault"))
    expect(officer.get_by_role("link", name="Record a crime", exact=True)).to_have_count(0)
    expect(officer.get_by_role("link", name="Record another crime")).to_be_visible()
    expect(officer.locator("#crime-already-recorded")).to_contain_text(
        "1 crime already recorded from this incident"
    )

    # The form itself says what is already recorded, in the same words, before a second one.
    officer.get_by_role("link", name="Record another crime").click()
    on_form = officer.locator("#crime-already-recorded")
    expect(on_form).to_contain_text("1 crime already recorded from this incident")
    expect(on_form).to_contain_text("record another only for a different offence or victim")
    expect(on_form.locator("#crimes-recorded")).to_contain_text(
        re.compile(r"CR\d{7} Common assault")
    )

    supervisor = desk(new_page, SUPERVISOR, f"/incidents/{incident_id}")
    supervisor.locator("#crimes-recorded").get_by_role("link").click()
    expect(supervisor).to_have_url(re.compile(r"/crimes/\d+$"))
    expect(supervisor.get_by_role("heading", level=1)).to_contain_text("Common assault")
