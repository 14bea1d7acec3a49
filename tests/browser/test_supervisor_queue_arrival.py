"""Walking the demo as a supervisor: each deployed row of the dispatch queue said "You, as
attending officer." beside an Arrived button, inviting a control-room sergeant to record
themselves as attending. A supervisor at the queue names who attended (themselves among the
choices, marked "(you)"); an officer's own queue still records them without asking."""

from __future__ import annotations

from playwright.sync_api import expect

from watchhouse.domain.roles import Role
from watchhouse.services import incidents

from .conftest import LiveApp
from .desks import (
    BROWSER_ONLY,
    OFFICER,
    SUPERVISOR,
    add_person,
    desk,
    queue_rows,
    urgent_999,
)

pytestmark = BROWSER_ONLY


def test_a_supervisor_at_the_queue_names_who_attended_rather_than_being_recorded_themselves(
    live_app: LiveApp, new_page
) -> None:
    add_person(live_app, OFFICER, Role.OFFICER, "PC Ada Fenwick")
    add_person(live_app, SUPERVISOR, Role.SUPERVISOR, "Sgt Omar Reed")
    incident_id = urgent_999(live_app, "Fight outside the Crown", "Crown, High Street")
    incidents.deploy(live_app.ctx, actor=live_app.dispatcher, incident_id=incident_id, unit="B21")

    supervisor = desk(new_page, SUPERVISOR, "/dispatch")
    row = queue_rows(supervisor).filter(has_text="Fight outside the Crown")
    expect(row.get_by_role("button", name="Arrived")).to_be_visible()
    expect(row).not_to_contain_text("You, as attending officer.")
    attending = row.get_by_label("Officer attending")
    expect(attending.locator("option", has_text="Sgt Omar Reed (you)")).to_have_count(1)
    attending.select_option(label="PC Ada Fenwick")
    row.get_by_label("Their body-worn video").select_option(label="On")
    row.get_by_role("button", name="Arrived").click()
    row = queue_rows(supervisor).filter(has_text="Fight outside the Crown")
    expect(row).to_contain_text("PC Ada Fenwick · BWV on")

    supervisor.goto(f"/incidents/{incident_id}")
    expect(supervisor.locator("dl.facts")).to_contain_text("PC Ada Fenwick attended")


def test_the_officers_own_queue_still_records_them_as_attending(
    live_app: LiveApp, new_page
) -> None:
    add_person(live_app, OFFICER, Role.OFFICER, "PC Ada Fenwick")
    incident_id = urgent_999(live_app, "Fight outside the Crown", "Crown, High Street")
    incidents.deploy(live_app.ctx, actor=live_app.dispatcher, incident_id=incident_id, unit="B21")
    officer = desk(new_page, OFFICER, "/dispatch")
    row = queue_rows(officer).filter(has_text="Fight outside the Crown")
    expect(row).to_contain_text("You, as attending officer.")
    expect(row.get_by_label("Officer attending")).to_have_count(0)
