"""Issue 15, point 1: two dispatchers at once see each other's changes live, even when the
store holds an incident timed in the future (clock skew, a future-dated import, the demo)."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from watchhouse.domain.roles import Role
from watchhouse.services.context import system_clock

from .conftest import DISPATCHER, LiveApp
from .desks import BROWSER_ONLY, LIVE_UPDATE_MS, add_person, desk, queue_rows, urgent_999

pytestmark = BROWSER_ONLY

SECOND_DISPATCHER = ("dispatcher2", "dispatcher2-pass-123")


def test_a_deployment_reaches_the_other_dispatchers_queue_despite_a_future_dated_incident(
    live_app: LiveApp, new_page, screenshot
) -> None:
    add_person(live_app, SECOND_DISPATCHER, Role.DISPATCHER, "Dee Second")
    three_hours_ahead = live_app.context_with_clock(lambda: system_clock() + timedelta(hours=3))
    urgent_999(
        live_app, "Imported incident timed in the future", "Quay Street", ctx=three_hours_ahead
    )
    urgent_999(live_app, "Fight at the bus station", "Bus Station")

    first = desk(new_page, DISPATCHER, "/dispatch")
    second = desk(new_page, SECOND_DISPATCHER, "/dispatch")
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
