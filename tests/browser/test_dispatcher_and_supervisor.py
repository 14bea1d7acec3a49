"""Issue 15 ("Done means"): a dispatcher and a supervisor at once. The supervisor cancels a
grade 1 on their own authority (no rationale asked of them); the dispatcher, who never reloads,
sees it leave the live queue, and the incident says who decided and why."""

from __future__ import annotations

from playwright.sync_api import expect

from watchhouse.domain.roles import Role

from .conftest import DISPATCHER, LiveApp
from .desks import (
    BROWSER_ONLY,
    LIVE_UPDATE_MS,
    SUPERVISOR,
    add_person,
    desk,
    queue_rows,
    urgent_999,
)

pytestmark = BROWSER_ONLY


def test_a_supervisor_cancels_a_grade_1_and_the_dispatchers_queue_loses_it_live(
    live_app: LiveApp, new_page, screenshot
) -> None:
    add_person(live_app, SUPERVISOR, Role.SUPERVISOR, "Sgt Sian Supervisor")
    urgent_999(live_app, "Report of a man with a knife", "Canal Bridge")
    incident_id = urgent_999(live_app, "Fight at the bus station", "Bus Station")

    dispatcher = desk(new_page, DISPATCHER, "/dispatch")
    expect(dispatcher.locator("#live-state")).to_have_text("live")
    expect(queue_rows(dispatcher)).to_have_count(2)

    supervisor = desk(new_page, SUPERVISOR, f"/incidents/{incident_id}")
    # A supervisor's own authority is enough: the rationale box is not asked of them.
    expect(supervisor.locator("#rationale")).to_have_count(0)
    supervisor.select_option("#closure", "cancelled")
    supervisor.select_option("#reason", "caller_withdrew")
    supervisor.locator("form[action*='/closure'] button[type=submit]").click()
    expect(supervisor.locator("#cancel-check")).to_contain_text("Caller withdrew the request")
    supervisor.get_by_role("button", name="Yes, cancel").click()
    expect(supervisor.locator("body")).to_contain_text("decided by Sgt Sian Supervisor")
    screenshot(supervisor, "supervisor-cancelled-grade-1")

    # The dispatcher never reloads: the cancellation reaches the queue over the live stream.
    expect(queue_rows(dispatcher)).to_have_count(1, timeout=LIVE_UPDATE_MS)
    expect(queue_rows(dispatcher).first).to_contain_text("Report of a man with a knife")
    screenshot(dispatcher, "dispatcher-queue-after-the-cancellation")
