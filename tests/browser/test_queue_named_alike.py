"""Walking the demo as an officer: the nav bar said "Dispatch queue" while the home tile for
the same page said "Incidents to attend". The live queue is named for the role (the dispatcher
deploys from it, an officer attends from it, an analyst watches demand on it), and the nav,
the home tile and the page's heading use the same words."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from watchhouse.domain.roles import Role

from .conftest import DISPATCHER, LiveApp
from .desks import BROWSER_ONLY, add_person, sign_in

pytestmark = BROWSER_ONLY

NAMES = {
    Role.DISPATCHER: "Dispatch queue",
    Role.SUPERVISOR: "Dispatch queue",
    Role.OFFICER: "Incidents to attend",
    Role.ANALYST: "Live demand",
}


@pytest.mark.parametrize("role", list(NAMES), ids=lambda r: r.value)
def test_nav_home_tile_and_heading_name_the_queue_alike_for_each_role(
    live_app: LiveApp, new_page, role: Role
) -> None:
    if role is Role.DISPATCHER:
        login = DISPATCHER
    else:
        login = (f"{role.value}.one", f"{role.value}-pass-123")
        add_person(live_app, login, role, f"{role.label} One")
    page = new_page()
    sign_in(page, *login)
    name = NAMES[role]
    nav = page.get_by_role("navigation", name="Main").locator("a[href='/dispatch']")
    expect(nav).to_have_text(name)
    expect(page.locator("ul.tiles a[href='/dispatch'] strong")).to_have_text(name)
    nav.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(f"^{name}"))
    expect(page).to_have_title(re.compile(name))
