"""Found walking the demo as an officer: the home page offered "Record a crime reported
online", work officers do not do (they record a crime from the incident they attended), and
"Dispatch queue", worded for the dispatcher who deploys. Each role's home tiles lead to pages
that role may open, and say what that role does there."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from watchhouse.domain.roles import Role

from .conftest import DISPATCHER, HANDLER, LiveApp
from .desks import BROWSER_ONLY, add_person, sign_in

pytestmark = BROWSER_ONLY

TILES = {
    Role.CALL_HANDLER: ["Take a contact"],
    Role.DISPATCHER: ["Dispatch queue"],
    Role.OFFICER: ["Incidents to attend"],
    Role.INVESTIGATOR: [
        "My investigations",
        "Crime admin bureau",
        "Record a crime reported online",
    ],
    Role.SUPERVISOR: [
        "Take a contact",
        "Dispatch queue",
        "My investigations",
        "Supervision",
        "Crime admin bureau",
        "Record a crime reported online",
        "Problem-solving plans",
        "Performance board",
        "Demand and resourcing",
        "Audit feedback",
        "Audit trends",
    ],
    Role.NEIGHBOURHOOD_OFFICER: ["Problem-solving plans"],
    Role.AUDITOR: ["Access log", "Quality audits", "Audit trends"],
    Role.ANALYST: ["Live demand", "Performance board", "Demand and resourcing", "Audit trends"],
    Role.ADMINISTRATOR: ["Demand and resourcing", "Users", "Teams"],
}


@pytest.mark.parametrize("role", list(TILES), ids=lambda r: r.value)
def test_every_home_tile_opens_a_page_of_the_role_and_is_worded_for_it(
    live_app: LiveApp, new_page, role: Role
) -> None:
    if role is Role.CALL_HANDLER:
        login = HANDLER
    elif role is Role.DISPATCHER:
        login = DISPATCHER
    else:
        login = (f"{role.value}.one", f"{role.value}-pass-123")
        add_person(live_app, login, role, f"{role.label} One")
    page = new_page()
    sign_in(page, *login)
    tiles = page.locator("ul.tiles a")
    titles = tiles.locator("strong").all_inner_texts()
    assert titles == TILES[role]
    details = " ".join(tiles.locator("span").all_inner_texts())
    if role is Role.OFFICER:
        # An officer records a crime from the incident attended, never an online report.
        assert "online" not in (" ".join(titles) + details).lower()
        assert "record your arrival" in details
    hrefs = [tiles.nth(i).get_attribute("href") for i in range(tiles.count())]
    for title, href in zip(titles, hrefs, strict=True):
        assert href is not None
        response = page.goto(href)
        assert response is not None and response.status == 200, f"{title}: {href}"
        expect(page.locator("main h1, h1").first).to_be_visible()
