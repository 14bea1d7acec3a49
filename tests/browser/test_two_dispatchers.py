"""Issue 15, point 1: two dispatchers at once see each other's changes live, even when the
store holds an incident timed in the future (clock skew, a future-dated import, the demo)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Role
from watchhouse.domain.thrive import EmergencyIndicator, Engagement, Level, ThriveAssessment
from watchhouse.domain.values import Channel, Grade
from watchhouse.services import accounts
from watchhouse.services.context import system_clock

from .conftest import CHROMIUM, DISPATCHER, LiveApp
from .test_first_ring_to_arrival import graded_incident, queue_rows, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"browser tests need Debian's Chromium at {CHROMIUM}"
    ),
]

LIVE_UPDATE_MS = 10_000
SECOND_DISPATCHER = ("dispatcher2", "dispatcher2-pass-123")
URGENT = ThriveAssessment(
    Level.HIGH,
    Level.HIGH,
    Level.HIGH,
    Level.LOW,
    Level.LOW,
    Engagement.IMMEDIATE_ATTENDANCE,
    frozenset({EmergencyIndicator.VIOLENCE}),
)


def test_a_deployment_reaches_the_other_dispatchers_queue_despite_a_future_dated_incident(
    live_app: LiveApp, new_page, screenshot
) -> None:
    accounts.add_user(
        live_app.ctx,
        username=SECOND_DISPATCHER[0],
        display_name="Dee Second",
        role=Role.DISPATCHER,
        password=SECOND_DISPATCHER[1],
    )
    three_hours_ahead = live_app.context_with_clock(lambda: system_clock() + timedelta(hours=3))
    graded_incident(
        three_hours_ahead,
        live_app,
        NewContact(
            channel=Channel.EMERGENCY_999,
            summary="Imported incident timed in the future",
            location_description="Quay Street",
            neighbourhood_code="central",
        ),
        URGENT,
        Grade.EMERGENCY,
    )
    graded_incident(
        live_app.ctx,
        live_app,
        NewContact(
            channel=Channel.EMERGENCY_999,
            summary="Fight at the bus station",
            location_description="Bus Station",
            neighbourhood_code="central",
        ),
        URGENT,
        Grade.EMERGENCY,
    )

    first = new_page()
    sign_in(first, *DISPATCHER)
    first.goto("/dispatch")
    second = new_page()
    sign_in(second, *SECOND_DISPATCHER)
    second.goto("/dispatch")
    for page in (first, second):
        expect(page.locator("#live-state")).to_have_text("live")
        expect(queue_rows(page)).to_have_count(2)

    row = queue_rows(first).filter(has_text="Fight at the bus station")
    row.get_by_role("textbox").fill("CHARLIE7")
    row.get_by_role("button", name="Deploy").click()
    expect(queue_rows(first).filter(has_text="Fight at the bus station")).to_contain_text(
        "deployed · CHARLIE7"
    )

    # The other dispatcher never reloads: the deployment arrives over the live stream.
    seen = queue_rows(second).filter(has_text="Fight at the bus station")
    expect(seen).to_contain_text("deployed · CHARLIE7", timeout=LIVE_UPDATE_MS)
    screenshot(second, "second-dispatcher-sees-deployment")
