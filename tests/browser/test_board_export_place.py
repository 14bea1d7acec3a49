"""Found walking the demo as a supervisor: the board's "Export these figures" sat above its
tabs on the headline measures but below them on the PEEL view, so it jumped as one switched
tabs. On every board view it sits in one place: just under the tabs."""

from __future__ import annotations

from playwright.sync_api import expect

from watchhouse.domain.roles import Role

from .conftest import LiveApp
from .desks import ANALYST, BROWSER_ONLY, add_person, sign_in

pytestmark = BROWSER_ONLY


def test_the_export_sits_just_under_the_tabs_on_the_board_and_the_peel_view(
    live_app: LiveApp, new_page
) -> None:
    add_person(live_app, ANALYST, Role.ANALYST, "Ana Lyst")
    page = new_page()
    sign_in(page, *ANALYST)
    gaps = {}
    for tab in ("Headline measures", "PEEL view"):
        page.goto("/board")
        tabs = page.get_by_role("navigation", name="Performance")
        tabs.get_by_role("link", name=tab).click()
        expect(tabs.get_by_role("link", name=tab)).to_have_attribute("aria-current", "page")
        export = page.get_by_role("link", name="Export these figures (CSV)")
        expect(export).to_have_count(1)
        tabs_box, export_box = tabs.bounding_box(), export.bounding_box()
        assert tabs_box is not None and export_box is not None
        gaps[tab] = export_box["y"] - (tabs_box["y"] + tabs_box["height"])
        assert gaps[tab] >= 0, f"{tab}: the export is above the tabs"
        # Nothing between the tabs and the export: the next thing under the tabs is it.
        following = tabs.evaluate("n => n.nextElementSibling.querySelector('a').textContent")
        assert following == "Export these figures (CSV)", tab
    assert abs(gaps["Headline measures"] - gaps["PEEL view"]) < 2, gaps
