"""Issue 6 in a real browser: an investigator writes a plan, a supervisor checks it and reviews
the investigation, and a charge makes an update due to a domestic abuse victim (enhanced rights:
1 working day) by the end of the next working day; the day after, it shows as overdue on both
worklists.

The live server reads the time from a clock the test moves (nothing in these pages counts down
in the browser), starting on Tuesday 10 March 2026 in the morning (GMT, so local time is UTC).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from support import domestic_abuse_crime
from watchhouse.domain.roles import Actor, Role
from watchhouse.services import accounts, investigations
from watchhouse.services.context import AppContext

from .conftest import LiveApp, open_live_ctx
from .desks import BROWSER_ONLY

pytestmark = BROWSER_ONLY

PHONE_VIEWPORT = {"width": 390, "height": 844}
TUESDAY_MORNING = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)


class MovableClock:
    """The time the live server reads; the test moves it."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **kwargs: float) -> None:
        self.moment += timedelta(**kwargs)


@pytest.fixture
def clock() -> MovableClock:
    """The live server's clock."""
    return MovableClock(TUESDAY_MORNING)


@pytest.fixture
def live_ctx(tmp_path: Path, clock: MovableClock) -> Iterator[AppContext]:
    """The live store read through the movable clock."""
    with open_live_ctx(tmp_path) as ctx:
        yield AppContext(settings=ctx.settings, db=ctx.db, policy=ctx.policy, clock=clock)


def _user(live: LiveApp, username: str, role: Role, name: str) -> Actor:
    user = accounts.add_user(
        live.ctx, username=username, display_name=name, role=role, password=f"{username}-pass-1"
    )
    return Actor(user.id, user.username, user.display_name, user.role)


def _sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"{username}-pass-1")
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Good to see you"))).to_be_visible()


def _allocated_domestic_crime(live: LiveApp, investigator: Actor, supervisor: Actor) -> int:
    """Last night's 999 call from Dana Reid, her partner's assault recorded as a crime and
    allocated this morning."""
    crime_id = domestic_abuse_crime(live.ctx, live.handler, investigator)
    investigations.allocate(
        live.ctx,
        actor=supervisor,
        crime_id=crime_id,
        investigator_id=investigator.user_id,
        supervisor_id=None,
        team="Safeguarding team",
    )
    return crime_id


