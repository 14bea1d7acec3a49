"""Issue 15 ("Done means"): a dispatcher and a supervisor at once. The supervisor cancels a
grade 1 on their own authority (no rationale asked of them); the dispatcher, who never reloads,
sees it leave the live queue, and the incident says who decided and why."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.values import Channel, Grade
from watchhouse.services import accounts

from .conftest import CHROMIUM, DISPATCHER, LiveApp
from .test_first_ring_to_arrival import graded_incident, queue_rows, sign_in
from .test_two_dispatchers import LIVE_UPDATE_MS, URGENT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"browser tests need Debian's Chromium at {CHROMIUM}"
    ),
]

SUPERVISOR = ("supervisor1", "supervisor1-pass-123")


def test_a_supervisor_cancels_a_grade_1_and_the_dispatchers_queue_loses_it_live(
    live_app: LiveApp, new_page, screenshot
) -> None:
    accounts.add_user(
        live_app.ctx,
        username=SUPERVISOR[0],
        display_name="Sgt Sian Supervisor",
        role=Role.SUPERVISOR,
        password=SUPERVISOR[1],
    )
    for summary, place in (
        ("Report of a man with a knife", "Canal Bridge"),
        ("Fight at the bus station", "Bus Station"),
    ):
        incident_id = graded_incident(
            live_app.ctx,
            live_app,
            NewContact(
                channel=Channel.EMERGENCY_999,
                summary=summary,
                location_description=place,
                neighbourhood_code="central",
            ),
            URGENT,
            Grade.EMERGENCY,
        )

    dispatcher = new_page()
    sign_in(dispatcher, *DISPATCHER)
    dispatcher.goto("/dispatch")
    expect(dispatcher.locator("#live-state")).to_have_text("live")
    expect(queue_rows(dispatcher)).to_have_count(2)

    supervisor = new_page()
    sign_in(supervisor, *SUPERVISOR)
    supervisor.goto(f"/incidents/{incident_id}")
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
