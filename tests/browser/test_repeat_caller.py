"""Issue 4 in a real browser: a caller with four calls this week, and an open plan already.

The handler takes the caller's fifth call through the screens and must see, before assessing,
the repeat-caller banner, the caller's earlier contacts and the neighbourhood team's open
problem-solving plan.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from watchhouse.domain.records import NewContact
from watchhouse.domain.roles import Actor, Role
from watchhouse.domain.values import Channel
from watchhouse.services import accounts, contacts, plans
from watchhouse.services.context import system_clock

from .conftest import CHROMIUM, HANDLER, LiveApp
from .test_first_ring_to_arrival import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"browser tests need Debian's Chromium at {CHROMIUM}"
    ),
]

NUMBER = "07700 900321"


def _earlier_calls(live: LiveApp) -> None:
    """Four calls over the last days (the last yesterday), then last night's batch."""
    now = system_clock()
    for days_ago in (5, 3, 2, 1):
        moment = now - timedelta(days=days_ago)
        ctx = live.context_with_clock(lambda moment=moment: moment)
        contacts.take_contact(
            ctx,
            actor=live.handler,
            new=NewContact(
                channel=Channel.NON_EMERGENCY_101,
                telephone=NUMBER,
                summary="Youths kicking the door again",
                location_description="7 Mill Lane",
                postcode="WH1 3ML",
                neighbourhood_code="central",
            ),
        )
    user = accounts.add_user(
        live.ctx,
        username="sgt",
        display_name="Sgt Sam",
        role=Role.SUPERVISOR,
        password="supervisor-pass",
    )
    supervisor = Actor(user.id, user.username, user.display_name, user.role)
    # The batch runs for the force's local day on which the fourth call was made.
    yesterday: date = (now - timedelta(days=1)).astimezone(ZoneInfo("Europe/London")).date()
    opened = plans.run_daily_batch(live.ctx, actor=supervisor, day=yesterday)
    assert opened.plans_opened, "last night's batch should open a plan"


def test_fifth_call_shows_the_banner_the_history_and_the_open_plan(
    live_app: LiveApp,
    new_page,
    screenshot,  # type: ignore[no-untyped-def]
) -> None:
    _earlier_calls(live_app)
    handler = new_page()
    sign_in(handler, *HANDLER)
    handler.get_by_role("link", name="New contact", exact=True).click()
    handler.get_by_label("101", exact=True).check()
    handler.get_by_label("Telephone").fill(NUMBER)
    handler.get_by_label("Summary").fill("They are back at the door")
    handler.get_by_role("button", name="Record contact and assess").click()
    banner = handler.locator("#repeat-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("This telephone number: 5 contacts in 7 days")
    expect(handler.locator("#open-plan")).to_contain_text("Open problem-solving plan")
    expect(handler.get_by_role("heading", name="Earlier contacts 4")).to_be_visible()
    screenshot(handler, "handler-repeat-caller")
