"""The board pages over HTTP: the analyst's first page with a chart per headline measure,
one measure with its neighbourhoods, the records behind a value (logged), the PEEL view, and
plotly.js served by this server."""

from __future__ import annotations

import json
import re
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from watchhouse.domain.access import AccessQuery, Operation
from watchhouse.domain.roles import Role
from watchhouse.services.access import search_access_log
from watchhouse.services.synth import SynthRequest, synth_to_database

pytestmark = pytest.mark.web

SMALL_FORCE = SynthRequest(start=date(2023, 4, 1), end=date(2024, 6, 1), scale=0.003, seed=3)
CHART_DATA = re.compile(
    r'<script type="application/json" class="chart-data"[^>]*>(.*?)</script>', re.S
)


@pytest.fixture
def force(ctx):
    synth_to_database(ctx, SMALL_FORCE)
    return ctx


def _figures(html: str) -> list[dict]:
    return [json.loads(text.replace("<\\/", "</")) for text in CHART_DATA.findall(html)]


def test_analyst_sees_a_chart_with_points_for_every_headline_measure(force, client_as):
    response = client_as(Role.ANALYST).client.get("/board?month=2024-05")
    assert response.status_code == 200
    html = response.text
    assert "Performance board: May 2024" in html
    figures = _figures(html)
    assert len(figures) == len(force.policy.board.headline_measures)
    points = [[y for y in figure["data"][0]["y"] if y is not None] for figure in figures]
    assert len(points[0]) >= 12, "fourteen months of 999 calls give at least twelve points"
    assert all(points), "every headline chart has points"
    assert '<script src="/charts/plotly.min.js?v=' in html  # one URL for every page
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "https://" not in "".join(re.findall(r'(?:src|href)="[^"]*"', html))


def test_a_month_that_is_not_a_month_is_refused_by_name(client_as):
    response = client_as(Role.ANALYST).client.get("/board?month=May")
    assert response.status_code == 422
    assert "give a month as YYYY-MM" in response.text


def test_measure_page_lists_neighbourhoods_with_links_to_their_records(force, client_as):
    key = force.policy.board.headline_measures[0]
    response = client_as(Role.ANALYST).client.get(f"/board/measure?key={key}&month=2024-05")
    assert response.status_code == 200
    assert len(_figures(response.text)) == 2  # XmR and moving range
    links = re.findall(r'href="(/board/records\?[^"]+neighbourhood=[^"]+)"', response.text)
    assert links, "each neighbourhood links to its records"
    assert "start=2024-05-01" in links[0]


def test_opening_the_records_behind_a_value_is_logged(force, client_as, actors):
    key = force.policy.board.headline_measures[0]
    analyst = client_as(Role.ANALYST)
    response = analyst.client.get(f"/board/records?key={key}&period=month&start=2024-05-01")
    assert response.status_code == 200
    assert "has been logged as your consultation" in response.text
    rows = response.text.count("<tr>") - 1
    assert rows > 0
    logged = search_access_log(
        force,
        actor=actors[Role.AUDITOR],
        query=AccessQuery(username="analyst", operation=Operation.CONSULTATION, limit=5000),
    )
    assert len(logged) >= rows


def test_peel_view_shows_each_area_with_its_measures(force, client_as):
    response = client_as(Role.SUPERVISOR).client.get("/board/peel?month=2024-05")
    assert response.status_code == 200
    assert "Responding to the public" in response.text
    assert "Managing offenders and suspects" in response.text
    assert re.search(r"\d+ meet</span>", response.text)


def test_plotly_js_comes_from_the_installed_package(client_as):
    response = client_as(Role.ANALYST).client.get("/charts/plotly.min.js?v=1")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.text.startswith("/**\n* plotly.js v")
    assert "max-age=31536000, immutable" in response.headers["cache-control"]
    assert response.headers["etag"]
    # every signed-in role may fetch it (it holds no personal data); nobody signed out may
    assert client_as(Role.ADMINISTRATOR).client.get("/charts/plotly.min.js").status_code == 200


def test_with_too_few_months_the_board_suggests_charting_by_week(client_as):
    monthly = client_as(Role.ANALYST).client.get("/board?month=2024-05")
    assert 'id="few-months"' in monthly.text
    assert "period=week" in monthly.text
    weekly = client_as(Role.ANALYST).client.get("/board?month=2024-05&period=week")
    assert weekly.status_code == 200
    assert 'id="few-months"' not in weekly.text


def test_board_says_how_old_its_figures_are_and_does_not_wait_for_a_new_call(
    force, client_as, actors, clock
):
    from watchhouse.domain.records import NewContact
    from watchhouse.domain.values import Channel
    from watchhouse.services import measures
    from watchhouse.services.contacts import take_contact

    analyst = client_as(Role.ANALYST).client
    first = analyst.get("/board?month=2024-05")
    local = clock.moment.astimezone(ZoneInfo(force.policy.force.timezone))
    assert f"Figures as at {local:%H:%M} on {local:%d %b %Y}." in first.text
    taken = (force.settings.data_dir / measures.SNAPSHOT_DIR / "fingerprint.json").read_text()
    take_contact(
        force,
        actor=actors[Role.CALL_HANDLER],
        new=NewContact(channel=Channel.NON_EMERGENCY_101, summary="a new call"),
    )
    again = analyst.get("/board?month=2024-05")
    assert f"Figures as at {local:%H:%M}" in again.text
    measures.wait_for_refresh(force)
    assert (force.settings.data_dir / measures.SNAPSHOT_DIR / "fingerprint.json").read_text() == (
        taken
    ), "the snapshot checked under snapshot_reuse_seconds ago is served, not rewritten"
    later = clock.advance(minutes=6).astimezone(ZoneInfo(force.policy.force.timezone))
    assert f"Figures as at {local:%H:%M}" in analyst.get("/board?month=2024-05").text
    measures.wait_for_refresh(force)
    assert f"Figures as at {later:%H:%M}" in analyst.get("/board?month=2024-05").text