def test_plan_review_and_a_charge_make_an_update_due_tomorrow_that_is_overdue_the_day_after(
    live_app: LiveApp,
    new_page,
    screenshot,
    clock: MovableClock,  # type: ignore[no-untyped-def]
) -> None:
    investigator = _user(live_app, "dc.khan", Role.INVESTIGATOR, "DC Asha Khan")
    supervisor = _user(live_app, "ds.owen", Role.SUPERVISOR, "DS Gareth Owen")
    crime_id = _allocated_domestic_crime(live_app, investigator, supervisor)
    reference = f"CR{crime_id:07d}"

    # The investigator, on a phone, finds the plan due on her worklist and writes it.
    dc = new_page()
    dc.set_viewport_size(PHONE_VIEWPORT)
    _sign_in(dc, "dc.khan")
    dc.get_by_role("link", name="Investigations", exact=True).click()
    plans_due = dc.locator("#plans-due")
    expect(plans_due).to_contain_text(reference)
    expect(plans_due).to_contain_text("due Fri 13 Mar 09:30")
    plans_due.get_by_role("link", name=reference).click()
    expect(dc.get_by_role("heading", name=f"{reference} — Assault with injury")).to_be_visible()
    expect(dc.locator(".victim")).to_contain_text("enhanced rights")
    dc.get_by_label("Lines of enquiry (one a line)").fill(
        "Statement from the neighbour at no. 16\nHouse-to-house on Mill Lane"
    )
    dc.get_by_label("Evidence to secure (one a line)").fill("Photographs of the injuries")
    dc.get_by_label("Safeguarding actions (one a line)").fill("Refer to the IDVA today")
    dc.get_by_label("Suspect strategy").fill("Arrest Lee Reid; interview under caution")
    dc.get_by_label("Victim needs").fill("Mobile only, after 6pm; fears retaliation")
    dc.get_by_role("button", name="Save plan").click()
    expect(dc.locator("#plan")).to_contain_text("Quality check: adequate")
    expect(dc.locator("#plan")).to_contain_text("Not yet checked by a supervisor")
    wide = dc.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 5)"""
    )
    assert wide == [], f"the crime page must fit a phone's width: {wide}"
    screenshot(dc, "investigator-plan-written-phone")

    # The supervisor checks the plan and reviews the investigation.
    clock.advance(hours=1)
    ds = new_page()
    _sign_in(ds, "ds.owen")
    ds.get_by_role("link", name="Supervision", exact=True).click()
    to_check = ds.locator("#plans-to-check")
    expect(to_check).to_contain_text(reference)
    expect(ds.locator("#reviews-due")).to_contain_text("due Tue 17 Mar 09:30")
    to_check.get_by_role("link", name=reference).click()
    ds.get_by_label("Your check of the plan").select_option("yes")
    ds.get_by_label("Note on the plan").fill("Good plan; prioritise the neighbour's statement")
    ds.get_by_role("button", name="Record check").click()
    expect(ds.locator("#plan-check")).to_contain_text("Checked by DS Gareth Owen")
    ds.get_by_label("Direction given").fill("Arrest today; consider a charge with CPS advice")
    ds.get_by_role("button", name="Record review").click()
    expect(ds.locator("#reviews")).to_contain_text("(on time): Arrest today")
    expect(ds.locator("#next-review")).to_contain_text("Tue 07 Apr 2026")
    screenshot(ds, "supervisor-reviewed")

    # The charge, at 14:00 on Tuesday: Dana must be told by the end of Wednesday.
    clock.moment = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
    dc.reload()
    dc.get_by_label("Key event").select_option("charge")
    dc.get_by_label("Note on the event").fill("Charged with ABH; remanded to court")
    dc.get_by_role("button", name="Record key event").click()
    row = dc.locator("#updates li").first
    expect(row).to_contain_text("Charge")
    expect(row).to_contain_text("Dana Reid (enhanced)")
    expect(row).to_contain_text("tell by Wed 11 Mar 17:00")
    expect(row).not_to_contain_text("OVERDUE")
    screenshot(dc, "investigator-charge-update-due-phone")

    # Thursday morning: nobody told her. It is overdue on both worklists.
    clock.moment = datetime(2026, 3, 12, 8, 45, tzinfo=UTC)
    _sign_in(dc, "dc.khan")  # yesterday's session has expired
    dc.get_by_role("link", name="Investigations", exact=True).click()
    updates_due = dc.locator("#victim-updates-due")
    expect(updates_due).to_contain_text(reference)
    expect(updates_due).to_contain_text("OVERDUE")
    expect(updates_due.locator("li.overdue")).to_have_count(1)
    screenshot(dc, "investigator-update-overdue-phone")
    _sign_in(ds, "ds.owen")
    ds.get_by_role("link", name="Supervision", exact=True).click()
    overdue = ds.locator("#victim-updates-overdue")
    expect(overdue).to_contain_text(reference)
    expect(overdue).to_contain_text("1 overdue")
    screenshot(ds, "supervisor-update-overdue")

    # The investigator gives the update; it leaves both worklists.
    dc.locator("#victim-updates-due").get_by_role("link", name=reference).click()
    dc.get_by_role("button", name="Update given").click()
    expect(dc.locator("#updates li").first).to_contain_text("told Thu 12 Mar 08:45 by telephone")
    dc.get_by_role("link", name="Investigations", exact=True).click()
    expect(dc.locator("#victim-updates-due")).to_contain_text("Nothing here.")
