"""Walking the board as an analyst: the "Victims referred to victim support" chart showed
orange (special-cause concern) points while its tile and the headline said common cause and
0 concerns. The chart colours every point; the tile's reading and the headline's counts are
of the latest point. The page now says so: each reading is "Latest month/week: ...", a tile
lists the special-cause points earlier on its chart, and the headline counts "at the latest
point". Every coloured point on a chart is accounted for by its tile."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from watchhouse.domain.roles import Role
from watchhouse.services.context import AppContext
from watchhouse.services.synth import SynthRequest

from .conftest import LiveApp, open_live_ctx
from .desks import ANALYST, BROWSER_ONLY, add_person, desk

pytestmark = BROWSER_ONLY

SMALL_FORCE = SynthRequest(start=date(2023, 4, 1), end=date(2024, 6, 1), scale=0.003, seed=3)
COLOURS = {"orange": "rgb(212, 106, 0)", "blue": "rgb(31, 95, 173)", "purple": "rgb(106, 61, 154)"}
READINGS = {
    "orange": "special-cause concern",
    "blue": "special-cause improvement",
    "purple": "special-cause variation",
}


@pytest.fixture
def live_ctx(tmp_path: Path) -> Iterator[AppContext]:
    """The live server's store holds fourteen months of a small synthetic force."""
    with open_live_ctx(tmp_path, force=SMALL_FORCE) as ctx:
        yield ctx


def test_every_coloured_point_is_the_latest_reading_or_listed_as_earlier(
    live_app: LiveApp, new_page
) -> None:
    add_person(live_app, ANALYST, Role.ANALYST, "Ana Lyst")
    page = desk(new_page, ANALYST, "/board?month=2024-05&period=week")
    tiles = page.locator(".measure-tile")
    expect(page.locator("html")).to_have_attribute("data-charts-drawn", str(tiles.count()))
    earlier_seen = 0
    latest_concerns = latest_improvements = 0
    for n in range(tiles.count()):
        tile = tiles.nth(n)
        reading = tile.locator(".variation").inner_text()
        assert reading.startswith("Latest week: "), reading
        latest_concerns += READINGS["orange"] in reading
        latest_improvements += READINGS["blue"] in reading
        listed = " ".join(tile.locator(".earlier-special").all_inner_texts())
        points = tile.locator(".chart .scatterlayer .trace").first.locator("path.point")
        fills = points.evaluate_all("ps => ps.map(p => p.style.fill)")
        for name, colour in COLOURS.items():
            found = re.search(rf"(\d+) {name} points? \({READINGS[name]}\)", listed)
            earlier = int(found.group(1)) if found else 0
            earlier_seen += earlier
            latest = 1 if READINGS[name] in reading else 0
            title = tile.locator("h2").inner_text()
            assert fills.count(colour) == earlier + latest, f"{title}: {name} points"
    assert earlier_seen > 0, "the force's weekly charts have earlier special-cause points"
    expect(page.locator("#headline")).to_contain_text(
        re.compile(
            rf"at the latest point, {latest_improvements} special-cause improvements? and "
            rf"{latest_concerns} special-cause concerns?\."
        )
    )
    expect(page.locator(".guidance")).to_contain_text("of the latest point only")
