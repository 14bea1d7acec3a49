"""An analyst, in a real browser, opens the performance board: the XmR charts are drawn (a
Plotly SVG with its points), then drills down from a measure to its neighbourhoods and to the
records behind a value, and that consultation is in the access log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from watchhouse.domain.access import AccessQuery, Operation
from watchhouse.domain.roles import Role
from watchhouse.services import accounts
from watchhouse.services.access import search_access_log
from watchhouse.services.context import AppContext
from watchhouse.services.synth import SynthRequest

from .conftest import LiveApp, open_live_ctx
from .desks import BROWSER_ONLY, sign_in

pytestmark = BROWSER_ONLY

ANALYST = ("ana", "analyst-pass-123")
SMALL_FORCE = SynthRequest(start=date(2023, 4, 1), end=date(2024, 6, 1), scale=0.003, seed=3)


@pytest.fixture
def live_ctx(tmp_path: Path) -> Iterator[AppContext]:
    """The live server's store holds fourteen months of a small synthetic force."""
    with open_live_ctx(tmp_path, force=SMALL_FORCE) as ctx:
        yield ctx


def test_analyst_opens_the_board_sees_charts_and_drills_down_to_logged_records(
    live_app: LiveApp,
    new_page,
    screenshot,  # type: ignore[no-untyped-def]
) -> None:
    analyst = accounts.add_user(
        live_app.ctx,
        username=ANALYST[0],
        display_name="Ana Lyst",
        role=Role.ANALYST,
        password=ANALYST[1],
    )
    page = new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    sign_in(page, *ANALYST)
    page.get_by_role("link", name="Performance board").click()
    expect(page.get_by_role("heading", name="Performance board: ", exact=False)).to_be_visible()
    page.goto("/board?month=2024-05")
    expect(page.locator("html")).to_have_attribute(
        "data-charts-drawn", str(len(live_app.ctx.policy.board.headline_measures))
    )
    first_chart = page.locator(".measure-tile .chart").first
    expect(first_chart.locator("svg.main-svg").first).to_be_visible()
    points = first_chart.locator(".scatterlayer .trace").first.locator("path.point")
    assert points.count() >= 12, "fourteen months of history are drawn as points"
    screenshot(page, "board")

    tile = page.locator(".measure-tile").first
    title = tile.locator("h2 a").inner_text()
    tile.locator("h2 a").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.locator("#xmr svg.main-svg").first).to_be_visible()
    areas = page.locator("table.areas tbody tr")
    assert areas.count() >= 2, "the measure is shown for each neighbourhood"
    neighbourhood = areas.first.get_attribute("data-neighbourhood")
    screenshot(page, "measure")

    areas.first.get_by_role("link", name="records").click()
    expect(page.get_by_role("heading", name=f"Records behind: {title}")).to_be_visible()
    expect(page.locator(".notice")).to_contain_text("logged as your consultation")
    rows = page.locator("table.records tbody tr")
    assert rows.count() >= 1
    screenshot(page, "records")
    assert errors == [], f"the page reported errors: {errors}"

    logged = search_access_log(
        live_app.ctx,
        actor=live_app.handler,
        query=AccessQuery(username=analyst.username, operation=Operation.CONSULTATION),
    )
    assert len(logged) >= rows.count()
    assert neighbourhood
